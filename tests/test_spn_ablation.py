"""The SPN ablation script runs end to end in its --quick setting (about 10 s) and writes its outputs."""

import csv
import json
import sys
from pathlib import Path

import pytest

EXP = Path(__file__).resolve().parents[1] / "experiments"


@pytest.fixture(autouse=True)
def _path(monkeypatch):
    monkeypatch.syspath_prepend(str(EXP))
    yield
    sys.modules.pop("spn_ablation", None)


def test_quick_ablation_writes_table_figure_and_config(tmp_path):
    import spn_ablation

    assert spn_ablation.main(["--quick", "--out", str(tmp_path)]) == 0
    with open(tmp_path / "tables" / "spn_ablation.csv") as f:
        rows = {r["variant"]: r for r in csv.DictReader(f)}
    assert list(rows) == list(spn_ablation.QUICK_VARIANTS)
    full = rows[spn_ablation.SGD]
    assert int(full["verified"]) >= 1 and full["format"] == "2x2x2" and full["rank"] == "7"
    assert int(rows[spn_ablation.PAPER]["samples_per_restart"]) > 0
    assert (tmp_path / "figures" / "spn_ablation.png").stat().st_size > 1000
    cfg = json.loads((tmp_path / "tables" / "spn_ablation_config.json").read_text())
    assert cfg["config"]["quick"] is True and cfg["config"]["seed"] == 0


@pytest.mark.parametrize("args, word", [
    (["--restarts", "0"], "--restarts must be a positive integer"),
    (["--formats", "2x2x2"], "NxMxP:R"), (["--big-formats", "3x3:23"], "NxMxP:R"),
])
def test_bad_input_is_refused(args, word, tmp_path, capsys):
    import spn_ablation

    with pytest.raises(SystemExit) as exc:
        spn_ablation.main(["--quick", "--out", str(tmp_path)] + args)
    assert exc.value.code == 2 and word in capsys.readouterr().err
    assert not (tmp_path / "tables").exists()  # refused before any work
