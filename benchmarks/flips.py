"""Benchmark the flip-graph engine (issue 17): ranks reached, robustness, throughput, start-up.

Parts (``--part``, default all, one after the other; run it on a quiet machine):

* ``formats``: the 20 formats 2 <= n <= m <= p <= 5, ZT (and Z2 with ``--rings ZT,Z2``), from two
  starts with the best known rank as target: ``standard`` (the standard algorithm) walks first, for
  the budget less a third (all of it when the composed start is at the target already), then
  ``composed`` (the best scheme composed from the schemes this run already found for smaller
  formats, plus Strassen) for what is left, at least a third -> ``flips.csv``;
* ``robustness``: <3,4,4> to 38 on 5 seeds and <4,4,4> to 49 on 3 seeds from the standard
  algorithm, ``--robust-budget`` seconds each -> ``*_robustness.csv``;
* ``throughput``: successful flips and attempts per second (of wall-clock and of CPU time) at
  fixed rank, 1 and 2 walkers, on <3,3,3> at 23 and <4,4,4> at 55 (the standard algorithm
  walked down with a seeded flip budget) and on <5,5,5>, <6,6,6>, <8,8,8> and <4,4,16> at
  the standard rank (randomised by the warm-up flips) -> ``*_throughput.csv``;
* ``startup``: ``discovery flip 3 3 3 --target-rank 23`` as a whole process (import, kernel
  loading, walk) over 5 seeds -> ``*_startup.csv``.

    python benchmarks/flips.py --quick
    python benchmarks/flips.py --part formats --budget 180 --out results/benchmarks/flips.csv \
        --schemes results/schemes/flips

Writes the CSVs next to ``--out`` (default ``runs/benchmarks/flips.csv``), the run's config as
``*_config.json`` and the figure as ``*.png``; with ``--schemes DIR`` the best verified scheme per
(format, ring) as ``DIR/<n>x<m>x<p>-<ring>-r<rank>.json``. Every row records the load average.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from discovery._io import atomic_write_text, save_figure, write_csv
from discovery.core.known import standard
from discovery.formats import save_scheme
from discovery.search.flips import FlipConfig, composed_start, flip_search
from discovery.search.flips._encode import encode
from discovery.search.flips._kernels import OUT_ATTEMPTS, OUT_FLIPS
from discovery.search.flips._plot import benchmark_figure
from discovery.search.flips._search import Walkers

ROOT = Path(__file__).resolve().parents[1]
FORMATS = [(n, m, p) for n in range(2, 6) for m in range(n, 6) for p in range(m, 6)]  # the 20 formats
ROBUST = [((3, 4, 4), 38, 5), ((4, 4, 4), 49, 3)]  # (format, target, seeds)
# (format, rank the start is walked down to; None: the standard rank)
THROUGHPUT = [((3, 3, 3), 23), ((4, 4, 4), 55), ((5, 5, 5), None), ((6, 6, 6), None), ((8, 8, 8), None),
              ((4, 4, 16), None)]
PARTS = ("formats", "robustness", "throughput", "startup")
QUICK = [(2, 2, 2), (2, 2, 3), (2, 3, 3)]
# Lower ranks known in characteristic 2 (shared/data/README.md): AlphaTensor, Kauers–Moosbauer, Arai et al.
Z2_BEST = {(4, 4, 4): 47, (4, 4, 5): 60, (4, 5, 5): 73}


def best_known() -> dict:
    path = Path(os.environ.get("DISCOVERY_SHARED_DATA", ROOT.parent / "shared" / "data")) / "best_known_ranks.csv"
    with open(path) as f:
        return {(int(r["n"]), int(r["m"]), int(r["p"])): int(r["rank_ZT"]) for r in csv.DictReader(f)}


def run_format(fmt, ring, start_name, start, budget, walkers, seed, target):
    """Walk from ``start`` towards ``target``; a start already at the target is not walked."""
    t0 = time.perf_counter()
    row = {"format": "x".join(map(str, fmt)), "ring": ring, "start": start_name, "start_rank": start.rank}
    if start.rank <= target:
        return start, {**row, "rank_reached": start.rank, "best_known": target, "reached_best_known": True,
                       "time_to_best_s": 0.0, "time_to_best_known_s": 0.0, "budget_s": budget, "seconds": 0.0,
                       "flips": 0, "flips_per_s_per_core": "", "walkers": walkers, "seed": seed,
                       "stop": "start at target", "load_1min": round(os.getloadavg()[0], 2)}
    res = flip_search(*fmt, start=start, ring=ring, target_rank=target, time_limit=budget,
                      walkers=walkers, seed=seed)
    reached = res.best_rank <= target
    return res.best, {
        **row, "rank_reached": res.best_rank, "best_known": target, "reached_best_known": reached,
        "time_to_best_s": round(res.time_to_best_s, 3),
        "time_to_best_known_s": round(res.time_to_best_s, 3) if reached else "",
        "budget_s": budget, "seconds": round(time.perf_counter() - t0, 2), "flips": res.flips,
        "flips_per_s_per_core": round(res.flips_per_s / min(res.config.n_walkers, os.cpu_count() or 1)),
        "walkers": res.config.n_walkers, "seed": seed, "stop": str(res.stop), "load_1min": round(os.getloadavg()[0], 2),
    }


def startup(seeds: int) -> list[dict]:
    """``discovery flip 3 3 3 --target-rank 23`` as a whole process, per seed."""
    rows = []
    for s in range(seeds):
        with tempfile.TemporaryDirectory() as tmp:
            t = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "discovery", "flip", "3", "3", "3", "--target-rank", "23",
                                  "--seed", str(s), "--quiet", "--json", "--out", tmp], capture_output=True,
                                 text=True, cwd=tmp, env={**os.environ, "PYTHONPATH": str(ROOT)})
            wall = time.perf_counter() - t
        summary = json.loads(out.stdout)
        rows.append({"seed": s, "rank": summary["best_rank"], "wall_s_whole_process": round(wall, 3),
                     "walk_s": round(summary["time_to_best_s"], 3), "load_1min": round(os.getloadavg()[0], 2)})
    return rows


def robustness_one(fmt, target: int, seed: int, budget: float, walkers: int) -> dict:
    """One robustness run from the standard algorithm towards ``target``."""
    res = flip_search(*fmt, target_rank=target, time_limit=budget, walkers=walkers, seed=seed)
    row = {"format": "x".join(map(str, fmt)), "target": target, "seed": seed, "budget_s": budget,
           "walkers": res.config.n_walkers, "rank": res.best_rank, "reached": res.best_rank <= target,
           "time_to_best_s": round(res.time_to_best_s, 1), "flips": res.flips,
           "walks": res.walks, "load_1min": round(os.getloadavg()[0], 2)}
    print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
    return row


def throughput_start(fmt, target):
    """The scheme a throughput row walks: the standard algorithm, walked down to ``target`` with
    a seeded flip budget (the same scheme on every machine) when one is given."""
    if target is None:
        return standard(*fmt)
    return flip_search(*fmt, target_rank=target, max_flips=100_000_000, time_limit=None, walkers=1, seed=0).best


def throughput(flips: int, formats=THROUGHPUT, warm: int = 1_000_000) -> list[dict]:
    """Successful flips and attempts per second at a fixed rank, 1 and 2 walkers; per second of
    wall-clock and of this process's CPU time (less sensitive to a shared machine's load)."""
    rows = []
    for fmt, target in formats:
        start = throughput_start(fmt, target)
        for K in (1, 2):
            ws = Walkers(FlipConfig(*fmt, walkers=K, seed=0, reduce3=False), start.rank)
            member = _Masks(*encode(start, "ZT"))
            for w in range(K):
                ws.load(w, member, start.rank)
            ws.walk(warm, reduce_on=False, plus_after=0, path_limit=0)  # compiled, and away from the start
            t, c = time.perf_counter(), time.process_time()
            ws.walk(flips, reduce_on=False, plus_after=0, path_limit=0)
            dt_, cpu = time.perf_counter() - t, time.process_time() - c
            done = int(ws.out[:, OUT_FLIPS].sum())
            tries = int(ws.out[:, OUT_ATTEMPTS].sum())
            rows.append({"format": "x".join(map(str, fmt)), "words": ws.W, "rank": start.rank, "walkers": K,
                         "flips": done, "attempts": tries, "seconds": round(dt_, 3), "cpu_s": round(cpu, 3),
                         "flips_per_s": round(done / dt_), "attempts_per_s": round(tries / dt_),
                         "flips_per_s_per_walker": round(done / dt_ / K), "flips_per_cpu_s": round(done / cpu),
                         "attempts_per_cpu_s": round(tries / cpu), "load_1min": round(os.getloadavg()[0], 2)})
            print(" ".join(f"{k}={v}" for k, v in rows[-1].items()), flush=True)
    return rows


class _Masks:
    def __init__(self, pos, neg):
        self.pos, self.neg = pos, neg


def formats_part(formats, rings, budget, walkers, seed, out: Path, schemes) -> list[dict]:
    known = best_known()
    rows, found = [], {r: [] for r in rings}
    for fmt in sorted(formats, key=lambda f: (f[0] * f[1] * f[2], f)):
        for ring in rings:
            target = min(known[fmt], Z2_BEST.get(fmt, known[fmt])) if ring == "Z2" else known[fmt]
            best = None
            composed = composed_start(fmt, found[ring], ring)
            # the standard start walks first, for the budget less a third for the composed start (none
            # when that is at the target already: walks from composed starts rarely reduce), which
            # then gets what the standard start left
            spent = 0.0
            for start_name in ("standard", "composed"):
                start = standard(*fmt) if start_name == "standard" else composed
                if ring == "Z2":
                    start = start.with_ring("Z2")
                if start_name == "composed" and best is not None and best.rank <= target:
                    continue  # the standard start already reached the best known rank
                if start_name == "standard":
                    share = budget if composed.rank <= target else budget * 2 / 3
                else:
                    share = max(budget - spent, budget / 3)
                t = time.perf_counter()
                reached, row = run_format(fmt, ring, start_name, start, share, walkers, seed, target)
                spent += time.perf_counter() - t
                rows.append(row)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
                if best is None or reached.rank < best.rank:
                    best = reached
                write_csv(out, rows)
            found[ring].append(best)
            if schemes:
                save_scheme(best, Path(schemes) / f"{'x'.join(map(str, fmt))}-{ring}-r{best.rank}.json")
    save_figure(benchmark_figure(rows), out.with_suffix(".png"))
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="three small formats, short budgets, 2 seeds")
    ap.add_argument("--part", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    ap.add_argument("--budget", type=float, default=180.0, help="seconds per (format, ring), both starts")
    ap.add_argument("--robust-budget", type=float, default=None,
                    help="seconds per robustness run (default 300 for <3,4,4>, 600 for <4,4,4>)")
    ap.add_argument("--robust-seeds", type=int, default=None, help="at most this many seeds per robustness format")
    ap.add_argument("--robust-formats", default=None, help="e.g. 3x4x4 (default: 3x4x4,4x4x4)")
    ap.add_argument("--formats", default=None, help="e.g. 3x3x3,4x4x4 (default: the 20 formats <= 5)")
    ap.add_argument("--rings", default="ZT")
    ap.add_argument("--walkers", type=int, default=0, help="walkers (default: the engine's default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path("runs") / "benchmarks" / "flips.csv"))
    ap.add_argument("--schemes", default=None, help="folder for the best verified schemes")
    a = ap.parse_args(argv)
    parts = a.part.split(",")
    if any(p not in PARTS for p in parts):
        ap.error(f"--part {a.part!r}: choose from {', '.join(PARTS)}")
    if a.budget <= 0 or a.walkers < 0:
        ap.error("--budget must be positive and --walkers >= 0")
    formats = QUICK if a.quick else FORMATS
    if a.formats:
        try:
            formats = [tuple(int(x) for x in f.split("x")) for f in a.formats.split(",")]
            assert all(len(f) == 3 for f in formats)
        except (ValueError, AssertionError):
            ap.error(f"--formats {a.formats!r}: write formats like 3x3x3,4x4x4")
    budget = 10.0 if a.quick else a.budget
    rings = a.rings.split(",")
    for r in rings:
        FlipConfig(2, 2, 2, ring=r)  # validates
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stem = out.with_suffix("")
    config = {"command": "python benchmarks/" + " ".join([Path(__file__).name, *(argv or sys.argv[1:])]),
              "parts": parts, "budget_s": budget, "walkers": a.walkers, "seed": a.seed,
              "formats": ["x".join(map(str, f)) for f in formats], "rings": rings, "cpu_count": os.cpu_count(),
              "load_average_at_start": os.getloadavg(),
              "engine_defaults": {f: getattr(FlipConfig(2, 2, 2), f) for f in (
                  "plus_after", "plus_max", "split", "plus_margin", "path_limit", "pool_size", "follow",
                  "chunk_flips", "reduce3")},
              "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    atomic_write_text(f"{stem}_config.json", json.dumps(config, indent=1) + "\n")
    if a.schemes:
        Path(a.schemes).mkdir(parents=True, exist_ok=True)
    if "formats" in parts:
        formats_part(formats, rings, budget, a.walkers, a.seed, out, a.schemes)
    if "robustness" in parts:
        rows = []
        for fmt, target, seeds in ROBUST:
            if a.robust_formats and "x".join(map(str, fmt)) not in a.robust_formats.split(","):
                continue
            b = 5.0 if a.quick else (a.robust_budget or (300.0 if fmt == (3, 4, 4) else 600.0))
            n_seeds = 1 if a.quick else min(seeds, a.robust_seeds or seeds)
            for seed in range(n_seeds):
                rows.append(robustness_one(fmt, target, seed, b, a.walkers))
                write_csv(f"{stem}_robustness.csv", rows)
    if "throughput" in parts:
        tp = throughput(200_000 if a.quick else 5_000_000, [((3, 3, 3), 23)] if a.quick else THROUGHPUT,
                        warm=20_000 if a.quick else 1_000_000)
        write_csv(f"{stem}_throughput.csv", tp)
    if "startup" in parts:
        t333 = startup(2 if a.quick else 5)
        write_csv(f"{stem}_startup.csv", t333)
        med = statistics.median(r["wall_s_whole_process"] for r in t333)
        print(f"<3,3,3> ZT 27 -> 23: median {med:.3f} s over {len(t333)} seeds (whole process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
