"""The meta search (discovery.search.meta) and ``discovery meta``: small families, flip budgets."""

import json

import numpy as np
import pytest

from discovery import load_scheme, standard, strassen, verify
from discovery.cli import main
from discovery.errors import DiscoveryError
from discovery.search.meta import (
    MetaConfig,
    MetaConfigError,
    _run,
    family_up_to,
    meta_move,
    meta_search,
)
from discovery.search.meta._moves import extend_options, merge_options, project_options
from discovery.search.summary import Stop

SMALL = ((2, 2, 2), (2, 2, 3), (2, 2, 4), (2, 3, 3), (2, 3, 4))  # <2,2,2> ... <2,3,4>


def config(**kw):
    base = {"formats": SMALL, "phases": 8, "phase_flips": 5000, "time_limit": None, "seed": 0}
    return MetaConfig(**{**base, **kw})


def exact_product(s, rng):
    n, m, p = s.format
    A = rng.integers(-9, 10, (n, m)).astype(object)
    B = rng.integers(-9, 10, (m, p)).astype(object)
    return not (s.apply(A, B) - A.dot(B)).any()


def test_a_walk_over_a_small_family_reaches_best_known_ranks(tmp_path):
    res = meta_search(config(), out=tmp_path)
    assert res.stop is Stop.BUDGET and res.phases == 8 and res.walks >= 8
    assert {(2, 2, 2), (2, 2, 3), (2, 2, 4)} <= set(res.reached)
    assert res.best_ranks[(2, 2, 2)] == 7 and res.best_ranks[(2, 2, 4)] == 14
    assert sum(res.moves.values()) > 0 and res.rejected == 0
    rng = np.random.default_rng(0)
    files = sorted(tmp_path.glob("*x*x*/r*.json"))
    assert len(files) == res.new > 0
    for path in files:  # every scheme written is exact over ZT and multiplies matrices
        s = load_scheme(path)
        assert path.parent.name == "x".join(map(str, s.format))
        assert verify(s, "ZT").ok and exact_product(s, rng)
    for f, s in res.schemes.items():
        assert s.format == f and s.rank == res.best_ranks[f] and verify(s, "ZT").ok
    record = json.loads((tmp_path / "meta-ZT-seed0.json").read_text())
    assert record["record"] == "meta-ZT-seed0" and record["best_ranks"]["2x2x2"] == 7
    assert len(record["paths"]) == res.config.n_walkers
    json.dumps(res.to_json())  # plain JSON
    assert res.to_json()["reached"][:1] == ["2x2x2"]


def test_same_seed_and_phases_give_the_same_search():
    a, b = meta_search(config(phases=4)), meta_search(config(phases=4))
    assert a.paths == b.paths and a.best_ranks == b.best_ranks and a.moves == b.moves and a.flips == b.flips


def test_a_rerun_resumes_from_the_folders(tmp_path):
    first = meta_search(config(phases=4), out=tmp_path)
    again = meta_search(config(phases=1, seed=1), out=tmp_path)
    assert again.start_ranks == first.best_ranks
    assert all(again.best_ranks[f] <= first.best_ranks[f] for f in SMALL)


def test_a_walker_far_above_the_best_known_rank_resets():
    # one flip cannot lower the standard <2,2,4> (16); with margin 0 it exceeds 14 and resets
    res = meta_search(config(formats=((2, 2, 2), (2, 2, 4)), phases=1, phase_flips=1, margin=0, probability=0))
    assert res.moves["reset"] >= 1 and res.moves["merge"] == res.moves["project"] == res.moves["extend"] == 0
    assert any(how == "reset" for path in res.paths for *_, how in path)


def test_meta_moves_stay_in_the_family_and_are_exact():
    family = set(SMALL)
    rng = np.random.default_rng(1)
    s = strassen()
    kind, t = meta_move(s, "ext", rng, family, {}, lambda f: float("inf"))
    assert kind == "extend" and t.format == (2, 2, 3) and t.rank == 11 and verify(t).ok
    kind, u = meta_move(t, "proj", rng, family, {}, lambda f: float("inf"))
    assert kind == "project" and u.format == (2, 2, 2) and u.rank <= 11 and verify(u).ok
    kind, g = meta_move(s, "default", rng, family, {(2, 2, 2): [s]}, lambda f: float("inf"))
    assert kind == "merge" and g.format == (2, 2, 4) and g.rank == 14 and verify(g).ok
    assert meta_move(standard(2, 3, 4), "ext", rng, family, {}, lambda f: 100) is None  # 2x3x5 is not in it
    assert project_options((2, 2, 2), family) == []  # a 1-wide format is outside every family
    assert extend_options((2, 2, 2), 7, family, lambda f: 10) == []  # 7 + 4 = 11 > 10
    # <2,2,2> + <2,2,2> along any axis is <2,2,4> (sorted)
    assert merge_options((2, 2, 2), 7, {(2, 2, 2): 7}, family, lambda f: 14) == [((2, 2, 2), (2, 2, 2), x)
                                                                                 for x in range(3)]
    assert merge_options((2, 2, 2), 7, {(2, 2, 2): 7}, family, lambda f: 13) == []  # above the limit
    # the partner is permuted to fit: <2,2,3> as <2,2,3>, <2,3,2> or <3,2,2> gives <2,2,5>
    assert merge_options((2, 2, 2), 7, {(2, 2, 3): 11}, {(2, 2, 5)}, lambda f: 99) == [
        ((2, 2, 3), (2, 2, 3), 2), ((2, 2, 3), (2, 3, 2), 1), ((2, 2, 3), (3, 2, 2), 0)]
    kind, h = meta_move(s, "default", rng, {(2, 2, 5)}, {(2, 2, 3): [t]}, lambda f: 99)
    assert kind == "merge" and h.format == (2, 2, 5) and h.rank == 18 and verify(h).ok


def test_ctrl_c_keeps_what_was_found(tmp_path, monkeypatch):
    calls = []
    real = _run.meta_move

    def interrupted(*args, **kw):
        calls.append(1)
        if len(calls) > 3:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(_run, "meta_move", interrupted)
    res = meta_search(config(phases=50, probability=1.0), out=tmp_path)
    assert res.stop is Stop.INTERRUPTED and res.phases < 50
    assert json.loads((tmp_path / "meta-ZT-seed0.json").read_text())["stop"] == "interrupted"
    assert all(verify(load_scheme(p), "ZT").ok for p in tmp_path.glob("*/r*.json"))
    monkeypatch.setattr(_run, "meta_move", interrupted)
    assert main(["meta", "--formats", "2x2x2,2x2x3", "--phases", "9", "--phase-flips", "100", "--probability",
                 "1", "--out", str(tmp_path / "cli"), "--quiet"]) == 130


@pytest.mark.parametrize("kw, match", [
    ({"formats": ()}, "the format family is empty"),
    ({"formats": ((2, 17, 17),)}, "too large"),  # beyond the flip engine's width
    ({"formats": ((1, 2, 2),)}, "<1,2,2> must be three integers of at least 2"),
    ({"strategy": "greedy"}, "unknown meta strategy 'greedy'; use one of default, proj, ext"),
    ({"start": "random"}, "unknown start 'random'"),
    ({"probability": 1.5}, "probability must be a number from 0 to 1"),
    ({"phases": None, "time_limit": None}, "give a number of phases or a time limit"),
    ({"phase_flips": 0}, "phase-flips must be an integer >= 1"),
    ({"ring": "Q"}, "unknown ring 'Q'"),
    ({"flip_options": {"seed": 3}}, "set by the meta search itself"),
    ({"flip_options": {"no_such": 3}}, "unknown flip option"),
])
def test_bad_settings_are_one_clear_error(kw, match):
    with pytest.raises(DiscoveryError, match=match) as info:
        config(**kw)
    assert "\n" not in str(info.value)


def test_family_up_to():
    assert family_up_to(3) == ((2, 2, 2), (2, 2, 3), (2, 3, 3), (3, 3, 3))
    with pytest.raises(MetaConfigError, match="max-dim must be an integer of at least 2"):
        family_up_to(1)
    assert config(formats=((4, 3, 2), (2, 3, 4), (2, 2, 2))).formats == ((2, 3, 4), (2, 2, 2))


def test_cli_json_is_one_document_and_exit_codes(tmp_path, capsys):
    out = tmp_path / "run"
    args = ["meta", "--formats", "2x2x2,2x2x3", "--phases", "3", "--phase-flips", "5000", "--out", str(out),
            "--quiet"]
    assert main(args + ["--json"]) == 0  # standard starts: the walk lowers both ranks
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["best_ranks"] == {"2x2x2": 7, "2x2x3": 11} and doc["stop"] == "target"  # both at the best known
    assert "<2,2,2>: rank 8 -> 7" in captured.err
    assert main(args) == 1  # a rerun starts at the best known ranks and cannot lower them
    assert "<2,2,3>: rank 11 -> 11 (best known ZT 11, reached)" in capsys.readouterr().out


@pytest.mark.parametrize("argv, match", [
    ([], "give either --formats LIST or --max-dim D"),
    (["--formats", "2x2x2", "--max-dim", "3"], "give either"),
    (["--formats", ""], "--formats is empty"),
    (["--formats", "2x2"], "format '2x2' is malformed"),
    (["--max-dim", "1"], "--max-dim must be at least 2"),
    (["--formats", "2x17x17"], "too large"),
    (["--formats", "2x2x2", "--strategy", "greedy"], "unknown meta strategy"),
    (["--formats", "2x2x2", "--probability", "often"], "--probability must be a number"),
    (["--formats", "2x2x2", "--walkers", "0"], "--walkers must be at least 1"),
])
def test_cli_bad_input_is_one_line_before_any_work(tmp_path, capsys, argv, match):
    out = tmp_path / "never"
    assert main(["meta", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert match in err and len(err.splitlines()) == 1 and not out.exists()
