"""Fewest additions of a small ternary linear map, by closure search (exact in its model).

A side of a scheme is a map ``y = M x``, M of shape (K outputs, N inputs) with entries in
{-1, 0, 1} (see :mod:`discovery.circuits.slp`). In the ternary model every addition makes a node
``±a ± b`` of two earlier nodes; here every node is a ternary vector, and an output is a node
(or an input, or 0) up to its sign. The D distinct outputs of two or more terms (up to sign) each
need a node of their own, so every program has at least D additions; :func:`closure_program`
finds the least ``D + k`` that the model allows by trying k = 0, 1, ... extra nodes
(intermediates) under the closure of the targets (:mod:`discovery.circuits._closure_kernels`),
and so beats the greedy heuristics of :mod:`discovery.circuits.cse` when they are off by one or
two (the <3,3,3> rank-23 sides: 14 where the heuristics give 15 or 16).

Cheap when N is small and k is 0, 1 or 2 (milliseconds on a 23×9 side); k grows the search
roughly by a factor ``(N + D)^2`` per step, so ``kmax`` and ``node_limit`` bound it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from discovery.circuits.slp import LinearProgram, transpose

MAX_INPUTS = 31  # a node is two bit masks of N bits in one int64 key


@dataclass(frozen=True)
class ClosureResult:
    """What :func:`closure_program` found for one map.

    Attributes:
        program: a program for M with ``distinct + extra`` additions, or None if none was found
            within the limits.
        distinct: D, the distinct outputs of two or more terms up to sign (a lower bound).
        extra: the intermediates the program needs (-1 if none was found).
        exact: True when the search proved that no program in the model has fewer additions
            (every smaller k was searched completely).
    """

    program: LinearProgram | None
    distinct: int
    extra: int
    exact: bool

    @property
    def additions(self) -> int | None:
        return None if self.program is None else self.program.additions


def _mask(row: np.ndarray) -> tuple[int, int]:
    pos = neg = 0
    for j in np.flatnonzero(row):
        if row[j] > 0:
            pos |= 1 << int(j)
        else:
            neg |= 1 << int(j)
    return pos, neg


def _normal(pos: int, neg: int) -> tuple[int, int, int]:
    low = (pos | neg) & -(pos | neg)
    return (pos, neg, 1) if pos & low else (neg, pos, -1)


def is_ternary(M: np.ndarray) -> bool:
    """Whether every entry of M is -1, 0 or 1."""
    return bool(M.size == 0 or np.all(np.isin(np.asarray(M, dtype=object), (-1, 0, 1))))


def distinct_targets(M: np.ndarray) -> int:
    """D: the distinct rows of M with two or more non-zero entries, up to sign."""
    M = np.asarray(M, dtype=np.int64)
    rows = M[(M != 0).sum(1) >= 2]
    if len(rows) == 0:
        return 0
    first = np.sign(rows[np.arange(len(rows)), np.argmax(rows != 0, axis=1)])
    return len(np.unique(rows * first[:, None], axis=0))


def closure_program(M: np.ndarray, kmax: int = 2, node_limit: int = 2_000_000) -> ClosureResult:
    """The fewest additions for ``y = M x`` in the ternary model, with at most ``kmax`` extra nodes.

    Args:
        M: (K, N) integer matrix with entries in {-1, 0, 1}, N <= 31.
        kmax: most intermediates to try (the search grows quickly with it).
        node_limit: candidate nodes to visit at most before giving up (then ``exact`` is False).

    Raises ValueError for a matrix that is not ternary or has too many inputs.
    """
    from discovery.circuits import _closure_kernels

    M = np.asarray(M)
    if M.ndim != 2 or not is_ternary(M):
        raise ValueError("the closure search takes a 2-d matrix with entries in {-1, 0, 1}")
    K, N = M.shape
    if N > MAX_INPUTS:
        raise ValueError(f"the closure search takes at most {MAX_INPUTS} inputs, got {N} (try the transpose)")
    M = M.astype(np.int64)
    index: dict[tuple[int, int], int] = {}
    where: list[tuple[tuple[int, int], int] | None] = []
    for row in M:
        if np.count_nonzero(row) < 2:
            where.append(None)
            continue
        p, q, sign = _normal(*_mask(row))
        index.setdefault((p, q), len(index))
        where.append(((p, q), sign))
    D = len(index)
    TP = np.array([p for p, _ in index], dtype=np.int64)
    TQ = np.array([q for _, q in index], dtype=np.int64)
    k, nodes = _closure_kernels.search(N, TP, TQ, int(kmax), int(node_limit))
    if k < 0:
        return ClosureResult(None, D, -1, False)
    var = {(int(p), int(q)): N + i for i, (p, q, *_) in enumerate(nodes)}
    temps = tuple(((int(a), int(ca)), (int(b), int(cb))) for _, _, a, ca, b, cb in nodes)
    outputs = []
    for r, row in enumerate(M):
        if where[r] is None:
            outputs.append(tuple((int(j), int(row[j])) for j in np.flatnonzero(row)))
        else:
            key, sign = where[r]
            outputs.append(((var[key], sign),))
    prog = LinearProgram(N, temps, tuple(outputs))
    if prog.matrix().shape != M.shape or np.any(prog.matrix() != M):
        raise AssertionError("a closure program does not compute its map")  # never expected
    return ClosureResult(prog, D, int(k), True)


def closure_map(M: np.ndarray, kmax: int = 2, node_limit: int = 2_000_000) -> ClosureResult:
    """:func:`closure_program` on M or, when M has more inputs than outputs, on M^T with the
    program transposed (the transposition principle: ``K - N`` more additions); the count of a
    transposed result is proven least only for M^T, so ``exact`` is then False."""
    M = np.asarray(M)
    K, N = M.shape
    if N <= K:
        return closure_program(M, kmax, node_limit)
    res = closure_program(np.ascontiguousarray(M.T), kmax, node_limit)
    if res.program is None:
        return res
    prog = transpose(res.program)
    if prog.matrix().shape != M.shape or np.any(prog.matrix() != M):
        raise AssertionError("a transposed closure program does not compute its map")  # never expected
    return ClosureResult(prog, res.distinct, res.extra, False)
