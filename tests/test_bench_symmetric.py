"""benchmarks/symmetric.py: a quick run writes its row, config, figure and the best schemes (verified)."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import discovery as d

ROOT = Path(__file__).resolve().parents[1]


def test_quick_run_rows_config_figure_schemes(tmp_path):
    out = tmp_path / "symmetric.csv"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "symmetric.py"), "--quick", "--out", str(out),
                           "--schemes", str(tmp_path / "schemes"), "--store", str(tmp_path / "store")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out) as f:
        (row,) = list(csv.DictReader(f))
    assert row["format"] == "3x3x3" and row["best_rank"] == "23" and row["start_rank"] == "32"
    assert int(row["runs"]) == sum(int(x.split(":")[1]) for x in row["ranks"].split(";"))
    assert row["lifted_ring"] in ("ZT", "Z", "Q") and row["lifted_rank"] == "23"
    assert json.loads((tmp_path / "symmetric_config.json").read_text())["formats"] == [3]
    assert (tmp_path / "symmetric.png").stat().st_size > 0
    z2 = d.load_symmetric(tmp_path / "schemes" / "3x3x3-r23-z2-cyclic.json")
    assert z2.rank == 23 and d.verify(z2.expand(), "Z2").ok
    lifted = d.load_scheme(tmp_path / "schemes" / f"3x3x3-r23-{row['lifted_ring'].lower()}.json")
    assert lifted.ring != "Z2" and d.verify(lifted, "Q").ok and d.detect_symmetry(lifted, "cyclic") is not None
