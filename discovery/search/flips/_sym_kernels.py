"""Compiled symmetric flip walk (numba): every move acts on whole orbits of the cyclic map of <n,n,n>.

A walker holds a cyclic-invariant scheme by its orbit representatives, one per *slot*:
``P[w, x, s]`` / ``N[w, x, s]`` (uint64) are the +1 / -1 positions of factor ``x`` (0: U, 1: V,
2: W) of slot ``s`` (bit ``k`` is coefficient ``k`` of the row, the convention of
:mod:`discovery.core.tensor`; over Z2 only ``P``). Slots ``0 .. S[w]-1`` are live. Slot ``s``
stands for the three terms rot^k(s), k = 0, 1, 2, the images under (U, V, W) -> (V, W, U): the
factor at position x of rot^k(s) is the slot's factor at position (x + k) % 3.

Fixed points (U = V = W up to sign, orbit size 1):

* over ZT they are frozen: they never take part in a move and live outside the kernel (``f0``
  of them, counted in the rank); a move that would make a slot's factors all equal up to sign
  (three copies of one term) is not taken;
* over Z2 a slot whose three factors are equal stands for the one term X⊗X⊗X (its three copies
  are X⊗X⊗X modulo 2) and counts 1 in the rank. Such a slot takes part in moves like any other:
  its three copies are three distinct terms of the multiset, so the rotated copies of a move
  still act on disjoint terms. A flip can thus turn a fixed point into an orbit (rank + 2) and
  back; two equal fixed points cancel (a merge).

The rank of walker w is ``3 S[w] - 2 nfix[w] + f0`` (``nfix``: Z2 slots with equal factors).

Moves (each is one move of the unrestricted flip graph applied to a term pair and to its two
rotated images, three disjoint pairs, so the scheme stays exact and invariant):

* flip between slots i != j: term rot^0(i) and term rot^k(j) share factor x up to sign s
  (``j[(x+k)%3] = s·i[x]``); then ``i[y] += λ s j[(y+k)%3]`` and ``j[(z+k)%3] -= λ i[z]``.
  Flips of a term with its own rotation (i == j) are not taken: the three rotated pairs overlap;
* reduction: rot^0(t) and rot^r(k) share two factors up to sign: t absorbs k (rank - 3, or
  - 6 if t's third factor vanishes); a slot with a zero factor is dropped;
* plus transition on slots i != j (rank + 3), to leave a plateau.

Random numbers: one xorshift64* state per walker (the unrestricted kernels' generator), so a
walker's path depends only on its seed. ``check`` turns on a debug mode that checks every
invariant (masks disjoint, no zero factor, fixed count, rank, and the expanded tensor against
<n,n,n>) after every move and stops the walker with an error code when one fails.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from discovery.search.flips._moves import add1 as _add
from discovery.search.flips._moves import next_u64 as _next
from discovery.search.flips._moves import same1 as _same

_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_S32 = np.uint64(32)

# error codes of the debug mode (``err[w]``)
ERR_MASKS = 1       # a coefficient is both +1 and -1, or a dead slot is not empty
ERR_ZERO = 2        # a live slot has a zero factor after the reductions
ERR_FIXED = 3       # the fixed-point count is wrong, or a ZT slot has equal factors
ERR_TENSOR = 4      # the expanded scheme is not the <n,n,n> tensor
ERR_RANK = 5        # the rank is out of step
ERR_TABLE = 6       # the Z2 factor-count table disagrees with a recount
_GOLD = np.uint64(0x9E3779B97F4A7C15)


@nb.njit(cache=True, inline="always")
def _below(rng, w, k):
    """Uniform integer in [0, k) from the walker's generator (multiply-shift, no division)."""
    return np.int64(((_next(rng, w) >> _S32) * np.uint64(k)) >> _S32)


@nb.njit(cache=True, inline="always")
def _eq3(p0, n0, p1, n1, p2, n2):
    """True if three factors are equal up to sign (all equal over Z2)."""
    return _same(p0, n0, p1, n1) != 0 and _same(p1, n1, p2, n2) != 0


@nb.njit(cache=True, inline="always")
def _alleq(P, N, w, s):
    return _eq3(P[w, 0, s], N[w, 0, s], P[w, 1, s], N[w, 1, s], P[w, 2, s], N[w, 2, s])


@nb.njit(cache=True, inline="always")
def _alleq_with(P, N, w, s, q, pq, nq):
    """Would slot s have equal factors with factor q replaced by (pq, nq)?"""
    a0p, a0n, a1p, a1n, a2p, a2n = P[w, 0, s], N[w, 0, s], P[w, 1, s], N[w, 1, s], P[w, 2, s], N[w, 2, s]
    if q == 0:
        a0p, a0n = pq, nq
    elif q == 1:
        a1p, a1n = pq, nq
    else:
        a2p, a2n = pq, nq
    return _eq3(a0p, a0n, a1p, a1n, a2p, a2n)


@nb.njit(cache=True)
def _count_fixed(P, N, w, S, z2):
    if not z2:
        return 0
    c = 0
    for s in range(S):
        if _alleq(P, N, w, s):
            c += 1
    return c


@nb.njit(cache=True, inline="always")
def _signed(p, n, s):
    return (p, n) if s > 0 else (n, p)


@nb.njit(cache=True)
def _remove(P, N, w, s, S):
    """Drop slot s (the last live slot moves into its place); returns the new slot count."""
    last = S - 1
    for x in range(3):
        P[w, x, s] = P[w, x, last]
        N[w, x, s] = N[w, x, last]
        P[w, x, last] = _ZERO
        N[w, x, last] = _ZERO
    return last


@nb.njit(cache=True)
def _merge(P, N, w, t, k, r, S, z2):
    """Let slot t absorb slot k (t != k) if rot^0(t) and rot^r(k) share two factors up to sign.

    Returns (new slot count, merged)."""
    for z in range(3):
        x = (z + 1) % 3
        y = (z + 2) % 3
        sx = _same(P[w, x, t], N[w, x, t], P[w, (x + r) % 3, k], N[w, (x + r) % 3, k])
        if sx == 0:
            continue
        sy = _same(P[w, y, t], N[w, y, t], P[w, (y + r) % 3, k], N[w, (y + r) % 3, k])
        if sy == 0:
            continue
        q = (z + r) % 3
        ok, zp, zn = _add(P[w, z, t], N[w, z, t], P[w, q, k], N[w, q, k], sx * sy, z2)
        if not ok:
            continue
        if not z2 and (zp | zn) != _ZERO and _alleq_with(P, N, w, t, z, zp, zn):
            continue
        P[w, z, t] = zp
        N[w, z, t] = zn
        hi, lo = (t, k) if t > k else (k, t)
        if (zp | zn) == _ZERO:
            S = _remove(P, N, w, hi, S)
            S = _remove(P, N, w, lo, S)
        else:
            S = _remove(P, N, w, k, S)
        return S, True
    return S, False


@nb.njit(cache=True)
def _absorb(P, N, w, t, S):
    """Z2: slot t = (A, A, B) up to rotation (two cyclically adjacent factors equal, the third B
    different) and a fixed point B⊗B⊗B present: orbit(A, A, B) + B⊗B⊗B = orbit(A+B, A+B, B)
    modulo 2, so t becomes (A+B, A+B, B) and the fixed point goes (rank - 1).

    (Σ_cyc (A+B)⊗(A+B)⊗B = orbit(A, A, B) + 2·orbit(A, B, B) + 3·B⊗B⊗B.) Returns (S, absorbed)."""
    for p in range(3):
        a = P[w, p, t]
        b = P[w, (p + 2) % 3, t]
        if P[w, (p + 1) % 3, t] != a or a == b:
            continue
        for f in range(S):
            if f != t and P[w, 0, f] == b and P[w, 1, f] == b and P[w, 2, f] == b:
                P[w, p, t] = a ^ b
                P[w, (p + 1) % 3, t] = a ^ b
                return _remove(P, N, w, f, S), True
    return S, False


@nb.njit(cache=True)
def _reduce_all(P, N, w, S, z2):
    """Drop slots with a zero factor, merge every reducible pair and (Z2) absorb fixed points until none is left."""
    changed = True
    while changed:
        changed = False
        s = 0
        while s < S:
            if ((P[w, 0, s] | N[w, 0, s]) == _ZERO or (P[w, 1, s] | N[w, 1, s]) == _ZERO
                    or (P[w, 2, s] | N[w, 2, s]) == _ZERO):
                S = _remove(P, N, w, s, S)
                changed = True
                continue
            s += 1
        if z2:
            for t in range(S):
                S, absorbed = _absorb(P, N, w, t, S)
                if absorbed:
                    changed = True
                    break
            if changed:
                continue
        for t in range(S):
            for k in range(t + 1, S):
                for r in range(3):
                    S, merged = _merge(P, N, w, t, k, r, S, z2)
                    if merged:
                        changed = True
                        break
                if changed:
                    break
            if changed:
                break
    return S


@nb.njit(cache=True)
def _try_reduce(P, N, w, t, y, S, z2):
    """Merge slot t with a partner whose rotated term shares t's (just changed) factor y and one more.

    Returns (slot count, reduced)."""
    py = P[w, y, t]
    ny = N[w, y, t]
    for q in range(3):
        r = (q - y + 3) % 3
        for k in range(S):
            if k == t:
                continue
            if (P[w, q, k] == py if z2 else _same(py, ny, P[w, q, k], N[w, q, k]) != 0):
                S2, merged = _merge(P, N, w, t, k, r, S, z2)
                if merged:
                    return _reduce_all(P, N, w, S2, z2), True
    return S, False


@nb.njit(cache=True)
def _try_reduce3(P, N, w, t, x, y, S, z2):
    """Three-term reduction: rot^0(t), rot^rj(j), rot^rk(k) (t, j, k distinct slots) share factor x
    up to sign and ``Y_t = α Ŷ_j + β Ŷ_k`` (Ŷ: Y with the sign that makes X equal); then
    ``Z_j += α Z_t``, ``Z_k += β Z_t`` on the rotated terms and slot t goes (rank - 3).
    Returns (S, reduced)."""
    z = 3 - x - y
    px = P[w, x, t]
    nx = N[w, x, t]
    pt = P[w, y, t]
    nt = N[w, y, t]
    m = 0
    cs = np.empty(24, np.int64)  # partners: slot, rotation, sign
    cr = np.empty(24, np.int64)
    cg = np.empty(24, np.int64)
    for q in range(3):
        for k in range(S):
            if k == t or m >= 24:
                continue
            sg = 1 if (z2 and P[w, q, k] == px) else (0 if z2 else _same(px, nx, P[w, q, k], N[w, q, k]))
            if sg != 0:
                cs[m] = k
                cr[m] = (q - x + 3) % 3
                cg[m] = sg
                m += 1
    for a in range(m):
        j = cs[a]
        rj = cr[a]
        pj, nj = _signed(P[w, (y + rj) % 3, j], N[w, (y + rj) % 3, j], cg[a])
        for b in range(a + 1, m):
            k = cs[b]
            if k == j:
                continue
            rk = cr[b]
            pk, nk = _signed(P[w, (y + rk) % 3, k], N[w, (y + rk) % 3, k], cg[b])
            for alpha in (1, -1):
                for beta in (1, -1):
                    if z2 and (alpha < 0 or beta < 0):
                        continue
                    aj, an = _signed(pj, nj, alpha)
                    ok, sp, sn = _add(aj, an, pk, nk, beta, z2)
                    if not ok or sp != pt or sn != nt:
                        continue
                    qj = (z + rj) % 3
                    qk = (z + rk) % 3
                    ok1, zjp, zjn = _add(P[w, qj, j], N[w, qj, j], P[w, z, t], N[w, z, t], alpha, z2)
                    ok2, zkp, zkn = _add(P[w, qk, k], N[w, qk, k], P[w, z, t], N[w, z, t], beta, z2)
                    if not (ok1 and ok2):
                        continue
                    if not z2 and (_alleq_with(P, N, w, j, qj, zjp, zjn) or _alleq_with(P, N, w, k, qk, zkp, zkn)):
                        continue
                    P[w, qj, j] = zjp
                    N[w, qj, j] = zjn
                    P[w, qk, k] = zkp
                    N[w, qk, k] = zkn
                    S = _remove(P, N, w, t, S)
                    return _reduce_all(P, N, w, S, z2), True
    return S, False


@nb.njit(cache=True)
def _plus(P, N, rng, w, S, z2):
    """One plus transition on a random pair of slots, applied to the three rotated pairs.

    With a = rot^0(i), b = rot^k(j) (s: a sign), a + b becomes (X_a - s X_b)⊗Y_a⊗Z_a +
    X_b⊗(Y_b - Y_a)⊗Z_b + (s X_b)⊗Y_a⊗(Z_a + s Z_b). Returns the new slot count (S + 1, or S)."""
    if S < 2 or S >= P.shape[2]:
        return S
    for _ in range(16):
        i = _below(rng, w, S)
        j = _below(rng, w, S - 1)
        if j >= i:
            j += 1
        k = _below(rng, w, 3)
        x = _below(rng, w, 3)
        if _below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        s = 1 if z2 or _below(rng, w, 2) == 0 else -1
        qx = (x + k) % 3
        qy = (y + k) % 3
        qz = (z + k) % 3
        ok1, xp, xn = _add(P[w, x, i], N[w, x, i], P[w, qx, j], N[w, qx, j], -s, z2)
        ok2, zp, zn = _add(P[w, z, i], N[w, z, i], P[w, qz, j], N[w, qz, j], s, z2)
        ok3, yp, yn = _add(P[w, qy, j], N[w, qy, j], P[w, y, i], N[w, y, i], -1, z2)
        if not (ok1 and ok2 and ok3):
            continue
        if (xp | xn) == _ZERO or (zp | zn) == _ZERO or (yp | yn) == _ZERO:
            continue
        bxp, bxn = _signed(P[w, qx, j], N[w, qx, j], s)
        if not z2:
            if _alleq_with(P, N, w, i, x, xp, xn) or _alleq_with(P, N, w, j, qy, yp, yn):
                continue
            t0p, t0n, t1p, t1n, t2p, t2n = _ZERO, _ZERO, _ZERO, _ZERO, _ZERO, _ZERO
            if x == 0:
                t0p, t0n = bxp, bxn
            elif x == 1:
                t1p, t1n = bxp, bxn
            else:
                t2p, t2n = bxp, bxn
            if y == 0:
                t0p, t0n = P[w, y, i], N[w, y, i]
            elif y == 1:
                t1p, t1n = P[w, y, i], N[w, y, i]
            else:
                t2p, t2n = P[w, y, i], N[w, y, i]
            if z == 0:
                t0p, t0n = zp, zn
            elif z == 1:
                t1p, t1n = zp, zn
            else:
                t2p, t2n = zp, zn
            if _eq3(t0p, t0n, t1p, t1n, t2p, t2n):
                continue
        # the new slot S: (s X_b) at x, Y_a at y, Z_a + s Z_b at z
        P[w, x, S] = bxp
        N[w, x, S] = bxn
        P[w, y, S] = P[w, y, i]
        N[w, y, S] = N[w, y, i]
        P[w, z, S] = zp
        N[w, z, S] = zn
        P[w, x, i] = xp
        N[w, x, i] = xn
        P[w, qy, j] = yp
        N[w, qy, j] = yn
        return S + 1
    return S


@nb.njit(cache=True)
def _accumulate(T, n2, up, un, vp, vn, wp, wn, z2):
    """Add the rank-one tensor u⊗v⊗w (ternary masks) to the flat tensor T of shape (n2**3,)."""
    for a in range(n2):
        ba = _ONE << np.uint64(a)
        sa = 1 if (up & ba) != _ZERO else (-1 if (un & ba) != _ZERO else 0)
        if sa == 0:
            continue
        for b in range(n2):
            bb = _ONE << np.uint64(b)
            sb = 1 if (vp & bb) != _ZERO else (-1 if (vn & bb) != _ZERO else 0)
            if sb == 0:
                continue
            for c in range(n2):
                bc = _ONE << np.uint64(c)
                sc = 1 if (wp & bc) != _ZERO else (-1 if (wn & bc) != _ZERO else 0)
                if sc == 0:
                    continue
                e = (a * n2 + b) * n2 + c
                if z2:
                    T[e] ^= 1
                else:
                    T[e] += sa * sb * sc


@nb.njit(cache=True)
def _tensor_ok(P, N, w, S, FP, FN, n, z2):
    """Is the expanded scheme (every slot's orbit, and the frozen fixed points) the <n,n,n> tensor?"""
    n2 = n * n
    T = np.zeros(n2 * n2 * n2, dtype=np.int64)
    for s in range(S):
        copies = 1 if (z2 and _alleq(P, N, w, s)) else 3
        for k in range(copies):
            _accumulate(T, n2, P[w, k % 3, s], N[w, k % 3, s], P[w, (1 + k) % 3, s], N[w, (1 + k) % 3, s],
                        P[w, (2 + k) % 3, s], N[w, (2 + k) % 3, s], z2)
    for f in range(FP.shape[1]):
        _accumulate(T, n2, FP[0, f], FN[0, f], FP[1, f], FN[1, f], FP[2, f], FN[2, f], z2)
    for i in range(n):
        for j in range(n):
            for k in range(n):
                e = ((i * n + j) * n2 + (j * n + k)) * n2 + (k * n + i)
                T[e] -= 1
    for e in range(T.shape[0]):
        if z2:
            if (T[e] & 1) != 0:
                return False
        elif T[e] != 0:
            return False
    return True


@nb.njit(cache=True)
def _check(P, N, Sarr, nfix, w, f0, FP, FN, n, z2, rank):
    """The debug mode's invariants of walker w; 0 if all hold, else an error code."""
    S = Sarr[w]
    for s in range(P.shape[2]):
        for x in range(3):
            if (P[w, x, s] & N[w, x, s]) != _ZERO or (z2 and N[w, x, s] != _ZERO):
                return ERR_MASKS
            if s >= S and (P[w, x, s] | N[w, x, s]) != _ZERO:
                return ERR_MASKS
            if s < S and (P[w, x, s] | N[w, x, s]) == _ZERO:
                return ERR_ZERO
    if not z2:
        for s in range(S):
            if _alleq(P, N, w, s):
                return ERR_FIXED
    if _count_fixed(P, N, w, S, z2) != nfix[w]:
        return ERR_FIXED
    if rank != 3 * S - 2 * nfix[w] + f0:
        return ERR_RANK
    if not _tensor_ok(P, N, w, S, FP, FN, n, z2):
        return ERR_TENSOR
    return 0


@nb.njit(cache=True)
def _save_best(P, N, Sarr, BP, BN, BS, w):
    S = Sarr[w]
    for x in range(3):
        for s in range(P.shape[2]):
            BP[w, x, s] = P[w, x, s] if s < S else _ZERO
            BN[w, x, s] = N[w, x, s] if s < S else _ZERO
    BS[w] = S


# ---- Z2: a count of every factor value, so that a factor without a partner is rejected in O(1) --
@nb.njit(cache=True, inline="always")
def _home(v, mask):
    return np.int64(((v * _GOLD) >> _S32) & np.uint64(mask))


@nb.njit(cache=True)
def _tget(K, C, v, mask):
    """How many factor positions hold the value v (open addressing, linear probing)."""
    i = _home(v, mask)
    while K[i] != _ZERO:
        if K[i] == v:
            return C[i]
        i = (i + 1) & mask
    return 0


@nb.njit(cache=True)
def _tinc(K, C, v, mask):
    i = _home(v, mask)
    while K[i] != _ZERO and K[i] != v:
        i = (i + 1) & mask
    K[i] = v
    C[i] += 1


@nb.njit(cache=True)
def _tdec(K, C, v, mask):
    """One occurrence of v less; a value that reaches 0 is deleted by shifting its cluster back."""
    i = _home(v, mask)
    while K[i] != v:
        i = (i + 1) & mask
    C[i] -= 1
    if C[i] > 0:
        return
    j = i
    while True:
        j = (j + 1) & mask
        if K[j] == _ZERO:
            break
        k = _home(K[j], mask)
        if (i < k <= j) if i <= j else (i < k or k <= j):
            continue  # K[j] sits between its home and the hole: it stays
        K[i] = K[j]
        C[i] = C[j]
        i = j
    K[i] = _ZERO
    C[i] = 0


@nb.njit(cache=True)
def _tbuild(K, C, P, w, S, mask):
    K[:] = _ZERO
    C[:] = 0
    for q in range(3):
        for s in range(S):
            _tinc(K, C, P[w, q, s], mask)


@nb.njit(cache=True)
def _table_ok(K, C, P, w, S, mask):
    for q in range(3):
        for s in range(S):
            v = P[w, q, s]
            c = 0
            for q2 in range(3):
                for s2 in range(S):
                    c += P[w, q2, s2] == v
            if _tget(K, C, v, mask) != c:
                return False
    return True


@nb.njit(cache=True)
def _walk(P, N, Sarr, nfix, rng, stall, steps, best, BP, BN, BS, best_at, err, w, nflips, run_flips,
          goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, by_value):
    """Walker w's run, for up to ``nflips`` more flips (see :func:`walk_runs`). Returns flips done."""
    S = Sarr[w]
    rank = 3 * S - 2 * nfix[w] + f0
    flips = 0
    tries = 0
    use_t = z2 and greedy == 0
    size = 16
    while size < 12 * P.shape[2]:
        size *= 2
    mask = size - 1
    TK = np.zeros(size, np.uint64)
    TC = np.zeros(size, np.int64)
    if use_t:
        _tbuild(TK, TC, P, w, S, mask)
    fails = 0  # attempts in a row without a flip: a scheme with (almost) none left gets its plus transition
    while flips < nflips and steps[w] < run_flips and tries < 8 * nflips and best[w] > goal:
        tries += 1
        fails += 1
        if fails > 16 * S + 64:
            stall[w] = max(stall[w], plus_after)
            fails = 0
        if plus_after > 0 and stall[w] >= plus_after and rank + 3 <= best[w] + margin:
            S2 = _plus(P, N, rng, w, S, z2)
            stall[w] = 0
            if S2 != S:
                S = S2
                Sarr[w] = S
                if use_t:
                    _tbuild(TK, TC, P, w, S, mask)
                nfix[w] = _count_fixed(P, N, w, S, z2)
                rank = 3 * S - 2 * nfix[w] + f0
                if check:
                    e = _check(P, N, Sarr, nfix, w, f0, FP, FN, n, z2, rank)
                    if e != 0:
                        err[w] = e
                        break
        if S < 2:
            break
        j = -1
        i = -1
        x = 0
        kk = 0
        sgn = 0
        count = 0
        if use_t and by_value:
            # Moosbauer & Poole's choice: a value held twice or more, uniformly among such values
            # (rejection over the table), then an ordered pair of its positions in two slots
            t = -1
            for _ in range(4 * size):
                t = _below(rng, w, size)
                if TC[t] >= 2:
                    break
            if t < 0 or TC[t] < 2:
                continue
            v = TK[t]
            c = TC[t]
            a = _below(rng, w, c)
            b = _below(rng, w, c - 1)
            if b >= a:
                b += 1
            i = -1
            x = 0
            qb = 0
            seen = 0
            Pw = P[w]
            for q in range(3):
                row = Pw[q]
                for jj in range(S):
                    if row[jj] == v:
                        if seen == a:
                            i = jj
                            x = q
                        elif seen == b:
                            j = jj
                            qb = q
                        seen += 1
            if i < 0 or j < 0 or i == j:
                continue
            kk = (qb - x + 3) % 3
            sgn = 1
        if j < 0:  # a random slot and factor, then one of its partners
            i = _below(rng, w, S)
            x = _below(rng, w, 3)
            pi = P[w, x, i]
            ni = N[w, x, i]
            if z2:  # equal masks, no signs: count the partners, then take the chosen one
                Pw = P[w]
                if use_t:
                    count = _tget(TK, TC, pi, mask)
                else:
                    for q in range(3):
                        row = Pw[q]
                        for jj in range(S):
                            count += row[jj] == pi
                for q in range(3):  # slot i's own factors
                    count -= Pw[q, i] == pi
                if count > 0:
                    pick = _below(rng, w, count)
                    for q in range(3):
                        row = Pw[q]
                        for jj in range(S):
                            if row[jj] == pi and jj != i:
                                if pick == 0:
                                    j = jj
                                    kk = (q - x + 3) % 3
                                    sgn = 1
                                    break
                                pick -= 1
                        if j >= 0:
                            break
            else:
                for jj in range(S):
                    if jj == i:
                        continue
                    for k in range(3):
                        q = (x + k) % 3
                        s = _same(pi, ni, P[w, q, jj], N[w, q, jj])
                        if s != 0:
                            count += 1
                            if count == 1 or _below(rng, w, count) == 0:
                                j = jj
                                kk = k
                                sgn = s
        if j < 0:
            continue
        if _below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        qy = (y + kk) % 3
        qz = (z + kk) % 3
        lam = 1 if z2 or _below(rng, w, 2) == 0 else -1
        done = False
        yp = _ZERO
        yn = _ZERO
        zp = _ZERO
        zn = _ZERO
        for _ in range(1 if z2 else 2):
            ok1, yp, yn = _add(P[w, y, i], N[w, y, i], P[w, qy, j], N[w, qy, j], lam * sgn, z2)
            ok2, zp, zn = _add(P[w, qz, j], N[w, qz, j], P[w, z, i], N[w, z, i], -lam, z2)
            if ok1 and ok2 and (z2 or not (_alleq_with(P, N, w, i, y, yp, yn)
                                          or _alleq_with(P, N, w, j, qz, zp, zn))):
                done = True
                break
            lam = -lam
        if not done:
            continue
        dfix = 0
        if z2:
            dfix = (int(_alleq_with(P, N, w, i, y, yp, yn)) - int(_alleq(P, N, w, i))
                    + int(_alleq_with(P, N, w, j, qz, zp, zn)) - int(_alleq(P, N, w, j)))
            if dfix < 0:
                continue  # a fixed point would become an orbit (rank + 2): left to plus transitions
        oy = P[w, y, i]
        oz = P[w, qz, j]
        P[w, y, i] = yp
        N[w, y, i] = yn
        P[w, qz, j] = zp
        N[w, qz, j] = zn
        flips += 1
        steps[w] += 1
        stall[w] += 1  # flips, not attempts, since the last reduction
        fails = 0
        nfix[w] += dfix
        S0 = S
        if greedy == 0:
            if (yp | yn) == _ZERO or (zp | zn) == _ZERO:
                hi, lo = (i, j) if i > j else (j, i)
                for t in (hi, lo):  # the higher first: removing it leaves the lower in place
                    if ((P[w, 0, t] | N[w, 0, t]) == _ZERO or (P[w, 1, t] | N[w, 1, t]) == _ZERO
                            or (P[w, 2, t] | N[w, 2, t]) == _ZERO):
                        S = _remove(P, N, w, t, S)
        elif (yp | yn) == _ZERO or (zp | zn) == _ZERO or dfix != 0:
            S = _reduce_all(P, N, w, S, z2)
        else:
            S, red = _try_reduce(P, N, w, i, y, S, z2)
            if not red:
                S, red = _try_reduce(P, N, w, j, qz, S, z2)
            if not red and greedy >= 2:
                S, red = _try_reduce3(P, N, w, i, x, y, S, z2)
                if not red:
                    S, red = _try_reduce3(P, N, w, i, z, y, S, z2)
                if not red:
                    S, red = _try_reduce3(P, N, w, j, (x + kk) % 3, qz, S, z2)
                if not red:
                    S, red = _try_reduce3(P, N, w, j, qy, qz, S, z2)
            if z2 and not red:
                S, red = _absorb(P, N, w, i, S)
                if not red:
                    S, red = _absorb(P, N, w, j, S)
                if red:
                    S = _reduce_all(P, N, w, S, z2)
        if S != S0:
            Sarr[w] = S
            nfix[w] = _count_fixed(P, N, w, S, z2)
            stall[w] = 0
            if use_t:
                _tbuild(TK, TC, P, w, S, mask)
        elif use_t:
            _tdec(TK, TC, oy, mask)
            _tinc(TK, TC, yp, mask)
            _tdec(TK, TC, oz, mask)
            _tinc(TK, TC, zp, mask)
        rank = 3 * S - 2 * nfix[w] + f0
        if check:
            e = _check(P, N, Sarr, nfix, w, f0, FP, FN, n, z2, rank)
            if e == 0 and use_t and not _table_ok(TK, TC, P, w, S, mask):
                e = ERR_TABLE
            if e != 0:
                err[w] = e
                break
        if rank < best[w]:
            best[w] = rank
            best_at[w] = steps[w]
            _save_best(P, N, Sarr, BP, BN, BS, w)
    Sarr[w] = S
    if tries >= 8 * nflips and flips == 0:
        steps[w] = run_flips  # no flip left: the run is over
    return flips


@nb.njit(cache=True, parallel=True)
def walk_runs(P, N, S, nfix, rng, stall, steps, best, BP, BN, BS, best_at, flips_out, err, nflips, run_flips,
              goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, by_value):
    """Advance every walker's run by up to ``nflips`` flips, in parallel over walkers.

    Args:
        P, N: (K, 3, R) uint64 slot masks (module docstring). S: (K,) live slots. nfix: (K,)
            Z2 slots with equal factors (0 over ZT). rng: (K,) xorshift states.
        stall: (K,) flips since the last reduction (or plus transition). steps: (K,) flips of the run so far.
        best: (K,) the run's lowest rank; BP, BN, BS: that scheme's masks and slot count;
            best_at: (K,) the run's flip count when it got there. (All updated.)
        flips_out: (K,) flips done in this call; err: (K,) debug error codes (written).
        nflips: flips per walker in this call; run_flips: a run's length in flips; a run is
            over once ``steps >= run_flips`` or ``best <= goal``.
        margin: plus transitions (rank + 3) only while the rank stays within ``best + margin``.
        plus_after: flips without a reduction before a plus transition (0: never).
        z2: arithmetic modulo 2. f0: frozen fixed points (ZT), FP, FN: their (3, f0) masks.
        n: the format <n,n,n>. check: the debug mode (every invariant after every move).
        greedy: reductions looked for after every flip: 0 only the flip's own (a factor that
            vanished: the flip merged two terms), 1 also every orbit sharing two factors with a
            changed one, 2 also three-term reductions.
        by_value: (Z2, greedy 0) pick a flip as a factor value held twice or more, uniformly, then
            two of its positions (Moosbauer & Poole); else a random slot and factor, then a partner.
    """
    for w in nb.prange(P.shape[0]):
        flips_out[w] = 0
        if steps[w] >= run_flips or best[w] <= goal or err[w] != 0:
            continue
        flips_out[w] = _walk(P, N, S, nfix, rng, stall, steps, best, BP, BN, BS, best_at, err, w, nflips,
                             run_flips, goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, by_value)
