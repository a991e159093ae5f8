"""The Z3 route to rational schemes (issue 20): a flip walk modulo 3, then the 3-adic lift.

Modulo 3, 1/2 ≡ 2 ≡ -1: a scheme with a ½ reduces to one the Z3 walk can move, and the lift
reconstructs exact coefficients (integers or rationals) from what the walk returns.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

import discovery as d
from discovery.cli import main
from discovery.search.lift import lift
from tests._lift_helpers import mod_p


def _half_scheme() -> d.Scheme:
    """Winograd under a sandwich of determinant -2: exact over Q, with coefficients ±1/2."""
    q = d.sandwich(d.winograd(), [[1, 1], [1, -1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
    assert not q.is_integral and d.verify(q, "Q").ok
    return q


def _redundant() -> d.Scheme:
    """<2,2,4> of rank 15 with a ½: the rational <2,2,2> beside the standard <2,2,2> (the walk's room)."""
    return d.merge(_half_scheme(), d.standard(2, 2, 2), "p")


def test_a_z3_scheme_with_one_half_walks_and_what_the_walk_finds_lifts_to_exact_schemes():
    start = mod_p(_redundant(), 3)  # ½ ≡ 2: valid modulo 3 only
    assert d.valid_rings(start) == ("Z3",)
    back = lift(start, ring="Z3")
    assert back.ok and d.verify(back.scheme, "Q").ok and mod_p(back.scheme, 3).rows() == start.rows()
    res = d.flip_search(2, 2, 4, start=start, ring="Z3", target_rank=14, time_limit=30, walkers=1, seed=0)
    assert res.best_rank == 14 and res.stop is d.Stop.TARGET
    for s in res.schemes[:4]:
        assert s.ring == "Z3" and d.verify(s, "Z3").ok
        up = lift(s, ring="Z3")
        assert up.ok and d.verify(up.scheme, "Q").ok and up.scheme.rank == 14
        assert mod_p(up.scheme, 3).rows() == mod_p(s, 3).rows()  # the lift agrees with the walk mod 3


def test_a_z3_walk_from_the_standard_algorithm_lifts_to_a_rational_scheme_with_a_half():
    # the route ZT and Z2 walks cannot take: modulo 3 the walk meets 2 ≡ ½, the lift reconstructs it
    res = d.flip_search(2, 2, 3, ring="Z3", target_rank=11, time_limit=30, walkers=1, seed=0)
    assert res.best_rank == 11 and res.best.ring == "Z3"
    up = lift(res.best, ring="Z3")
    assert up.ok and up.ring == "Q" and d.verify(up.scheme, "Q").ok and not d.verify(up.scheme, "Z").ok
    assert any(Fraction(x).denominator == 2 for a in up.scheme.factors() for x in a.ravel())
    assert mod_p(up.scheme, 3).rows() == mod_p(res.best, 3).rows() and d.verify_sympy(up.scheme).ok


def test_a_z3_walk_and_lift_on_the_command_line(tmp_path, capsys):
    src = tmp_path / "half-mod3.json"
    d.save_scheme(mod_p(_redundant(), 3), src)
    walk = tmp_path / "walk"
    assert main(["flip", "2", "2", "4", "--ring", "Z3", "--from", str(src), "--target-rank", "14",
                 "--walkers", "1", "--quiet", "--out", str(walk)]) == 0
    found = sorted(walk.glob("r14-*.json"))
    assert found
    assert main(["lift", str(found[0]), "--ring", "Z3", "--out", str(tmp_path / "exact.json")]) == 0
    assert d.verify(d.load_scheme(tmp_path / "exact.json"), "Q").ok


def test_a_lift_modulo_3_of_a_scheme_not_valid_modulo_3_is_refused_in_one_line(tmp_path, capsys):
    # issues 19/20: a lift of a scheme that is not valid modulo p is bad input (exit 2, one line)
    src = tmp_path / "w2.json"
    d.save_scheme(mod_p(d.winograd(), 2), src)  # valid modulo 2 only
    code = main(["lift", str(src), "--ring", "Z3"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "not valid modulo 3" in err[0]


@pytest.mark.parametrize("argv, message", [
    (["meta", "--formats", "2x2x2", "--strategy", "greedy"], "unknown meta strategy"),
    (["meta", "--formats", ","], "empty"),
    (["meta", "--formats", "17x17x17"], "too large"),
    (["catalogue", "--formats", ","], "empty"),
    (["catalogue", "--formats", "17x17x17"], "too large"),
])
def test_issue_20_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_z3_flips_that_may_not_wrap_descend_where_wrapping_ones_stall():
    # 1 + 1 = -1 modulo 3: with every flip allowed to wrap (the default, wrap=100) the walk from the
    # standard <2,3,4> makes no reduction in 300,000 flips; with wrap=0 (flips stay ternary as integers)
    # it does, and every scheme it returns is exact modulo 3
    kw = dict(ring="Z3", max_flips=300_000, time_limit=None, walkers=1, seed=3)
    stay = d.flip_search(2, 3, 4, wrap=100, **kw)
    down = d.flip_search(2, 3, 4, wrap=0, **kw)
    assert stay.best_rank == 24 and down.best_rank <= 22 and down.rejected == 0
    for s in down.schemes:
        assert s.ring == "Z3" and d.verify(s, "Z3").ok


def test_z3_walks_with_some_wrapping_flips_keep_the_invariants():
    res = d.flip_search(3, 3, 3, ring="Z3", wrap=30, max_flips=20_000, time_limit=None, walkers=2, seed=1,
                        chunk_flips=1_000, debug=True)
    assert res.rejected == 0 and all(d.verify(s, "Z3").ok for s in res.schemes)


@pytest.mark.parametrize("argv, message", [
    (["flip", "2", "3", "4", "--ring", "Z3", "--wrap", "101"], "wrap = 101 must be a percentage"),
    (["flip", "3", "3", "3", "--symmetry", "cyclic", "--wrap", "5"], "--wrap"),
])
def test_a_bad_wrap_is_refused_in_one_line(capsys, argv, message):
    code = main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and message in err[0]
