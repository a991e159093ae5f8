"""The flip-graph ``.exp`` text format: one product a line, as a rank-one tensor term.

Example line: ``(a11+a21)*(b12-b22)*(c21)``. The third factor names entries of **C
transposed**, like ``w`` (see :mod:`discovery.core.tensor`): ``c21`` is vec(C^T) index
(2-1)*n + (1-1), i.e. the product contributes to C[0, 1]. Coefficients other than ±1 are
written ``2*a11`` or ``1/2*a11``. Blank lines and lines starting with ``#`` are ignored.
The format is inferred from the largest indices that occur (a: n×m, b: m×p, c: p×n).
"""

from __future__ import annotations

import numpy as np

from discovery.errors import SchemeFormatError
from discovery.core.formulas import _split_product, format_linear, parse_linear
from discovery.core.scheme import Scheme


def _names(letter: str, rows: int, cols: int) -> list[str]:
    sep = "_" if max(rows, cols) > 9 else ""
    return [f"{letter}{i + 1}{sep}{j + 1}" for i in range(rows) for j in range(cols)]


def write_exp(s: Scheme) -> str:
    n, m, p = s.format
    an, bn, cn = _names("a", n, m), _names("b", m, p), _names("c", p, n)
    lines = []
    for t in range(s.rank):
        fa = format_linear(s.u[t], an).replace(" ", "")
        fb = format_linear(s.v[t], bn).replace(" ", "")
        fc = format_linear(s.w[t], cn).replace(" ", "")
        lines.append(f"({fa})*({fb})*({fc})")
    return "\n".join(lines) + "\n"


def read_exp(text: str, fmt: tuple[int, int, int] | None = None) -> Scheme:
    terms = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        where = f"line {lineno}"
        first, rest = _split_product(line, where)
        second, third = _split_product(rest, where)
        parsed = [parse_linear(x, where) for x in (first, second, third)]
        for want, lin in zip("abc", parsed):
            for _, letter, ind in lin:
                if letter != want or len(ind) != 2:
                    raise SchemeFormatError(f"{where}: unexpected {letter}{ind} in the {want} factor")
        terms.append(parsed)
    if not terms:
        raise SchemeFormatError("no products in the file")
    if fmt is None:
        def mx(k, pos):
            return max((ind[pos] for t in terms for _, _, ind in t[k]), default=0)
        n, m, p = mx(0, 0), mx(0, 1), mx(1, 1)
        if mx(1, 0) > m or mx(2, 0) > p or mx(2, 1) > n:
            raise SchemeFormatError(
                f"indices do not fit one format: a is {n}x{m}, b goes to {mx(1, 0)}x{p}, "
                f"c (transposed) to {mx(2, 0)}x{mx(2, 1)}")
    else:
        n, m, p = fmt
    r = len(terms)
    u = np.zeros((r, n * m), dtype=object)
    v = np.zeros((r, m * p), dtype=object)
    w = np.zeros((r, p * n), dtype=object)
    for t, (la, lb, lc) in enumerate(terms):
        for M, lin, cols in ((u, la, m), (v, lb, p), (w, lc, n)):
            for c, _, (i, j) in lin:
                if j > cols:
                    raise SchemeFormatError(f"product {t + 1}: index {i}{j} out of range for <{n},{m},{p}>")
                M[t, (i - 1) * cols + (j - 1)] += c
    return Scheme.from_rows(n, m, p, u, v, w)
