"""Flip-graph search on an executor (local processes or a Dask cluster).

The time budget is cut into slices. Each slice submits one independent walk per worker
(:func:`walk_task`, a plain :func:`~discovery.search.flips.flip_search` with its own seed) from the
best schemes found so far; the client takes the walks back as they finish, verifies every
scheme again, de-duplicates by fingerprint and writes new ones at once, so a worker that dies
loses only its walk. The search stops at the target rank, the time limit or Ctrl-C.
"""

from __future__ import annotations

import time

import numpy as np

from discovery.errors import DiscoveryError
from discovery.search.executor import LostBatch
from discovery.search.flips._search import FlipConfig, FlipResult, _prepare
from discovery.core.transforms import fingerprint
from discovery.core.verify import verify

MAX_STARTS = 16


def walk_task(fmt, starts, ring: str, target: int | None, time_limit: float, seed: int):
    """One walk (the task function on every executor): returns its verified best schemes."""
    from discovery.search.flips._search import flip_search

    res = flip_search(*fmt, start=list(starts), ring=ring, target_rank=target, time_limit=time_limit,
                      walkers=1, seed=seed)
    return res.schemes, res.flips


def _seed(seed: int, slice_: int, k: int) -> int:
    return int(np.random.SeedSequence([seed, slice_, k]).generate_state(1, dtype=np.uint32)[0] & 0x7FFFFFFF)


def flip_search_on(executor, n: int, m: int, p: int, *, start=None, ring: str = "ZT",
                   target_rank: int | None = None, time_limit: float = 60.0, seed: int = 0,
                   slice_s: float | None = None, out=None) -> FlipResult:
    """:func:`~discovery.search.flips.flip_search` spread over ``executor`` (see the module docstring).

    Args:
        executor: a :class:`discovery.search.executor.LocalExecutor` or ``DaskExecutor``.
        slice_s: seconds per slice (default: a quarter of the budget, at least 5 s).
        Others as for :func:`~discovery.search.flips.flip_search`.
    """
    if time_limit is None or not time_limit > 0:
        raise DiscoveryError("a distributed flip search needs a positive time limit")
    workers = executor.workers
    config = FlipConfig(n, m, p, ring=ring, target_rank=target_rank, time_limit=time_limit,
                        walkers=workers, seed=seed)
    pool, start_rank, folder = _prepare(config, start, out)
    best_rank = start_rank
    pool = [s for s in pool if s.rank == best_rank][:MAX_STARTS]
    slice_s = slice_s or max(5.0, time_limit / 4)
    history = [(0.0, start_rank)]
    kept: dict[str, object] = {}
    time_to_best, flips, lost, rejected, stop = 0.0, 0, 0, 0, "time"
    t0 = time.perf_counter()
    slice_ = 0
    try:
        while True:
            left = time_limit - (time.perf_counter() - t0)
            if target_rank is not None and best_rank <= target_rank:
                stop = "target"
                break
            if left <= 0.5:
                break
            stream = executor.stream()
            for k in range(workers):
                stream.add(executor.submit(walk_task, (n, m, p), pool, ring, target_rank,
                                           min(slice_s, left), _seed(seed, slice_, k)))
            slice_ += 1
            fresh = []
            while len(stream):
                future = stream.next()
                try:
                    schemes, done = executor.result(future)
                except LostBatch:
                    lost += 1
                    continue
                flips += done
                for s in schemes:
                    if not verify(s, ring).ok:  # verified again on the client: trust nothing that travelled
                        rejected += 1
                        continue
                    fresh.append(s)
            if fresh:
                low = min(s.rank for s in fresh)
                now = time.perf_counter() - t0
                if low < best_rank:
                    best_rank, time_to_best = low, now
                    history.append((now, low))
                    kept = {}
                    pool = []
                for s in fresh:
                    if s.rank != best_rank:
                        continue
                    fp = fingerprint(s)
                    if fp not in kept:
                        kept[fp] = s
                        if folder is not None:
                            folder.add(s, fp)
                pool = (list(kept.values()) or pool)[:MAX_STARTS]
    except KeyboardInterrupt:
        stop = "interrupted"
    seconds = time.perf_counter() - t0
    schemes = tuple(kept.values()) or tuple(pool)
    result = FlipResult(config, best_rank, schemes[0], schemes, start_rank, time_to_best, flips,
                        flips / seconds if seconds else 0.0, len(kept) if best_rank < start_rank else 0,
                        tuple(history), stop, seconds, folder.folder if folder else None, rejected)
    if folder is not None:
        folder.record(config, {"result": {**result.summary(), "executor": executor.describe(),
                                          "lost_walks": lost}, "history": history})
    return result
