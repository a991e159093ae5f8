"""Benchmark the executors: solver restarts per second, locally and on a Dask cluster.

The same fixed work (``--restarts`` restarts of ``--format`` at ``--rank``, batches of
``--batch``, seed 0) runs on

* ``local-1``: the local executor with one worker (batches in this process: the baseline),
* ``dask-1``:  a ``dask.distributed.LocalCluster`` with 1 single-threaded worker process,
* ``dask-2``:  the same with 2 worker processes,

``--repeats`` times each, interleaved; the median restarts/s of each, and in one run the ratios
``dask-2 / dask-1`` (scaling) and ``dask-1 / local-1`` (1 minus the overhead of Dask). Restarts
are identified by (seed, index), so every configuration does the same work and finds the same
schemes. Worker start-up and imports are excluded (executors are warmed up before timing).
Timings depend on the machine and its load: quote the load average with them.

    nice python benchmarks/distributed.py            # writes results/benchmarks/distributed.csv
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name would hide the
# `distributed` package: drop the folder (nothing else lives there that this script imports).
sys.path[:] = [q for q in sys.path if Path(q or ".").resolve() != Path(__file__).resolve().parent]

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402

from discovery._io import write_csv  # noqa: E402
from discovery.core.transforms import fingerprint  # noqa: E402
from discovery.search.executor import DaskExecutor, LocalExecutor  # noqa: E402
from discovery.search.solver import discover  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def run_once(executor, fmt, rank: int, restarts: int, batch: int) -> tuple[float, set]:
    with tempfile.TemporaryDirectory() as tmp:
        res = discover(*fmt, rank, restarts=restarts, batch=batch, seed=0, out=tmp, executor=executor)
    assert res.restarts == restarts and res.lost_batches == 0
    return res.restarts / res.elapsed_s, {fingerprint(s) for s in res.schemes}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--format", default="2x3x3")
    ap.add_argument("--rank", type=int, default=15)
    ap.add_argument("--restarts", type=int, default=96)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "distributed.csv"))
    args = ap.parse_args(argv)
    try:
        fmt = tuple(int(x) for x in args.format.lower().split("x"))
        assert len(fmt) == 3 and min(fmt) >= 1 and args.restarts > 0 and args.batch > 0 and args.repeats > 0
    except (ValueError, AssertionError):
        print(f"error: --format NxMxP and positive counts, got {args.format!r}", file=sys.stderr)
        return 2
    from distributed import Client, LocalCluster

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    load0 = os.getloadavg()[0]
    rates: dict[str, list[float]] = {"local-1": [], "dask-1": [], "dask-2": []}
    found: dict[str, set] = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=":0") as c1, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c2, \
            Client(c1, set_as_default=False) as cl1, Client(c2, set_as_default=False) as cl2:
        executors = {"local-1": LocalExecutor(1), "dask-1": DaskExecutor(cl1), "dask-2": DaskExecutor(cl2)}
        for ex in executors.values():
            ex.warm_up()
        for _ in range(args.repeats):
            for name, ex in executors.items():
                rate, fps = run_once(ex, fmt, args.rank, args.restarts, args.batch)
                rates[name].append(rate)
                found[name] = fps
    assert found["local-1"] == found["dask-1"] == found["dask-2"], "same restarts must give the same schemes"
    med = {k: statistics.median(v) for k, v in rates.items()}
    load1 = os.getloadavg()[0]
    date = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
    rows = [{"executor": k, "format": args.format, "rank": args.rank, "restarts": args.restarts,
             "batch": args.batch, "repeats": args.repeats, "median_restarts_per_s": round(med[k], 2),
             "all_restarts_per_s": " ".join(f"{x:.2f}" for x in rates[k]),
             "vs_local_1": round(med[k] / med["local-1"], 3), "cpu_count": os.cpu_count(),
             "load_avg_start": round(load0, 2), "load_avg_end": round(load1, 2), "date": date}
            for k in rates]
    write_csv(args.out, rows)
    for r in rows:
        print(f"{r['executor']:8s} {r['median_restarts_per_s']:8.2f} restarts/s  ({r['all_restarts_per_s']})")
    print(f"scaling dask-2 / dask-1: {med['dask-2'] / med['dask-1']:.2f}x (target >= 1.7)")
    print(f"dask-1 / local-1: {med['dask-1'] / med['local-1']:.3f} (overhead {1 - med['dask-1'] / med['local-1']:+.1%}, "
          f"target <= 10%)")
    print(f"load average {load0:.1f} -> {load1:.1f} on {os.cpu_count()} cores; written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
