"""The entry point of the flip-graph search: :func:`flip_search` on threads or an executor."""

from __future__ import annotations

import os
from pathlib import Path

from discovery.search.flips._config import FlipConfig, FlipResult
from discovery.search.flips._search import prepare, run_local
from discovery.search.flips._slices import search_on


def flip_search(n: int, m: int, p: int, *, start=None, ring: str = "ZT", target_rank: int | None = None,
                time_limit: float | None = 60.0, walkers: int = 0, seed: int = 0,
                max_flips: int | None = None, out: str | os.PathLike | None = None,
                progress: bool = False, executor=None, symmetry: str = "none", **options) -> FlipResult:
    """Lower the rank of a scheme for <n,m,p> by random walks on the flip graph.

    Args:
        start: None (the standard algorithm), a Scheme, a path (file or folder), or a list
            of them; every start must be exact over ``ring`` and of format <n,m,p> (a
            larger format is restricted).
        ring, target_rank, time_limit, walkers, seed, max_flips: see :class:`FlipConfig`;
            ``options`` sets its other fields (pool_size, path_limit, select, ...).
        out: a folder for the verified schemes (``r<rank>-<fingerprint>.json``) and the
            run's record; a rerun into it starts from the schemes already there (resume).
        progress: show progress on stderr (a live bar on a terminal, a line every 5 s otherwise).
        executor: a :class:`~discovery.search.executor.LocalExecutor` or ``DaskExecutor``:
            run the walks as tasks there (:mod:`discovery.search.flips._slices`) instead of on
            this process's threads.
        symmetry: "cyclic" walks cyclic-invariant schemes of <n,n,n> by their orbits instead ("full":
            schemes invariant under cyclic × transpose)
            (:func:`~discovery.search.flips.symmetric_search`, which gets ``options``; it returns a
            :class:`~discovery.search.flips.SymmetricResult`); "none" (default).

    Returns a :class:`FlipResult`. Ctrl-C stops the walk and returns what was found.
    """
    if symmetry != "none":
        return _symmetric(n, m, p, symmetry, start=start, ring=ring, target_rank=target_rank,
                          time_limit=time_limit, walkers=walkers, seed=seed, out=out, progress=progress,
                          executor=executor, max_flips=max_flips, **options)
    config = FlipConfig(n, m, p, ring=ring, target_rank=target_rank, time_limit=time_limit,
                        walkers=walkers if executor is None else (walkers or executor.workers), seed=seed,
                        max_flips=max_flips, **options)
    starts, store = prepare(config, start, out)
    if executor is not None:
        return search_on(executor, config, starts, store, progress=progress)
    return run_local(config, starts, store, progress=progress)


def _symmetric(n, m, p, symmetry, *, max_flips, **kw):
    from discovery.errors import DiscoveryError
    from discovery.search.flips._symmetric import symmetric_search

    if symmetry not in ("cyclic", "full"):
        raise DiscoveryError(f"unknown symmetry {symmetry!r}; use 'none', 'cyclic' or 'full' (cyclic × transpose)")
    if not n == m == p:
        raise DiscoveryError(f"symmetry={symmetry!r} is for square formats <n,n,n>; <{n},{m},{p}> is not square")
    if max_flips is not None:
        raise DiscoveryError("max_flips is for the unrestricted walk; the symmetric one takes runs and run_flips")
    return symmetric_search(n, group=symmetry, **kw)


def default_out(n: int, m: int, p: int, ring: str) -> Path:
    """Where the CLI writes by default: runs/flips/NxMxP-RING under the current folder."""
    return Path("runs") / "flips" / f"{n}x{m}x{p}-{ring}"
