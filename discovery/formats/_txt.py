"""The text format the C++ ternary flip-graph tool (dronperminov/ternary_flip_graph) writes by
default: whitespace-separated numbers.

Layout (worked out on ``2x6x11_m104_ZT.{txt,json}``, where the two files hold the same rows)::

    n m p rank
    u: rank rows of n*m coefficients, one after the other (row-major A)
    v: rank rows of m*p coefficients (row-major B)
    w: rank rows of p*n coefficients (row-major **C transposed**)

i.e. line 2 is the JSON's ``u`` flattened (product 1's row first), line 3 ``v``, line 4 ``w``:
the package's convention (:mod:`discovery.core.tensor`) with no transposes. The tool reads the
numbers as one stream, so line breaks do not matter to it and do not matter here (error messages
still name the line). Rational schemes are written as *numerator denominator pairs* (twice as many
numbers); the reader tells the two layouts apart by the count. The file carries no ring (the
tool's mod-2 schemes are 0/1 rows in the same layout); the loader infers it (see
:mod:`discovery.formats`).
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

from discovery.errors import SchemeFormatError
from discovery.core.coefficients import int_or_fraction
from discovery.core.scheme import Scheme

_NUMBER = re.compile(r"\S+")


def _numbers(text: str) -> tuple[list[int], list[int]]:
    """Every whitespace-separated integer of ``text`` and the line each one is on."""
    values, lines = [], []
    for lineno, line in enumerate(text.splitlines(), 1):
        for mt in _NUMBER.finditer(line):
            tok = mt.group()
            try:
                values.append(int(tok))
            except ValueError:
                raise SchemeFormatError(
                    f"line {lineno}: {tok[:20]!r} is not an integer; the file holds only integers "
                    "('n m p rank', then the coefficients of u, v, w)") from None
            lines.append(lineno)
    return values, lines


def read_txt(text: str) -> Scheme:
    """Parse the tool's text output (see the module docstring) into a :class:`Scheme`."""
    values, lines = _numbers(text)
    if len(values) < 4:
        raise SchemeFormatError(f"line {lines[0] if lines else 1}: expected the header 'n m p rank' (four positive integers)")
    n, m, p, r = values[:4]
    if min(n, m, p, r) < 1 or lines[3] != lines[0]:
        raise SchemeFormatError(f"line {lines[0]}: expected the header 'n m p rank' (four positive integers "
                                f"on one line), got "
                                f"{' '.join(map(str, values[:4]))}")
    sizes = (n * m, m * p, p * n)
    want = r * sum(sizes)
    body = values[4:]
    if len(body) == 2 * want:
        nums, dens = body[0::2], body[1::2]
        if 0 in dens:
            q = 4 + 2 * dens.index(0) + 1
            raise SchemeFormatError(f"line {lines[q]}: a denominator is 0")
        coefs = [int_or_fraction(Fraction(a, b)) for a, b in zip(nums, dens)]
    elif len(body) == want:
        coefs = body
    else:
        last = lines[-1]
        raise SchemeFormatError(
            f"line {last}: the file ends after {len(body)} coefficients; <{n},{m},{p}> rank {r} needs {want} "
            f"(rank x (n*m + m*p + p*n)), or {2 * want} as numerator/denominator pairs (truncated file?)")
    if all(type(x) is int and abs(x) < 2**62 for x in coefs):
        coefs = np.array(coefs, dtype=np.int64)  # one vectorised copy instead of a check per entry
    rows, at = [], 0
    for size in sizes:
        block = coefs[at: at + r * size]
        rows.append(block.reshape(r, size) if isinstance(block, np.ndarray)
                    else [block[t * size:(t + 1) * size] for t in range(r)])
        at += r * size
    return Scheme.from_rows(n, m, p, *rows)


def write_txt(s: Scheme) -> str:
    """The tool's text layout; a scheme with a fractional coefficient is written as
    numerator/denominator pairs, as the tool writes rational schemes."""
    integral = s.is_integral
    out = [f"{s.n} {s.m} {s.p} {s.rank}"]
    for F in (s.u, s.v, s.w):
        vals = [int_or_fraction(x) for x in F.ravel()]
        if integral:
            out.append(" ".join(str(x) for x in vals))
        else:
            out.append(" ".join(f"{Fraction(x).numerator} {Fraction(x).denominator}" for x in vals))
    return "\n".join(out) + "\n"
