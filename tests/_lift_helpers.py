"""Helpers for the lifting tests: reductions modulo p and random de Groote sandwiches."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

import discovery as d


def mod_p(s: d.Scheme, p: int) -> d.Scheme:
    """``s`` with every coefficient a/b replaced by a·b^-1 mod p (in 0..p-1), declared Z<p>."""
    def red(a):
        return np.array([[Fraction(x).numerator * pow(Fraction(x).denominator, -1, p) % p for x in row]
                         for row in a], dtype=np.int64)
    return d.Scheme.from_rows(*s.format, red(s.u), red(s.v), red(s.w), ring=f"Z{p}")


def unimodular(n: int, rng: np.random.Generator, moves: int | None = None) -> np.ndarray:
    """A random integer matrix of determinant ±1: 2n random row additions to the identity."""
    X = np.eye(n, dtype=np.int64)
    for _ in range(moves or 2 * n):
        i, j = rng.choice(n, 2, replace=False)
        X[i] += rng.choice([-1, 1]) * X[j]
    return X


def sandwiched(s: d.Scheme, seed: int) -> d.Scheme:
    """An equivalent integer scheme: ``s`` under a random unimodular de Groote sandwich."""
    rng = np.random.default_rng(seed)
    n, m, p = s.format
    return d.sandwich(s, unimodular(n, rng), unimodular(m, rng), unimodular(p, rng))
