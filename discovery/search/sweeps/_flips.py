"""Flip-graph cells ("flips") and the combined strategy ("auto").

A flips cell for (format, r) walks the flip graph (:func:`discovery.search.flips.flip_search` on the
sweep's executor: the one slice driver and pool of the flip engine) from the lowest-rank schemes the
format's folder already holds above r (at first: the best scheme composed from Strassen and
Laderman, or the standard algorithm) down to r; the search stops at the first slice that reaches r.
Every scheme a walk returns is verified again on the client and stored through the format's
:class:`~discovery.search.store.SchemeStore` door.

"auto" (the design of issue 9): flips first, for up to half the budget; a format where they
stall short of r gets the ALS solver for the time left (the solver finds some small schemes the
walks miss, and its schemes become the next cell's flip starts).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from discovery.errors import VerificationError
from discovery.search.sweeps._cells import CellResult, als_cell, fewest_additions

MAX_STARTS = 16       # stored schemes a cell starts from


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


def flips_cell(fmt, rank: int, budget: float, seed: int, folder: Path, executor, additions: bool = True) -> CellResult:
    """Walk the flip graph down to ``rank`` for at most ``budget`` seconds on ``executor``:
    :func:`~discovery.search.flips.flip_search` on it (the slice driver and its pool), from the
    lowest-rank schemes the folder holds above ``rank``, writing into the folder.

    ``additions``: count the fewest additions of the best schemes (``simplify``; up to a minute on
    <8,8,8>); False leaves ``fewest_additions`` empty and names the first best scheme's file."""
    from discovery.search.flips import flip_search

    n, m, p = fmt
    folder.mkdir(parents=True, exist_ok=True)
    store = scheme_store(folder, fmt, seed)
    t0 = time.monotonic()
    low: dict[str, tuple] = {}
    at_or_below = {r: q for r, q in _stored(folder).items() if r <= rank}
    res = None
    if at_or_below:  # an earlier (or interrupted) run already went this low: nothing to walk
        schemes, first = _load(at_or_below[min(at_or_below)]), 0.0
    else:
        starts = _starts_above(folder, fmt, rank)
        if min(s.rank for s in starts) <= rank:  # the standard algorithm is already this low
            schemes, first = starts, 0.0
        else:
            res = flip_search(n, m, p, start=starts, target_rank=rank, time_limit=budget,
                              seed=_task_seed(seed, fmt, rank, 0, 0), out=folder, executor=executor)
            schemes, first = list(res.schemes), res.time_to_best_s
    for sch in schemes:
        try:
            added = store.add(sch)  # verified again here, on the client
        except VerificationError:
            continue
        low.setdefault(added.fingerprint, (sch, str(added.path)))
    low_rank = min((x.rank for x, _ in low.values()), default=None)
    low = {fp: v for fp, v in low.items() if v[0].rank == low_rank}
    reached = low_rank is not None and low_rank <= rank
    if additions:
        adds, best_file = fewest_additions([x for x, _ in low.values()], [q for _, q in low.values()])
    else:
        adds, best_file = None, min((Path(q).name for _, q in low.values()), default=None)
    return CellResult(
        n=n, m=m, p=p, rank=rank, strategy="flips", reached=reached, restarts=0,
        walks=res.walks if res else 0, successes=int(reached and res is not None),
        time_to_first_s=first if reached or res is None else None, distinct=len(low),
        new=res.new if res else 0, best_residual=None, best_rank_reached=low_rank, fewest_additions=adds,
        best_file=best_file, elapsed_s=time.monotonic() - t0, lost_batches=res.lost_batches if res else 0,
        budget_s=budget, seed=seed)


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
