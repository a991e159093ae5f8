"""Native JSON, compatible with the public flip-graph collection files.

Layout (one scheme a file)::

    {"n": [n, m, p], "m": rank, "z2": false,
     "multiplications": ["m1 = (a11 + a22) * (b11 + b22)", ...],
     "elements": ["c11 = m1 + m4 - m5 + m7", ...],
     "u": [[...n*m...] x rank], "v": [[...m*p...] x rank], "w": [[...p*n...] x rank],
     "discovery": {"ring": "ZT", "provenance": {...}, "version": "..."}}

``"z2": true`` (the collection's flag) marks a scheme valid modulo 2 only; ``"z3": true``, written
only for such schemes, one valid modulo 3 only. Rationals are strings ``"p/q"``. ``w`` indexes C transposed (see :mod:`discovery.core.tensor`).
Reading also accepts the collection's reduced form (``u_fresh``/``v_fresh``/``w_fresh``
intermediate sums, ``w`` one row per entry of vec(C^T) over products), expanding it.
"""

from __future__ import annotations

import json
from typing import Any

from discovery.core.coefficients import coef_json
from discovery.core.formulas import to_formulas
from discovery.core.scheme import Provenance, Scheme
from discovery.errors import RunRecordFile, SchemeFormatError
from discovery.formats._reduced import header, positive_int, reduced_programs


def scheme_to_dict(s: Scheme) -> dict[str, Any]:
    """The JSON-ready dict for ``s`` (collection fields first, then our metadata)."""
    from discovery._version import __version__

    mults, elems = to_formulas(s, normalize_signs=False)  # the lines describe the stored rows
    c = s.counts()
    prov = {k: v for k, v in vars(s.provenance).items() if v not in (None, "")}
    return {
        "n": [s.n, s.m, s.p],
        "m": s.rank,
        "z2": s.ring == "Z2",
        **({"z3": True} if s.ring == "Z3" else {}),
        "complexity": {"naive": c.additions},
        "multiplications": mults,
        "elements": elems,
        "u": [[coef_json(x) for x in row] for row in s.u],
        "v": [[coef_json(x) for x in row] for row in s.v],
        "w": [[coef_json(x) for x in row] for row in s.w],
        "discovery": {"ring": s.ring, "provenance": prov, "version": __version__},
    }


_ROWS = ("u", "v", "w", "multiplications", "elements")


def _layout(d: dict[str, Any], indent: int) -> list[str]:
    """JSON lines for ``d``: lists of rows one row a line, a nested dict laid out alike."""
    pad, lines = " " * indent, []
    items = list(d.items())
    for q, (k, val) in enumerate(items):
        comma = "," if q < len(items) - 1 else ""
        if k in _ROWS and isinstance(val, list):
            inner = ",\n".join(pad + "    " + json.dumps(row) for row in val)
            lines.append(f'{pad}"{k}": [\n{inner}\n{pad}]{comma}')
        elif isinstance(val, dict) and any(x in val for x in _ROWS):
            lines += [f'{pad}"{k}": {{', *_layout(val, indent + 4), f"{pad}}}{comma}"]
        else:
            lines.append(f'{pad}"{k}": {json.dumps(val)}{comma}')
    return lines


def dumps(s: Scheme, extra: dict[str, Any] | None = None) -> str:
    """JSON text: one row of coefficients per line (readable, diff-friendly). ``extra`` keys go
    before our metadata (the symmetric form's ``"symmetry"`` block)."""
    d = scheme_to_dict(s)
    if extra:
        meta = d.pop("discovery")
        d.update(extra)
        d["discovery"] = meta
    return "\n".join(["{", *_layout(d, 4), "}"]) + "\n"


def parse(text: str) -> Any:
    """The JSON value of a file's text (one clear error when it is not JSON)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SchemeFormatError(f"not valid JSON ({exc.msg} at line {exc.lineno}); expected a scheme "
                                "object {\"n\": [n, m, p], \"u\": ..., \"v\": ..., \"w\": ...}") from None


def scheme_from_dict(d: Any, source: str = "") -> Scheme:
    """Build a Scheme from a parsed JSON object (collection or native layout)."""
    if isinstance(d, dict) and "u" not in d and ("record" in d or "config" in d or not {"n", "v", "w"} & set(d)):
        # what a run writes beside its schemes (state, best.json), or another JSON document
        raise RunRecordFile("a run record (e.g. a run's state or best.json), not a scheme")
    n, m, p = header(d)
    u, v, w = d["u"], d["v"], d["w"]
    for k, val in (("u", u), ("v", v), ("w", w)):
        if not isinstance(val, list):
            raise SchemeFormatError(f"'{k}' must be a list of rows")
    rank = positive_int(d["m"], "'m' (the rank)") if "m" in d else None
    if any(f"{x}_fresh" in d for x in "uvw"):
        _, a_prog, b_prog, c_prog = reduced_programs(d)
        u, v, w = a_prog.matrix(), b_prog.matrix(), c_prog.matrix().T
    meta = d.get("discovery", {}) if isinstance(d.get("discovery"), dict) else {}
    ring = meta.get("ring")
    if d.get("z2") is True and d.get("z3") is True:
        raise SchemeFormatError("'z2' and 'z3' are both true; a scheme is valid modulo one of them")
    if ring is None and d.get("z2") is True:
        ring = "Z2"
    if ring is None and d.get("z3") is True:
        ring = "Z3"
    pd = meta.get("provenance") or {}
    if not isinstance(pd, dict):
        pd = {}
    prov = Provenance(
        source=str(pd.get("source", source)),
        seed=pd.get("seed") if isinstance(pd.get("seed"), int) else None,
        time=pd.get("time"),
        note=str(pd.get("note", "")),
    )
    return Scheme.from_rows(n, m, p, u, v, w, ring=ring, provenance=prov, rank=rank)


def loads(text: str, source: str = "") -> Scheme:
    return scheme_from_dict(parse(text), source)
