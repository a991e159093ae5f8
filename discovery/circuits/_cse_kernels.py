"""Compiled common-subexpression elimination (numba) for one linear map ``y = M x``.

A run repeatedly replaces a *pair* ``x_i + s x_j`` (i < j, s = ±1) that occurs in at least two
rows by a fresh variable, until no pair occurs twice. Row r *contains* the pair when
``M[r, i] != 0`` and ``M[r, j] == s M[r, i]``; it then uses ``M[r, i] * t`` instead
(the ternary model of the field: every fresh variable combines two earlier ones with ±1).
Variables: ``0..N-1`` the inputs, ``N + k`` fresh variable k. A run costs ``T + sum(len_r - 1)``
additions (T fresh variables, ``len_r`` the terms left in row r).

Strategies (how the next pair is chosen among those with count c >= 2; profit c - 1):

* ``GREEDY`` the first most frequent pair (deterministic),
* ``GREEDY_TIES`` a most frequent pair, ties broken at random,
* ``GREEDY_RANDOM`` with probability ``a`` as GREEDY_TIES, otherwise any repeated pair,
* ``WEIGHTED`` a pair drawn with probability proportional to its profit,
* ``POTENTIAL`` greedy potential (Mårtensson & Stankovski Wagner 2024): profit plus ``a`` times
  the profit of the pairs the fresh variable would form with what is left of its rows,
* ``INTERSECTIONS`` greedy intersections (after Perminov 2025): profit minus ``a`` times the
  profit of the other repeated pairs that share a variable with it (they compete for the same
  terms), each variable's share weighted by a random factor in ``[1 - b, 1]``,
* ``MIX`` one of the above drawn at every step.

Random numbers come from numba's generator, seeded per run (``np.random.seed`` inside the
kernel), so a run depends only on its seed.
"""

from __future__ import annotations

import numba as nb
import numpy as np

GREEDY, GREEDY_TIES, GREEDY_RANDOM, WEIGHTED, POTENTIAL, INTERSECTIONS, MIX = range(7)
N_STRATEGIES = 7


@nb.njit(cache=True)
def _count_pairs(R, idx, ln, V, cnt, stamp, step, keys):
    """Count every pair of every row; returns how many distinct keys were seen (in ``keys``)."""
    nk = 0
    for r in range(R.shape[0]):
        L = ln[r]
        for a in range(L):
            va = idx[r, a]
            for b in range(a + 1, L):
                vb = idx[r, b]
                i, j = (va, vb) if va < vb else (vb, va)
                ci, cj = R[r, i], R[r, j]
                if cj == ci:
                    key = (i * V + j) * 2
                elif cj == -ci:
                    key = (i * V + j) * 2 + 1
                else:
                    continue
                if stamp[key] != step:
                    stamp[key] = step
                    cnt[key] = 0
                    keys[nk] = key
                    nk += 1
                cnt[key] += 1
    return nk


@nb.njit(cache=True)
def _contains(R, r, i, j, s):
    ci = R[r, i]
    return ci != 0 and R[r, j] == s * ci


@nb.njit(cache=True)
def _potential(R, idx, ln, V, i, j, s, local, lstamp, tick):
    """Profit of the pairs a fresh variable for (i, j, s) would form in the rows it enters."""
    total = 0
    nloc = 0
    for r in range(R.shape[0]):
        if not _contains(R, r, i, j, s):
            continue
        c = R[r, i]
        for a in range(ln[r]):
            v = idx[r, a]
            if v == i or v == j:
                continue
            cv = R[r, v]
            if cv == c:
                k = v * 2
            elif cv == -c:
                k = v * 2 + 1
            else:
                continue
            if lstamp[k] != tick:
                lstamp[k] = tick
                local[k] = 0
                nloc += 1
            local[k] += 1
            if local[k] >= 2:
                total += 1
    return total


@nb.njit(cache=True)
def _choose(strategy, cand, cc, nc, a, b, R, idx, ln, V, scratch, share, local, lstamp, tick):
    """Index into ``cand`` of the pair to replace next."""
    if strategy == MIX:
        strategy = np.random.randint(0, MIX)
    best = -1
    if strategy == GREEDY:
        top = 0
        for q in range(nc):
            if cc[q] > top:
                top, best = cc[q], q
        return best
    if strategy == WEIGHTED:
        total = 0
        for q in range(nc):
            total += cc[q] - 1
        x = np.random.randint(0, total)
        for q in range(nc):
            x -= cc[q] - 1
            if x < 0:
                return q
        return nc - 1
    if strategy == GREEDY_RANDOM and np.random.random() >= a:
        return np.random.randint(0, nc)
    score = scratch[:nc]
    if strategy == POTENTIAL:
        for q in range(nc):
            key = cand[q]
            s = 1 - 2 * (key & 1)
            ij = key >> 1
            i, j = ij // V, ij % V
            score[q] = cc[q] - 1 + a * _potential(R, idx, ln, V, i, j, s, local, lstamp, tick + q)
    elif strategy == INTERSECTIONS:
        # share[v]: profit of the repeated pairs that use variable v
        share[:] = 0.0
        for q in range(nc):
            ij = cand[q] >> 1
            share[ij // V] += cc[q] - 1
            share[ij % V] += cc[q] - 1
        for q in range(nc):
            ij = cand[q] >> 1
            i, j = ij // V, ij % V
            own = cc[q] - 1
            wi = 1.0 - b * np.random.random()
            wj = 1.0 - b * np.random.random()
            score[q] = own - a * (wi * (share[i] - own) + wj * (share[j] - own))
    else:
        for q in range(nc):
            score[q] = cc[q]
    top = -1e300
    ties = 0
    for q in range(nc):
        if score[q] > top + 1e-9:
            top, best, ties = score[q], q, 1
        elif score[q] > top - 1e-9:
            ties += 1
            if np.random.randint(0, ties) == 0:
                best = q
    return best


@nb.njit(cache=True)
def _replace(R, idx, ln, t, i, j, s):
    """Substitute fresh variable t = x_i + s x_j in every row that contains the pair."""
    for r in range(R.shape[0]):
        if not _contains(R, r, i, j, s):
            continue
        c = R[r, i]
        R[r, i] = 0
        R[r, j] = 0
        R[r, t] = c
        w = 0
        for a in range(ln[r]):
            v = idx[r, a]
            if v != i and v != j:
                idx[r, w] = v
                w += 1
        idx[r, w] = t
        ln[r] = w + 1


@nb.njit(cache=True)
def _one_run(M, V, strategy, a, b, seed, prefix, n_prefix, R, idx, ln, cnt, stamp, keys,
             cand, cc, scratch, share, local, lstamp, temps):
    """One reduction of M; returns the number of fresh variables (their pairs in ``temps``)."""
    np.random.seed(seed)
    K, N = M.shape
    R[:, :] = 0
    for r in range(K):
        L = 0
        for c in range(N):
            if M[r, c] != 0:
                R[r, c] = M[r, c]
                idx[r, L] = c
                L += 1
        ln[r] = L
    T = 0
    step = stamp.max() + 1
    tick = lstamp.max() + 1
    for q in range(n_prefix):  # replay the start of another run (same state, same indices)
        i, j, s = prefix[q, 0], prefix[q, 1], prefix[q, 2]
        _replace(R, idx, ln, N + T, i, j, s)
        temps[T, 0], temps[T, 1], temps[T, 2] = i, j, s
        T += 1
    while N + T < V:
        nk = _count_pairs(R, idx, ln, V, cnt, stamp, step, keys)
        step += 1
        nc = 0
        for q in range(nk):
            if cnt[keys[q]] >= 2:
                cand[nc] = keys[q]
                cc[nc] = cnt[keys[q]]
                nc += 1
        if nc == 0:
            break
        q = _choose(strategy, cand, cc, nc, a, b, R, idx, ln, V, scratch, share, local, lstamp, tick)
        tick += nc + 1
        key = cand[q]
        s = 1 - 2 * (key & 1)
        ij = key >> 1
        i, j = ij // V, ij % V
        _replace(R, idx, ln, N + T, i, j, s)
        temps[T, 0], temps[T, 1], temps[T, 2] = i, j, s
        T += 1
    return T


@nb.njit(cache=True)
def reduce_batch(M, strategies, a_params, b_params, seeds, prefixes, prefix_lens):
    """Run one reduction per entry of ``strategies`` and keep the cheapest.

    Args:
        M: (K, N) int64 matrix of the map.
        strategies, a_params, b_params, seeds: one entry per run (see the module docstring).
        prefixes: (runs, P, 3) fresh-variable pairs (i, j, s) to replay first; ``prefix_lens``
            how many of each run's (0: start from scratch).

    Returns:
        (additions per run, index of the best run, its pairs (T, 3), its final rows (K, V)).
    """
    K, N = M.shape
    naive = 0
    maxlen = 0
    for r in range(K):
        L = 0
        for c in range(N):
            if M[r, c] != 0:
                L += 1
        if L > 1:
            naive += L - 1
        maxlen = max(maxlen, L)
    V = N + naive + 1
    R = np.zeros((K, V), dtype=np.int64)
    idx = np.zeros((K, max(maxlen, 1)), dtype=np.int64)
    ln = np.zeros(K, dtype=np.int64)
    cnt = np.zeros(V * V * 2, dtype=np.int32)
    stamp = np.zeros(V * V * 2, dtype=np.int64)
    cap = K * maxlen * maxlen + 1
    keys = np.zeros(cap, dtype=np.int64)
    cand = np.zeros(cap, dtype=np.int64)
    cc = np.zeros(cap, dtype=np.int64)
    scratch = np.zeros(cap, dtype=np.float64)
    share = np.zeros(V, dtype=np.float64)
    local = np.zeros(2 * V, dtype=np.int64)
    lstamp = np.zeros(2 * V, dtype=np.int64)
    temps = np.zeros((V, 3), dtype=np.int64)
    runs = strategies.shape[0]
    adds = np.zeros(runs, dtype=np.int64)
    best, best_adds, best_T = -1, 1 << 62, 0
    best_temps = np.zeros((V, 3), dtype=np.int64)
    best_R = np.zeros((K, V), dtype=np.int64)
    for q in range(runs):
        T = _one_run(M, V, strategies[q], a_params[q], b_params[q], seeds[q], prefixes[q],
                     prefix_lens[q], R, idx, ln, cnt, stamp, keys, cand, cc, scratch, share, local, lstamp, temps)
        total = T
        for r in range(K):
            if ln[r] > 1:
                total += ln[r] - 1
        adds[q] = total
        if total < best_adds or (total == best_adds and T < best_T):
            best, best_adds, best_T = q, total, T
            best_temps[:T] = temps[:T]
            best_R[:, :] = R
    return adds, best, best_temps[:best_T].copy(), best_R
