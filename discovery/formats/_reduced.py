"""The flip-graph collection's reduced layout (``*_reduced.json``): a scheme with its addition programs.

Layout: the plain collection fields (``"n": [n, m, p]``, ``"m"``: rank) and, per side, rows of
``{"index", "value"}`` entries: ``u``/``v`` one row per product over vec(A) / vec(B) and the
fresh sums ``u_fresh``/``v_fresh`` (an index >= the number of inputs names a fresh sum); ``w`` one
row per entry of vec(C^T) over the products and ``w_fresh``. Reading gives a verified
:class:`~discovery.circuits.symbolic.SimplifiedScheme` (the programs as given); writing is its inverse.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

from discovery.circuits.slp import LinearProgram
from discovery.circuits.symbolic import SimplifiedScheme
from discovery.core.coefficients import coef_json, to_exact
from discovery.core.scheme import Provenance, Scheme
from discovery.core.verify import require_valid
from discovery.errors import SchemeFileError, SchemeFormatError


def positive_int(x, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int) or x < 1:
        raise SchemeFormatError(f"{what} must be a positive integer, got {x!r}")
    return x


def header(d: Any) -> tuple[int, int, int]:
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
    n, m, p = (positive_int(x, "each entry of 'n'") for x in fmt)
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
    n, m, p = header(d)
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


def read_reduced(source: str | Path | dict) -> SimplifiedScheme:
    """Read an fmm-collection ``*_reduced.json`` (``u_fresh``/``v_fresh``/``w_fresh``).

    ``u``/``v`` have one row per product over inputs and fresh sums (index >= number of inputs);
    ``w`` has one row per output c (vec(C^T) order) over products and fresh sums of products.
    The expanded scheme is verified; the programs are kept as given.
    """
    where = "reduced scheme"
    if not isinstance(source, dict):
        where = str(source)
        try:
            source = json.loads(Path(source).read_text())
        except (OSError, ValueError) as exc:
            raise SchemeFileError(f"{where}: cannot read as JSON ({exc})") from None
    try:
        (n, m, p), a_prog, b_prog, c_prog = reduced_programs(source)
    except SchemeFormatError as exc:
        raise SchemeFileError(f"{where}: not a reduced scheme file ({exc})") from None
    s = Scheme.from_rows(n, m, p, a_prog.matrix(), b_prog.matrix(), c_prog.matrix().T,
                         provenance=Provenance.now(f"file:{where}", note="reduced"))
    ss = SimplifiedScheme(require_valid(s), a_prog, b_prog, c_prog, s.counts().additions)
    return ss.check()


def to_reduced(ss: SimplifiedScheme) -> dict:
    """The fmm-collection reduced layout (inverse of :func:`read_reduced`), JSON-ready.

    Coefficients are integers or strings "p/q"; ``complexity`` holds the naive and reduced
    addition counts.
    """
    def rows(terms_list):
        return [[{"index": int(v), "value": coef_json(c)} for v, c in terms] for terms in terms_list]

    n, m, p = ss.format
    out: dict = {"n": [n, m, p], "m": ss.multiplications, "z2": False,
                 "complexity": {"naive": ss.naive_additions, "reduced": ss.reduced_additions}}
    for side, prog in (("u", ss.a), ("v", ss.b), ("w", ss.c)):
        out[f"{side}_fresh"] = rows(prog.temps)
        out[side] = rows(prog.outputs)
    return out


