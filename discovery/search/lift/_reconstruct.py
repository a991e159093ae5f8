"""From residues modulo p^k back to small integers and rationals.

* :func:`symmetric`: the residue in (-q/2, q/2] for q = p^k (+1, not -1, for 1 mod 2).
* :func:`rational`: Wang's rational reconstruction: the fraction a/b with |a|, b <= sqrt(q/2),
  b prime to p, a ≡ b x (mod q) — unique when it exists.

A lift tries these only once they stop changing from one step to the next (see
:class:`Candidates`), so a scheme is built and verified exactly only for a stable guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import isqrt

import numpy as np


def symmetric(x: np.ndarray, q: int) -> np.ndarray:
    """Residues x (uint64, < q) as int64 in (-q/2, q/2]."""
    x = x.astype(np.int64) if q < 2**63 else x.astype(object)
    return np.where(x > q // 2, x - q, x)


def _reconstruct(x: int, q: int, p: int) -> Fraction | None:
    bound = isqrt(q // 2)
    r0, r1 = q, x % q
    s0, s1 = 0, 1
    while r1 > bound:
        quo = r0 // r1
        r0, r1 = r1, r0 - quo * r1
        s0, s1 = s1, s0 - quo * s1
    if s1 == 0 or abs(s1) > bound or s1 % p == 0:
        return None
    return Fraction(r1, s1)


def rational(x: np.ndarray, q: int, p: int) -> np.ndarray | None:
    """The rational reconstruction of every residue (object array of Fractions), or None when
    one of them has none."""
    values, inverse = np.unique(x, return_inverse=True)
    fr = [_reconstruct(int(a), q, p) for a in values]
    if any(f is None for f in fr):
        return None
    table = np.empty(len(fr), dtype=object)
    table[:] = fr
    return table[inverse.reshape(-1)]


@dataclass(frozen=True)
class Candidates:
    """The exact guesses for residues modulo p^k: symmetric integers, and rationals if all
    residues reconstruct. :meth:`stable_since` names the guesses equal to the previous step's."""

    ints: np.ndarray
    rats: np.ndarray | None

    @staticmethod
    def of(x: np.ndarray, p: int, k: int) -> Candidates:
        q = p**k
        ints = symmetric(x, q)
        rats = rational(x, q, p)
        if rats is not None and all(f.denominator == 1 for f in rats):
            rats = None  # integers: the first guess already covers them
        return Candidates(ints, rats)

    def stable_since(self, prev: Candidates | None) -> list[np.ndarray]:
        if prev is None:
            return []
        out = []
        if np.array_equal(self.ints, prev.ints):
            out.append(self.ints)
        if self.rats is not None and prev.rats is not None and np.array_equal(self.rats, prev.rats):
            out.append(self.rats)
        return out
