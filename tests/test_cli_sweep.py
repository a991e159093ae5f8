"""``discovery sweep`` and ``sweep-report``: bad input is one line and exit 2; a small sweep runs."""

from __future__ import annotations

import json

import pytest

from discovery.cli import main


@pytest.mark.parametrize("argv, words", [
    (["--formats", "2x2"], "malformed"),
    (["--formats", "2x2x2,axb"], "malformed"),
    (["--formats", "2x2x2", "--max-dim", "3"], "either"),
    ([], "either"),
    (["--max-dim", "9"], "max-dim"),
    (["--formats", "2x2x2", "--ranks", "9:7"], "empty"),
    (["--formats", "2x2x2", "--ranks", "7-9"], "malformed"),
    (["--formats", "2x2x2", "--budget", "0"], "budget"),
    (["--formats", "2x2x2", "--budget", "-5"], "budget"),
    (["--formats", "2x2x2", "--budget", "soon"], "budget"),
    (["--formats", "2x2x2", "--strategy", "magic"], "unknown strategy"),
    (["--formats", "2x2x2", "--workers", "0"], "workers"),
    (["--formats", "2x2x2", "--scheduler", "nowhere"], "malformed"),
])
def test_bad_input_is_one_line_and_exit_2(argv, words, capsys, tmp_path):
    code = main(["sweep", *argv, "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and words in err, err
    assert not (tmp_path / "o").exists()  # nothing started


def test_unreachable_scheduler_is_one_line(capsys, tmp_path, closed_port):
    code = main(["sweep", "--formats", "2x2x2", "--scheduler", f"tcp://127.0.0.1:{closed_port}",
                 "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "cannot reach a Dask scheduler" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o").exists()  # (how fast: tests/test_executor.py, the connect timeout)


def test_small_sweep_json_resume_and_report(capsys, tmp_path):
    out = tmp_path / "s"
    # flips: <2,2,2> goes from the standard 8 to 7 in milliseconds, so the cell ends at once
    argv = ["sweep", "--formats", "2x2x2", "--strategy", "flips", "--budget", "20", "--workers", "1",
            "--out", str(out), "--json"]
    assert main(argv + ["--quiet"]) == 0
    captured = capsys.readouterr()
    summary, text = json.loads(captured.out), captured.err.strip().splitlines()
    assert list(summary["best"]) == ["2x2x2"] and summary["best"]["2x2x2"]["rank"] == 7
    assert summary["stop"] == "done" and summary["config"]["formats"] == [[2, 2, 2]]
    assert [c["reached"] for c in summary["cells"]] == [True] and summary["cells"][0]["stop"] == "target"
    assert "<2,2,2>: rank 7 found, equal to the best known over ZT" in text[0]
    # another sweep's settings in the same folder: one line, exit 2
    assert main(["sweep", "--formats", "2x2x2", "--strategy", "flips", "--budget", "3", "--out", str(out),
                 "--quiet"]) == 2
    assert "holds another sweep" in capsys.readouterr().err
    assert main(["sweep-report", str(out), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rows[0]["found_rank"] == 7 and rows[0]["best_known_ZT"] == 7 and rows[0]["lower_bound"] == 7
    assert main(["sweep-report", str(tmp_path)]) == 2


def test_the_sweep_says_what_lay_outside_the_cells_budgets(capsys, tmp_path):
    out = tmp_path / "s"
    argv = ["sweep", "--formats", "2,2,2", "--strategy", "flips", "--budget", "20", "--workers", "1",
            "--out", str(out), "--json", "--quiet"]  # "2,2,2": the key syntax is a format too
    assert main(argv) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["config"]["formats"] == [[2, 2, 2]] and summary["resumed"] == 0
    assert summary["startup_s"] >= 0 and 0 < summary["cells_s"] <= summary["elapsed_s"]
    line = captured.err.strip().splitlines()[-1]
    assert line.startswith("time: 1 cell(s) of 20 s budget each took ") and "outside the budgets: " in line
    assert "starting the workers" in line and line.endswith(" s in all")
    assert main(argv) == 0  # resumed: nothing ran
    assert "time: no cell ran (all 1 had finished before)" in capsys.readouterr().err
