"""Packed vectors over GF(p), p = 2 or 3, and the compiled operations on them.

A vector of L entries is a uint64 array of shape (P, W) with W = ceil(L / 64): entry j lives at
word j // 64, bit j % 64 of each plane.

* p = 2: one plane (P = 1), the bit is the entry.
* p = 3: two planes (P = 2), ``plane 0`` holds [entry == 1] and ``plane 1`` holds [entry == 2]
  (2 ≡ -1, so negation swaps the planes). Addition works on whole words:
  with x0 = ~(xp | xm) the zero bits, z = x + y has
  zp = (xp & y0) | (x0 & yp) | (xm & ym) and zm = (xm & y0) | (x0 & ym) | (xp & yp).

A matrix is an array of shape (rows, P, W). The prime is read from P everywhere
(:func:`prime_of`), so one compiled function serves both fields.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

U1 = np.uint64(1)
M1 = np.uint64(0x5555555555555555)
M2 = np.uint64(0x3333333333333333)
M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
H01 = np.uint64(0x0101010101010101)


def planes(p: int) -> int:
    """Bit-planes per vector for the prime p (2 -> 1, 3 -> 2)."""
    if p not in (2, 3):
        raise ValueError(f"packed vectors exist for p = 2 or 3, not {p}")
    return 1 if p == 2 else 2


def words(length: int) -> int:
    """uint64 words per plane for ``length`` entries."""
    return (length + 63) // 64


@nb.njit(cache=True)
def prime_of(P):
    return 2 if P == 1 else 3


@nb.njit(cache=True)
def popcount(x):
    x = x - ((x >> U1) & M1)
    x = (x & M2) + ((x >> np.uint64(2)) & M2)
    x = (x + (x >> np.uint64(4))) & M4
    return (x * H01) >> np.uint64(56)


@nb.njit(cache=True)
def get(vec, j):
    """Entry j of the packed vector ``vec`` (P, W) as an int in 0..p-1."""
    wd = j >> 6
    sh = np.uint64(j & 63)
    if (vec[0, wd] >> sh) & U1:
        return 1
    if vec.shape[0] == 2 and (vec[1, wd] >> sh) & U1:
        return 2
    return 0


@nb.njit(cache=True)
def put(vec, j, value):
    """Set entry j of ``vec`` to ``value`` (0..p-1)."""
    wd = j >> 6
    bit = U1 << np.uint64(j & 63)
    for q in range(vec.shape[0]):
        vec[q, wd] &= ~bit
    if value == 1:
        vec[0, wd] |= bit
    elif value == 2:
        vec[1, wd] |= bit


@nb.njit(cache=True)
def axpy(dst, src, c, w0):
    """dst += c * src over GF(p), words w0.. only (c in 1..p-1; entries before w0 untouched)."""
    W = dst.shape[1]
    if dst.shape[0] == 1:
        for k in range(w0, W):
            dst[0, k] ^= src[0, k]
        return
    a, b = (0, 1) if c == 1 else (1, 0)  # -src swaps the planes
    for k in range(w0, W):
        xp, xm, yp, ym = dst[0, k], dst[1, k], src[a, k], src[b, k]
        x0 = ~(xp | xm)
        y0 = ~(yp | ym)
        dst[0, k] = (xp & y0) | (x0 & yp) | (xm & ym)
        dst[1, k] = (xm & y0) | (x0 & ym) | (xp & yp)


@nb.njit(cache=True)
def scale(vec, c):
    """vec *= c (c in 1..p-1): only c = 2 over GF(3) does anything (it swaps the planes)."""
    if vec.shape[0] == 2 and c == 2:
        for k in range(vec.shape[1]):
            tmp = vec[0, k]
            vec[0, k] = vec[1, k]
            vec[1, k] = tmp


@nb.njit(cache=True)
def dot(a, b, w0, w1):
    """sum_j a_j b_j over GF(p), words w0 .. w1-1."""
    if a.shape[0] == 1:
        acc = np.uint64(0)
        for k in range(w0, w1):
            acc ^= a[0, k] & b[0, k]
        return int(popcount(acc) & U1)
    s = 0
    for k in range(w0, w1):
        ap, am, bp, bm = a[0, k], a[1, k], b[0, k], b[1, k]
        s += int(popcount(ap & bp) + popcount(am & bm)) + 2 * int(popcount(ap & bm) + popcount(am & bp))
    return s % 3


@nb.njit(cache=True)
def lowest(vec, w0, ncols):
    """The first column >= 64*w0 and < ncols with a non-zero entry, or -1."""
    last = (ncols - 1) >> 6
    for k in range(w0, last + 1):
        x = vec[0, k]
        if vec.shape[0] == 2:
            x |= vec[1, k]
        if x:
            c = (k << 6) + int(trailing_zeros(x))
            return c if c < ncols else -1
    return -1


@nb.njit(cache=True)
def is_zero(vec):
    for q in range(vec.shape[0]):
        for k in range(vec.shape[1]):
            if vec[q, k]:
                return False
    return True


def pack(values: np.ndarray, p: int, length: int | None = None) -> np.ndarray:
    """Entries 0..p-1 (one row, or a 2-D stack of rows) -> packed (P, W) or (rows, P, W)."""
    values = np.asarray(values, dtype=np.uint8)
    single = values.ndim == 1
    vals = values[None, :] if single else values
    L = vals.shape[1] if length is None else length
    W = words(L)
    out = np.zeros((vals.shape[0], planes(p), W), dtype=np.uint64)
    for q, v in enumerate((1, 2)[:planes(p)]):
        bits = np.zeros((vals.shape[0], W * 64), dtype=np.uint8)
        bits[:, :vals.shape[1]] = vals == v
        out[:, q, :] = np.packbits(bits, axis=1, bitorder="little").view("<u8").reshape(vals.shape[0], W)
    return out[0] if single else out


def unpack(packed: np.ndarray, length: int) -> np.ndarray:
    """Packed (P, W) or (rows, P, W) -> entries 0..p-1 as uint8, ``length`` per row."""
    single = packed.ndim == 2
    arr = packed[None] if single else packed
    out = np.zeros((arr.shape[0], length), dtype=np.uint8)
    for q in range(arr.shape[1]):
        bits = np.unpackbits(np.ascontiguousarray(arr[:, q, :]).view(np.uint8), axis=1, bitorder="little")
        out += bits[:, :length] * np.uint8(q + 1)
    return out[0] if single else out
