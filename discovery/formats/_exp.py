"""The flip-graph ``.exp`` text format: one product a line, as a rank-one tensor term.

Example line: ``(a11+a21)*(b12-b22)*(c21)``. The third factor names entries of **C
transposed**, like ``w`` (see :mod:`discovery.core.tensor`): ``c21`` is vec(C^T) index
(2-1)*n + (1-1), i.e. the product contributes to C[0, 1] (the tensor is Σ a_ij b_jk c_ki).

Reading is tolerant of the variants the public collections use:

* factors separated by ``*``, by spaces or by nothing: ``(a11) (b11) (c11)``, ``(a11)(b11)(c11)``;
* a single-variable factor without brackets: ``a31*(b11-b12)*(c11)``, ``a33 b33 c33``;
* coefficients ``2*c11``, ``2c11``, ``-1/2*a11``, and a scalar in front of a bracket
  (``-(a11+a12)``, ``2*(b11)``); a scalar multiplies the factor that follows it;
* the three factors in any order (each is recognised by its letter), CRLF line ends;
* a bracket around the whole product (``(-a13 (b11) (c11))``) and unmatched ``)`` closing a
  line: lines 40-42 of the published <5,5,5> r93 file (``symmetric-flips/555m93_lifted.exp``)
  are written so.

Blank lines and lines starting with ``#`` are ignored. The format is inferred from the largest
indices that occur (a: n×m, b: m×p, c: p×n). The writer uses the plain ``(..)*(..)*(..)`` form.
The file carries no ring; the loader infers it (see :mod:`discovery.formats`).
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from discovery.core.formulas import format_linear, parse_linear
from discovery.core.scheme import Scheme
from discovery.errors import SchemeFormatError

_VAR = r"[abc]\d+(?:_\d+)?"
_NUM = r"\d+(?:/\d+)?"
# one top-level item of a line: a bracketed sum, a bare (signed, scaled) variable, or a scalar
_ITEM = re.compile(rf"""\s*(?:
    (?P<group>\()
  | (?P<bare>[+-]?\s*(?:{_NUM}\s*\*?\s*)?{_VAR})
  | (?P<scalar>[+-]?\s*{_NUM}|[+-])
  | (?P<star>\*)
)""", re.VERBOSE)
_END = re.compile(r"\s*$")


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


def _scalar(text: str) -> Fraction:
    t = text.replace(" ", "")
    if t in "+-":
        return Fraction(-1 if t == "-" else 1)
    return Fraction(t)


def _items(text: str, where: str) -> list[list]:
    """The linear factors of a product written in ``text``, in order, scalars folded in.

    A bracket holding a whole product (``(-a13 (b11) (c11))``, as one published file has) is
    read as its factors."""
    pos, pending, out = 0, Fraction(1), []
    while not _END.match(text, pos):
        mt = _ITEM.match(text, pos)
        if mt is None:
            raise SchemeFormatError(
                f"{where}: cannot read {text[pos:pos + 20].strip()!r}; expected a factor such as "
                f"'(a11 - a21)' or 'a11'")
        if mt.group("star"):  # '*' between factors
            pos = mt.end()
            continue
        if mt.group("scalar"):
            pending *= _scalar(mt.group("scalar"))
            pos = mt.end()
            continue
        if mt.group("group"):
            start = mt.start("group")
            depth, q = 0, start
            while q < len(text):
                depth += {"(": 1, ")": -1}.get(text[q], 0)
                if depth == 0:
                    break
                q += 1
            if depth:
                raise SchemeFormatError(f"{where}: a '(' is never closed; expected '(...)' around each factor")
            inner, pos = text[start + 1:q], q + 1
            found = _items(inner, where) if "(" in inner else [parse_linear(inner, where)]
        else:
            found, pos = [parse_linear(mt.group("bare"), where)], mt.end()
        for lin in found:
            letters = {letter for _, letter, _ in lin}
            if len(letters) != 1:
                what = "is 0" if not letters else f"mixes {', '.join(sorted(letters))}"
                raise SchemeFormatError(f"{where}: factor {len(out) + 1} {what}; each factor is a sum over "
                                        "one of a, b, c")
            out.append([(c * pending, letter, ind) for c, letter, ind in lin])
            pending = Fraction(1)
    if pending != 1 and out:  # a trailing scalar scales the last factor
        out[-1] = [(c * pending, letter, ind) for c, letter, ind in out[-1]]
    return out


def _factors(line: str, where: str) -> dict[str, list]:
    """The three linear factors of one product line, keyed by letter ('a', 'b', 'c')."""
    extra = line.count(")") - line.count("(")
    if extra > 0 and line.endswith(")" * extra):
        line = line[:-extra]  # unmatched ')' closing the line, as in the published <5,5,5> r93 file
    out = _items(line, where)
    by_letter = {f[0][1]: f for f in out}
    if len(out) != 3 or sorted(by_letter) != ["a", "b", "c"]:
        got = " ".join(f[0][1] for f in out) or "none"
        raise SchemeFormatError(f"{where}: expected three factors over a, b and c, as '(...) * (...) * (...)'; "
                                f"found factors over: {got}")
    return by_letter


def read_exp(text: str, fmt: tuple[int, int, int] | None = None) -> Scheme:
    """Parse ``.exp`` text (see the module docstring); ``fmt`` overrides the inferred format."""
    terms = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = _factors(line, f"line {lineno}")
        terms.append((lineno, f["a"], f["b"], f["c"]))
    if not terms:
        raise SchemeFormatError("no products in the file; expected one '(...) * (...) * (...)' a line")
    if fmt is None:
        def mx(k, pos):
            return max(ind[pos] for t in terms for _, _, ind in t[k])
        n, m, p = mx(1, 0), mx(1, 1), mx(2, 1)
        if mx(2, 0) > m or mx(3, 0) > p or mx(3, 1) > n:
            raise SchemeFormatError(
                f"indices do not fit one format: a is {n}x{m}, b goes to {mx(2, 0)}x{p}, "
                f"c (transposed) to {mx(3, 0)}x{mx(3, 1)}")
    else:
        n, m, p = fmt
    r = len(terms)
    u = np.zeros((r, n * m), dtype=object)
    v = np.zeros((r, m * p), dtype=object)
    w = np.zeros((r, p * n), dtype=object)
    for t, (lineno, la, lb, lc) in enumerate(terms):
        for M, lin, rows, cols in ((u, la, n, m), (v, lb, m, p), (w, lc, p, n)):
            for c, letter, (i, j) in lin:
                if not (1 <= i <= rows and 1 <= j <= cols):
                    raise SchemeFormatError(
                        f"line {lineno}: {letter}{i}{j} is out of range for <{n},{m},{p}>")
                M[t, (i - 1) * cols + (j - 1)] += c
    return Scheme.from_rows(n, m, p, u, v, w)
