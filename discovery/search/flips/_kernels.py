"""Compiled kernels of the flip-graph walk (numba): flips, reductions, plus transitions.

A walker holds a scheme as bit masks: ``P[w, x, t]`` and ``N[w, x, t]`` (uint64) are the
positions of the +1 and -1 coefficients of factor ``x`` (0: u, 1: v, 2: w) of term ``t``;
bit ``k`` is coefficient ``k`` of the row (the convention of :mod:`discovery.core.tensor`).
Terms ``0 .. rank[w]-1`` are live. Over Z2 only ``P`` is used (``N`` stays 0) and sums
are XORs. Over ZT a sum that would leave {-1, 0, 1} is not taken, so every move keeps the
scheme exact over every ring.

Moves (each keeps ``sum_t u_t ⊗ v_t ⊗ w_t`` unchanged):

* flip: terms i, j with ``X_j = s·X_i`` (same factor up to sign) become
  ``X_i ⊗ (Y_i + λ s Y_j) ⊗ Z_i`` and ``X_j ⊗ Y_j ⊗ (Z_j − λ Z_i)``;
* reduction: terms sharing two factors up to sign merge into one (rank − 1); a term
  with a zero factor is dropped;
* plus transition: ``X_i⊗Y_i⊗Z_i + X_j⊗Y_j⊗Z_j`` becomes three terms
  ``(X_i−X_j)⊗Y_i⊗Z_i + X_j⊗Y_i⊗(Z_i+Z_j) + X_j⊗(Y_j−Y_i)⊗Z_j`` (rank + 1), to leave
  a plateau.

Random numbers: one xorshift64* state per walker (``rng[w]``), so a walker's path depends
only on its seed, never on thread scheduling.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_M1 = np.uint64(0x2545F4914F6CDD1D)
_S12 = np.uint64(12)
_S25 = np.uint64(25)
_S27 = np.uint64(27)
_S33 = np.uint64(33)
_ZERO = np.uint64(0)


@nb.njit(cache=True, inline="always")
def _next(rng, w):
    x = rng[w]
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    rng[w] = x
    return x * _M1


@nb.njit(cache=True, inline="always")
def _below(rng, w, k):
    """Uniform integer in [0, k)."""
    return np.int64((_next(rng, w) >> _S33) % np.uint64(k))


@nb.njit(cache=True, inline="always")
def _same(p1, n1, p2, n2):
    """+1 if the two ternary vectors are equal, -1 if opposite, 0 otherwise."""
    if p1 == p2 and n1 == n2:
        return 1
    if p1 == n2 and n1 == p2:
        return -1
    return 0


@nb.njit(cache=True, inline="always")
def _add(p1, n1, p2, n2, sign, z2):
    """x + sign·y. Returns (ok, p, n); ok is False when a coefficient would leave {-1,0,1}."""
    if z2:
        return True, p1 ^ p2, _ZERO
    if sign < 0:
        p2, n2 = n2, p2
    if (p1 & p2) != _ZERO or (n1 & n2) != _ZERO:
        return False, _ZERO, _ZERO
    return True, (p1 & ~n2) | (p2 & ~n1), (n1 & ~p2) | (n2 & ~p1)


@nb.njit(cache=True, inline="always")
def _remove(P, N, w, t, r):
    """Drop term t (the last live term moves into its place); returns the new rank."""
    last = r - 1
    for x in range(3):
        P[w, x, t] = P[w, x, last]
        N[w, x, t] = N[w, x, last]
        P[w, x, last] = _ZERO
        N[w, x, last] = _ZERO
    return last


@nb.njit(cache=True)
def _merge(P, N, w, t, k, r, z2):
    """Merge terms t and k if they share two factors up to sign. Returns (new rank, merged)."""
    for z in range(3):
        x = (z + 1) % 3
        y = (z + 2) % 3
        sx = _same(P[w, x, t], N[w, x, t], P[w, x, k], N[w, x, k])
        if sx == 0:
            continue
        sy = _same(P[w, y, t], N[w, y, t], P[w, y, k], N[w, y, k])
        if sy == 0:
            continue
        ok, zp, zn = _add(P[w, z, t], N[w, z, t], P[w, z, k], N[w, z, k], sx * sy, z2)
        if not ok:
            continue
        P[w, z, t] = zp
        N[w, z, t] = zn
        hi, lo = (t, k) if t > k else (k, t)
        if (zp | zn) == _ZERO:
            r = _remove(P, N, w, hi, r)
            r = _remove(P, N, w, lo, r)
        else:
            r = _remove(P, N, w, k, r)
        return r, True
    return r, False


@nb.njit(cache=True)
def _reduce_all(P, N, w, r, z2):
    """Drop zero terms and merge every reducible pair until none is left."""
    changed = True
    while changed:
        changed = False
        t = 0
        while t < r:
            if ((P[w, 0, t] | N[w, 0, t]) == _ZERO or (P[w, 1, t] | N[w, 1, t]) == _ZERO
                    or (P[w, 2, t] | N[w, 2, t]) == _ZERO):
                r = _remove(P, N, w, t, r)
                changed = True
                continue
            t += 1
        for t in range(r):
            for k in range(t + 1, r):
                r, merged = _merge(P, N, w, t, k, r, z2)
                if merged:
                    changed = True
                    break
            if changed:
                break
    return r


@nb.njit(cache=True)
def _try_reduce(P, N, w, t, y, r, z2):
    """Merge term t with a partner that shares its (just changed) factor y and one more.

    Only factor y of term t changed, so a new reducible pair must agree on it: one
    comparison filters almost every k. Returns (rank, reduced).
    """
    py = P[w, y, t]
    ny = N[w, y, t]
    for k in range(r):
        if k != t and _same(py, ny, P[w, y, k], N[w, y, k]) != 0:
            r2, merged = _merge(P, N, w, t, k, r, z2)
            if merged:
                return _reduce_all(P, N, w, r2, z2), True
    return r, False


@nb.njit(cache=True, inline="always")
def _signed(p, n, s):
    return (p, n) if s > 0 else (n, p)


@nb.njit(cache=True)
def _try_reduce3(P, N, w, t, x, y, r, z2):
    """Three-term reduction: terms j, k share factor x with t (up to sign) and
    ``Y_t = α Ŷ_j + β Ŷ_k`` (Ŷ: Y with the sign that makes X equal), so t folds into them:
    ``Z_j += α Z_t``, ``Z_k += β Z_t`` and t is dropped (rank − 1). A random ternary flip
    would often miss it (the intermediate step can leave {-1,0,1}). Returns (rank, reduced).
    """
    z = 3 - x - y
    px = P[w, x, t]
    nx = N[w, x, t]
    pt = P[w, y, t]
    nt = N[w, y, t]
    for j in range(r):
        if j == t:
            continue
        sj = _same(px, nx, P[w, x, j], N[w, x, j])
        if sj == 0:
            continue
        pj, nj = _signed(P[w, y, j], N[w, y, j], sj)
        for k in range(j + 1, r):
            if k == t:
                continue
            sk = _same(px, nx, P[w, x, k], N[w, x, k])
            if sk == 0:
                continue
            pk, nk = _signed(P[w, y, k], N[w, y, k], sk)
            for alpha in (1, -1):
                for beta in (1, -1):
                    if z2 and (alpha < 0 or beta < 0):
                        continue
                    aj, an = _signed(pj, nj, alpha)
                    ok, sp, sn = _add(aj, an, pk, nk, beta, z2)
                    if not ok or sp != pt or sn != nt:
                        continue
                    ok1, zjp, zjn = _add(P[w, z, j], N[w, z, j], P[w, z, t], N[w, z, t], alpha, z2)
                    ok2, zkp, zkn = _add(P[w, z, k], N[w, z, k], P[w, z, t], N[w, z, t], beta, z2)
                    if not (ok1 and ok2):
                        continue
                    P[w, z, j] = zjp
                    N[w, z, j] = zjn
                    P[w, z, k] = zkp
                    N[w, z, k] = zkn
                    r = _remove(P, N, w, t, r)
                    return _reduce_all(P, N, w, r, z2), True
    return r, False


@nb.njit(cache=True)
def _plus(P, N, rng, w, r, z2):
    """One plus transition on a random pair of terms (rank + 1). Returns the new rank."""
    if r < 2 or r >= P.shape[2]:
        return r
    for _ in range(16):
        i = _below(rng, w, r)
        j = _below(rng, w, r - 1)
        if j >= i:
            j += 1
        x = _below(rng, w, 3)
        if _below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        s = 1 if _below(rng, w, 2) == 0 else -1  # term j written as (s X_j) ⊗ Y_j ⊗ (s Z_j)
        ok1, xp, xn = _add(P[w, x, i], N[w, x, i], P[w, x, j], N[w, x, j], -s, z2)
        ok2, zp, zn = _add(P[w, z, i], N[w, z, i], P[w, z, j], N[w, z, j], s, z2)
        ok3, yp, yn = _add(P[w, y, j], N[w, y, j], P[w, y, i], N[w, y, i], -1, z2)
        if not (ok1 and ok2 and ok3):
            continue
        if (xp | xn) == _ZERO or (zp | zn) == _ZERO or (yp | yn) == _ZERO:
            continue
        # new term r: (s X_j) ⊗ Y_i ⊗ (Z_i + s Z_j)
        if s > 0:
            P[w, x, r] = P[w, x, j]
            N[w, x, r] = N[w, x, j]
        else:
            P[w, x, r] = N[w, x, j]
            N[w, x, r] = P[w, x, j]
        P[w, y, r] = P[w, y, i]
        N[w, y, r] = N[w, y, i]
        P[w, z, r] = zp
        N[w, z, r] = zn
        # term i: (X_i - s X_j) ⊗ Y_i ⊗ Z_i ; term j: X_j ⊗ (Y_j - Y_i) ⊗ Z_j
        P[w, x, i] = xp
        N[w, x, i] = xn
        P[w, y, j] = yp
        N[w, y, j] = yn
        return r + 1
    return r


@nb.njit(cache=True)
def _walk(P, N, rank, rng, stall, w, nflips, goal, max_rank, plus_after, z2, reduce_on):
    """Run one walker for up to ``nflips`` flips; stop early once its rank is <= goal."""
    r = rank[w]
    if reduce_on:
        r = _reduce_all(P, N, w, r, z2)
    flips = 0
    tries = 0
    while flips < nflips and tries < 8 * nflips and r > goal:
        tries += 1
        # a scheme with few or no flips (e.g. a Kronecker product of Strassen's) must still
        # reach its plus transition: count attempts, not only the flips taken
        stall[w] += 1
        if plus_after > 0 and stall[w] >= plus_after and r < max_rank:
            r = _plus(P, N, rng, w, r, z2)
            stall[w] = 0
        i = _below(rng, w, r)
        x = _below(rng, w, 3)
        pi = P[w, x, i]
        ni = N[w, x, i]
        j = -1
        sgn = 0
        count = 0
        for k in range(r):
            if k == i:
                continue
            s = _same(pi, ni, P[w, x, k], N[w, x, k])
            if s != 0:
                count += 1
                if count == 1 or _below(rng, w, count) == 0:
                    j = k
                    sgn = s
        if j < 0:
            continue
        if _below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        lam = 1 if _below(rng, w, 2) == 0 else -1
        done = False
        yp = _ZERO
        yn = _ZERO
        zp = _ZERO
        zn = _ZERO
        for _ in range(2):
            ok1, yp, yn = _add(P[w, y, i], N[w, y, i], P[w, y, j], N[w, y, j], lam * sgn, z2)
            ok2, zp, zn = _add(P[w, z, j], N[w, z, j], P[w, z, i], N[w, z, i], -lam, z2)
            if ok1 and ok2:
                done = True
                break
            lam = -lam
        if not done:
            continue
        P[w, y, i] = yp
        N[w, y, i] = yn
        P[w, z, j] = zp
        N[w, z, j] = zn
        flips += 1
        if (yp | yn) == _ZERO or (zp | zn) == _ZERO:
            r0 = r
            r = _reduce_all(P, N, w, r, z2)
            if r < r0:
                stall[w] = 0
            continue
        if reduce_on:
            r, red = _try_reduce(P, N, w, i, y, r, z2)
            if not red:
                r, red = _try_reduce(P, N, w, j, z, r, z2)
            if not red:
                r, red = _try_reduce3(P, N, w, i, x, y, r, z2)
            if red:
                stall[w] = 0
    rank[w] = r
    return flips


@nb.njit(cache=True, parallel=True)
def walk_chunk(P, N, rank, rng, stall, flips_out, nflips, goal, max_rank, plus_after, z2, reduce_on):
    """Advance every walker by up to ``nflips`` flips, in parallel over walkers.

    Args:
        P, N: (K, 3, R) uint64 masks of the +1 / -1 coefficients (see module docstring).
        rank: (K,) int64 live terms per walker (updated).
        rng: (K,) uint64 xorshift states (updated). stall: (K,) int64 flips since the last
            reduction (updated). flips_out: (K,) int64 flips done in this call (written).
        goal: a walker stops once its rank is <= goal. max_rank: plus transitions only
            below this rank (and below R). plus_after: flips without a reduction before a
            plus transition (0: never). z2: arithmetic modulo 2. reduce_on: merge terms
            when possible (False keeps the rank: fixed-rank exploration).
    """
    for w in nb.prange(P.shape[0]):
        flips_out[w] = _walk(P, N, rank, rng, stall, w, nflips, goal, max_rank, plus_after, z2,
                             reduce_on)
