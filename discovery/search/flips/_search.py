"""The local flip-graph search: walkers on threads (numba ``prange``) around one pool.

Each chunk advances every walker by up to ``chunk_flips`` flips; at every chunk boundary the
walkers that reduced are harvested (decoded and verified exactly by the core,
:func:`discovery.core.verify.verify`, before anything is kept or written) into the pool
(:mod:`._pool`), the pool level moves down where its rule allows, and walkers that ran out
of path or got stuck restart from a pool member. Everything is decided at chunk boundaries
from seeded generators, so a run depends only on its seed and walker count (and, through
where it stops, on the time limit).
"""

from __future__ import annotations

import time

import numpy as np

from discovery.core.scheme import Provenance, Scheme
from discovery.core.verify import verify
from discovery.errors import DiscoveryError
from discovery.search.flips import _kernels
from discovery.search.flips._config import FlipConfig, FlipResult
from discovery.search.flips._encode import decode, words
from discovery.search.flips._moves import RING_CODES
from discovery.search.flips._pool import Pool, pool_result, write_record
from discovery.search.flips._progress import Progress
from discovery.search.flips._starts import load_starts, standard_start
from discovery.search.summary import Stop


def resolve_starts(config: FlipConfig, start) -> list[Scheme]:
    """The verified starts: None (the standard algorithm), Schemes, paths, or a list of them."""
    fmt = config.format
    if start is None:
        return [standard_start(fmt)]
    items = start if isinstance(start, (list, tuple)) else [start]
    schemes, paths = [], []
    for it in items:
        (schemes if isinstance(it, Scheme) else paths).append(it)
    for s in schemes:
        if s.format != fmt:
            raise DiscoveryError(f"the start {s.name} is not of the walk's format <{config.n},{config.m},{config.p}>")
        rep = verify(s, config.ring)
        if not rep.ok:
            raise DiscoveryError(f"the start is not a valid scheme over {config.ring}: {rep.summary(2)}")
        if config.ring == "ZT" and not s.is_ternary:
            raise DiscoveryError(f"the start {s.name} has coefficients outside {{-1,0,1}}; use ring Z2 or Z3")
    if paths:
        schemes += load_starts(paths, fmt, config.ring)
    if not schemes:
        raise DiscoveryError("no start scheme given; pass a scheme, a file or a folder (or None)")
    return schemes


def check_target(config: FlipConfig, start_rank: int) -> None:
    """Refuse a target at or above the start's rank, or below a proven lower bound."""
    t = config.target_rank
    if t is None:
        return
    if t >= start_rank:
        raise DiscoveryError(f"target rank {t} is not below the start's rank {start_rank}; ask for a lower target")
    from discovery.ranks.best_known import best_known

    bk = best_known(tuple(sorted(config.format)))
    if bk is not None and bk.lower_bound and t < bk.lower_bound:
        raise DiscoveryError(f"target rank {t} is below the proven lower bound {bk.lower_bound} of "
                             f"<{config.n},{config.m},{config.p}>; no scheme of that rank exists")


def prepare(config: FlipConfig, start, out):
    """The verified starts (plus what ``out`` already holds: resume) and the store, checked
    before any walk."""
    from discovery.search.store import SchemeStore

    starts = resolve_starts(config, start)
    store = SchemeStore(out, config.format, config.ring) if out is not None else None
    if store is not None:
        held, _ = store.existing()
        starts += list(held)
    check_target(config, min(s.rank for s in starts))
    return starts, store


def warm_up() -> None:
    """Compile the walk kernels, or load them from numba's disk cache (a tiny walk)."""
    P, N, H, S, B = _kernels.new_state(1, 2, 1)
    z = np.zeros(1, dtype=np.int64)
    out = np.zeros((1, _kernels.N_OUT), dtype=np.int64)
    _kernels.walk_chunk(P, N, H, S, B, z.copy(), np.ones(1, dtype=np.uint64), z.copy(), z.copy(), z.copy(),
                        z.copy(), z.copy(), z.copy(), out, 1, 0, 0, 0, 0, 0, 0, True, True, False)


class Walkers:
    """The arrays of K walkers (see :func:`discovery.search.flips._kernels.walk_chunk`)."""

    def __init__(self, config: FlipConfig, max_rank: int):
        K = config.n_walkers
        self.config = config
        self.K = K
        self.R = max_rank + config.plus_margin + 3
        self.W = words(*config.format)
        self.P, self.N, self.H, self.S, self.B = _kernels.new_state(K, self.R, self.W)
        z = np.zeros(K, dtype=np.int64)
        self.rank, self.stall, self.thr, self.path, self.goal, self.max_rank, self.status = (z.copy() for _ in range(7))
        self.out = np.zeros((K, _kernels.N_OUT), dtype=np.int64)
        self.low = z.copy()  # the lowest rank since the walker's last (re)start, and flips since then
        self.stale = z.copy()
        self.rng = np.random.SeedSequence([config.seed, K]).generate_state(K, dtype=np.uint64) | np.uint64(1)
        self.ring = RING_CODES[config.ring]

    def load(self, w: int, member, level: int) -> None:
        r = member.pos.shape[1]
        if r + 3 > self.R:
            raise DiscoveryError(f"a pool member of rank {r} does not fit the walkers' {self.R} term slots")
        self.P[w] = 0
        self.N[w] = 0
        self.P[w, :, :r] = member.pos
        self.N[w, :, :r] = member.neg
        _kernels.rehash_all(self.P, self.N, self.H, self.S, self.B, w, r, self.W)
        self.rank[w] = r
        self.stall[w] = 0
        self.thr[w] = 0
        self.path[w] = 0
        self.goal[w] = r - 1
        self.low[w] = r
        self.stale[w] = 0
        self.limit(w, level)

    def limit(self, w: int, level: int) -> None:
        """Expansions of walker w only below ``level`` + plus_margin (the pool level; with
        ``copy_best``, the walker's own lowest rank: :func:`run_local` sets that per chunk)."""
        self.max_rank[w] = min(level + self.config.plus_margin, self.R - 3)

    def walk(self, nflips: int, reduce_on: bool = True, plus_after: int | None = None,
             path_limit: int | None = None) -> None:
        """One chunk of ``nflips`` flips per walker. ``plus_after`` / ``path_limit`` override the
        config's for this chunk; a given ``plus_after`` is in the draw mode (0: no expansions)."""
        c = self.config
        _kernels.walk_chunk(self.P, self.N, self.H, self.S, self.B, self.rank, self.rng, self.stall, self.thr,
                            self.path, self.goal, self.max_rank, self.status, self.out, nflips,
                            c.path_limit if path_limit is None else path_limit,
                            c.plus_after if plus_after is None else plus_after,
                            c.plus_max if plus_after is None else 0, c.split, c.wrap, self.ring, reduce_on,
                            c.reduce3, c.debug)

    def scheme(self, w: int, provenance: Provenance) -> Scheme:
        r = int(self.rank[w])
        c = self.config
        return decode(c.n, c.m, c.p, self.P[w, :, :r], self.N[w, :, :r], c.ring, provenance)


def run_local(config: FlipConfig, starts: list[Scheme], store=None, progress: bool = False) -> FlipResult:
    """The search on this process's threads (see the module docstring)."""
    pool = Pool(config, starts, store)
    walkers = Walkers(config, max(s.rank for s in starts))
    K = walkers.K
    for w in range(K):
        walkers.load(w, pool.pick(), pool.level)
    prov = Provenance.now("flip-graph", config.seed, note=f"ring {config.ring}, walkers {K}")
    bar = Progress(progress, config, pool.start_rank)
    flips = attempts = rejected = per_walker = 0
    idle = 0
    stop = Stop.TIME
    record_rank = pool.best_rank
    warm_up()  # compile (first use) or load the kernels before the clock starts
    t0 = time.perf_counter()
    pool.t0 = t0
    try:
        while True:
            if config.target_rank is not None and pool.best_rank <= config.target_rank:
                stop = Stop.TARGET
                break
            if config.time_limit is not None and time.perf_counter() - t0 >= config.time_limit:
                stop = Stop.TIME
                break
            if config.max_flips is not None and per_walker >= config.max_flips:
                stop = Stop.BUDGET
                break
            chunk = config.chunk_flips
            if config.max_flips is not None:
                chunk = min(chunk, config.max_flips - per_walker)
            walkers.walk(chunk)
            per_walker += chunk
            done = int(walkers.out[:, _kernels.OUT_FLIPS].sum())
            flips += done
            attempts += int(walkers.out[:, _kernels.OUT_ATTEMPTS].sum())
            restart = []
            stale = set()
            walkers.stale += walkers.out[:, _kernels.OUT_FLIPS]
            lower = walkers.rank < walkers.low
            walkers.low[lower] = walkers.rank[lower]
            walkers.stale[lower] = 0
            for w in range(K):
                st = int(walkers.status[w])
                if st == _kernels.ST_GOAL:
                    s = walkers.scheme(w, prov)
                    if not verify(s, config.ring).ok:
                        rejected += 1
                        restart.append(w)
                        continue
                    pool.add(s)
                    if pool.follows():
                        walkers.goal[w] = walkers.rank[w] - 1
                    else:
                        restart.append(w)
                elif st in (_kernels.ST_PATH, _kernels.ST_STUCK, _kernels.ST_CORRUPT):
                    rejected += st == _kernels.ST_CORRUPT
                    restart.append(w)
                elif config.stale_limit and walkers.stale[w] >= config.stale_limit:
                    restart.append(w)
                    stale.add(w)
            moved = pool.descend()
            if moved and config.copy_best is None:
                for w in range(K):
                    if walkers.rank[w] > pool.level + config.plus_margin and w not in restart:
                        restart.append(w)
                    walkers.limit(w, pool.level)
            elif moved:
                for w in range(K):
                    if w not in restart and walkers.rank[w] > pool.level and pool.rng.random() < config.copy_best:
                        restart.append(w)
            for w in restart:
                walkers.load(w, pool.pick(config.stale_climb if w in stale else 0), pool.level)
            if config.copy_best is not None:  # each lineage expands below its own lowest + margin
                np.minimum(walkers.low + config.plus_margin, walkers.R - 3, out=walkers.max_rank)
            idle = idle + 1 if done == 0 else 0
            if idle >= 2:
                stop = Stop.STUCK
                break
            if store is not None and pool.best_rank < record_rank:
                record_rank = pool.best_rank
                write_record(store, config, pool, "running")
            bar.update(time.perf_counter() - t0, pool, walkers.rank, flips)
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        bar.close()
    elapsed = time.perf_counter() - t0
    result = pool_result(config, pool, flips, attempts, rejected, stop, elapsed, store)
    if store is not None:
        write_record(store, config, pool, "done", result)
    return result
