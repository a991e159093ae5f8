"""One cell of a sweep: a (format, rank) pair searched for a fixed budget by one strategy.

Every scheme a cell keeps enters the format's folder through
:meth:`discovery.search.store.SchemeStore.add` (exact verification, fingerprint, atomic write),
whichever strategy or worker produced it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

from discovery.search.summary import Stop, Summary

FEWEST_ADDITIONS_OF = 3  # simplify this many schemes (fewest plain additions first) per cell


@dataclass(frozen=True)
class CellResult(Summary):
    """What one (format, rank) cell did; one row of ``cells.csv`` (words of :mod:`discovery.search.summary`).

    Attributes:
        n, m, p, rank: the cell. strategy: the strategy that ran it ("als", "flips", or "flips+als"
            when "auto" fell back to the solver).
        reached: a verified scheme of this rank (or lower) was kept.
        restarts: solver restarts completed (0 when the solver did not run).
        walks: flip-graph walks run (0 when flips did not run).
        successes: restarts or walks that ended in a verified scheme.
        time_to_first_s: seconds from the cell's start to its first verified scheme of
            ``best_rank_reached`` (None: none).
        distinct: distinct verified schemes of ``best_rank_reached`` the cell produced (by
            fingerprint); new: schemes the cell added to the folder.
        best_residual: the solver's smallest least-squares loss before rounding (None: no solver run).
        best_rank_reached: lowest rank of a verified scheme the cell produced, even when above
            ``rank`` (a walk that stalled at 51 on the way to 49); None: none.
        fewest_additions: fewest additions after :func:`discovery.circuits.symbolic.simplify_additions`
            over the best few schemes of ``best_rank_reached`` (None: none).
        best_file: that scheme's file, relative to the format's folder.
        elapsed_s: wall-clock seconds of the cell. lost_batches: batches whose worker died.
        budget_s, seed: the cell's budget and base seed.
        stop: why the cell ended: ``Stop.TARGET`` (its rank reached), ``TIME`` (its budget spent)
            or ``LOST`` (too many batches lost); None given: TARGET if ``reached``, else TIME.
    """

    n: int
    m: int
    p: int
    rank: int
    strategy: str
    reached: bool
    restarts: int
    walks: int
    successes: int
    time_to_first_s: float | None
    distinct: int
    new: int
    best_residual: float | None
    best_rank_reached: int | None
    fewest_additions: int | None
    best_file: str | None
    elapsed_s: float
    lost_batches: int
    budget_s: float
    seed: int
    stop: Stop | None = None

    def __post_init__(self):
        stop = self.stop if self.stop is not None else (Stop.TARGET if self.reached else Stop.TIME)
        object.__setattr__(self, "stop", Stop(stop))

    @property
    def format(self) -> tuple[int, int, int]:
        return (self.n, self.m, self.p)

    def to_row(self) -> dict:
        row = self.to_json()
        for k in ("time_to_first_s", "elapsed_s"):
            if row[k] is not None:
                row[k] = round(row[k], 3)
        row["reached"] = int(self.reached)
        return row

    @staticmethod
    def from_row(row: dict) -> "CellResult":
        """Parse a ``cells.csv`` row (strings) back; raises ValueError if malformed.

        Rows written before the cells had ``reached`` and ``stop`` columns (``found`` then) are read too.
        """
        if "reached" not in row and "found" in row:
            row = {**row, "reached": row["found"]}
        vals = {}
        for f in fields(CellResult):
            x = row.get(f.name) if f.name == "stop" else row[f.name]
            if f.name == "strategy":
                vals[f.name] = x
            elif f.name == "stop":
                vals[f.name] = Stop(x) if x else None
            elif f.name == "best_file":
                vals[f.name] = x or None
            elif f.name == "reached":
                vals[f.name] = bool(int(x))
            elif f.name in ("time_to_first_s", "best_residual", "elapsed_s", "budget_s"):
                vals[f.name] = float(x) if x not in ("", None) else None
            else:
                vals[f.name] = int(x) if x not in ("", None) else None
        return CellResult(**vals)


def fewest_additions(schemes, paths, k: int = FEWEST_ADDITIONS_OF) -> tuple[int | None, str | None]:
    """Fewest additions over the ``k`` schemes with the fewest plain additions, and that file.

    Only the lowest-rank schemes compete. Returns (None, None) for no schemes.
    """
    from discovery.circuits.symbolic import simplify_additions

    items = list(zip(schemes, paths))
    if not items:
        return None, None
    low = min(s.rank for s, _ in items)
    items = sorted((x for x in items if x[0].rank == low), key=lambda x: (x[0].counts().additions, x[1]))
    best = None
    for s, path in items[:k]:
        a = simplify_additions(s, tries=8).reduced_additions
        if best is None or a < best[0]:
            best = (a, Path(path).name)
    return best


def als_cell(fmt, rank: int, budget: float, seed: int, folder: Path, executor) -> CellResult:
    """Search rank ``rank`` of ``fmt`` with the ALS solver for ``budget`` seconds on ``executor``."""
    from discovery.search.solver._config import SolverConfig
    from discovery.search.solver._search import run_search

    n, m, p = fmt
    config = SolverConfig(n=n, m=m, p=p, rank=rank, restarts=10**9, time_limit=budget, seed=seed,
                          strategy="als", out=str(folder), threads=1)
    res = run_search(config, executor=executor)
    if res.stop is Stop.INTERRUPTED:
        raise KeyboardInterrupt
    adds, best_file = fewest_additions(res.schemes, res.paths)
    return CellResult(
        n=n, m=m, p=p, rank=rank, strategy="als", reached=res.distinct > 0, restarts=res.restarts, walks=0,
        successes=res.successes, time_to_first_s=res.time_to_first_s, distinct=res.distinct, new=res.new,
        best_residual=None if math.isinf(res.best_residual) else res.best_residual,
        best_rank_reached=min((s.rank for s in res.schemes), default=None), fewest_additions=adds,
        best_file=best_file, elapsed_s=res.elapsed_s, lost_batches=res.lost_batches, budget_s=budget,
        seed=seed, stop=Stop.TARGET if res.distinct else (Stop.LOST if res.stop is Stop.LOST else Stop.TIME))
