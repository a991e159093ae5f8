import importlib
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import Scheme, laderman, require_valid, standard, strassen, valid_rings, verify, verify_sympy, winograd
from discovery.core.scheme import Ring
from discovery.errors import SchemeFormatError, VerificationError


def corrupt(s: Scheme, which: int, t: int, c: int, delta) -> Scheme:
    rows = [list(map(list, a)) for a in s.rows()]
    rows[which][t][c] += delta
    return Scheme.from_rows(s.n, s.m, s.p, *rows, ring="Q")


@pytest.mark.parametrize("build", [strassen, winograd, laderman, lambda: standard(2, 3, 4)])
def test_known_algorithms_verify_every_way(build):
    s = build()
    assert verify(s).ok and verify(s, "Z2").ok and verify_sympy(s).ok
    assert valid_rings(s) == ("ZT", "Z", "Q", "Z2", "Z3")
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


def test_mod3_only_scheme_and_ring_z3():
    s = strassen()
    bad = corrupt(s, 0, 0, 0, 3)  # + 3: valid modulo 3 only
    assert valid_rings(bad) == ("Z3",) and verify(bad, "Z3").ok and not verify(bad, "Z2").ok
    z3 = Scheme.from_rows(2, 2, 2, *bad.rows(), ring="Z3")
    assert z3.ring == "Z3" and Ring.parse("Z3") is Ring.Z3 and Ring.Z3.modulus == 3 and Ring.Z.modulus is None
    assert verify(z3).ok and "exact over Z3" in verify(z3).summary()
    worse = corrupt(bad, 0, 0, 0, 1)
    rep = verify(worse, "Z3")
    assert not rep.ok and rep.failures and all((f.got - f.expected) % 3 for f in rep.failures)
    with pytest.raises(SchemeFormatError, match="integer"):
        Scheme.from_rows(2, 2, 2, *corrupt(s, 0, 0, 0, Fraction(1, 2)).rows(), ring="Z3")


def test_huge_denominators_verify_exactly():
    s = strassen()
    rows = [list(map(list, a)) for a in s.rows()]
    big = Fraction(1, 2**70 + 15)  # the common denominator is far beyond int64
    rows[0][0] = [x * big for x in rows[0][0]]
    rows[2][0] = [x / big for x in rows[2][0]]  # the same scheme, scaled: still exact
    t = Scheme.from_rows(2, 2, 2, *rows)
    assert verify(t).ok and t.ring == "Q"
    rows[1][0][0] += Fraction(1, 2**71 + 3)
    assert not verify(Scheme.from_rows(2, 2, 2, *rows)).ok


def test_ring_requirements():
    s = strassen()
    rows = [list(map(list, a)) for a in s.rows()]
    rows[0][0] = [2 * x for x in rows[0][0]]
    rows[2][0] = [Fraction(x, 2) for x in rows[2][0]]
    h = Scheme.from_rows(2, 2, 2, *rows)
    assert verify(h, "Q").ok
    rep = verify(h, "Z")
    assert not rep.ok and "fractions" in rep.problem


@pytest.mark.parametrize("call", [lambda s: verify(s, "Z5"), lambda s: require_valid(s, "Z5"),
                                  lambda s: Scheme.from_rows(2, 2, 2, *s.rows(), ring="Z5"),
                                  lambda s: s.with_ring("Z5")])
def test_an_unknown_ring_is_one_error_type_everywhere(call):
    with pytest.raises(SchemeFormatError, match="unknown ring 'Z5'; use one of ZT, Z, Q"):
        call(strassen())


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


@pytest.fixture
def brent_calls(monkeypatch):
    """Formats of the schemes whose Brent tensor gets computed (the cost of a verification)."""
    module = importlib.import_module("discovery.core.verify")
    calls = []
    real = module.brent_tensor

    def counting(s):
        calls.append(s.format)
        return real(s)

    monkeypatch.setattr(module, "brent_tensor", counting)
    return calls


def fresh(s: Scheme) -> Scheme:
    """An equal scheme that has never been verified."""
    return Scheme.from_rows(s.n, s.m, s.p, *s.rows(), ring=s.ring)


def test_a_scheme_is_verified_once_whatever_is_asked(brent_calls):
    s = fresh(strassen())
    assert s.verified_over == ()
    assert require_valid(s) is s and require_valid(s) is s and verify(s, "Z2").ok
    assert valid_rings(s) == s.verified_over == ("ZT", "Z", "Q", "Z2", "Z3")
    assert len(brent_calls) == 1
    bad = corrupt(strassen(), 0, 0, 0, 2)  # valid mod 2 only: the failing case reuses its tensor too
    assert not verify(bad).ok and valid_rings(bad) == ("Z2",) and verify(bad, "Z2").ok
    with pytest.raises(VerificationError):
        require_valid(bad)
    assert len(brent_calls) == 2


def test_the_verdicts_follow_the_coefficients_not_the_metadata(brent_calls):
    from discovery import Provenance

    s = fresh(laderman())
    require_valid(s)
    t = s.with_provenance(Provenance(source="x")).with_ring("Z2")
    assert require_valid(t) is t and t.verified_over == s.verified_over
    assert len(brent_calls) == 1


def test_downstream_users_do_not_reverify(brent_calls, capsys, tmp_path):
    from discovery import optimize_additions, save_scheme, simplify_additions
    from discovery.cli import main
    from discovery.ranks.bounds import RankTable

    simplify_additions(fresh(strassen()))
    assert len(brent_calls) == 1  # was 2: once before simplifying, once in the final check
    brent_calls.clear()
    optimize_additions(fresh(strassen()))
    assert len(brent_calls) == 2  # was 6: the given scheme once, the winning equivalent once
    brent_calls.clear()
    tab = RankTable([strassen()], max_dim=4)
    assert tab.build((4, 4, 4)) is tab.build((4, 4, 4))
    assert brent_calls == [(4, 4, 4)]
    brent_calls.clear()
    path = tmp_path / "m2.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 2), path)
    assert main(["verify", str(path), "--sympy"]) == 0  # valid mod 2 only, not wrong; verify, valid_rings, Q check
    assert "valid over Z2 only" in capsys.readouterr().out
    assert len(brent_calls) == 1
