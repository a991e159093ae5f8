from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import (Scheme, laderman, require_valid, standard, strassen, valid_rings, verify,
                       verify_sympy, winograd)
from discovery.errors import VerificationError


def corrupt(s: Scheme, which: int, t: int, c: int, delta) -> Scheme:
    rows = [list(map(list, a)) for a in s.rows()]
    rows[which][t][c] += delta
    return Scheme.from_rows(s.n, s.m, s.p, *rows, ring="Q")


@pytest.mark.parametrize("build", [strassen, winograd, laderman, lambda: standard(2, 3, 4)])
def test_known_algorithms_verify_every_way(build):
    s = build()
    assert verify(s).ok and verify(s, "Z2").ok and verify_sympy(s).ok
    assert valid_rings(s) == ("ZT", "Z", "Q", "Z2")
    assert require_valid(s) is s


def test_every_single_coefficient_change_of_strassen_fails():
    s = strassen()
    for which, a in enumerate((s.u, s.v, s.w)):
        for t in range(s.rank):
            for c in range(a.shape[1]):
                for delta in (1, -1, Fraction(1, 2)):
                    rep = verify(corrupt(s, which, t, c, delta))
                    assert not rep.ok and rep.failures


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2), st.integers(0, 22), st.integers(0, 8), st.sampled_from([1, -1, 2, Fraction(1, 3)]))
def test_exact_and_sympy_agree_on_corrupted_laderman(which, t, c, delta):
    bad = corrupt(laderman(), which, t, c, delta)
    exact, sym = verify(bad, "Q"), verify_sympy(bad)
    assert not exact.ok and not sym.ok
    assert exact.failures == sym.failures


def test_failure_report_names_the_equation():
    s = strassen()
    bad = corrupt(s, 2, 0, 0, -1)  # m1 no longer contributes to c11
    with pytest.raises(VerificationError) as err:
        require_valid(bad)
    msg = str(err.value)
    assert "a11*b11 in c11: expected 1, got 0" in msg
    assert err.value.report.failures


def test_mod2_only_scheme():
    s = strassen()
    # adding 2 to a coefficient keeps the scheme valid modulo 2 but not over Z
    bad = corrupt(s, 0, 0, 0, 2)
    assert not verify(bad, "Z").ok
    assert verify(bad, "Z2").ok
    assert valid_rings(bad) == ("Z2",)


def test_ring_requirements():
    s = strassen()
    rows = [list(map(list, a)) for a in s.rows()]
    rows[0][0] = [2 * x for x in rows[0][0]]
    rows[2][0] = [Fraction(x, 2) for x in rows[2][0]]
    h = Scheme.from_rows(2, 2, 2, *rows)
    assert verify(h, "Q").ok
    rep = verify(h, "Z")
    assert not rep.ok and "fractions" in rep.problem


def test_large_entries_take_the_exact_integer_path():
    s = standard(2, 2, 2)
    big = 2**40
    rows = [list(map(list, a)) for a in s.rows()]
    rows[0][0] = [big * x for x in rows[0][0]]
    rows[2][0] = [Fraction(x, big) for x in rows[2][0]]
    assert verify(Scheme.from_rows(2, 2, 2, *rows), "Q").ok
    rows[1][0][0] = big  # huge wrong entry: float64 would lose it, exact must not
    assert not verify(Scheme.from_rows(2, 2, 2, *rows), "Q").ok


def test_numeric_check_agrees_with_exact():
    rng = np.random.default_rng(0)
    s = laderman()
    A, B = rng.integers(-3, 4, (3, 3)), rng.integers(-3, 4, (3, 3))
    assert (s.apply(A.astype(object), B.astype(object)) == A @ B).all()
