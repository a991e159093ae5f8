"""``discovery sweep``: formats × ranks against the best known; ``discovery sweep-report DIR``."""

from __future__ import annotations

import sys
import time

from discovery.cli._common import emit_json, exit_code, int_arg, seconds_arg
from discovery.search.summary import Stop
from discovery.search.sweeps import STRATEGIES, SweepConfig, SweepConfigError


def register(sub) -> None:
    p = sub.add_parser(
        "sweep", help="search many formats and ranks against the best known ranks",
        description="For each format try ranks (auto: from the best known rank plus a margin or the "
                    "composed bound, down until a cell finds nothing) with a fixed budget per cell; "
                    "keep every verified scheme, a tidy cells.csv, best.json per format, and the "
                    "comparison with the best known ranks. Rerun the same command to resume. "
                    "Exit 0 if a scheme was found, 1 if none, 2 on bad input, 130 on Ctrl-C (finished "
                    "cells are kept; rerun to resume).")
    p.add_argument("--formats", default=None, metavar="LIST", help="e.g. 2x2x2,2x3x4,3x3x3")
    p.add_argument("--max-dim", default=None, metavar="D",
                   help="all formats 2 <= n <= m <= p <= D (instead of --formats)")
    p.add_argument("--ranks", default="auto", metavar="auto|LO:HI", help="ranks to try (default auto)")
    p.add_argument("--strategy", default="als", help=f"one of {', '.join(STRATEGIES)} (default als)")
    p.add_argument("--budget", default="60", metavar="S", help="seconds per (format, rank) cell (default 60)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler, tcp://HOST:PORT (default: local processes)")
    p.add_argument("--workers", default=None, metavar="K", help="local processes (default: all cores)")
    p.add_argument("--seed", default="0", help="base seed (default 0)")
    p.add_argument("--margin", default="1", help="auto starts this many ranks above the best known (default 1)")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="sweep folder (default runs/sweep-<strategy>-<hash>)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (the sweep's summary) on stdout; other lines go to stderr")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("sweep-report", help="compare a sweep folder with the best known ranks",
                       description="Write DIR/comparison.csv and DIR/comparison.png and state the gap "
                                   "per format. Exit 0, or 2 if DIR holds no sweep.")
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print the rows as one JSON document on stdout")
    p.set_defaults(func=cmd_report)


def _int(name: str, text, low: int = 0):
    return int_arg(f"--{name}", text, low, SweepConfigError)


def cmd_sweep(args) -> int:
    t0 = time.monotonic()
    from discovery.search.sweeps import formats_up_to, parse_formats, parse_ranks

    if (args.formats is None) == (args.max_dim is None):
        raise SweepConfigError("give either --formats LIST or --max-dim D")
    formats = parse_formats(args.formats) if args.formats is not None else formats_up_to(_int("max-dim", args.max_dim))
    config = SweepConfig(formats=formats, ranks=parse_ranks(args.ranks), strategy=args.strategy,
                         budget=seconds_arg("--budget", args.budget, error=SweepConfigError), seed=_int("seed", args.seed), out=args.out,
                         margin=_int("margin", args.margin), scheduler=args.scheduler,
                         workers=_int("workers", args.workers, 1))
    config.prepare_out(create=False)  # before connecting or computing anything
    from discovery.search.executor import make_executor
    from discovery.search.sweeps import gap_lines, sweep_with, write_report

    executor = make_executor(config.scheduler, config.workers)
    try:
        if not args.quiet:
            print(f"sweep of {len(config.formats)} format(s), strategy {config.strategy}, "
                  f"{config.budget:g} s per cell, on {executor.describe()}; folder {config.out_dir}",
                  file=sys.stderr)
        result = sweep_with(config, executor, progress=not args.quiet)
    finally:
        executor.close()
    rows, csv_path, png_path = write_report(result.out)
    print("\n".join(gap_lines(rows)))
    print(f"cells: {len(result.cells)} ({result.out / 'cells.csv'}); comparison: {csv_path}, {png_path}"
          + (" (interrupted: rerun to resume)" if result.stop is Stop.INTERRUPTED else ""))
    print(result.budget_line(_process_age(time.monotonic() - t0)))
    if args.json:
        emit_json(result)
    return exit_code(bool(result.best), result.stop)


def _process_age(fallback: float) -> float:
    """Seconds since this process started (the interpreter's start-up and the imports included),
    from /proc on Linux; ``fallback`` elsewhere, or in a process that runs more than this command."""
    import os

    try:
        with open("/proc/self/stat") as f:
            ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        age = uptime - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return fallback
    return age if fallback <= age < fallback + 30 else fallback


def cmd_report(args) -> int:
    from discovery.search.sweeps import gap_lines, write_report

    rows, csv_path, png_path = write_report(args.dir)
    cols = ["n", "m", "p", "found_rank", "fewest_additions", "best_known_ZT", "best_known_Q",
            "lower_bound", "gap_ZT", "strategy", "time_to_found_s"]
    print("  ".join(f"{c:>16s}" for c in cols))
    for r in rows:
        print("  ".join(f"{'-' if r[c] is None else r[c]!s:>16s}" for c in cols))
    print("\n".join(gap_lines(rows)))
    print(f"written: {csv_path}, {png_path}")
    if args.json:
        emit_json(rows)
    return 0
