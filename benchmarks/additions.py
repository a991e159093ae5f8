"""The fewest additions found here against the published reduced counts, per format: table and figure.

For each format of the list below it takes the rank of the published count, collects the
verified schemes of that format and rank that this project holds (``results/schemes``, and with
``--known`` the known algorithms and their Kronecker products, e.g. Winograd ⊗ Winograd), runs
:func:`discovery.search.additions.additions_search` for the format's budget in a resumable folder
under ``--runs`` (a second invocation continues it), and writes

* ``results/tables/additions.csv``: format, rank, additions here (and by side), the published
  count, the gap, the method, the seconds to the best and in all, the source of the starts;
* ``results/figures/additions.png``: here against published, per format;
* the best program per format in the collection's reduced layout,
  ``results/schemes/additions/NxMxP_m<r>_cr<additions>_cn<plain>_<ring>_reduced.json``
  (``discovery.read_reduced`` reads it back; the file's program is verified before it is written);
* the <2,2,2> row in an alternative basis (Karstadt & Schwartz; core and basis changes apart).

Formats of which the project has no scheme at the published rank get a row saying so, with the
lowest rank it has. ``--solver S`` first runs the project's solver (ALS restarts,
:func:`discovery.search.solver.discover`) for S seconds into ``$R/NxMxP-r<rank>/solver`` and adds
its schemes to the starts (its seconds count in the table). Starts never come from
``results/schemes/catalogue`` (it keeps the best scheme of any source, the collection's published
<3,3,3> layout among them). Run the long searches alone (``flock -x /work/cpu.lock``), e.g.

    R=/work/runs/additions/table     # search folders (resumable), outside git
    python benchmarks/additions.py --runs $R --budget 60 --only 2x2x3,2x2x4,2x3x3,3x3x4,3x4x4
    python benchmarks/additions.py --runs $R --budget 600 --solver 900 --seed 3000 --only 3x3x3
    python benchmarks/additions.py --runs $R --budget 600 --only 3x4x5
    python benchmarks/additions.py --runs $R --budget 120 --known --only 3x5x5,4x4x4,4x5x5,5x5x5,6x6x6
    python benchmarks/additions.py --runs $R --table-only                   # table and figure from the runs

Round 2 (issue 18; a new runs folder, the other rows kept): <3,3,3> from the project's solver
schemes, <5,5,5> from the symmetric walk's ternary rank-93 scheme with fixed-rank flip walks
(``--walk``, seconds of :func:`discovery.search.flips.explore` per round), one core each:

    R2=/work/runs/additions/round2
    taskset -c 1 python benchmarks/additions.py --runs $R2 --budget 300 --solver 900 --seed 3000 --only 3x3x3
    taskset -c 1 python benchmarks/additions.py --runs $R2 --budget 900 --walk 20 --only 5x5x5

A format with no folder under ``--runs`` keeps its row of the committed table (its reduced file
is read back and verified again; its search's settings stay in the config), so a new runs folder
needs only the formats searched again.

Formats the project has no scheme of at the published rank start from the shared data's
(``$DISCOVERY_SHARED_DATA``, default ``../shared/data``), named in the ``source`` column. Every
invocation is logged (arguments, machine, load average at start and end) in ``$R/invocations.json``
and copied with each search's configuration to ``results/tables/additions_config.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# (format, rank, published additions): the flip-graph collection's reduced counts (issue 18)
PUBLISHED = [((2, 2, 2), 7, 15), ((2, 2, 3), 11, 20), ((2, 2, 4), 14, 31), ((2, 3, 3), 15, 46),
             ((3, 3, 3), 23, 58), ((3, 3, 4), 29, 92), ((3, 4, 4), 38, 133), ((3, 4, 5), 47, 161),
             ((3, 5, 5), 58, 221), ((4, 4, 4), 49, 159), ((4, 4, 5), 61, 233), ((4, 5, 5), 76, 299),
             ((5, 5, 5), 93, 383), ((6, 6, 6), 153, 655)]
SOURCES = {(3, 3, 3): "Perminov, arXiv 2512.21980 (Sun, arXiv 2604.27645: 56)",
           (4, 4, 4): "arXiv 2512.13365 (Winograd twice: 165)"}


def fmt_name(fmt) -> str:
    return "x".join(map(str, fmt))


def project_schemes(fmt, roots):
    """(rank -> [(file, verified scheme)]) of format ``fmt`` under ``roots`` (folders)."""
    from discovery.core.verify import verify
    from discovery.errors import DiscoveryError
    from discovery.formats import EXTENSIONS, load_schemes

    by_rank: dict[int, list] = {}
    for root in roots:
        for f in sorted(p for p in Path(root).rglob("*") if p.suffix.lower() in EXTENSIONS):
            if "additions" in f.parts or "catalogue" in f.parts:
                continue  # our own outputs are not starts; the catalogue keeps the shared data's best too
            try:
                items = load_schemes(f)
            except DiscoveryError:
                continue
            for _, s in items:
                if s.format == tuple(fmt) and s.ring != "Z2" and s.is_integral and verify(s).ok:
                    by_rank.setdefault(s.rank, []).append((f, s))
    return by_rank


SHARED = Path(os.environ.get("DISCOVERY_SHARED_DATA", ROOT.parent / "shared" / "data"))


def starts_for(fmt, rank, known: bool):
    """(starts, source, programs): the project's verified schemes of ``fmt`` and ``rank``
    (``results/schemes``; with ``known`` also the known algorithms, their Kronecker products and
    the products' stage-wise programs), else those of ``../shared/data`` as starting schemes."""
    from discovery.search.additions import known_programs, known_starts

    starts = [s for _, s in project_schemes(fmt, [ROOT / "results" / "schemes"]).get(rank, [])]
    source = f"project: {len(starts)} scheme(s) of results/schemes" if starts else ""
    programs = []
    if known:
        extra = known_starts(fmt, rank)
        programs = known_programs(fmt, rank)
        if extra:
            starts += extra
            source += (" + " if source else "") + "known algorithms and their Kronecker products"
    if not starts:
        found = project_schemes(fmt, [SHARED]).get(rank, [])
        if found:
            starts = [s for _, s in found]
            files = sorted({str(f.relative_to(SHARED)) for f, _ in found})
            source = f"shared data ({len(starts)} starting scheme(s)): " + ", ".join(files)
    return starts, source, programs


def solver_starts(fmt, rank, seconds, seed, out):
    """Verified ternary schemes of ``fmt`` and ``rank`` from the project's solver (ALS restarts,
    :func:`discovery.search.solver.discover`) run for ``seconds`` into ``out`` (resumable: a second
    run adds restarts), and the solver's seconds in that folder so far; all its schemes are returned."""
    from discovery._io import atomic_write_text
    from discovery.formats import load_schemes
    from discovery.search.solver import discover

    record = Path(out) / "solver_seconds.json"
    spent = json.loads(record.read_text())["seconds"] if record.exists() else 0.0
    if seconds > 0:
        t0 = time.perf_counter()
        discover(*fmt, rank, restarts=None, time_limit=seconds, seed=seed, device="cpu", out=str(out))
        spent += time.perf_counter() - t0
        atomic_write_text(record, json.dumps({"seconds": round(spent, 1)}) + "\n")
    found = []
    for f in sorted(Path(out).glob(f"r{rank}-*.json")) if Path(out).is_dir() else []:
        found += [s for _, s in load_schemes(f) if s.format == tuple(fmt) and s.rank == rank and s.is_ternary]
    return found, spent


def run_format(fmt, rank, budget, seed, workers, runs_dir, known: bool, solver: float = 0.0, walk: float = 0.0):
    from discovery.search.additions import AdditionsConfig, additions_search

    t0 = time.perf_counter()
    starts, source, programs = starts_for(fmt, rank, known)
    programs_seconds = round(time.perf_counter() - t0, 2)
    out = Path(runs_dir) / f"{fmt_name(fmt)}-r{rank}"
    solver_seconds = 0.0
    if solver > 0 or (out / "solver").is_dir():
        found, solver_seconds = solver_starts(fmt, rank, solver, seed, out / "solver")
        if found:
            starts = ([] if source.startswith("shared") else starts) + found
            source = ("" if source.startswith("shared") else source + " + ") + \
                f"{len(found)} scheme(s) of the solver (ALS restarts, {out.name}/solver)"
    if not starts:
        return None
    res = additions_search(starts, AdditionsConfig(budget=budget, workers=workers, seed=seed, walk_seconds=walk), out=out,
                           programs=programs)
    cfg = json.loads((out / "config.json").read_text())
    cfg["source"] = source
    if solver_seconds:
        cfg["solver_seconds"] = round(solver_seconds, 1)
    if programs:
        cfg["programs"] = f"{len(programs)} stage-wise program(s) of Kronecker products of known algorithms"
        cfg["programs_best"] = programs[0].reduced_additions
        cfg["programs_seconds"] = programs_seconds
    (out / "config.json").write_text(json.dumps(cfg, indent=1) + "\n")
    return res


TABLE = ROOT / "results" / "tables" / "additions.csv"
CONFIG = ROOT / "results" / "tables" / "additions_config.json"
NUMERIC = {"rank": int, "published": int, "additions": int, "gap": int, "seconds_to_best": float, "seconds": float}


def committed_rows(path=TABLE) -> dict:
    """The committed table's rows with a reduced file, by format (numbers as numbers): a format
    with no folder under ``--runs`` keeps its row (its file is read back and verified again)."""
    import csv

    if not Path(path).exists():
        return {}
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = {}
    for r in rows:
        if r.get("file") and (ROOT / r["file"]).exists():
            out[r["format"]] = {k: (NUMERIC[k](v) if k in NUMERIC and v != "" else v) for k, v in r.items()}
    return out


def table(runs_dir, schemes_dir, kept=None):
    """Rows from the search folders (and the alternative basis), best programs copied out; a
    format without a folder keeps its row of ``kept`` (:func:`committed_rows`) if it has one."""
    import discovery as d
    from discovery.circuits.basis import alternative_basis
    from discovery.formats import read_reduced

    kept = committed_rows() if kept is None else kept
    rows = []
    schemes_dir.mkdir(parents=True, exist_ok=True)
    for fmt, rank, published in PUBLISHED:
        folder = Path(runs_dir) / f"{fmt_name(fmt)}-r{rank}"
        row = {"format": fmt_name(fmt), "rank": rank, "published": published,
               "published_source": SOURCES.get(fmt, "flip-graph collection (reduced files)")}
        if fmt == (2, 2, 2):
            ss = d.simplify_additions(d.winograd())
            row.update(additions=ss.reduced_additions, by_side=f"{ss.a.additions}/{ss.b.additions}/{ss.c.additions}",
                       gap=ss.reduced_additions - published, method="best (Winograd's scheme)",
                       seconds_to_best=0, seconds=0, source="known: Winograd", file="")
            rows.append(row)
            ab = alternative_basis(d.winograd())
            rows.append({"format": "2x2x2 (alternative basis)", "rank": 7, "published": 12,
                         "published_source": "Karstadt & Schwartz 2017 (core)",
                         "additions": ab.core_additions,
                         "by_side": f"{ab.a.additions}/{ab.b.additions}/{ab.c.additions}",
                         "gap": ab.core_additions - 12,
                         "method": f"alternative basis from the scheme's rows; basis changes {ab.basis_additions} "
                                   f"({ab.phi.additions}/{ab.psi.additions}/{ab.nu_inv.additions}) apart",
                         "seconds_to_best": 0, "seconds": 0, "source": "known: Winograd", "file": ""})
            continue
        if not (folder / "best_reduced.json").exists() and fmt_name(fmt) in kept:
            old = kept[fmt_name(fmt)]
            ss = read_reduced(ROOT / old["file"])  # the committed file still reads back and verifies
            if (ss.format, ss.multiplications, ss.reduced_additions) != (tuple(fmt), rank, old["additions"]):
                raise SystemExit(f"{old['file']} does not hold the row's <{fmt_name(fmt)}> rank {rank} "
                                 f"{old['additions']} additions: rebuild that format's row with a search")
            rows.append(old)
            continue
        if not (folder / "best_reduced.json").exists():
            ranks = sorted(project_schemes(fmt, [ROOT / "results" / "schemes"]))
            have = rank in ranks or rank in project_schemes(fmt, [SHARED])
            row.update(additions="", by_side="", gap="", method="",
                       seconds_to_best="", seconds="", file="",
                       source=("not searched yet" if have else
                               f"no rank-{rank} scheme here or in the shared data; lowest rank here {ranks[0]}"
                               if ranks else "no scheme of this format here or in the shared data"))
            rows.append(row)
            continue
        best = read_reduced(folder / "best_reduced.json")
        state = json.loads((folder / "state.json").read_text())
        cfg = json.loads((folder / "config.json").read_text())
        hist = state["history"]
        first = next(t for t, a in hist if a == best.reduced_additions)
        ring = best.scheme.ring
        name = f"{fmt_name(fmt)}_m{rank}_cr{best.reduced_additions}_cn{best.naive_additions}_{ring}_reduced.json"
        for old in schemes_dir.glob(f"{fmt_name(fmt)}_m{rank}_cr*_reduced.json"):
            old.unlink()
        shutil.copyfile(folder / "best_reduced.json", schemes_dir / name)
        read_reduced(schemes_dir / name)  # the copy reads back and verifies
        search = f"{state['rounds']} round(s) of the additions search, seed {cfg['config']['seed']}"
        if first == hist[0][0] and cfg.get("programs") and best.reduced_additions == cfg["programs_best"]:
            method = (f"Kronecker product of known algorithms, stage-wise in the alternative basis "
                      f"(Karstadt & Schwartz; {cfg['programs_seconds']} s); {search} found nothing cheaper")
            first = cfg["programs_seconds"]
        elif ring != "ZT":
            method = f"randomized CSE of the starting scheme(s) (not ternary: no flip or sandwich variants); {search}"
        else:
            c = cfg["config"]
            closure = c.get("cse", "random") == "closure"
            method = (f"{search}: plus transitions, sandwiches" + (", sandwich tables" if closure and c.get("table") and max(fmt) <= 3 else "")
                      + (f", fixed-rank flip walks ({c['walk_seconds']:g} s)" if c.get("walk_seconds") else "")
                      + ", randomized CSE" + (" and the closure search" if closure else ""))
        solver = cfg.get("solver_seconds", 0.0)
        if solver:
            method = f"{solver:.0f} s of the solver (ALS restarts) for starts, then {method}"
        row.update(additions=best.reduced_additions,
                   by_side=f"{best.a.additions}/{best.b.additions}/{best.c.additions}",
                   gap=best.reduced_additions - published, method=method,
                   seconds_to_best=round(first + solver, 1), seconds=round(state["seconds"] + solver, 1),
                   source=cfg.get("source", ""),
                   file=str((schemes_dir / name).relative_to(ROOT)))
        rows.append(row)
    return rows


def figure(rows):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    done = [r for r in rows if r["additions"] != ""]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    x = range(len(done))
    here = [r["additions"] / r["published"] for r in done]
    ax.bar([i - 0.2 for i in x], [1.0] * len(done), 0.4, label="published", color="#bbbbbb")
    shared = [str(r.get("source", "")).startswith("shared") for r in done]
    ax.bar([i + 0.2 for i in x], here, 0.4, label="here", color="#3b7dd8")
    if any(shared):
        ax.bar([i + 0.2 for i in x if shared[i]], [here[i] for i in x if shared[i]], 0.4, color="#3b7dd8",
               hatch="//", edgecolor="white", label="here, from a shared-data start")
    for i, r in zip(x, done):
        ax.text(i + 0.2, here[i] + 0.01, str(r["additions"]), ha="center", va="bottom", fontsize=8)
        ax.text(i - 0.2, 1.01, str(r["published"]), ha="center", va="bottom", fontsize=8, color="#555555")
    ax.set_xticks(list(x), [f"{r['format'].replace(' (alternative basis)', ' core')}\nr{r['rank']}"
                            for r in done], fontsize=7)
    ax.set_ylabel("additions / published count")
    ax.set_ylim(0, max(here + [1.0]) * 1.15)
    ax.axhline(1.0, color="k", lw=0.6)
    ax.set_title("Fewest additions found here (verified programs) against the published reduced counts")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--budget", type=float, default=60.0, help="seconds of search per format (this call)")
    ap.add_argument("--only", default="", help="comma-separated formats, e.g. 3x3x3,4x4x4")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workers", type=int, default=1, help="processes for the refinement")
    ap.add_argument("--known", action="store_true", help="also start from known algorithms and their products")
    ap.add_argument("--solver", type=float, default=0.0,
                    help="seconds of the project's solver (ALS restarts) for more starts, before the search")
    ap.add_argument("--walk", type=float, default=0.0,
                    help="seconds of a fixed-rank flip walk per round (explore: its cheapest scheme is a variant)")
    ap.add_argument("--runs", default=str(ROOT / "runs" / "additions"), help="search folders (resumable)")
    ap.add_argument("--table-only", action="store_true", help="only rebuild the table and figure")
    args = ap.parse_args(argv)
    from discovery._io import atomic_write_text, save_figure, write_csv

    only = {tuple(int(x) for x in f.split("x")) for f in args.only.split(",") if f}
    runs = Path(args.runs)
    log = runs / "invocations.json"
    calls = json.loads(log.read_text()) if log.exists() else []
    if not args.table_only:
        runs.mkdir(parents=True, exist_ok=True)
        call = {"argv": sys.argv[1:] if argv is None else list(argv), "machine": platform.node(),
                "cores": os.cpu_count(), "load_start": [round(x, 2) for x in os.getloadavg()],
                "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        calls.append(call)  # logged before the work, so a run stopped half-way is on record too
        for fmt, rank, published in PUBLISHED:
            if fmt == (2, 2, 2) or (only and fmt not in only):
                continue
            atomic_write_text(log, json.dumps(calls, indent=1) + "\n")
            res = run_format(fmt, rank, args.budget, args.seed, args.workers, runs, args.known, args.solver,
                             args.walk)
            print(f"{fmt_name(fmt)} r{rank}: " + (f"{res.best.reduced_additions} (published {published})"
                                                  if res else "no scheme of this rank here"), flush=True)
            call.setdefault("done", []).append(fmt_name(fmt))
        call["load_end"] = [round(x, 2) for x in os.getloadavg()]
        atomic_write_text(log, json.dumps(calls, indent=1) + "\n")
    kept = committed_rows()
    before = json.loads(CONFIG.read_text()) if CONFIG.exists() else {"invocations": [], "searches": {}}
    rows = table(runs, ROOT / "results" / "schemes" / "additions", kept)
    write_csv(TABLE, rows)
    configs = {r["format"]: json.loads((runs / f"{r['format']}-r{r['rank']}" / "config.json").read_text())
               for r in rows if (runs / f"{r['format']}-r{r['rank']}" / "config.json").exists()}
    # rows kept from the committed table keep their search's settings and the calls that made them
    configs = {**{f: c for f, c in before["searches"].items() if f in kept and f not in configs}, **configs}
    for c in calls:
        c.setdefault("runs", str(runs))
    earlier = [c for c in before["invocations"] if c.get("runs", "") != str(runs)]
    atomic_write_text(CONFIG, json.dumps({"invocations": earlier + calls, "searches": configs}, indent=1) + "\n")
    save_figure(figure(rows), ROOT / "results" / "figures" / "additions.png", dpi=120)
    print(json.dumps({"machine": platform.node(), "cores": os.cpu_count(), "load": os.getloadavg()}))
    for r in rows:
        print(f"{r['format']:26} r{r['rank']:<4} here {str(r['additions']):>4}  published {r['published']:>4}  {r['source']}")


if __name__ == "__main__":
    main()
