"""Scheme-based block multiplication against the BLAS product (numpy.matmul, torch.matmul).

For square sizes N (1024 ... 8192), float32 and float64, 1-2 recursion levels, and the schemes
Strassen (18 additions), Winograd's variant (15), Winograd in the alternative basis (12 core
additions), Strassen⊗Strassen (<4,4,4> rank 49), Winograd⊗Winograd plainly (286) and with the
fewest additions (159), the collection's ternary rank-49 <4,4,4> scheme, and the <3,3,3> rank-23
scheme of ``results/schemes/additions`` plainly and reduced, it times
:class:`discovery.circuits.fastmm.BlockMultiplier` and the plain product on the same inputs and reports

* ``ratio`` = time(scheme) / time(matmul) (below 1: the scheme is faster), wall clock;
  ``cpu_ratio`` the same with this process's CPU time, which other processes on a shared
  machine disturb much less (with one thread it is the figure to read; with several threads
  spin-waiting inflates it),
* ``rel_error`` = max|C - C64| / max|C64| against the float64 product (``base_error``: the same
  for matmul in that dtype).

Each configuration is timed ``--reps`` times alternating with matmul (best of each kept; sizes
>= 4096 once), so each ratio compares adjacent timings. Prints a table and
writes ``results/benchmarks/fastmm.csv``. On a shared 2-core machine timings are pessimistic
and noisy; run it alone (``nice``) for numbers worth quoting. Under contention, one BLAS thread
(``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` and ``--threads 1``) gives steadier ratios: many
small multi-threaded BLAS calls suffer far more from oversubscription than one big call.

    python benchmarks/fastmm.py [--quick] [--max-size 8192] [--backends numpy,torch] [--threads 2]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import time
from pathlib import Path

import numpy as np

from discovery._io import write_csv
from discovery.circuits.fastmm import BlockMultiplier, relative_error
from discovery.core.known import strassen, winograd
from discovery.core.scheme import Scheme
from discovery.circuits.symbolic import plain, simplify_additions
from discovery.core.transforms import kron

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = ROOT.parent / "shared" / "data" / "fmm-collection" / "4x4x4_m49_ZT.json"


ADDITIONS = ROOT / "results" / "schemes" / "additions"
SCHEME_NAMES = ("strassen", "winograd", "winograd-basis", "strassen⊗strassen", "winograd⊗winograd-plain",
                "winograd⊗winograd", "4x4x4_m49_ZT", "3x3x3-plain", "3x3x3-reduced")


def schemes() -> dict:
    """name -> SimplifiedScheme or AlternativeBasis (programs verified).

    Pairs ``X-plain`` / ``X`` (or ``X-reduced``) run the same scheme with the plain evaluation and
    with the fewest-additions program (:mod:`discovery.circuits.cse`; for <3,3,3> the program in
    ``results/schemes/additions``); ``winograd-basis`` is Winograd in the alternative basis
    (12 core additions, :mod:`discovery.circuits.basis`)."""
    from discovery.circuits.basis import alternative_basis

    ww = kron(winograd(), winograd())
    out = {"strassen": plain(strassen()), "winograd": simplify_additions(winograd()),
           "winograd-basis": alternative_basis(winograd()),
           "strassen⊗strassen": simplify_additions(kron(strassen(), strassen())),
           "winograd⊗winograd-plain": plain(ww), "winograd⊗winograd": simplify_additions(ww)}
    if COLLECTION.exists():
        from discovery.formats import load_scheme

        s: Scheme = load_scheme(COLLECTION)
        out["4x4x4_m49_ZT"] = simplify_additions(s)
    reduced = sorted(ADDITIONS.glob("3x3x3_m23_cr*_reduced.json"))
    if reduced:
        from discovery.formats import read_reduced

        ss = read_reduced(reduced[0])
        out["3x3x3-plain"], out["3x3x3-reduced"] = plain(ss.scheme), ss
    return out


def _additions(prog) -> int:
    return prog.core_additions if hasattr(prog, "core_additions") else prog.reduced_additions


def _best_time(fn, reps: int, sync=lambda: None) -> tuple[float, float, object]:
    """Best wall-clock and best CPU time (this process, all its threads) of ``reps`` calls."""
    wall, cpu, result = float("inf"), float("inf"), None
    for _ in range(reps):
        sync()
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        sync()
        wall, cpu = min(wall, time.perf_counter() - t), min(cpu, time.process_time() - c)
    return wall, cpu, result


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="sizes 512 and 1024, one level, one rep")
    ap.add_argument("--max-size", type=int, default=8192)
    ap.add_argument("--sizes", default="1024,2048,4096,8192")
    ap.add_argument("--dtypes", default="float32,float64")
    ap.add_argument("--levels", default="1,2")
    ap.add_argument("--backends", default="numpy,torch")
    ap.add_argument("--cutoff", type=int, default=128, help="BLAS below this block size")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: torch default)")
    ap.add_argument("--device", default="cpu", help="torch device (cpu, cuda)")
    ap.add_argument("--schemes", default="", help="comma-separated subset of: " + ", ".join(SCHEME_NAMES))
    ap.add_argument("--append", action="store_true", help="add rows to an existing CSV")
    ap.add_argument("--out", default=str(ROOT / "results" / "benchmarks" / "fastmm.csv"))
    args = ap.parse_args(argv)
    sizes = [512, 1024] if args.quick else [int(x) for x in args.sizes.split(",")]
    sizes = [s for s in sizes if s <= args.max_size]
    levels = [1] if args.quick else [int(x) for x in args.levels.split(",")]
    backends = args.backends.split(",")
    progs = schemes()
    if args.schemes:
        progs = {k: v for k, v in progs.items() if k in args.schemes.split(",")}
    if "torch" in backends:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)
    rows = _read(args.out) if args.append else []
    header = f"{'backend':7} {'dtype':8} {'N':>5} {'scheme':18} {'lv':>2} {'adds':>4} {'t_scheme':>9} {'t_matmul':>9} {'ratio':>6} {'cpu_rat':>7} {'rel_err':>9} {'base_err':>9}"
    print(header, flush=True)
    rng = np.random.default_rng(0)
    for N in sizes:
        reps = 1 if N >= 4096 else (1 if args.quick else args.reps)
        A64, B64 = rng.standard_normal((N, N)), rng.standard_normal((N, N))
        ref = A64 @ B64
        for dtype in args.dtypes.split(","):
            for backend in backends:
                A, B = A64.astype(dtype), B64.astype(dtype)
                sync = lambda: None  # noqa: E731
                if backend == "torch":
                    import torch

                    A, B = torch.from_numpy(A).to(args.device), torch.from_numpy(B).to(args.device)
                    if args.device.startswith("cuda"):
                        sync = torch.cuda.synchronize
                _, _, C = _best_time(lambda: A @ B, 1, sync)
                base_err = relative_error(C, ref)
                del C
                for name, ss in progs.items():
                    for lv in levels:
                        if N // ss.format[0] ** lv < 64:
                            continue
                        bm = BlockMultiplier(ss, lv, args.cutoff)
                        # matmul timed right before the scheme, alternating: the machine's load
                        # drifts, and a ratio of adjacent timings is far steadier.
                        t, t_base, c, c_base = (float("inf"),) * 4
                        for _ in range(reps):
                            w0, c0, _ = _best_time(lambda: A @ B, 1, sync)
                            w1, c1, C = _best_time(lambda: bm(A, B), 1, sync)
                            t, t_base, c, c_base = min(t, w1), min(t_base, w0), min(c, c1), min(c_base, c0)
                        err = relative_error(C, ref)
                        del C
                        row = dict(backend=backend, device=args.device if backend == "torch" else "cpu",
                                   dtype=dtype, N=N, scheme=name, rank=ss.multiplications,
                                   additions=_additions(ss), levels=lv, cutoff=args.cutoff,
                                   t_scheme=round(t, 4), t_matmul=round(t_base, 4), ratio=round(t / t_base, 3),
                                   cpu_scheme=round(c, 4), cpu_matmul=round(c_base, 4),
                                   cpu_ratio=round(c / c_base, 3),
                                   rel_error=f"{err:.2e}", base_error=f"{base_err:.2e}",
                                   blas_threads=os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                                   torch_threads=args.threads or "default", machine=platform.node())
                        rows.append(row)
                        print(f"{backend:7} {dtype:8} {N:5d} {name:18} {lv:2d} {row['additions']:4d} "
                              f"{t:9.3f} {t_base:9.3f} {row['ratio']:6.2f} {row['cpu_ratio']:7.2f} {err:9.2e} {base_err:9.2e}",
                              flush=True)
                        write_csv(args.out, rows)


def _read(path: str) -> list[dict]:
    p = Path(path)
    if not p.exists():
        return []
    with p.open(newline="") as f:
        return list(csv.DictReader(f))


if __name__ == "__main__":
    main()
