"""Tune the flip search's pool settings: the rank each setting reaches for a fixed flip budget.

Every row walks from the standard algorithm with a budget counted in flips (``--flips`` per
run, shared out between the walkers), so the figures do not depend on the machine's load;
the time is printed too, for reference. The settings tried are overrides of
:class:`discovery.search.flips.FlipConfig` (``--grid`` is a JSON object: name -> list of
overrides), each on every format and seed.

    python benchmarks/flips_tuning.py --quick
    nice python benchmarks/flips_tuning.py --formats 3x4x4,4x4x4 --seeds 0,1 --flips 200000000 \
        --out results/benchmarks/flips_tuning.csv

Writes the CSV given by ``--out`` (default ``runs/benchmarks/flips_tuning.csv``) and its config
as ``*_config.json`` beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from discovery._io import atomic_write_text, write_csv
from discovery.search.flips import flip_search

GRID = {
    "lineage": {},
    "lineage-16walkers": {"walkers": 16},
    "lineage-64walkers": {"walkers": 64},
    "pool-km": {"walkers": 16, "follow": 0.0, "pool_min": 4, "patience": 64, "path_limit": 200_000},
    "pool-mixed": {"walkers": 16, "follow": 0.5, "pool_min": 2, "patience": 16, "path_limit": 500_000},
    "plus-5k": {"walkers": 16, "plus_after": 5_000},
    "plus-100k": {"walkers": 16, "plus_after": 100_000},
    "no-reduce3": {"walkers": 16, "reduce3": False},
    "select-flips": {"walkers": 16, "select": "flips", "follow": 0.5, "pool_min": 2, "patience": 16},
}
QUICK_GRID = {"lineage": {}, "lineage-8walkers": {"walkers": 8}}
TARGETS = {(3, 3, 3): 23, (3, 4, 4): 38, (4, 4, 4): 49, (3, 4, 5): 47, (4, 4, 5): 61}
# modulo 2 (AlphaTensor 2022, Kauers & Moosbauer 2022, Arai et al. 2024): lower where known
TARGETS_Z2 = {**TARGETS, (4, 4, 4): 47, (4, 4, 5): 60}


def _fmt(text: str) -> tuple[int, int, int]:
    parts = tuple(int(x) for x in text.split("x"))
    if len(parts) != 3:
        raise ValueError(text)
    return parts


def run(fmt, name, overrides, seed, flips, ring="ZT") -> dict:
    opts = dict(overrides)
    walkers = int(opts.pop("walkers", 2))
    target = (TARGETS_Z2 if ring == "Z2" else TARGETS).get(fmt)
    res = flip_search(*fmt, ring=ring, target_rank=target, time_limit=None, walkers=walkers, seed=seed,
                      max_flips=max(1, flips // walkers), **opts)
    return {"format": "x".join(map(str, fmt)), "ring": ring, "setting": name, "overrides": json.dumps(overrides),
            "seed": seed, "walkers": walkers, "flips_budget": flips, "rank": res.best_rank,
            "target": target or "", "flips": res.flips, "attempts": res.attempts, "walks": res.walks,
            "distinct": res.distinct, "elapsed_s": round(res.elapsed_s, 1), "stop": str(res.stop),
            "load_1min": round(os.getloadavg()[0], 2)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="<3,3,3>, two settings, 2 M flips")
    ap.add_argument("--formats", default="3x4x4,4x4x4")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--flips", type=int, default=200_000_000, help="flips per run (all walkers)")
    ap.add_argument("--grid", default=None, help="JSON object: setting name -> FlipConfig overrides")
    ap.add_argument("--only", default=None, help="comma-separated setting names of the grid to run")
    ap.add_argument("--ring", default="ZT", choices=["ZT", "Z2", "Z3"], help="the walk's ring (default ZT)")
    ap.add_argument("--out", default=str(Path("runs") / "benchmarks" / "flips_tuning.csv"))
    a = ap.parse_args(argv)
    try:
        formats = [(3, 3, 3)] if a.quick else [_fmt(f) for f in a.formats.split(",")]
        seeds = [0] if a.quick else [int(s) for s in a.seeds.split(",")]
    except ValueError:
        ap.error("write --formats like 3x4x4,4x4x4 and --seeds like 0,1")
    grid = QUICK_GRID if a.quick else (json.loads(a.grid) if a.grid else GRID)
    if a.only:
        grid = {k: v for k, v in grid.items() if k in a.only.split(",")}
    flips = 2_000_000 if a.quick else a.flips
    if flips < 1:
        ap.error("--flips must be positive")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for fmt in formats:
        for name, overrides in grid.items():
            for seed in seeds:
                rows.append(run(fmt, name, overrides, seed, flips, a.ring))
                print(", ".join(f"{k}={v}" for k, v in rows[-1].items() if k != "overrides"), flush=True)
                write_csv(out, rows)
    atomic_write_text(out.with_name(out.stem + "_config.json"), json.dumps(
        {"command": " ".join(sys.argv), "formats": formats, "ring": a.ring, "seeds": seeds, "flips": flips, "grid": grid,
         "cpu_count": os.cpu_count()}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
