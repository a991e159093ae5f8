"""benchmarks/gpu_check.py: without a GPU (or with --smoke) a tiny CPU run of the same steps."""

import csv
import subprocess
import sys
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]


def _rows(path: Path) -> list[dict]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def test_gpu_check_smoke_run(tmp_path):
    out = tmp_path / "gpu"
    argv = [sys.executable, str(ROOT / "benchmarks" / "gpu_check.py"), "--out", str(out)]
    if torch.cuda.is_available():  # the real check takes minutes: the suite runs the smoke path
        argv.append("--smoke")
    proc = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=180,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert ("no CUDA GPU found" if not torch.cuda.is_available() else "--smoke") in proc.stdout
    assert "CPU smoke run" in proc.stdout
    solver = _rows(out / "gpu_solver.csv")
    assert [r["device"] for r in solver] == ["cpu"] and solver[0]["format"] == "2x2x2"
    assert int(solver[0]["restarts"]) > 0
    layers = _rows(out / "gpu_layers.csv")
    assert len(layers) == 4 and all(float(r["fwd_ratio"]) > 0 for r in layers)
    mm = _rows(out / "gpu_fastmm.csv")
    assert {r["scheme"] for r in mm} >= {"winograd"} and {int(r["N"]) for r in mm} == {256, 512}
    assert {r["order"] for r in mm} == {"breadth", "depth"}
    # float32 block products stay close to the float64 reference
    assert all(float(r["rel_error"]) < 1e-4 and float(r["ratio"]) > 0 for r in mm)
    config = __import__("json").loads((out / "gpu_check_config.json").read_text())
    assert config["errors"] == [] and config["cuda"] is False
    assert not (tmp_path / "runs").exists()  # --out was honoured


def test_gpu_check_reports_a_failing_step_and_runs_the_others(tmp_path):
    """A step that breaks is recorded (exit 1) and does not cost the steps after it."""
    out = tmp_path / "gpu"
    script = (f"import sys, runpy; sys.argv = ['gpu_check', '--smoke', '--out', {str(out)!r}, "
              "'--steps', 'solver', 'fastmm']; "
              f"g = runpy.run_path({str(ROOT / 'benchmarks' / 'gpu_check.py')!r}, run_name='gpu_check'); "
              "g['solver_rows'].__globals__['discover'] = None; sys.exit(g['main']())")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          timeout=180, env={**__import__("os").environ, "PYTHONPATH": str(ROOT),
                                            "OMP_NUM_THREADS": "1"})
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "solver: FAILED" in proc.stdout and "1 step(s) failed" in proc.stderr
    config = __import__("json").loads((out / "gpu_check_config.json").read_text())
    assert len(config["errors"]) == 1 and config["errors"][0].startswith("solver: TypeError")
    assert not (out / "gpu_solver.csv").exists() and not (out / "gpu_layers.csv").exists()
    assert {int(r["N"]) for r in _rows(out / "gpu_fastmm.csv")} == {256, 512}
