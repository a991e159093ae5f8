"""Kauers & Moosbauer's ``.m`` files: a Mathematica/Maple nested list, one entry per product.

Layout::

    {{{{U row 1}, ..., {U row n}}, {{V row 1}, ..., {V row m}}, {{W row 1}, ..., {W row p}}},
     {... product 2 ...}, ...}

Each product is a list of three matrices, each a list of rows of coefficients:

* ``U`` is n×m: ``U[i][j]`` is the coefficient of a_(i+1)(j+1) (A as it stands),
* ``V`` is m×p: ``V[j][k]`` is the coefficient of b_(j+1)(k+1) (B as it stands),
* ``W`` is p×n: ``W[k][i]`` is the coefficient of c_(k+1)(i+1) of the ``.exp`` twin, i.e. entry
  (k, i) of **C transposed** (the product contributes to C[i, k]).

So every factor flattened row-major *is* the package's u, v or w row (the convention of
:mod:`discovery.core.tensor`), with no transposes; the format <n, m, p> is read from the shapes.
This orientation was worked out on ``345-47-mod0.{m,exp}`` (a <3,4,5> scheme, where each
shape is unambiguous): read this way the ``.m`` file equals its ``.exp`` twin term for term
and is exact over Z (``tests/test_formats_text.py``).

Coefficients are integers or rationals ``p/q``; ``[...]`` (Maple) may stand for ``{...}``,
``(* comments *)`` and a trailing ``;`` are ignored. The file carries no ring: ``mod0`` /
``mod2`` in the collection's file names says it (see :mod:`discovery.formats`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from discovery.errors import SchemeFormatError
from discovery.core.coefficients import int_or_fraction
from discovery.core.scheme import Scheme

_TOKEN = re.compile(r"\s*(?:(?P<open>[{\[])|(?P<close>[}\]])|(?P<comma>,)"
                    r"|(?P<num>[+-]?\s*\d+(?:\s*/\s*\d+)?)|(?P<comment>\(\*.*?\*\))|(?P<end>;?\s*$))",
                    re.DOTALL)
_CLOSE = {"{": "}", "[": "]"}


def _line(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _parse(text: str) -> tuple[list, list[int]]:
    """The nested list in ``text`` (lists of lists ... of exact numbers) and the line on which
    each of its entries (each product) starts."""
    stack: list[tuple[str, list, int]] = []
    top, starts = None, []
    pos, want_item = 0, True  # want_item: a value (or a closing bracket of an empty list) comes next
    while True:
        mt = _TOKEN.match(text, pos)
        if mt is None:
            raise SchemeFormatError(f"line {_line(text, pos)}: cannot read {text[pos:pos + 20].strip()!r}; "
                                    "expected '{', '}', ',' or a number")
        kind = mt.lastgroup
        where = f"line {_line(text, mt.start(kind))}"
        if kind == "end":
            if stack:
                raise SchemeFormatError(f"{where}: the file ends inside a list; expected "
                                        f"{len(stack)} more '{_CLOSE[stack[-1][0]]}' (truncated file?)")
            if top is None:
                raise SchemeFormatError(f"{where}: no list in the file; expected '{{{{U, V, W}}, ...}}'")
            return top, starts
        pos = mt.end()
        if kind == "comment":
            continue
        if top is not None and not stack:
            raise SchemeFormatError(f"{where}: text after the closing '}}' of the list")
        if kind == "open":
            if not want_item:
                raise SchemeFormatError(f"{where}: expected ',' before '{mt.group(kind)}'")
            if len(stack) == 1:
                starts.append(_line(text, mt.start(kind)))
            stack.append((mt.group(kind), [], mt.start(kind)))
            want_item = True
        elif kind == "close":
            bracket, items, _ = stack.pop() if stack else (None, None, None)
            if bracket is None or _CLOSE[bracket] != mt.group(kind):
                raise SchemeFormatError(f"{where}: '{mt.group(kind)}' closes nothing that is open")
            if want_item and items:
                raise SchemeFormatError(f"{where}: expected a value after ',' before '{mt.group(kind)}'")
            if stack:
                stack[-1][1].append(items)
            else:
                top = items
            want_item = False
        elif kind == "comma":
            if want_item or not stack:
                raise SchemeFormatError(f"{where}: unexpected ','; expected a number or '{{'")
            want_item = True
        else:  # num
            if not want_item or not stack:
                raise SchemeFormatError(f"{where}: expected ',' or '}}' before {mt.group(kind).strip()!r}")
            num = mt.group(kind).replace(" ", "")
            try:
                stack[-1][1].append(int_or_fraction(Fraction(num)))
            except ZeroDivisionError:
                raise SchemeFormatError(f"{where}: {num} divides by zero") from None
            want_item = False


def _matrix(x, what: str) -> tuple[int, int]:
    """Shape of a matrix given as a list of equally long lists of numbers."""
    if not isinstance(x, list) or not x or not all(isinstance(row, list) and row for row in x):
        raise SchemeFormatError(f"{what} must be a matrix, a non-empty list of rows {{{{..}}, {{..}}}}")
    cols = len(x[0])
    for q, row in enumerate(x):
        if len(row) != cols:
            raise SchemeFormatError(f"{what}: row {q + 1} has {len(row)} entries, row 1 has {cols}")
        if any(isinstance(e, list) for e in row):
            raise SchemeFormatError(f"{what}: row {q + 1} holds a list where a number belongs")
    return len(x), cols


def read_m(text: str) -> Scheme:
    """Parse an ``.m`` file's text (see the module docstring) into a :class:`Scheme`."""
    top, starts = _parse(text)
    if not top or not all(isinstance(e, list) for e in top):
        raise SchemeFormatError("line 1: expected a list of products {{U, V, W}, ...}, each a list of "
                                "three matrices")
    shapes = None
    for t, (entry, line) in enumerate(zip(top, starts), 1):
        where = f"line {line}: product {t}"
        if len(entry) != 3:
            raise SchemeFormatError(f"{where} has {len(entry)} parts; expected three matrices {{U, V, W}}")
        got = tuple(_matrix(f, f"{where}, factor {name}") for f, name in zip(entry, "UVW"))
        if shapes is None:
            (n, m), (m2, p), (p2, n2) = got
            if (m2, p2, n2) != (m, p, n):
                raise SchemeFormatError(
                    f"{where}: U is {n}x{m}, V {m2}x{p}, W {p2}x{n2}; expected U n×m, V m×p, W p×n")
            shapes = got
        elif got != shapes:
            raise SchemeFormatError(
                f"{where}: factors are {' '.join(f'{a}x{b}' for a, b in got)} but product 1's are "
                f"{' '.join(f'{a}x{b}' for a, b in shapes)}")
    (n, m), (_, p), _ = shapes
    u = [[x for row in e[0] for x in row] for e in top]
    v = [[x for row in e[1] for x in row] for e in top]
    w = [[x for row in e[2] for x in row] for e in top]
    return Scheme.from_rows(n, m, p, u, v, w)


def _coef(x) -> str:
    return str(int_or_fraction(x))


def write_m(s: Scheme) -> str:
    """The ``.m`` text of ``s``, laid out as the collection's files (one factor a line)."""
    n, m, p = s.format

    def mat(row, rows, cols):
        return "{" + ", ".join("{" + ", ".join(_coef(row[i * cols + j]) for j in range(cols)) + "}"
                               for i in range(rows)) + "}"

    entries = [f"{{{mat(s.u[t], n, m)}, \n  {mat(s.v[t], m, p)}, \n  {mat(s.w[t], p, n)}}}"
               for t in range(s.rank)]
    return "{" + ", \n ".join(entries) + "}\n"
