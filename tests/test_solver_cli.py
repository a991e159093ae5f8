"""Tests for ``discovery discover``: bad input (one line, exit 2), JSON summary, exit codes."""

import json
from pathlib import Path

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


def test_json_summary_is_the_one_document_and_exit_codes(capsys, tmp_path):
    code = main(["discover", "2", "2", "2", "--rank", "7", "--restarts", "4", "--quiet",
                 "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["distinct"] >= 1
    for key in ("distinct", "stop", "config", "restarts", "success_rate", "time_to_first_s", "rejected", "out"):
        assert key in summary
    assert summary["out"] == str(tmp_path) and summary["restarts"] == 4

    code = main(["discover", "2", "2", "2", "--rank", "5", "--restarts", "4", "--quiet",
                 "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 1 and summary["distinct"] == 0 and summary["time_to_first_s"] is None
    assert summary["best_residual"] > 0


def test_default_output_folder_is_under_runs_and_best_is_named(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(["discover", "2", "2", "2", "--rank", "7", "--restarts", "8", "--quiet", "--json"])
    captured = capsys.readouterr()
    summary, out = json.loads(captured.out), captured.err.strip().splitlines()  # the human lines: stderr
    folder = tmp_path / "runs" / "discover" / "2x2x2"
    assert code == 0 and summary["out"] == str(Path("runs") / "discover" / "2x2x2")
    assert folder.is_dir() and not (tmp_path / "results").exists()
    # the best scheme: lowest rank, then fewest additions, among the files written
    from discovery.formats import load_scheme

    found = [load_scheme(tmp_path / f) for f in summary["paths"]]
    best = load_scheme(tmp_path / summary["best"])
    assert summary["stop"] == "budget" and summary["best"] in summary["paths"]
    assert (best.rank, best.counts().additions) == min((s.rank, s.counts().additions) for s in found)
    assert f"best scheme: rank {best.rank}, {best.counts().additions} additions" in "\n".join(out)
    assert summary["best"] in out[-2] and "stopped by the work budget" in out[0]


def test_time_limit_alone_is_a_budget(capsys, tmp_path, monkeypatch):
    import discovery.search.solver as solver

    seen = []
    real = solver.run_search
    monkeypatch.setattr(solver, "run_search", lambda config, **kw: seen.append(config) or real(config, **kw))
    code = main(["discover", "2", "2", "2", "--rank", "7", "--time-limit", "1.5", "--quiet", "--json",
                 "--out", str(tmp_path)])
    captured = capsys.readouterr()
    summary, err = json.loads(captured.out), captured.err.strip().splitlines()
    # no restart count: the run goes on (not 64 restarts) until the time is up
    assert seen[0].restarts is None and seen[0].time_limit == 1.5
    assert code == 0 and summary["stop"] == "time" and summary["restarts"] >= 4
    assert summary["elapsed_s"] >= 1.4 and "stopped by the time limit of 1.5 s" in err[0]
    # with both, whichever comes first stops the run, and the summary says which
    code = main(["discover", "2", "2", "2", "--rank", "7", "--time-limit", "60", "--restarts", "4",
                 "--quiet", "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert summary["stop"] == "budget" and summary["restarts"] == 4 and seen[1].restarts == 4
    # the same on an executor (local worker processes)
    code = main(["discover", "2", "2", "2", "--rank", "7", "--time-limit", "3", "--workers", "1",
                 "--quiet", "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["stop"] == "time" and summary["restarts"] >= 4
    # the library refuses an unbounded run
    from discovery.search.solver._config import SolverConfig, SolverConfigError

    with pytest.raises(SolverConfigError, match="needs a time_limit"):
        SolverConfig(2, 2, 2, 7, restarts=None)


def test_a_format_too_large_for_memory_is_one_line(capsys, tmp_path):
    code = main(["discover", "30", "30", "30", "--rank", "5000", "--force", "--time-limit", "5",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "needs about" in err and "free" in err and not (tmp_path / "o").exists()


def test_memory_estimate_shrinks_the_batch_or_refuses():
    from discovery.search.solver._config import SolverConfig, SolverConfigError
    from discovery.search.solver._memory import estimate_bytes, fit_batch

    c = SolverConfig(4, 4, 4, 49)
    shared, per = estimate_bytes(c)
    assert shared == 2 * 16 ** 3 * 8  # the target tensor and its integer source
    assert fit_batch(c, 64, "cpu", available=10 * 2**30) == 64
    budget = int((shared + 5 * per) / 0.8) + 1  # room for five restarts
    assert fit_batch(c, 64, "cpu", available=budget) == 5
    with pytest.raises(SolverConfigError, match="needs about"):
        fit_batch(c, 64, "cpu", available=shared)


def test_discover_on_executors_bad_scheduler_and_workers(capsys, tmp_path):
    assert main(["discover", "2", "2", "2", "--rank", "7", "--scheduler", "nowhere", "--out", str(tmp_path)]) == 2
    assert "malformed" in capsys.readouterr().err
    assert main(["discover", "2", "2", "2", "--rank", "7", "--workers", "0", "--out", str(tmp_path)]) == 2
    assert "workers" in capsys.readouterr().err
    code = main(["discover", "2", "2", "2", "--rank", "7", "--restarts", "8", "--workers", "1", "--quiet",
                 "--json", "--out", str(tmp_path)])
    summary = json.loads(capsys.readouterr().out)
    assert code == 0 and summary["restarts"] == 8 and summary["lost_batches"] == 0
