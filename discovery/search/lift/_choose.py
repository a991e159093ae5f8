"""Which correction to take at a Hensel step: small coefficients first, then randomised.

At step k every solution of J d ≡ b (mod p) is d = d0 + K z, with d0 the particular solution
(free unknowns 0) and K the kernel basis of the Jacobian mod p (one vector per free unknown,
kept transposed: ``kt[j]`` holds unknown j of every basis vector). The choice decides where
the lift goes: a poor one can make a later step inconsistent, or grow coefficients that never
reconstruct to small rationals.

The rule: each unknown would like to *keep* its current value, read as the symmetric residue
s_j modulo p^k (digit 0 when s_j >= 0, digit p - 1 when s_j < 0). Those wishes are linear
constraints on z, taken greedily in order of priority (smallest |s_j| first, ties by unknown
index: zeros stay zero first): a constraint that contradicts the ones already taken is skipped.
The result is a correction that leaves as many small coefficients unchanged as the equations
allow. A *retry* (after a later step failed) perturbs the priorities at random and draws the
kernel coordinates no constraint fixed at random, so it explores other corrections that are
still mostly small.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from discovery.search.lift._echelon import CONFLICT, Echelon
from discovery.search.lift._gfp import dot, pack, put, unpack


@nb.njit(cache=True)
def _constraint_rows(kt, order, rhs, kappa, out):
    """out[i] = kt[order[i]] with entry ``kappa`` (the spare column) set to rhs[order[i]]."""
    for i in range(order.size):
        j = order[i]
        out[i, :, :] = kt[j]
        put(out[i], kappa, rhs[j])


@nb.njit(cache=True)
def _apply(kt, z, d0, p):
    """d_j = d0_j + <kt[j], z> mod p for every unknown j."""
    d = d0.copy()
    W = z.shape[1]
    for j in range(kt.shape[0]):
        d[j] = (int(d0[j]) + dot(kt[j], z, 0, W)) % p
    return d


class KernelChooser:
    """Chooses d = d0 + K z for one Jacobian (see the module docstring).

    Args:
        echelon: the eliminated Jacobian mod p (an :class:`Echelon` over the unknowns).
    """

    def __init__(self, echelon: Echelon):
        self.p = echelon.p
        self.kappa = int(echelon.free.size)
        self.kt = echelon.nullspace_t() if self.kappa else None

    def choose(self, d0: np.ndarray, keep: np.ndarray, magnitude: np.ndarray,
               rng: np.random.Generator | None = None) -> tuple[np.ndarray, int]:
        """The correction and the number of skipped (contradicting) constraints.

        Args:
            d0: the particular solution (unknowns,) with entries 0..p-1.
            keep: the digit each unknown would like (0..p-1). magnitude: |s_j|, the priority.
            rng: None for the deterministic choice; a generator for a randomised retry.
        """
        if not self.kappa:
            return d0, 0
        p, n = self.p, d0.size
        rhs = ((keep.astype(np.int64) - d0) % p).astype(np.uint8)
        mag = magnitude.astype(np.float64)
        if rng is None:
            order = np.argsort(mag, kind="stable")
        else:
            order = np.argsort(mag * rng.uniform(0.5, 2.0, n) + rng.random(n), kind="stable")
        rows = np.empty_like(self.kt)
        _constraint_rows(self.kt, order.astype(np.int64), rhs, self.kappa, rows)
        ech = Echelon(p, self.kappa, extra=1)
        skipped = int((ech.add(rows) == CONFLICT).sum())
        preset = None
        if rng is not None:
            free = np.zeros(self.kappa, dtype=np.uint8)
            free[ech.free] = rng.integers(0, p, ech.free.size)
            preset = pack(free, p, self.kappa + 1)
        z = ech.back(ech.rhs_column(), preset)
        put(z, self.kappa, 0)
        return _apply(self.kt, z, d0.astype(np.uint8), p), skipped


def particular(echelon: Echelon, b: np.ndarray) -> np.ndarray:
    """The solution of the pivot rows with every free unknown 0, entries 0..p-1 (unknowns,)."""
    return unpack(echelon.back(echelon.beta(b)), echelon.ncols)
