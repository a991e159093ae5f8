"""The sweep driver: formats × ranks → cells, run on an executor, recorded as they finish.

Layout of a sweep folder::

    sweep.json                     the configuration (what the sweep is; a rerun must match)
    cells.csv                      one row per finished cell (tidy; rewritten atomically)
    <n>x<m>x<p>/r<rank>-<fp>.json  every verified scheme, one folder per format
    <n>x<m>x<p>/best.json          the lowest-rank scheme with the fewest additions
    comparison.csv, comparison.png the comparison with the best known ranks (see _report.py)

A rerun with the same settings skips finished cells; an interrupted cell starts again (the
solver's run state inside the format folder skips the restarts it already did).
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

from discovery._io import atomic_write_text, write_csv
from discovery._progress import Progress
from discovery.search.store import SchemeStore
from discovery.search.summary import Stop, Summary
from discovery.search.sweeps._cells import CellResult, als_cell
from discovery.search.sweeps._config import CELLS_NAME, CONFIG_NAME, SweepConfig, SweepConfigError
from discovery.search.sweeps._plan import planned_ranks

Format = tuple[int, int, int]


@dataclass(frozen=True)
class SweepResult(Summary):
    """What a sweep found (words of :mod:`discovery.search.summary`).

    Attributes:
        config: the sweep's configuration.
        cells: every finished cell (earlier runs' included), in the order they ran.
        best: format -> the ``best.json`` record (lowest rank, then fewest additions), for the
            formats where something was found.
        out: the sweep folder. elapsed_s: seconds of this run.
        stop: ``Stop.DONE`` (every planned cell ran) or ``Stop.INTERRUPTED`` (Ctrl-C; rerun to resume).
        executor: where the cells ran, in words.
        startup_s: seconds this run spent starting the executor's workers (processes, imports,
            compiled kernels) before its first cell: charged to no cell's budget.
        cells_s: wall seconds of this run's cells (each budget, plus simplifying what it found).
        resumed: cells taken from an earlier run into the same folder.
    """

    config: SweepConfig
    cells: tuple[CellResult, ...]
    best: dict
    out: Path
    elapsed_s: float
    stop: Stop
    executor: str
    startup_s: float = 0.0
    cells_s: float = 0.0
    resumed: int = 0

    def budget_line(self, total_s: float | None = None) -> str:
        """Where this run's time went: the cells' budgets and what lies outside them (``total_s``:
        the whole command's seconds, default this run's ``elapsed_s``)."""
        total = self.elapsed_s if total_s is None else total_s
        ran = len(self.cells) - self.resumed
        if not ran:
            return f"time: no cell ran (all {len(self.cells)} had finished before); {total:.1f} s in all"
        other = max(total - self.startup_s - self.cells_s, 0.0)
        return (f"time: {ran} cell(s) of {self.config.budget:g} s budget each took {self.cells_s:.1f} s "
                f"(simplifying what they found included); outside the budgets: {self.startup_s:.1f} s starting "
                f"the workers (processes, imports, kernels) and {other:.1f} s of start-up, records and report; "
                f"{total:.1f} s in all")


def _fmt_name(f: Format) -> str:
    return f"{f[0]}x{f[1]}x{f[2]}"


def format_folder(out: Path, fmt: Format) -> Path:
    return out / _fmt_name(fmt)


def read_cells(out: Path) -> dict[tuple[Format, int], CellResult]:
    """The finished cells of a sweep folder, keyed by (format, rank)."""
    path = Path(out) / CELLS_NAME
    if not path.exists():
        return {}
    try:
        rows = list(csv.DictReader(path.read_text().splitlines()))
        cells = [CellResult.from_row(r) for r in rows]
    except (OSError, KeyError, ValueError, TypeError):
        raise SweepConfigError(f"{path} is damaged; remove it to run the sweep's cells again") from None
    return {(c.format, c.rank): c for c in cells}


def best_of(cells) -> dict[Format, dict]:
    """Per format, the cell whose verified schemes reached the lowest rank (also a cell that
    stopped short of its own rank), then the fewest additions."""
    best: dict[Format, dict] = {}
    for c in cells:
        if c.best_file is None:  # no verified scheme came out of this cell
            continue
        key = (c.best_rank_reached, c.fewest_additions if c.fewest_additions is not None else 10**9)
        cur = best.get(c.format)
        if cur is None or key < (cur["rank"], cur["additions"] if cur["additions"] is not None else 10**9):
            best[c.format] = {"format": list(c.format), "rank": c.best_rank_reached,
                              "additions": c.fewest_additions, "file": c.best_file,
                              "strategy": c.strategy, "cell_rank": c.rank,
                              "time_to_first_s": c.time_to_first_s}
    return best


def _write_state(out: Path, cells: list[CellResult], fmt: Format | None) -> dict:
    if cells:
        write_csv(out / CELLS_NAME, [c.to_row() for c in cells])
    best = best_of(cells)
    if fmt is not None and fmt in best:
        SchemeStore(format_folder(out, fmt), fmt=fmt).record("best.json", best[fmt])
    return best


def sweep_with(config: SweepConfig, executor, progress: bool = False) -> SweepResult:
    """Run the sweep ``config`` on ``executor`` (see :mod:`discovery.search.executor`)."""
    out = config.prepare_out()
    atomic_write_text(out / CONFIG_NAME, json.dumps(config.to_json(), indent=1) + "\n")
    done = read_cells(out)
    done_before = len(done)
    order = list(done.values())
    t0 = time.monotonic()
    startup = in_cells = 0.0
    warm = False
    stop = Stop.DONE
    bar = _bar(progress, len(done))
    try:
        for fmt in config.formats:
            for rank in planned_ranks(fmt, config.ranks, config.margin):
                cell = done.get((fmt, rank))
                if cell is None:
                    if not warm:  # worker start-up is not charged to the first cell's budget
                        t = time.monotonic()
                        _warm_up(config, executor)
                        startup, warm = time.monotonic() - t, True
                    t = time.monotonic()
                    cell = _run_cell(config, fmt, rank, out, executor)
                    in_cells += time.monotonic() - t
                    done[(fmt, rank)] = cell
                    order.append(cell)
                    best = _write_state(out, order, fmt)
                    bar.update(1, postfix=_best_text(best))
                    bar.write(_cell_line(cell))
                if config.ranks is None and not cell.reached:
                    break  # "auto": the first rank with nothing found ends the format
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        bar.close()
    best = best_of(order)
    return SweepResult(config=config, cells=tuple(order), best=best, out=out,
                       elapsed_s=time.monotonic() - t0, stop=stop, executor=executor.describe(),
                       startup_s=round(startup, 2), cells_s=round(in_cells, 2), resumed=done_before)


def _warm_up(config: SweepConfig, executor) -> None:
    from discovery.search.solver import SOLVER_MODULES

    if config.strategy == "als":
        executor.warm_up(SOLVER_MODULES)
        return
    from discovery._kernels import announce_if_cold
    from discovery.search.executor import LocalExecutor
    from discovery.search.sweeps._flips import prime_flips

    if isinstance(executor, LocalExecutor) and executor.workers > 1:
        announce_if_cold("flip")  # the workers compile (sharing numba's disk cache), not this process
    # "flips" never loads torch; "auto" needs the solver too
    modules = ("discovery.search.flips",) + (SOLVER_MODULES if config.strategy == "auto" else ())
    executor.warm_up(modules, prime=prime_flips)


def _run_cell(config: SweepConfig, fmt: Format, rank: int, out: Path, executor) -> CellResult:
    folder = format_folder(out, fmt)
    if config.strategy == "als":
        return als_cell(fmt, rank, config.budget, config.seed, folder, executor)
    from discovery.search.sweeps._flips import auto_cell, flips_cell

    cell = flips_cell if config.strategy == "flips" else auto_cell
    return cell(fmt, rank, config.budget, config.seed, folder, executor)


def _cell_line(c: CellResult) -> str:
    if c.reached:
        what = (f"found (rank {c.best_rank_reached}, {c.distinct} distinct, fewest additions "
                f"{c.fewest_additions}, first after {c.time_to_first_s:.1f} s)")
    elif c.best_rank_reached is not None:
        what = f"nothing at this rank (the walks stopped at rank {c.best_rank_reached})"
    else:
        what = "nothing"
    runs = f"{c.restarts} restarts" if c.restarts or not c.walks else f"{c.walks} walks"
    lost = f", {c.lost_batches} batches lost" if c.lost_batches else ""
    return f"<{c.n},{c.m},{c.p}> r{c.rank} [{c.strategy}]: {what}; {runs} in {c.elapsed_s:.1f} s{lost}"


def _best_text(best: dict) -> str:
    return "best " + " ".join(f"{_fmt_name(f)}:{b['rank']}" for f, b in best.items())


def _bar(enabled: bool, initial: int) -> Progress:
    return Progress("sweep", unit="cell", initial=initial, enabled=enabled, leave=True)


def sweep(formats=None, *, max_dim: int | None = None, ranks="auto", strategy: str = "als",
          budget: float = 60.0, seed: int = 0, out: str | None = None, margin: int = 1,
          scheduler=None, workers: int | None = None, executor=None, progress: bool = False) -> SweepResult:
    """Search every format's ranks against the best known, cell by cell; see :class:`SweepConfig`.

    Args:
        formats: formats as tuples or a string ``"2x2x2,2x3x4"``; or ``max_dim`` for all sorted
            formats 2 <= n <= m <= p <= max_dim.
        ranks: "auto", "LO:HI", or a (lo, hi) tuple. strategy: "als", "flips" or "auto".
        budget: seconds per cell. seed: base seed. out: folder (default under ``runs/``).
        margin: "auto" starts this many ranks above the best known.
        scheduler: a Dask scheduler address, ``Client`` or cluster (None: local processes);
            workers: local processes (None: all cores).
        executor: an executor of :mod:`discovery.search.executor` to run the cells on (instead of
            ``scheduler``/``workers``; the caller keeps it and closes it).
        progress: a tqdm display on stderr (cells done, current best per format).
    Raises:
        DiscoveryError on bad input (formats, ranks, budget, scheduler, output folder) before any work.
    """
    from discovery.search.executor import make_executor
    from discovery.search.sweeps._config import formats_up_to, parse_formats, parse_ranks

    if (formats is None) == (max_dim is None):
        raise SweepConfigError("give either formats or max_dim")
    if executor is not None and (scheduler is not None or workers is not None):
        raise SweepConfigError("give either executor= or scheduler=/workers= (where the cells run), not both")
    fmts = formats_up_to(max_dim) if formats is None else (
        parse_formats(formats) if isinstance(formats, str) else tuple(tuple(f) for f in formats))
    if isinstance(ranks, str):
        ranks = parse_ranks(ranks)
    address = scheduler if isinstance(scheduler, str) or scheduler is None else None
    config = SweepConfig(formats=fmts, ranks=ranks, strategy=strategy, budget=budget, seed=seed,
                         out=out, margin=margin, scheduler=address, workers=workers)
    config.prepare_out(create=False)  # a folder holding another sweep is refused before connecting
    if executor is not None:
        return sweep_with(config, executor, progress=progress)
    executor = make_executor(scheduler, workers)
    try:
        return sweep_with(config, executor, progress=progress)
    finally:
        executor.close()
