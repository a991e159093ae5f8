"""``discovery additions``: fewest additions over many schemes of one format and rank."""

from __future__ import annotations

import json
import os
from pathlib import Path

from discovery.cli._common import check_out_dir, emit_json, exit_code, int_arg, seconds_arg
from discovery.errors import DiscoveryError, VerificationError


def register(sub) -> None:
    p = sub.add_parser(
        "additions", help="search variants of a rank-R scheme <N,M,P> for the fewest additions",
        description="Starts from every verified scheme of <N,M,P> and rank R it finds (in --from, and "
                    "the known algorithms and their Kronecker products unless --no-known), makes "
                    "variants (plus transitions walked back down the flip graph, fixed-rank flip "
                    "walks, ternary sandwiches, the cheapest sandwich image over tables of coset "
                    "representatives), screens them with the quick heuristic and the closure search "
                    "and refines the promising ones with the randomized and the closure search. Keeps the best verified program "
                    "in --out (resumable: run again to go on). Exit 0 done (1 if --target was not "
                    "reached), 2 on bad input, 130 on Ctrl-C (the best so far is kept).")
    p.add_argument("n", metavar="N")
    p.add_argument("m", metavar="M")
    p.add_argument("p", metavar="P")
    p.add_argument("--rank", required=True, metavar="R", help="the rank of the schemes to search")
    p.add_argument("--from", dest="starts", nargs="+", default=None, metavar="PATH",
                   help="scheme files or folders to start from (default: results/schemes if present)")
    p.add_argument("--no-known", action="store_true",
                   help="do not add the known algorithms and their Kronecker products as starts (nor "
                        "the products' stage-wise programs in the alternative basis)")
    p.add_argument("--search", default="60", metavar="SECONDS", help="search budget (default 60)")
    p.add_argument("--workers", default=None, metavar="K", help="processes for the refinement (default: cores)")
    p.add_argument("--seed", default="0", help="seed (default 0)")
    p.add_argument("--plus", default="8", metavar="K", help="plus transitions per round (default 8)")
    p.add_argument("--walk", default="0", metavar="S", help="fixed-rank flip walk per round, seconds (default 0)")
    p.add_argument("--sandwiches", default="4", metavar="K", help="ternary sandwiches per round (default 4)")
    p.add_argument("--cse", default="closure", metavar="MODE",
                   help="closure (default: the closure search too, exact in the ternary model when it "
                        "succeeds) or random (the quick heuristic and the randomized search only)")
    p.add_argument("--target", default=None, metavar="A", help="exit 1 unless the best has at most A additions")
    p.add_argument("-o", "--out", default=None, metavar="DIR",
                   help="search folder (default runs/additions/NxMxP-rR under the current folder)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (the search's summary) on stdout; other lines go to stderr")
    p.set_defaults(func=cmd_additions)


def cmd_additions(args) -> int:
    from discovery.search.additions import AdditionsConfig, additions_search, known_programs

    n, m, p = (int_arg(k.upper(), getattr(args, k), 1) for k in ("n", "m", "p"))
    rank = int_arg("--rank", args.rank, 1)
    target = int_arg("--target", args.target, 0)
    config = AdditionsConfig(
        budget=seconds_arg("--search", args.search), workers=int_arg("--workers", args.workers, 1) or os.cpu_count() or 1,
        seed=int_arg("--seed", args.seed, 0), plus=int_arg("--plus", args.plus, 0),
        walk_seconds=seconds_arg("--walk", args.walk, positive=False), sandwiches=int_arg("--sandwiches", args.sandwiches, 0),
        cse=args.cse)
    out = check_out_dir(args.out if args.out else Path("runs") / "additions" / f"{n}x{m}x{p}-r{rank}")
    starts = find_starts((n, m, p), rank, args.starts, known=not args.no_known)  # a wrong program: exit 1
    programs = known_programs((n, m, p), rank) if not args.no_known else []
    res = additions_search(starts, config, out=out, progress=not args.quiet, programs=programs)
    b = res.best
    print(f"<{n},{m},{p}> rank {rank}: {b.reduced_additions} additions (A {b.a.additions}, B {b.b.additions}, "
          f"C {b.c.additions}; {b.naive_additions} plainly), best start {res.start_additions}; "
          f"{res.rounds} round(s), {res.seconds:.0f} s in {out}; program in {out / 'best_reduced.json'}")
    if args.json:
        emit_json(res.summary())
    return exit_code(target is None or b.reduced_additions <= target, res.stop)


def find_starts(fmt, rank: int, paths, known: bool = True) -> list:
    """Every verified scheme of format ``fmt`` and rank ``rank`` in ``paths`` (files or folders,
    searched recursively; default ``results/schemes`` if it exists), plus the known algorithms
    and the Kronecker products of two of them when ``known``. A reduced file whose program does
    not compute a valid scheme is an error (exit 1); so is finding nothing (exit 2)."""
    from discovery.core.verify import require_valid
    from discovery.formats import EXTENSIONS, load_schemes, read_reduced

    if paths is None:
        paths = ["results/schemes"] if Path("results/schemes").is_dir() else []
    out = []
    for given in paths:
        q = Path(given)
        if not q.exists():
            raise DiscoveryError(f"{given}: no such file or folder")
        files = sorted(f for f in q.rglob("*") if f.suffix.lower() in EXTENSIONS) if q.is_dir() else [q]
        for f in files:
            if _is_reduced(f):
                try:
                    s = read_reduced(f).scheme
                except VerificationError as exc:
                    raise WrongProgram(f"{f}: the file's program does not compute a matrix product ({exc})") from None
                items = [s]
            else:
                try:
                    items = [s for _, s in load_schemes(f)]
                except DiscoveryError:
                    if q.is_dir():
                        continue  # a folder holds run records and other files too
                    raise
            for s in items:
                if s.format == tuple(fmt) and s.rank == rank:
                    if s.ring == "Z2":
                        continue
                    out.append(require_valid(s))
    if known:
        from discovery.search.additions import known_starts

        out += known_starts(fmt, rank)
    if not out:
        where = ", ".join(map(str, paths)) or "(no --from and no results/schemes here)"
        raise DiscoveryError(f"no verified <{','.join(map(str, fmt))}> scheme of rank {rank} in {where}; "
                             "give one with --from PATH")
    return out


class WrongProgram(VerificationError):
    """A reduced file's program does not compute a matrix product (a negative answer: exit 1)."""


def _is_reduced(path: Path) -> bool:
    if path.suffix.lower() != ".json":
        return False
    try:
        d = json.loads(path.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(d, dict) and "u_fresh" in d
