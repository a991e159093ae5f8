"""The search loop: batches of restarts -> strategy -> exact verification -> store.

A run is a sequence of independent restarts identified by (seed, index). Each batch of
restarts is run in one tensor by the strategy (:func:`~discovery.search.solver._task.solver_batch`,
on an executor: this process by default); every candidate is rounded to integers, built into a
:class:`~discovery.core.scheme.Scheme`, verified exactly by
:func:`discovery.core.verify.require_valid` (inside the store) and written atomically as its
batch comes back, together with the run state. Interrupting loses at most the batches in
flight; running the same command again continues with the restarts not yet done.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from pathlib import Path

from discovery._progress import Progress
from discovery.core.scheme import Scheme
from discovery.errors import VerificationError
from discovery.search.executor import LocalExecutor, LostBatch
from discovery.search.solver._config import SOLVER_MODULES, SolverConfig
from discovery.search.solver._memory import fit_batch
from discovery.search.solver._store import ResultStore
from discovery.search.solver._task import BatchReport, check_params, default_batch, solver_batch
from discovery.search.summary import Stop, Summary

MIN_BATCH_TIME_S = 0.05  # a batch with less time left than this is not worth sending


@dataclass(frozen=True)
class DiscoverResult(Summary):
    """What a run found and how it went (the vocabulary of :mod:`discovery.search.summary`).

    Attributes:
        config: the run's configuration.
        schemes: distinct verified schemes found by this run (new or already stored).
        new: how many of them were not in the output folder before.
        restarts: restarts completed by this run; successes: those ending in a verified scheme.
        time_to_first_s: seconds from the start to the first verified scheme (None if none).
        elapsed_s: wall-clock seconds of the run.
        best_residual: smallest least-squares loss ||Σ u⊗v⊗w − T||² a restart reached before
            rounding (how close the run came; inf if no restart completed). Strategy "sgd"
            estimates it on held-out products (its expectation is that loss).
        best_errors: fewest failing Brent equations of a rounded restart (0 = exact); for
            "sgd", the fewest wrong outputs of the rounded network on held-out integer products.
        rejected: candidates that passed the strategy's own (floating-point or sampled) check
            but failed exact verification, so were not written (expected 0 for the tensor
            strategies; "sgd" checks on samples, so it can be positive).
        out: the output folder; paths: the files of ``schemes``.
        stop: what ended the run: ``Stop.BUDGET`` (all requested restarts done), ``TIME``,
            ``FOUND`` (``max_found`` new schemes), ``INTERRUPTED`` or ``LOST`` (executor runs).
        lost_batches: batches that did not come back from their worker (executor runs only;
            their restarts stay pending and were handed out again or are left to a rerun).
    """

    JSON_SKIP = ("schemes",)

    config: SolverConfig
    schemes: tuple[Scheme, ...]
    new: int
    restarts: int
    successes: int
    time_to_first_s: float | None
    elapsed_s: float
    best_residual: float
    best_errors: int | None
    rejected: int
    out: Path
    paths: tuple[str, ...]
    stop: Stop = Stop.BUDGET
    lost_batches: int = 0

    @property
    def distinct(self) -> int:
        """Distinct verified schemes this run produced."""
        return len(self.schemes)

    @property
    def best(self) -> tuple[Scheme, str] | None:
        """The best scheme found and its file: lowest rank, then fewest additions (plain
        evaluation, :meth:`Scheme.counts`), then file name; None if nothing was found."""
        if not self.schemes:
            return None
        k = min(range(len(self.schemes)), key=lambda i: (
            self.schemes[i].rank, self.schemes[i].counts().additions, self.paths[i]))
        return self.schemes[k], self.paths[k]

    @property
    def success_rate(self) -> float:
        return self.successes / self.restarts if self.restarts else 0.0

    def json_extra(self) -> dict:
        best = self.best
        return {"distinct": self.distinct, "success_rate": round(self.success_rate, 4),
                "best": None if best is None else best[1],
                "best_rank": None if best is None else best[0].rank,
                "best_additions": None if best is None else best[0].counts().additions}


def run_search(config: SolverConfig, params=None, progress: bool = False, executor=None) -> DiscoverResult:
    """Run the search described by ``config``; see :func:`discovery.search.solver.discover`.

    The one loop, on an executor (:mod:`discovery.search.executor`): None runs the batches one
    after the other in this process (``LocalExecutor(1)``); local processes or a Dask cluster run
    one batch per worker at a time. Batches are taken back as they finish, every candidate is
    verified exactly and stored (:class:`~discovery.search.solver._store.ResultStore`) before the
    batch's restarts are marked done. A batch that does not come back (its worker died) leaves
    its restarts pending: they are handed out again, and a rerun of the same command does them
    too (``lost_batches``). ``config.time_limit`` is measured here; each batch gets the time left
    when it is sent.

    On the CPU a batch uses ``config.threads`` torch threads (default 1: the tensors are small,
    and on a shared machine extra intra-op threads cost far more in waiting than they gain;
    measured 10x slower with 2 threads under load); the previous setting is restored after it.
    """
    check_params(config, params)
    # memory first: a format too large for this machine is one line, before any allocation
    batch = fit_batch(config, config.batch or default_batch(config), config.torch_device())
    store = ResultStore(config)
    own = executor is None
    executor = LocalExecutor(1) if own else executor
    executor.warm_up(SOLVER_MODULES)
    tally = RunTally(config, store, progress)  # the time limit counts from here
    deadline = None if config.time_limit is None else tally.t0 + config.time_limit
    sizes = _batch_sizes(batch)
    inflight: dict = {}          # future -> restart indices
    reserved: set[int] = set()   # handed out, not yet recorded
    sent = lost = 0
    stop_sending = False
    stop = Stop.BUDGET
    todo = math.inf if config.restarts is None else config.restarts  # None: until the time limit
    max_lost = max(3, 2 * executor.workers)
    stream = executor.stream()
    try:
        while True:
            while not stop_sending and len(inflight) < executor.workers and sent < todo:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left < MIN_BATCH_TIME_S:
                    stop_sending, stop = True, Stop.TIME
                    break
                if config.max_found is not None and tally.new >= config.max_found:
                    stop_sending, stop = True, Stop.FOUND
                    break
                size = int(min(next(sizes), todo - sent))
                indices = [i for i in store.pending(size + len(reserved)) if i not in reserved][:size]
                fut = executor.submit(solver_batch, config, indices, left, params)
                inflight[fut] = indices
                reserved.update(indices)
                stream.add(fut)
                sent += len(indices)
            if not inflight:
                break
            fut = stream.next()
            indices = inflight.pop(fut)
            reserved.difference_update(indices)
            try:
                rep: BatchReport = executor.result(fut)
            except LostBatch:  # the restarts stay pending and are handed out again
                lost += 1
                sent -= len(indices)
                if lost >= max_lost:
                    stop_sending, stop = True, Stop.LOST
                continue
            tally.residual(rep.best_residual)
            if not rep.completed:
                stop_sending, stop = True, Stop.TIME  # out of time
                continue
            tally.batch(rep.indices, rep.candidates, rep.best_errors)  # verified exactly there
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
        executor.cancel(list(inflight))
    finally:
        tally.close()
        if own:
            executor.close()
    return tally.result(stop, lost_batches=lost)


def _batch_sizes(batch: int):
    k = 0
    while True:  # small first batches give a quick first result, doubling ones throughput
        yield min(batch, max(4, batch >> max(0, 3 - k)))
        k += 1


class RunTally:
    """What a run has found so far: the one door from candidates to results of the search loop.

    :meth:`batch` stores a finished batch's candidates through the store (exact verification
    happens there; a candidate it rejects is counted in ``rejected``) and marks the batch's
    restarts done; :meth:`result` gives the :class:`DiscoverResult`.
    """

    def __init__(self, config: SolverConfig, store: ResultStore, progress: bool,
                 t0: float | None = None):
        self.config, self.store = config, store
        self.t0 = time.monotonic() if t0 is None else t0  # the run's start (time limit, first)
        self.found: dict[str, tuple[Scheme, str]] = {}
        self.new = self.done = self.successes = self.rejected = 0
        self.first: float | None = None
        self.best_res, self.best_err = math.inf, None
        self.bar = _progress(config, progress)

    def residual(self, value: float) -> None:
        self.best_res = min(self.best_res, value)

    def batch(self, indices, candidates, best_errors: int | None) -> None:
        """Record a finished batch: ``candidates`` are (restart, Scheme) pairs that passed the
        strategy's own check; ``best_errors`` its fewest failing equations (None: unknown)."""
        ok = new = 0
        for _, scheme in candidates:
            try:
                added = self.store.add(scheme)
            except VerificationError:
                self.rejected += 1  # passed the strategy's float check, not the exact one: no result
                continue
            ok += 1
            new += added.is_new
            self.found.setdefault(added.fingerprint, (scheme, str(added.path)))
            if self.first is None:
                self.first = time.monotonic() - self.t0
        self.store.record(list(indices), ok, new)
        self.done += len(indices)
        self.successes += ok
        self.new += new
        if best_errors is not None:
            self.best_err = best_errors if self.best_err is None else min(self.best_err, best_errors)
        self.bar.update(len(indices), postfix=f"found={len(self.found)}, best_res={self.best_res:.2e}")

    def close(self) -> None:
        self.bar.close()

    def result(self, stop: Stop, lost_batches: int = 0) -> DiscoverResult:
        return DiscoverResult(
            config=self.config, schemes=tuple(s for s, _ in self.found.values()), new=self.new,
            restarts=self.done, successes=self.successes, time_to_first_s=self.first,
            elapsed_s=time.monotonic() - self.t0, best_residual=self.best_res,
            best_errors=self.best_err, rejected=self.rejected,
            out=self.store.folder, paths=tuple(p for _, p in self.found.values()),
            lost_batches=lost_batches, stop=stop)


def _progress(config: SolverConfig, enabled: bool) -> Progress:
    return Progress(f"<{config.n},{config.m},{config.p}> r{config.rank}", total=config.restarts,
                    unit="restart", enabled=enabled)
