"""The symmetric flip-graph search: many short seeded runs on symmetric schemes of <n,n,n>, invariant
under the cyclic group (σ: (U,V,W) -> (V,W,U); :mod:`._sym_kernels`) or the full group (σ and the
transpose τ: (U,V,W) -> (Vᵀ,Uᵀ,Wᵀ), order 6; :mod:`._sym_full`).

The published strategy (Moosbauer & Poole 2025): every run starts afresh from the start scheme
(by default the standard algorithm's cyclic form) and walks a limited number of flips on orbit
representatives (:mod:`._sym_kernels`), with plus transitions when it stalls; the lowest rank it
reached is its result. Run ``r`` draws its random numbers from the seed ``(seed, r)`` only, so its
outcome does not depend on the number of walkers, on threads or on which process ran it.

Every harvested scheme is expanded and verified exactly over its ring before it is kept
(:class:`~discovery.search.store.SchemeStore`); a mod-2 result is lifted on request
(:func:`discovery.search.lift.lift`, the symmetric lift first) and the lift is verified too.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from discovery.core.scheme import Provenance, Scheme
from discovery.core.symmetry import SymmetricScheme
from discovery.core.transforms import fingerprint
from discovery.core.verify import verify
from discovery.errors import DiscoveryError
from discovery.search.flips._sym_batch import run_local, run_on, warm_up
from discovery.search.flips._sym_encode import Slots, check_group, check_n, check_ring, decode, encode
from discovery.search.flips._sym_starts import cube_start
from discovery.search.store import SchemeStore
from discovery.search.summary import Stop, Summary


@dataclass(frozen=True)
class SymmetricConfig:
    """Settings of one symmetric search.

    Attributes:
        n: the format <n,n,n>. ring: "Z2" (modulo 2; lifted afterwards if ``lift``) or "ZT".
        group: "cyclic" (orbits of σ) or "full" (orbits of σ and τ: slots of orbit size 6 and 3,
            the orbits of size 2 and 1 frozen; greedy 0 or 1, sample "position", no free_fixed).
        target_rank: stop once a verified scheme of this rank is found (None: go on).
        time_limit: seconds (None: no limit; then give ``runs``).
        runs: runs to do at most (None: as many as the time allows).
        run_flips: a run's length in flips (then it is reset to the start).
        walkers: runs in parallel (threads); default: the number of cores.
        seed: the search's seed (run r uses (seed, r)).
        chunk_flips: flips per walker between two harvests.
        plus_after: flips without a reduction before a plus transition (0: never).
        margin: plus transitions (rank + 3) only while the rank stays within the run's best + margin.
        keep: distinct schemes kept at the best rank.
        greedy: which reductions are looked for after every flip: 0 only the flip's own (a
            factor that vanished), 1 also any orbit sharing two factors with a changed one, 2 also
            three orbits sharing a factor whose next factors are dependent.
        lift: lift the best Z2 schemes to an exact scheme over ZT, Z or Q at the end.
        check: the kernel's debug mode (every invariant after every move; slow).
        cubes: the start when none is given: the standard algorithm with its diagonal in this
            many cubes (or these index groups; :mod:`._sym_starts`); None: n cubes, the standard
            algorithm's cyclic form. The rank stays ≡ cubes (mod 3) unless ``free_fixed``.
        restart: where a new run begins: "start" (the start scheme: every run independent of the
            others, of the walkers and of the executor) or "best" (one of the kept schemes of the
            best rank so far, chosen by the run's seed: a pool; reproducible for the same walkers).
        sample: how a flip is drawn: "position" (a random slot and factor, then a partner) or, over
            Z2 with greedy 0, "value" (a factor value held twice or more, uniformly among such
            values, then two of its positions, as Moosbauer & Poole; half the flips per second here,
            no better per flip in a short comparison on <5,5,5>).
        free_fixed: Z2 only: fixed points take part in the moves (a flip may turn one into an
            orbit, rank + 2); by default they are frozen, as over ZT.
    """

    n: int
    ring: str = "Z2"
    group: str = "cyclic"
    target_rank: int | None = None
    time_limit: float | None = 60.0
    runs: int | None = None
    run_flips: int = 1_000_000
    walkers: int = 0
    seed: int = 0
    chunk_flips: int = 50_000
    plus_after: int = 20_000
    margin: int = 6
    keep: int = 16
    greedy: int = 1
    cubes: int | tuple | None = None
    restart: str = "start"
    sample: str = "position"
    free_fixed: bool = False
    lift: bool = False
    check: bool = False

    def __post_init__(self):
        check_n(self.n)
        check_ring(self.ring)
        check_group(self.group)
        for name in ("walkers", "seed", "plus_after", "margin"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise DiscoveryError(f"{name}={v!r} must be a non-negative integer")
        for name in ("run_flips", "chunk_flips", "keep"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise DiscoveryError(f"{name}={v!r} must be a positive integer")
        if self.runs is not None and (isinstance(self.runs, bool) or self.runs < 1):
            raise DiscoveryError(f"runs={self.runs!r} must be a positive integer")
        if self.target_rank is not None and self.target_rank < 1:
            raise DiscoveryError(f"target rank {self.target_rank} must be at least 1")
        if self.time_limit is not None and not self.time_limit > 0:
            raise DiscoveryError(f"time limit {self.time_limit} must be positive (seconds)")
        if self.time_limit is None and self.runs is None:
            raise DiscoveryError("give a time limit or a number of runs, or the search never ends")
        if isinstance(self.cubes, (list, tuple)):
            object.__setattr__(self, "cubes", tuple(tuple(int(i) for i in g) for g in self.cubes))
        if self.free_fixed and self.ring != "Z2":
            raise DiscoveryError("free_fixed=True lets fixed points move modulo 2 only; over ZT they stay frozen")
        if self.restart not in ("start", "best"):
            raise DiscoveryError(f"restart={self.restart!r} must be 'start' or 'best'")
        if self.sample not in ("value", "position"):
            raise DiscoveryError(f"sample={self.sample!r} must be 'value' or 'position'")
        if self.greedy not in (0, 1, 2):
            raise DiscoveryError(f"greedy={self.greedy!r} must be 0, 1 or 2")
        if self.group == "full":
            for name, value, ok in (("greedy", self.greedy, self.greedy in (0, 1)), ("sample", self.sample,
                                    self.sample == "position"), ("free_fixed", self.free_fixed, not self.free_fixed)):
                if not ok:
                    raise DiscoveryError(f"{name}={value!r} is for the cyclic group's walk; the full group's takes "
                                         "greedy 0 or 1, sample 'position' and frozen fixed points")
        if self.lift and self.ring != "Z2":
            raise DiscoveryError("lift=True lifts mod-2 results; it needs ring Z2 (ZT results are exact already)")

    @property
    def n_walkers(self) -> int:
        return self.walkers or (os.cpu_count() or 1)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SymmetricResult(Summary):
    """What a symmetric search found; every scheme in it was verified exactly over its ring.

    Attributes:
        config: the settings. start_rank: the start's rank (its symmetric form over the ring).
        best_rank: the lowest rank reached; best: one verified scheme of that rank (expanded),
            best_symmetric: its orbit form; schemes: distinct verified schemes at best_rank.
        runs: runs finished; rank_counts: {rank: runs whose best was that rank} (finished runs).
        time_to_best_s: seconds to the first scheme of best_rank.
        flips: flips done (all runs); elapsed_s: wall-clock seconds; stop: why it ended.
        distinct: distinct verified schemes kept; new: of those, written by this run;
        rejected: harvested candidates that failed verification (never kept).
        lifted: the lift of the best Z2 scheme (None unless asked for and found); lifted_ring:
            its ring ("ZT", "Z" or "Q").
        history: (seconds, rank) each time the best rank dropped, from (0, start_rank).
        out: the output folder, if any.
    """

    JSON_SKIP = ("best_symmetric", "schemes", "lifted")

    config: SymmetricConfig
    start_rank: int
    best_rank: int
    best: Scheme
    best_symmetric: SymmetricScheme
    schemes: tuple[Scheme, ...]
    runs: int
    rank_counts: dict
    time_to_best_s: float
    flips: int
    elapsed_s: float
    stop: Stop
    distinct: int = 0
    new: int = 0
    rejected: int = 0
    lifted: Scheme | None = None
    lifted_ring: str | None = None
    history: tuple = ()
    out: Path | None = None

    def json_extra(self) -> dict:
        return {"flips_per_s": self.flips / self.elapsed_s if self.elapsed_s > 0 else 0.0,
                "orbits": self.best_symmetric.n_orbits,
                "fixed_points": sum(1 for x in self.best_symmetric.orbit_sizes if x == 1)}


def _start_scheme(n: int, start, ring: str, cubes=None):
    if start is None:
        return cube_start(n, cubes)
    if cubes is not None:
        raise DiscoveryError("give either a start or cubes (the cube start), not both")
    if isinstance(start, (str, os.PathLike)):
        from discovery.formats import load_schemes

        items = load_schemes(start)
        if len(items) != 1:
            raise DiscoveryError(f"{start}: holds {len(items)} schemes; give a file with one start")
        start = items[0][1]
    if isinstance(start, SymmetricScheme):
        if start.n != n:
            raise DiscoveryError(f"the start is <{start.n},{start.n},{start.n}> but the search is for <{n},{n},{n}>")
        start = start.expand()
    if not isinstance(start, Scheme):
        raise DiscoveryError(f"start must be None, a Scheme, a SymmetricScheme or a path, got {type(start).__name__}")
    if start.format != (n, n, n):
        raise DiscoveryError(f"the start {start.name} is not of the search's format <{n},{n},{n}>"
                             + ("" if start.n == start.m == start.p else "; the symmetric walk is for square formats"))
    report = verify(start, ring)
    if not report.ok:
        raise DiscoveryError(f"the start {start.name} is not a valid scheme over {ring}: {report.summary(2)}")
    return start


def symmetric_search(n: int, *, start=None, ring: str = "Z2", group: str = "cyclic", target_rank: int | None = None,
                     time_limit: float | None = 60.0, runs: int | None = None, run_flips: int = 1_000_000,
                     walkers: int = 0, seed: int = 0, out: str | os.PathLike | None = None, executor=None,
                     progress: bool = False, **options) -> SymmetricResult:
    """Lower the rank of a symmetric scheme for <n,n,n> by many short symmetric walks.

    Args:
        n: the format <n,n,n> (n <= 8).
        start: None (the cube start, :func:`._sym_starts.cube_start` with ``cubes``; by default the
            standard algorithm in symmetric form), a Scheme or SymmetricScheme invariant
            under ``group`` (over Z2: modulo 2), or a path to one; exact over ``ring``.
        group: "cyclic" or "full" (see :class:`SymmetricConfig`).
        ring, target_rank, time_limit, runs, run_flips, walkers, seed: see :class:`SymmetricConfig`;
            ``options`` sets its other fields (plus_after, margin, keep, lift, check, ...).
        out: a folder for the verified schemes (``r<rank>-<fingerprint>.json``, through
            :class:`~discovery.search.store.SchemeStore`; lifted ones under ``lifted/``) and the run record.
        executor: run batches of runs on an executor's processes (see :mod:`._sym_batch`); None:
            in this process, ``walkers`` threads.
        progress: a live progress bar on stderr.

    Returns a :class:`SymmetricResult`. Ctrl-C stops the search and returns what was found.
    """
    config = SymmetricConfig(n, ring=ring, group=group, target_rank=target_rank, time_limit=time_limit, runs=runs,
                             run_flips=run_flips, walkers=walkers, seed=seed, **options)
    start_scheme = _start_scheme(config.n, start, ring, config.cubes)
    slots = encode(start_scheme, ring, config.free_fixed, config.group)
    start_rank = slots.rank
    if target_rank is not None and target_rank >= start_rank:
        raise DiscoveryError(f"target rank {target_rank} is not below the start's rank {start_rank}; "
                             "ask for a lower target")
    store = SchemeStore(out, (n, n, n), ring) if out is not None else None
    hv = _Harvest(config, slots, start_rank, store)
    warm_up()  # compile, or load from numba's cache, before the clock starts
    t0 = time.perf_counter()
    try:
        if executor is None:
            run_local(config, slots, hv, t0, progress)
        else:
            run_on(executor, config, slots, hv, t0, progress)
    except KeyboardInterrupt:
        hv.stop = Stop.INTERRUPTED
    return hv.result(time.perf_counter() - t0)


@dataclass
class _Harvest:
    """The client's side: verifies each finished run's best scheme, keeps the best ones, counts."""

    config: SymmetricConfig
    slots: Slots
    start_rank: int
    store: SchemeStore | None
    stop: Stop = Stop.TIME
    runs: int = 0
    flips: int = 0
    rejected: int = 0
    new: int = 0
    rank_counts: dict = field(default_factory=dict)
    history: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)
    pool: list = field(default_factory=list)
    time_to_best: float = 0.0

    def __post_init__(self):
        self.best_rank = self.start_rank
        self.best = decode(self.slots)
        self.history = [(0.0, self.start_rank)]

    def take(self, run: int, rank: int, slots: Slots | None, now: float, finished: bool) -> None:
        """One run's outcome: its best ``rank`` and scheme (``slots``; None when not kept by the worker)."""
        if finished:
            self.runs += 1
            self.rank_counts[rank] = self.rank_counts.get(rank, 0) + 1
        if slots is None or rank > self.best_rank or (rank == self.best_rank and len(self.kept) >= self.config.keep):
            return
        prov = Provenance.now("symmetric-flips", self.config.seed, note=f"ring {self.config.ring}, run {run}")
        s, sym = decode(slots, prov)
        if s.rank != rank or not verify(s, self.config.ring).ok:
            self.rejected += 1
            return
        if rank < self.best_rank:
            self.best_rank, self.best, self.kept, self.time_to_best = rank, (s, sym), {}, now
            self.pool = []
            self.history.append((round(now, 4), rank))
        fp = fingerprint(s)
        if fp in self.kept:
            return
        self.kept[fp] = (s, sym)
        self.pool.append(slots)
        if self.store is not None:
            self.new += int(self.store.add(s).is_new)

    def start_for(self, run: int) -> Slots | None:
        """Run ``run``'s start: None (the search's start) unless restarts go from the best pool."""
        if self.config.restart != "best" or not self.pool:
            return None
        return self.pool[int(np.random.default_rng([self.config.seed, run, 7]).integers(len(self.pool)))]

    def target_reached(self) -> bool:
        return self.config.target_rank is not None and self.best_rank <= self.config.target_rank

    def result(self, elapsed: float) -> SymmetricResult:
        c = self.config
        lifted = lifted_ring = None
        if c.lift and self.best_rank < self.start_rank and self.stop is not Stop.INTERRUPTED:
            lifted = _lift_best([s for s, _ in self.kept.values()], c.seed)
            if lifted is not None:
                lifted_ring = lifted.ring.value
                if self.store is not None:
                    SchemeStore(self.store.folder / "lifted", (c.n,) * 3, lifted.ring).add(lifted)
        s, sym = self.best
        res = SymmetricResult(c, self.start_rank, self.best_rank, s, sym,
                              tuple(x for x, _ in self.kept.values()) or (s,), self.runs,
                              dict(sorted(self.rank_counts.items())), self.time_to_best, self.flips, elapsed,
                              self.stop, len(self.kept), self.new, self.rejected, lifted, lifted_ring,
                              tuple(self.history), self.store.folder if self.store else None)
        if self.store is not None:
            tag = "" if c.group == "cyclic" else f"-{c.group}"
            self.store.record(f"run-symmetric{tag}-{c.ring}-seed{c.seed}.json", res.to_json())
        return res


def _lift_best(schemes: list[Scheme], seed: int) -> Scheme | None:
    """The first of ``schemes`` (Z2) that lifts to an exact scheme (verified by the lift)."""
    from discovery.search.lift import lift

    for s in schemes:
        res = lift(s, ring="Z2", symmetry="auto", seed=seed)
        if res.ok and res.scheme is not None and verify(res.scheme, res.ring).ok:
            return res.scheme
    return None

