"""Row echelon form over GF(p) (p = 2, 3), built one packed row at a time.

:class:`Echelon` keeps only the *pivot* rows: a row that reduces to zero is dropped at once, so
memory is (rank × columns) however many rows are fed. Each pivot row R_q has its leading
entry 1 at column ``pcol[q]`` and zeros before it (echelon, not reduced). For a linear system
M d = b whose rows are fed with ``track=True``, the row operations done on the way are recorded
for pivot rows only (``used[q]``: the multiples of earlier pivots subtracted, and ``pscale[q]``:
the normalising factor), which is all a later solve needs:

    beta_q = pscale_q (b[psrc_q] - sum_j used_q[j] beta_j),    R d = beta  (back substitution).

A solve satisfies the pivot rows only; whether the other rows hold too is checked by the
caller (for Hensel lifting: by the residual of the corrected scheme).

Rows may carry ``extra`` trailing columns (a right-hand side) after the ``ncols`` columns
that are eliminated; a row whose eliminated part vanishes while its trailing part does not is
a *conflict* (status 2) and is dropped, which is what a greedy "keep the constraints that fit"
solve wants.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numba.cpython.unsafe.numbers import trailing_zeros

from discovery.search.lift._gfp import (
    axpy,
    dot,
    get,
    is_zero,
    lowest,
    planes,
    prime_of,
    put,
    scale,
    words,
)

PIVOT, REDUNDANT, CONFLICT = 0, 1, 2


@nb.njit(cache=True)
def _eliminate(rows, ids, ncols, R, pcol, psrc, pscale, used, colpiv, rank, track, status):
    """Feed ``rows`` (n, P, W) into the echelon form (R, ...) holding ``rank`` pivots; rows are
    consumed (reduced in place). Returns the new rank; ``status[i]`` says what became of row i."""
    P = rows.shape[1]
    p = prime_of(P)
    cap = R.shape[0]
    urow = np.zeros((P, used.shape[2]), dtype=np.uint64)
    for i in range(rows.shape[0]):
        row = rows[i]
        if track:
            for q in range(P):
                for k in range(min((rank >> 6) + 1, urow.shape[1])):
                    urow[q, k] = 0
        w = 0
        while True:
            c = lowest(row, w, ncols)
            if c < 0:
                status[i] = 1 if is_zero(row) else 2
                break
            j = colpiv[c]
            val = get(row, c)
            if j < 0:
                if rank == cap:  # cannot happen for cap >= ncols; guards the arrays
                    status[i] = 1
                    break
                inv = val  # 1/1 = 1 and, over GF(3), 1/2 = 2
                scale(row, inv)
                R[rank, :, :] = row
                pcol[rank] = c
                psrc[rank] = ids[i]
                pscale[rank] = inv
                colpiv[c] = rank
                if track:
                    used[rank, :, :] = urow
                rank += 1
                status[i] = 0
                break
            axpy(row, R[j], p - val, c >> 6)  # row -= val * R_j
            if track:
                put(urow, j, val)
            w = c >> 6
    return rank


@nb.njit(cache=True)
def _forward(used, psrc, pscale, rank, b, beta_vals):
    """beta_vals[q] for q < rank from the right-hand side b (one entry 0..p-1 per fed row id)."""
    P = used.shape[1]
    p = prime_of(P)
    beta = np.zeros((P, used.shape[2]), dtype=np.uint64)
    for q in range(rank):
        s = dot(used[q], beta, 0, (q >> 6) + 1)
        val = ((int(b[psrc[q]]) - s) % p) * int(pscale[q]) % p
        put(beta, q, val)
        beta_vals[q] = val


@nb.njit(cache=True)
def _back(R, pcol, order_desc, beta_vals, d):
    """Pivot entries of d (P, W) from R d = beta; the other entries of d are kept as given."""
    p = prime_of(R.shape[1])
    W = R.shape[2]
    for q in order_desc:
        c = pcol[q]
        put(d, c, 0)
        s = dot(R[q], d, c >> 6, W)
        put(d, c, (int(beta_vals[q]) - s) % p)


@nb.njit(cache=True)
def _nullspace_t(R, pcol, order_desc, free, out):
    """Null space basis of R, transposed: out[j] (P, KW) holds entry j of every basis vector.

    Basis vector i is 1 at free column free[i], 0 at the other free columns.
    """
    p = prime_of(R.shape[1])
    P = R.shape[1]
    for i in range(free.size):
        put(out[free[i]], i, 1)
    W = R.shape[2]
    for q in order_desc:
        c = pcol[q]
        dst = out[c]
        for k in range(c >> 6, W):
            x = R[q, 0, k]
            if P == 2:
                x |= R[q, 1, k]
            while x:
                col = (k << 6) + int(trailing_zeros(x))
                x &= x - np.uint64(1)
                if col == c:
                    continue
                coef = get(R[q], col)
                axpy(dst, out[col], p - coef, 0)  # d_c = -sum coef * d_col


class Echelon:
    """Echelon form of rows fed in batches (see the module docstring).

    Args:
        p: 2 or 3.
        ncols: columns eliminated; ``extra``: trailing columns carried along (a right-hand side).
        track: record the row operations of pivot rows, for :meth:`solve`.
        capacity: most pivots expected (default ``ncols``, the most there can be).
    """

    def __init__(self, p: int, ncols: int, extra: int = 0, track: bool = False, capacity: int | None = None):
        self.p, self.P = p, planes(p)
        self.ncols, self.width = ncols, words(ncols + extra)
        cap = ncols if capacity is None else min(capacity, ncols)
        self.R = np.zeros((cap, self.P, self.width), dtype=np.uint64)
        self.pcol = np.full(cap, -1, dtype=np.int64)
        self.psrc = np.full(cap, -1, dtype=np.int64)
        self.pscale = np.ones(cap, dtype=np.uint8)
        self.used = np.zeros((cap if track else 0, self.P, words(cap) if track else 1), dtype=np.uint64)
        self.colpiv = np.full(ncols, -1, dtype=np.int64)
        self.track = track
        self.rank = 0
        self.fed = 0
        self._order = None

    def add(self, rows: np.ndarray, ids: np.ndarray | None = None) -> np.ndarray:
        """Feed packed rows (n, P, width) (consumed); ``ids`` name them for :meth:`solve`
        (default: their running number). Returns each row's status (PIVOT, REDUNDANT, CONFLICT)."""
        n = rows.shape[0]
        if ids is None:
            ids = np.arange(self.fed, self.fed + n, dtype=np.int64)
        status = np.zeros(n, dtype=np.uint8)
        used = self.used if self.track else np.zeros((1, self.P, 1), dtype=np.uint64)
        self.rank = _eliminate(rows, np.asarray(ids, dtype=np.int64), self.ncols, self.R, self.pcol,
                               self.psrc, self.pscale, used, self.colpiv, self.rank, self.track, status)
        self.fed += n
        self._order = None
        return status

    @property
    def order_desc(self) -> np.ndarray:
        """Pivot indices by decreasing pivot column (the order of back substitution)."""
        if self._order is None:
            self._order = np.argsort(-self.pcol[:self.rank], kind="stable").astype(np.int64)
        return self._order

    @property
    def free(self) -> np.ndarray:
        """The columns without a pivot (free unknowns), increasing."""
        return np.flatnonzero(self.colpiv < 0).astype(np.int64)

    def beta(self, b: np.ndarray) -> np.ndarray:
        """The transformed right-hand side of the pivot rows for b (entries 0..p-1 per row id)."""
        if not self.track:
            raise ValueError("this echelon form did not record its row operations")
        out = np.zeros(self.rank, dtype=np.uint8)
        _forward(self.used, self.psrc, self.pscale, self.rank, np.asarray(b, dtype=np.uint8), out)
        return out

    def rhs_column(self) -> np.ndarray:
        """The first trailing column of every pivot row (the right-hand side it carried)."""
        return np.array([get_entry(self.R[q], self.ncols) for q in range(self.rank)], dtype=np.uint8)

    def back(self, beta_vals: np.ndarray, preset: np.ndarray | None = None) -> np.ndarray:
        """Packed d (P, width) with R d = beta on pivot columns, ``preset`` (packed) elsewhere."""
        d = np.zeros((self.P, self.width), dtype=np.uint64) if preset is None else preset.copy()
        _back(self.R, self.pcol, self.order_desc, np.asarray(beta_vals, dtype=np.uint8), d)
        return d

    def nullspace_t(self) -> np.ndarray:
        """(ncols, P, words(kernel dimension + 1)): row j holds entry j of each basis vector; one
        spare column at the end leaves room for a right-hand side."""
        free = self.free
        out = np.zeros((self.ncols, self.P, words(free.size + 1)), dtype=np.uint64)
        _nullspace_t(self.R[:self.rank], self.pcol, self.order_desc, free, out)
        return out


def get_entry(vec: np.ndarray, j: int) -> int:
    """Entry j of a packed vector (Python wrapper of the compiled getter)."""
    return int(get(vec, j))


__all__ = ["CONFLICT", "PIVOT", "REDUNDANT", "Echelon", "get_entry", "words"]
