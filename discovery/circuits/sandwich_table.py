"""The cheapest sandwich image of a ternary scheme, side by side over tables of (X, Y, Z).

The sandwich (:mod:`discovery.circuits.variants`) maps U_t -> X^T U_t Y^-T, V_t -> Y^T V_t Z^-T,
W_t -> X^-1 W_t Z (W_t C-shaped, n×p), so the A side depends on (X, Y) only, the B side on
(Y, Z) and the C side on (X, Z). With X, Y, Z ranging over the unimodular ternary coset
representatives (:func:`discovery.circuits.optimize_additions.unimodular_representatives`, 146 for
size 3, 6 for size 2), each side's additions form a table of R_a × R_b entries, and the cheapest
triple is the least ``A[x, y] + B[y, z] + C[x, z]`` (a few million sums for <3,3,3>). A side is
counted by the closure search (:func:`discovery.circuits.closure.closure_program`, a few extra
nodes) on the images that stay ternary; an image whose search fails within its limits is counted
by the quick heuristic (:func:`discovery.circuits.cse.quick_additions`, an upper bound).

For formats whose sides are all at most 3 (the enumeration of representatives).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from discovery.core.scheme import Provenance, Scheme

UNUSABLE = 1 << 20  # the cost of an image that leaves {-1, 0, 1}


@dataclass(frozen=True)
class SandwichChoice:
    """The result of :func:`best_sandwich`.

    Attributes:
        scheme: the cheapest image (the start itself when no image is cheaper).
        additions: its additions as the tables count them (A + B + C side).
        start_additions: the start's, counted the same way.
        by_side: (A, B, C) of the image.
        XYZ: the three matrices (identity for the start).
        images: distinct ternary side images counted.
    """

    scheme: Scheme
    additions: int
    start_additions: int
    by_side: tuple[int, int, int]
    XYZ: tuple[np.ndarray, np.ndarray, np.ndarray]
    images: int


def _reps(d: int) -> tuple[np.ndarray, np.ndarray]:
    from discovery.circuits.optimize_additions import unimodular_representatives

    reps = np.array(unimodular_representatives(d), dtype=np.int64)
    inv = np.rint(np.linalg.inv(reps)).astype(np.int64)
    return reps, inv


def _canon(M: np.ndarray) -> bytes:
    """A key equal for maps with the same rows up to order and sign (same additions)."""
    first = np.sign(M[np.arange(len(M)), np.argmax(M != 0, axis=1)])
    first[first == 0] = 1
    return np.unique(M * first[:, None], axis=0).tobytes()


class _Counter:
    def __init__(self, kmax: int, node_limit: int):
        self.kmax, self.node_limit, self.memo = kmax, node_limit, {}

    def __call__(self, M: np.ndarray, shift: int) -> int:
        """Additions of the map whose rows are M (shift: added for the C side's orientation)."""
        from discovery.circuits.closure import closure_program
        from discovery.circuits.cse import quick_additions

        key = _canon(M)
        if key not in self.memo:
            res = closure_program(M, self.kmax, self.node_limit)
            self.memo[key] = res.program.additions if res.program is not None else quick_additions(M, 2)
        return self.memo[key] + shift


def _table(F: np.ndarray, left: np.ndarray, right: np.ndarray, count, shift: int) -> np.ndarray:
    """cost[a, b] of the rows ``left[a] F_t right[b]`` (F: (r, d1, d2) factors)."""
    L = np.einsum("aij,tjk->atik", left, F)
    img = np.einsum("atik,bkl->abtil", L, right)
    ra, rb, r = img.shape[:3]
    flat = img.reshape(ra, rb, r, -1)
    ok = np.abs(flat).reshape(ra, rb, -1).max(-1) <= 1
    cost = np.full((ra, rb), UNUSABLE, dtype=np.int64)
    for a, b in zip(*np.nonzero(ok)):
        cost[a, b] = count(flat[a, b], shift)
    return cost


def best_sandwich(s: Scheme, kmax: int = 2, node_limit: int = 1_000) -> SandwichChoice:
    """The cheapest sandwich image of a ternary scheme ``s`` over the coset representatives.

    Args:
        s: a ternary scheme whose format has every side at most 3.
        kmax, node_limit: the closure search's limits per side image.
    """
    from discovery.circuits.cse import transpose_shift
    from discovery.circuits.variants import sandwich_arrays

    n, m, p = s.format
    if max(n, m, p) > 3 or not s.is_ternary:
        raise ValueError("best_sandwich takes a ternary scheme whose sides are at most 3")
    r = s.rank
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    (X, Xi), (Y, Yi), (Z, Zi) = _reps(n), _reps(m), _reps(p)
    count = _Counter(kmax, node_limit)
    shift = transpose_shift(np.ascontiguousarray(w.T))
    XT, YT, ZT = (M.transpose(0, 2, 1) for M in (X, Y, Z))
    YiT, ZiT = Yi.transpose(0, 2, 1), Zi.transpose(0, 2, 1)
    A = _table(u.reshape(r, n, m), XT, YiT, count, 0)              # X^T U Y^-T: [x, y]
    B = _table(v.reshape(r, m, p), YT, ZiT, count, 0)              # Y^T V Z^-T: [y, z]
    Wc = w.reshape(r, p, n).transpose(0, 2, 1)                     # C-shaped (n, p)
    C = _table(Wc, Xi, Z, count, shift)                            # X^-1 W Z:   [x, z]
    tot = A[:, :, None] + B[None, :, :] + C[:, None, :]
    x, y, z = np.unravel_index(int(np.argmin(tot)), tot.shape)
    start = int(A[0, 0] + B[0, 0] + C[0, 0])  # representative 0 is the identity
    best = int(tot[x, y, z])
    if best >= start:
        x = y = z = 0
        best = start
    u2, v2, w2 = sandwich_arrays(u, v, w, (n, m, p), X[x], Y[y], Z[z], Xi[x], Yi[y], Zi[z])
    prov = Provenance(source=s.provenance.source, seed=s.provenance.seed, time=s.provenance.time,
                      note=(s.provenance.note + "; " if s.provenance.note else "") + "sandwich table")
    image = s if (x, y, z) == (0, 0, 0) else Scheme.from_rows(n, m, p, u2, v2, w2, provenance=prov)
    return SandwichChoice(image, best, start, (int(A[x, y]), int(B[y, z]), int(C[x, z])), (X[x], Y[y], Z[z]),
                          len(count.memo))
