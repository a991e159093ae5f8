"""Schemes <-> bit masks for the walk kernels (see :mod:`discovery.search.flips._kernels`).

A factor row of length L <= 64 becomes two uint64 masks: bit k of ``pos`` is set when
coefficient k is +1, of ``neg`` when it is -1 (over Z2 only ``pos``: the odd entries).
"""

from __future__ import annotations

import numpy as np

from discovery.errors import DiscoveryError
from discovery.core.scheme import Provenance, Scheme

MAX_LENGTH = 64
RINGS = ("ZT", "Z2")


def check_format(n: int, m: int, p: int) -> None:
    """Raise unless every factor row (n·m, m·p, p·n entries) fits in 64 bits."""
    for name, size in (("n·m", n * m), ("m·p", m * p), ("p·n", p * n)):
        if size > MAX_LENGTH:
            raise DiscoveryError(
                f"format <{n},{m},{p}> is too large for the flip encoding: {name} = {size} > "
                f"{MAX_LENGTH}; use a format with n·m, m·p and p·n at most {MAX_LENGTH}")


def check_ring(ring: str) -> str:
    if ring not in RINGS:
        raise DiscoveryError(f"unknown ring {ring!r} for flips; use ZT (coefficients in "
                             "{-1,0,1}, valid over every ring) or Z2 (modulo 2)")
    return ring


def _weights(length: int) -> np.ndarray:
    return np.left_shift(np.uint64(1), np.arange(length, dtype=np.uint64))


def encode(s: Scheme, ring: str) -> tuple[np.ndarray, np.ndarray]:
    """Masks (pos, neg), each of shape (3, r): row x of u, v, w for every term.

    Over ZT every coefficient must be in {-1, 0, 1}; over Z2 integers are reduced mod 2
    (terms that vanish mod 2 stay, as all-zero rows; the kernels drop them).
    """
    if not s.is_integral:
        raise DiscoveryError(f"{s.name} has fractional coefficients; flips need ZT or Z2 schemes")
    pos = np.zeros((3, s.rank), dtype=np.uint64)
    neg = np.zeros((3, s.rank), dtype=np.uint64)
    for x, a in enumerate((s.u, s.v, s.w)):
        a = np.asarray(a, dtype=np.int64)
        wts = _weights(a.shape[1])
        if ring == "Z2":
            pos[x] = ((a % 2).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64)
        else:
            if np.abs(a).max(initial=0) > 1:
                raise DiscoveryError(f"{s.name} has coefficients outside {{-1,0,1}}; ZT flips "
                                     "need a ternary start (or use --ring Z2)")
            pos[x] = ((a == 1).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64)
            neg[x] = ((a == -1).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64)
    return pos, neg


def decode_arrays(n: int, m: int, p: int, pos: np.ndarray, neg: np.ndarray) -> list[np.ndarray]:
    """[u (r, n·m), v (r, m·p), w (r, p·n)] int64 arrays from masks of shape (3, r)."""
    rows = []
    for x, length in enumerate((n * m, m * p, p * n)):
        wts = _weights(length)
        a = ((pos[x][:, None] & wts) != 0).astype(np.int64)
        a -= ((neg[x][:, None] & wts) != 0).astype(np.int64)
        rows.append(a)
    return rows


def decode(n: int, m: int, p: int, pos: np.ndarray, neg: np.ndarray, ring: str,
           provenance: Provenance | None = None) -> Scheme:
    """The scheme held in masks ``pos``/``neg`` of shape (3, r) (live terms only)."""
    return Scheme.from_rows(n, m, p, *decode_arrays(n, m, p, pos, neg), ring=ring, provenance=provenance)
