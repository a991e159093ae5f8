"""`discovery lift`: exit codes, JSON, the default output folder, bad input before any work."""

import json

import numpy as np
import pytest

import discovery as d
from discovery.cli import main
from tests._lift_helpers import mod_p


def test_lift_writes_an_exact_scheme_and_says_where(shared_data, tmp_path, capsys):
    f2 = shared_data / "alphatensor" / "factorizations_f2.npz"
    out = tmp_path / "l.json"
    assert main(["lift", str(f2), "--key", "3,3,3", "--out", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)  # with --json, stdout is one JSON document
    assert summary["ok"] and summary["outcome"] == "lifted" and summary["out"] == str(out)
    assert "lifted to an exact scheme" in captured.err and f"written to {out}" in captured.err
    s = d.load_scheme(out)
    assert d.verify(s, "Q").ok and s.rank == 23
    assert main(["lift", str(f2), "--key", "4,4,4", "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["outcome"] == "no_lift" and summary["stop"] == "infeasible" and summary["failed_step"] == 1 and summary["out"] is None
    assert main(["lift", str(f2)]) == 2  # 20 schemes and no --key


def test_lift_default_output_is_under_runs_lift(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "w2.json"
    d.save_scheme(mod_p(d.winograd(), 2), src)
    assert main(["lift", str(src)]) == 0
    out = capsys.readouterr().out
    files = list((tmp_path / "runs" / "lift").glob("2x2x2-r7-ZT-*.json"))
    assert len(files) == 1 and f"written to {files[0].relative_to(tmp_path)}" in out
    assert d.verify(d.load_scheme(files[0]), "ZT").ok


def test_lift_of_an_exact_scheme_leaves_it_unchanged(shared_data, tmp_path, capsys):
    src = shared_data / "fmm-collection" / "3x3x3_m23_Z.json"
    out = tmp_path / "same.json"
    assert main(["lift", str(src), "--out", str(out)]) == 0
    assert "already exact over Z" in capsys.readouterr().out
    assert d.load_scheme(out).rows() == d.load_scheme(src).rows()


def test_lift_modulo_3(tmp_path, capsys):
    q = d.sandwich(d.winograd(), [[1, 1], [1, -1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
    src = tmp_path / "w3.json"
    d.save_scheme(mod_p(q, 3), src)  # declares Z3
    out = tmp_path / "q.json"
    assert main(["lift", str(src), "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["prime"] == 3 and summary["ring"] == "Q" and d.verify(d.load_scheme(out)).ok
    assert main(["lift", str(src), "--ring", "Z2"]) == 2  # not valid modulo 2: bad input, before any work
    assert "not valid modulo 2" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--out", "/etc/passwd/x.json"], "/etc/passwd is a file, not a folder"),
    (["--out", "{tmp}/missing/x.json"], "does not exist"),
    (["--out", "{tmp}"], "is a folder"),
    (["--out", "{tmp}/x.csv"], "unknown extension"),
    (["--ring", "Q"], "Z2 or Z3"),
    (["--attempts", "0"], "--attempts"),
    (["--time-limit", "-1"], "--time-limit"),
    (["--symmetry", "mirror"], "symmetry must be"),
])
def test_lift_bad_input_is_one_line_before_any_work(tmp_path, capsys, argv, message):
    src = tmp_path / "w2.json"
    d.save_scheme(mod_p(d.winograd(), 2), src)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(["lift", str(src), *argv]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and "lifted" not in captured.out  # refused first
