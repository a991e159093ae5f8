"""Compiled symmetric flip walk under the full group of <n,n,n> (σ cyclic × τ transpose, order 6).

The group's elements are data: g = σ^k τ^t (k in 0..2, t in 0..1) maps a term to the term whose
factor at position x is ``T^t(f[π^t((x + k) % 3)])``, where f are the term's factors (0: U, 1: V,
2: W, as in :mod:`._sym_kernels`), π swaps positions 0 and 1 and T transposes an n×n factor (a
lookup table ``TT`` of shape (8, 256) on the bytes of a mask). k = t = 0 is the identity; t = 0
alone is the cyclic group.

A walker holds one slot per orbit that moves: ``P/N[w, x, s]`` the factor masks of slot s, and
``KD[w, s]`` its orbit size:

* 6 (a free term t: its six images g·t are distinct; a move that would give a free slot a
  stabiliser, even up to sign, is not taken);
* 3 (a term fixed by τ, held in the normal form V = Uᵀ, W = Wᵀ exactly: it stands for t, σt,
  σ²t; the image σ^k t is fixed by the involution that fixes its position (2 - k) % 3).

Orbits of size 2 and 1 (U = V = W up to sign) are frozen: they never move and live outside the
kernel, their expanded terms in ``FP``/``FN``. The rank is ``Σ KD + f0``.

Moves (each the whole G-orbit of one move of the unrestricted flip graph, so the scheme stays
exact and invariant):

* flip of term A = slot i and B = g·j (i != j) sharing factor x up to sign s, ``A[y] += λ s B[y]``,
  ``B[z] -= λ A[z]``. A term fixed by an involution ι takes part in two of the six images of the
  flip, both modifying its fixed position: so a size-3 slot is modified only at its fixed position
  (W in its own coordinates) and by the symmetrised amount ``F + Fᵀ`` (for A: y = 2 and
  ``A[2] += λ s (B[2] + B[2]ᵀ)``; for B = σ^k j: z = (2 - k) % 3 and ``B[z] -= λ (A[z] + A[z]ᵀ)``);
  the reads are of unmodified factors only, so the images commute and the sum is exact;
* reduction of A and B = g·j sharing two factors: A absorbs B (both free: rank - 6); a size-3 A
  absorbs a free B sharing U and V (A, B and τB: rank - 6) or a size-3 B = j sharing U and V
  (rank - 3); a size-3 B = σ^k j absorbs a free A whose third factor is at B's fixed position;
  a free d whose image under an involution shares two factors merges with it into a size-3 orbit
  (rank - 3); slots with a zero factor are dropped;
* turn of a size-3 slot c = (U, Uᵀ, W) with a free image B sharing W:
  c + B + τB = c' + B' + τB' + E (c' = (U + a, (U + a)ᵀ, W), a new size-3 E): a flip when E merges at
  once into another size-3 slot, a plus transition (rank + 3) when E becomes a slot;
* plus transitions: on two free slots (rank + 6), the turn above, or the split of a size-3 slot
  whose W has a zero diagonal into a free orbit (rank + 3).

``check`` turns on the debug mode: after every move every invariant (masks, normal forms,
freeness, rank, and the expanded tensor against <n,n,n>) is checked and a failure stops the
walker with an error code (those of :mod:`._sym_kernels`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from discovery.search.flips._moves import add1 as _add
from discovery.search.flips._moves import same1 as _same
from discovery.search.flips._sym_kernels import (ERR_FIXED, ERR_MASKS, ERR_RANK, ERR_TENSOR, ERR_ZERO,
                                                 _accumulate, _below, _eq3)

_ZERO = np.uint64(0)
_FF = np.uint64(255)
_EIGHT = np.uint64(8)


def transpose_table(n: int) -> np.ndarray:
    """(8, 256) uint64: entry [q, v] is the transpose of the n×n mask whose byte q is v (others 0);
    bit i·n + j of a mask is entry (i, j)."""
    tt = np.zeros((8, 256), np.uint64)
    for q in range(8):
        for v in range(256):
            out = 0
            for b in range(8):
                idx = 8 * q + b
                if v >> b & 1 and idx < n * n:
                    i, j = divmod(idx, n)
                    out |= 1 << (j * n + i)
            tt[q, v] = out
    return tt


@nb.njit(cache=True, inline="always")
def _tr(TT, v):
    """The transpose of a mask."""
    out = _ZERO
    q = 0
    while v != _ZERO:
        out |= TT[q, np.int64(v & _FF)]
        v >>= _EIGHT
        q += 1
    return out


@nb.njit(cache=True, inline="always")
def _pos(x, k, t):
    """The slot position that gives factor x of the image σ^k τ^t of the slot's term."""
    r = (x + k) % 3
    if t == 1 and r < 2:
        r = 1 - r
    return r


@nb.njit(cache=True, inline="always")
def _fac(P, N, TT, w, j, x, k, t):
    """Factor x of the image σ^k τ^t of slot j's term: (pos, neg)."""
    q = _pos(x, k, t)
    if t == 1:
        return _tr(TT, P[w, q, j]), _tr(TT, N[w, q, j])
    return P[w, q, j], N[w, q, j]


@nb.njit(cache=True, inline="always")
def _other_two(rng, w, x):
    """The two positions other than x, in a random order."""
    if _below(rng, w, 2) == 0:
        return (x + 1) % 3, (x + 2) % 3
    return (x + 2) % 3, (x + 1) % 3


@nb.njit(cache=True, inline="always")
def _sym(TT, p, n, z2):
    """F + Fᵀ: (ok, pos, neg); ok is False over ZT when a diagonal entry would be ±2."""
    return _add(p, n, _tr(TT, p), _tr(TT, n), 1, z2)


@nb.njit(cache=True, inline="always")
def _zero(p, n):
    return (p | n) == _ZERO


@nb.njit(cache=True)
def _degenerate(TT, a0p, a0n, a1p, a1n, a2p, a2n):
    """Is the term fixed, up to sign, by a group element other than the identity? (σ: three equal
    factors; the involution fixing position c: factor c symmetric or antisymmetric and factor c+1
    equal to ±(factor c+2)ᵀ.)"""
    if _eq3(a0p, a0n, a1p, a1n, a2p, a2n):
        return True
    if _same(_tr(TT, a0p), _tr(TT, a0n), a0p, a0n) != 0 and _same(a1p, a1n, _tr(TT, a2p), _tr(TT, a2n)) != 0:
        return True
    if _same(_tr(TT, a1p), _tr(TT, a1n), a1p, a1n) != 0 and _same(a2p, a2n, _tr(TT, a0p), _tr(TT, a0n)) != 0:
        return True
    return (_same(_tr(TT, a2p), _tr(TT, a2n), a2p, a2n) != 0
            and _same(a0p, a0n, _tr(TT, a1p), _tr(TT, a1n)) != 0)


@nb.njit(cache=True)
def _deg_with(P, N, KD, TT, w, s, q, pq, nq):
    """Would slot s leave its orbit size with factor q replaced by (pq, nq)? (Size 6: a stabiliser,
    :func:`_degenerate`; size 3: three equal factors, a fixed point of the whole group.)"""
    a0p, a0n, a1p, a1n, a2p, a2n = P[w, 0, s], N[w, 0, s], P[w, 1, s], N[w, 1, s], P[w, 2, s], N[w, 2, s]
    if q == 0:
        a0p, a0n = pq, nq
    elif q == 1:
        a1p, a1n = pq, nq
    else:
        a2p, a2n = pq, nq
    if KD[w, s] == 3:
        return _eq3(a0p, a0n, a1p, a1n, a2p, a2n)
    return _degenerate(TT, a0p, a0n, a1p, a1n, a2p, a2n)


@nb.njit(cache=True)
def _rank(KD, w, S):
    r = 0
    for s in range(S):
        r += KD[w, s]
    return r


@nb.njit(cache=True)
def _remove(P, N, KD, w, s, S):
    """Drop slot s (the last live slot moves into its place); returns the new slot count."""
    last = S - 1
    for x in range(3):
        P[w, x, s] = P[w, x, last]
        N[w, x, s] = N[w, x, last]
        P[w, x, last] = _ZERO
        N[w, x, last] = _ZERO
    KD[w, s] = KD[w, last]
    KD[w, last] = 0
    return last


@nb.njit(cache=True)
def _remove2(P, N, KD, w, a, b, S):
    hi, lo = (a, b) if a > b else (b, a)
    S = _remove(P, N, KD, w, hi, S)
    return _remove(P, N, KD, w, lo, S)


@nb.njit(cache=True)
def _merge(P, N, KD, TT, w, t, k, kk, tt, z, S, z2):
    """Term A = slot t and B = σ^kk τ^tt (slot k) share the two factors other than z (up to sign):
    one absorbs the other as the module docstring says. Returns (slot count, merged)."""
    x = (z + 1) % 3
    y = (z + 2) % 3
    bxp, bxn = _fac(P, N, TT, w, k, x, kk, tt)
    sx = _same(P[w, x, t], N[w, x, t], bxp, bxn)
    if sx == 0:
        return S, False
    byp, byn = _fac(P, N, TT, w, k, y, kk, tt)
    sy = _same(P[w, y, t], N[w, y, t], byp, byn)
    if sy == 0:
        return S, False
    sg = sx * sy
    ft = KD[w, t] == 3
    fk = KD[w, k] == 3
    bzp, bzn = _fac(P, N, TT, w, k, z, kk, tt)
    if fk and not ft:  # B absorbs A and its image under B's involution, at B's fixed position
        if tt != 0 or z != (2 - kk) % 3:
            return S, False
        ok, dp, dn = _sym(TT, P[w, z, t], N[w, z, t], z2)
        if not ok:
            return S, False
        ok, np_, nn = _add(bzp, bzn, dp, dn, sg, z2)
        if not ok:
            return S, False
        if _zero(np_, nn):
            return _remove2(P, N, KD, w, t, k, S), True
        if _deg_with(P, N, KD, TT, w, k, 2, np_, nn):
            return S, False
        P[w, 2, k] = np_
        N[w, 2, k] = nn
        return _remove(P, N, KD, w, t, S), True
    if ft:
        if z != 2 or (fk and (kk != 0 or tt != 0)):
            return S, False
        if fk:
            dp, dn = bzp, bzn
        else:
            ok, dp, dn = _sym(TT, bzp, bzn, z2)
            if not ok:
                return S, False
    else:
        dp, dn = bzp, bzn
    ok, np_, nn = _add(P[w, z, t], N[w, z, t], dp, dn, sg, z2)
    if not ok:
        return S, False
    if _zero(np_, nn):
        return _remove2(P, N, KD, w, t, k, S), True
    if _deg_with(P, N, KD, TT, w, t, z, np_, nn):
        return S, False
    P[w, z, t] = np_
    N[w, z, t] = nn
    return _remove(P, N, KD, w, k, S), True


@nb.njit(cache=True)
def _self_merge(P, N, KD, TT, w, t, S, z2):
    """A free slot t = d whose image ιd under the involution fixing position c shares the two other
    factors (``d[c+1] = α d[c+2]ᵀ``): d + ιd = (d[c] + d[c]ᵀ at c, the same others), fixed by ι,
    so the orbit of 6 becomes an orbit of 3 (rank - 3), held in the τ-normal form
    (U, V, W) = (d[c+1], α d[c+2], α (d[c] + d[c]ᵀ)). Returns (slot count, merged)."""
    if KD[w, t] != 6:
        return S, False
    for c in range(3):
        c1 = (c + 1) % 3
        c2 = (c + 2) % 3
        a = _same(P[w, c1, t], N[w, c1, t], _tr(TT, P[w, c2, t]), _tr(TT, N[w, c2, t]))
        if a == 0:
            continue
        ok, mp, mn = _sym(TT, P[w, c, t], N[w, c, t], z2)
        if not ok:
            continue
        if _zero(mp, mn):
            return _remove(P, N, KD, w, t, S), True
        up, un = P[w, c1, t], N[w, c1, t]
        vp, vn = (P[w, c2, t], N[w, c2, t]) if a > 0 else (N[w, c2, t], P[w, c2, t])
        if a < 0:
            mp, mn = mn, mp
        if _eq3(up, un, vp, vn, mp, mn):
            continue
        P[w, 0, t], N[w, 0, t], P[w, 1, t], N[w, 1, t], P[w, 2, t], N[w, 2, t] = up, un, vp, vn, mp, mn
        KD[w, t] = 3
        return S, True
    return S, False


@nb.njit(cache=True)
def _split(P, N, KD, TT, rng, w, i, S, n):
    """The inverse of :func:`_self_merge` (rank + 3): the size-3 slot i = (U, Uᵀ, W) whose W has a zero
    diagonal becomes the free d = (U, Uᵀ, W1) with W1 + W1ᵀ = W (each off-diagonal pair of W put
    above or below the diagonal at random). Returns (slot count, done)."""
    if KD[w, i] != 3 or S >= P.shape[2]:
        return S, False
    wp = P[w, 2, i]
    wn = N[w, 2, i]
    lo_p = _ZERO
    lo_n = _ZERO
    for a in range(n):
        d = np.uint64(a * n + a)
        if ((wp | wn) >> d) & np.uint64(1):
            return S, False
        for b in range(a + 1, n):
            e = np.uint64(a * n + b) if _below(rng, w, 2) == 0 else np.uint64(b * n + a)
            m = np.uint64(1) << e
            f = np.uint64(1) << np.uint64(a * n + b)
            if wp & f:
                lo_p |= m
            elif wn & f:
                lo_n |= m
    if _zero(lo_p, lo_n) or _degenerate(TT, P[w, 0, i], N[w, 0, i], P[w, 1, i], N[w, 1, i], lo_p, lo_n):
        return S, False
    P[w, 2, i] = lo_p
    N[w, 2, i] = lo_n
    KD[w, i] = 6
    return S, True


@nb.njit(cache=True)
def _reduce_all(P, N, KD, TT, w, S, z2):
    """Drop slots with a zero factor and merge every reducible pair until none is left."""
    changed = True
    while changed:
        changed = False
        s = 0
        while s < S:
            if _zero(P[w, 0, s], N[w, 0, s]) or _zero(P[w, 1, s], N[w, 1, s]) or _zero(P[w, 2, s], N[w, 2, s]):
                S = _remove(P, N, KD, w, s, S)
                changed = True
                continue
            s += 1
        for t in range(S):
            S, merged = _self_merge(P, N, KD, TT, w, t, S, z2)
            if merged:
                changed = True
                break
        if changed:
            continue
        for t in range(S):
            for k in range(S):
                if k != t:
                    S, changed = _merge_pair(P, N, KD, TT, w, t, k, S, z2)
                    if changed:
                        break
            if changed:
                break
    return S


@nb.njit(cache=True)
def _merge_pair(P, N, KD, TT, w, t, k, S, z2):
    """The first merge of slot t with an image of slot k (every image, every third factor)."""
    for tt in range(1 if KD[w, k] == 3 else 2):
        for kk in range(3):
            for z in range(3):
                S, merged = _merge(P, N, KD, TT, w, t, k, kk, tt, z, S, z2)
                if merged:
                    return S, True
    return S, False


@nb.njit(cache=True)
def _try_reduce(P, N, KD, TT, w, t, y, S, z2):
    """Merge slot t with an image of another slot that shares t's (just changed) factor y and one
    more, or with its own image (:func:`_self_merge`). Returns (slot count, reduced)."""
    S2, merged = _self_merge(P, N, KD, TT, w, t, S, z2)
    if merged:
        return _reduce_all(P, N, KD, TT, w, S2, z2), True
    py = P[w, y, t]
    ny = N[w, y, t]
    for k in range(S):
        if k == t:
            continue
        for tt in range(1 if KD[w, k] == 3 else 2):
            for kk in range(3):
                bp, bn = _fac(P, N, TT, w, k, y, kk, tt)
                if _same(py, ny, bp, bn) == 0:
                    continue
                for z in range(3):
                    if z != y:
                        S2, merged = _merge(P, N, KD, TT, w, t, k, kk, tt, z, S, z2)
                        if merged:
                            return _reduce_all(P, N, KD, TT, w, S2, z2), True
    return S, False


@nb.njit(cache=True)
def _plus(P, N, KD, TT, rng, w, S, z2, n):
    """One plus transition on two free slots: with A = slot i and B = σ^k τ^t (slot j),
    A + B = (X_A - s X_B)⊗Y_A⊗Z_A + X_B⊗(Y_B - Y_A)⊗Z_B + (s X_B)⊗Y_A⊗(Z_A + s Z_B) on positions
    x, y, z; or a size-3 slot's turn with a new slot E (:func:`_turn`, rank + 3); or the split of a
    size-3 slot into a free one (:func:`_split`, rank + 3), each a third of the time.
    Returns (slot count, done)."""
    if S < 2 or S >= P.shape[2]:
        return S, False
    for _ in range(16):
        kind = _below(rng, w, 3)
        if kind == 2:
            S2, done = _split(P, N, KD, TT, rng, w, _below(rng, w, S), S, n)
            if done:
                return S2, True
            continue
        if kind == 1:
            i = _below(rng, w, S)
            if KD[w, i] == 3:
                j, kk, tt, sgn = _pick(P, N, KD, TT, rng, w, S, i, 2, True)
                if j >= 0:
                    lam = 1 if z2 or _below(rng, w, 2) == 0 else -1
                    S2, done = _turn(P, N, KD, TT, w, S, i, j, kk, tt, sgn, lam, z2, True)
                    if done:
                        return S2, True
            continue
        i = _below(rng, w, S)
        j = _below(rng, w, S - 1)
        if j >= i:
            j += 1
        k = _below(rng, w, 3)
        t = _below(rng, w, 2)
        x = _below(rng, w, 3)
        if KD[w, i] != 6 or KD[w, j] != 6:
            continue
        y, z = _other_two(rng, w, x)
        s = 1 if z2 or _below(rng, w, 2) == 0 else -1
        bxp, bxn = _fac(P, N, TT, w, j, x, k, t)
        byp, byn = _fac(P, N, TT, w, j, y, k, t)
        bzp, bzn = _fac(P, N, TT, w, j, z, k, t)
        ok1, xp, xn = _add(P[w, x, i], N[w, x, i], bxp, bxn, -s, z2)
        ok2, zp, zn = _add(P[w, z, i], N[w, z, i], bzp, bzn, s, z2)
        ok3, yp, yn = _add(byp, byn, P[w, y, i], N[w, y, i], -1, z2)
        if not (ok1 and ok2 and ok3) or _zero(xp, xn) or _zero(zp, zn) or _zero(yp, yn):
            continue
        cxp, cxn = (bxp, bxn) if s > 0 else (bxn, bxp)
        q = _pos(y, k, t)
        jyp, jyn = (_tr(TT, yp), _tr(TT, yn)) if t == 1 else (yp, yn)
        if _deg_with(P, N, KD, TT, w, i, x, xp, xn) or _deg_with(P, N, KD, TT, w, j, q, jyp, jyn):
            continue
        c = np.empty((3, 2), np.uint64)  # the new term (plus transitions are rare: allocate)
        c[x, 0], c[x, 1] = cxp, cxn
        c[y, 0], c[y, 1] = P[w, y, i], N[w, y, i]
        c[z, 0], c[z, 1] = zp, zn
        if _degenerate(TT, c[0, 0], c[0, 1], c[1, 0], c[1, 1], c[2, 0], c[2, 1]):
            continue
        for f in range(3):
            P[w, f, S] = c[f, 0]
            N[w, f, S] = c[f, 1]
        KD[w, S] = 6
        P[w, x, i] = xp
        N[w, x, i] = xn
        P[w, q, j] = jyp
        N[w, q, j] = jyn
        return S + 1, True
    return S, False


@nb.njit(cache=True)
def _tensor_ok(P, N, KD, TT, w, S, FP, FN, n, z2):
    """Is the expanded scheme (every slot's orbit and the frozen terms) the <n,n,n> tensor?"""
    n2 = n * n
    T = np.zeros(n2 * n2 * n2, dtype=np.int64)
    for s in range(S):
        for t in range(1 if KD[w, s] == 3 else 2):
            for k in range(3):
                up, un = _fac(P, N, TT, w, s, 0, k, t)
                vp, vn = _fac(P, N, TT, w, s, 1, k, t)
                wp, wn = _fac(P, N, TT, w, s, 2, k, t)
                _accumulate(T, n2, up, un, vp, vn, wp, wn, z2)
    for f in range(FP.shape[1]):
        _accumulate(T, n2, FP[0, f], FN[0, f], FP[1, f], FN[1, f], FP[2, f], FN[2, f], z2)
    for i in range(n):
        for j in range(n):
            for k in range(n):
                T[((i * n + j) * n2 + (j * n + k)) * n2 + (k * n + i)] -= 1
    for e in range(T.shape[0]):
        if (T[e] & 1 if z2 else T[e]) != 0:
            return False
    return True


@nb.njit(cache=True)
def _check(P, N, KD, Sarr, w, f0, FP, FN, n, z2, rank, TT):
    """The debug mode's invariants of walker w; 0 if all hold, else an error code."""
    S = Sarr[w]
    for s in range(P.shape[2]):
        if s >= S and KD[w, s] != 0:
            return ERR_MASKS
        for x in range(3):
            if (P[w, x, s] & N[w, x, s]) != _ZERO or (z2 and N[w, x, s] != _ZERO):
                return ERR_MASKS
            if s >= S and not _zero(P[w, x, s], N[w, x, s]):
                return ERR_MASKS
            if s < S and _zero(P[w, x, s], N[w, x, s]):
                return ERR_ZERO
    for s in range(S):
        a0p, a0n, a1p, a1n, a2p, a2n = P[w, 0, s], N[w, 0, s], P[w, 1, s], N[w, 1, s], P[w, 2, s], N[w, 2, s]
        if KD[w, s] == 3:
            if (a1p != _tr(TT, a0p) or a1n != _tr(TT, a0n) or a2p != _tr(TT, a2p) or a2n != _tr(TT, a2n)
                    or _eq3(a0p, a0n, a1p, a1n, a2p, a2n)):
                return ERR_FIXED
        elif KD[w, s] != 6 or _degenerate(TT, a0p, a0n, a1p, a1n, a2p, a2n):
            return ERR_FIXED
    if rank != _rank(KD, w, S) + f0:
        return ERR_RANK
    if not _tensor_ok(P, N, KD, TT, w, S, FP, FN, n, z2):
        return ERR_TENSOR
    return 0


@nb.njit(cache=True)
def _save_best(P, N, KD, Sarr, BP, BN, BK, BS, w):
    S = Sarr[w]
    for s in range(P.shape[2]):
        BK[w, s] = KD[w, s] if s < S else 0
        for x in range(3):
            BP[w, x, s] = P[w, x, s] if s < S else _ZERO
            BN[w, x, s] = N[w, x, s] if s < S else _ZERO
    BS[w] = S


@nb.njit(cache=True)
def _pick(P, N, KD, TT, rng, w, S, i, x, free_only):
    """A random partner of factor x of slot i among the images of the other slots that the
    orbit flip allows (module docstring; ``free_only``: images of free slots only). Returns
    (j, k, t, sign), j = -1 if none."""
    fi = KD[w, i] == 3
    pi = P[w, x, i]
    ni = N[w, x, i]
    tpi = _tr(TT, pi)
    tni = _tr(TT, ni)
    j = -1
    kk = 0
    tt = 0
    sgn = 0
    count = 0
    for jj in range(S):
        if jj == i:
            continue
        fj = KD[w, jj] == 3
        if fj and free_only:
            continue
        for t in range(1 if fj else 2):
            cp, cn = (tpi, tni) if t == 1 else (pi, ni)  # T^t(j[q]) ~ i[x]  <=>  j[q] ~ T^t(i[x])
            for k in range(3):
                if fj:
                    fb = (2 - k) % 3  # the position σ^k j's involution fixes
                    if fb == x or (fi and fb == 2):
                        continue
                q = _pos(x, k, t)
                s = _same(cp, cn, P[w, q, jj], N[w, q, jj])
                if s != 0:
                    count += 1
                    if count == 1 or _below(rng, w, count) == 0:
                        j = jj
                        kk = k
                        tt = t
                        sgn = s
    return j, kk, tt, sgn


@nb.njit(cache=True)
def _turn(P, N, KD, TT, w, S, i, j, kk, tt, sgn, lam, z2, plus):
    """Turn the U of the size-3 slot i = c = (U, Uᵀ, W) with a free image B = σ^kk τ^tt (slot j)
    sharing W (``W = sgn·B[2]``): c + B + τB = c' + B' + τB' + E with a = λ·sgn·B[0],
    c' = (U + a, (U + a)ᵀ, W), B' = (B[0], B[1] - λ Uᵀ, B[2]) and E = (B[0], B[0]ᵀ, -W) (size 3).
    With ``plus`` E becomes a new slot (rank + 3); else E must merge at once into a size-3 slot
    k = (±B[0], ..., W_k): W_k -= W (rank unchanged, or - 3 if W_k vanishes). Returns (S, done)."""
    b0p, b0n = _fac(P, N, TT, w, j, 0, kk, tt)
    b1p, b1n = _fac(P, N, TT, w, j, 1, kk, tt)
    ok1, up, un = _add(P[w, 0, i], N[w, 0, i], b0p, b0n, lam * sgn, z2)
    ok2, vp, vn = _add(b1p, b1n, P[w, 1, i], N[w, 1, i], -lam, z2)
    if not (ok1 and ok2):
        return S, False
    tb0p = _tr(TT, b0p)
    tb0n = _tr(TT, b0n)
    ewp, ewn = (P[w, 2, i], N[w, 2, i]) if z2 else (N[w, 2, i], P[w, 2, i])  # -W
    if _eq3(b0p, b0n, tb0p, tb0n, ewp, ewn):
        return S, False
    k = -1
    kwp = kwn = _ZERO
    if not plus:
        for kk2 in range(S):
            if kk2 != i and KD[w, kk2] == 3 and _same(P[w, 0, kk2], N[w, 0, kk2], b0p, b0n) != 0:
                ok, kwp, kwn = _add(P[w, 2, kk2], N[w, 2, kk2], ewp, ewn, 1, z2)
                if ok and (_zero(kwp, kwn) or not _deg_with(P, N, KD, TT, w, kk2, 2, kwp, kwn)):
                    k = kk2
                    break
        if k < 0:
            return S, False
    elif S >= P.shape[2]:
        return S, False
    tup = _tr(TT, up)
    tun = _tr(TT, un)
    if not _zero(up, un) and _eq3(up, un, tup, tun, P[w, 2, i], N[w, 2, i]):
        return S, False
    q = _pos(1, kk, tt)
    jvp, jvn = (_tr(TT, vp), _tr(TT, vn)) if tt == 1 else (vp, vn)
    if not _zero(vp, vn) and _deg_with(P, N, KD, TT, w, j, q, jvp, jvn):
        return S, False
    P[w, 0, i] = up
    N[w, 0, i] = un
    P[w, 1, i] = tup
    N[w, 1, i] = tun
    P[w, q, j] = jvp
    N[w, q, j] = jvn
    if plus:
        P[w, 0, S], N[w, 0, S], P[w, 1, S], N[w, 1, S] = b0p, b0n, tb0p, tb0n
        P[w, 2, S], N[w, 2, S] = ewp, ewn
        KD[w, S] = 3
        S += 1
    else:
        P[w, 2, k] = kwp
        N[w, 2, k] = kwn
    s = S - 1
    while s >= 0:  # drop the slots that vanished (from the top: the others keep their place)
        if _zero(P[w, 0, s], N[w, 0, s]) or _zero(P[w, 1, s], N[w, 1, s]) or _zero(P[w, 2, s], N[w, 2, s]):
            S = _remove(P, N, KD, w, s, S)
        s -= 1
    return S, True


@nb.njit(cache=True)
def _flip(P, N, KD, TT, rng, w, S, i, x, z2, greedy):
    """One orbit flip at factor x of slot i (module docstring), then its reductions (greedy 1:
    every merge with a changed factor). Returns (slot count, flipped)."""
    fi = KD[w, i] == 3
    j, kk, tt, sgn = _pick(P, N, KD, TT, rng, w, S, i, x, False)
    if j < 0:
        return S, False
    fj = KD[w, j] == 3
    if fi:
        y = 2
        z = 1 - x
    elif fj:
        z = (2 - kk) % 3
        y = 3 - x - z
    else:
        y, z = _other_two(rng, w, x)
    byp, byn = _fac(P, N, TT, w, j, y, kk, tt)
    bzp, bzn = _fac(P, N, TT, w, j, z, kk, tt)
    ok, dyp, dyn = _sym(TT, byp, byn, z2) if fi else (True, byp, byn)
    if not ok:
        return S, False
    ok, dzp, dzn = _sym(TT, P[w, z, i], N[w, z, i], z2) if fj else (True, P[w, z, i], N[w, z, i])
    if not ok:
        return S, False
    q = _pos(z, kk, tt)
    lam = 1 if z2 or _below(rng, w, 2) == 0 else -1
    done = False
    yp = yn = zp = zn = jzp = jzn = _ZERO
    for _ in range(1 if z2 else 2):
        ok1, yp, yn = _add(P[w, y, i], N[w, y, i], dyp, dyn, lam * sgn, z2)
        ok2, zp, zn = _add(bzp, bzn, dzp, dzn, -lam, z2)
        jzp, jzn = (_tr(TT, zp), _tr(TT, zn)) if tt == 1 else (zp, zn)
        if (ok1 and ok2 and (_zero(yp, yn) or not _deg_with(P, N, KD, TT, w, i, y, yp, yn))
                and (_zero(zp, zn) or not _deg_with(P, N, KD, TT, w, j, q, jzp, jzn))):
            done = True
            break
        lam = -lam
    if not done or (yp == P[w, y, i] and yn == N[w, y, i] and jzp == P[w, q, j] and jzn == N[w, q, j]):
        return S, False
    P[w, y, i] = yp
    N[w, y, i] = yn
    P[w, q, j] = jzp
    N[w, q, j] = jzn
    if _zero(yp, yn) or _zero(zp, zn):
        S = _reduce_all(P, N, KD, TT, w, S, z2) if greedy >= 1 else _drop_zero2(P, N, KD, w, i, j, S)
    elif greedy >= 1:
        S, red = _try_reduce(P, N, KD, TT, w, i, y, S, z2)
        if not red:
            S, red = _try_reduce(P, N, KD, TT, w, j, q, S, z2)
    return S, True


@nb.njit(cache=True)
def _walk(P, N, KD, Sarr, rng, stall, steps, best, BP, BN, BK, BS, best_at, err, w, nflips, run_flips,
          goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, TT):
    """Walker w's run, for up to ``nflips`` more flips (see :func:`walk_runs`). Returns flips done."""
    S = Sarr[w]
    rank = _rank(KD, w, S) + f0
    flips = 0
    tries = 0
    fails = 0
    while flips < nflips and steps[w] < run_flips and tries < 8 * nflips and best[w] > goal:
        tries += 1
        fails += 1
        if fails > 16 * S + 64:
            stall[w] = max(stall[w], plus_after)
            fails = 0
        if plus_after > 0 and stall[w] >= plus_after and rank + 6 <= best[w] + margin:
            S2, done = _plus(P, N, KD, TT, rng, w, S, z2, n)
            stall[w] = 0
            if done:
                S = S2
                Sarr[w] = S
                rank = _rank(KD, w, S) + f0
                if check:
                    e = _check(P, N, KD, Sarr, w, f0, FP, FN, n, z2, rank, TT)
                    if e != 0:
                        err[w] = e
                        break
        if S < 2:
            break
        i = _below(rng, w, S)
        x = _below(rng, w, 3)
        if KD[w, i] == 3 and x == 2:  # c's W shared with a free image: turn c's U
            j, kk, tt, sgn = _pick(P, N, KD, TT, rng, w, S, i, 2, True)
            if j < 0:
                continue
            lam = 1 if z2 or _below(rng, w, 2) == 0 else -1
            S2, done = _turn(P, N, KD, TT, w, S, i, j, kk, tt, sgn, lam, z2, False)
            if not done and not z2:
                S2, done = _turn(P, N, KD, TT, w, S, i, j, kk, tt, sgn, -lam, z2, False)
            if done and greedy >= 1:
                S2 = _reduce_all(P, N, KD, TT, w, S2, z2)
        else:
            S2, done = _flip(P, N, KD, TT, rng, w, S, i, x, z2, greedy)
        if not done:
            continue
        flips += 1
        steps[w] += 1
        stall[w] += 1
        fails = 0
        if S2 != S:
            S = S2
            Sarr[w] = S
            stall[w] = 0
        rank = _rank(KD, w, S) + f0
        if check:
            e = _check(P, N, KD, Sarr, w, f0, FP, FN, n, z2, rank, TT)
            if e != 0:
                err[w] = e
                break
        if rank < best[w]:
            best[w] = rank
            best_at[w] = steps[w]
            _save_best(P, N, KD, Sarr, BP, BN, BK, BS, w)
    Sarr[w] = S
    if tries >= 8 * nflips and flips == 0:
        steps[w] = run_flips  # no flip left: the run is over
    return flips


@nb.njit(cache=True)
def _drop_zero2(P, N, KD, w, i, j, S):
    """Drop slots i and j if they have a zero factor (the higher first)."""
    hi, lo = (i, j) if i > j else (j, i)
    for t in (hi, lo):
        if _zero(P[w, 0, t], N[w, 0, t]) or _zero(P[w, 1, t], N[w, 1, t]) or _zero(P[w, 2, t], N[w, 2, t]):
            S = _remove(P, N, KD, w, t, S)
    return S


@nb.njit(cache=True, parallel=True)
def walk_runs(P, N, KD, S, rng, stall, steps, best, BP, BN, BK, BS, best_at, flips_out, err, nflips, run_flips,
              goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, TT):
    """Advance every walker's run by up to ``nflips`` flips, in parallel over walkers.

    Args as :func:`._sym_kernels.walk_runs` (no fixed-point count: frozen orbits are outside), and
    KD, BK: (K, R) orbit sizes of the slots and of the best scheme's slots (6 or 3; 0 past the
    live ones); FP, FN: (3, f0) the expanded frozen terms; greedy 0 or 1 (reductions after a
    flip: only its own, or also every merge with a changed factor); TT: :func:`transpose_table`.
    """
    for w in nb.prange(P.shape[0]):
        flips_out[w] = 0
        if steps[w] >= run_flips or best[w] <= goal or err[w] != 0:
            continue
        flips_out[w] = _walk(P, N, KD, S, rng, stall, steps, best, BP, BN, BK, BS, best_at, err, w, nflips,
                             run_flips, goal, margin, plus_after, z2, f0, FP, FN, n, check, greedy, TT)
