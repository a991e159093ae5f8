"""How the walker count and the seed decide whether a flip-graph search reaches the best known rank.

For one format (default <4,4,4> over ZT, from the standard algorithm) it runs
``flip_search`` for every (walkers, seed) in ``--walkers`` x ``--seeds`` with the best known ZT
rank as target and the same time budget, and records the rank reached, the time to it and the
flips done. The walk depends on (seed, walkers) only, not on the machine: the same pair gives
the same walk flip for flip anywhere (only the seconds differ), so a run measured on a large
machine can be replayed on a laptop; ``flips_to_best`` says how much walking that takes.

    python benchmarks/flips_walkers.py --quick
    python benchmarks/flips_walkers.py --walkers 8 16 32 --seeds 0 1 2 --budget 90 \\
        --out results/benchmarks/flips_444_walkers.csv --figure results/figures/flips_444_walkers.png \\
        --schemes results/schemes/flips_444

Writes the CSV (default ``runs/benchmarks/flips_walkers.csv``), its config beside it
(``*_config.json``), the figure (rank against time, one curve per run) and, with
``--schemes DIR``, one verified scheme of the target rank per run that reached it
(``DIR/<n>x<m>x<p>-ZT-r<rank>-w<walkers>-s<seed>.json``). A row is written after every run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from discovery._io import atomic_write_text, save_figure, write_csv
from discovery.formats import save_scheme
from discovery.ranks.best_known import best_known
from discovery.search.flips import flip_search
from discovery.search.flips._plot import rank_curve_figure
from discovery.search.sweeps._config import SweepConfigError, parse_formats

DEFAULT_OUT = Path("runs") / "benchmarks" / "flips_walkers.csv"


def _format(text: str) -> tuple[int, int, int]:
    try:
        fmts = parse_formats(text)
    except SweepConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if len(fmts) != 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give one format NxMxP (e.g. 4x4x4)")
    return fmts[0]


def run(fmt, walkers: list[int], seeds: list[int], budget: float, target: int, out: Path,
        schemes: Path | None, max_flips: int | None = None) -> tuple[list[dict], list]:
    rows, results = [], []
    for w in walkers:
        for seed in seeds:
            res = flip_search(*fmt, walkers=w, seed=seed, time_limit=budget, target_rank=target,
                              max_flips=max_flips)
            rows.append(dict(
                format="x".join(map(str, fmt)), ring="ZT", start="standard", start_rank=res.start_rank,
                walkers=w, seed=seed, budget_s=budget, target=target, best_rank=res.best_rank,
                reached=res.best_rank <= target, time_to_best_s=round(res.time_to_best_s, 2),
                flips=res.flips, flips_to_best=res.flips if res.stop == "target" else None,
                flips_per_s=round(res.flips_per_s), seconds=round(res.elapsed_s, 1), stop=str(res.stop),
                cores=os.cpu_count(), load_1min=round(os.getloadavg()[0], 2),
                date=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")))
            results.append(res)
            print(f"walkers {w:3d} seed {seed}: rank {res.best_rank} after {res.time_to_best_s:.1f} s "
                  f"({res.flips / 1e6:.1f} M flips, {res.flips_per_s / 1e6:.2f} M/s, stop: {res.stop})",
                  flush=True)
            write_csv(out, rows)
            if schemes is not None and res.best_rank <= target:
                schemes.mkdir(parents=True, exist_ok=True)
                save_scheme(res.best, schemes / f"{rows[-1]['format']}-ZT-r{res.best_rank}-w{w}-s{seed}.json")
    return rows, results


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--format", type=_format, default=(4, 4, 4), help="NxMxP (default 4x4x4)")
    ap.add_argument("--walkers", type=int, nargs="+", default=[8, 16, 32])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--budget", type=float, default=90.0, help="seconds per run (default 90)")
    ap.add_argument("--target", type=int, default=None, help="target rank (default: best known ZT)")
    ap.add_argument("--quick", action="store_true", help="<3,3,3>, 2 and 4 walkers, seeds 0 1, 60 s or 1 M flips a walker "
                                                          "(the flip budget makes it reproducible)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--figure", type=Path, default=None, help="figure path (default: beside --out)")
    ap.add_argument("--schemes", type=Path, default=None, help="folder for the schemes that reach the target")
    a = ap.parse_args(argv)
    if a.quick:
        a.format, a.walkers, a.seeds, a.budget = (3, 3, 3), [2, 4], [0, 1], 60.0
    if a.budget <= 0 or min(a.walkers) < 1:
        ap.error("--budget and --walkers must be positive")
    entry = best_known(a.format)
    target = a.target if a.target is not None else (entry.ZT if entry else None)
    if target is None:
        ap.error(f"no best known rank for {a.format}: give --target")
    if a.out == DEFAULT_OUT:
        a.out.parent.mkdir(parents=True, exist_ok=True)  # the default folder is the script's own
    for path in (a.out, a.figure):
        if path is not None and not path.parent.is_dir():
            ap.error(f"folder {path.parent} does not exist; create it or choose another path")
    config = dict(format=a.format, walkers=a.walkers, seeds=a.seeds, budget_s=a.budget, target=target,
                  cores=os.cpu_count(), argv=sys.argv[1:] if argv is None else list(argv))
    atomic_write_text(a.out.with_name(a.out.stem + "_config.json"), json.dumps(config, indent=2) + "\n")
    rows, results = run(a.format, a.walkers, a.seeds, a.budget, target, a.out, a.schemes,
                        1_000_000 if a.quick else None)
    labels = [f"{r['walkers']} walkers, seed {r['seed']}" for r in rows]
    fig = rank_curve_figure(results, labels, best_known=target)
    figure = a.figure or a.out.with_suffix(".png")
    save_figure(fig, figure)
    hits = sum(r["reached"] for r in rows)
    print(f"{hits} of {len(rows)} runs reached rank {target} -> {a.out}, {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
