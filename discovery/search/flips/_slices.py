"""The flip-graph search on an executor (local processes or a Dask cluster): the slice driver.

The time budget is cut into slices. Each slice submits one independent walk per worker
(:func:`walk_slice`: the local search with one walker, its own seed, no output) from members
of the pool level; the client takes the walks back as they finish, verifies every scheme
again (nothing that travelled is trusted), offers them to the same :class:`~._pool.Pool` the
local search uses, and writes new ones at once, so a worker that dies loses only its walk.
The search stops at the target rank, the time limit, when every walk is stuck, or on Ctrl-C.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from discovery.core.verify import verify
from discovery.search.executor import LostBatch
from discovery.search.flips._config import FlipConfig
from discovery.search.flips._pool import Pool, pool_result, write_record
from discovery.search.flips._progress import Progress
from discovery.search.flips._search import run_local
from discovery.search.summary import Stop

MAX_STARTS = 16
MIN_SLICE_S = 5.0


def slice_seed(seed: int, slice_: int, k: int) -> int:
    """The seed of walk ``k`` of slice ``slice_`` (independent of the worker count's order)."""
    return int(np.random.SeedSequence([seed, slice_, k]).generate_state(1, dtype=np.uint32)[0] & 0x7FFFFFFF)


def walk_slice(config: FlipConfig, starts, seconds: float, seed: int):
    """One walk (the task function on every executor): its verified schemes below the start
    level (every level, so the client's pool fills), flips and attempts."""
    c = dataclasses.replace(config, walkers=1, seed=seed, time_limit=seconds, max_flips=None)
    res = run_local(c, list(starts))
    return res.schemes, res.flips, res.attempts


def search_on(executor, config: FlipConfig, starts, store=None, progress: bool = False,
              slice_s: float | None = None):
    """The search spread over ``executor`` (see the module docstring)."""
    pool = Pool(config, starts, store)
    limit = config.time_limit or 60.0
    slice_s = slice_s or max(MIN_SLICE_S, limit / 4)
    bar = Progress(progress, config, pool.start_rank)
    flips = attempts = rejected = lost = 0
    stop = Stop.TIME
    t0 = time.perf_counter()
    pool.t0 = t0
    slice_ = 0
    try:
        while True:
            if config.target_rank is not None and pool.best_rank <= config.target_rank:
                stop = Stop.TARGET
                break
            left = limit - (time.perf_counter() - t0)
            if left <= 0.5:
                break
            stream = executor.stream()
            for k in range(executor.workers):
                members = [pool.pick().scheme for _ in range(min(MAX_STARTS, len(pool.levels[pool.level])))]
                stream.add(executor.submit(walk_slice, config, members, min(slice_s, left),
                                           slice_seed(config.seed, slice_, k)))
            slice_ += 1
            done = 0
            while len(stream):
                try:
                    schemes, f, a = executor.result(stream.next())
                except LostBatch:
                    lost += 1
                    continue
                flips += f
                attempts += a
                done += f
                for s in schemes:
                    if not verify(s, config.ring).ok:
                        rejected += 1
                        continue
                    pool.add(s)
            pool.descend()
            if done == 0:
                stop = Stop.STUCK
                break
            if store is not None:
                write_record(store, config, pool, "running")
            bar.update(time.perf_counter() - t0, pool, np.array([pool.best_rank]), flips)
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    result = pool_result(config, pool, flips, attempts, rejected, stop, elapsed, store, executor.describe(), lost)
    if store is not None:
        write_record(store, config, pool, "done", result)
    return result
