"""Tests for ``discovery discover``: bad input (one line, exit 2), JSON summary, exit codes."""

import json

import pytest

from discovery.cli import main


@pytest.mark.parametrize("argv", [
    ["2", "x", "2", "--rank", "7"],
    ["2", "2", "2", "--rank", "0"],
    ["2", "2", "-1", "--rank", "7"],
    ["2", "2", "2", "--rank", "7", "--strategy", "magic"],
    ["2", "2", "2", "--rank", "7", "--device", "tpu"],
    ["40", "40", "40", "--rank", "7"],
    ["2", "2", "2", "--rank", "7", "--time-limit", "soon"],
    ["2", "2", "2", "--rank", "7", "--restarts", "0"],
    ["2", "2", "2"],
])
def test_bad_input_is_one_line_and_exit_2(argv, capsys, tmp_path):
    code = main(["discover", *argv, "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "error" in err
    assert not (tmp_path / "o").exists()  # no work started


def test_unwritable_output_folder_is_refused(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code = main(["discover", "2", "2", "2", "--rank", "7", "--out", str(blocker / "sub")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_json_summary_is_last_line_and_exit_codes(capsys, tmp_path):
    code = main(["discover", "2", "2", "2", "--rank", "7", "--restarts", "4", "--quiet",
                 "--json", "--out", str(tmp_path)])
    out = capsys.readouterr().out.strip().splitlines()
    summary = json.loads(out[-1])
    assert code == 0 and summary["found"] >= 1
    for key in ("found", "restarts", "success_rate", "time_to_first_s", "rejected", "out"):
        assert key in summary
    assert summary["out"] == str(tmp_path) and summary["restarts"] == 4

    code = main(["discover", "2", "2", "2", "--rank", "5", "--restarts", "4", "--quiet",
                 "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 1 and summary["found"] == 0 and summary["time_to_first_s"] is None
    assert summary["best_residual"] > 0


def test_discover_on_executors_bad_scheduler_and_workers(capsys, tmp_path):
    assert main(["discover", "2", "2", "2", "--rank", "7", "--scheduler", "nowhere", "--out", str(tmp_path)]) == 2
    assert "malformed" in capsys.readouterr().err
    assert main(["discover", "2", "2", "2", "--rank", "7", "--workers", "0", "--out", str(tmp_path)]) == 2
    assert "workers" in capsys.readouterr().err
    code = main(["discover", "2", "2", "2", "--rank", "7", "--restarts", "8", "--workers", "1", "--quiet",
                 "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert code == 0 and summary["restarts"] == 8 and summary["lost_batches"] == 0
