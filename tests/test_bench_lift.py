"""benchmarks/lift.py: a small run writes one row per (scheme, method), its config and the figure."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_small_run_rows_config_figure(tmp_path, shared_data):
    out = tmp_path / "lift.csv"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "lift.py"), "--cases", "z3", "555",
                           "--methods", "packed", "packed-plain", "--out", str(out)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "DISCOVERY_SHARED_DATA": str(shared_data)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    with open(out) as f:
        rows = list(csv.DictReader(f))
    assert [(r["case"], r["method"]) for r in rows] == [("z3", "packed"), ("555", "packed"), ("555", "packed-plain")]
    assert all(r["ok"] == "True" for r in rows) and rows[0]["prime"] == "3"
    assert rows[1]["symmetry"] == "cyclic" and int(rows[1]["unknowns"]) * 3 == int(rows[2]["unknowns"])
    assert float(rows[1]["peak_mb"]) >= float(rows[1]["before_mb"]) > 0
    assert json.loads((tmp_path / "lift_config.json").read_text())["cases"] == ["z3", "555"]
    assert (tmp_path / "lift.png").stat().st_size > 0
