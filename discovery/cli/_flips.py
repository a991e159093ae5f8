"""``discovery flip``: rank reduction on the flip graph."""

from __future__ import annotations

from pathlib import Path

from discovery.cli._common import emit_json, exit_code, int_arg, load_input, refuse, seconds_arg
from discovery.core.scheme import Ring
from discovery.errors import DiscoveryError

# options the fixed-rank exploration (--explore) does not use
NOT_FOR_EXPLORE = ["target_rank", "max_flips", "scheduler", "processes", "pool_size", "path_limit", "select",
                   "plus_after", "plus_max", "plus_margin", "split", "stale_limit",
                   "stale_climb", "copy_best"]


def register(sub) -> None:
    p = sub.add_parser(
        "flip", help="lower the rank of a scheme <N,M,P> by walks on the flip graph",
        description="Random walks on the flip graph (flips, reductions, plus transitions), compiled "
                    "with numba, one walker per core. Every scheme written is verified exactly. "
                    "Exit 0 if the target rank (or, without a target, any improvement) was reached, "
                    "1 if not, 2 on bad input, 130 on Ctrl-C (the schemes found so far are kept).")
    p.add_argument("n", metavar="N")
    p.add_argument("m", metavar="M")
    p.add_argument("p", metavar="P")
    p.add_argument("--from", dest="starts", nargs="+", default=None, metavar="PATH",
                   help="start from these scheme files or folders (default: the standard algorithm)")
    p.add_argument("--composed", action="store_true",
                   help="start from the best scheme composed (direct sums, Kronecker products, "
                        "restrictions) from Strassen and the --library schemes")
    p.add_argument("--library", nargs="+", default=(), metavar="PATH",
                   help="schemes of other formats for --composed (files or folders)")
    p.add_argument("--ring", default="ZT",
                   help="ZT (coefficients in {-1,0,1}), Z2 or Z3 (modulo 2 or 3; lift the result with "
                        "`discovery lift`) (default ZT)")
    p.add_argument("--target-rank", default=None, metavar="R", help="stop at this rank")
    p.add_argument("--time-limit", default="60", metavar="S", help="seconds (default 60)")
    p.add_argument("--walkers", default=None, metavar="K", help="parallel walkers (default: cores)")
    p.add_argument("--seed", default="0", help="seed (default 0)")
    p.add_argument("--max-flips", default=None, metavar="F", help="flips per walker at most")
    p.add_argument("--pool-size", default=None, metavar="K",
                   help="distinct schemes kept per rank (default 64)")
    p.add_argument("--path-limit", default=None, metavar="F",
                   help="flips without a reduction before a walk restarts from the pool (default 1000000; 0: never)")
    p.add_argument("--stale-limit", default=None, metavar="F",
                   help="flips without a new low before a walker restarts from the pool (default 0: never)")
    p.add_argument("--stale-climb", default=None, metavar="K",
                   help="a stale walker restarts K levels above the pool's rank (capped at the start: a fresh "
                        "descent; default 0: the pool's rank)")
    p.add_argument("--copy-best", default=None, metavar="P",
                   help="when the best rank drops, each other walker restarts from it with probability P and "
                        "the rest go on, expanding below their own lowest rank + --plus-margin (default: all "
                        "walkers more than --plus-margin above the new best restart)")
    p.add_argument("--select", default=None, metavar="HOW",
                   help="how a restart picks its pool member: uniform or flips (default uniform)")
    p.add_argument("--plus-after", default=None, metavar="F",
                   help="expand (plus or split transition) after a number of flips without a reduction drawn "
                        "from [F, --plus-max] anew each time (default 5000)")
    p.add_argument("--plus-max", default=None, metavar="F",
                   help="the top of that period (default 100000); 0: the draw mode instead, an expansion "
                        "after --plus-after draws of a factor position (0: never)")
    p.add_argument("--plus-margin", default=None, metavar="K",
                   help="expansions only below the pool's rank + K (default 4)")
    p.add_argument("--split", default=None, metavar="PCT",
                   help="percent of expansions that are split transitions instead of plus transitions "
                        "(default 50)")
    p.add_argument("--wrap", default=None, metavar="PCT",
                   help="over Z3, percent of flips allowed to wrap an entry (1 + 1 = -1); the others stay "
                        "ternary as integers (default 100; 0 descends much further, but finds no rational-only "
                        "schemes)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run independent walks on a Dask cluster (tcp://HOST:PORT)")
    p.add_argument("--workers", dest="processes", default=None, metavar="K",
                   help="run independent walks in K local processes")
    p.add_argument("--explore", action="store_true",
                   help="keep the rank: collect distinct schemes and minimise additions over them")
    p.add_argument("--symmetry", default="none", metavar="GROUP",
                   help="cyclic: walk cyclic-invariant schemes of <N,N,N> by their orbits, many short runs "
                        "(Moosbauer & Poole); full: the same under cyclic × transpose (order 6); none (default)")
    p.add_argument("--cubes", default=None, metavar="K",
                   help="with --symmetry: start from the standard algorithm with its diagonal in K cubes "
                        "(rank ≡ K mod 3; default N, the standard algorithm)")
    p.add_argument("--runs", default=None, metavar="K", help="with --symmetry: runs at most")
    p.add_argument("--run-flips", default=None, metavar="F",
                   help="with --symmetry: a run's length in orbit flips (default 1000000)")
    p.add_argument("--lift", action="store_true",
                   help="with --symmetry and --ring Z2: lift the best schemes to an exact one at the end")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="output folder (default runs/flips/NxMxP-RING under the current folder; "
                        "NxNxN-RING-GROUP with --symmetry)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (the run's summary) on stdout; other lines go to stderr")
    p.set_defaults(func=cmd_flip)


def cmd_flip(args) -> int:
    from discovery.search.flips import FlipConfig, composed_start, default_out, flip_search, load_starts

    n, m, p = (int_arg(k.upper(), getattr(args, k), 1) for k in ("n", "m", "p"))
    from discovery.cli._sym_flip import check_symmetry, cmd_symmetric

    if check_symmetry(args, n, m, p) is not None:
        return cmd_symmetric(args, n)
    ring = Ring.parse(args.ring).value
    target = int_arg("--target-rank", args.target_rank, 1)
    walkers = int_arg("--walkers", args.walkers, 1)
    seed = int_arg("--seed", args.seed, 0)
    max_flips = int_arg("--max-flips", args.max_flips, 1)
    limit = seconds_arg("--time-limit", args.time_limit)
    options = {}
    if args.pool_size is not None:
        options["pool_size"] = int_arg("--pool-size", args.pool_size, 1)
    if args.path_limit is not None:
        options["path_limit"] = int_arg("--path-limit", args.path_limit, 0)
    if args.select is not None:
        options["select"] = args.select
    if args.copy_best is not None:
        try:
            options["copy_best"] = float(args.copy_best)
        except ValueError:
            raise DiscoveryError(f"--copy-best {args.copy_best!r} is not a number; give a probability in [0, 1]") from None
    for flag in ("plus_after", "plus_max", "plus_margin", "split", "wrap", "stale_limit", "stale_climb"):
        if getattr(args, flag) is not None:
            options[flag] = int_arg("--" + flag.replace("_", "-"), getattr(args, flag), 0)
    if args.explore:
        refuse(args, "with --explore", NOT_FOR_EXPLORE, "the exploration keeps the rank, in this process")
    if not args.composed:
        refuse(args, "without --composed", ["library"], "it lists the schemes --composed builds from")
    # the format, the ring and the numbers, checked before any scheme is read
    FlipConfig(n, m, p, ring=ring, target_rank=target, time_limit=limit, walkers=walkers or 0, seed=seed,
               max_flips=max_flips, **options)
    out = Path(args.out) if args.out else default_out(n, m, p, ring)
    if args.starts and args.composed:
        raise DiscoveryError("give either --from or --composed, not both")
    start = None
    if args.composed:
        library = []
        for path in args.library:
            library += _library(path)
        start = composed_start((n, m, p), library, ring)
    elif args.starts:
        start = load_starts(args.starts, (n, m, p), ring)
    if args.explore:
        return _explore(args, start, (n, m, p), ring, limit, walkers, seed, out)
    executor = None
    if args.scheduler is not None or args.processes is not None:
        from discovery.search.executor import make_executor

        if walkers is not None or max_flips is not None:
            raise DiscoveryError("--walkers and --max-flips are for one machine; with --scheduler or "
                                 "--workers every task walks with one walker for a slice of the time")
        executor = make_executor(args.scheduler, int_arg("--workers", args.processes, 1))
    try:
        res = flip_search(n, m, p, start=start, ring=ring, target_rank=target, time_limit=limit,
                          walkers=walkers or 0, seed=seed, max_flips=max_flips, out=out,
                          progress=not args.quiet, executor=executor, **options)
    finally:
        if executor is not None:
            executor.close()
    reached = res.best_rank <= target if target is not None else res.improved
    where = "threads" if executor is None else res.executor
    print(f"<{n},{m},{p}> over {ring}: rank {res.start_rank} -> {res.best_rank} in "
          f"{res.time_to_best_s:.2f} s ({res.flips / 1e6:.1f} M flips of {res.attempts / 1e6:.1f} M attempts, "
          f"{res.flips_per_s / 1e6:.2f} M flips/s, {res.config.n_walkers} walkers on {where}, {res.walks} walks; "
          f"stopped by {res.stop.description}); {res.new} new verified scheme(s), "
          f"{_held(out, (n, m, p), ring)} in {out}")
    if args.json:
        emit_json(res.to_json())
    return exit_code(reached, res.stop)


def _held(out, fmt, ring) -> str:
    from discovery.search.store import SchemeStore

    return f"{len(SchemeStore(out, fmt, ring))} held"


def _library(path: str):
    """Every scheme of a file or folder (run records skipped; an unreadable file is an error)."""
    return [s for _, s in load_input(path)[0]]


def _explore(args, start, fmt, ring, limit, walkers, seed, out) -> int:
    from discovery.core.known import standard
    from discovery.search.flips import explore

    if start is None:
        start = standard(*fmt)
    if isinstance(start, list):
        start = min(start, key=lambda s: s.rank)
    res = explore(start, ring=ring, time_limit=limit, walkers=walkers or 0, seed=seed, out=out,
                  progress=not args.quiet)
    print(f"{start.name}: additions {res.start_additions} -> {res.best_additions} "
          f"({res.distinct} distinct schemes, {res.simplified} simplified); best in {res.out}")
    if args.json:
        emit_json(res.to_json())
    return 0 if res.best_additions < res.start_additions else 1
