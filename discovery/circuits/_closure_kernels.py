"""Compiled closure search (numba) for the fewest additions of a ternary linear map ``y = M x``.

Model: every addition makes a *node* ``±a ± b`` from two earlier nodes (the inputs ``x_j`` are
nodes); an output is a node up to its sign (or an input, or zero). Nodes are ternary vectors
over the N inputs, kept up to sign (the lowest non-zero entry +1), and written as two bit masks
``(pos, neg)``; a node is looked up by the key ``pos | neg << N`` in an open-addressing table.

The *closure* of a set of nodes adds every target row that is ``±s ± t`` of two nodes, again and
again, until none can be added; adding a node never hurts, so the closure is unique. A map with
D distinct targets then needs exactly ``D + k`` additions for the least k such that some k extra
nodes (*intermediates*), each a ``±s ± t`` of the nodes at its turn, make the closure reach every
target. :func:`search` finds that k by iterative deepening up to a limit; the last intermediate
of a search must build a target at once (else it could not help), which prunes the last level.

Node arrays: ``P, Q`` (values), ``OA, CA, OB, CB`` (a node = CA * node[OA] + CB * node[OB]; -1
for an input). Deletions from the table happen in the reverse order of insertions (a depth-first
search backtracks), which keeps linear probing correct without tombstones.
"""

from __future__ import annotations

import numba as nb
import numpy as np

_MULT = np.uint64(0x9E3779B97F4A7C15)


@nb.njit(cache=True)
def _norm(p, q):
    """(pos, neg, sign): the node of ``p - q`` up to sign and the sign taken (value = sign * node)."""
    x = p | q
    low = x & -x
    if p & low:
        return p, q, 1
    return q, p, -1


@nb.njit(cache=True)
def _add(ap, aq, bp, bq, s):
    """``a + s b`` normalized: (ok, pos, neg, sign); ok is False when an entry leaves {-1,0,1} or it is 0."""
    if s < 0:
        bp, bq = bq, bp
    if (ap & bp) or (aq & bq):
        return False, np.int64(0), np.int64(0), 1
    c = (ap & bq) | (aq & bp)
    p = (ap | bp) & ~c
    q = (aq | bq) & ~c
    if (p | q) == 0:
        return False, np.int64(0), np.int64(0), 1
    p, q, sg = _norm(p, q)
    return True, p, q, sg


@nb.njit(cache=True)
def _slot(table, keys, key, mask):
    """Slot of ``key`` (occupied by it, or the first empty slot of its probe sequence)."""
    h = np.int64((np.uint64(key) * _MULT) >> np.uint64(40)) & mask
    while table[h] != 0 and keys[h] != key:
        h = (h + 1) & mask
    return h


@nb.njit(cache=True)
def _find(table, keys, key, mask):
    h = _slot(table, keys, key, mask)
    return table[h] - 1  # node index, -1 if absent


@nb.njit(cache=True)
def _push(P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt, p, q, a, ca, b, cb):
    P[cnt], Q[cnt], OA[cnt], CA[cnt], OB[cnt], CB[cnt] = p, q, a, ca, b, cb
    key = p | (q << N)
    h = _slot(table, keys, key, mask)
    table[h] = cnt + 1
    keys[h] = key
    slots[cnt] = h
    return cnt + 1


@nb.njit(cache=True)
def _restore(cnt, c, slots, table, tnode):
    """Back to the first ``c`` nodes (delete the later ones, newest first)."""
    for i in range(cnt - 1, c - 1, -1):
        table[slots[i]] = 0
    for t in range(tnode.shape[0]):
        if tnode[t] >= c:
            tnode[t] = -1
    return c


@nb.njit(cache=True)
def _closure(TP, TQ, tnode, P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt):
    """Add every target that is ``±s ± t`` of two nodes until none is; returns (count, targets left)."""
    changed = True
    left = 0
    while changed:
        changed = False
        left = 0
        for t in range(TP.shape[0]):
            if tnode[t] >= 0:
                continue
            tp, tq = TP[t], TQ[t]
            found = False
            for s in range(cnt):
                for sg in (-1, 1):
                    # target = -sg * s + (target + sg * s)
                    ok, p, q, d = _add(tp, tq, P[s], Q[s], sg)
                    if not ok:
                        continue
                    j = _find(table, keys, p | (q << N), mask)
                    if j >= 0:
                        tnode[t] = cnt
                        cnt = _push(P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt, tp, tq, s, -sg, j, d)
                        found = True
                        break
                if found:
                    break
            if found:
                changed = True
            else:
                left += 1
    return cnt, left


@nb.njit(cache=True)
def _buildable(xp, xq, P, Q, table, keys, mask, N, cnt):
    """(s, cs, j, cj) with x = cs * node[s] + cj * node[j], or s = -1."""
    for s in range(cnt):
        for sg in (-1, 1):
            ok, p, q, d = _add(xp, xq, P[s], Q[s], sg)
            if ok:
                j = _find(table, keys, p | (q << N), mask)
                if j >= 0:
                    return s, -sg, j, d
    return -1, 0, -1, 0


@nb.njit(cache=True)
def _candidates(useful, TP, TQ, tnode, P, Q, table, keys, mask, N, cnt, C, ctab, ckeys, cmask):
    """Intermediates to try next, each ``±s ± t`` of two nodes and not a node yet, in ``C`` (rows:
    pos, neg, a, ca, b, cb); with ``useful`` only those that build a missing target at once."""
    nc = 0
    if useful:
        for t in range(TP.shape[0]):
            if tnode[t] >= 0:
                continue
            for s in range(cnt):
                for sg in (-1, 1):
                    ok, p, q, d = _add(TP[t], TQ[t], P[s], Q[s], sg)
                    if not ok:
                        continue
                    key = p | (q << N)
                    if _find(table, keys, key, mask) >= 0:
                        continue
                    h = _slot(ctab, ckeys, key, cmask)
                    if ctab[h] != 0:
                        continue
                    a, ca, b, cb = _buildable(p, q, P, Q, table, keys, mask, N, cnt)
                    if a < 0:
                        continue
                    ctab[h] = 1
                    ckeys[h] = key
                    C[nc, 0], C[nc, 1], C[nc, 2], C[nc, 3], C[nc, 4], C[nc, 5] = p, q, a, ca, b, cb
                    nc += 1
    else:
        for a in range(cnt):
            for b in range(a + 1, cnt):
                for sg in (-1, 1):
                    ok, p, q, d = _add(P[a], Q[a], P[b], Q[b], sg)
                    if not ok:
                        continue
                    key = p | (q << N)
                    if _find(table, keys, key, mask) >= 0:
                        continue
                    h = _slot(ctab, ckeys, key, cmask)
                    if ctab[h] != 0:
                        continue
                    ctab[h] = 1
                    ckeys[h] = key
                    # node = d * (a + sg * b)
                    C[nc, 0], C[nc, 1], C[nc, 2], C[nc, 3], C[nc, 4], C[nc, 5] = p, q, a, d, b, d * sg
                    nc += 1
    # clear the candidate table for the next call, newest first (keeps linear probing right)
    for i in range(nc - 1, -1, -1):
        ctab[_slot(ctab, ckeys, C[i, 0] | (C[i, 1] << N), cmask)] = 0
    return nc


@nb.njit(cache=True)
def search(N, TP, TQ, kmax, node_limit):
    """Fewest additions for targets (TP, TQ) over N inputs with at most ``kmax`` intermediates.

    Returns (k, nodes): k the least number of intermediates found (-1 if none up to ``kmax`` or
    the search visited more than ``node_limit`` candidate nodes), nodes (count, 6) the program's
    nodes after the inputs in order: pos, neg, a, ca, b, cb.
    """
    T = TP.shape[0]
    cap = N + T + kmax + 1
    hsize = 1
    while hsize < 4 * cap:
        hsize *= 2
    mask = hsize - 1
    P = np.zeros(cap, dtype=np.int64)
    Q = np.zeros(cap, dtype=np.int64)
    OA = np.full(cap, -1, dtype=np.int64)
    OB = np.full(cap, -1, dtype=np.int64)
    CA = np.zeros(cap, dtype=np.int64)
    CB = np.zeros(cap, dtype=np.int64)
    slots = np.zeros(cap, dtype=np.int64)
    table = np.zeros(hsize, dtype=np.int64)
    keys = np.zeros(hsize, dtype=np.int64)
    maxc = 2 * cap * cap + 1
    csize = 1
    while csize < 2 * maxc:
        csize *= 2
    ctab = np.zeros(csize, dtype=np.int64)
    ckeys = np.zeros(csize, dtype=np.int64)
    cmask = csize - 1
    C = np.zeros((max(kmax, 1), maxc, 6), dtype=np.int64)
    ncand = np.zeros(max(kmax, 1), dtype=np.int64)
    pos = np.zeros(max(kmax, 1), dtype=np.int64)
    saved = np.zeros(max(kmax, 1), dtype=np.int64)
    tnode = np.full(T, -1, dtype=np.int64)
    cnt = 0
    for i in range(N):
        cnt = _push(P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt, np.int64(1) << i, 0, -1, 0, -1, 0)
    visited = 0
    for k in range(kmax + 1):
        cnt = _restore(cnt, N, slots, table, tnode)
        cnt, left = _closure(TP, TQ, tnode, P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt)
        if left == 0:
            return k, _nodes(P, Q, OA, CA, OB, CB, N, cnt)
        if k == 0:
            continue
        d = 0
        saved[0] = cnt
        ncand[0] = _candidates(k == 1, TP, TQ, tnode, P, Q, table, keys, mask, N, cnt, C[0], ctab, ckeys, cmask)
        pos[0] = 0
        while True:
            if pos[d] >= ncand[d]:
                if d == 0:
                    break
                d -= 1
                continue
            cnt = _restore(cnt, saved[d], slots, table, tnode)
            x = pos[d]
            pos[d] += 1
            visited += 1
            if visited > node_limit:
                return -1, np.zeros((0, 6), dtype=np.int64)
            cnt = _push(P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt,
                        C[d, x, 0], C[d, x, 1], C[d, x, 2], C[d, x, 3], C[d, x, 4], C[d, x, 5])
            cnt, left = _closure(TP, TQ, tnode, P, Q, OA, CA, OB, CB, slots, table, keys, mask, N, cnt)
            if left == 0:
                return k, _nodes(P, Q, OA, CA, OB, CB, N, cnt)
            if d + 1 < k:
                d += 1
                saved[d] = cnt
                ncand[d] = _candidates(k - d == 1, TP, TQ, tnode, P, Q, table, keys, mask, N, cnt, C[d],
                                       ctab, ckeys, cmask)
                pos[d] = 0
    return -1, np.zeros((0, 6), dtype=np.int64)


@nb.njit(cache=True)
def _nodes(P, Q, OA, CA, OB, CB, N, cnt):
    out = np.zeros((cnt - N, 6), dtype=np.int64)
    for i in range(N, cnt):
        out[i - N, 0], out[i - N, 1], out[i - N, 2] = P[i], Q[i], OA[i]
        out[i - N, 3], out[i - N, 4], out[i - N, 5] = CA[i], OB[i], CB[i]
    return out
