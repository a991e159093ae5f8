"""``discovery discover N M P --rank R``: search for exact ternary schemes (the SPN solver)."""

from __future__ import annotations

# Light imports only: the solver itself (torch) loads when the command runs.
from discovery.cli._common import check_out_dir, emit_json, exit_code, int_arg, seconds_arg
from discovery.search.solver import STRATEGIES, SolverConfig, SolverConfigError
from discovery.search.summary import Stop


def register(sub) -> None:
    p = sub.add_parser(
        "discover", help="learn exact ternary matrix multiplication schemes <N,M,P> with R products",
        description="Run many restarts of a solver strategy, verify every candidate exactly and "
                    "store the distinct verified schemes (default runs/discover/NxMxP/ under the "
                    "current folder, ignored by git). Running the same command again extends the "
                    "search. Exit 0 if a scheme was found, 1 if none, 2 on bad input, 130 on Ctrl-C "
                    "(the schemes found so far are kept).")
    # plain strings: every check happens in SolverConfig so bad input gives one line, exit 2
    p.add_argument("n", metavar="N")
    p.add_argument("m", metavar="M")
    p.add_argument("p", metavar="P")
    # checked in cmd_discover (not required=True) so that a missing rank is one line, exit 2
    p.add_argument("--rank", "-r", default=None, metavar="R",
                   help="number of multiplications (required)")
    p.add_argument("--restarts", default=None, metavar="K",
                   help="new restarts to run (default 64; with --time-limit alone: until the time is up)")
    p.add_argument("--time-limit", default=None, metavar="S",
                   help="a budget of S seconds: stop when it is spent (restarts continue until then "
                        "unless --restarts is given too)")
    p.add_argument("--seed", default="0", help="base seed; restart i is (seed, i) (default 0)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    p.add_argument("--strategy", default="als", help=f"one of {', '.join(STRATEGIES)} (default als)")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="output folder, created if needed (default runs/discover/NxMxP)")
    p.add_argument("--batch", default=None, help="restarts per tensor (default: by format)")
    p.add_argument("--threads", default=None, help="torch CPU threads (default 1)")
    p.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                   help="set one of the strategy's parameters (repeatable), e.g. --strategy sgd "
                        "--param steps=4000 --param rule=conservative")
    p.add_argument("--force", action="store_true", help="allow n*m*p > 10^4")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run batches of restarts on a Dask cluster (tcp://HOST:PORT)")
    p.add_argument("--workers", default=None, metavar="K",
                   help="run batches of restarts in K local processes (default: this process)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (the run's summary) on stdout; other lines go to stderr")
    p.set_defaults(func=cmd_discover)


def _int(name: str, text):
    return int_arg(name, text, error=SolverConfigError)


def cmd_discover(args) -> int:
    if args.rank is None:
        raise SolverConfigError("--rank R is required (the number of multiplications)")
    if args.out:
        check_out_dir(args.out)
    time_limit = seconds_arg("time-limit", args.time_limit, positive=False, error=SolverConfigError)
    # a time limit alone is a budget: restarts go on until it is spent
    restarts = _int("restarts", args.restarts) if args.restarts is not None else (
        None if time_limit is not None else 64)
    config = SolverConfig(
        n=_int("N", args.n), m=_int("M", args.m), p=_int("P", args.p), rank=_int("rank", args.rank),
        restarts=restarts, time_limit=time_limit,
        seed=_int("seed", args.seed), device=args.device, strategy=args.strategy, out=args.out,
        batch=_int("batch", args.batch), threads=_int("threads", args.threads), force=args.force)
    from discovery.search.solver import default_batch, fit_batch, params_from_strings, run_search

    params = params_from_strings(config, args.param)
    # fail before any work starts: too little memory for one restart, an unwritable folder
    fit_batch(config, config.batch or default_batch(config), config.torch_device())
    config.check_writable()
    executor = None
    if args.scheduler is not None or args.workers is not None:
        from discovery.search.executor import make_executor

        executor = make_executor(args.scheduler, _int("workers", args.workers))
    try:
        result = run_search(config, params=params, progress=not args.quiet, executor=executor)
    finally:
        if executor is not None:
            executor.close()
    summary = result.to_json()
    c = config
    limit = "" if c.time_limit is None else f" of {c.time_limit:g} s"
    lines = [
        f"<{c.n},{c.m},{c.p}> rank {c.rank}, strategy {c.strategy}, seed {c.seed}: "
        f"{result.restarts} restarts in {result.elapsed_s:.1f} s; stopped by "
        + result.stop.description + (limit if result.stop is Stop.TIME else ""),
        f"verified schemes: {result.distinct} distinct ({result.new} new), success rate "
        f"{result.success_rate:.1%}, first after "
        + (f"{result.time_to_first_s:.2f} s" if result.time_to_first_s is not None else "-"),
    ]
    if result.distinct == 0:
        lines.append(
            f"nothing found: best least-squares residual {summary['best_residual']}, fewest failing "
            f"Brent equations after rounding {result.best_errors}")
    else:
        best, path = result.best
        lines.append(f"best scheme: rank {best.rank}, {best.counts().additions} additions "
                     f"(plain evaluation): {path}")
    if result.rejected:
        lines.append(f"{result.rejected} candidate(s) passed the strategy's check but failed exact "
                     "verification and were not written")
    lines.append(f"output folder: {result.out}")
    print("\n".join(lines))
    if args.json:
        emit_json(summary)
    return exit_code(result.distinct > 0, result.stop)
