"""The symmetric form of a scheme in native JSON: a plain scheme file plus a ``"symmetry"`` block.

Layout (written by :func:`discovery.formats.save_symmetric`)::

    {"n": [n, n, n], "m": rank, ..., "u": [...], "v": [...], "w": [...],   # the expanded scheme
     "symmetry": {"group": "cyclic", "orbit_sizes": [3, 3, 1, ...],
                  "u": [[...n*n...] x orbits], "v": [...], "w": [...]},
     "discovery": {"ring": ..., ...}}

The top level is a plain scheme file (see :mod:`._json`), so every reader of the collection's
JSON, and :func:`discovery.formats.load_schemes`, sees the expanded scheme. The block holds the
orbit representatives in the same u/v/w convention, one orbit size each, and the group
(``"cyclic"`` or ``"full"``, :mod:`discovery.core.symmetry`). A hand-written file may give the
block alone (no top-level ``"u"``, ``"v"``, ``"w"``): it is expanded. When both are given they
must be the same scheme up to term order and term scaling.
"""

from __future__ import annotations

from typing import Any

from discovery.errors import SchemeFormatError
from discovery.formats import _json
from discovery.core.coefficients import coef_json
from discovery.core.scheme import Scheme
from discovery.core.symmetry import SymmetricScheme
from discovery.core.transforms import fingerprint


def symmetric_to_dict(sym: SymmetricScheme) -> dict[str, Any]:
    """The ``"symmetry"`` block of ``sym``."""
    return {
        "group": sym.group.value,
        "orbit_sizes": list(sym.orbit_sizes),
        **{k: [[coef_json(x) for x in row] for row in a] for k, a in zip("uvw", (sym.u, sym.v, sym.w))},
    }


def dumps(sym: SymmetricScheme) -> str:
    """The file's text: the expanded scheme with the block."""
    return _json.dumps(sym.expand(), extra={"symmetry": symmetric_to_dict(sym)})


def symmetric_from_dict(d: Any, source: str = "") -> SymmetricScheme:
    """The symmetric scheme of a parsed file that has a ``"symmetry"`` block."""
    block = d.get("symmetry") if isinstance(d, dict) else None
    if not isinstance(block, dict):
        raise SchemeFormatError("no 'symmetry' block; expected {\"group\": ..., \"orbit_sizes\": [...], "
                                "\"u\": [...], \"v\": [...], \"w\": [...]}")
    missing = [k for k in ("group", "orbit_sizes", "u", "v", "w") if k not in block]
    if missing:
        raise SchemeFormatError(f"the 'symmetry' block lacks {', '.join(map(repr, missing))}")
    fmt = d.get("n")
    if not (isinstance(fmt, list) and len(fmt) == 3 and fmt[0] == fmt[1] == fmt[2]):
        raise SchemeFormatError(f"'n' must be a square format [n, n, n] for a symmetric scheme, got {fmt!r}")
    sizes = block["orbit_sizes"]
    if not isinstance(sizes, list) or not all(type(x) is int for x in sizes):
        raise SchemeFormatError("'orbit_sizes' must be a list of integers, one per representative")
    plain = _json.scheme_from_dict({"n": fmt, "u": block["u"], "v": block["v"], "w": block["w"],
                                    "discovery": d.get("discovery"), "z2": d.get("z2"),
                                    "z3": d.get("z3")}, source)
    sym = SymmetricScheme(plain.n, block["group"], plain.u, plain.v, plain.w, tuple(sizes), plain.ring,
                          plain.provenance)
    if "m" in d and d["m"] != sym.rank:
        raise SchemeFormatError(f"'m' says rank {d['m']} but the orbits expand to rank {sym.rank}")
    return sym


def read(d: Any, source: str = "") -> tuple[SymmetricScheme, Scheme]:
    """(symmetric form, the file's scheme) of a file with a ``"symmetry"`` block; the scheme is
    the file's own ``u``, ``v``, ``w`` when it has them (checked against the block), else the
    expansion."""
    sym = symmetric_from_dict(d, source)
    if not all(k in d for k in ("u", "v", "w")):
        return sym, sym.expand()
    s = _json.scheme_from_dict(d, source)
    if fingerprint(s) != fingerprint(sym.expand()):
        raise SchemeFormatError("the 'symmetry' block does not expand to the file's u, v, w; "
                                "fix one of them or drop the top-level u, v, w")
    return sym, s
