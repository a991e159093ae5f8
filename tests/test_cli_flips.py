"""`discovery flip` on small formats: exit codes, JSON, bad input."""

import json

import pytest

import discovery as d
from discovery.cli import main


def _last_json(capsys):
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_flip_reaches_the_target_and_writes_verified_schemes(tmp_path, capsys):
    out = tmp_path / "f"
    code = main(["flip", "3", "3", "3", "--target-rank", "23", "--time-limit", "120", "--walkers", "2",
                 "--out", str(out), "--quiet", "--json"])
    summary = _last_json(capsys)
    assert code == 0 and summary["best_rank"] == 23 and summary["new"] >= 1
    assert {"best_rank", "time_to_best_s", "flips_per_s", "attempts", "walks", "distinct", "levels",
            "stop", "elapsed_s", "config", "out"} <= set(summary)
    assert summary["stop"] == "target" and summary["config"]["pool_size"] >= 1
    best = sorted(out.glob("r23-*.json"))
    assert best and d.verify(d.load_scheme(best[0])).ok
    assert main(["verify", *map(str, out.glob("*.json"))]) == 0  # the run record is skipped
    # a rerun into the folder resumes from it and counts what the folder holds
    held = len(list(out.glob("r[0-9]*-*.json")))
    assert main(["flip", "3", "3", "3", "--time-limit", "1", "--walkers", "1", "--out", str(out), "--quiet"]) == 1
    assert f"{held} held" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["flip", "2", "2", "2", "--walkers", "0"], "--walkers"),
    (["flip", "2", "2", "2", "--target-rank", "8"], "not below"),
    (["flip", "17", "16", "2"], "too large"),
    (["flip", "2", "2", "2", "--target-rank", "6"], "lower bound 7"),
    (["flip", "2", "2", "2", "--pool-size", "0"], "--pool-size"),
    (["flip", "2", "2", "2", "--path-limit", "-1"], "--path-limit"),
    (["flip", "2", "2", "2", "--select", "best"], "pool selection"),
    (["flip", "2", "2", "2", "--ring", "Q"], "ring"),
    (["flip", "2", "2", "2", "--time-limit", "-1"], "time-limit"),
])
def test_flip_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_flip_refuses_a_corrupted_start(tmp_path, capsys):
    s = d.strassen()
    u = s.u.copy()
    u[3, 1] = -u[3, 1] if u[3, 1] else 1
    path = tmp_path / "bad.json"
    d.save_scheme(d.Scheme.from_rows(2, 2, 2, u, s.v, s.w), path)
    assert main(["flip", "2", "2", "2", "--from", str(path), "--out", str(tmp_path / "o")]) == 1  # wrong: exit 1
    assert "not a valid start" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
