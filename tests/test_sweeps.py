"""Sweeps: cells, resumption, best.json, the comparison with the best known ranks."""

from __future__ import annotations

import csv
import json

import pytest

import discovery as d
from discovery.search.sweeps import (
    SweepConfig,
    SweepConfigError,
    comparison_figure,
    comparison_rows,
    gap_lines,
    parse_formats,
    parse_ranks,
    planned_ranks,
    read_cells,
    write_report,
)


def test_parsing_formats_and_ranks():
    assert parse_formats("2x2x2, 2X3x4") == ((2, 2, 2), (2, 3, 4))
    # the one format syntax of --key too: 2,3,4 alone, several separated by ';'
    assert parse_formats("2,3,4") == ((2, 3, 4),) == parse_formats("<2,3,4>")
    assert parse_formats("2,2,2; 2x3x4") == ((2, 2, 2), (2, 3, 4))
    assert parse_ranks("auto") is None and parse_ranks("20:24") == (20, 24) and parse_ranks("7") == (7, 7)
    for bad in ["2x2", "2x2x2x2", "axbxc", "", "2,2,2,3,3,3", "2,2;3,3,3"]:
        with pytest.raises(SweepConfigError):
            parse_formats(bad)
    with pytest.raises(SweepConfigError, match="malformed"):
        parse_ranks("20-24")


@pytest.mark.parametrize("kw, match", [
    (dict(ranks=(9, 7)), "empty"), (dict(ranks=(0, 3)), "positive"), (dict(budget=0), "budget"),
    (dict(budget=float("nan")), "budget"), (dict(strategy="magic"), "unknown strategy"),
    (dict(formats=((2, 2, 2), (2, 2, 2))), "twice"), (dict(formats=((30, 30, 30),)), "too large"),
])
def test_bad_configs_are_refused(kw, match):
    args = dict(formats=((2, 2, 2),)) | kw
    with pytest.raises(SweepConfigError, match=match):
        SweepConfig(**args)


def test_auto_plan_starts_at_the_best_known_plus_margin_and_stops_at_a_lower_bound():
    # <2,2,2>: Strassen composes 7 = best known = the proven lower bound: one cell
    assert planned_ranks((2, 2, 2), None, 1) == [7]
    # <3,3,3>: Laderman composes 23 < 23 + 1; never below the lower bound 19
    assert planned_ranks((3, 3, 3), None, 1) == [23, 22, 21, 20, 19]
    # <2,3,4>: composed 7+7+...; best known 20, margin 2 -> 22
    assert planned_ranks((2, 3, 4), None, 2)[0] == min(22, d.ranks.bounds.RankTable([d.strassen(), d.laderman()], 4).rank((2, 3, 4)))
    # <4,4,4>: Strassen x Strassen composes 49 < 49 + 1
    assert planned_ranks((4, 4, 4), None, 1)[0] == 49
    assert planned_ranks((2, 2, 3), (10, 40), 1) == [12, 11, 10]  # clipped to n*m*p


def test_packaged_best_known_table_matches_the_shared_one(shared_data):
    ref = d.best_known_table(shared_data / "best_known_ranks.csv")  # no lower bounds there
    mine = d.best_known_table()
    assert set(mine) == set(ref)
    for f, r in ref.items():
        assert (mine[f].ZT, mine[f].Z, mine[f].Q) == (r.ZT, r.Z, r.Q)
    assert d.best_known((3, 2, 2)).ZT == 11 and d.best_known((2, 2, 2)).lower_bound == 7
    assert d.best_known((3, 3, 3)).lower_bound == 19 and d.best_known((9, 9, 9)) is None


def _scheme_files(folder):
    return sorted(folder.glob("r[0-9]*-*.json"))


def test_sweep_records_cells_keeps_verified_schemes_and_resumes(tmp_path):
    out = tmp_path / "s"
    res = d.sweep("2x2x2,2x2x3", ranks="auto", budget=4, out=str(out), workers=1)
    cells = {(c.format, c.rank): c for c in res.cells}
    # <2,2,2> stops at 7 (lower bound); <2,2,3> starts at 11 (Strassen + standard <2,2,1>),
    # then 10 finds nothing (best known 11): "auto" goes down only after a success
    assert cells[((2, 2, 2), 7)].reached  # ~98% of restarts succeed: certain even on a loaded machine
    found_11 = cells[((2, 2, 3), 11)].reached
    expected = [((2, 2, 2), 7)] + ([((2, 2, 3), 10)] if found_11 else []) + [((2, 2, 3), 11)]
    assert sorted(cells) == expected
    assert not found_11 or not cells[((2, 2, 3), 10)].reached
    for fmt, rank in [((2, 2, 2), 7), ((2, 2, 3), 11)][:1 + found_11]:
        folder = out / f"{fmt[0]}x{fmt[1]}x{fmt[2]}"
        files = _scheme_files(folder)
        assert files and all(d.verify(d.load_scheme(f)).ok for f in files)
        best = json.loads((folder / "best.json").read_text())
        assert best["rank"] == rank == res.best[fmt]["rank"]
        s = d.load_scheme(folder / best["file"])
        assert s.rank == rank and d.verify(s).ok
        # fewest additions: an independent count of that scheme's shared-subexpression program
        assert best["additions"] == d.simplify_additions(s, tries=8).reduced_additions
        assert best["additions"] <= s.counts().additions
    table = list(csv.DictReader((out / "cells.csv").read_text().splitlines()))
    assert len(table) == len(cells) and set(table[0]) >= {"n", "m", "p", "rank", "strategy", "restarts", "successes",
                                                 "time_to_first_s", "distinct", "best_residual",
                                                 "fewest_additions"}
    saved = json.loads((out / "sweep.json").read_text())
    assert saved["out"] == str(out) and saved["strategy"] == "als" and saved["budget"] == 4.0
    # a rerun skips every finished cell
    before = (out / "cells.csv").read_text()
    from discovery.search.sweeps import _run

    with pytest.MonkeyPatch.context() as mp:  # a budget of no cell at all: running one is an error
        mp.setattr(_run, "_run_cell", lambda *a, **k: pytest.fail("a finished cell ran again"))
        again = d.sweep("2x2x2,2x2x3", ranks="auto", budget=4, out=str(out), workers=1)
    assert (out / "cells.csv").read_text() == before and len(again.cells) == len(cells)
    assert len(read_cells(out)) == len(cells)
    # another sweep's folder is refused before any work
    with pytest.raises(SweepConfigError, match="holds another sweep"):
        d.sweep("2x2x2,2x2x3", ranks="auto", budget=5, out=str(out), workers=1)
    # the comparison against the packaged best known ranks
    rows, csv_path, png_path = write_report(out)
    by = {(r["n"], r["m"], r["p"]): r for r in rows}
    assert by[(2, 2, 2)]["found_rank"] == 7 and by[(2, 2, 2)]["gap_ZT"] == 0
    assert by[(2, 2, 2)]["lower_bound"] == 7 and by[(2, 2, 3)]["best_known_ZT"] == 11
    assert by[(2, 2, 3)]["found_rank"] == (11 if found_11 else None)
    assert png_path.read_bytes()[:4] == b"\x89PNG" and csv_path.exists()
    assert "equal to the best known" in gap_lines(rows)[0]


def test_comparison_states_gaps_and_missing_results(tmp_path):
    rows = [{"n": 3, "m": 4, "p": 4, "found_rank": 40, "fewest_additions": 200, "strategy": "als",
             "time_to_found_s": 3.0, "cells": 2, "best_known_ZT": 38, "best_known_Z": 38, "best_known_Q": 38,
             "lower_bound": None, "gap_ZT": 2},
            {"n": 4, "m": 4, "p": 4, "found_rank": None, "fewest_additions": None, "strategy": "als",
             "time_to_found_s": None, "cells": 1, "best_known_ZT": 49, "best_known_Z": 49, "best_known_Q": 48,
             "lower_bound": None, "gap_ZT": None}]
    lines = gap_lines(rows)
    assert lines[0] == "<3,4,4>: rank 40 found, 2 above the best known 38 over ZT"
    assert lines[1].startswith("<4,4,4>: nothing found in 1 cell(s)")
    fig = comparison_figure(rows)
    assert len(fig.axes) == 1 and fig.axes[0].get_yscale() == "log"


def test_a_folder_that_is_not_a_sweep_is_refused(tmp_path):
    (tmp_path / "x.txt").write_text("mine")
    with pytest.raises(SweepConfigError, match="not empty"):
        d.sweep("2x2x2", budget=1, out=str(tmp_path), workers=1)
    with pytest.raises(SweepConfigError, match="no readable sweep.json"):
        comparison_rows(tmp_path)


def _flips_or_skip():
    return pytest.importorskip("discovery.search.flips", reason="the flip-graph engine is not installed")


def test_flips_sweep_walks_down_from_the_standard_algorithm(tmp_path):
    _flips_or_skip()
    out = tmp_path / "f"
    res = d.sweep("2x2x2", strategy="flips", budget=8, out=str(out), workers=1)
    cells = {(c.format, c.rank): c for c in res.cells}
    # <2,2,2>: Strassen is the composed start at 7, so the walk starts from the standard 8
    c7 = cells[((2, 2, 2), 7)]
    assert c7.reached and c7.strategy == "flips" and c7.walks >= 1 and c7.restarts == 0
    assert res.best[(2, 2, 2)]["rank"] == 7
    for path in _scheme_files(out / "2x2x2"):
        s = d.load_scheme(path)
        assert d.verify(s).ok and s.is_ternary and s.rank in (7, 8)
    best = json.loads((out / "2x2x2" / "best.json").read_text())
    assert d.load_scheme(out / "2x2x2" / best["file"]).rank == 7


def test_auto_falls_back_to_the_solver_where_flips_stall(tmp_path):
    _flips_or_skip()
    # <2,2,3> has rank 11: at rank 10 the walk cannot get there, so the solver gets the time left
    res = d.sweep("2x2x3", ranks="10", strategy="auto", budget=4, out=str(tmp_path / "a"), workers=1)
    (cell,) = res.cells
    assert cell.strategy == "flips+als" and not cell.reached and cell.walks >= 1
    assert cell.best_rank_reached is None or cell.best_rank_reached >= 11


def test_committed_sweep_results_hold_up():
    root = __import__("pathlib").Path(__file__).resolve().parents[1] / "results"
    rows = list(csv.DictReader((root / "tables" / "rank_bounds_sweep.csv").read_text().splitlines()))
    assert len(rows) == 10  # every format 2 <= n <= m <= p <= 4
    files = {f.name.split("_")[0]: f for f in (root / "schemes" / "sweep").glob("*.json")}
    for r in rows:
        fmt = (int(r["n"]), int(r["m"]), int(r["p"]))
        assert int(r["best_known_ZT"]) == d.best_known(fmt).ZT
        s = d.load_scheme(files[f"{fmt[0]}x{fmt[1]}x{fmt[2]}"])
        assert s.format == fmt and s.rank == int(r["found_rank"]) and s.is_ternary and d.verify(s).ok
        assert int(r["gap_ZT"]) == s.rank - int(r["best_known_ZT"]) >= 0
    config = json.loads((root / "tables" / "rank_bounds_sweep_config.json").read_text())
    assert not config["out"].startswith("/")  # no machine paths in committed configs
