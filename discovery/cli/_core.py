"""Core commands: ``verify``, ``convert``, ``show``, ``known``."""

from __future__ import annotations

import sys

from discovery.cli._common import (
    check_out_file,
    declares_exact_ring,
    emit_json,
    input_files,
    key_listing,
    pick,
    reduced_in_file,
    refuse,
)
from discovery.core.formulas import to_formulas
from discovery.core.known import CATALOGUE, known
from discovery.core.scheme import RINGS, Scheme
from discovery.core.verify import valid_rings, verify, verify_sympy
from discovery.errors import DiscoveryError, RunRecordFile
from discovery.formats import EXTENSIONS, load_schemes, save_schemes


def register(sub) -> None:
    p = sub.add_parser("verify", help="verify every scheme in the given files or folders exactly",
                       description="Checks every scheme of every input (a folder: every scheme file under "
                                   "it; run records skipped). Exit 0 if none is wrong, 1 if one is not "
                                   "exact, 2 if an input is unreadable or malformed (the worst verdict "
                                   "of all inputs). A scheme valid only modulo 2 or 3 is not wrong "
                                   "unless --ring asks for another ring: the summary names the check "
                                   "to run for it.")
    p.add_argument("paths", nargs="+", metavar="PATH", help=f"scheme files ({', '.join(EXTENSIONS)}) or folders")
    p.add_argument("--ring", choices=RINGS, help="ring to check (default: as the file declares, "
                   "else the ring of the coefficients)")
    p.add_argument("--sympy", action="store_true", help="also expand every output with sympy and "
                   "check that both methods agree")
    p.add_argument("--json", action="store_true",
                   help="print one JSON document on stdout: every scheme's report and the summary")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("convert", help=f"convert scheme files ({', '.join(EXTENSIONS)}; the format from the "
                       "extension)", description="Exit 0 converted, 1 a scheme is not exact (nothing "
                       "written), 2 bad input.")
    p.add_argument("src", metavar="IN", help="a scheme file or a folder of them")
    p.add_argument("dst", metavar="OUT", help="the file to write (.npz for several schemes)")
    p.add_argument("--key", help="pick one scheme of a multi-scheme npz by its key, 3,3,3 or 3x3x3 (in a folder: a file name or a format)")
    p.add_argument("--allow-invalid", action="store_true", help="convert schemes that do not verify")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("show", help="print formulas and operation counts",
                       description="Exit 0 if every scheme shown is exact, 1 if one is not, 2 bad input.")
    p.add_argument("path", metavar="PATH", help="a scheme file or a folder of them")
    p.add_argument("--key", help="pick one scheme of a multi-scheme npz by its key, 3,3,3 or 3x3x3 (in a folder: a file name or a format)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("known", help="the catalogue of known algorithms")
    p.add_argument("name", nargs="?", help="print this algorithm (e.g. strassen, standard-2x3x4)")
    p.add_argument("-o", "--out", metavar="FILE", help=f"save it to this file ({', '.join(EXTENSIONS)})")
    p.set_defaults(func=cmd_known)


def _report_dict(label: str, s: Scheme, rep, extra_note: str, verdict: str) -> dict:
    n, m, p = s.format
    return {
        "path": label, "format": [n, m, p], "rank": s.rank, "ring": rep.ring, "ok": rep.ok,
        "verdict": verdict, "n_equations": rep.n_equations, "n_failures": len(rep.failures),
        "problem": rep.problem, "failures": [f.describe(n, m, p) for f in rep.failures[:20]], "note": extra_note,
    }


MODULAR = {("Z2",): "mod2", ("Z3",): "mod3"}


def cmd_verify(args) -> int:
    tally = {"exact": 0, "mod2": 0, "mod3": 0, "other": 0, "wrong": 0, "unreadable": 0, "skipped": 0}
    modular_files: dict[str, list[str]] = {"Z2": [], "Z3": []}  # files that declare Zp or hold Zp-only schemes
    reports, problems, records = [], [], []
    for given_path in args.paths:
        try:
            files = input_files(given_path)
        except DiscoveryError as exc:
            _unreadable(given_path, exc, tally, problems)
            continue
        for path in files:
            try:
                items = load_schemes(path)
            except RunRecordFile:
                # `discovery verify out/` meets the run records beside the schemes
                print(f"{path}: a run record, not a scheme; skipped")
                tally["skipped"] += 1
                records.append(str(path))
                continue
            except DiscoveryError as exc:
                _unreadable(path, exc, tally, problems)
                continue
            _verify_items(args, str(path), items, tally, modular_files, reports)
    worst = 2 if problems else 1 if tally["wrong"] else 0
    print(_verify_summary(tally, args.ring))
    notes = []
    for ring, files in modular_files.items():
        if files and args.ring != ring:
            what = f"1 file declares ring {ring} or holds" if len(files) == 1 else \
                f"{len(files)} files declare ring {ring} or hold"
            notes.append(f"note: {what} schemes valid only modulo {ring[1:]}; the check to run for "
                         f"them is `discovery verify --ring {ring} {' '.join(map(str, files))}`")
    if notes:
        print("\n".join(notes))
    if args.json:
        emit_json({"schemes": reports, "summary": tally, "ring": args.ring, "unreadable": problems,
                   "skipped": records, "notes": notes, "exit": worst})
    return worst


def _unreadable(path, exc, tally: dict, problems: list) -> None:
    print(f"discovery verify: error: {exc}", file=sys.stderr)
    tally["unreadable"] += 1
    problems.append({"path": str(path), "error": str(exc)})


def _verify_items(args, path: str, items, tally: dict, modular_files: dict, reports: list) -> None:
    """Verify the schemes of one file; count each verdict and keep its report."""
    declared = declares_exact_ring(path)
    strict = args.ring is not None or declared
    for label, s in items:
        rep = verify(s, args.ring)
        note = ""
        rings: tuple[str, ...] = ()
        if not rep.ok:
            rings = tuple(str(r) for r in valid_rings(s))
            if rings:
                note = f"valid over {', '.join(rings)} only"
        for ring, files in modular_files.items():
            if (s.ring == ring or rings == (ring,)) and path not in files and not declared:
                files.append(path)
        # without --ring, a scheme exact over another ring than it declares is not wrong (unless a
        # reduced file's program claims it exact: then the program is wrong)
        verdict = "exact" if rep.ok else "wrong" if strict or not rings else \
            MODULAR.get(rings, "other")
        if args.sympy:
            srep = verify_sympy(s)
            exact_q = verify(s, "Q")
            if srep.failures != exact_q.failures:
                note = (note + "; " if note else "") + "sympy and exact verification DISAGREE"
                rep = rep if not rep.ok else exact_q
                verdict = "wrong"
            else:
                note = (note + "; " if note else "") + "sympy agrees"
        tally[verdict] += 1
        reports.append(_report_dict(label, s, rep, note, verdict))
        print(f"{label}: {rep.summary()}" + (f" ({note})" if note else ""))


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
    check_out_file(args.dst, "OUT")
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
    if args.key is None and len(items) > 1:
        # the formulas of 93 schemes are tens of thousands of lines: list what there is instead
        print(f"{args.path} holds {len(items)} schemes; show one with --key KEY "
              "(an npz key such as 3,3,3 or 3x3x3; in a folder a file name or a format):")
        print("\n".join(key_listing(args.path, items)))
        return 0
    for q, (label, s) in enumerate(items):
        if q:
            print()
        print_scheme(s, label)
    reduced = reduced_in_file(args.path)
    if reduced is not None:
        print(f"# the file's reduced program: {reduced.reduced_additions} additions "
              f"(A side {reduced.a.additions}, B side {reduced.b.additions}, C side {reduced.c.additions}; "
              f"{len(reduced.intermediates())} shared sums)")
    return 0 if all(verify(s).ok for _, s in items) else 1


def cmd_known(args) -> int:
    if args.name is None:
        refuse(args, "without a NAME (the catalogue is printed)", ["out"], "give a NAME to save it")
        for k in CATALOGUE.values():
            n, m, p = k.format
            print(f"{k.name:16s} <{n},{m},{p}> rank {k.rank:3d}  {k.description}")
        return 0
    if args.out:
        check_out_file(args.out)
    s = known(args.name)
    if args.out:
        print(f"wrote {save_schemes([s], args.out)}")
    else:
        print_scheme(s, args.name)
    return 0
