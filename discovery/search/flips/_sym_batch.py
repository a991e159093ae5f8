"""Where the symmetric search's runs execute: walker threads in this process, or batches of runs on
an executor's processes (:mod:`discovery.search.executor`), verified and kept on the client.

:func:`drive` is the one loop: it keeps every walker busy with the next run, advances them a chunk
at a time (:func:`._sym_kernels.walk_runs`) and hands each finished run's best to a callback. The
local search calls it with the client's harvest; an executor's batch (:func:`run_batch`) calls it
with a list of run numbers and sends the outcomes back.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from discovery.errors import DiscoveryError
from discovery.search.executor import LostBatch
from discovery.core.symmetry import symmetric_standard
from discovery.search.flips import _sym_full as full_kernels
from discovery.search.flips import _sym_kernels as kernels
from discovery.search.flips._sym_encode import Slots, encode
from discovery.search.summary import Stop

BATCH_RUNS = 4  # runs per executor batch


class _Walkers:
    """The kernel's state for K walkers, each running one run at a time from ``slots``."""

    def __init__(self, config, slots: Slots, K: int):
        self.config, self.slots = config, slots
        R = slots.pos.shape[1] + config.margin // 3 + 4
        self.P = np.zeros((K, 3, R), np.uint64)
        self.KD = np.zeros((K, R), np.int64)  # full group: each slot's orbit size (6 or 3)
        self.BK = np.zeros_like(self.KD)
        self.TT = full_kernels.transpose_table(slots.n) if slots.full else None
        self.N = np.zeros_like(self.P)
        self.BP = np.zeros_like(self.P)
        self.BN = np.zeros_like(self.P)
        z = np.zeros(K, np.int64)
        self.S, self.nfix, self.stall, self.steps, self.best, self.BS, self.best_at = (z.copy() for _ in range(7))
        self.flips_out, self.err = z.copy(), z.copy()
        self.rng = np.ones(K, np.uint64)
        self.run = np.full(K, -1, np.int64)
        self.goal = config.target_rank if config.target_rank is not None else -1

    def load(self, w: int, run: int, start: Slots | None = None) -> None:
        """Walker w begins run ``run`` from ``start`` (default the search's start; same frozen fixed points)."""
        s = self.slots if start is None else start
        k = s.pos.shape[1]
        for a in (self.P, self.N):
            a[w] = 0
        self.P[w, :, :k] = s.pos
        self.N[w, :, :k] = s.neg
        if s.full:
            self.KD[w] = 0
            self.KD[w, :k] = s.kinds
        self.S[w], self.nfix[w] = k, s.n_fixed
        self.stall[w] = self.steps[w] = self.best_at[w] = self.err[w] = 0
        self.best[w] = s.rank
        self.BP[w], self.BN[w], self.BK[w], self.BS[w] = self.P[w], self.N[w], self.KD[w], k
        self.rng[w] = np.random.SeedSequence([self.config.seed, run]).generate_state(1, np.uint64)[0] | np.uint64(1)
        self.run[w] = run

    def step(self) -> int:
        c = self.config
        if self.slots.full:
            full_kernels.walk_runs(self.P, self.N, self.KD, self.S, self.rng, self.stall, self.steps, self.best,
                                   self.BP, self.BN, self.BK, self.BS, self.best_at, self.flips_out, self.err,
                                   c.chunk_flips, c.run_flips, self.goal, c.margin, c.plus_after, self.slots.z2,
                                   self.slots.fpos.shape[1], self.slots.fpos, self.slots.fneg, c.n, c.check,
                                   getattr(c, "greedy", 1), self.TT)
            return int(self.flips_out.sum())
        kernels.walk_runs(self.P, self.N, self.S, self.nfix, self.rng, self.stall, self.steps, self.best, self.BP,
                    self.BN, self.BS, self.best_at, self.flips_out, self.err, c.chunk_flips, c.run_flips,
                    self.goal, c.margin, c.plus_after, self.slots.z2, self.slots.fpos.shape[1],
                    self.slots.fpos, self.slots.fneg, c.n, c.check,
                          getattr(c, "greedy", 1), getattr(c, "sample", "position") == "value")
        return int(self.flips_out.sum())

    def finished(self, w: int) -> bool:
        return self.run[w] >= 0 and (self.steps[w] >= self.config.run_flips or self.best[w] <= self.goal
                                     or self.err[w] != 0)

    def best_slots(self, w: int) -> Slots:
        k = int(self.BS[w])
        return self.slots.with_masks(self.BP[w, :, :k].copy(), self.BN[w, :, :k].copy(),
                                     self.BK[w, :k].copy() if self.slots.full else None)


def warm_up() -> None:
    """Compile the symmetric kernels (or load them from numba's cache) on a tiny walk."""
    from types import SimpleNamespace

    config = SimpleNamespace(n=2, seed=0, run_flips=8, chunk_flips=8, margin=6, plus_after=4,
                             target_rank=None, check=False)
    for group in ("cyclic", "full"):
        for ring in ("Z2", "ZT"):
            w = _Walkers(config, encode(symmetric_standard(3 if group == "full" else 2, group), ring,
                                        group=group), 1)
            w.load(0, 0)
            w.step()


def drive(config, slots: Slots, next_run: Callable[[], int | None], t0: float, on_run, done: Callable[[], bool],
          bound: Callable[[], int], bar=None, start_for=None) -> tuple[int, Stop]:
    """Run runs until ``next_run`` has none left, ``done()`` or the time limit; returns (flips, stop).

    ``on_run(run, rank, slots | None, now, finished)`` gets each run's best (its scheme only when
    ``rank <= bound()``); at the time limit or Ctrl-C the runs in flight are handed over unfinished.
    ``start_for(run)`` gives a run's start (None: the search's start).
    """
    K = config.n_walkers if config.runs is None else max(1, min(config.n_walkers, config.runs))
    W = _Walkers(config, slots, K)
    def begin(w: int, r: int) -> None:
        W.load(w, r, start_for(r) if start_for is not None else None)

    for w in range(K):
        r = next_run()
        if r is not None:
            begin(w, r)
    flips, stop = 0, Stop.BUDGET

    def hand(w: int, now: float, finished: bool) -> None:
        rank = int(W.best[w])
        on_run(int(W.run[w]), rank, W.best_slots(w) if rank <= bound() else None, now, finished)

    try:
        while True:
            if done():
                stop = Stop.TARGET
                break
            now = time.perf_counter() - t0
            if config.time_limit is not None and now >= config.time_limit:
                stop = Stop.TIME
                break
            if not (W.run >= 0).any():
                break
            flips += W.step()
            now = time.perf_counter() - t0
            for w in range(K):
                if not W.finished(w):
                    continue
                if W.err[w]:
                    raise DiscoveryError(f"symmetric walk: the debug check failed with code {int(W.err[w])} in "
                                         f"run {int(W.run[w])} (a bug in the kernel; please report it)")
                hand(w, now, True)
                r = None if done() else next_run()
                if r is None:
                    W.run[w] = -1
                else:
                    begin(w, r)
            if bar is not None:
                bar(now, flips)
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    now = time.perf_counter() - t0
    for w in range(K):
        if W.run[w] >= 0 and not W.finished(w):
            hand(w, now, False)
    return flips, stop


def _counter(limit: int | None):
    state = {"next": 0}

    def next_run() -> int | None:
        r = state["next"]
        if limit is not None and r >= limit:
            return None
        state["next"] = r + 1
        return r
    return next_run


def run_local(config, slots: Slots, hv, t0: float, progress: bool) -> None:
    """All runs in this process on ``config.n_walkers`` threads, harvested by ``hv`` as they finish."""
    bar = _Bar(config, hv) if progress else None
    try:
        flips, stop = drive(config, slots, _counter(config.runs), t0, hv.take, hv.target_reached,
                            lambda: hv.best_rank, bar.update if bar else None, hv.start_for)
    finally:
        if bar is not None:
            bar.close()
    hv.flips += flips
    hv.stop = stop


def run_batch(config, slots: Slots, run_ids: list[int], bound: int, time_limit: float | None, starts=None):
    """One executor batch: the runs ``run_ids`` (their outcome depends only on the seed, the run and
    its start: ``starts[q]`` for run ``run_ids[q]``, None for the search's start).

    Returns (flips, [(run, rank, pos, neg, kinds, finished), ...]); masks (and, for the full group,
    the slots' orbit sizes) only for ranks <= ``bound``."""
    from dataclasses import replace

    config = replace(config, walkers=min(len(run_ids), config.walkers or 1), runs=len(run_ids),
                     time_limit=time_limit)
    queue = list(run_ids)
    out = []

    def take(run, rank, s, now, finished):
        out.append((run, rank, None if s is None else s.pos, None if s is None else s.neg,
                    None if s is None else s.kinds, finished))

    begin = dict(zip(run_ids, starts or [None] * len(run_ids)))
    flips, _ = drive(config, slots, lambda: queue.pop(0) if queue else None, time.perf_counter(), take,
                     lambda: config.target_rank is not None and any(o[1] <= config.target_rank for o in out),
                     lambda: bound, start_for=begin.get)
    return flips, out


def run_on(executor, config, slots: Slots, hv, t0: float, progress: bool) -> None:
    """Batches of :data:`BATCH_RUNS` runs on ``executor``; each outcome verified by ``hv`` on arrival."""
    next_run = _counter(config.runs)
    stream = executor.stream()
    bar = _Bar(config, hv) if progress else None

    def submit() -> bool:
        ids = [r for r in (next_run() for _ in range(BATCH_RUNS)) if r is not None]
        if not ids:
            return False
        left = None if config.time_limit is None else config.time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0:
            return False
        stream.add(executor.submit(run_batch, config, slots, ids, hv.best_rank, left,
                                   [hv.start_for(r) for r in ids]))
        return True

    for _ in range(executor.workers):
        if not submit():
            break
    hv.stop = Stop.BUDGET
    try:
        while len(stream):
            future = stream.next()
            try:
                flips, outcomes = executor.result(future)
            except LostBatch:
                continue
            now = time.perf_counter() - t0
            hv.flips += flips
            for run, rank, pos, neg, kinds, finished in outcomes:
                s = None if pos is None else slots.with_masks(pos, neg, kinds)
                hv.take(run, rank, s, now, finished)
            if bar is not None:
                bar.update(now, hv.flips)
            if hv.target_reached():
                hv.stop = Stop.TARGET
                break
            if config.time_limit is not None and now >= config.time_limit:
                hv.stop = Stop.TIME
                break
            submit()
    finally:
        executor.cancel([])
        if bar is not None:
            bar.close()


class _Bar:
    """Progress on stderr (the shared helper: a bar on a terminal, plain lines elsewhere): best rank,
    runs done and their ranks, flips per second."""

    def __init__(self, config, hv):
        from discovery._progress import Progress

        self.hv = hv
        total = config.time_limit if config.time_limit is not None else None
        self.bar = Progress(f"<{config.n},{config.n},{config.n}> {config.ring}",
                            total=round(total, 1) if total else None, unit="s")

    def update(self, now: float, flips: int) -> None:
        hv = self.hv
        ranks = " ".join(f"{r}:{c}" for r, c in sorted(hv.rank_counts.items())[:6])
        self.bar.set(now, desc=f"<{hv.config.n},{hv.config.n},{hv.config.n}> {hv.config.ring} best {hv.best_rank}",
                     postfix=f"runs {hv.runs} [{ranks}], {flips / max(now, 1e-9) / 1e6:.2f} M flips/s")

    def close(self) -> None:
        self.bar.close()

