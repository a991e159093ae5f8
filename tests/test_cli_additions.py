"""``discovery additions`` and ``discovery simplify --method``: results, resume, bad input."""

import json

import pytest

import discovery as d
from discovery import save_scheme
from discovery.circuits.symbolic import simplify_additions
from discovery.cli import main
from discovery.core.scheme import Scheme
from discovery.formats import read_reduced, to_reduced


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def start_223(tmp_path):
    """A <2,2,3> rank-11 scheme: Winograd beside the standard <2,2,1> (15 + 2 additions)."""
    s = d.direct_sum(d.winograd(), d.standard(2, 2, 1), "p")
    path = tmp_path / "starts" / "s223.json"
    path.parent.mkdir()
    save_scheme(s, path)
    return path


def test_additions_search_writes_a_verified_program_and_resumes(start_223, tmp_path, capsys):
    out = tmp_path / "run"
    code, stdout, _ = run(capsys, "additions", 2, 2, 3, "--rank", 11, "--from", start_223.parent, "--no-known",
                          "--search", 2, "--workers", 1, "--quiet", "--out", out, "--json")
    assert code == 0
    res = json.loads(stdout.strip().splitlines()[-1])
    best = read_reduced(out / "best_reduced.json")
    assert best.reduced_additions == res["additions"] <= 17 and best.multiplications == 11
    assert json.loads((out / "best_reduced.json").read_text())["complexity"]["reduced"] == res["additions"]
    state = json.loads((out / "state.json").read_text())
    assert state["rounds"] == res["rounds"] >= 1 and (out / "config.json").exists()
    assert all(p.stem in state["pool"] for p in (out / "pool").glob("*.json"))
    code, stdout, _ = run(capsys, "additions", 2, 2, 3, "--rank", 11, "--from", start_223.parent, "--no-known",
                          "--search", 1, "--workers", 1, "--quiet", "--out", out, "--json", "--target", 1)
    again = json.loads(stdout.strip().splitlines()[-1])
    assert code == 1 and again["rounds"] > res["rounds"] and again["additions"] <= res["additions"]


@pytest.mark.parametrize("budget", ["0", "-3", "abc", "inf"])
def test_bad_budget_is_one_line_and_writes_nothing(start_223, tmp_path, capsys, budget):
    out = tmp_path / "never"
    code, stdout, err = run(capsys, "additions", 2, 2, 3, "--rank", 11, "--from", start_223, "--search", budget,
                            "--out", out)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--search" in err
    assert not out.exists()


def test_wrong_start_and_wrong_program(tmp_path, capsys):
    u, v, w = d.strassen().rows()
    w[2][3] = 0
    bad = tmp_path / "bad.json"
    save_scheme(Scheme.from_rows(2, 2, 2, u, v, w), bad)
    code, _, err = run(capsys, "additions", 2, 2, 2, "--rank", 7, "--from", bad, "--out", tmp_path / "o")
    assert code == 1 and len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()  # wrong: exit 1
    doc = to_reduced(simplify_additions(d.winograd()))
    doc["w"][0][0]["value"] = -doc["w"][0][0]["value"]  # the program no longer computes a product
    wrong = tmp_path / "wrong_reduced.json"
    wrong.write_text(json.dumps(doc))
    code, out, err = run(capsys, "additions", 2, 2, 2, "--rank", 7, "--from", wrong, "--out", tmp_path / "o")
    assert code == 1 and "does not compute" in err and len(err.strip().splitlines()) == 1 and not (tmp_path / "o").exists()
    code, _, err = run(capsys, "additions", 3, 3, 3, "--rank", 22, "--from", bad, "--out", tmp_path / "o")
    assert code == 2 and "no verified <3,3,3> scheme of rank 22" in err


def test_known_starts_beat_the_444_record(tmp_path, capsys):
    """Winograd twice, stage-wise in the alternative basis: 156 (the published record is 159)."""
    code, stdout, _ = run(capsys, "additions", 4, 4, 4, "--rank", 49, "--from", tmp_path, "--search", 1,
                          "--plus", 0, "--sandwiches", 0, "--workers", 1, "--quiet", "--out", tmp_path / "o",
                          "--json", "--target", 156)
    assert code == 0 and json.loads(stdout.strip().splitlines()[-1])["additions"] <= 156
    assert read_reduced(tmp_path / "o" / "best_reduced.json").reduced_additions <= 156


def test_simplify_method_choice(start_223, capsys):
    for method in ("greedy", "potential", "intersections", "best", "pairs"):
        code, out, _ = run(capsys, "simplify", start_223, "--method", method, "--json", "--no-equivalents")
        assert code == 0 and json.loads(out.strip().splitlines()[-1])["reduced_additions"] <= 17
    code, _, err = run(capsys, "simplify", start_223, "--method", "magic")
    assert code == 2 and "unknown --method" in err
    code, _, err = run(capsys, "simplify", start_223, "--tries", "x")
    assert code == 2 and "--tries" in err
