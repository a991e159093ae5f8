"""The catalogue driver: every format of a family from its best start, walked for a fixed budget.

Layout of a catalogue folder::

    catalogue.json            the configuration (what the run is; a rerun must match) and its state
    catalogue.csv             one row per finished format (rewritten atomically as each finishes)
    catalogue.png             the gap to the best known ranks per format (see _report.py)
    walks/NxMxP/              the walk's store: every verified ternary scheme it found (a sweep's layout)
    meta/NxMxP/               the meta search's stores (when ``meta_time`` > 0)
    best/NxMxP/               the format's best scheme (any ring), verified over its ring

Formats run smallest first. Each starts from the best of the standard algorithm, the library
composed (plus every result so far) and projections of larger results (:mod:`._starts`), walks
the flip graph for ``budget`` seconds towards one below the best known rank (the sweep's flips
cell, on local processes or a Dask cluster), and its best scheme joins the library for the
formats after it. Then, optionally, one meta search over the whole family, and a last pass that
composes and projects the final results again. A rerun skips finished formats.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from discovery._io import atomic_write_text
from discovery.core.scheme import Scheme
from discovery.ranks.best_known import best_known
from discovery.search.catalogue._config import CONFIG_NAME, CatalogueConfig
from discovery.search.catalogue._report import read_rows, row_for, title_of, write_figure, write_table
from discovery.search.catalogue._starts import best_starts, load_library, ring_of
from discovery.search.store import SchemeStore
from discovery.search.summary import Stop, Summary

Format = tuple[int, int, int]


def folder_name(fmt: Format) -> str:
    return "x".join(map(str, fmt))


@dataclass(frozen=True)
class CatalogueResult(Summary):
    """What a catalogue run holds (earlier runs into the same folder included).

    Attributes:
        config: the run's settings. rows: one dict per finished format (the columns of
            ``catalogue.csv``, :func:`discovery.search.catalogue.row_for`).
        reached: formats at or below the best known rank over any ring (the table's Q column);
            records: formats below the best known rank of their scheme's ring (new best-known ranks).
        skipped: library files or schemes left out, with why. out: the folder.
        elapsed_s: seconds of this run. stop: ``Stop.DONE`` or ``Stop.INTERRUPTED`` (rerun to resume).
        executor: where the walks ran, in words.
    """

    config: CatalogueConfig
    rows: tuple
    reached: tuple
    records: tuple
    skipped: tuple
    out: Path
    elapsed_s: float
    stop: Stop
    executor: str

    JSON_SKIP = ("skipped",)


class _Held:
    """The best scheme of every format the run has finished (the library grows with it)."""

    def __init__(self, out: Path):
        self.out = out
        self.best: dict[Format, Scheme] = {}
        self.ternary: dict[Format, Scheme] = {}

    def load(self, fmts) -> None:
        for f in fmts:
            folder = self.out / "best" / folder_name(f)
            if folder.is_dir():
                for s in sorted(SchemeStore(folder, f, "Q").existing()[0], key=lambda s: s.rank):
                    self.offer(s, write=False)

    def offer(self, s: Scheme, write: bool = True) -> bool:
        """Keep ``s`` if it lowers its format's best (ternary first on a tie); True if it did."""
        f = s.format
        if s.is_ternary and (f not in self.ternary or s.rank < self.ternary[f].rank):
            self.ternary[f] = s
        cur = self.best.get(f)
        if cur is not None and (s.rank > cur.rank or (s.rank == cur.rank and (cur.is_ternary or not s.is_ternary))):
            return False
        if write:
            SchemeStore(self.out / "best" / folder_name(f), f, ring_of(s)).add(s)
        self.best[f] = s
        return True

    def library(self, extra: list[Scheme]) -> list[Scheme]:
        return extra + list(self.best.values()) + [s for f, s in self.ternary.items() if s is not self.best.get(f)]


def _target(fmt: Format, start_rank: int) -> int:
    """The rank the walk aims at: one below the best known over any ring (a new record)."""
    bk = best_known(fmt)
    return (min(bk.ZT, bk.Q) if bk is not None else start_rank) - 1


def _floor(fmt: Format) -> int:
    bk = best_known(fmt)
    return bk.lower_bound if bk is not None and bk.lower_bound else 1


def _walk_seed(seed: int, fmt: Format) -> int:
    return int(np.random.SeedSequence([seed, *fmt, 0x636174]).generate_state(1)[0] & 0x7FFFFFFF)


def _walk_format(config: CatalogueConfig, fmt: Format, held: _Held, library: list[Scheme], out: Path,
                 executor) -> dict:
    """Start, walk and record one format; returns its row."""
    from discovery.formats import load_scheme
    from discovery.search.sweeps import flips_cell

    t0 = time.monotonic()
    starts = best_starts(fmt, held.library(library))
    made = {id(starts.ternary): starts.ternary_how, id(starts.exact): starts.exact_how}
    held.offer(starts.ternary)
    held.offer(starts.exact)
    walk_rank = walk_s = None
    if starts.ternary.rank > _floor(fmt):
        folder = out / "walks" / folder_name(fmt)
        SchemeStore(folder, fmt, "ZT").add(starts.ternary)
        cell = flips_cell(fmt, _target(fmt, starts.ternary.rank), config.budget, _walk_seed(config.seed, fmt),
                          folder, executor, additions=False)
        walk_rank, walk_s = cell.best_rank_reached, cell.elapsed_s
        if cell.best_file is not None:
            walked = load_scheme(folder / cell.best_file)
            made[id(walked)] = "walk"
            held.offer(walked)
    best = held.best[fmt]
    return row_for(best, made.get(id(best), "earlier"), starts.exact.rank, starts.exact_how, walk_rank, walk_s,
                   time.monotonic() - t0, _best_file(out, best))


def _best_file(out: Path, s: Scheme) -> str:
    from discovery.core.transforms import fingerprint

    return f"best/{folder_name(s.format)}/r{s.rank}-{fingerprint(s)}.json"


def _meta(config: CatalogueConfig, held: _Held, out: Path) -> int:
    """One meta search over the family from the formats' best ternary schemes; formats it lowers
    take its schemes. Returns how many formats it lowered."""
    from discovery.search.meta import MetaConfig, meta_search

    for f, s in held.ternary.items():
        SchemeStore(out / "meta" / folder_name(f), f, "ZT").add(s)
    mc = MetaConfig(formats=config.formats, time_limit=config.meta_time, seed=config.seed, margin=config.margin,
                    walkers=2 * len(config.formats))
    res = meta_search(mc, out=out / "meta")
    if res.stop is Stop.INTERRUPTED:
        raise KeyboardInterrupt
    return sum(held.offer(s) for s in res.schemes.values())


def _recompose(config: CatalogueConfig, held: _Held, library: list[Scheme], rows: dict, out: Path) -> None:
    """The last pass: every format's starts again from all final results (a format finished early
    now composes with, or projects from, the later ones)."""
    for f in config.formats:
        starts = best_starts(f, held.library(library))
        for s, how in ((starts.ternary, starts.ternary_how), (starts.exact, starts.exact_how)):
            if held.offer(s):
                old = rows[f]
                rows[f] = row_for(s, how, old["start_rank"], old["start_how"], old["walk_rank"], old["walk_s"],
                                  old["seconds"], _best_file(out, s))


def catalogue(config: CatalogueConfig, out, executor=None, progress: bool = False) -> CatalogueResult:
    """Run (or resume) the catalogue ``config`` into the folder ``out`` (see the module docstring).

    Args:
        config: the settings (:class:`CatalogueConfig`). out: the folder.
        executor: an executor of :mod:`discovery.search.executor` for the walks (None: made from
            ``config.scheduler`` / ``config.workers`` and closed at the end).
        progress: one line per format on stderr.
    Ctrl-C stops the run after writing the finished formats' rows (rerun to resume).
    """
    from discovery.search.executor import make_executor
    from discovery.search.sweeps import prime_flips

    out = Path(out)
    config.check_out(out)
    own = executor is None
    if own:  # an unreachable scheduler is one error line before anything is written
        executor = make_executor(config.scheduler, config.workers)
    out.mkdir(parents=True, exist_ok=True)
    state = _read_state(out)
    _write_state(out, config, state)
    t0 = time.monotonic()
    stop = Stop.DONE
    library, skipped = load_library(config.library)
    held = _Held(out)
    rows = {r["format"]: r for r in read_rows(out)}
    rows = {f: rows[folder_name(f)] for f in config.formats if folder_name(f) in rows}
    held.load(rows)
    try:
        executor.warm_up(("discovery.search.flips",), prime=prime_flips)
        for f in config.formats:
            if f in rows:
                continue
            rows[f] = _walk_format(config, f, held, library, out, executor)
            write_table(out, [rows[g] for g in config.formats if g in rows])
            if progress:
                _say(rows[f])
        if config.meta_time > 0 and not state.get("meta_done"):
            lowered = _meta(config, held, out)
            state["meta_done"] = True
            state["meta_lowered"] = lowered
            _write_state(out, config, state)
        _recompose(config, held, library, rows, out)
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        if own:
            executor.close()
    ordered = [rows[g] for g in config.formats if g in rows]
    if ordered:
        write_table(out, ordered)
        write_figure(out, ordered, title_of(json.loads((out / CONFIG_NAME).read_text())))
    return CatalogueResult(
        config=config, rows=tuple(ordered), reached=tuple(r["format"] for r in ordered if r["reached"]),
        records=tuple(r["format"] for r in ordered if r["record"]), skipped=tuple(skipped), out=out,
        elapsed_s=time.monotonic() - t0, stop=stop, executor=executor.describe())


def _read_state(out: Path) -> dict:
    path = out / CONFIG_NAME
    return json.loads(path.read_text()).get("state", {}) if path.exists() else {}


def _write_state(out: Path, config: CatalogueConfig, state: dict) -> None:
    atomic_write_text(out / CONFIG_NAME, json.dumps({"command": "catalogue", "config": config.to_json(),
                                                     "state": state}, indent=1) + "\n")


def _say(row: dict) -> None:
    bk = "" if row["best_known_Q"] is None else f" (best known ZT {row['best_known_ZT']}, Q {row['best_known_Q']})"
    walk = "" if row["walk_rank"] is None else f", walk {row['walk_rank']} in {row['walk_s']:.0f} s"
    print(f"<{row['format'].replace('x', ',')}>: rank {row['rank']} {row['ring']} by {row['how']} "
          f"(start {row['start_rank']} {row['start_how']}{walk}){bk}", file=sys.stderr)
