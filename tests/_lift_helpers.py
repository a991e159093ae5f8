"""Helpers for the lifting tests: reductions modulo p, random de Groote sandwiches, and the
symmetric-flips ``.exp`` files (space-separated factors) until the loader reads them itself."""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import numpy as np

import discovery as d
from discovery.errors import DiscoveryError
from discovery.formats._exp import read_exp


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


def _closing(line: str) -> int:
    depth = 0
    for i, ch in enumerate(line):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i
    return -1


def load_exp(path) -> d.Scheme:
    """A ``.exp`` file through the package loader, or (while the loader reads only ``*``-separated
    factors) by rewriting the symmetric-flips layout: ``(..) (..) (..)``, bare single-variable
    factors, ``2 b31`` coefficients, and one line wrapped whole in parentheses."""
    try:
        return d.load_scheme(path)
    except DiscoveryError:
        pass
    lines = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("(") and _closing(line) == len(line) - 1 and not line[1:].startswith("("):
            line = line[1:-1]
        line = re.sub(r"(\d) ([abc])", r"\1*\2", line)
        factors = re.findall(r"\([^)]*\)|[+-]?[abc]\d+", line)
        assert len(factors) == 3, line
        lines.append("*".join(f if f.startswith("(") else f"({f})" for f in factors))
    return read_exp("\n".join(lines))
