"""Benchmark the SPN solver: success rate, time to first verified scheme, schemes per minute.

For each format and strategy, run ``discovery.discover`` once per seed into a fresh folder
with a time limit, and report

* success rate per restart (restarts ending in an exactly verified scheme / restarts run),
* median over seeds of the time to the first verified scheme (">L" when over half the seeds
  found none within the limit L),
* distinct verified schemes per minute (distinct within each run, summed over runs).

Prints a table and writes ``results/benchmarks/discover.csv`` (``--quick``:
``discover_quick.csv``). Timings depend on the machine and its load: give the thread count
and say whether the machine was shared when quoting them.

    python benchmarks/discover.py --quick
    nice python benchmarks/discover.py            # all formats, 5 seeds, als, paper and sgd
    nice python benchmarks/discover.py --strategies sgd --out results/benchmarks/discover_sgd.csv
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import torch

from discovery._io import write_csv
from discovery.search.solver import discover_over_seeds

FULL = [(2, 2, 2, 7), (2, 2, 3, 11), (2, 3, 3, 15), (2, 2, 4, 14), (3, 3, 3, 23),
        (2, 2, 5, 18), (2, 3, 4, 20)]
QUICK = [(2, 2, 2, 7), (2, 2, 3, 11)]


def bench(fmt, strategy: str, seeds: int, time_limit: float, restarts: int, threads: int) -> dict:
    n, m, p, r = fmt
    sm = discover_over_seeds(n, m, p, r, range(seeds), restarts=restarts, time_limit=time_limit,
                             strategy=strategy, threads=threads)
    med = sm.median_first_s
    return {
        "format": f"{n}x{m}x{p}", "rank": r, "strategy": strategy, "seeds": seeds,
        "time_limit_s": time_limit, "restarts": sm.restarts, "successes": sm.successes,
        "success_rate": round(sm.success_rate, 4),
        "median_time_to_first_s": round(med, 3) if math.isfinite(med) else f">{time_limit:g}",
        "seeds_with_result": sm.seeds_with_result,
        "distinct_per_min": round(sm.distinct_per_min, 2),
        "elapsed_s": round(sm.elapsed_s, 1),
        "best_residual": f"{sm.best_residual:.3g}" if math.isfinite(sm.best_residual) else None,
        "best_errors": sm.best_errors, "threads": threads,
        "device": "cuda" if torch.cuda.is_available() else "cpu",
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="two small formats, 2 seeds, short limits")
    ap.add_argument("--strategies", default="als,paper,sgd",
                    help="comma-separated, from als, adam, paper, paper-fixed, sgd (default als,paper,sgd)")
    ap.add_argument("--seeds", type=int, default=None, help="seeds per format (default 5; quick 2)")
    ap.add_argument("--time-limit", type=float, default=None,
                    help="seconds per run (default 30, 60 for <3,3,3>; quick 10)")
    ap.add_argument("--paper-time-limit", type=float, default=None,
                    help="seconds per run of the paper strategies (default 120; quick 60)")
    ap.add_argument("--paper-restarts", type=int, default=None,
                    help="restarts per run of the paper strategies (default 16; quick 4)")
    ap.add_argument("--paper-seeds", type=int, default=None,
                    help="seeds of the paper strategies (default 2; quick 1)")
    ap.add_argument("--restarts", type=int, default=512, help="restart cap per run (default 512)")
    ap.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1)")
    ap.add_argument("--formats", default=None, help="e.g. 2x2x2:7,3x3x3:23 (default: the list)")
    ap.add_argument("--out", default=None, help="CSV path (default results/benchmarks/discover.csv)")
    args = ap.parse_args(argv)
    formats = QUICK if args.quick else FULL
    if args.formats:
        try:
            formats = [tuple(map(int, f.split(":")[0].split("x"))) + (int(f.split(":")[1]),)
                       for f in args.formats.split(",")]
        except (IndexError, ValueError):
            ap.error(f"--formats {args.formats!r}: write NxMxP:R items separated by commas, e.g. 2x2x2:7")
    seeds = args.seeds or (2 if args.quick else 5)
    out = Path(args.out or f"results/benchmarks/discover{'_quick' if args.quick else ''}.csv")
    rows = []
    header = (f"{'format':>8} {'r':>3} {'strategy':>8} {'restarts':>8} {'success':>8} "
              f"{'t_first(med)':>12} {'distinct/min':>12}")
    print(header)
    for fmt in formats:
        for strategy in args.strategies.split(","):
            limit = args.time_limit or (10 if args.quick else (60 if fmt[:3] == (3, 3, 3) else 30))
            n_seeds, restarts = seeds, args.restarts
            if strategy.startswith("paper"):  # slow: a fixed number of restarts, fewer seeds
                limit = args.paper_time_limit or (60 if args.quick else 120)
                restarts = args.paper_restarts or (4 if args.quick else 16)
                n_seeds = args.paper_seeds or (1 if args.quick else 2)
            row = bench(fmt, strategy, n_seeds, limit, restarts, args.threads)
            rows.append(row)
            t = row["median_time_to_first_s"]
            print(f"{row['format']:>8} {row['rank']:>3} {strategy:>8} {row['restarts']:>8} "
                  f"{row['success_rate']:>8.1%} {t if isinstance(t, str) else f'{t:.2f} s':>12} "
                  f"{row['distinct_per_min']:>12.1f}", flush=True)
    write_csv(out, rows)
    print(f"saved {out} (threads={args.threads}; timings on a shared machine are pessimistic)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
