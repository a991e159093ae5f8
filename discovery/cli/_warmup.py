"""``discovery warmup``: compile every numba kernel once, so later runs start at once."""

from __future__ import annotations

from discovery.cli._common import emit_json
from discovery.errors import DiscoveryError


def register(sub) -> None:
    p = sub.add_parser(
        "warmup", help="compile every numba kernel now (the first flip, lift or simplify would)",
        description="Compiles the package's numba kernels (or loads them from numba's disk cache) "
                    "with tiny real workloads, then reads numba's cache index back for every kernel. "
                    "Exit 0 if every kernel is in the disk cache, 1 if some are not (the line names "
                    "them; numba needs a writable cache folder: set NUMBA_CACHE_DIR), 2 on bad input.")
    p.add_argument("--only", default=None, metavar="GROUPS",
                   help="comma-separated groups: flip, CSE, lift (default all)")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document (every group's report) on stdout; other lines go to stderr")
    p.set_defaults(func=cmd_warmup)


def cmd_warmup(args) -> int:
    from discovery.search.warmup import group_names, warm_up

    names = group_names()
    groups = None
    if args.only is not None:
        by_lower = {g.lower(): g for g in names}
        given_ = [g.strip() for g in args.only.split(",") if g.strip()]
        unknown = [g for g in given_ if g.lower() not in by_lower]
        groups = [by_lower[g.lower()] for g in given_ if g.lower() in by_lower]
        if unknown or not given_:
            raise DiscoveryError(f"--only {args.only!r}: unknown group(s) {', '.join(unknown) or '(none given)'}; "
                                 f"use some of {', '.join(names)}")
    report = warm_up(groups, announce=True)
    for g in report:
        print(g.describe())
    ok = all(g.ok for g in report)
    if not ok:
        print("some kernels are not in numba's disk cache: every run will compile them again; "
              "give numba a writable folder with NUMBA_CACHE_DIR")
    if args.json:
        emit_json({"groups": [dict(vars(g), ok=g.ok) for g in report], "exit": 0 if ok else 1})
    return 0 if ok else 1
