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
    assert code == 0 and summary["best_rank"] == 23 and summary["found"] >= 1
    assert {"best_rank", "time_to_best_s", "flips_per_s", "found", "out"} <= set(summary)
    best = sorted(out.glob("r23-*.json"))
    assert best and d.verify(d.load_scheme(best[0])).ok
    assert main(["verify", *map(str, out.glob("*.json"))]) == 0  # the run record is skipped


@pytest.mark.parametrize("argv, message", [
    (["flip", "2", "2", "2", "--walkers", "0"], "--walkers"),
    (["flip", "2", "2", "2", "--target-rank", "8"], "not below"),
    (["flip", "9", "8", "2"], "too large"),
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
