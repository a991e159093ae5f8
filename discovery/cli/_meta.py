"""``discovery meta``: walkers across a family of formats, flip-graph walks and meta moves."""

from __future__ import annotations

import sys

from discovery.cli._common import check_out_dir, emit_json, int_arg, seconds_arg


def register(sub) -> None:
    p = sub.add_parser(
        "meta", help="walk the meta flip graph: flip walks and project/extend/merge moves across formats",
        description="Many walkers over a family of formats: each walk phase is a short flip-graph search "
                    "on a walker's format, after which the walker may move to another format of the "
                    "family (project, extend, merge with a best scheme of a compatible format); a walker "
                    "far above its format's best known rank resets. Every format's best verified schemes "
                    "are kept in DIR/NxMxP/; rerun to resume from them. Exit 0 if a format's rank was "
                    "lowered, 1 if none, 2 on bad input, 130 on Ctrl-C.")
    p.add_argument("--formats", default=None, metavar="LIST", help="the family, e.g. 2x2x2,2x3x4,3x3x4")
    p.add_argument("--max-dim", default=None, metavar="D",
                   help="the family of all formats 2 <= n <= m <= p <= D (instead of --formats)")
    p.add_argument("--time-limit", default="60", metavar="S", help="seconds in all (default 60)")
    p.add_argument("--phases", default=None, metavar="P",
                   help="walk phases (default: until the time limit); with a seed, the same phases give "
                        "the same search")
    p.add_argument("--phase-flips", default="100000", metavar="F",
                   help="flips per walker and phase (default 100000)")
    p.add_argument("--walkers", default=None, metavar="K", help="meta walkers (default: one per format)")
    p.add_argument("--strategy", default="default", help="default, proj or ext (default: default)")
    p.add_argument("--probability", default="0.5", metavar="X",
                   help="chance of a meta move after a phase (default 0.5)")
    p.add_argument("--margin", default="10", metavar="R",
                   help="reset a walker more than R above its format's best known rank (default 10)")
    p.add_argument("--ring", default="ZT", help="ZT (coefficients in {-1,0,1}) or Z2 (default ZT)")
    p.add_argument("--start", default="standard",
                   help="first scheme of a format with none stored: standard or composed (default standard)")
    p.add_argument("--seed", default="0", help="seed (default 0)")
    p.add_argument("-o", "--out", default=None, metavar="DIR", help="output folder (default runs/meta)")
    p.add_argument("--quiet", action="store_true", help="no progress display")
    p.add_argument("--json", action="store_true",
                   help="print exactly one JSON document on stdout (the summary; other lines go to stderr)")
    p.set_defaults(func=cmd_meta)


def _number(flag: str, text, error) -> float:
    try:
        return float(text)
    except ValueError:
        raise error(f"{flag} must be a number, got {text!r}") from None


def cmd_meta(args) -> int:
    from pathlib import Path

    from discovery.search.meta import (
        MetaConfig,
        MetaConfigError,
        family_up_to,
        meta_search,
    )
    from discovery.search.summary import Stop
    from discovery.search.sweeps import parse_formats

    def num(flag, text, low):
        return int_arg(flag, text, low, MetaConfigError)

    if (args.formats is None) == (args.max_dim is None):
        raise MetaConfigError("give either --formats LIST or --max-dim D")
    formats = (parse_formats(args.formats) if args.formats is not None
               else family_up_to(num("--max-dim", args.max_dim, 2)))
    config = MetaConfig(
        formats=formats, walkers=num("--walkers", args.walkers, 1), phases=num("--phases", args.phases, 1),
        phase_flips=num("--phase-flips", args.phase_flips, 1),
        time_limit=seconds_arg("--time-limit", args.time_limit, error=MetaConfigError),
        probability=_number("--probability", args.probability, MetaConfigError), strategy=args.strategy.strip(),
        margin=num("--margin", args.margin, 0), ring=args.ring, seed=num("--seed", args.seed, 0),
        start=args.start.strip())
    out = Path(args.out) if args.out else Path("runs") / "meta"
    check_out_dir(out, fix="give --out a folder")
    say = sys.stderr if args.json else sys.stdout
    if not args.quiet:
        print(f"meta search over {len(config.formats)} format(s) with {config.n_walkers} walker(s), strategy "
              f"{config.strategy}, ring {config.ring}; folder {out}", file=sys.stderr)
    res = meta_search(config, out=out, progress=not args.quiet)
    for f in config.formats:
        known = res.best_known[f]
        tail = "" if known is None else f" (best known {config.ring if config.ring == 'ZT' else 'Q'} {known}" + \
            (", reached)" if f in res.reached else ")")
        print(f"<{','.join(map(str, f))}>: rank {res.start_ranks[f]} -> {res.best_ranks[f]}{tail}", file=say)
    moves = ", ".join(f"{k} {v}" for k, v in res.moves.items())
    print(f"{res.phases} phase(s), {res.walks} walk(s), {res.flips / 1e6:.2f} M flips, moves: {moves}; "
          f"{len(res.improved)} format(s) improved, {len(res.reached)} at the best known rank; "
          f"{res.elapsed_s:.1f} s, stopped by {res.stop.description}; {res.new} new scheme file(s) in "
          f"{out}/NxMxP/", file=say)
    if args.json:
        emit_json(res)
    if res.stop is Stop.INTERRUPTED:
        return 130
    return 0 if res.improved else 1
