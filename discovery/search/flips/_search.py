"""The pool strategy on the flip graph: walk schemes of rank r until one reduces to r-1,
then continue from the new pool; stop at a target rank, a time limit, a flip budget or when
no move is left.

Every scheme that leaves the compiled walk is decoded and verified exactly by the core
(:func:`discovery.core.verify.verify`) before it is kept or written.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from discovery._io import atomic_write_text
from discovery.errors import DiscoveryError
from discovery.search.flips import _kernels
from discovery.search.flips._encode import check_format, check_ring, decode, encode
from discovery.search.flips._starts import load_starts, standard_start
from discovery.formats import save_scheme
from discovery.core.scheme import Provenance, Scheme
from discovery.core.transforms import fingerprint
from discovery.core.verify import verify


@dataclass(frozen=True)
class FlipConfig:
    """Settings of one flip-graph search.

    Attributes:
        n, m, p: the format.
        ring: "ZT" (coefficients stay in {-1,0,1}; exact over every ring) or "Z2".
        target_rank: stop once a verified scheme of this rank is found (None: go on).
        time_limit: seconds of walking (None: no limit; then give ``max_flips``).
        walkers: parallel walkers (threads share them); default: the number of cores.
        seed: the run's seed; the same seed and walker count give the same walk.
        max_flips: flips per walker before stopping (None: no limit).
        chunk_flips: flips per walker between two harvests (pool updates happen only
            there, so results do not depend on timing).
        plus_after: flips without a reduction before a plus transition (0: never).
        plus_margin: plus transitions only while the rank is below best + margin.
        pool_size: schemes kept at the best rank (walkers restart from them).
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
    chunk_flips: int = 20_000
    plus_after: int = 50_000
    plus_margin: int = 2
    pool_size: int = 64

    def __post_init__(self):
        for name in ("n", "m", "p"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                raise DiscoveryError(f"format entry {name}={v!r} must be a positive integer")
        check_format(self.n, self.m, self.p)
        check_ring(self.ring)
        if self.walkers < 0 or isinstance(self.walkers, bool):
            raise DiscoveryError(f"walkers={self.walkers!r} must be a positive integer")
        if self.target_rank is not None and self.target_rank < 1:
            raise DiscoveryError(f"target rank {self.target_rank} must be at least 1")
        if self.time_limit is not None and not self.time_limit > 0:
            raise DiscoveryError(f"time limit {self.time_limit} must be positive (seconds)")
        if self.max_flips is not None and self.max_flips < 1:
            raise DiscoveryError(f"max_flips {self.max_flips} must be positive")
        if self.time_limit is None and self.max_flips is None and self.target_rank is None:
            raise DiscoveryError("give a time limit, a flip budget or a target rank, or the walk never ends")
        for name in ("chunk_flips", "pool_size"):
            if getattr(self, name) < 1:
                raise DiscoveryError(f"{name} must be a positive integer")
        if self.plus_after < 0 or self.plus_margin < 0:
            raise DiscoveryError("plus_after and plus_margin must be >= 0")

    @property
    def n_walkers(self) -> int:
        return self.walkers or (os.cpu_count() or 1)


@dataclass(frozen=True)
class FlipResult:
    """What a flip-graph search found. Every scheme in it was verified exactly over ``ring``.

    Attributes:
        best_rank: the lowest rank reached; best: one verified scheme of that rank.
        schemes: distinct verified schemes at ``best_rank`` (canonical fingerprints).
        start_rank: the lowest rank among the starts.
        time_to_best_s: seconds from the start of the walk to the first scheme of best_rank.
        flips: flips done (all walkers); flips_per_s: flips per second of walking.
        found: distinct verified schemes kept below the start rank.
        history: (seconds, rank) each time the best rank dropped, starting with (0, start).
        stop: why the walk stopped ("target", "time", "flips", "stuck", "interrupted").
        out: the output folder, if any.
    """

    config: FlipConfig
    best_rank: int
    best: Scheme
    schemes: tuple[Scheme, ...]
    start_rank: int
    time_to_best_s: float
    flips: int
    flips_per_s: float
    found: int
    history: tuple[tuple[float, int], ...]
    stop: str
    seconds: float
    out: Path | None = None
    rejected: int = 0

    @property
    def improved(self) -> bool:
        return self.best_rank < self.start_rank

    def summary(self) -> dict:
        """A JSON-ready summary (the CLI's last line)."""
        return {"format": [self.config.n, self.config.m, self.config.p], "ring": self.config.ring,
                "start_rank": self.start_rank, "best_rank": self.best_rank,
                "target_rank": self.config.target_rank, "time_to_best_s": round(self.time_to_best_s, 4),
                "seconds": round(self.seconds, 3), "flips": self.flips,
                "flips_per_s": round(self.flips_per_s), "walkers": self.config.n_walkers,
                "seed": self.config.seed, "found": self.found, "stop": self.stop,
                "rejected": self.rejected, "out": str(self.out) if self.out else None}


class _Folder:
    """Verified schemes of one format written as ``r<rank>-<fingerprint>.json``, plus the run config."""

    def __init__(self, folder: Path, config: FlipConfig):
        self.folder = Path(folder)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DiscoveryError(f"{folder}: cannot create the output folder ({exc.strerror})") from None
        if not os.access(self.folder, os.W_OK):
            raise DiscoveryError(f"{folder}: the output folder is not writable; choose another --out")
        self.names = {q.name for q in self.folder.glob("r[0-9]*-*.json")}
        self.config_path = self.folder / f"run-flips-{config.ring}-seed{config.seed}.json"

    def existing(self, fmt, ring) -> list[Scheme]:
        if not self.names:
            return []
        try:
            return load_starts([self.folder], fmt, ring)
        except DiscoveryError:
            return []

    def add(self, s: Scheme, fp: str) -> bool:
        name = f"r{s.rank}-{fp}.json"
        if name in self.names:
            return False
        save_scheme(s, self.folder / name)
        self.names.add(name)
        return True

    def record(self, config: FlipConfig, state: dict) -> None:
        payload = {"command": "flip", "config": asdict(config), **state}
        atomic_write_text(self.config_path, json.dumps(payload, indent=1) + "\n")


def _resolve_starts(config: FlipConfig, start) -> list[Scheme]:
    fmt = (config.n, config.m, config.p)
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
            raise DiscoveryError(f"the start {s.name} has coefficients outside {{-1,0,1}}; use ring Z2")
    if paths:
        schemes += load_starts(paths, fmt, config.ring)
    return schemes


def warm_up() -> None:
    """Compile the walk kernels, or load them from numba's disk cache (a tiny walk)."""
    P = np.zeros((1, 3, 2), dtype=np.uint64)
    z = np.zeros(1, dtype=np.int64)
    _kernels.walk_chunk(P, P.copy(), z.copy(), np.ones(1, dtype=np.uint64), z.copy(), z.copy(), 1, 0, 1, 0,
                        False, True)


def _prepare(config: FlipConfig, start, out) -> tuple[list[Scheme], int, "_Folder | None"]:
    """The verified starts, their lowest rank and the output folder, checked before any walk.

    A target rank not below the given starts is refused; a rerun into ``out`` adds the best
    schemes already there to the starts (resume).
    """
    starts = _resolve_starts(config, start)
    start_rank = min(s.rank for s in starts)
    if config.target_rank is not None and config.target_rank >= start_rank:
        raise DiscoveryError(f"target rank {config.target_rank} is not below the start's rank "
                             f"{start_rank}; ask for a lower target")
    folder = _Folder(Path(out), config) if out is not None else None
    if folder is not None:
        starts += folder.existing((config.n, config.m, config.p), config.ring)
        start_rank = min(s.rank for s in starts)
    return starts, start_rank, folder


def _harvest(config, P, N, w, r, prov) -> Scheme | None:
    s = decode(config.n, config.m, config.p, P[w, :, :r], N[w, :, :r], config.ring, prov)
    return s if verify(s, config.ring).ok else None


def flip_search(n: int, m: int, p: int, *, start=None, ring: str = "ZT", target_rank: int | None = None,
                time_limit: float | None = 60.0, walkers: int = 0, seed: int = 0,
                max_flips: int | None = None, out: str | os.PathLike | None = None,
                progress: bool = False, **options) -> FlipResult:
    """Lower the rank of a scheme for <n,m,p> by random walks on the flip graph.

    Args:
        start: None (the standard algorithm), a Scheme, a path (file or folder), or a list
            of them; every start must be exact over ``ring`` and of format <n,m,p> (a
            larger format is restricted).
        ring, target_rank, time_limit, walkers, seed, max_flips: see :class:`FlipConfig`;
            ``options`` sets its other fields (chunk_flips, plus_after, ...).
        out: a folder for the verified schemes (``r<rank>-<fingerprint>.json``) and the
            run's config; a rerun into it starts from the best schemes already there.
        progress: show a live progress bar (best rank per walker, flips/s).

    Returns a :class:`FlipResult`. Ctrl-C stops the walk and returns what was found.
    """
    config = FlipConfig(n, m, p, ring=ring, target_rank=target_rank, time_limit=time_limit,
                        walkers=walkers, seed=seed, max_flips=max_flips, **options)
    starts, start_rank, folder = _prepare(config, start, out)
    K = config.n_walkers
    R = max(s.rank for s in starts) + config.plus_margin + 2
    P = np.zeros((K, 3, R), dtype=np.uint64)
    N = np.zeros((K, 3, R), dtype=np.uint64)
    rank = np.zeros(K, dtype=np.int64)
    rng = np.random.SeedSequence([seed, K]).generate_state(K, dtype=np.uint64) | np.uint64(1)
    pick = np.random.default_rng([seed, K, 1])
    stall = np.zeros(K, dtype=np.int64)
    flips_out = np.zeros(K, dtype=np.int64)
    encoded = [encode(s, ring) for s in starts]
    order = sorted(range(len(starts)), key=lambda i: starts[i].rank)

    def load(w: int, i: int) -> None:
        pos, neg = encoded[i]
        P[w] = 0
        N[w] = 0
        r = pos.shape[1]
        P[w, :, :r] = pos
        N[w, :, :r] = neg
        rank[w] = r
        stall[w] = 0

    for w in range(K):
        load(w, order[w % len(order)])
    best_rank = start_rank
    best = starts[order[0]]
    pool: dict[str, Scheme] = {}
    found = 0
    rejected = 0
    history = [(0.0, start_rank)]
    time_to_best = 0.0
    total_flips = 0
    per_walker = 0
    stop = "time"
    idle = False
    bar = _Bar(progress, config, start_rank)
    warm_up()  # compile (first use) or load the kernels from numba's disk cache before the clock starts
    t0 = time.perf_counter()
    try:
        while True:
            if target_rank is not None and best_rank <= target_rank:
                stop = "target"
                break
            elapsed = time.perf_counter() - t0
            if time_limit is not None and elapsed >= time_limit:
                stop = "time"
                break
            if max_flips is not None and per_walker >= max_flips:
                stop = "flips"
                break
            chunk = config.chunk_flips if max_flips is None else min(config.chunk_flips, max_flips - per_walker)
            goal = best_rank - 1 if target_rank is None else max(best_rank - 1, target_rank)
            _kernels.walk_chunk(P, N, rank, rng, stall, flips_out, chunk, goal,
                                min(best_rank + config.plus_margin, R - 1), config.plus_after,
                                ring == "Z2", True)
            per_walker += chunk
            total_flips += int(flips_out.sum())
            now = time.perf_counter() - t0
            low = int(rank.min())
            if low < best_rank:
                prov = Provenance.now("flip-graph", seed, note=f"ring {ring}, walkers {K}")
                fresh: dict[str, Scheme] = {}
                for w in np.flatnonzero(rank == low):
                    s = _harvest(config, P, N, w, low, prov)
                    if s is None:
                        rejected += 1
                        load(w, order[0])
                        continue
                    fresh.setdefault(fingerprint(s), s)
                if fresh:
                    best_rank = low
                    pool = dict(list(fresh.items())[:config.pool_size])
                    best = next(iter(pool.values()))
                    time_to_best = now
                    history.append((now, low))
                    for fp, s in pool.items():
                        found += 1
                        if folder is not None:
                            folder.add(s, fp)
                    encoded = [encode(s, ring) for s in pool.values()]
                    order = list(range(len(encoded)))
                    for w in range(K):
                        if rank[w] > best_rank:
                            load(w, order[int(pick.integers(len(order)))])
                    if folder is not None:
                        folder.record(config, {"best_rank": best_rank, "history": history})
            elif flips_out.sum() == 0 and (rank <= goal).sum() == 0:
                # no walker could move: restart them all from the pool once; twice in a row is stuck
                if idle:
                    stop = "stuck"
                    break
                for w in range(K):
                    load(w, order[int(pick.integers(len(order)))])
            idle = flips_out.sum() == 0
            bar.update(now, best_rank, rank, total_flips)
    except KeyboardInterrupt:
        stop = "interrupted"
    finally:
        bar.close()
    seconds = time.perf_counter() - t0
    schemes = tuple(pool.values()) if pool else (best,)
    result = FlipResult(config, best_rank, best, schemes, start_rank, time_to_best, total_flips,
                        total_flips / seconds if seconds > 0 else 0.0, found, tuple(history), stop,
                        seconds, folder.folder if folder else None, rejected)
    if folder is not None:
        folder.record(config, {"result": result.summary(), "history": history})
    return result


class _Bar:
    """Live progress on stderr (tqdm): best rank, each walker's rank, flips per second."""

    def __init__(self, enabled: bool, config: FlipConfig, start_rank: int):
        self.bar = None
        self.head = f"<{config.n},{config.m},{config.p}> {config.ring}"
        if enabled:
            from tqdm import tqdm

            total = config.time_limit
            self.bar = tqdm(total=round(total, 1) if total else None, leave=False,
                            desc=f"{self.head} best rank {start_rank}",
                            bar_format="{desc} {bar:12} {n:.0f}/{total_fmt} s{postfix}")

    def update(self, now: float, best: int, ranks: np.ndarray, flips: int) -> None:
        if self.bar is None:
            return
        shown = " ".join(str(int(r)) for r in ranks[:16]) + (" …" if len(ranks) > 16 else "")
        self.bar.set_description_str(f"{self.head} best rank {best}", refresh=False)
        self.bar.set_postfix_str(f"walkers [{shown}], {flips / max(now, 1e-9) / 1e6:.2f} M flips/s",
                                 refresh=False)
        self.bar.n = min(now, self.bar.total) if self.bar.total else now
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
