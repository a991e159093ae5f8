"""Benchmark the flip-graph engine: ranks reached, time to the best known rank, flips/s per core.

For each format (default: every 2 <= n <= m <= p <= 4, then <4,4,5>, <4,5,5>, <5,5,5>) and
ring (ZT, Z2) it walks from two starts with a fixed time budget and the best known rank as
target:

* ``standard``: the standard algorithm (rank n·m·p);
* ``composed``: the best scheme composed (direct sums, Kronecker products, restrictions) from
  the schemes **this run already found** for smaller formats (plus Strassen), so the start is
  itself a product of the search.

Formats run smallest first so that composed starts can use the earlier results. Also
measured: <3,3,3> ZT from 27 to 23 in fresh processes over 5 seeds (import and the numba
cache included), and the throughput on <4,4,4> with 1 and 2 walkers (fixed-rank walk).

    python benchmarks/flips.py --quick
    nice python benchmarks/flips.py --budget 300 --out results/benchmarks/flips.csv --schemes results/schemes/flips

Writes the CSV given by ``--out`` (default ``runs/benchmarks/flips.csv``), ``*_333.csv`` and
``*_throughput.csv`` beside it, the run's config as ``*_config.json``, and with ``--schemes DIR``
the best verified scheme per (format, ring) as ``DIR/<n>x<m>x<p>-<ring>-r<rank>.json``.
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
import time
from pathlib import Path

from discovery._io import atomic_write_text, write_csv
from discovery.core.known import standard
from discovery.formats import save_scheme
from discovery.search.flips import FlipConfig, composed_start, flip_search
from discovery.search.flips._encode import encode
from discovery.search.flips._kernels import OUT_ATTEMPTS, OUT_FLIPS
from discovery.search.flips._search import Walkers

ROOT = Path(__file__).resolve().parents[1]
FORMATS = [(2, 2, 2), (2, 2, 3), (2, 2, 4), (2, 3, 3), (2, 3, 4), (2, 4, 4), (3, 3, 3), (3, 3, 4),
           (3, 4, 4), (4, 4, 4), (4, 4, 5), (4, 5, 5), (5, 5, 5)]
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
                       "stop": "start at target"}
    res = flip_search(*fmt, start=start, ring=ring, target_rank=target, time_limit=budget,
                      walkers=walkers, seed=seed)
    reached = res.best_rank <= target
    return res.best, {
        **row, "rank_reached": res.best_rank, "best_known": target, "reached_best_known": reached,
        "time_to_best_s": round(res.time_to_best_s, 3),
        "time_to_best_known_s": round(res.time_to_best_s, 3) if reached else "",
        "budget_s": budget, "seconds": round(time.perf_counter() - t0, 2), "flips": res.flips,
        "flips_per_s_per_core": round(res.flips_per_s / min(walkers, os.cpu_count() or 1)),
        "walkers": walkers, "seed": seed, "stop": str(res.stop),
    }


def time_333(seeds: int) -> list[dict]:
    code = ("import time; t=time.perf_counter(); from discovery.search.flips import flip_search; "
            "r=flip_search(3,3,3,target_rank=23,time_limit=60,walkers=2,seed={s}); "
            "print(time.perf_counter()-t, r.best_rank, r.time_to_best_s)")
    rows = []
    for s in range(seeds):
        out = subprocess.run([sys.executable, "-c", code.format(s=s)], capture_output=True, text=True,
                             check=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        total, rank, walk = out.stdout.split()
        rows.append({"seed": s, "rank": int(rank), "wall_s_including_import": round(float(total), 3),
                     "walk_s": round(float(walk), 3)})
    return rows


def throughput(flips: int) -> list[dict]:
    start = flip_search(4, 4, 4, target_rank=60, time_limit=60, walkers=1, seed=0).best  # a flippable scheme
    rows = []
    for K in (1, 2):
        ws = Walkers(FlipConfig(4, 4, 4, walkers=K, seed=0, reduce3=False), start.rank)
        member = _Masks(*encode(start, "ZT"))
        for w in range(K):
            ws.load(w, member, start.rank)
        ws.walk(1000, reduce_on=False, plus_after=0, path_limit=0)  # warm
        t = time.perf_counter()
        ws.walk(flips, reduce_on=False, plus_after=0, path_limit=0)
        dt_ = time.perf_counter() - t
        done = int(ws.out[:, OUT_FLIPS].sum())
        rows.append({"format": "4x4x4", "rank": start.rank, "walkers": K, "flips": done,
                     "attempts": int(ws.out[:, OUT_ATTEMPTS].sum()), "seconds": round(dt_, 3),
                     "flips_per_s": round(done / dt_), "flips_per_s_per_walker": round(done / dt_ / K)})
    return rows


class _Masks:
    def __init__(self, pos, neg):
        self.pos, self.neg = pos, neg


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="three small formats, 10 s budget")
    ap.add_argument("--budget", type=float, default=120.0, help="seconds per (format, ring, start)")
    ap.add_argument("--formats", default=None, help="e.g. 3x3x3,4x4x4 (default: all)")
    ap.add_argument("--rings", default="ZT,Z2")
    ap.add_argument("--walkers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(Path("runs") / "benchmarks" / "flips.csv"))
    ap.add_argument("--schemes", default=None, help="folder for the best verified schemes")
    a = ap.parse_args(argv)
    if a.budget <= 0 or a.walkers < 1:
        ap.error("--budget and --walkers must be positive")
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
              "budget_s": budget, "walkers": a.walkers, "seed": a.seed, "formats": ["x".join(map(str, f)) for f in formats],
              "rings": rings, "cpu_count": os.cpu_count(), "load_average_at_start": os.getloadavg(),
              "time": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
    atomic_write_text(f"{stem}_config.json", json.dumps(config, indent=1) + "\n")
    known = best_known()
    if a.schemes:
        Path(a.schemes).mkdir(parents=True, exist_ok=True)
    rows, found = [], {r: [] for r in rings}
    for fmt in sorted(formats, key=lambda f: (f[0] * f[1] * f[2], f)):
        for ring in rings:
            target = min(known[fmt], Z2_BEST.get(fmt, known[fmt])) if ring == "Z2" else known[fmt]
            best = None
            for start_name in ("standard", "composed"):
                start = standard(*fmt) if start_name == "standard" else composed_start(fmt, found[ring], ring)
                if ring == "Z2":
                    start = start.with_ring("Z2")
                reached, row = run_format(fmt, ring, start_name, start, budget, a.walkers, a.seed, target)
                rows.append(row)
                print(" ".join(f"{k}={v}" for k, v in row.items()), flush=True)
                if best is None or reached.rank < best.rank:
                    best = reached
                write_csv(out, rows)
            found[ring].append(best)
            if a.schemes:
                save_scheme(best, Path(a.schemes) / f"{'x'.join(map(str, fmt))}-{ring}-r{best.rank}.json")
    t333 = time_333(2 if a.quick else 5)
    write_csv(f"{stem}_333.csv", t333)
    med = statistics.median(r["wall_s_including_import"] for r in t333)
    print(f"<3,3,3> ZT 27 -> 23: median {med:.3f} s over {len(t333)} seeds (fresh processes, import included)")
    tp = throughput(200_000 if a.quick else 5_000_000)
    write_csv(f"{stem}_throughput.csv", tp)
    for r in tp:
        print(f"<4,4,4> throughput: {r['walkers']} walker(s): {r['flips_per_s'] / 1e6:.2f} M flips/s "
              f"({r['flips_per_s_per_walker'] / 1e6:.2f} M per walker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
