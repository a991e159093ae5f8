"""The moves of the flip graph on bit masks (numba), for rows of up to 256 entries.

State of walker ``w`` (arrays shared by all walkers of a chunk):

* ``P[w, x, t, :]``, ``N[w, x, t, :]`` (uint64, ``W`` words): the +1 and -1 coefficients of
  factor ``x`` (0: u, 1: v, 2: w) of term ``t``; bit ``k % 64`` of word ``k // 64`` is entry
  ``k`` of the row (the row-major order of :mod:`discovery.core.tensor`). Terms
  ``0 .. r-1`` are live.
* ``H[w, x, t]`` (int64): a hash of the factor up to sign (never 0 for a non-zero factor),
  ``S[w, x, t]`` (int64, ±1): the sign that makes the factor its normal form (lowest non-zero
  entry +1). Two factors are equal up to sign exactly when their normal forms agree, so
  a flip partner is found by comparing one integer per term.
* ``B[w]`` (int64): the index of those hashes per factor position (buckets of equal hash,
  :mod:`discovery.search.flips._index`), kept current by every move below, so that a flip
  partner, a merge candidate or a three-term candidate is read from a bucket, not a scan.

Rings (``ring``): 0 = ZT (coefficients stay in {-1, 0, 1}; a sum that would leave it is not
taken, so the scheme is exact over every ring), 1 = Z2 (only ``P`` is used, ``N == 0``; sums
are XORs and signs are ignored), 2 = Z3 (``P``: entries 1, ``N``: entries 2 ≡ -1; sums wrap).
Invariants: ZT and Z3 ``P & N == 0``; Z2 ``N == 0`` (:func:`invariants_ok`).
"""

from __future__ import annotations

import numba as nb
import numpy as np

from discovery.search.flips._index import add, bucket, drop, following, index_ok, indexed, set_hash

ZT, Z2, Z3 = 0, 1, 2
RING_CODES = {"ZT": ZT, "Z2": Z2, "Z3": Z3}

_ZERO = np.uint64(0)
_ONE = np.uint64(1)
_M1 = np.uint64(0x2545F4914F6CDD1D)
_H1 = np.uint64(0x9E3779B97F4A7C15)
_H2 = np.uint64(0xC2B2AE3D27D4EB4F)
_S12 = np.uint64(12)
_S25 = np.uint64(25)
_S27 = np.uint64(27)
_S29 = np.uint64(29)
_S32 = np.uint64(32)
_S33 = np.uint64(33)


@nb.njit(cache=True, inline="always")
def next_u64(rng, w):
    """xorshift64* step of walker ``w``'s state ``rng[w]``."""
    x = rng[w]
    x ^= x >> _S12
    x ^= x << _S25
    x ^= x >> _S27
    rng[w] = x
    return x * _M1


@nb.njit(cache=True, inline="always")
def below(rng, w, k):
    """A uniform integer in [0, k) from walker ``w``'s stream."""
    return np.int64((next_u64(rng, w) >> _S33) % np.uint64(k))


@nb.njit(cache=True, inline="always")
def _sum_word(p1, n1, p2, n2, ring):
    """(p, n, ok) of one word of x + y (y already signed). ok: ZT stays in {-1,0,1}."""
    if ring == Z2:
        return p1 ^ p2, _ZERO, True
    if ring == ZT:
        ok = (p1 & p2) == _ZERO and (n1 & n2) == _ZERO
        return (p1 & ~n2) | (p2 & ~n1), (n1 & ~p2) | (n2 & ~p1), ok
    e1 = ~(p1 | n1)
    e2 = ~(p2 | n2)
    return (p1 & e2) | (p2 & e1) | (n1 & n2), (n1 & e2) | (n2 & e1) | (p1 & p2), True


@nb.njit(cache=True, _nrt=False, inline="always")
def add_ok(P, N, w, xa, a, xb, b, c, ring, W):
    """Whether factor (xa, a) + c·(xb, b) can be taken (always over Z2 and Z3)."""
    if ring != ZT:
        return True
    for k in range(W):
        p2 = P[w, xb, b, k]
        n2 = N[w, xb, b, k]
        if c < 0:
            p2, n2 = n2, p2
        if (P[w, xa, a, k] & p2) != _ZERO or (N[w, xa, a, k] & n2) != _ZERO:
            return False
    return True


@nb.njit(cache=True, _nrt=False, inline="always")
def add_is_zero(P, N, w, xa, a, xb, b, c, ring, W):
    """Whether factor (xa, a) + c·(xb, b) is the zero vector."""
    for k in range(W):
        p2 = P[w, xb, b, k]
        n2 = N[w, xb, b, k]
        if c < 0 and ring != Z2:
            p2, n2 = n2, p2
        p, n, _ = _sum_word(P[w, xa, a, k], N[w, xa, a, k], p2, n2, ring)
        if (p | n) != _ZERO:
            return False
    return True


@nb.njit(cache=True, _nrt=False, inline="always")
def hash_of(P, N, w, x, t, W):
    """(hash, sign) of factor (x, t) up to sign (see the module docstring)."""
    sign = 1
    for k in range(W):
        v = P[w, x, t, k] | N[w, x, t, k]
        if v != _ZERO:
            low = v & (~v + _ONE)
            if (N[w, x, t, k] & low) != _ZERO:
                sign = -1
            break
    h = _H1
    for k in range(W):
        a = P[w, x, t, k]
        b = N[w, x, t, k]
        if sign < 0:
            a, b = b, a
        h = (h ^ a) * _H2
        h ^= h >> _S29
        h = (h ^ b) * _H1
        h ^= h >> _S32
    hv = np.int64(h)
    if hv == 0:
        hv = 1
    return hv, sign


@nb.njit(cache=True, _nrt=False, inline="always")
def rehash(P, N, H, S, B, w, x, t, W):
    """Recompute ``H[w, x, t]`` and ``S[w, x, t]`` from the masks (and the index with them)."""
    h, sign = hash_of(P, N, w, x, t, W)
    set_hash(H, S, B, w, x, t, h, sign)


@nb.njit(cache=True, _nrt=False, inline="always")
def add_into(P, N, H, S, B, w, xa, a, xb, b, c, ring, W):
    """Factor (xa, a) += c·(xb, b) in place (check :func:`add_ok` first over ZT); rehashes it."""
    for k in range(W):
        p2 = P[w, xb, b, k]
        n2 = N[w, xb, b, k]
        if c < 0 and ring != Z2:
            p2, n2 = n2, p2
        p, n, _ = _sum_word(P[w, xa, a, k], N[w, xa, a, k], p2, n2, ring)
        P[w, xa, a, k] = p
        N[w, xa, a, k] = n
    rehash(P, N, H, S, B, w, xa, a, W)


@nb.njit(cache=True, _nrt=False)
def add_into_call(P, N, H, S, B, w, xa, a, xb, b, c, ring, W):
    """:func:`add_into` as a call: the rare moves (merges, three-term folds, plus transitions)
    use it, so that each of them does not compile an inlined copy of the index update."""
    add_into(P, N, H, S, B, w, xa, a, xb, b, c, ring, W)


@nb.njit(cache=True, _nrt=False, inline="always")
def is_zero(P, N, w, x, t, W):
    for k in range(W):
        if (P[w, x, t, k] | N[w, x, t, k]) != _ZERO:
            return False
    return True


@nb.njit(cache=True, _nrt=False, inline="always")
def same_sign(P, N, H, S, w, x, a, xb, b, W):
    """+1 if factor (x, a) equals factor (xb, b), -1 if it is its negative, 0 otherwise."""
    if H[w, x, a] != H[w, xb, b]:
        return 0
    s = S[w, x, a] * S[w, xb, b]
    for k in range(W):
        pa = P[w, x, a, k]
        na = N[w, x, a, k]
        pb = P[w, xb, b, k]
        nb_ = N[w, xb, b, k]
        if s < 0:
            pb, nb_ = nb_, pb
        if pa != pb or na != nb_:
            return 0
    return s


@nb.njit(cache=True, _nrt=False)
def copy_factor(P, N, H, S, B, w, x, dst, src, sign, ring, W):
    """Factor (x, dst) = sign·(x, src)."""
    for k in range(W):
        p = P[w, x, src, k]
        n = N[w, x, src, k]
        if sign < 0 and ring != Z2:
            p, n = n, p
        P[w, x, dst, k] = p
        N[w, x, dst, k] = n
    set_hash(H, S, B, w, x, dst, H[w, x, src], S[w, x, src] * (1 if ring == Z2 else sign))


@nb.njit(cache=True, _nrt=False)
def remove(P, N, H, S, B, w, t, r, W):
    """Drop term t (the last live term moves into its place); returns the new rank."""
    last = r - 1
    for x in range(3):
        if indexed(H, B, w, x, last):
            drop(H, B, w, x, last)
        if t != last:
            if indexed(H, B, w, x, t):
                drop(H, B, w, x, t)
            for k in range(W):
                P[w, x, t, k] = P[w, x, last, k]
                N[w, x, t, k] = N[w, x, last, k]
            H[w, x, t] = H[w, x, last]
            S[w, x, t] = S[w, x, last]
            add(H, B, w, x, t)
        for k in range(W):
            P[w, x, last, k] = _ZERO
            N[w, x, last, k] = _ZERO
        H[w, x, last] = 0
        S[w, x, last] = 1
    return last


@nb.njit(cache=True, _nrt=False)
def merge(P, N, H, S, B, w, t, k, r, ring, W):
    """Merge terms t and k if they share two factors up to sign (rank - 1, or - 2 when the
    third factors cancel). Returns (new rank, merged)."""
    for z in range(3):
        x = (z + 1) % 3
        y = (z + 2) % 3
        sx = same_sign(P, N, H, S, w, x, t, x, k, W)
        if sx == 0:
            continue
        sy = same_sign(P, N, H, S, w, y, t, y, k, W)
        if sy == 0:
            continue
        # X_t ⊗ Y_t ⊗ Z_t = X_k ⊗ Y_k ⊗ (sx sy Z_t): fold into Z_k
        c = sx * sy
        if not add_ok(P, N, w, z, k, z, t, c, ring, W):
            continue
        add_into_call(P, N, H, S, B, w, z, k, z, t, c, ring, W)
        if is_zero(P, N, w, z, k, W):
            hi, lo = (t, k) if t > k else (k, t)
            r = remove(P, N, H, S, B, w, hi, r, W)
            r = remove(P, N, H, S, B, w, lo, r, W)
        else:
            r = remove(P, N, H, S, B, w, t, r, W)
        return r, True
    return r, False


@nb.njit(cache=True, _nrt=False, inline="always")
def _second(H, w, x, t, k):
    """Whether terms t and k (equal hashes at x) have equal hashes at another position too: the
    cheap test before :func:`merge` checks the factors."""
    return H[w, (x + 1) % 3, t] == H[w, (x + 1) % 3, k] or H[w, (x + 2) % 3, t] == H[w, (x + 2) % 3, k]


@nb.njit(cache=True, _nrt=False, inline="always")
def _is_sum(P, N, w, y, t, j, cj, k, ck, ring, W):
    """Whether factor (y, t) equals cj·(y, j) + ck·(y, k) (over ZT the sum must stay ternary)."""
    for q in range(W):
        p1 = P[w, y, j, q]
        n1 = N[w, y, j, q]
        if cj < 0 and ring != Z2:
            p1, n1 = n1, p1
        p2 = P[w, y, k, q]
        n2 = N[w, y, k, q]
        if ck < 0 and ring != Z2:
            p2, n2 = n2, p2
        p, n, ok = _sum_word(p1, n1, p2, n2, ring)
        if not ok or p != P[w, y, t, q] or n != N[w, y, t, q]:
            return False
    return True


@nb.njit(cache=True, _nrt=False)
def reduce_all(P, N, H, S, B, w, r, ring, W):
    """Drop terms with a zero factor and merge reducible pairs until none is left."""
    changed = True
    while changed:
        changed = False
        t = 0
        while t < r:
            if is_zero(P, N, w, 0, t, W) or is_zero(P, N, w, 1, t, W) or is_zero(P, N, w, 2, t, W):
                r = remove(P, N, H, S, B, w, t, r, W)
                changed = True
                continue
            t += 1
        # a pair sharing two factors shares factor 0 or factor 1: look in those buckets only
        for t in range(r):
            for x in range(2):
                k, _ = bucket(H, B, w, x, t)
                while k >= 0:
                    if k > t and _second(H, w, x, t, k):
                        r, merged = merge(P, N, H, S, B, w, t, k, r, ring, W)
                        if merged:
                            changed = True
                            break
                    k = following(H, B, w, x, k)
                if changed:
                    break
            if changed:
                break
    return r


@nb.njit(cache=True, _nrt=False)
def try_reduce(P, N, H, S, B, w, t, y, r, ring, W):
    """Merge term t with a term sharing its (just changed) factor y and one more.

    Only factor y of t changed, so a new reducible pair agrees on it: the candidates are
    t's bucket at y. Returns (rank, reduced)."""
    k, _ = bucket(H, B, w, y, t)
    while k >= 0:
        if k != t and _second(H, w, y, t, k):
            r2, merged = merge(P, N, H, S, B, w, t, k, r, ring, W)
            if merged:
                return reduce_all(P, N, H, S, B, w, r2, ring, W), True
        k = following(H, B, w, y, k)
    return r, False


@nb.njit(cache=True, _nrt=False)
def try_reduce3(P, N, H, S, B, w, t, x, y, r, ring, W):
    """Three-term reduction: terms j, k share factor x with t (up to sign) and
    ``Y_t = α Ŷ_j + β Ŷ_k`` (Ŷ: Y signed so that X agrees), so t folds into them:
    ``Z_j += α Z_t``, ``Z_k += β Z_t`` and t is dropped (rank - 1). Returns (rank, reduced).

    The candidates j, k are t's bucket at x, which no step before the fold changes."""
    z = 3 - x - y
    j, size = bucket(H, B, w, x, t)
    if size < 3:
        j = -1
    while j >= 0:
        jn = following(H, B, w, x, j)
        sj = 0 if j == t else same_sign(P, N, H, S, w, x, t, x, j, W)
        if sj == 0:
            j = jn
            continue
        k = jn
        while k >= 0:
            kn = following(H, B, w, x, k)
            sk = 0 if k == t else same_sign(P, N, H, S, w, x, t, x, k, W)
            if sk == 0:
                k = kn
                continue
            for alpha in (1, -1):
                for beta in (1, -1):
                    if ring == Z2 and (alpha < 0 or beta < 0):
                        continue
                    if not _is_sum(P, N, w, y, t, j, alpha * sj, k, beta * sk, ring, W):
                        continue
                    # X_t = sj X_j and Y_t = α sj Y_j + β sk Y_k: X_t⊗Y_t⊗Z_t = X_j⊗Y_j⊗(α Z_t) + X_k⊗Y_k⊗(β Z_t)
                    cj = alpha
                    ck = beta
                    if not (add_ok(P, N, w, z, j, z, t, cj, ring, W) and add_ok(P, N, w, z, k, z, t, ck, ring, W)):
                        continue
                    add_into_call(P, N, H, S, B, w, z, j, z, t, cj, ring, W)
                    add_into_call(P, N, H, S, B, w, z, k, z, t, ck, ring, W)
                    r = remove(P, N, H, S, B, w, t, r, W)
                    return reduce_all(P, N, H, S, B, w, r, ring, W), True
            k = kn
        j = jn
    return r, False


@nb.njit(cache=True, inline="always")
def _two_terms(rng, w, r):
    """Two distinct uniform terms i, j < r of walker w (r >= 2)."""
    i = below(rng, w, r)
    j = below(rng, w, r - 1)
    if j >= i:
        j += 1
    return i, j


@nb.njit(cache=True, inline="always")
def _sign(rng, w, ring):
    """A uniform sign ±1 (over Z2 always 1, drawing nothing)."""
    if ring != Z2 and below(rng, w, 2) == 1:
        return -1
    return 1


@nb.njit(cache=True, _nrt=False)
def plus(P, N, H, S, B, rng, w, r, ring, W):
    """One plus transition on a random pair of terms (rank + 1). Returns the new rank.

    ``X_i⊗Y_i⊗Z_i + X_j⊗Y_j⊗Z_j`` becomes
    ``(X_i - X_j)⊗Y_i⊗Z_i + X_j⊗Y_i⊗(Z_i + Z_j) + X_j⊗(Y_j - Y_i)⊗Z_j``, with term j
    first written as ``(s X_j)⊗Y_j⊗(s Z_j)`` for a random sign s (over Z2 s = 1)."""
    if r < 2 or r >= P.shape[2]:
        return r
    for _ in range(16):
        i, j = _two_terms(rng, w, r)
        x = below(rng, w, 3)
        if below(rng, w, 2) == 0:
            y = (x + 1) % 3
            z = (x + 2) % 3
        else:
            y = (x + 2) % 3
            z = (x + 1) % 3
        s = _sign(rng, w, ring)
        if not (add_ok(P, N, w, x, i, x, j, -s, ring, W) and add_ok(P, N, w, z, i, z, j, s, ring, W)
                and add_ok(P, N, w, y, j, y, i, -1, ring, W)):
            continue
        if (add_is_zero(P, N, w, x, i, x, j, -s, ring, W) or add_is_zero(P, N, w, z, i, z, j, s, ring, W)
                or add_is_zero(P, N, w, y, j, y, i, -1, ring, W)):
            continue
        # new term r: (s X_j) ⊗ Y_i ⊗ (Z_i + s Z_j)
        copy_factor(P, N, H, S, B, w, x, r, j, s, ring, W)
        copy_factor(P, N, H, S, B, w, y, r, i, 1, ring, W)
        copy_factor(P, N, H, S, B, w, z, r, i, 1, ring, W)
        add_into_call(P, N, H, S, B, w, z, r, z, j, s, ring, W)
        # term i: (X_i - s X_j) ⊗ Y_i ⊗ Z_i ; term j: X_j ⊗ (Y_j - Y_i) ⊗ Z_j
        add_into_call(P, N, H, S, B, w, x, i, x, j, -s, ring, W)
        add_into_call(P, N, H, S, B, w, y, j, y, i, -1, ring, W)
        for f in range(3):
            add(H, B, w, f, r)
        return r + 1
    return r


@nb.njit(cache=True, _nrt=False)
def split(P, N, H, S, B, rng, w, r, ring, W):
    """One split transition on a random pair of terms (rank + 1). Returns the new rank.

    ``X_i⊗Y_i⊗Z_i`` becomes ``(X_i - s X_j)⊗Y_i⊗Z_i + (s X_j)⊗Y_i⊗Z_i`` for another term j,
    a random factor position x (shown as X) and a random sign s (over Z2 s = 1): the new term
    shares its factor x with term j up to sign, so the walk gets a flip there."""
    if r < 2 or r >= P.shape[2]:
        return r
    for _ in range(16):
        i, j = _two_terms(rng, w, r)
        x = below(rng, w, 3)
        s = _sign(rng, w, ring)
        if not add_ok(P, N, w, x, i, x, j, -s, ring, W) or add_is_zero(P, N, w, x, i, x, j, -s, ring, W):
            continue
        # new term r: (s X_j) ⊗ Y_i ⊗ Z_i ; term i: (X_i - s X_j) ⊗ Y_i ⊗ Z_i
        copy_factor(P, N, H, S, B, w, x, r, j, s, ring, W)
        copy_factor(P, N, H, S, B, w, (x + 1) % 3, r, i, 1, ring, W)
        copy_factor(P, N, H, S, B, w, (x + 2) % 3, r, i, 1, ring, W)
        add_into_call(P, N, H, S, B, w, x, i, x, j, -s, ring, W)
        for f in range(3):
            add(H, B, w, f, r)
        return r + 1
    return r


@nb.njit(cache=True, _nrt=False)
def invariants_ok(P, N, H, S, B, w, r, ring, W):
    """The debug check: masks well formed for the ring, hashes current, no live zero factor,
    and the index of the hashes against a recount (:func:`~._index.index_ok`)."""
    for t in range(r):
        for x in range(3):
            h, s = hash_of(P, N, w, x, t, W)
            if H[w, x, t] != h or S[w, x, t] != s:
                return False
            if is_zero(P, N, w, x, t, W):
                return False
            for k in range(W):
                if ring == Z2 and N[w, x, t, k] != _ZERO:
                    return False
                if ring != Z2 and (P[w, x, t, k] & N[w, x, t, k]) != _ZERO:
                    return False
    return index_ok(H, B, w, r)


# ---- one-word helpers (rows of at most 64 entries; the symmetric walk uses them) ---------------
@nb.njit(cache=True, inline="always")
def same1(p1, n1, p2, n2):
    """+1 if the two one-word ternary vectors are equal, -1 if opposite, 0 otherwise."""
    if p1 == p2 and n1 == n2:
        return 1
    if p1 == n2 and n1 == p2:
        return -1
    return 0


@nb.njit(cache=True, inline="always")
def add1(p1, n1, p2, n2, sign, z2):
    """One-word x + sign·y over ZT (z2 False) or Z2. Returns (ok, p, n); ok is False when a
    ZT coefficient would leave {-1,0,1}."""
    if z2:
        return True, p1 ^ p2, _ZERO
    if sign < 0:
        p2, n2 = n2, p2
    if (p1 & p2) != _ZERO or (n1 & n2) != _ZERO:
        return False, _ZERO, _ZERO
    return True, (p1 & ~n2) | (p2 & ~n1), (n1 & ~p2) | (n2 & ~p1)
