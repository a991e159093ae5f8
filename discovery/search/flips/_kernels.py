"""The compiled walk of the flip graph (numba): many walkers, one chunk of flips at a time.

The state layout and the moves are in :mod:`discovery.search.flips._moves`. A flip takes
terms i, j whose factor x agrees up to sign (``X_j = s·X_i``) and rewrites them as
``X_i ⊗ (Y_i + λ s Y_j) ⊗ Z_i`` and ``X_j ⊗ Y_j ⊗ (Z_j − λ Z_i)`` (the tensor is
unchanged). After a flip the walk reduces where it can (a zero factor drops its term; two
terms sharing two factors merge; three terms sharing one factor fold, see ``reduce3``), and
after ``plus_after`` flips without a reduction it takes a plus transition (rank + 1) while
below its walker's ``max_rank``.

Drawing a flip: the index of the factor hashes (:mod:`discovery.search.flips._index`) keeps
the ``D`` factor positions whose bucket holds two or more terms; an attempt draws one of them
uniformly and its partner uniformly among the other terms of its bucket. That is the law of
the old walk (a uniform position among all ``3r``, a uniform partner among its matches,
a redraw when there was none) without its wasted draws. The plus clock ``stall`` still counts
the draws over all ``3r`` positions that walk would have made: a geometric number of them
(success probability ``D / 3r``) per attempt, so ``plus_after`` keeps its meaning and the
walk's law is unchanged; ``OUT_ATTEMPTS`` counts the real draws.

Random numbers: one xorshift64* state per walker, so a walker's path depends only on its
seed, never on thread scheduling.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from discovery.search.flips._index import bucket, clear_index, entry, flippable, following, new_index
from discovery.search.flips._index import add as index_add
from discovery.search.flips._moves import (
    Z2,
    Z3,
    ZT,
    add_into,
    add_is_zero,
    add_ok,
    below,
    invariants_ok,
    next_u64,
    plus,
    reduce_all,
    rehash,
    same_sign,
    remove,
    split,
    try_reduce,
    try_reduce3,
)

# walker status after a chunk
ST_CHUNK, ST_GOAL, ST_PATH, ST_STUCK, ST_CORRUPT = 0, 1, 2, 3, 4
# counters per walker and chunk (out[w, :])
OUT_FLIPS, OUT_ATTEMPTS, OUT_REDUCTIONS, OUT_PLUS = 0, 1, 2, 3
N_OUT = 4


@nb.njit(cache=True, _nrt=False)
def rehash_all(P, N, H, S, B, w, r, W):
    """Hashes of every live factor of walker w and its index (after loading masks)."""
    clear_index(H, B, w)
    for t in range(r):
        for x in range(3):
            rehash(P, N, H, S, B, w, x, t, W)
            index_add(H, B, w, x, t)


_INV53 = 1.0 / 9007199254740992.0


@nb.njit(cache=True, inline="always")
def scan_draws(rng, w, d, n):
    """Draws of a uniform position among n until one of the d good ones (1 <= d <= n): a
    geometric number, from one uniform of walker w's stream (none when d == n)."""
    if d >= n:
        return 1
    u = (np.float64(next_u64(rng, w) >> np.uint64(11)) + 1.0) * _INV53
    return 1 + np.int64(math.log(u) / math.log1p(-d / n))


@nb.njit(cache=True, inline="always")
def _period(rng, w, lo, hi):
    """The flips until walker w's next expansion in the period mode: uniform in [lo, hi]."""
    return lo + below(rng, w, hi - lo + 1)


@nb.njit(cache=True, _nrt=False)
def _expand(P, N, H, S, B, rng, w, r, ring, W, split_pct):
    """A plus transition, or with probability ``split_pct`` % a split (rank + 1 when it took)."""
    if split_pct > 0 and (split_pct >= 100 or below(rng, w, 100) < split_pct):
        return split(P, N, H, S, B, rng, w, r, ring, W)
    return plus(P, N, H, S, B, rng, w, r, ring, W)


@nb.njit(cache=True, _nrt=False)
def _walk(P, N, H, S, B, rank, rng, stall, thr, path, goal, max_rank, status, out, w, nflips,
          path_limit, plus_after, plus_max, split_pct, wrap_pct, ring, W, reduce_on, reduce3, debug):
    r = rank[w]
    for c in range(out.shape[1]):
        out[w, c] = 0
    status[w] = ST_CHUNK
    if reduce_on:
        r0 = r
        r = reduce_all(P, N, H, S, B, w, r, ring, W)
        if r < r0:
            out[w, OUT_REDUCTIONS] += 1
    flips = 0
    tries = 0
    limit = 16 * nflips + 64
    while flips < nflips:
        if reduce_on and r <= goal[w]:
            status[w] = ST_GOAL
            break
        if path_limit > 0 and path[w] >= path_limit:
            status[w] = ST_PATH
            break
        if tries >= limit:
            if flips == 0:
                status[w] = ST_STUCK
            break
        tries += 1
        d = flippable(B, w)
        if reduce_on and plus_max > 0:
            # the period mode: an expansion after thr[w] flips without one or a reduction,
            # thr[w] drawn uniformly from [plus_after, plus_max] each time
            if thr[w] <= 0:
                thr[w] = _period(rng, w, plus_after, plus_max)
            if r < max_rank[w] and (stall[w] >= thr[w] or d == 0):
                r1 = _expand(P, N, H, S, B, rng, w, r, ring, W, split_pct)
                if r1 > r:
                    out[w, OUT_PLUS] += 1
                r = r1
                stall[w] = 0
                thr[w] = _period(rng, w, plus_after, plus_max)
                d = flippable(B, w)
        elif reduce_on and plus_after > 0 and r < max_rank[w]:
            # the scan's draws until a partner; a plus transition where they cross plus_after
            # (the scan's draw right after it is free: stall restarts at 0 there)
            free = 0
            while r < max_rank[w]:
                if d > 0:
                    g = scan_draws(rng, w, d, 3 * r) - free
                    if g < plus_after - stall[w]:
                        stall[w] += g
                        break
                r1 = _expand(P, N, H, S, B, rng, w, r, ring, W, split_pct)
                if r1 > r:
                    out[w, OUT_PLUS] += 1
                r = r1
                stall[w] = 0
                free = 1
                d = flippable(B, w)
                if d == 0:
                    break
        elif plus_max <= 0:
            stall[w] += 1
        if r < 2:
            status[w] = ST_STUCK
            break
        if d == 0:
            if not (reduce_on and (plus_after > 0 or plus_max > 0) and r < max_rank[w]):
                status[w] = ST_STUCK  # no factor has a partner, and no plus transition may come
                break
            continue
        x, i = entry(H, B, w, below(rng, w, d))
        j, size = bucket(H, B, w, x, i)
        m = below(rng, w, size - 1)  # the m-th other term of i's bucket
        while j == i or m > 0:
            if j != i:
                m -= 1
            j = following(H, B, w, x, j)
        sgn = same_sign(P, N, H, S, w, x, i, x, j, W)  # X_j = sgn·X_i (0: a hash collision)
        if sgn == 0:
            continue
        if ring == Z2:
            sgn = 1
        if below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        lam = 1 if ring == Z2 or below(rng, w, 2) == 0 else -1
        # over Z3 a flip may wrap (1 + 1 = -1) only in wrap_pct percent of the draws; the others
        # keep the ternary rule, without which a walk diffuses into dense factors and stops reducing
        ok_ring = ring
        if ring == Z3 and (wrap_pct <= 0 or (wrap_pct < 100 and below(rng, w, 100) >= wrap_pct)):
            ok_ring = ZT
        done = False
        for _ in range(2):
            if add_ok(P, N, w, y, i, y, j, lam * sgn, ok_ring, W) and add_ok(P, N, w, z, j, z, i, -lam, ok_ring, W):
                done = True
                break
            lam = -lam
        if not done:
            continue
        zero_y = add_is_zero(P, N, w, y, i, y, j, lam * sgn, ring, W)
        zero_z = add_is_zero(P, N, w, z, j, z, i, -lam, ring, W)
        if not reduce_on and (zero_y or zero_z):
            continue  # fixed rank: a flip that would drop a term is not taken
        add_into(P, N, H, S, B, w, y, i, y, j, lam * sgn, ring, W)
        add_into(P, N, H, S, B, w, z, j, z, i, -lam, ring, W)
        flips += 1
        path[w] += 1
        if plus_max > 0:
            stall[w] += 1
        if not reduce_on:
            continue
        r0 = r
        if zero_y or zero_z:
            hi, lo = (i, j) if i > j else (j, i)
            if zero_y and zero_z:
                r = remove(P, N, H, S, B, w, hi, r, W)
                r = remove(P, N, H, S, B, w, lo, r, W)
            else:
                r = remove(P, N, H, S, B, w, i if zero_y else j, r, W)
            r = reduce_all(P, N, H, S, B, w, r, ring, W)
        else:
            # a new reducible pair shares the changed factor: call only where its bucket says so
            red = False
            if bucket(H, B, w, y, i)[1] >= 2:
                r, red = try_reduce(P, N, H, S, B, w, i, y, r, ring, W)
            if not red and bucket(H, B, w, z, j)[1] >= 2:
                r, red = try_reduce(P, N, H, S, B, w, j, z, r, ring, W)
            if reduce3 and not red and bucket(H, B, w, x, i)[1] >= 3:
                r, red = try_reduce3(P, N, H, S, B, w, i, x, y, r, ring, W)
                if not red:
                    r, red = try_reduce3(P, N, H, S, B, w, j, x, z, r, ring, W)
        if r < r0:
            out[w, OUT_REDUCTIONS] += 1
            stall[w] = 0
            path[w] = 0
        if debug and not invariants_ok(P, N, H, S, B, w, r, ring, W):
            status[w] = ST_CORRUPT
            break
    rank[w] = r
    out[w, OUT_FLIPS] = flips
    out[w, OUT_ATTEMPTS] = tries


@nb.njit(cache=True, parallel=True)
def walk_chunk(P, N, H, S, B, rank, rng, stall, thr, path, goal, max_rank, status, out, nflips, path_limit,
               plus_after, plus_max, split_pct, wrap_pct, ring, reduce_on, reduce3, debug):
    """Advance every walker by up to ``nflips`` flips, in parallel over walkers.

    Args:
        P, N: (K, 3, R, W) uint64 masks; H, S: (K, 3, R) int64 hashes and normal-form signs
            (see :mod:`~discovery.search.flips._moves`); B: (K, L) int64, the index of the
            hashes (:mod:`~discovery.search.flips._index`; call :func:`rehash_all` after loading).
        rank: (K,) live terms (updated). rng: (K,) uint64 xorshift states (updated).
        stall: (K,) draws since the last reduction or plus transition, counted as the scan
            over all 3r positions would (see the module docstring), or with ``plus_max > 0``
            successful flips since then (updated).
        thr: (K,) with ``plus_max > 0``: the flips without a reduction after which walker w
            expands next (0: draw one; updated).
        path: (K,) flips since the walker's last reduction (updated; the pool resets it).
        goal: (K,) a walker stops (status GOAL) once its rank is <= goal[w].
        max_rank: (K,) plus transitions only below this rank (and below R).
        status: (K,) written: ST_CHUNK (chunk done), ST_GOAL, ST_PATH (``path_limit``
            flips without a reduction; 0: no limit), ST_STUCK (no flip possible),
            ST_CORRUPT (debug: an invariant failed).
        out: (K, N_OUT) int64 counters of this call (flips, attempts, reductions, plus).
        plus_after: such draws without a reduction before a plus transition (0: never).
        plus_max: 0, or the period mode: expand after a number of successful flips without a
            reduction drawn uniformly from [plus_after, plus_max] (the C++ tool's law).
        split_pct: percent of expansions that are split transitions
            (:func:`~discovery.search.flips._moves.split`) instead of plus transitions.
        wrap_pct: over Z3, percent of flips allowed to wrap an entry (1 + 1 = -1); the others
            must stay within {-1, 0, 1} as integers would (ignored over ZT and Z2).
        ring: 0 ZT, 1 Z2, 2 Z3. reduce_on: False walks at fixed rank (no reductions; a flip
            that would zero a factor is not taken). reduce3: try three-term reductions.
        debug: check the invariants (and the index against a recount) after every flip.
    """
    W = P.shape[3]
    for w in nb.prange(P.shape[0]):
        _walk(P, N, H, S, B, rank, rng, stall, thr, path, goal, max_rank, status, out, w, nflips, path_limit,
              plus_after, plus_max, split_pct, wrap_pct, ring, W, reduce_on, reduce3, debug)


def new_state(K: int, R: int, W: int):
    """Zeroed arrays (P, N, H, S) and an empty index B for K walkers, R term slots and W words
    per row."""
    P = np.zeros((K, 3, R, W), dtype=np.uint64)
    return (P, np.zeros_like(P), np.zeros((K, 3, R), dtype=np.int64), np.ones((K, 3, R), dtype=np.int64),
            new_index(K, R))
