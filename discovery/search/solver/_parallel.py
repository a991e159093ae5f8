"""The search loop on an executor: batches of restarts run on workers, verified on the client.

:func:`solver_batch` is the task: one batch of restarts of a strategy, run where the executor
puts it (this process, a local process, a Dask worker), returning the rounded candidates as
schemes. :func:`run_search_parallel` keeps one batch per worker in flight, takes batches back
as they finish, verifies every candidate exactly and stores it through the
:class:`~discovery.search.solver._store.ResultStore` (de-duplicated by fingerprint) before it marks the
batch's restarts done. A batch that does not come back (its worker died) leaves its restarts
pending: they are handed out again, and a rerun of the same command does them too.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from discovery.search.executor import LostBatch
from discovery.core.scheme import Scheme
from discovery.search.solver._config import SolverConfig
from discovery.search.solver._store import ResultStore
from discovery.search.summary import Stop

MIN_BATCH_TIME_S = 0.05  # a batch with less time left than this is not worth sending


@dataclass(frozen=True)
class BatchReport:
    """What one batch of restarts returns to the client.

    Attributes:
        indices: the restart indices run (identified by (config.seed, index)).
        candidates: (restart index, scheme) for every restart whose rounded factors satisfy
            all Brent equations in floating point; not yet verified exactly.
        best_residual: smallest least-squares loss reached before rounding (inf if none).
        best_errors: fewest failing Brent equations after rounding (None if none completed).
        completed: False when the time limit cut the batch short (then no restart counts).
        seconds: wall-clock time of the batch on its worker.
    """

    indices: tuple[int, ...]
    candidates: tuple[tuple[int, Scheme], ...]
    best_residual: float
    best_errors: int | None
    completed: bool
    seconds: float


def solver_batch(config: SolverConfig, indices, time_limit: float | None, params=None) -> BatchReport:
    """Run restarts ``indices`` of ``config``'s strategy for at most ``time_limit`` seconds.

    The task function of every executor (a plain module-level function: picklable, and
    dependent on nothing but its arguments). Uses ``config.threads`` torch threads (default 1).
    """
    import torch

    from discovery.search.solver._config import DATA_ONLY
    from discovery.search.solver._loss import target_tensor
    from discovery.search.solver._search import _run_batch, _to_scheme

    t0 = time.monotonic()
    device = config.torch_device()
    before = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(config.threads or 1)
    try:
        indices = [int(i) for i in indices]
        # data-driven strategies learn from sampled products: no tensor
        T = None if config.strategy in DATA_ONLY else target_tensor(*config.format, dtype=torch.float64,
                                                                    device=device)
        deadline = None if time_limit is None else t0 + float(time_limit)
        out = _run_batch(config, T, indices, deadline, params, device)
        if not out.completed:
            return BatchReport(tuple(indices), (), _min_residual(out), None, False, time.monotonic() - t0)
        cands = tuple((i, _to_scheme(config, out, k, i)) for k, i in enumerate(indices)
                      if int(out.errors[k]) == 0)
        return BatchReport(tuple(indices), cands, _min_residual(out), int(out.errors.min()), True,
                           time.monotonic() - t0)
    finally:
        torch.set_num_threads(before)


def _min_residual(out) -> float:
    x = float(out.residual.min()) if out.residual.numel() else math.inf
    return x if math.isfinite(x) else math.inf


def _batch_sizes(config: SolverConfig):
    from discovery.search.solver._search import default_batch

    batch = config.batch or default_batch(config)
    k = 0
    while True:  # small first batches give a quick first result, doubling ones throughput
        yield min(batch, max(4, batch >> max(0, 3 - k)))
        k += 1


def run_search_parallel(config: SolverConfig, executor, params=None, progress: bool = False):
    """Run the search of ``config`` on ``executor`` (see :mod:`discovery.search.executor`).

    Same result as :func:`~discovery.search.solver._search.run_search` (a ``DiscoverResult``), with
    ``lost_batches`` counting batches that did not come back. ``config.time_limit`` is measured
    on the client; each batch gets the time left when it is sent.
    """
    from discovery.search.solver._search import RunTally, check_params

    check_params(config, params)
    store = ResultStore(config)
    executor.warm_up()
    tally = RunTally(config, store, progress)
    deadline = None if config.time_limit is None else tally.t0 + config.time_limit
    sizes = _batch_sizes(config)
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
    return tally.result(stop, lost_batches=lost)
