"""Schemes <-> bit masks for the walk kernels (see :mod:`discovery.search.flips._moves`).

A factor row of length L <= 256 becomes two arrays of W = ceil(L / 64) uint64 words: bit
``k % 64`` of word ``k // 64`` of ``pos`` is set when coefficient k is +1, of ``neg`` when it
is -1. Over Z2 only ``pos`` (the odd entries); over Z3 ``pos`` holds the entries ≡ 1 and
``neg`` those ≡ 2 ≡ -1 (mod 3).
"""

from __future__ import annotations

import numpy as np

from discovery.errors import DiscoveryError
from discovery.core.scheme import Provenance, Scheme

MAX_LENGTH = 256
RINGS = ("ZT", "Z2", "Z3")


def check_format(n: int, m: int, p: int) -> None:
    """Raise unless every factor row (n·m, m·p, p·n entries) fits in 64 bits."""
    for name, size in (("n·m", n * m), ("m·p", m * p), ("p·n", p * n)):
        if size > MAX_LENGTH:
            raise DiscoveryError(
                f"format <{n},{m},{p}> is too large for the flip encoding: {name} = {size} > "
                f"{MAX_LENGTH}; use a format with n·m, m·p and p·n at most {MAX_LENGTH} (16x16)")


def check_ring(ring: str) -> str:
    if ring not in RINGS:
        raise DiscoveryError(f"unknown ring {ring!r} for flips; use ZT (coefficients in "
                             "{-1,0,1}, valid over every ring), Z2 (modulo 2) or Z3 (modulo 3)")
    return ring


def words(n: int, m: int, p: int) -> int:
    """64-bit words per factor row of <n,m,p> (the longest of n·m, m·p, p·n)."""
    return (max(n * m, m * p, p * n) + 63) // 64


def _pack(bits: np.ndarray, W: int) -> np.ndarray:
    """(r, L) 0/1 array -> (r, W) uint64 words (entry k: bit k % 64 of word k // 64)."""
    r, L = bits.shape
    padded = np.zeros((r, 64 * W), dtype=np.uint64)
    padded[:, :L] = bits
    weights = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
    return (padded.reshape(r, W, 64) * weights).sum(axis=2, dtype=np.uint64)


def _unpack(masks: np.ndarray, L: int) -> np.ndarray:
    """(r, W) uint64 words -> (r, L) int64 0/1 array."""
    shifts = np.arange(64, dtype=np.uint64)
    bits = (masks[:, :, None] >> shifts) & np.uint64(1)
    return bits.reshape(masks.shape[0], 64 * masks.shape[1])[:, :L].astype(np.int64)


def encode(s: Scheme, ring: str, W: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Masks (pos, neg), each of shape (3, r, W): row x of u, v, w for every term.

    Over ZT every coefficient must be in {-1, 0, 1}; over Z2 and Z3 integers are reduced
    modulo 2 or 3 (terms that vanish stay, as all-zero rows; the kernels drop them).
    """
    if not s.is_integral:
        raise DiscoveryError(f"{s.name} has fractional coefficients; flips need integer schemes "
                             "(ZT, or reduce them with --ring Z2 / Z3)")
    W = W or words(*s.format)
    pos = np.zeros((3, s.rank, W), dtype=np.uint64)
    neg = np.zeros((3, s.rank, W), dtype=np.uint64)
    for x, a in enumerate((s.u, s.v, s.w)):
        a = np.asarray(a, dtype=np.int64)
        if ring == "Z2":
            pos[x] = _pack(a % 2, W)
            continue
        if ring == "Z3":
            a = a % 3
            pos[x] = _pack(a == 1, W)
            neg[x] = _pack(a == 2, W)
            continue
        if np.abs(a).max(initial=0) > 1:
            raise DiscoveryError(f"{s.name} has coefficients outside {{-1,0,1}}; ZT flips "
                                 "need a ternary start (or use --ring Z2 / Z3)")
        pos[x] = _pack(a == 1, W)
        neg[x] = _pack(a == -1, W)
    return pos, neg


def decode_arrays(n: int, m: int, p: int, pos: np.ndarray, neg: np.ndarray) -> list[np.ndarray]:
    """[u (r, n·m), v (r, m·p), w (r, p·n)] int64 arrays from masks of shape (3, r, W)."""
    return [_unpack(pos[x], L) - _unpack(neg[x], L) for x, L in enumerate((n * m, m * p, p * n))]


def decode(n: int, m: int, p: int, pos: np.ndarray, neg: np.ndarray, ring: str,
           provenance: Provenance | None = None) -> Scheme:
    """The scheme held in masks ``pos``/``neg`` of shape (3, r, W) (live terms only).

    Over Z3 an entry -1 stands for 2 (mod 3); the scheme is marked Z3 and verified modulo 3.
    """
    return Scheme.from_rows(n, m, p, *decode_arrays(n, m, p, pos, neg), ring=ring, provenance=provenance)
