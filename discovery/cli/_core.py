"""Core commands: ``verify``, ``convert``, ``show``, ``known``."""

from __future__ import annotations

import json
import sys

from discovery.cli._common import pick, reduced_in_file
from discovery.errors import DiscoveryError, RunRecordFile
from discovery.formats import EXTENSIONS, load_schemes, save_schemes
from discovery.core.formulas import to_formulas
from discovery.core.known import CATALOGUE, known
from discovery.core.scheme import RINGS, Scheme
from discovery.core.verify import valid_rings, verify, verify_sympy


def register(sub) -> None:
    p = sub.add_parser("verify", help="verify every scheme in the given files exactly",
                       description="Exit 0 if every scheme is exact over the ring, 1 if one is not, "
                                   "2 if a file is unreadable or malformed.")
    p.add_argument("paths", nargs="+", metavar="PATH", help=f"scheme files ({', '.join(EXTENSIONS)})")
    p.add_argument("--ring", choices=RINGS, help="ring to check (default: as the file declares, "
                   "else the ring of the coefficients)")
    p.add_argument("--sympy", action="store_true", help="also expand every output with sympy and "
                   "check that both methods agree")
    p.add_argument("--json", action="store_true", help="one JSON object per scheme")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("convert", help=f"convert scheme files ({', '.join(EXTENSIONS)}; the format from the "
                       "extension)")
    p.add_argument("src", metavar="IN")
    p.add_argument("dst", metavar="OUT")
    p.add_argument("--key", help="pick one scheme of a multi-scheme npz, e.g. '3,3,3'")
    p.add_argument("--allow-invalid", action="store_true", help="convert schemes that do not verify")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("show", help="print formulas and operation counts")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--key", help="pick one scheme of a multi-scheme npz, e.g. '3,3,3'")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("known", help="the catalogue of known algorithms")
    p.add_argument("name", nargs="?", help="print this algorithm (e.g. strassen, standard-2x3x4)")
    p.add_argument("-o", "--out", help=f"save it to a file ({', '.join(EXTENSIONS)})")
    p.set_defaults(func=cmd_known)


def _report_dict(label: str, s: Scheme, rep, extra_note: str) -> dict:
    n, m, p = s.format
    return {
        "path": label, "format": [n, m, p], "rank": s.rank, "ring": rep.ring, "ok": rep.ok,
        "n_equations": rep.n_equations, "n_failures": len(rep.failures), "problem": rep.problem,
        "failures": [f.describe(n, m, p) for f in rep.failures[:20]], "note": extra_note,
    }


def cmd_verify(args) -> int:
    worst = 0
    tally = {"exact": 0, "mod2": 0, "mod3": 0, "other": 0, "wrong": 0, "unreadable": 0, "skipped": 0}
    modular_files: dict[str, list[str]] = {"Z2": [], "Z3": []}  # files that declare Zp or hold Zp-only schemes
    for path in args.paths:
        try:
            items = load_schemes(path)
        except RunRecordFile as exc:
            # `discovery verify out/*.json` meets the solver's run records beside its schemes.
            print(f"{exc}; skipped")
            tally["skipped"] += 1
            continue
        except DiscoveryError as exc:
            print(f"error: {exc}", file=sys.stderr)
            worst = 2
            tally["unreadable"] += 1
            continue
        for label, s in items:
            rep = verify(s, args.ring)
            note = ""
            rings: tuple[str, ...] = ()
            if not rep.ok:
                rings = valid_rings(s)
                if rings:
                    note = f"valid over {', '.join(rings)} only"
            for ring, files in modular_files.items():
                if (s.ring == ring or rings == (ring,)) and path not in files:
                    files.append(path)
            if args.sympy:
                srep = verify_sympy(s)
                exact_q = verify(s, "Q")
                if srep.failures != exact_q.failures:
                    note = (note + "; " if note else "") + "sympy and exact verification DISAGREE"
                    rep = rep if not rep.ok else exact_q
                    worst = max(worst, 1)
                else:
                    note = (note + "; " if note else "") + "sympy agrees"
            tally["exact" if rep.ok else "mod2" if rings == ("Z2",) else "mod3" if rings == ("Z3",)
                  else "other" if rings else "wrong"] += 1
            if args.json:
                print(json.dumps(_report_dict(label, s, rep, note)))
            else:
                print(f"{label}: {rep.summary()}" + (f" ({note})" if note else ""))
            if not rep.ok:
                worst = max(worst, 1)
    # the summary goes to stderr with --json, so stdout stays one JSON object per scheme
    out = sys.stderr if args.json else sys.stdout
    print(_verify_summary(tally, args.ring), file=out)
    for ring, files in modular_files.items():
        if files and args.ring != ring:
            what = f"1 file declares ring {ring} or holds" if len(files) == 1 else \
                f"{len(files)} files declare ring {ring} or hold"
            print(f"note: {what} schemes valid only modulo {ring[1:]}; the check to run for "
                  f"them is `discovery verify --ring {ring} {' '.join(files)}`", file=out)
    return worst


def _verify_summary(tally: dict, ring: str | None) -> str:
    """One line: how many schemes are exact, valid only mod 2 (or 3), wrong; how many files unreadable."""
    total = tally["exact"] + tally["mod2"] + tally["mod3"] + tally["other"] + tally["wrong"]
    parts = [f"{tally['exact']} exact over {ring or 'the declared ring'}",
             f"{tally['mod2']} valid only mod 2"]
    if tally["mod3"]:
        parts.append(f"{tally['mod3']} valid only mod 3")
    if tally["other"]:
        parts.append(f"{tally['other']} valid over another ring only")
    parts += [f"{tally['wrong']} wrong", f"{tally['unreadable']} unreadable file(s)"]
    if tally["skipped"]:
        parts.append(f"{tally['skipped']} run record(s) skipped")
    return f"summary: {total} scheme(s): " + ", ".join(parts)


def cmd_convert(args) -> int:
    items = pick(args.src, args.key)
    for label, s in items:
        rep = verify(s)
        if not rep.ok and not args.allow_invalid:
            print(f"{label}: {rep.summary()}; not converted (use --allow-invalid to convert anyway)",
                  file=sys.stderr)
            return 1
    out = save_schemes([s for _, s in items], args.dst)
    print(f"wrote {len(items)} scheme(s) to {out}")
    return 0


def print_scheme(s: Scheme, label: str = "") -> None:
    """Formulas, counts and verification status of one scheme, for people."""
    rep = verify(s)
    mults, elems = to_formulas(s)
    c = s.counts()
    print(f"# {label or s.name}: {rep.summary()}")
    if s.provenance.source:
        print(f"# source: {s.provenance.source}" + (f", seed {s.provenance.seed}" if s.provenance.seed is not None else ""))
    print("\n".join(mults))
    print("\n".join(elems))
    print(f"# multiplications: {c.multiplications}, additions: {c.additions} "
          f"(A side {c.additions_a}, B side {c.additions_b}, C side {c.additions_c}), "
          f"scalings: {c.scalings}")


def cmd_show(args) -> int:
    items = pick(args.path, args.key)
    for q, (label, s) in enumerate(items):
        if q:
            print()
        print_scheme(s, label)
    reduced = reduced_in_file(args.path)
    if reduced is not None:
        print(f"# the file's reduced program: {reduced.reduced_additions} additions "
              f"(A side {reduced.a.additions}, B side {reduced.b.additions}, C side {reduced.c.additions}; "
              f"{len(reduced.intermediates())} shared sums)")
    return 0


def cmd_known(args) -> int:
    if args.name is None:
        for k in CATALOGUE.values():
            n, m, p = k.format
            print(f"{k.name:16s} <{n},{m},{p}> rank {k.rank:3d}  {k.description}")
        return 0
    s = known(args.name)
    if args.out:
        print(f"wrote {save_schemes([s], args.out)}")
    else:
        print_scheme(s, args.name)
    return 0
