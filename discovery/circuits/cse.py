"""Fewest additions for one linear map: the CSE heuristics of the literature behind one table.

A side of a scheme is a linear map ``y = M x`` with M of shape (K outputs, N inputs) (see
:mod:`discovery.circuits.slp`). Every heuristic here replaces pairs ``x_i ± x_j`` that occur in
several rows by fresh variables (the ternary model), runs compiled
(:mod:`discovery.circuits._cse_kernels`), and is tried on both M and M^T: a program for M^T
becomes one for M by the transposition principle (:func:`discovery.circuits.slp.transpose`),
and one orientation is often cheaper (the <4,4,4> record's A and B sides: 44 directly, 42
transposed). The result is the cheaper program, checked to compute M exactly.

:data:`METHODS` names the heuristics: ``greedy``, ``potential`` (greedy potential),
``intersections`` (greedy intersections), ``best`` (the three, best per map), ``closure`` (``best``, then
the closure search of :mod:`discovery.circuits.closure` for a cheaper program in the ternary model,
exact when it finishes) and ``pairs`` (the pure-Python greedy of
:func:`discovery.circuits.slp.eliminate_pairs_python`, which also shares pairs ``x_i + q x_j`` with
other ratios q). ``random`` (randomized search with restarts, all
cores) lives in :mod:`discovery.circuits.cse_search`.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from discovery.circuits.slp import Coeff, LinearProgram, eliminate_pairs_python, plain_program, transpose

METHODS = {
    "greedy": "most frequent pair first, ties at random",
    "potential": "greedy potential: frequency plus the pairs the fresh variable enables",
    "intersections": "greedy intersections: frequency minus the pairs it competes with",
    "best": "greedy, potential and intersections; the cheapest per side",
    "closure": "best, then the closure search (fewest additions in the ternary model, a few extra nodes)",
    "random": "randomized search: many strategy runs with restarts from the best, all cores",
    "pairs": "pure-Python greedy pair elimination (any ratio of coefficients)",
}

# Kernel strategy codes (see discovery.circuits._cse_kernels).
GREEDY, GREEDY_TIES, GREEDY_RANDOM, WEIGHTED, POTENTIAL, INTERSECTIONS, MIX = range(7)
_STRATEGIES = {"greedy": (GREEDY_TIES,), "potential": (POTENTIAL,), "intersections": (INTERSECTIONS,),
               "best": (GREEDY_TIES, POTENTIAL, INTERSECTIONS)}


def check_method(method: str) -> str:
    """``method`` if it names a heuristic, else a ValueError listing them."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    return method


@dataclass(frozen=True)
class IntegerMap:
    """M as integer rows: ``M[r] = rows[r] / scale[r]`` (scale 1 for an integer matrix).

    Attributes:
        rows: (K, N) int64.
        scale: K positive integers (the least common denominator of each row).
    """

    rows: np.ndarray
    scale: tuple[int, ...]

    @classmethod
    def of(cls, M: np.ndarray) -> "IntegerMap":
        K, N = M.shape
        if M.dtype != object:
            return cls(np.ascontiguousarray(M, dtype=np.int64), (1,) * K)
        scale = tuple(lcm(1, *(Fraction(x).denominator for x in M[r])) for r in range(K))
        rows = np.zeros((K, N), dtype=np.int64)
        for r in range(K):
            for c in range(N):
                if M[r, c] != 0:
                    rows[r, c] = int(Fraction(M[r, c]) * scale[r])
        return cls(rows, scale)

    @property
    def naive(self) -> int:
        return int(np.maximum((self.rows != 0).sum(1) - 1, 0).sum())

    def lower_bound(self) -> int:
        """Each distinct row (up to a factor) with two or more terms needs its own last addition."""
        seen = set()
        for row in self.rows:
            nz = np.flatnonzero(row)
            if len(nz) >= 2:
                g = int(np.gcd.reduce(np.abs(row[nz]))) * (1 if row[nz[0]] > 0 else -1)
                seen.add(tuple(row // g))
        return len(seen)


def program_from_kernel(im: IntegerMap, temps: np.ndarray, R: np.ndarray) -> LinearProgram:
    """The LinearProgram of a kernel run: fresh pairs (i, j, s) and final rows R (K, V)."""
    n = im.rows.shape[1]
    T = int(temps.shape[0])
    prog_temps = tuple(((int(i), 1), (int(j), int(s))) for i, j, s in temps)
    outs = []
    for r in range(R.shape[0]):
        d = im.scale[r]
        row = []
        for v in np.flatnonzero(R[r, : n + T]):
            c: Coeff = int(R[r, v]) if d == 1 else _exact_div(int(R[r, v]), d)
            row.append((int(v), c))
        outs.append(tuple(row))
    return LinearProgram(n, prog_temps, tuple(outs))


def _exact_div(a: int, d: int) -> Coeff:
    q = Fraction(a, d)
    return int(q) if q.denominator == 1 else q


def draw_params(rng: np.random.Generator, strategy: int) -> tuple[float, float]:
    """Random weights (a, b) of a strategy run: the potential's weight in [0, 0.6), the
    intersections' penalty in [0, 0.5) with noise b in [0, 1), GREEDY_RANDOM's greedy share."""
    if strategy == POTENTIAL:
        return float(rng.uniform(0.0, 0.6)), 0.0
    if strategy == INTERSECTIONS:
        return float(rng.uniform(0.0, 0.5)), float(rng.uniform(0.0, 1.0))
    if strategy in (GREEDY_RANDOM, MIX):
        return float(rng.uniform(0.5, 1.0)), float(rng.uniform(0.0, 1.0))
    return 0.0, 0.0


def run_kernel(rows: np.ndarray, strategies, a, b, seeds, prefix: np.ndarray | None = None,
               prefix_lens=None):
    """One compiled batch of runs on integer rows; returns (additions per run, best index,
    best pairs, best final rows). ``prefix`` (P, 3) is replayed first where ``prefix_lens`` > 0."""
    from discovery.circuits import _cse_kernels

    runs = len(strategies)
    if prefix is None or len(prefix) == 0:
        pre = np.zeros((runs, 1, 3), dtype=np.int64)
        lens = np.zeros(runs, dtype=np.int64)
    else:
        pre = np.ascontiguousarray(np.broadcast_to(prefix, (runs, *prefix.shape)), dtype=np.int64)
        lens = np.asarray(prefix_lens, dtype=np.int64)
    return _cse_kernels.reduce_batch(np.ascontiguousarray(rows, dtype=np.int64),
                                     np.asarray(strategies, dtype=np.int64), np.asarray(a, dtype=np.float64),
                                     np.asarray(b, dtype=np.float64), np.asarray(seeds, dtype=np.int64),
                                     pre, lens)


def orientations(M: np.ndarray, transposed: bool = True) -> list[tuple[bool, IntegerMap]]:
    """(transposed?, integer form) of M and (if ``transposed``) of M^T."""
    out = [(False, IntegerMap.of(M))]
    return out + [(True, IntegerMap.of(np.ascontiguousarray(M.T)))] if transposed else out


def as_program_for(M: np.ndarray, prog: LinearProgram, transposed: bool) -> LinearProgram:
    """A program for M from one for M (or for M^T when ``transposed``), checked exactly."""
    out = transpose(prog) if transposed else prog
    if out.matrix().shape != M.shape or np.any(out.matrix() != M):
        raise AssertionError("a reduced program does not compute its map")  # never expected
    return out


def quick_additions(M: np.ndarray, tries: int = 4, seed: int = 0) -> int:
    """An upper bound on the additions ``reduce_map(M, "best", tries, seed)`` finds, from the
    kernel's counts alone (no program is built): the transposed orientation is counted as
    ``L(M^T) + N - K``, which its transposed program never exceeds. For screening many schemes."""
    rng = np.random.default_rng([seed, 18])
    best = None
    for flip, im in orientations(M):
        adds = 0
        if im.naive:
            codes = [GREEDY] + [GREEDY_TIES] * (tries - 1) + [POTENTIAL, INTERSECTIONS] * tries
            ab = [draw_params(rng, c) for c in codes]
            adds = int(run_kernel(im.rows, codes, [a for a, _ in ab], [b for _, b in ab],
                                  rng.integers(0, 2**31, len(codes)))[0].min())
        cost = adds + (transpose_shift(M) if flip else 0)
        best = cost if best is None else min(best, cost)
    return best


def transpose_shift(M: np.ndarray) -> int:
    """``L(transpose(P)) - L(P)`` for a program P of M^T: the non-zero columns minus the
    non-zero rows of M (the transposition principle; a K×N map with none zero: N - K)."""
    nz = M != 0
    return int(nz.any(axis=0).sum()) - int(nz.any(axis=1).sum())


def reduce_map(M: np.ndarray, method: str = "best", tries: int = 32, seed: int = 0,
               transposed: bool = True) -> LinearProgram:
    """The cheapest program found for ``y = M x`` by one heuristic (both orientations).

    Args:
        M: exact matrix (K, N): int64, or an object array of ints and Fractions.
        method: a key of :data:`METHODS` other than ``random``.
        tries: seeded runs per strategy and orientation (the first greedy run breaks ties by
            order, the others at random).
        transposed: also reduce M^T and transpose the program.
    """
    check_method(method)
    if method == "random":
        raise ValueError("method 'random' runs through discovery.circuits.cse_search.random_search")
    if method == "pairs":
        return eliminate_pairs_python(M, tries, seed)
    if method == "closure":
        return closure_improve(M, reduce_map(M, "best", tries, seed, transposed))
    best = None
    if IntegerMap.of(M).naive == 0:
        return plain_program(M)
    rng = np.random.default_rng([seed, 18])
    tries = max(1, int(tries))
    for flip, im in orientations(M, transposed):
        strategies, a, b = [], [], []
        for code in _STRATEGIES[method]:
            for t in range(tries):
                strategies.append(GREEDY if code == GREEDY_TIES and t == 0 else code)
                pa, pb = draw_params(rng, code)
                a.append(pa)
                b.append(pb)
        seeds = rng.integers(0, 2**31, len(strategies))
        _, _, temps, R = run_kernel(im.rows, strategies, a, b, seeds)
        prog = as_program_for(M, program_from_kernel(im, temps, R), flip)
        if best is None or prog.additions < best.additions:
            best = prog
    if method == "best" and np.abs(IntegerMap.of(M).rows).max() > 1:
        prog = eliminate_pairs_python(M, tries, seed)  # shares pairs with other ratios too
        if prog.additions < best.additions:
            best = prog
    return best


CLOSURE_KMAX = 3            # extra nodes the closure search tries at most (see closure_improve)
CLOSURE_NODE_LIMIT = 300_000  # candidate nodes it visits at most per map


def closure_improve(M: np.ndarray, prog: LinearProgram, kmax: int = CLOSURE_KMAX,
                    node_limit: int = CLOSURE_NODE_LIMIT) -> LinearProgram:
    """``prog`` (a program for M) or a cheaper one from the closure search
    (:func:`discovery.circuits.closure.closure_map`), which only looks for fewer additions than
    ``prog`` has; M must be ternary (otherwise ``prog`` comes back)."""
    from discovery.circuits.closure import MAX_INPUTS, closure_map, distinct_targets, is_ternary

    if not is_ternary(M) or min(M.shape) > MAX_INPUTS or min(M.shape) == 0:
        return prog
    small = M if M.shape[1] <= M.shape[0] else M.T
    shift = 0 if small is M else transpose_shift(M)
    room = prog.additions - shift - distinct_targets(small) - 1  # extra nodes that would still beat prog
    if room < 0:
        return prog
    res = closure_map(M, min(kmax, room), node_limit)
    return res.program if res.program is not None and res.program.additions < prog.additions else prog


def eliminate_pairs(M: np.ndarray, tries: int = 16, seed: int = 0) -> LinearProgram:
    """Greedy pair elimination: best of ``tries`` randomized runs (fewest additions).

    Each run repeatedly finds the most frequent pair ``x_i + q x_j`` (same ratio q of
    coefficients in every row that uses it), makes it a temp, and substitutes it, until no
    pair occurs twice. Ties are broken at random (run 0 breaks them by first occurrence).

    A matrix with entries in {-1, 0, 1} runs compiled (the same greedy,
    :mod:`discovery.circuits._cse_kernels`); other matrices run here in Python.

    Args:
        M: exact matrix (n_outputs, n_inputs), int64 or object array of Fractions.
    """
    if M.size and M.dtype != object and np.abs(M).max() <= 1:
        return reduce_map(np.asarray(M, dtype=np.int64), "greedy", tries, seed, transposed=False)
    return eliminate_pairs_python(M, tries, seed)
