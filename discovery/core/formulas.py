"""Readable formulas for schemes, in the style of the public flip-graph collection.

``to_formulas`` writes ``m1 = (a21 - a22) * (b12)`` (one line per product) and
``c11 = m4 + m6`` (one line per entry of C, row-major); ``from_formulas`` parses them
back. Entry names are 1-based (``a12`` is A[0, 1]); for dimensions above 9 an underscore
separates the indices (``a1_12``). Coefficients other than ±1 are written ``2a11`` (as the
collection does) or ``1/2*a11``; the parser also accepts ``2*a11``.

For reading, ``to_formulas`` normalises signs by default: a product whose two factors both
lead with a minus, ``(-a11) * (-b12)``, is written ``(a11) * (b12)`` (the same product, so
the output lines do not change). Files keep their rows as stored (``normalize_signs=False``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import numpy as np

from discovery.core.scheme import Scheme
from discovery.core.tensor import a_name, b_name
from discovery.errors import SchemeFormatError

_TERM = re.compile(
    r"\s*([+-])?\s*(?:(\d+(?:/\d+)?)\s*\*?\s*)?([abcm])(\d+(?:_\d+)?)\s*"
)


def signed_sum(terms: Iterable[tuple[Any, str]], render: Callable[[Fraction, str], str]) -> str:
    """``x - y + z`` from (coefficient, name) pairs: each coefficient's sign becomes the
    operator (a leading ``-`` for the first term) and ``render(|c|, name)`` writes the term.
    Zero coefficients are skipped; no terms give "". Used by the formula, Python and LaTeX
    writers, which differ only in ``render``."""
    out = ""
    for c, name in terms:
        if c == 0:
            continue
        c = Fraction(c)
        body = render(abs(c), name)
        if not out:
            out = body if c > 0 else f"-{body}"
        else:
            out += f" + {body}" if c > 0 else f" - {body}"
    return out


def _collection_term(mag: Fraction, name: str) -> str:
    # Integers as the collection writes them ("2b21"); fractions with a star ("1/2*b21").
    return name if mag == 1 else (f"{mag}{name}" if mag.denominator == 1 else f"{mag}*{name}")


def format_linear(coeffs, names) -> str:
    """Render ``sum coeffs[i] * names[i]`` as ``a11 - a21 + 2a22`` ("0" if empty)."""
    return signed_sum(zip(coeffs, names), _collection_term) or "0"


def _negatives(row) -> int:
    return sum(1 for x in row if x < 0)


def _leads_negative(row) -> bool:
    return next((x < 0 for x in row if x != 0), False)


def sign_normalized_factors(u_row, v_row) -> tuple[list, list]:
    """The factors of one product with both signs flipped when that reads better.

    ``(-x) * (-y) = x * y``: both factors are negated when that lowers the number of minus
    signs, or keeps it and both factors lead with a minus. The product (and so every output
    line) is unchanged.
    """
    u_row, v_row = list(u_row), list(v_row)
    before = _negatives(u_row) + _negatives(v_row)
    after = sum(1 for x in u_row + v_row if x > 0)
    if after < before or (after == before and _leads_negative(u_row) and _leads_negative(v_row)):
        return [-x for x in u_row], [-x for x in v_row]
    return u_row, v_row


def to_formulas(s: Scheme, normalize_signs: bool = True) -> tuple[list[str], list[str]]:
    """(multiplications, elements): readable lines for the products and the entries of C.

    With ``normalize_signs`` (default) a product written ``(-a11) * (-b12)`` reads
    ``(a11) * (b12)`` (see :func:`sign_normalized_factors`); without it the rows are written
    exactly as stored, so that :func:`from_formulas` gives back the same rows.
    """
    n, m, p = s.format
    an = [a_name(n, m, p, a) for a in range(n * m)]
    bn = [b_name(n, m, p, b) for b in range(m * p)]
    mults = []
    for t in range(s.rank):
        ut, vt = sign_normalized_factors(s.u[t], s.v[t]) if normalize_signs else (s.u[t], s.v[t])
        mults.append(f"m{t + 1} = ({format_linear(ut, an)}) * ({format_linear(vt, bn)})")
    mn = [f"m{t + 1}" for t in range(s.rank)]
    elems = []
    for i in range(n):
        for k in range(p):
            cname = f"c{i + 1}{k + 1}" if max(n, p) <= 9 else f"c{i + 1}_{k + 1}"
            elems.append(f"{cname} = {format_linear(s.w[:, k * n + i], mn)}")
    return mults, elems


def parse_linear(text: str, where: str) -> list[tuple[Fraction, str, tuple[int, ...]]]:
    """Parse ``a11 - 2*a21 + 1/2*a22`` into (coefficient, letter, indices) triples.

    Indices are 1-based as written: ``a12`` -> (1, 2), ``a1_12`` -> (1, 12), ``m7`` -> (7,).
    """
    text = text.strip()
    if text.startswith("(") and text.endswith(")"):
        text = text[1:-1]
    if text.strip() == "0":
        return []
    pos, out = 0, []
    while pos < len(text):
        mt = _TERM.match(text, pos)
        if not mt or mt.end() == pos:
            raise SchemeFormatError(f"{where}: cannot read {text[pos:]!r} in {text!r}")
        sign, coef, letter, idx = mt.groups()
        if out and not sign:
            raise SchemeFormatError(f"{where}: missing '+' or '-' before {letter}{idx} in {text!r}")
        c = Fraction(coef) if coef else Fraction(1)
        if sign == "-":
            c = -c
        if "_" in idx:
            ind = tuple(int(x) for x in idx.split("_"))
        elif letter == "m":
            ind = (int(idx),)
        elif len(idx) == 2:
            ind = (int(idx[0]), int(idx[1]))
        else:
            raise SchemeFormatError(f"{where}: ambiguous entry {letter}{idx}; write {letter}i_j")
        out.append((c, letter, ind))
        pos = mt.end()
    return out


def from_formulas(multiplications: list[str], elements: list[str], n: int, m: int, p: int,
                  **kw) -> Scheme:
    """Parse product lines ``m1 = (...) * (...)`` and output lines ``c11 = m1 + ...``."""
    r = len(multiplications)
    u = np.zeros((r, n * m), dtype=object)
    v = np.zeros((r, m * p), dtype=object)
    w = np.zeros((r, p * n), dtype=object)
    for t, line in enumerate(multiplications):
        where = f"product line {t + 1}"
        lhs, _, rhs = line.partition("=")
        if lhs.strip() != f"m{t + 1}" or "*" not in rhs:
            raise SchemeFormatError(f"{where}: expected 'm{t + 1} = (...) * (...)', got {line!r}")
        left, right = _split_product(rhs, where)
        for c, _, (i, j) in _terms(left, "a", (n, m), where):
            u[t, (i - 1) * m + (j - 1)] += c
        for c, _, (j, k) in _terms(right, "b", (m, p), where):
            v[t, (j - 1) * p + (k - 1)] += c
    seen = set()
    for line in elements:
        lhs, _, rhs = line.partition("=")
        terms = parse_linear(lhs, f"output line {line!r}")
        if len(terms) != 1 or terms[0][1] != "c" or terms[0][0] != 1:
            raise SchemeFormatError(f"output line {line!r}: expected 'cik = ...'")
        i, k = terms[0][2]
        if not (1 <= i <= n and 1 <= k <= p) or (i, k) in seen:
            raise SchemeFormatError(f"output line {line!r}: c{i}{k} is out of range or repeated")
        seen.add((i, k))
        for c, _, (t,) in _terms(rhs, "m", (r,), f"output line {line!r}"):
            w[t - 1, (k - 1) * n + (i - 1)] += c
    return Scheme.from_rows(n, m, p, u, v, w, **kw)


def _split_product(rhs: str, where: str) -> tuple[str, str]:
    depth = 0
    for q, ch in enumerate(rhs):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "*" and depth == 0:
            return rhs[:q], rhs[q + 1:]
    raise SchemeFormatError(f"{where}: expected '(...) * (...)' in {rhs!r}")


def _terms(text: str, letter: str, dims: tuple[int, ...], where: str):
    for c, got, ind in parse_linear(text, where):
        if got != letter or len(ind) != len(dims) or not all(1 <= x <= d for x, d in zip(ind, dims)):
            name = got + "".join(map(str, ind))
            raise SchemeFormatError(f"{where}: unexpected variable {name} (wanted {letter} within {dims})")
        yield c, got, ind
