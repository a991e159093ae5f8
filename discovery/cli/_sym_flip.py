"""``discovery flip N N N --symmetry cyclic|full``: the symmetric flip walk (many short runs on orbits)."""

from __future__ import annotations

from pathlib import Path

from discovery.cli._common import emit_json, exit_code, int_arg, refuse, seconds_arg
from discovery.core.scheme import Ring
from discovery.errors import DiscoveryError

# options of the unrestricted walk that the symmetric one does not use
NOT_FOR_SYMMETRIC = ["composed", "library", "max_flips", "pool_size", "path_limit", "select", "explore",
                     "plus_after", "plus_max", "plus_margin", "split", "wrap", "stale_limit", "stale_climb",
                     "copy_best"]
# options only the symmetric walk uses
ONLY_SYMMETRIC = ["cubes", "runs", "run_flips", "lift"]


def check_symmetry(args, n: int, m: int, p: int) -> str | None:
    """The group asked for (None: ``--symmetry none``), checked: cyclic or full, square formats only."""
    group = args.symmetry
    if group == "none":
        refuse(args, "without --symmetry cyclic", ONLY_SYMMETRIC, "these options set up the symmetric walk")
        return None
    if group not in ("cyclic", "full"):
        raise DiscoveryError(f"unknown --symmetry {group!r}; use none, cyclic or full (cyclic × transpose)")
    if not n == m == p:
        raise DiscoveryError(f"--symmetry {group} is for square formats <n,n,n>; <{n},{m},{p}> is not square")
    refuse(args, "with --symmetry", NOT_FOR_SYMMETRIC, "the symmetric walk restarts every run from its start")
    return group


def cmd_symmetric(args, n: int) -> int:
    """Run :func:`~discovery.search.flips.symmetric_search` for the flip command's arguments."""
    from discovery.search.flips import SymmetricConfig, symmetric_search

    ring = Ring.parse(args.ring).value
    target = int_arg("--target-rank", args.target_rank, 1)
    walkers = int_arg("--walkers", args.walkers, 1)
    seed = int_arg("--seed", args.seed, 0)
    limit = seconds_arg("--time-limit", args.time_limit)
    options = {"cubes": int_arg("--cubes", args.cubes, 1), "runs": int_arg("--runs", args.runs, 1),
               "lift": bool(args.lift)}
    if args.run_flips is not None:
        options["run_flips"] = int_arg("--run-flips", args.run_flips, 1)
    group = args.symmetry
    SymmetricConfig(n, ring=ring, group=group, target_rank=target, time_limit=limit, walkers=walkers or 0, seed=seed, **options)
    if args.starts is not None:
        if options["cubes"] is not None:
            raise DiscoveryError("give either --from or --cubes (the cube start), not both")
        if len(args.starts) != 1:
            raise DiscoveryError(f"--symmetry {group} starts from one scheme file; give one --from PATH")
    start = args.starts[0] if args.starts else None
    out = Path(args.out) if args.out else Path("runs") / "flips" / f"{n}x{n}x{n}-{ring}-{group}"
    executor = None
    if args.scheduler is not None or args.processes is not None:
        from discovery.search.executor import make_executor

        executor = make_executor(args.scheduler, int_arg("--workers", args.processes, 1))
    try:
        res = symmetric_search(n, start=start, ring=ring, group=group, target_rank=target, time_limit=limit, walkers=walkers or 0,
                               seed=seed, out=out, executor=executor, progress=not args.quiet, **options)
    finally:
        if executor is not None:
            executor.close()
    reached = res.best_rank <= target if target is not None else res.best_rank < res.start_rank
    ranks = ", ".join(f"{r}: {c}" for r, c in res.rank_counts.items())
    lifted = f"; lifted to {res.lifted_ring}" if res.lifted is not None else (
        "; the lift found no exact scheme" if options["lift"] and res.best_rank < res.start_rank else "")
    print(f"<{n},{n},{n}> {group} over {ring}: rank {res.start_rank} -> {res.best_rank} in {res.time_to_best_s:.2f} s "
          f"({res.runs} runs [{ranks}], {res.flips / 1e6:.1f} M orbit flips, stopped by {res.stop.description}){lifted}; "
          f"{res.new} new verified scheme(s) in {out}")
    if args.json:
        emit_json(res.to_json())
    return exit_code(reached, res.stop)
