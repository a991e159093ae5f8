"""Flip-graph cells ("flips") and the combined strategy ("auto").

A flips cell for (format, r) walks the flip graph (:func:`discovery.search.flips.flip_search`, the task
function on every executor) from the lowest-rank schemes the format's folder already holds above
r (at first: the best scheme composed from Strassen and Laderman, or the standard algorithm)
down to r. The budget is cut into *slices*: each slice is a batch of walks, one per worker,
that starts from the best schemes found so far; the cell stops at the first slice that
reaches r, so no worker walks on long after the goal. Every scheme a walk returns is verified
again on the client and stored through the format's :class:`ResultStore` door.

"auto" (the design of issue 9): flips first, for up to half the budget; a format where they
stall short of r gets the ALS solver for the time left (the solver finds some small schemes the
walks miss, and its schemes become the next cell's flip starts).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from discovery.errors import VerificationError
from discovery.search.executor import LostBatch
from discovery.search.sweeps._cells import CellResult, als_cell, fewest_additions

MAX_STARTS = 16       # schemes handed to one slice as its starting pool
MIN_SLICE_S = 5.0     # shortest slice worth its start-up
SLICES = 4            # a cell's budget in about this many slices


def flip_task(fmt, starts, target: int, time_limit: float, walkers: int, seed: int):
    """One batch of walks: ``flip_search`` from ``starts`` down to ``target`` (the task function)."""
    from discovery.search.flips import flip_search

    n, m, p = fmt
    return flip_search(n, m, p, start=list(starts), ring="ZT", target_rank=target,
                       time_limit=time_limit, walkers=walkers, seed=seed)


def prime_flips() -> None:
    """Compile the walk kernels in this process (a short walk on <2,2,2>): the first cell's
    budget is then spent walking, not compiling (numba also caches the code on disk)."""
    from discovery.search.flips import flip_search

    flip_search(2, 2, 2, time_limit=0.05, walkers=1, seed=0)


def _task_seed(seed: int, fmt, rank: int, slice_: int, k: int) -> int:
    state = np.random.SeedSequence([seed, *fmt, rank, slice_, k]).generate_state(1, dtype=np.uint32)
    return int(state[0] & 0x7FFFFFFF)


def scheme_store(folder: Path, fmt, seed: int):
    """The :class:`SchemeStore` door into a format's folder (verified over ZT)."""
    from discovery.search.store import SchemeStore

    return SchemeStore(folder, fmt=tuple(fmt), ring="ZT")


def _stored(folder: Path) -> dict[int, list[Path]]:
    """The format folder's scheme files by rank (the rank is in the name: r<rank>-<fp>.json)."""
    by_rank: dict[int, list[Path]] = {}
    for path in folder.glob("r[0-9]*-*.json"):
        by_rank.setdefault(int(path.name[1:path.name.index("-")]), []).append(path)
    return by_rank


def _load(paths) -> list:
    from discovery.formats import load_scheme

    return [load_scheme(q) for q in sorted(paths)[:MAX_STARTS]]


def _starts_above(folder: Path, fmt, rank: int) -> list:
    """Up to MAX_STARTS stored schemes of the lowest rank above ``rank``; else a composed start
    (Strassen and Laderman by direct sums and Kronecker products), else the standard algorithm."""
    from discovery.search.flips import composed_start
    from discovery.core.known import laderman, standard

    above = {r: q for r, q in _stored(folder).items() if r > rank}
    if above:
        return _load(above[min(above)])
    start = composed_start(tuple(fmt), library=[laderman()], ring="ZT")
    return [start if start.rank > rank else standard(*fmt)]


def _walk_plan(executor, budget: float) -> tuple[int, int, float]:
    """(tasks per slice, walkers per task, slice seconds) for ``executor``."""
    if executor.kind == "local":
        tasks, walkers = 1, executor.workers   # one process, its walkers share one pool
    else:
        tasks, walkers = executor.workers, 1   # one single-walker task per Dask worker thread
    return tasks, walkers, max(MIN_SLICE_S, budget / SLICES)


def flips_cell(fmt, rank: int, budget: float, seed: int, folder: Path, executor, additions: bool = True) -> CellResult:
    """Walk the flip graph down to ``rank`` for at most ``budget`` seconds on ``executor``.

    ``additions``: count the fewest additions of the best schemes (``simplify``; up to a minute on
    <8,8,8>); False leaves ``fewest_additions`` empty and names the first best scheme's file."""
    n, m, p = fmt
    folder.mkdir(parents=True, exist_ok=True)
    store = scheme_store(folder, fmt, seed)
    t0 = time.monotonic()
    deadline = t0 + budget
    tasks, walkers, slice_s = _walk_plan(executor, budget)
    low: dict[str, tuple] = {}   # the lowest-rank verified schemes this cell produced
    low_rank = None
    new = walks = successes = lost = 0
    first = None
    k_slice = 0

    def keep(sch, t: float) -> None:
        nonlocal low, low_rank, first, new
        added = store.add(sch)  # verified again here, on the client
        fp, path, is_new = added.fingerprint, added.path, added.is_new
        new += is_new
        if low_rank is None or sch.rank < low_rank:
            low, low_rank, first = {}, sch.rank, t
        if sch.rank == low_rank:
            low.setdefault(fp, (sch, str(path)))
            first = min(first, t)

    def reached() -> bool:
        return low_rank is not None and low_rank <= rank

    at_or_below = {r: q for r, q in _stored(folder).items() if r <= rank}
    if at_or_below:  # an earlier (or interrupted) run already went this low: nothing to walk
        for sch in _load(at_or_below[min(at_or_below)]):
            keep(sch, 0.0)
    while not reached() and time.monotonic() < deadline - 0.5:
        starts = _starts_above(folder, fmt, rank)
        if min(s.rank for s in starts) <= rank:  # the standard algorithm is already this low
            for sch in starts:
                keep(sch, time.monotonic() - t0)
            break
        slice_t0 = time.monotonic() - t0
        limit = min(slice_s, deadline - time.monotonic())
        stream = executor.stream()
        futures = []
        for k in range(tasks):
            fut = executor.submit(flip_task, fmt, starts, rank, limit, walkers, _task_seed(seed, fmt, rank, k_slice, k))
            stream.add(fut)
            futures.append(fut)
        k_slice += 1
        for _ in futures:
            fut = stream.next()
            try:
                res = executor.result(fut)
            except LostBatch:  # the slice goes on without that walk
                lost += 1
                continue
            walks += walkers
            successes += res.best_rank <= rank
            for sch in res.schemes:
                try:
                    keep(sch, slice_t0 + res.time_to_best_s)
                except VerificationError:
                    continue
        if lost >= max(3, 2 * tasks) and not reached():
            break
    if additions:
        adds, best_file = fewest_additions([x for x, _ in low.values()], [q for _, q in low.values()])
    else:
        adds, best_file = None, min((Path(q).name for _, q in low.values()), default=None)
    return CellResult(
        n=n, m=m, p=p, rank=rank, strategy="flips", reached=reached(), restarts=0, walks=walks,
        successes=successes, time_to_first_s=first, distinct=len(low), new=new, best_residual=None,
        best_rank_reached=low_rank, fewest_additions=adds, best_file=best_file,
        elapsed_s=time.monotonic() - t0, lost_batches=lost, budget_s=budget, seed=seed)


def auto_cell(fmt, rank: int, budget: float, seed: int, folder: Path, executor) -> CellResult:
    """Flips for up to half the budget; if they stall short of ``rank``, ALS with the rest."""
    t0 = time.monotonic()
    walk = flips_cell(fmt, rank, budget / 2, seed, folder, executor)
    if walk.reached:
        return CellResult(**{**walk.__dict__, "budget_s": budget})
    left = budget - (time.monotonic() - t0)
    if left <= 1.0:
        return CellResult(**{**walk.__dict__, "budget_s": budget})
    solve = als_cell(fmt, rank, left, seed, folder, executor)
    spent = time.monotonic() - t0
    best = solve if solve.reached or walk.best_file is None else walk  # what the cell's best came from
    first = best.time_to_first_s
    if best is solve and first is not None:
        first += walk.elapsed_s
    return CellResult(
        n=solve.n, m=solve.m, p=solve.p, rank=rank, strategy="flips+als", reached=solve.reached,
        restarts=solve.restarts, walks=walk.walks, successes=walk.successes + solve.successes,
        time_to_first_s=first, distinct=best.distinct, new=walk.new + solve.new,
        best_residual=solve.best_residual, best_rank_reached=best.best_rank_reached,
        fewest_additions=best.fewest_additions, best_file=best.best_file, elapsed_s=spent,
        lost_batches=walk.lost_batches + solve.lost_batches, budget_s=budget, seed=seed, stop=solve.stop)
