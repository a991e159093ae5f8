"""The run-summary vocabulary: Stop reasons, plain JSON of results, and its use by the solver and sweeps."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import discovery as d
from discovery.search.summary import Stop, Summary, to_plain
from discovery.search.sweeps import CellResult


def test_stop_is_a_str_enum_that_prints_and_serialises_as_its_value():
    assert Stop.TIME == "time" and str(Stop.TARGET) == "target" and f"{Stop.BUDGET:>7}" == " budget"
    assert json.dumps({"stop": Stop.INTERRUPTED}) == '{"stop": "interrupted"}'
    assert Stop("stuck") is Stop.STUCK and d.Stop is Stop
    assert len({s.value for s in Stop}) == len(Stop) and all(s.description for s in Stop)
    with pytest.raises(ValueError):
        Stop("time_limit")  # the old spelling is not a reason any more


def test_to_plain_gives_json_types_only():
    s = d.strassen()
    x = {(2, 2, 2): [Stop.TIME, Path("a/b"), np.int64(3), np.float64(0.5), math.inf, Fraction(1, 2),
                     Fraction(4, 2), (1, 2), {3}], "scheme": s, "config": d.SolverConfig(2, 2, 2, 7)}
    got = to_plain(x)
    assert got["2x2x2"] == ["time", "a/b", 3, 0.5, None, "1/2", 2, [1, 2], [3]]
    assert got["scheme"] == {"format": [2, 2, 2], "rank": 7, "ring": s.ring.value}
    assert got["config"] == d.SolverConfig(2, 2, 2, 7).to_json()
    assert json.loads(json.dumps(got)) == got  # nothing json cannot write, nothing it changes
    assert type(got["2x2x2"][2]) is int and type(got["2x2x2"][3]) is float
    with pytest.raises(TypeError, match="no JSON form"):
        to_plain(object())


@dataclass(frozen=True)
class _Toy(Summary):
    JSON_SKIP = ("hidden",)

    elapsed_s: float
    stop: Stop
    hidden: object = None

    def json_extra(self) -> dict:
        return {"twice": 2 * self.elapsed_s}


def test_the_mixin_takes_every_field_but_the_skipped_ones_and_adds_the_extras():
    assert _Toy(1.5, Stop.DONE, object()).to_json() == {"elapsed_s": 1.5, "stop": "done", "twice": 3.0}


def _cell(**kw):
    base = dict(n=2, m=2, p=2, rank=7, strategy="als", reached=True, restarts=4, walks=0, successes=4,
                time_to_first_s=0.25, distinct=2, new=2, best_residual=1e-30, best_rank_reached=7,
                fewest_additions=15, best_file="r7-x.json", elapsed_s=1.0, lost_batches=0, budget_s=5.0,
                seed=0)
    return CellResult(**(base | kw))


def test_a_cell_says_why_it_stopped_and_reads_back_from_its_row():
    assert _cell().stop is Stop.TARGET and _cell(reached=False).stop is Stop.TIME
    assert _cell(reached=False, stop="lost").stop is Stop.LOST
    row = {k: "" if v is None else str(v) for k, v in _cell(reached=False).to_row().items()}
    assert row["reached"] == "0" and row["stop"] == "time"
    assert CellResult.from_row(row) == _cell(reached=False)
    # a cells.csv written before cells said ``reached``/``stop`` (``found`` then) still reads
    old = {k: v for k, v in row.items() if k not in ("reached", "stop")} | {"found": "1"}
    assert CellResult.from_row(old) == _cell()


def test_discover_result_speaks_the_vocabulary(tmp_path):
    res = d.discover(2, 2, 2, 7, restarts=4, seed=0, out=str(tmp_path))
    j = res.to_json()
    assert json.loads(json.dumps(j)) == j
    assert res.stop is Stop.BUDGET and j["stop"] == "budget" and j["elapsed_s"] == res.elapsed_s
    assert j["config"] == res.config.to_json() and j["distinct"] == res.distinct == len(res.schemes)
    assert "schemes" not in j and j["paths"] == list(res.paths) and j["best"] in j["paths"]
    assert not hasattr(res, "found") and not hasattr(res, "stopped_by")


def test_sweep_takes_an_executor_it_does_not_own(tmp_path):
    with d.LocalExecutor(1) as ex:
        res = d.sweep("2x2x2", strategy="als", budget=5, out=str(tmp_path / "s"), executor=ex)
        assert res.stop is Stop.DONE and res.executor == ex.describe()
        (cell,) = res.cells
        assert cell.reached and cell.stop is Stop.TARGET and res.to_json()["cells"][0]["stop"] == "target"
        with pytest.raises(d.DiscoveryError, match="not both"):
            d.sweep("2x2x2", budget=5, out=str(tmp_path / "t"), executor=ex, workers=1)
