"""One search per seed, summed: what a benchmark or an ablation reports for a (format, rank).

Each seed runs :func:`discovery.search.solver.discover` in a fresh temporary folder (nothing is written
anywhere else), so every seed starts from nothing and the figures are comparable across seeds.
"""

from __future__ import annotations

import math
import statistics
import tempfile
from dataclasses import dataclass
from typing import Iterable


@dataclass(frozen=True)
class SeedsSummary:
    """Totals over seeds of one (format, rank, strategy).

    Attributes:
        seeds: the seeds run, in order.
        restarts, successes, distinct: summed over the seeds (``distinct``: distinct verified
            schemes per seed, summed). elapsed_s: summed wall time of the searches.
        firsts_s: per seed, seconds to its first verified scheme (inf: none).
        best_residual: lowest residual over all restarts; best_errors: fewest failing
            equations of a rounded candidate (None where the strategy does not report it).
    """

    seeds: tuple[int, ...]
    restarts: int
    successes: int
    distinct: int
    elapsed_s: float
    firsts_s: tuple[float, ...]
    best_residual: float
    best_errors: int | None

    @property
    def median_first_s(self) -> float:
        """Median over the seeds of the time to the first scheme (inf when most found none)."""
        return statistics.median(self.firsts_s) if self.firsts_s else math.inf

    @property
    def seeds_with_result(self) -> int:
        return sum(math.isfinite(f) for f in self.firsts_s)

    @property
    def success_rate(self) -> float:
        return self.successes / self.restarts if self.restarts else 0.0

    @property
    def distinct_per_min(self) -> float:
        return 60 * self.distinct / self.elapsed_s if self.elapsed_s else 0.0


def discover_over_seeds(n: int, m: int, p: int, rank: int, seeds: Iterable[int], **kwargs) -> SeedsSummary:
    """:func:`discover` once per seed (``kwargs`` as discover's, without ``seed`` and ``out``)."""
    from discovery.search.solver import discover

    for bad in ("seed", "out"):
        if bad in kwargs:
            raise TypeError(f"discover_over_seeds sets {bad!r} itself; pass seeds=... and no out")
    seeds = tuple(seeds)
    firsts, restarts, successes, distinct, elapsed = [], 0, 0, 0, 0.0
    best_res, best_err = math.inf, None
    for seed in seeds:
        with tempfile.TemporaryDirectory() as tmp:
            res = discover(n, m, p, rank, seed=seed, out=tmp, **kwargs)
        firsts.append(math.inf if res.time_to_first_s is None else res.time_to_first_s)
        restarts += res.restarts
        successes += res.successes
        distinct += res.distinct
        elapsed += res.elapsed_s
        best_res = min(best_res, res.best_residual)
        if res.best_errors is not None:
            best_err = res.best_errors if best_err is None else min(best_err, res.best_errors)
    return SeedsSummary(seeds, restarts, successes, distinct, elapsed, tuple(firsts), best_res, best_err)
