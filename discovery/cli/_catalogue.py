"""``discovery catalogue``: every format of a family from its best start, walked for a fixed budget."""

from __future__ import annotations

import sys
from pathlib import Path

from discovery.cli._common import check_out_dir, emit_json, exit_code, int_arg, seconds_arg


def register(sub) -> None:
    p = sub.add_parser(
        "catalogue", help="every format of a family against the best known ranks: best start, a walk each",
        description="For every format 2 <= n <= m <= p of the family, smallest first: start from the best of "
                    "the standard algorithm, a scheme composed from --library and the results so far, and a "
                    "projection of a larger result; walk the flip graph for --budget seconds towards one below "
                    "the best known rank; then optionally one meta search over the family (--meta-time) and a "
                    "last composition pass. Writes DIR/catalogue.csv (one row per format), DIR/catalogue.png "
                    "(the gap per format) and the best scheme of each format under DIR/best/; --results ROOT "
                    "also copies them to ROOT/tables, ROOT/figures and ROOT/schemes/catalogue. Rerun the same "
                    "command to resume. Exit 0 when every format is done, 2 on bad input, 130 on Ctrl-C "
                    "(finished formats are kept).")
    p.add_argument("--formats", default=None, metavar="LIST", help="the family, e.g. 2x2x2,2x3x4,3x3x4")
    p.add_argument("--max-dim", default=None, metavar="D",
                   help="the family of all formats 2 <= n <= m <= p <= D (instead of --formats)")
    p.add_argument("--budget", default="30", metavar="S", help="seconds of walking per format (default 30)")
    p.add_argument("--meta-time", default="0", metavar="S",
                   help="seconds of one meta search over the family after the walks (default 0: none)")
    p.add_argument("--library", nargs="+", default=None, metavar="PATH",
                   help="scheme files or folders composed into starts (default: Strassen only)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="Dask scheduler, tcp://HOST:PORT (default: local processes)")
    p.add_argument("--workers", default=None, metavar="K", help="local processes (default: all cores)")
    p.add_argument("--seed", default="0", help="seed (default 0)")
    p.add_argument("--margin", default="10", metavar="R",
                   help="the meta search resets a walker more than R above the best known rank (default 10)")
    p.add_argument("-o", "--out", default=None, metavar="DIR", help="catalogue folder (default runs/catalogue)")
    p.add_argument("--results", default=None, metavar="ROOT",
                   help="also write tables/catalogue.csv, figures/catalogue.png and schemes/catalogue/ under ROOT")
    p.add_argument("--quiet", action="store_true", help="no line per format")
    p.add_argument("--json", action="store_true",
                   help="print exactly one JSON document on stdout (the summary; other lines go to stderr)")
    p.set_defaults(func=cmd_catalogue)


def cmd_catalogue(args) -> int:
    from discovery.search.catalogue import CatalogueConfig, CatalogueConfigError, catalogue, publish
    from discovery.search.meta import family_up_to
    from discovery.search.sweeps import parse_formats

    def num(flag, text, low):
        return int_arg(flag, text, low, CatalogueConfigError)

    if (args.formats is None) == (args.max_dim is None):
        raise CatalogueConfigError("give either --formats LIST or --max-dim D")
    formats = (parse_formats(args.formats) if args.formats is not None
               else family_up_to(num("--max-dim", args.max_dim, 2)))
    config = CatalogueConfig(
        formats=formats, budget=seconds_arg("--budget", args.budget, error=CatalogueConfigError),
        meta_time=seconds_arg("--meta-time", args.meta_time, positive=False, error=CatalogueConfigError),
        seed=num("--seed", args.seed, 0), library=tuple(args.library or ()), margin=num("--margin", args.margin, 0),
        scheduler=args.scheduler, workers=num("--workers", args.workers, 1))
    out = check_out_dir(Path(args.out) if args.out else Path("runs") / "catalogue", fix="give --out a folder")
    config.check_out(out)
    if args.results is not None:
        check_out_dir(args.results, "--results", fix="give --results a folder")
    if not args.quiet:
        print(f"catalogue of {len(config.formats)} format(s), {config.budget:g} s of walking each, meta "
              f"{config.meta_time:g} s; folder {out}", file=sys.stderr)
    res = catalogue(config, out, progress=not args.quiet)
    say = sys.stderr if args.json else sys.stdout
    for line in res.skipped:
        print(f"library: skipped {line}", file=sys.stderr)
    for r in res.rows:
        if r["record"]:
            print(f"<{r['format'].replace('x', ',')}>: rank {r['rank']} over {r['ring']} is BELOW the best known "
                  f"{r['best_known_' + r['ring']]}; check {out / r['file']} with `discovery verify --sympy`", file=say)
    print(f"{len(res.rows)} of {len(config.formats)} format(s) done on {res.executor}: {len(res.reached)} at the "
          f"best known rank over any ring, {len(res.records)} below it; {res.elapsed_s:.0f} s; table "
          f"{out / 'catalogue.csv'}, figure {out / 'catalogue.png'}", file=say)
    if args.results is not None and res.rows:
        written = publish(out, args.results)
        print(f"published {len(written)} file(s) under {args.results}", file=say)
    if args.json:
        emit_json(res)
    return exit_code(len(res.rows) == len(config.formats), res.stop)
