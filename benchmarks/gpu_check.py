"""One prepared GPU check: the solver, the layers and fast_matmul on CUDA beside the CPU / torch.matmul.

In one run of at most ``--budget`` seconds (default 480, i.e. 8 minutes) it measures

1. the solver (``discover``, strategy ``als``) on <3,3,3> rank 23 for ``--solver-seconds`` on CUDA
   and the same on the CPU: restarts, verified schemes, time to the first, distinct schemes
   per minute -> ``gpu_solver.csv``;
2. the layer benchmark of ``benchmarks/layers.py`` (Strassen layers against dense ones, forward
   and forward+backward time, memory) on CUDA and on the CPU -> ``gpu_layers.csv``;
3. ``fast_matmul`` with Winograd's scheme (15 additions) and a rank-49 <4,4,4> scheme (the
   collection's ``4x4x4_m49_ZT.json`` when ``../shared/data`` is there, else Strassen⊗Strassen)
   at N = 4096 and 8192 in float32 on CUDA, in both evaluation orders (breadth first: every
   product of a level in one batched matmul; depth first: one product at a time), against
   ``torch.matmul`` on the same device: time ratio and relative error against a float64
   product -> ``gpu_fastmm.csv``.

Without a CUDA GPU it says so and runs a tiny CPU smoke version of the same three steps (a few
seconds; <2,2,2> rank 7, quick layers, N = 256 and 512), writes the same files and exits 0.
A step that fails prints its traceback and is recorded under ``errors`` in the config; the other
steps still run and the exit status is 1.
The tests run that smoke path. Files go to ``--out`` (default ``runs/gpu_check/`` under the
current folder); copy them to ``results/benchmarks/`` to commit them. A config file beside them
records the device, torch version and arguments; ``gpu_check.png`` draws the three tables.

    python benchmarks/gpu_check.py [--out DIR] [--budget 480] [--solver-seconds 60] [--smoke] [--steps solver layers fastmm]
    python benchmarks/gpu_check.py --figure-only --out DIR   # redraw gpu_check.png
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

import torch

from discovery._io import atomic_write_text, save_figure, write_csv
from discovery.circuits.fastmm import BlockMultiplier, relative_error
from discovery.circuits.symbolic import simplify_additions
from discovery.core.known import strassen, winograd
from discovery.core.transforms import kron
from discovery.formats import load_scheme
from discovery.search.solver import discover

STEPS = ("solver", "layers", "fastmm")
HERE = Path(__file__).resolve().parent
COLLECTION = HERE.parent.parent / "shared" / "data" / "fmm-collection" / "4x4x4_m49_ZT.json"


def _layer_benchmark():
    """benchmarks/layers.py as a module (the benchmarks folder is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_layers", HERE / "layers.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def solver_rows(devices: list[str], fmt: tuple[int, int, int], rank: int, seconds: float,
                seed: int) -> list[dict]:
    """The solver for ``seconds`` on each device (same seed, same restarts in the same order)."""
    rows = []
    for device in devices:
        with tempfile.TemporaryDirectory() as tmp:
            res = discover(*fmt, rank, restarts=None, time_limit=seconds, seed=seed, device=device,
                           out=tmp)
        rows.append(dict(
            format="x".join(map(str, fmt)), rank=rank, device=device, seed=seed,
            time_limit_s=seconds, restarts=res.restarts, found=res.distinct,
            success_rate=round(res.success_rate, 4),
            time_to_first_s=None if res.time_to_first_s is None else round(res.time_to_first_s, 3),
            distinct_per_min=round(60 * res.distinct / res.elapsed_s, 2), elapsed_s=round(res.elapsed_s, 2)))
        print(f"solver   {device:5s} <{fmt[0]},{fmt[1]},{fmt[2]}> r{rank}: {res.restarts} restarts, "
              f"{res.distinct} distinct verified, first after {rows[-1]['time_to_first_s']} s", flush=True)
    return rows


def layer_rows(devices: list[str], reps: int, quick: bool) -> list[dict]:
    bench = _layer_benchmark()
    rows = []
    for device in devices:
        for row in bench.run(torch.device(device), reps, quick):
            rows.append(row)
            print(f"layers   {device:5s} {row['case']}: forward x{row['fwd_ratio']}, "
                  f"forward+backward x{row['fwdbwd_ratio']} of dense", flush=True)
    return rows


def matmul_schemes() -> dict:
    """name -> simplified scheme: Winograd's variant and a rank-49 <4,4,4> scheme."""
    four = load_scheme(COLLECTION) if COLLECTION.exists() else kron(strassen(), strassen())
    name = COLLECTION.stem if COLLECTION.exists() else "strassen⊗strassen"
    return {"winograd": simplify_additions(winograd()), name: simplify_additions(four)}


def _timed(fn, device: str, reps: int) -> tuple[float, object]:
    """Best wall-clock seconds of ``reps`` calls (after one warm-up call) and the last result."""
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    out = fn()
    best = float("inf")
    for _ in range(reps):
        sync()
        t = time.perf_counter()
        out = fn()
        sync()
        best = min(best, time.perf_counter() - t)
    return best, out


def fastmm_rows(device: str, sizes: list[int], levels: list[int], reps: int, deadline: float,
                cutoff: int = 128) -> list[dict]:
    """fast_matmul (BlockMultiplier) against torch.matmul on ``device``, float32."""
    rows = []
    progs = matmul_schemes()
    g = torch.Generator().manual_seed(0)
    for N in sizes:
        A64 = torch.randn(N, N, generator=g, dtype=torch.float64).to(device)
        B64 = torch.randn(N, N, generator=g, dtype=torch.float64).to(device)
        ref = A64 @ B64
        A, B = A64.float(), B64.float()
        del A64, B64
        t_mm, C = _timed(lambda A=A, B=B: A @ B, device, reps)
        base_err = relative_error(C, ref)
        del C
        for name, ss in progs.items():
            for lv in levels:
                for order in ("breadth", "depth"):
                    if time.monotonic() > deadline:
                        print(f"fastmm   budget spent: skipping N={N} {name} levels={lv} {order}", flush=True)
                        continue
                    if N // ss.format[0] ** lv < 64:
                        continue
                    bm = BlockMultiplier(ss, lv, cutoff, batched=order == "breadth")
                    t, C = _timed(lambda bm=bm, A=A, B=B: bm(A, B), device, reps)
                    err = relative_error(C, ref)
                    del C
                    rows.append(dict(device=device, dtype="float32", N=N, scheme=name,
                                     rank=ss.multiplications, additions=ss.reduced_additions, levels=lv,
                                     order=order, cutoff=cutoff, t_scheme_s=round(t, 5),
                                     t_matmul_s=round(t_mm, 5), ratio=round(t / t_mm, 3),
                                     rel_error=f"{err:.2e}", matmul_rel_error=f"{base_err:.2e}"))
                    print(f"fastmm   {device:5s} N={N} {name} levels={lv} {order}-first: "
                          f"x{rows[-1]['ratio']} of torch.matmul, error {err:.1e} (matmul {base_err:.1e})",
                          flush=True)
        del A, B, ref
    return rows


def _read(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def figure(folder: Path) -> Path:
    """``gpu_check.png`` from the CSVs in ``folder``: solver throughput per device, layer time
    ratios (Strassen / dense) per device, fast_matmul time ratio to torch.matmul per N."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(15, 5.2))
    axes = fig.subplots(1, 3)
    ax = axes[0]
    if (folder / "gpu_solver.csv").exists():
        rows = _read(folder / "gpu_solver.csv")
        ax.bar([r["device"] for r in rows], [float(r["distinct_per_min"]) for r in rows],
               color=["tab:green" if r["device"] == "cuda" else "tab:gray" for r in rows])
        for i, r in enumerate(rows):
            ax.annotate(f"{r['restarts']} restarts\nfirst {r['time_to_first_s']} s", (i, 0),
                        xytext=(0, 4), textcoords="offset points", ha="center", fontsize=8)
        ax.set_title(f"solver <{rows[0]['format'].replace('x', ',')}> r{rows[0]['rank']}, "
                     f"{rows[0]['time_limit_s']} s each")
        ax.set_ylabel("distinct verified schemes per minute")
    ax = axes[1]
    if (folder / "gpu_layers.csv").exists():
        rows = _read(folder / "gpu_layers.csv")
        cases = list(dict.fromkeys(r["case"] for r in rows))
        devices = list(dict.fromkeys(r["device"] for r in rows))
        width = 0.8 / (2 * len(devices))
        for j, dev in enumerate(devices):
            by = {r["case"]: r for r in rows if r["device"] == dev}
            for k, (col, hatch) in enumerate((("fwd_ratio", ""), ("fwdbwd_ratio", "//"))):
                x = [i + (2 * j + k - len(devices) + 0.5) * width for i in range(len(cases))]
                ax.bar(x, [float(by[c][col]) if c in by else 0 for c in cases], width, hatch=hatch,
                       color="tab:green" if dev == "cuda" else "tab:gray", edgecolor="black",
                       label=f"{dev} {'forward' if not k else 'forward+backward'}")
        ax.axhline(1, color="black", lw=0.8)
        short = [c.split(",")[0].replace(" on ", "\non ") + ("," + c.split(",")[-1] if "p=" in c else "")
                 for c in cases]
        ax.set_xticks(range(len(cases)), short, fontsize=7)
        ax.set_ylabel("time, Strassen layer / dense layer")
        ax.set_title("layers (r = output width)")
        ax.legend(fontsize=7)
    ax = axes[2]
    if (folder / "gpu_fastmm.csv").exists():
        rows = _read(folder / "gpu_fastmm.csv")
        for key in dict.fromkeys((r["scheme"], r["levels"], r.get("order", "depth")) for r in rows):
            sel = [r for r in rows if (r["scheme"], r["levels"], r.get("order", "depth")) == key]
            ax.plot([int(r["N"]) for r in sel], [float(r["ratio"]) for r in sel],
                    "o-" if key[2] == "breadth" else "s--",
                    label=f"{key[0]}, {key[1]} level{'s' if key[1] != '1' else ''}, {key[2]} first")
        ax.axhline(1, color="black", lw=0.8)
        ax.set_yscale("log")
        ax.set_xscale("log", base=2)
        ax.set_xlabel("N (N x N float32)")
        ax.set_ylabel("time / torch.matmul (below 1: faster)")
        ax.set_title(f"fast_matmul on {rows[0]['device']}")
        ax.legend(fontsize=7, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    fig.tight_layout()
    return save_figure(fig, folder / "gpu_check.png")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=str(Path("runs") / "gpu_check"), help="output folder (created)")
    ap.add_argument("--budget", type=float, default=480.0, help="seconds for the whole check (default 480)")
    ap.add_argument("--solver-seconds", type=float, default=60.0, help="solver time per device (default 60)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--smoke", action="store_true", help="the tiny CPU run, even with a GPU")
    ap.add_argument("--figure-only", action="store_true",
                    help="only (re)draw gpu_check.png from the CSVs already in --out")
    ap.add_argument("--steps", nargs="+", choices=STEPS, default=list(STEPS),
                    help="the steps to run (default: all three)")
    args = ap.parse_args(argv)
    if args.budget <= 0 or args.solver_seconds <= 0:
        print("gpu_check: error: --budget and --solver-seconds must be positive", file=sys.stderr)
        return 2
    if args.figure_only:
        if not any((Path(args.out) / f"gpu_{k}.csv").exists() for k in STEPS):
            print(f"gpu_check: error: no gpu_*.csv in {args.out}; run the check first", file=sys.stderr)
            return 2
        print(figure(Path(args.out)))
        return 0
    t0 = time.monotonic()
    deadline = t0 + args.budget
    cuda = torch.cuda.is_available() and not args.smoke
    torch.manual_seed(args.seed)
    if cuda:
        devices, device = ["cuda", "cpu"], "cuda"
        plan = dict(fmt=(3, 3, 3), rank=23, seconds=args.solver_seconds, layer_reps=10, quick=False,
                    sizes=[4096, 8192], levels=[1, 2], mm_reps=3)
        print(f"GPU: {torch.cuda.get_device_name(0)}; budget {args.budget:.0f} s", flush=True)
    else:
        devices, device = ["cpu"], "cpu"
        plan = dict(fmt=(2, 2, 2), rank=7, seconds=min(2.0, args.solver_seconds), layer_reps=1,
                    quick=True, sizes=[256, 512], levels=[1], mm_reps=1)
        print("no CUDA GPU found" if not args.smoke else "--smoke", "-> a tiny CPU smoke run of the "
              "same steps (the real check needs a GPU)", flush=True)
    if not cuda:
        torch.set_num_threads(1)  # the smoke run is tiny: extra threads only wait on a busy machine
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)  # an explicit output folder: created here
    files, errors = [], []

    def step(name, fn):
        """Run one step; an error is printed and recorded, and the next step still runs."""
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - a failing step must not cost the others
            traceback.print_exc()
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
            print(f"{name}: FAILED ({errors[-1]}); going on with the next step", flush=True)
            return None

    rows = "solver" in args.steps and step("solver", lambda: solver_rows(devices, plan["fmt"], plan["rank"], plan["seconds"], args.seed))
    if rows:
        files.append(write_csv(out / "gpu_solver.csv", rows))
    if "layers" in args.steps and time.monotonic() < deadline:
        rows = step("layers", lambda: layer_rows(devices, plan["layer_reps"], plan["quick"]))
        if rows:
            files.append(write_csv(out / "gpu_layers.csv", rows))
    rows = "fastmm" in args.steps and step("fastmm", lambda: fastmm_rows(device, plan["sizes"], plan["levels"], plan["mm_reps"], deadline))
    if rows:
        files.append(write_csv(out / "gpu_fastmm.csv", rows))
    if files:
        fig = step("figure", lambda: figure(out))
        if fig:
            files.append(fig)
    config = {"cuda": cuda, "device_name": torch.cuda.get_device_name(0) if cuda else platform.processor(),
              "torch": torch.__version__, "python": platform.python_version(), "args": vars(args),
              "plan": {k: list(v) if isinstance(v, tuple) else v for k, v in plan.items()},
              "cpu_count": os.cpu_count(), "cpu_threads": torch.get_num_threads(),
              "errors": errors, "elapsed_s": round(time.monotonic() - t0, 1),
              "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    files.append(atomic_write_text(out / "gpu_check_config.json", json.dumps(config, indent=2) + "\n"))
    print(f"done in {config['elapsed_s']} s ({'GPU' if cuda else 'CPU smoke run'}): "
          + ", ".join(str(f) for f in files), flush=True)
    if errors:
        print(f"gpu_check: {len(errors)} step(s) failed: " + "; ".join(errors), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
