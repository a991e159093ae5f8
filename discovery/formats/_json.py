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
from fractions import Fraction
from typing import Any


from discovery.errors import RunRecordFile, SchemeFormatError
from discovery.core.formulas import to_formulas
from discovery.core.scheme import Provenance, Scheme, int_or_fraction, to_exact
from discovery.circuits.slp import LinearProgram


def coef_json(x) -> int | str:
    """An exact coefficient as JSON: an integer, or the string "p/q"."""

    x = int_or_fraction(x)
    return x if isinstance(x, int) else f"{x.numerator}/{x.denominator}"


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


def _positive_int(x, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise SchemeFormatError(f"{what} must be a positive integer, got {x!r}")
    return x


def _header(d: Any) -> tuple[int, int, int]:
    """The format of a scheme file's JSON object (plain or reduced), after checking it has the
    keys every layout needs."""
    if not isinstance(d, dict):
        raise SchemeFormatError("expected a JSON object with keys 'n', 'm', 'u', 'v', 'w'")
    missing = [k for k in ("n", "u", "v", "w") if k not in d]
    if missing:
        raise SchemeFormatError(f"missing key(s) {', '.join(map(repr, missing))}")
    fmt = d["n"]
    if not isinstance(fmt, list) or len(fmt) != 3:
        raise SchemeFormatError(f"'n' must be the format [n, m, p], got {fmt!r}")
    n, m, p = (_positive_int(x, "each entry of 'n'") for x in fmt)
    return n, m, p


def _terms(entries, where: str) -> tuple[tuple[int, int | Fraction], ...]:
    """One reduced row: a list of {"index", "value"} entries -> (variable, coefficient) terms."""
    if not isinstance(entries, list):
        raise SchemeFormatError(f"{where} must be a list of {{'index', 'value'}} entries")
    out = []
    for e in entries:
        if not isinstance(e, dict) or "index" not in e or "value" not in e:
            raise SchemeFormatError(f"{where} has an entry without 'index' and 'value': {e!r}")
        i = e["index"]
        if isinstance(i, bool) or not isinstance(i, int):
            raise SchemeFormatError(f"{where} has a non-integer index {i!r}")
        out.append((i, to_exact(e["value"], f"{where} value")))
    return tuple(out)


def reduced_programs(d: Any) -> tuple[tuple[int, int, int], LinearProgram, LinearProgram, LinearProgram]:
    """The collection's reduced layout as three addition programs (see :mod:`discovery.circuits.slp`).

    ``u``/``v`` rows are the products' factors over vec(A) / vec(B) and the ``*_fresh`` sums
    (index >= number of inputs names a fresh sum); ``w`` has one row per entry of vec(C^T) over
    the products and ``w_fresh``. Returns ((n, m, p), A-side, B-side, C-side programs).
    """
    n, m, p = _header(d)
    progs = []
    for side, n_in in (("u", n * m), ("v", m * p), ("w", len(d["u"]))):
        rows, fresh = d[side], d.get(f"{side}_fresh", [])
        if not isinstance(rows, list) or not isinstance(fresh, list):
            raise SchemeFormatError(f"'{side}' and '{side}_fresh' must be lists of rows")
        temps = tuple(_terms(f, f"{side}_fresh[{q}]") for q, f in enumerate(fresh))
        outs = tuple(_terms(row, f"{side}[{t}]") for t, row in enumerate(rows))
        try:
            progs.append(LinearProgram(n_in, temps, outs))
        except ValueError as exc:
            raise SchemeFormatError(f"'{side}': {exc}") from None
    if len(d["w"]) != p * n:
        raise SchemeFormatError(f"reduced 'w' must have one row per entry of C ({p * n}), got {len(d['w'])}")
    return (n, m, p), progs[0], progs[1], progs[2]


def scheme_from_dict(d: Any, source: str = "") -> Scheme:
    """Build a Scheme from a parsed JSON object (collection or native layout)."""
    if isinstance(d, dict) and "u" not in d and ("record" in d or "config" in d or not {"n", "v", "w"} & set(d)):
        # what a run writes beside its schemes (state, best.json), or another JSON document
        raise RunRecordFile("a run record (e.g. a run's state or best.json), not a scheme")
    n, m, p = _header(d)
    u, v, w = d["u"], d["v"], d["w"]
    for k, val in (("u", u), ("v", v), ("w", w)):
        if not isinstance(val, list):
            raise SchemeFormatError(f"'{k}' must be a list of rows")
    rank = _positive_int(d["m"], "'m' (the rank)") if "m" in d else None
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
