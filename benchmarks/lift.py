"""Hensel lifting: time and peak memory of the packed lift against the dense one it replaced.

Cases (schemes from ``../shared/data``): AlphaTensor's 20 mod-2 schemes (one process for all,
so memory is the group's peak), the published <5,5,5> r93 and <6,6,6> r153 reduced mod 2, both
also under random unimodular de Groote sandwiches (seeds), and a <2,2,2> Z3 scheme with ½ (the
3-adic lift). Methods: ``packed`` (the library's lift, defaults: symmetric where the scheme is),
``packed-plain`` (``symmetry="none"``, all unknowns), ``dense`` (``benchmarks/_dense_lift.py``:
the E x unknowns byte Jacobian with an E x E identity, free unknowns 0, the baseline). Every
(case, method) runs in a fresh process, which reports the lift's seconds and the process's
peak resident memory (``ru_maxrss``) beside its resident memory before the lift (imports and
the scheme), so ``lift_mb`` = peak - before is the lift's own share.

    python benchmarks/lift.py --quick
    python benchmarks/lift.py --out results/benchmarks/lift.csv --figure results/figures/lift.png

Writes the CSV after every row (default ``runs/benchmarks/lift.csv``), its config beside it
(``*_config.json``, load average and cores included) and the figure. ``--no-dense 666`` skips
the dense baseline on <6,6,6> (about 7 GB).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("DISCOVERY_SHARED_DATA", ROOT.parent / "shared" / "data"))
DEFAULT_OUT = Path("runs") / "benchmarks" / "lift.csv"
METHODS = ("packed", "packed-plain", "dense")
RANKS = {"555": 93, "666": 153}  # the published symmetric-flips schemes


def _mod(s, p):
    import discovery as d

    def red(a):
        return np.array([[Fraction(x).numerator * pow(Fraction(x).denominator, -1, p) % p for x in row]
                         for row in a], dtype=np.int64)
    return d.Scheme.from_rows(*s.format, red(s.u), red(s.v), red(s.w), ring=f"Z{p}")


def _sandwiched(s, seed: int):
    import discovery as d

    rng = np.random.default_rng(seed)
    mats = []
    for dim in s.format:
        X = np.eye(dim, dtype=np.int64)
        for _ in range(2 * dim):
            i, j = rng.choice(dim, 2, replace=False)
            X[i] += rng.choice([-1, 1]) * X[j]
        mats.append(X)
    return d.sandwich(s, *mats)


def case_schemes(case: str) -> list[tuple[str, object]]:
    """(label, scheme to lift) of a case name: f2, z3, 555, 666, 555-s<seed>, 666-s<seed>."""
    import discovery as d

    if case == "f2":
        return [(lab.split("[")[1].rstrip("]"), s)
                for lab, s in d.load_schemes(DATA / "alphatensor" / "factorizations_f2.npz")]
    if case == "z3":
        q = d.sandwich(d.winograd(), [[1, 1], [1, -1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
        return [("2,2,2 with 1/2", _mod(q, 3))]
    fmt, _, seed = case.partition("-s")
    s = d.load_scheme(DATA / "symmetric-flips" / f"{fmt}m{RANKS[fmt]}_lifted.exp")
    if seed:
        s = _sandwiched(s, int(seed))
    return [(case, _mod(s, 2))]


def _height(s) -> int:
    return max(max(abs(Fraction(x).numerator), Fraction(x).denominator) for a in s.factors() for x in a.ravel())


def child(case: str, method: str) -> list[dict]:
    """Run one (case, method) in this process; one dict per scheme of the case."""
    from discovery.search.lift import lift

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _dense_lift import dense_lift

    items = case_schemes(case)
    lift(_mod(__import__("discovery").strassen(), 2))  # load the compiled kernels before measuring
    dense_lift(_mod(__import__("discovery").strassen(), 2))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rows = []
    for label, s in items:
        t = time.perf_counter()
        if method == "dense":
            r = dense_lift(s)
            row = {"ok": r["ok"], "outcome": "lifted" if r["ok"] else ("no_lift" if r["failed_step"] == 1 else
                       "stuck" if r["failed_step"] else "precision"), "ring": r["ring"], "steps": r["steps"],
                       "failed_step": r["failed_step"], "symmetry": None, "unknowns": r["unknowns"],
                       "jacobian_rank": r["jacobian_rank"], "retries": 0, "attempts": 1, "jacobian_s": None}
            scheme = r["scheme"]
        else:
            r = lift(s, symmetry="auto" if method == "packed" else "none")
            row = {"ok": r.ok, "outcome": str(r.outcome), "ring": None if r.ring is None else str(r.ring),
                       "steps": r.steps, "failed_step": r.failed_step, "symmetry": r.symmetry, "unknowns": r.unknowns,
                       "jacobian_rank": r.jacobian_rank, "retries": r.retries, "attempts": r.attempts,
                       "jacobian_s": round(r.jacobian_s, 3)}
            scheme = r.scheme
        row["seconds"] = round(time.perf_counter() - t, 3)
        row["height"] = _height(scheme) if scheme is not None else None
        rows.append(dict(case=case, scheme=label, format="x".join(map(str, s.format)), rank=s.rank,
                         prime=3 if case == "z3" else 2, method=method, **row))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        row.update(before_mb=round(before), peak_mb=round(peak), lift_mb=round(peak - before))
    return rows


def figure(rows: list[dict]):
    """Seconds and the lift's memory per case (the f2 group summed / its peak), one bar a method."""
    from matplotlib.figure import Figure

    cases = list(dict.fromkeys(r["case"] for r in rows))
    methods = [m for m in METHODS if any(r["method"] == m for r in rows)]
    fig = Figure(figsize=(max(6.0, 0.9 * len(cases) + 2), 6.4))
    axes = fig.subplots(2, 1, sharex=True)
    width = 0.8 / len(methods)
    for i, m in enumerate(methods):
        secs, mem, fails = [], [], []
        for c in cases:
            rs = [r for r in rows if r["case"] == c and r["method"] == m]
            secs.append(sum(r["seconds"] for r in rs) if rs else np.nan)
            mem.append(max(max(r["lift_mb"], 1) for r in rs) if rs else np.nan)
            fails.append(sum(not r["ok"] for r in rs) if rs else 0)
        x = np.arange(len(cases)) + (i - (len(methods) - 1) / 2) * width
        axes[0].bar(x, secs, width, label=m)
        axes[1].bar(x, mem, width, label=m)
        for xi, y, f in zip(x, secs, fails):
            if f and np.isfinite(y):
                axes[0].annotate(f"{f} unlifted", (xi, y), ha="center", va="bottom", fontsize=7, rotation=90)
    axes[0].set_yscale("log")
    lo, hi = axes[0].get_ylim()
    axes[0].set_ylim(lo, hi * 20)  # room for the labels
    axes[0].set_ylabel("seconds (lift, all schemes of the case)")
    axes[1].set_yscale("log")
    axes[1].set_ylabel("lift's memory, MB (peak - before)")
    axes[1].set_xticks(np.arange(len(cases)), cases, rotation=30, ha="right")
    axes[0].legend(fontsize=8, ncol=len(methods), loc="upper left")
    axes[0].set_title("Hensel lifting: packed against the dense Jacobian", fontsize=10)
    fig.tight_layout()
    return fig


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", nargs="+", default=["f2", "z3", "555", "555-s0", "555-s1", "555-s2", "555-s3",
                                                   "666", "666-s0", "666-s1"])
    ap.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    ap.add_argument("--no-dense", nargs="*", default=[], metavar="CASE", help="cases without the dense baseline")
    ap.add_argument("--quick", action="store_true", help="cases f2, z3 and 555 only")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--figure", type=Path, default=None, help="figure path (default: beside --out)")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "METHOD"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        from discovery.search.summary import to_plain

        print(json.dumps(to_plain(child(*a.child))))
        return 0
    if a.quick:
        a.cases = ["f2", "z3", "555"]
    if a.out == DEFAULT_OUT:
        a.out.parent.mkdir(parents=True, exist_ok=True)  # the default folder is the script's own
    for path in (a.out, a.figure):
        if path is not None and not path.parent.is_dir():
            ap.error(f"folder {path.parent} does not exist; create it or choose another path")
    from discovery._io import atomic_write_text, save_figure, write_csv

    config = {"cases": a.cases, "methods": a.methods, "no_dense": a.no_dense, "cores": os.cpu_count(),
                  "load_before": [round(x, 2) for x in os.getloadavg()],
                  "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M"),
                  "argv": sys.argv[1:] if argv is None else list(argv)}
    config_path = a.out.with_name(a.out.stem + "_config.json")
    atomic_write_text(config_path, json.dumps(config, indent=2) + "\n")
    rows = []
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for case in a.cases:
        for m in a.methods:
            if m == "dense" and (case == "z3" or case in a.no_dense):
                continue  # the dense lift is modulo 2 only
            if m == "packed-plain" and case in ("f2", "z3"):
                continue  # nothing symmetric there to turn off
            proc = subprocess.run([sys.executable, __file__, "--child", case, m], capture_output=True,
                                  text=True, env=env, check=False)
            if proc.returncode != 0:
                print(f"{case} {m}: failed\n{proc.stderr[-3000:]}", file=sys.stderr)
                return 1
            new = json.loads(proc.stdout.strip().splitlines()[-1])
            load = round(os.getloadavg()[0], 2)
            for r in new:
                r["load_1min"] = load
            rows += new
            lifted = sum(r["ok"] for r in new)
            print(f"{case:8s} {m:12s} {lifted}/{len(new)} lifted, {sum(r['seconds'] for r in new):8.2f} s, "
                  f"lift {new[0]['lift_mb']} MB (peak {new[0]['peak_mb']} MB), load {load}", flush=True)
            write_csv(a.out, rows)
    config["load_after"] = [round(x, 2) for x in os.getloadavg()]
    atomic_write_text(config_path, json.dumps(config, indent=2) + "\n")
    fig_path = a.figure or a.out.with_suffix(".png")
    save_figure(figure(rows), fig_path)
    print(f"{len(rows)} rows -> {a.out}, {fig_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
