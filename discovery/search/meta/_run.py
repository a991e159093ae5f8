"""The meta search: walkers that alternate flip-graph walk phases with meta moves across a family.

Each phase, the walkers that stand on one format walk together as one flip-graph search
(:func:`discovery.search.flips.flip_search`, one engine walker each, ``phase_flips`` flips per
walker, a seed derived from the search's seed, the phase and the format); where it lowers their
rank they continue from its best schemes. Then each walker in turn, in a fixed order: a walker whose
rank exceeds its format's reference by more than ``margin`` resets to a start (a best scheme of a
format of the family drawn at random); otherwise, with probability ``probability``, it takes a meta
move by the strategy (:mod:`._moves`). Every scheme a walk or a move produces is verified exactly
before it is kept; the best per format go into the format's folder (:mod:`._best`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from discovery._progress import Progress
from discovery.core.known import standard
from discovery.core.scheme import Scheme
from discovery.search.meta._best import BestSchemes, folder_name, table_rank
from discovery.search.meta._config import Format, MetaConfig
from discovery.search.meta._moves import meta_move
from discovery.search.store import SchemeStore
from discovery.search.summary import Stop, Summary

RECORD_EVERY_S = 5.0


@dataclass(frozen=True)
class MetaResult(Summary):
    """What a meta search reached. Every scheme in it was verified exactly over ``config.ring``.

    Attributes:
        start_ranks, best_ranks: per format, the lowest rank held at the start (a stored scheme on a
            rerun, else the start scheme) and at the end.
        best_known: per format, the shipped best-known rank for the ring (None: not in the table).
        reached: formats whose best rank is at or below the best known; improved: formats whose rank
            this search lowered.
        phases: walk phases done; walks: flip-graph searches run (one per format and phase);
            flips: flips done (all walkers).
        moves: meta moves taken, by kind ("merge", "project", "extend", "reset").
        new: scheme files this search wrote; rejected: engine schemes that failed verification.
        history: one entry each time a format's best rank fell: elapsed_s, phase, format, rank, how.
        paths: per walker, (phase, format, rank, how) at the start and after every walk and move.
        schemes: per format, one best scheme. stop, elapsed_s: why and when it ended. out: the folder.
    """

    config: MetaConfig
    start_ranks: dict
    best_ranks: dict
    best_known: dict
    reached: tuple
    improved: tuple
    phases: int
    walks: int
    flips: int
    moves: dict
    new: int
    rejected: int
    history: tuple
    paths: tuple = ()
    schemes: dict = field(default_factory=dict)
    stop: Stop = Stop.BUDGET
    elapsed_s: float = 0.0
    out: Path | None = None

    JSON_SKIP = ("schemes", "paths")

    def json_extra(self) -> dict:
        return {"reached": [folder_name(f) for f in self.reached],
                "improved": [folder_name(f) for f in self.improved]}


def _phase_seed(seed: int, phase: int, fmt: Format) -> int:
    return int(np.random.SeedSequence([seed, phase, *fmt]).generate_state(1)[0])


class _Search:
    """The state of one meta search (see the module docstring)."""

    def __init__(self, config: MetaConfig, out):
        self.config = c = config
        self.family = set(c.formats)
        self.best = BestSchemes(c.formats, c.ring, c.keep, out)
        self.best.load()
        self._fill_starts()
        self.start_ranks = {f: self.best.rank(f) for f in c.formats}
        self.rng = np.random.default_rng([c.seed, 0x6D657461])
        self.walkers: list[Scheme] = []
        self.paths: list[list[tuple]] = []
        for i in range(c.n_walkers):
            fmt = c.formats[i % len(c.formats)]
            s = self._draw(fmt)
            self.walkers.append(s)
            self.paths.append([(0, fmt, s.rank, "start")])
        self.history: list[dict] = []
        self.moves = {"merge": 0, "project": 0, "extend": 0, "reset": 0}
        self.phase = self.walks = self.flips = self.rejected = 0
        self.t0 = time.perf_counter()

    def _fill_starts(self) -> None:
        """A start scheme for every format no folder holds a scheme of."""
        c = self.config
        missing = [f for f in c.formats if self.best.rank(f) is None]
        if not missing:
            return
        library = [s for f in c.formats for s in self.best.schemes[f]]
        if c.start == "composed":
            from discovery.search.flips import composed_start

            starts = [composed_start(f, library, c.ring) for f in missing]
        else:
            starts = [standard(*f) for f in missing]
        for s in starts:
            self.best.offer(s.with_ring(c.ring) if c.ring != "ZT" else s, write=False)

    def _draw(self, fmt: Format) -> Scheme:
        held = self.best.schemes[fmt]
        return held[int(self.rng.integers(len(held)))]

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def remaining(self) -> float | None:
        limit = self.config.time_limit
        return None if limit is None else limit - self.elapsed()

    def limit(self, fmt: Format) -> float:
        ref = self.best.reference(fmt)
        return float("inf") if ref is None else ref + self.config.margin

    def offer(self, s: Scheme, how: str) -> None:
        if self.best.offer(s):
            self.history.append({"elapsed_s": round(self.elapsed(), 3), "phase": self.phase,
                                 "format": folder_name(s.format), "rank": s.rank, "how": how})

    def all_reached(self) -> bool:
        known = [(f, table_rank(f, self.config.ring)) for f in self.config.formats]
        return all(k is not None and self.best.rank(f) <= k for f, k in known)

    # -- one phase --------------------------------------------------------------------------
    def walk_phase(self) -> Stop | None:
        """One flip-graph search per format its walkers stand on; returns a stop reason or None."""
        from discovery.search.flips import flip_search

        c = self.config
        groups: dict[Format, list[int]] = {}
        for i, s in enumerate(self.walkers):
            groups.setdefault(s.format, []).append(i)
        for fmt, idx in groups.items():
            left = self.remaining()
            if left is not None and left <= 0:
                return Stop.TIME
            res = flip_search(*fmt, start=[self.walkers[i] for i in idx], ring=c.ring, time_limit=left,
                              walkers=len(idx), seed=_phase_seed(c.seed, self.phase, fmt),
                              max_flips=c.phase_flips, **dict(c.flip_options))
            self.walks += 1
            self.flips += int(res.flips)
            self.rejected += int(getattr(res, "rejected", 0))
            found = list(res.schemes)
            if res.best_rank < res.start_rank:  # a walk that does not improve gives back a start
                for s in found[:c.keep]:
                    self.offer(s, "walk")
            for j, i in enumerate(idx):
                if res.best_rank < self.walkers[i].rank:
                    self.walkers[i] = found[j % len(found)]
                    self.paths[i].append((self.phase, fmt, res.best_rank, "walk"))
            if res.stop == Stop.INTERRUPTED:
                return Stop.INTERRUPTED
        return None

    def meta_phase(self) -> None:
        """Resets, then meta moves, walker by walker in a fixed order (reproducible draws)."""
        c = self.config
        for i, s in enumerate(self.walkers):
            ref = self.best.reference(s.format)
            if ref is not None and s.rank > ref + c.margin:
                fmt = c.formats[int(self.rng.integers(len(c.formats)))]
                self._set(i, self._draw(fmt), "reset")
                continue
            if c.probability == 0 or self.rng.random() >= c.probability:
                continue
            move = meta_move(s, c.strategy, self.rng, self.family, self.best.schemes, self.limit)
            if move is not None:
                kind, t = move
                self.offer(t, kind)
                self._set(i, t, kind)

    def _set(self, i: int, s: Scheme, how: str) -> None:
        self.walkers[i] = s
        self.moves[how] += 1
        self.paths[i].append((self.phase, s.format, s.rank, how))

    def result(self, stop: Stop, out) -> MetaResult:
        c = self.config
        best = {f: self.best.rank(f) for f in c.formats}
        known = {f: table_rank(f, c.ring) for f in c.formats}
        return MetaResult(
            config=c, start_ranks=dict(self.start_ranks), best_ranks=best, best_known=known,
            reached=tuple(f for f in c.formats if known[f] is not None and best[f] <= known[f]),
            improved=tuple(f for f in c.formats if best[f] < self.start_ranks[f]),
            phases=self.phase, walks=self.walks, flips=self.flips, moves=dict(self.moves), new=self.best.new,
            rejected=self.rejected, history=tuple(self.history), paths=tuple(tuple(p) for p in self.paths),
            schemes={f: self.best.schemes[f][0] for f in c.formats}, stop=stop, elapsed_s=self.elapsed(),
            out=Path(out) if out is not None else None)


def meta_search(config: MetaConfig, out=None, progress: bool = False) -> MetaResult:
    """Run a meta search (see the module docstring) and return its :class:`MetaResult`.

    Args:
        config: the settings (:class:`MetaConfig`).
        out: a folder: one sub-folder ``NxMxP`` per format holds its best verified schemes
            (``r<rank>-<fingerprint>.json``), and ``meta-<ring>-seed<seed>.json`` the run's record
            (config, ranks, moves, history, each walker's path). A rerun into it starts from the
            schemes the folders hold. None: nothing is written.
        progress: a progress line on stderr (phase, formats at the best known rank, moves).

    Ctrl-C stops the search and returns what it found (already written).
    """
    record = SchemeStore(out, ring=config.ring) if out is not None else None
    search = _Search(config, out)
    bar = _progress(progress, config)
    stop = Stop.BUDGET
    last = 0.0
    try:
        while True:
            if search.all_reached():  # first: the best known ranks reached in the last phase are a target stop
                stop = Stop.TARGET
                break
            if config.phases is not None and search.phase >= config.phases:
                stop = Stop.BUDGET
                break
            left = search.remaining()
            if left is not None and left <= 0:
                stop = Stop.TIME
                break
            halted = search.walk_phase()
            if halted is not None:
                stop = halted
                break
            search.meta_phase()
            search.phase += 1
            _show(bar, search)
            if record is not None and search.elapsed() - last >= RECORD_EVERY_S:
                _write(record, search, search.result(stop, out))
                last = search.elapsed()
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        bar.close()
    result = search.result(stop, out)
    if record is not None:
        _write(record, search, result)
    return result


def _write(record: SchemeStore, search: _Search, result: MetaResult) -> None:
    c = search.config
    paths = [[{"phase": ph, "format": folder_name(f), "rank": r, "how": how} for ph, f, r, how in p]
             for p in result.paths]
    record.record(f"meta-{c.ring}-seed{c.seed}.json", {"command": "meta", **result.to_json(), "paths": paths})


def _progress(enabled: bool, config: MetaConfig) -> Progress:
    return Progress(f"meta {len(config.formats)} formats, {config.n_walkers} walkers", total=config.phases,
                    unit="phase", enabled=enabled)


def _show(bar, search: _Search) -> None:
    c = search.config
    reached = sum(1 for f in c.formats if (k := table_rank(f, c.ring)) is not None and search.best.rank(f) <= k)
    improved = sum(1 for f in c.formats if search.best.rank(f) < search.start_ranks[f])
    bar.update(1, postfix=f"at best known {reached}/{len(c.formats)}, improved {improved}, "
                          f"moves {sum(search.moves.values())}")
