"""Randomized search for the fewest additions of several linear maps, on all cores.

Each map is reduced in both orientations (M and M^T, see :mod:`discovery.circuits.cse`); each
(map, orientation) pair is a *group*. A round gives every unfinished group ``runs`` compiled
runs, each with a strategy drawn by :attr:`RandomSearchConfig.weights` and random parameters;
with probability ``restart_rate`` a run first replays a random prefix (up to 3/4) of the
group's best program so far and continues from there (a restart near the best). A group keeps
its best program (fewest additions, then fewest fresh variables); the search stops after
``patience`` rounds without improvement in any group, after ``rounds`` rounds, at the time
limit (checked between rounds), or when every group meets its lower bound.

Reproducible: run seeds and parameters come from ``(seed, group, round)`` only, and the runs of a
round are split into chunks whose results are merged by run index, so the answer does not depend
on the number of workers. A time limit can stop earlier on a slower machine.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import time
from dataclasses import dataclass, field

import numpy as np

from discovery.circuits.cse import (GREEDY_RANDOM, GREEDY_TIES, INTERSECTIONS, MIX, POTENTIAL, WEIGHTED,
                                    as_program_for, draw_params, orientations, program_from_kernel, run_kernel,
                                    transpose_shift)
from discovery.circuits.slp import LinearProgram, plain_program

DEFAULT_WEIGHTS = ((INTERSECTIONS, 0.45), (GREEDY_TIES, 0.2), (POTENTIAL, 0.15), (GREEDY_RANDOM, 0.1),
                   (WEIGHTED, 0.05), (MIX, 0.05))


@dataclass(frozen=True)
class RandomSearchConfig:
    """Settings of :func:`random_search`.

    Attributes:
        runs: compiled runs per group and round.
        rounds: at most this many rounds.
        patience: stop after this many rounds in a row without improvement.
        restart_rate: share of runs that start from a prefix of the group's best program.
        weights: (strategy code, weight) pairs for drawing a run's strategy.
        transposed: also search M^T (transposition principle).
        seed: base seed.
        workers: processes (1: in this process).
        time_limit: seconds; checked between rounds (None: no limit).
    """

    runs: int = 64
    rounds: int = 50
    patience: int = 4
    restart_rate: float = 0.3
    weights: tuple[tuple[int, float], ...] = DEFAULT_WEIGHTS
    transposed: bool = True
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None

    def __post_init__(self):
        if self.runs < 1 or self.rounds < 1 or self.patience < 1 or self.workers < 1:
            raise ValueError("runs, rounds, patience and workers must be at least 1")
        if not 0.0 <= self.restart_rate <= 1.0:
            raise ValueError("restart_rate must lie in [0, 1]")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError("time_limit must be positive (or None)")


@dataclass(frozen=True)
class RandomSearchResult:
    """Best programs of :func:`random_search`, one per map, and what it took.

    Attributes:
        programs: a program per map (for M itself, whichever orientation won).
        transposed: per map, whether the winner came from M^T.
        rounds, runs: work done; seconds: wall time.
        history: (round, total additions) each time the total dropped.
    """

    programs: tuple[LinearProgram, ...]
    transposed: tuple[bool, ...]
    rounds: int
    runs: int
    seconds: float
    history: tuple[tuple[int, int], ...] = field(default=())

    @property
    def additions(self) -> int:
        return sum(p.additions for p in self.programs)


def _chunk(rows, strategies, a, b, seeds, prefix, lens):
    """Worker task: one kernel batch; returns (additions, best index, pairs, final rows)."""
    return run_kernel(rows, strategies, a, b, seeds, prefix, lens)


class _Group:
    def __init__(self, map_index: int, M: np.ndarray, flip: bool, im):
        self.map_index, self.M, self.flip, self.im = map_index, M, flip, im
        self.bound = im.lower_bound()
        self.adds, self.fresh = im.naive, 0
        self.temps = np.zeros((0, 3), dtype=np.int64)
        self.R = None

    def done(self) -> bool:
        return self.adds <= self.bound

    def plan(self, cfg: RandomSearchConfig, g: int, rnd: int):
        """The runs of one round: strategies, parameters, seeds, prefix lengths."""
        rng = np.random.default_rng([cfg.seed, g, rnd, 18])
        codes = np.array([c for c, _ in cfg.weights])
        p = np.array([w for _, w in cfg.weights], dtype=float)
        strategies = rng.choice(codes, size=cfg.runs, p=p / p.sum())
        ab = [draw_params(rng, int(s)) for s in strategies]
        seeds = rng.integers(0, 2**31, cfg.runs)
        lens = np.zeros(cfg.runs, dtype=np.int64)
        T = len(self.temps)
        if T:
            hi = max(1, (3 * T) // 4)
            restart = rng.random(cfg.runs) < cfg.restart_rate
            lens[restart] = rng.integers(1, hi + 1, int(restart.sum()))
        return strategies, [x for x, _ in ab], [y for _, y in ab], seeds, lens


def random_search(maps: list[np.ndarray], config: RandomSearchConfig = RandomSearchConfig(),
                  executor=None) -> RandomSearchResult:
    """Fewest additions for each map of ``maps`` (exact (K, N) matrices) by randomized runs.

    Args:
        executor: anything with ``submit(fn, *args)`` returning a future with ``result()`` (a
            ``concurrent.futures`` executor, :class:`discovery.search.executor.LocalExecutor`,
            ...); default: ``config.workers`` spawned processes (in this process for one).
    """
    t0 = time.perf_counter()
    groups = [_Group(k, M, flip, im) for k, M in enumerate(maps)
              for flip, im in orientations(M, config.transposed)]
    own = None
    if executor is None and config.workers > 1:
        own = executor = cf.ProcessPoolExecutor(config.workers, mp_context=multiprocessing.get_context("spawn"))
    history: list[tuple[int, int]] = []
    total_runs, rnd, stale = 0, 0, 0
    try:
        best_total = _total(groups, maps)
        for rnd in range(1, config.rounds + 1):
            live = [(g, grp) for g, grp in enumerate(groups) if not grp.done()]
            if not live:
                rnd -= 1
                break
            jobs = []
            for g, grp in live:
                strategies, a, b, seeds, lens = grp.plan(config, g, rnd)
                parts = np.array_split(np.arange(config.runs), max(1, config.workers))
                for part in parts:
                    if len(part) == 0:
                        continue
                    args = (grp.im.rows, strategies[part], np.asarray(a)[part], np.asarray(b)[part],
                            seeds[part], grp.temps, lens[part])
                    fut = executor.submit(_chunk, *args) if executor is not None else None
                    jobs.append((grp, part, fut, args))
            improved = False
            for grp, part, fut, args in jobs:
                adds, best, temps, R = fut.result() if fut is not None else _chunk(*args)
                total_runs += len(part)
                key = (int(adds[best]), len(temps))
                if key < (grp.adds, grp.fresh):
                    grp.adds, grp.fresh, grp.temps, grp.R = key[0], key[1], temps, R
                    improved = True
            total = _total(groups, maps)
            if total < best_total:
                best_total = total
                history.append((rnd, total))
            stale = 0 if improved else stale + 1
            if stale >= config.patience:
                break
            if config.time_limit is not None and time.perf_counter() - t0 >= config.time_limit:
                break
    finally:
        if own is not None:
            own.shutdown(cancel_futures=True)
    programs, flips = [], []
    for k, M in enumerate(maps):
        prog, flip = _best_for(groups, k, M)
        programs.append(prog)
        flips.append(flip)
    return RandomSearchResult(tuple(programs), tuple(flips), rnd, total_runs,
                              time.perf_counter() - t0, tuple(history))


def _program(grp: _Group) -> LinearProgram | None:
    if grp.R is None:
        return None
    return as_program_for(grp.M, program_from_kernel(grp.im, grp.temps, grp.R), grp.flip)


def _best_for(groups, k: int, M: np.ndarray) -> tuple[LinearProgram, bool]:
    best, flip = plain_program(M), False
    for grp in groups:
        if grp.map_index != k:
            continue
        prog = _program(grp)
        if prog is not None and prog.additions < best.additions:
            best, flip = prog, grp.flip
    return best, flip


def _total(groups, maps) -> int:
    """Sum over maps of the cheapest group (orientation costs converted to M's)."""
    total = 0
    for k, M in enumerate(maps):
        costs = [g.adds + (transpose_shift(M) if g.flip else 0) for g in groups if g.map_index == k]
        total += min(costs)
    return total
