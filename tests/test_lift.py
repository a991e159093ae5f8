"""Hensel lifting: known schemes reduced mod 2 or 3 come back exact; mod-2-only ones are named;
later failures are searched past; exact schemes are left alone."""

from fractions import Fraction

import numpy as np
import pytest

import discovery as d
from discovery.core.transforms import canonical
from discovery.errors import DiscoveryError
from discovery.search.lift import LiftConfig, LiftOutcome, lift
from tests._lift_helpers import mod_p, sandwiched

RING_ORDER = {"ZT": 0, "Z": 1, "Q": 2}
# What the lift before the bit-packed one (dense Jacobian, free unknowns 0, first exact guess)
# gave on AlphaTensor's 20 mod-2 schemes: (ring, largest |coefficient|), or None for "no lift
# exists" (step 1 inconsistent).
DENSE_LIFT = {
    "2,2,2": ("ZT", 1), "2,2,3": ("ZT", 1), "2,2,4": ("ZT", 1), "2,2,5": ("Z", 2), "2,3,3": ("Z", 4),
    "2,3,4": ("Z", 2), "2,3,5": ("Z", 2), "2,4,4": ("Z", 2), "2,4,5": ("Z", 6), "2,5,5": ("Z", 2),
    "3,3,3": ("Z", 2), "3,3,4": ("Z", 2), "3,3,5": ("Z", 6), "3,4,4": ("Z", 4), "3,4,5": ("Q", 4),
    "3,5,5": ("Z", 3), "4,4,4": None, "4,4,5": None, "4,5,5": ("Q", 4), "5,5,5": None,
}


def height(s: d.Scheme) -> int:
    return max(max(abs(Fraction(x).numerator), Fraction(x).denominator) for a in s.factors() for x in a.ravel())


def same_mod(s: d.Scheme, t: d.Scheme, p: int) -> bool:
    return mod_p(s, p).rows() == mod_p(t, p).rows()


@pytest.mark.parametrize("s", [d.strassen(), d.winograd(), d.laderman()], ids=lambda s: s.name)
def test_a_known_scheme_reduced_mod_2_lifts_to_an_exact_one(s):
    mod2 = mod_p(s, 2)
    assert not d.verify(mod2, "Q").ok  # the reduction alone is not exact over Q
    res = lift(mod2)
    assert res.ok and res.outcome is LiftOutcome.LIFTED and d.verify(res.scheme, "Q").ok and res.scheme.rank == s.rank
    assert same_mod(res.scheme, s, 2) and d.verify_sympy(res.scheme).ok
    assert res.prime == 2 and res.ring == "ZT"  # ternary again


def test_alphatensor_mod_2_schemes_lift_as_before_or_better(shared_data):
    f2 = {lab.split("[")[1].rstrip("]"): s
          for lab, s in d.load_schemes(shared_data / "alphatensor" / "factorizations_f2.npz")}
    assert sorted(f2) == sorted(DENSE_LIFT)
    for key, s in f2.items():
        res = lift(s)
        if DENSE_LIFT[key] is None:  # <4,4,4> r47, <4,4,5> r63, <5,5,5> r96: the step-1 proof
            assert not res.ok and res.outcome is LiftOutcome.NO_LIFT and res.stop == "infeasible", key
            assert res.failed_step == 1, key
            assert "no lift exists" in res.message
            continue
        ring, biggest = DENSE_LIFT[key]
        assert res.ok and d.verify(res.scheme, "Q").ok and same_mod(res.scheme, s, 2), key
        assert RING_ORDER[res.ring] <= RING_ORDER[ring] and height(res.scheme) <= biggest, key


def test_the_published_555_r93_lifts_back_after_a_random_sandwich(shared_data):
    s = d.load_scheme(shared_data / "symmetric-flips" / "555m93_lifted.exp")
    assert d.verify(s).ok
    for seed in (0, 1):  # under the dense lift both failed at step 2
        t = mod_p(sandwiched(s, seed), 2)
        res = lift(t)
        assert res.ok and d.verify(res.scheme, "Q").ok and same_mod(res.scheme, t, 2), seed
        assert res.scheme.rank == 93


def test_a_later_inconsistent_step_is_searched_past_not_reported_as_final(shared_data):
    s = d.load_scheme(shared_data / "symmetric-flips" / "555m93_lifted.exp")
    t = mod_p(sandwiched(s, 0), 2)
    plain = {"choice": "plain", "attempts": 1}  # the textbook step, which cannot continue at step 2 here
    stuck = lift(t, retries=0, **plain)
    assert not stuck.ok and stuck.outcome is LiftOutcome.EXHAUSTED and stuck.failed_step == 2
    assert "may still exist" in stuck.message
    res = lift(t, **plain)  # with backtracking to step 1 and other corrections
    assert res.ok and res.retries >= 1 and d.verify(res.scheme, "Q").ok and same_mod(res.scheme, t, 2)


def test_more_attempts_never_give_a_bigger_scheme(shared_data):
    s = d.load_scheme(shared_data / "symmetric-flips" / "555m93_lifted.exp")
    t = mod_p(sandwiched(s, 4), 2)
    one, several = lift(t, attempts=1), lift(t, attempts=6, seed=1)
    assert one.ok and several.ok and several.attempts > 1
    def key(r):
        return (RING_ORDER[r.ring], height(r.scheme))

    assert key(several) <= key(one)


def test_a_z3_scheme_with_one_half_lifts_back_to_the_rational_scheme():
    # Winograd under X with det -2: coefficients ±1/2 appear; modulo 3, 1/2 ≡ 2.
    q = d.sandwich(d.winograd(), [[1, 1], [1, -1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
    assert d.verify(q).ok and not q.is_integral
    z3 = mod_p(q, 3)
    assert d.valid_rings(z3) == ("Z3",)
    res = lift(z3)
    assert res.ok and res.prime == 3 and res.ring == "Q" and d.verify(res.scheme, "Q").ok
    assert canonical(res.scheme) == canonical(q)  # the same scheme up to term order and scaling
    assert any(Fraction(x).denominator == 2 for a in res.scheme.factors() for x in a.ravel())
    assert same_mod(res.scheme, q, 3) and d.verify_sympy(res.scheme).ok


def test_a_z3_reduction_lifts_to_the_smallest_scheme_it_finds():
    q = d.sandwich(d.strassen(), [[2, 1], [0, 1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
    res = lift(mod_p(q, 3), ring="Z3")
    assert res.ok and res.ring == "ZT" and same_mod(res.scheme, q, 3)  # -1 where q has 1/2 (≡ 2)


def test_an_exact_scheme_is_returned_unchanged(shared_data):
    s = d.load_scheme(shared_data / "fmm-collection" / "3x3x3_m23_Z.json")
    res = lift(s)
    assert res.ok and res.outcome is LiftOutcome.EXACT and res.scheme.rows() == s.rows() and res.ring == "Z"
    assert "already exact" in res.message and res.steps == 0
    q = d.sandwich(d.winograd(), [[1, 1], [1, -1]], np.eye(2, dtype=int), np.eye(2, dtype=int))
    res = lift(q)
    assert res.outcome is LiftOutcome.EXACT and res.scheme.rows() == q.rows() and res.ring == "Q"


def test_a_lift_that_runs_out_of_steps_says_so():
    res = lift(mod_p(d.laderman(), 2), max_steps=1)
    assert not res.ok and res.outcome is LiftOutcome.PRECISION and "no small rational" in res.message


def test_lift_refuses_a_scheme_that_is_wrong_mod_p():
    s = d.strassen()
    u = s.u % 2
    u[0, 0] ^= 1
    bad = d.Scheme.from_rows(2, 2, 2, u, s.v % 2, s.w % 2, ring="Z2")
    with pytest.raises(DiscoveryError, match="not valid modulo 2 or 3"):
        lift(bad)
    with pytest.raises(DiscoveryError, match="not valid modulo 3"):
        lift(mod_p(d.strassen(), 2), ring="Z3")
    with pytest.raises(DiscoveryError, match="fractional"):
        lift(d.Scheme.from_rows(2, 2, 2, s.u * Fraction(1, 2), s.v, s.w))


@pytest.mark.parametrize("kw, message", [
    ({"ring": "Q"}, "Z2 or Z3"), ({"ring": "Z5"}, "unknown ring"), ({"retries": -1}, "retries"),
    ({"attempts": 0}, "attempts"), ({"choice": "big"}, "choice"), ({"max_steps": 0}, "max_steps"),
    ({"time_limit": 0}, "time_limit"),
])
def test_bad_settings_are_one_clear_error(kw, message):
    with pytest.raises(DiscoveryError, match=message):
        LiftConfig(**kw)


def test_lift_result_summary_is_json_ready():
    import json

    res = lift(mod_p(d.strassen(), 2))
    summary = json.loads(json.dumps(res.to_json()))
    assert summary["ok"] and summary["outcome"] == "lifted" and summary["stop"] == "done"
    assert summary["prime"] == 2 and summary["config"]["attempts"] == 4
    assert summary["scheme"] == {"format": [2, 2, 2], "rank": 7, "ring": "ZT"}
    assert summary["kernel_dim"] == res.unknowns - res.jacobian_rank > 0 and summary["elapsed_s"] >= 0


def test_a_symmetric_mod_2_scheme_lifts_symmetric_with_a_third_of_the_unknowns(shared_data):
    s = d.load_scheme(shared_data / "symmetric-flips" / "555m93_lifted.exp")
    t = mod_p(s, 2)
    res, plain = lift(t), lift(t, symmetry="none")
    assert res.ok and res.symmetry == "cyclic" and d.verify(res.scheme, "Q").ok and same_mod(res.scheme, t, 2)
    assert d.detect_symmetry(res.scheme, "cyclic") is not None  # invariant over Z, not only mod 2
    assert res.unknowns * 3 == plain.unknowns == 93 * 75 and plain.symmetry is None


def test_the_published_666_r153_lifts_to_a_scheme_invariant_over_z(shared_data):
    s = d.load_scheme(shared_data / "symmetric-flips" / "666m153_lifted.exp")
    assert d.detect_symmetry(s) is None  # as published: invariant modulo 2 only
    res = lift(mod_p(s, 2))
    assert res.ok and res.symmetry == "cyclic" and res.ring == "ZT" and d.verify(res.scheme).ok
    assert d.detect_symmetry(res.scheme, "cyclic") is not None and same_mod(res.scheme, s, 2)


def test_a_symmetric_lift_that_finds_nothing_falls_back_to_the_plain_one():
    t = mod_p(d.strassen(), 2)  # invariant mod 2 under cyclic x transpose, but not lifted so
    res = lift(t)
    assert res.ok and res.symmetry == "cyclic" and d.verify(res.scheme).ok
    fallback = lift(mod_p(d.sandwich(d.strassen(), [[1, 1], [0, 1]]), 2))  # symmetry broken
    assert fallback.ok and fallback.symmetry is None
