"""Settings and results of a flip-graph search (:func:`discovery.search.flips.flip_search`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from discovery.core.scheme import Scheme
from discovery.errors import DiscoveryError
from discovery.search.flips._encode import check_format, check_ring
from discovery.search.summary import Stop, Summary

SELECT = ("uniform", "flips")
SYMMETRY = (None, "none", "cyclic", "full")


@dataclass(frozen=True)
class FlipConfig(Summary):
    """Settings of one flip-graph search.

    Attributes:
        n, m, p: the format (n·m, m·p, p·n at most 256).
        ring: "ZT" (coefficients stay in {-1,0,1}; exact over every ring), "Z2" (modulo 2)
            or "Z3" (modulo 3; lift the result with :func:`discovery.lift`).
        target_rank: stop once a verified scheme of this rank is found (None: go on).
        time_limit: seconds of walking (None: no limit; then give ``max_flips``).
        walkers: parallel walkers (threads share them); default: the number of cores.
        seed: the run's seed; the same seed and walker count give the same walk.
        max_flips: flips per walker before stopping (None: no limit).
        chunk_flips: flips per walker between two harvests (pool updates happen only there,
            so results do not depend on timing).
        pool_size: distinct schemes kept per rank (the pool of a level).
        pool_min: the search moves down to rank r-1 once that level holds ``pool_size``
            schemes, or ``pool_min`` of them after ``patience`` walks at the current level.
        patience: walks (restarts) at a level before ``pool_min`` suffices to move down.
        path_limit: a walk that makes no reduction in this many flips restarts from a
            member of the pool (0: never).
        stale_limit: a walker whose rank has not gone below its lowest since its last (re)start
            for this many flips restarts from a member of the pool (0: never). Unlike
            ``path_limit`` (reset by every reduction, also the one that undoes an expansion)
            this ends a lineage that only circles its plateau.
        stale_climb: a stale walker restarts from this many levels above the pool level (the
            nearest level above that holds schemes; capped at the start's rank, so a large value
            means a fresh descent from a start); 0: from the pool level itself.
        follow: probability that a walker which just reduced goes on from its own scheme
            (1: always, a lineage; 0: always restart from the pool, as Kauers & Moosbauer).
        copy_best: None (default): when the pool level moves down, every walker more than
            ``plus_margin`` above it restarts from the new level, and expansions stay below the
            pool level + ``plus_margin``. A probability p instead (the C++ ternary flip-graph
            tool's law, its default 0.5): each other walker above the new level restarts from it
            with probability p and the rest go on, each expanding only below its own lowest rank
            since its last (re)start + ``plus_margin`` (many lineages stay alive).
        select: how a restart picks its pool member: "uniform" or "flips" (weighted by the
            number of flips the member offers).
        plus_after, plus_max: the period of the expansions (plus or split transitions, rank + 1):
            after a number of successful flips without a reduction drawn uniformly from
            [plus_after, plus_max] anew after every expansion (the law of the C++ ternary
            flip-graph tool; default [5,000, 100,000]). ``plus_max=0`` is the draw mode instead:
            an expansion after ``plus_after`` draws of a uniform factor position among all 3r
            (the share with a flip partner succeeds; the walk draws only those and counts the
            others it skips), 0 for never. The period mode descends faster: <3,4,4> from the
            standard algorithm to 38 in 2 of 3 seeds at 3e8 flips per walker (draw mode,
            plus_after 20,000, margin 2: 1 of 3), <4,4,4> to 49 in 1.76 G flips.
        split: percent of expansions that are split transitions (a term ``X⊗Y⊗Z`` becomes
            ``(X - X')⊗Y⊗Z + X'⊗Y⊗Z`` with another term's factor X': the new term has a flip
            partner) instead of plus transitions (default 50).
        wrap: over Z3, percent of flips allowed to wrap an entry (1 + 1 = -1); the others keep every
            entry's integer sum in {-1, 0, 1}, as a ZT flip does. Default 100: arithmetic modulo 3
            throughout (the walk that meets 2 ≡ ½ and so reaches schemes that lift only over Q).
            Measured (1 walker, seed 3, 8-10 s, load ≈ 3; 2026-12-03): from the standard algorithm <2,3,4> and
            <2,4,4> never reduce with wrap 1..100 (24 and 32 after millions of flips) but reach 21
            and 30 with wrap 0, while with wrap 0 no <2,2,3> rank-11 scheme of 6 seeds lifted to Q
            (5 of 6 with wrap 1..50). Use 0 to descend, 100 to reach rational schemes. Ignored over
            ZT and Z2.
        plus_margin: expansions only while the rank is below the pool level + margin (0: none).
        reduce3: try three-term reductions after each flip.
        save_limit: schemes per rank written to the output folder (the best levels only).
        debug: check the kernel's invariants after every flip (slow; for tests).
    """

    n: int
    m: int
    p: int
    ring: str = "ZT"
    target_rank: int | None = None
    time_limit: float | None = 60.0
    walkers: int = 0
    seed: int = 0
    max_flips: int | None = None
    chunk_flips: int = 10_000
    pool_size: int = 64
    pool_min: int = 1
    patience: int = 0
    path_limit: int = 1_000_000
    stale_limit: int = 0
    stale_climb: int = 0
    follow: float = 1.0
    copy_best: float | None = None
    select: str = "uniform"
    plus_after: int = 5_000
    plus_max: int = 100_000
    split: int = 50
    wrap: int = 100
    plus_margin: int = 4
    reduce3: bool = True
    save_limit: int = 32
    debug: bool = False

    def __post_init__(self):
        for name in ("n", "m", "p"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise DiscoveryError(f"format entry {name}={v!r} must be a positive integer")
        check_format(self.n, self.m, self.p)
        check_ring(self.ring)
        if isinstance(self.walkers, bool) or not isinstance(self.walkers, (int, np.integer)) or self.walkers < 0:
            raise DiscoveryError(f"walkers={self.walkers!r} must be a positive integer")
        if self.target_rank is not None and self.target_rank < 1:
            raise DiscoveryError(f"target rank {self.target_rank} must be at least 1")
        if self.time_limit is not None and not self.time_limit > 0:
            raise DiscoveryError(f"time limit {self.time_limit} must be positive (seconds)")
        if self.max_flips is not None and self.max_flips < 1:
            raise DiscoveryError(f"max_flips {self.max_flips} must be positive")
        if self.time_limit is None and self.max_flips is None and self.target_rank is None:
            raise DiscoveryError("give a time limit, a flip budget or a target rank, or the walk never ends")
        for name in ("chunk_flips", "pool_size", "pool_min", "save_limit"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise DiscoveryError(f"{name} = {v!r} must be a positive integer")
        for name in ("patience", "path_limit", "stale_limit", "stale_climb", "plus_after", "plus_max", "plus_margin"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise DiscoveryError(f"{name} = {v!r} must be an integer >= 0")
        if self.plus_max and self.plus_max < self.plus_after:
            raise DiscoveryError(f"plus_max = {self.plus_max} is below plus_after = {self.plus_after}; "
                                 "give plus_max >= plus_after (or 0 for the draw-count mode)")
        if isinstance(self.split, bool) or not isinstance(self.split, (int, np.integer)) or not 0 <= self.split <= 100:
            raise DiscoveryError(f"split = {self.split!r} must be a percentage, an integer in 0..100")
        if isinstance(self.wrap, bool) or not isinstance(self.wrap, (int, np.integer)) or not 0 <= self.wrap <= 100:
            raise DiscoveryError(f"wrap = {self.wrap!r} must be a percentage, an integer in 0..100")
        if not 0.0 <= self.follow <= 1.0:
            raise DiscoveryError(f"follow = {self.follow!r} must be a probability in [0, 1]")
        if self.copy_best is not None and not 0.0 <= self.copy_best <= 1.0:
            raise DiscoveryError(f"copy_best = {self.copy_best!r} must be a probability in [0, 1] (or None)")
        if self.select not in SELECT:
            raise DiscoveryError(f"unknown pool selection {self.select!r}; use one of {', '.join(SELECT)}")

    @property
    def n_walkers(self) -> int:
        return self.walkers or (os.cpu_count() or 1)

    @property
    def format(self) -> tuple[int, int, int]:
        return (self.n, self.m, self.p)


@dataclass(frozen=True)
class FlipResult(Summary):
    """What a flip-graph search found. Every scheme in it was verified exactly over ``ring``.

    Attributes:
        best_rank: the lowest rank reached; best: one verified scheme of that rank.
        schemes: distinct verified schemes at ``best_rank`` (canonical fingerprints).
        start_rank: the lowest rank among the starts.
        time_to_best_s: seconds from the start of the walk to the first scheme of best_rank.
        flips: successful flips (all walkers); attempts: flip attempts (a random factor
            position that has a partner, and one of its partners; an attempt fails when a ZT
            sum would leave {-1,0,1}, or at fixed rank when the flip would drop a term).
        flips_per_s: successful flips per second of walking.
        walks: walks run (starts and restarts from the pool).
        distinct: distinct verified schemes found below the start rank.
        new: of those, the ones written to the output folder by this run.
        rejected: harvested candidates that failed exact verification (never kept).
        levels: rank -> distinct schemes collected at that rank.
        history: (seconds, rank) each time the best rank dropped, starting with (0, start).
        stop: why the walk stopped. elapsed_s: wall-clock seconds of the walk.
        executor: where it ran ("threads" or the executor's description).
        lost_batches: walks that did not come back from their worker (executors).
        out: the output folder, if any.
    """

    JSON_SKIP: ClassVar[tuple[str, ...]] = ("best", "schemes")

    config: FlipConfig
    best_rank: int
    best: Scheme
    schemes: tuple[Scheme, ...]
    start_rank: int
    time_to_best_s: float
    flips: int
    attempts: int
    flips_per_s: float
    walks: int
    distinct: int
    new: int
    rejected: int
    levels: dict
    history: tuple[tuple[float, int], ...]
    stop: Stop
    elapsed_s: float
    executor: str = "threads"
    lost_batches: int = 0
    out: Path | None = None

    @property
    def improved(self) -> bool:
        return self.best_rank < self.start_rank

    def json_extra(self) -> dict:
        return {"format": list(self.config.format), "ring": self.config.ring,
                "target_rank": self.config.target_rank, "walkers": self.config.n_walkers,
                "seed": self.config.seed, "best_ring": str(self.best.ring)}
