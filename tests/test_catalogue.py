"""The catalogue run (discovery.search.catalogue): starts, one small run with its table, figure and
resume, the copy into a results folder, bad input before any work, and the CLI."""

from __future__ import annotations

import json

import pytest

import discovery as d
from discovery.cli import main
from discovery.core.meta import extend
from discovery.search.catalogue import (
    COLUMNS,
    CatalogueConfig,
    CatalogueConfigError,
    best_starts,
    catalogue,
    catalogue_figure,
    load_library,
    publish,
    read_rows,
    row_for,
)
from discovery.search.executor import LocalExecutor


def test_starts_take_the_best_of_standard_composed_and_projected():
    # Strassen composes <2,2,4> at 14 (two copies); nothing beats the standard <2,2,1> (4); an
    # integer scheme enters the exact start only
    lib = [extend(d.strassen(), "n")]
    st = best_starts((2, 2, 4), lib)
    assert st.ternary.rank == 14 and st.ternary_how == "composed" and d.verify(st.ternary).ok
    assert best_starts((2, 2, 1), []).ternary_how == "standard"
    z = d.Scheme(2, 2, 2, d.strassen().u * 1, d.strassen().v, d.strassen().w, ring="Z")
    assert best_starts((2, 2, 2), [z]).exact.rank == 7


def test_a_projection_is_a_meta_start():
    from discovery.search.catalogue._starts import _projected

    s = _projected((2, 2, 2), [extend(d.strassen(), "p")])
    assert s.format == (2, 2, 2) and s.rank == 7 and d.verify(s).ok


def test_the_library_keeps_exact_schemes_and_names_the_others(tmp_path):
    d.save_scheme(d.strassen(), tmp_path / "s.json")
    d.save_scheme(d.strassen().with_ring("Z2"), tmp_path / "m-mod2.json")
    lib, skipped = load_library([tmp_path])
    assert [s.rank for s in lib] == [7] and len(skipped) == 1 and "modulo" in skipped[0]


def test_a_small_catalogue_writes_its_table_figure_and_resumes(tmp_path):
    d.save_scheme(d.strassen(), tmp_path / "s.json")
    config = CatalogueConfig(formats=[(2, 2, 2), (2, 3, 2)], budget=1.0, library=[str(tmp_path / "s.json")])
    out = tmp_path / "cat"
    res = catalogue(config, out, executor=LocalExecutor(1))
    assert res.stop is d.Stop.DONE and [r["format"] for r in res.rows] == ["2x2x2", "2x2x3"]
    rows = read_rows(out)
    assert rows == list(res.rows) and list(rows[0]) == list(COLUMNS)
    first = rows[0]
    assert first["rank"] == 7 and first["ring"] == "ZT" and first["walk_rank"] is None  # 7 is proven optimal
    assert first["reached"] and not first["record"] and first["gap_ZT"] == 0
    for r in rows:
        s = d.load_scheme(out / r["file"])
        assert s.rank == r["rank"] and d.verify(s).ok and s.format == (r["n"], r["m"], r["p"])
    assert rows[1]["rank"] <= rows[1]["start_rank"] and (out / "catalogue.png").stat().st_size > 1000
    saved = json.loads((out / "catalogue.json").read_text())["config"]
    assert saved["budget"] == 1.0 and saved["seed"] == 0
    again = catalogue(config, out, executor=LocalExecutor(1))  # every format done: nothing walks
    assert again.rows == res.rows and again.elapsed_s < 10
    written = publish(out, tmp_path / "results")
    names = sorted(q.name for q in (tmp_path / "results" / "schemes" / "catalogue").iterdir())
    assert names == ["2x2x2-r7-ZT.json", f"2x2x3-r{rows[1]['rank']}-ZT.json"] and len(written) == 5
    table = (tmp_path / "results" / "tables" / "catalogue.csv").read_text()
    assert "schemes/catalogue/2x2x2-r7-ZT.json" in table


def test_a_rerun_with_other_settings_is_refused(tmp_path):
    out = tmp_path / "cat"
    catalogue(CatalogueConfig(formats=[(2, 2, 2)], budget=1.0), out, executor=LocalExecutor(1))
    with pytest.raises(CatalogueConfigError, match="another catalogue"):
        CatalogueConfig(formats=[(2, 2, 2)], budget=2.0).check_out(out)


@pytest.mark.parametrize("kw, message", [
    (dict(formats=[]), "empty"),
    (dict(formats=[(2, 2, 1)]), "at least 2"),
    (dict(formats=[(17, 17, 17)]), "too large for the flip encoding"),
    (dict(formats=[(2, 2, 2)], budget=0), "budget"),
    (dict(formats=[(2, 2, 2)], meta_time=-1), "meta time"),
    (dict(formats=[(2, 2, 2)], library=["/nonexistent/lib"]), "no such file"),
    (dict(formats=[(2, 2, 2)], scheduler="tcp://h:1", workers=2), "not both"),
])
def test_bad_settings_are_one_clear_error(kw, message):
    with pytest.raises(CatalogueConfigError, match=message):
        CatalogueConfig(**kw)


def test_the_figure_draws_every_format_with_a_best_known_rank():
    rows = [row_for(d.strassen(), "composed", 7, "composed", None, None, 0.1, "x"),
            row_for(d.standard(2, 2, 3), "standard", 12, "standard", 12, 1.0, 1.0, "y")]
    fig = catalogue_figure(rows, "test")
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["2x2x2", "2x2x3"]


def test_the_cli_runs_and_says_one_json_document(tmp_path, capsys):
    code = main(["catalogue", "--formats", "2x2x2", "--budget", "1", "--workers", "1", "--quiet",
                 "--out", str(tmp_path / "c"), "--results", str(tmp_path / "r"), "--json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 0 and doc["stop"] == "done" and doc["reached"] == ["2x2x2"] and "1 of 1 format" in err
    assert (tmp_path / "r" / "figures" / "catalogue.png").exists()
