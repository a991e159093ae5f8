"""benchmarks/flips_walkers.py: its quick run writes a row per (walkers, seed), the figure and
the verified schemes, and the same (seed, walkers) walks the same flips in a second process."""

import csv
import subprocess
import sys
from pathlib import Path

from discovery.core.verify import verify
from discovery.formats import load_scheme

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, name):
    out = tmp_path / name
    out.mkdir()
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "flips_walkers.py"), "--quick",
                           "--out", str(out / "w.csv"), "--schemes", str(out / "schemes")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out / "w.csv") as f:
        return out, list(csv.DictReader(f))


def test_quick_run_rows_figure_schemes_and_replay(tmp_path):
    out, rows = _run(tmp_path, "a")
    assert [(r["walkers"], r["seed"]) for r in rows] == [("2", "0"), ("2", "1"), ("4", "0"), ("4", "1")]
    assert all(r["format"] == "3x3x3" and r["target"] == "23" for r in rows)
    assert (out / "w.png").stat().st_size > 1000 and (out / "w_config.json").exists()
    reached = [r for r in rows if r["reached"] == "True"]
    files = sorted((out / "schemes").glob("*.json"))
    assert len(files) == len(reached)
    for f in files:
        s = load_scheme(f)
        assert s.rank == 23 and verify(s).ok
    # the walk depends on (seed, walkers) only: a second process does the same flips
    _, again = _run(tmp_path, "b")
    assert [(r["best_rank"], r["flips"]) for r in again] == [(r["best_rank"], r["flips"]) for r in rows]


def test_default_output_goes_under_runs_of_the_current_folder(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "flips_walkers.py"), "--quick"],
                          cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "runs" / "benchmarks" / "flips_walkers.csv").exists()
