"""A per-walker index of the factor hashes (numba): flip partners from a bucket, not a scan.

For every factor position ``x`` (0: u, 1: v, 2: w) the live terms are grouped into buckets of
equal hash ``H[w, x, t]`` (equal up to sign, see :mod:`discovery.search.flips._moves`). The
index of walker ``w`` is the row ``B[w]`` (int64, :func:`index_size` entries for ``R`` term
slots and ``T`` table slots per position), laid out as :func:`offsets` says, with
``e = x·R + t`` the entry of term ``t``'s factor ``x``:

* ``B[w, 0]``: ``D``, the number of entries whose bucket holds two or more terms (the
  positions that have a flip partner).
* ``dense[0 .. D-1]``: those entries, in no particular order; ``where[e]``: the place of
  ``e`` in ``dense`` (-1: not there).
* ``nxt[e]``, ``prv[e]``: the bucket as a doubly linked list (``nxt`` -1 at its end,
  ``prv`` -1 at its head, ``prv`` -2 when the entry is not indexed).
* ``head[x·T + s]``, ``size[x·T + s]``, ``key[x·T + s]``: open addressing (linear probing from
  ``h & (T-1)``, backward-shift deletion) from a hash ``key`` to its bucket's first term and
  its size; ``head`` -1 when the slot is free.

``R`` is read from ``H.shape[2]`` and ``T`` from ``B.shape[1]``, so the compiler keeps both in
registers. Only terms that the moves mark live are indexed (the scratch slot of a three-term
reduction and the new term of a plus transition under construction are not), and an entry
must be dropped before its hash changes and added after (:func:`set_hash` does both).
Memory: ``12R + 9T + 1`` integers per walker, with ``T`` the power of two >= 4R: O(R).

The kernels here and in :mod:`._moves` never allocate, so they are compiled without reference
counting (``_nrt=False``): a call then passes its arrays without two atomic operations per
array, which cost more than the index itself. The small ones are inlined into the walk.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_HDR = 1
_NOT = -2  # prv of an entry that is not indexed


def table_size(R: int) -> int:
    """Slots per factor position for R term slots: the power of two >= 4R (load <= 1/4)."""
    T = 8
    while T < 4 * R:
        T *= 2
    return T


def offsets(R: int) -> dict:
    """Where each part of a walker's row starts, for R term slots (see the module docstring)."""
    T = table_size(R)
    return {"D": 0, "dense": _HDR, "where": _HDR + 3 * R, "nxt": _HDR + 6 * R, "prv": _HDR + 9 * R,
            "head": _HDR + 12 * R, "size": _HDR + 12 * R + 3 * T, "key": _HDR + 12 * R + 6 * T, "T": T}


def index_size(R: int) -> int:
    """Integers per walker of the index for R term slots."""
    return _HDR + 12 * R + 9 * table_size(R)


def new_index(K: int, R: int) -> np.ndarray:
    """An empty index (K, :func:`index_size`) for K walkers of R term slots."""
    B = np.zeros((K, index_size(R)), dtype=np.int64)
    H = np.zeros((1, 3, R), dtype=np.int64)
    for w in range(K):
        clear_index(H, B, w)
    return B


@nb.njit(cache=True, _nrt=False, inline="always")
def _dims(H, B):
    """(R, T): term slots and table slots per position, from the shapes alone (so that the
    compiler keeps them in registers)."""
    R = H.shape[2]
    return R, (B.shape[1] - _HDR - 12 * R) // 9


@nb.njit(cache=True, _nrt=False)
def clear_index(H, B, w):
    """Empty walker w's index (nothing indexed). H: any (., 3, R) array (only its shape is read)."""
    R, T = _dims(H, B)
    B[w, 0] = 0
    for e in range(3 * R):
        B[w, _HDR + e] = 0
        B[w, _HDR + 3 * R + e] = -1
        B[w, _HDR + 6 * R + e] = -1
        B[w, _HDR + 9 * R + e] = _NOT
    b = _HDR + 12 * R
    for s in range(3 * T):
        B[w, b + s] = -1
        B[w, b + 3 * T + s] = 0
        B[w, b + 6 * T + s] = 0


@nb.njit(cache=True, _nrt=False, inline="always")
def _find(B, w, ohx, okx, mask, h):
    """The table slot of hash h (relative to the position's part of the table), or -1."""
    s = h & mask
    while True:
        if B[w, ohx + s] < 0:
            return -1
        if B[w, okx + s] == h:
            return s
        s = (s + 1) & mask


@nb.njit(cache=True, _nrt=False, inline="always")
def indexed(H, B, w, x, t):
    """Whether term t's factor x is in walker w's index."""
    R = H.shape[2]
    return B[w, _HDR + 9 * R + x * R + t] != _NOT


@nb.njit(cache=True, _nrt=False, inline="always")
def add(H, B, w, x, t):
    """Index term t's factor x under its current hash ``H[w, x, t]`` (it must not be indexed)."""
    R, T = _dims(H, B)
    ow = _HDR + 3 * R
    on = _HDR + 6 * R + x * R
    op = _HDR + 9 * R + x * R
    ohx = _HDR + 12 * R + x * T
    osx = ohx + 3 * T
    okx = ohx + 6 * T
    h = H[w, x, t]
    mask = T - 1
    s = h & mask
    while True:
        hd = B[w, ohx + s]
        if hd < 0:  # a new bucket
            B[w, ohx + s] = t
            B[w, osx + s] = 1
            B[w, okx + s] = h
            B[w, on + t] = -1
            B[w, op + t] = -1
            return
        if B[w, okx + s] == h:
            c = B[w, osx + s] + 1
            B[w, osx + s] = c
            B[w, ohx + s] = t
            B[w, on + t] = hd
            B[w, op + t] = -1
            B[w, op + hd] = t
            d = B[w, 0]
            if c == 2:
                B[w, _HDR + d] = x * R + hd
                B[w, ow + x * R + hd] = d
                d += 1
            B[w, _HDR + d] = x * R + t
            B[w, ow + x * R + t] = d
            B[w, 0] = d + 1
            return
        s = (s + 1) & mask


@nb.njit(cache=True, _nrt=False, inline="always")
def _dense_drop(B, w, e, ow):
    d = B[w, 0] - 1
    at = B[w, ow + e]
    last = B[w, _HDR + d]
    B[w, _HDR + at] = last
    B[w, ow + last] = at
    B[w, ow + e] = -1
    B[w, 0] = d


@nb.njit(cache=True, _nrt=False, inline="always")
def drop(H, B, w, x, t):
    """Take term t's factor x out of the index (it must be indexed under ``H[w, x, t]``)."""
    R, T = _dims(H, B)
    ow = _HDR + 3 * R
    on = _HDR + 6 * R + x * R
    op = _HDR + 9 * R + x * R
    ohx = _HDR + 12 * R + x * T
    osx = ohx + 3 * T
    okx = ohx + 6 * T
    mask = T - 1
    slot = _find(B, w, ohx, okx, mask, H[w, x, t])
    nx = B[w, on + t]
    pv = B[w, op + t]
    if pv < 0:
        B[w, ohx + slot] = nx
    else:
        B[w, on + pv] = nx
    if nx >= 0:
        B[w, op + nx] = pv
    B[w, on + t] = -1
    B[w, op + t] = _NOT
    c = B[w, osx + slot]
    B[w, osx + slot] = c - 1
    if c >= 2:
        _dense_drop(B, w, x * R + t, ow)
        if c == 2:
            _dense_drop(B, w, x * R + B[w, ohx + slot], ow)
        return
    # the bucket is empty: backward-shift deletion keeps every probe chain unbroken
    i = slot
    j = i
    while True:
        j = (j + 1) & mask
        hd = B[w, ohx + j]
        if hd < 0:
            break
        k = B[w, okx + j] & mask
        if (i <= j and i < k <= j) or (i > j and (k > i or k <= j)):
            continue  # its home lies after the hole: it stays
        B[w, ohx + i] = hd
        B[w, osx + i] = B[w, osx + j]
        B[w, okx + i] = B[w, okx + j]
        i = j
    B[w, ohx + i] = -1
    B[w, osx + i] = 0
    B[w, okx + i] = 0


@nb.njit(cache=True, _nrt=False, inline="always")
def set_hash(H, S, B, w, x, t, h, s):
    """``H[w, x, t] = h``, ``S[w, x, t] = s``, keeping the index current."""
    if H[w, x, t] != h and B[w, _HDR + 9 * H.shape[2] + x * H.shape[2] + t] != _NOT:
        drop(H, B, w, x, t)
        H[w, x, t] = h
        add(H, B, w, x, t)
    else:
        H[w, x, t] = h
    S[w, x, t] = s


@nb.njit(cache=True, _nrt=False, inline="always")
def flippable(B, w):
    """D: how many indexed entries have a partner (share their bucket)."""
    return B[w, 0]


@nb.njit(cache=True, _nrt=False, inline="always")
def entry(H, B, w, k):
    """The k-th entry with a partner (0 <= k < D), as (x, t)."""
    R = H.shape[2]
    e = B[w, _HDR + k]
    x = 0
    while e >= R:
        e -= R
        x += 1
    return x, e


@nb.njit(cache=True, _nrt=False, inline="always")
def bucket(H, B, w, x, t):
    """(first term, size) of the bucket that holds term t's factor x (indexed)."""
    R, T = _dims(H, B)
    ohx = _HDR + 12 * R + x * T
    s = _find(B, w, ohx, ohx + 6 * T, T - 1, H[w, x, t])
    return B[w, ohx + s], B[w, ohx + 3 * T + s]


@nb.njit(cache=True, _nrt=False, inline="always")
def following(H, B, w, x, t):
    """The term after t in its bucket at position x (-1: t is the last)."""
    R = H.shape[2]
    return B[w, _HDR + 6 * R + x * R + t]


@nb.njit(cache=True, _nrt=False)
def index_ok(H, B, w, r):
    """The debug check: the index holds exactly the live terms 0..r-1 at every position, each
    in the bucket of its hash, with the right sizes, and ``dense`` lists exactly the entries
    of buckets of two or more (against a recount by comparing hashes)."""
    R, T = _dims(H, B)
    ow = _HDR + 3 * R
    d = 0
    for x in range(3):
        on = _HDR + 6 * R + x * R
        op = _HDR + 9 * R + x * R
        ohx = _HDR + 12 * R + x * T
        osx = ohx + 3 * T
        okx = ohx + 6 * T
        for t in range(R):
            e = x * R + t
            if (B[w, op + t] != _NOT) != (t < r):
                return False
            if t >= r:
                if B[w, ow + e] != -1:
                    return False
                continue
            slot = _find(B, w, ohx, okx, T - 1, H[w, x, t])
            if slot < 0:
                return False
            same = 0
            for k in range(r):
                same += H[w, x, k] == H[w, x, t]
            if B[w, osx + slot] != same:
                return False
            # t is reachable from the bucket's head, and the list has exactly `same` members
            n = 0
            seen = False
            k = B[w, ohx + slot]
            while k >= 0 and n <= same:
                if H[w, x, k] != H[w, x, t]:
                    return False
                seen = seen or k == t
                n += 1
                k = B[w, on + k]
            if n != same or not seen:
                return False
            at = B[w, ow + e]
            if same >= 2:
                d += 1
                if at < 0 or at >= B[w, 0] or B[w, _HDR + at] != e:
                    return False
            elif at != -1:
                return False
        # no stale table slot: every used slot holds a live term at the head of its list
        for s in range(T):
            hd = B[w, ohx + s]
            if hd < 0:
                if B[w, osx + s] != 0:
                    return False
                continue
            if (hd >= r or B[w, op + hd] != -1 or B[w, okx + s] != H[w, x, hd]
                    or _find(B, w, ohx, okx, T - 1, H[w, x, hd]) != s):
                return False
    return d == B[w, 0]
