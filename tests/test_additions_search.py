"""The variant search for fewest additions (discovery.search.additions), in Python."""

from pathlib import Path

import numpy as np
import pytest

import discovery as d
from discovery.circuits.symbolic import simplify_additions
from discovery.circuits.variants import ternary_image
from discovery.core.transforms import sandwich
from discovery.errors import DiscoveryError
from discovery.formats import load_scheme
from discovery.search.additions import AdditionsConfig, additions_search, known_programs
from discovery.search.summary import Stop


def test_a_non_ternary_start_is_refined_and_the_search_ends():
    """Without its ternary image no ternary variant can be made of it: the start is refined, then the search stops."""
    s = sandwich(d.strassen(), np.array([[1, 2], [0, 1]]), np.eye(2, dtype=np.int64), np.eye(2, dtype=np.int64))
    assert not s.is_ternary and d.verify(s).ok
    res = additions_search([s], AdditionsConfig(budget=60, plus=0, ternary_images=False))
    assert res.stop is Stop.DONE and res.best.scheme == s and res.best.reduced_additions < s.counts().additions


def test_an_integer_start_gets_its_ternary_image():
    s = sandwich(d.strassen(), np.array([[1, 2], [0, 1]]), np.eye(2, dtype=np.int64), np.eye(2, dtype=np.int64))
    assert not s.is_ternary and s.is_integral
    t = ternary_image(s)
    assert t is not None and t.is_ternary and d.verify(t).ok and "ternary sandwich image" in t.provenance.note
    res = additions_search([s], AdditionsConfig(budget=3, plus=0))
    assert res.best.scheme.is_ternary and res.best.reduced_additions == 15


def test_known_programs_and_given_programs():
    progs = known_programs((4, 4, 4), 49)
    assert progs[0].reduced_additions == 156 and all(p.multiplications == 49 for p in progs)
    assert known_programs((3, 3, 3), 23) == []
    res = additions_search([d.kron(d.winograd(), d.winograd())], AdditionsConfig(budget=1, plus=0, sandwiches=0),
                           programs=progs[:1])
    assert res.best.reduced_additions == 156
    with pytest.raises(DiscoveryError, match="format and rank"):
        additions_search([d.winograd()], AdditionsConfig(budget=1), programs=[simplify_additions(d.laderman())])


def test_closure_mode_is_the_default_and_never_worse_than_the_closure_method():
    s = load_scheme(Path(__file__).resolve().parents[1] / "results" / "schemes" / "2x3x3" / "r15-00cadbe433591cd1.json")
    res = additions_search([s], AdditionsConfig(budget=3, plus=0, sandwiches=0))
    assert AdditionsConfig(budget=1).cse == "closure"
    assert res.best.reduced_additions <= simplify_additions(s, method="closure").reduced_additions
    res.best.check()
    quick = additions_search([s], AdditionsConfig(budget=1, plus=0, sandwiches=0, cse="random", table=False))
    assert quick.best.reduced_additions >= res.best.reduced_additions
    with pytest.raises(DiscoveryError, match="cse='exact'"):
        AdditionsConfig(budget=1, cse="exact")
