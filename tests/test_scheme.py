import json
import pickle
from fractions import Fraction

import numpy as np
import pytest
import torch

from discovery import Scheme, laderman, standard, strassen, winograd
from discovery.errors import SchemeFormatError


def test_apply_numpy_batched_matches_matmul():
    rng = np.random.default_rng(1)
    for s in (strassen(), winograd(), laderman(), standard(2, 3, 4)):
        A = rng.standard_normal((5, s.n, s.m))
        B = rng.standard_normal((5, s.m, s.p))
        np.testing.assert_allclose(s.apply(A, B), A @ B, atol=1e-12)


def test_apply_exact_integers_and_fractions():
    s = laderman()
    rng = np.random.default_rng(2)
    A = rng.integers(-9, 10, (3, 3)).astype(object) * Fraction(1, 3)
    B = rng.integers(-9, 10, (3, 3)).astype(object)
    assert (s.apply(A, B) == A.dot(B)).all()


def test_apply_torch_matches_matmul():
    s = strassen()
    A = torch.randn(4, 2, 2, dtype=torch.float64)
    B = torch.randn(4, 2, 2, dtype=torch.float64)
    torch.testing.assert_close(s.apply(A, B), A @ B)


def test_counts_of_known_algorithms():
    assert strassen().counts().additions == 18
    assert winograd().counts().additions == 24
    c = standard(2, 3, 4).counts()
    assert (c.multiplications, c.additions, c.scalings) == (24, 2 * 4 * 2, 0)


def test_immutable_and_hashable():
    s = strassen()
    with pytest.raises(ValueError):
        s.u[0, 0] = 5
    with pytest.raises(AttributeError):
        s.n = 3
    assert s == strassen() and hash(s) == hash(strassen())
    assert s != winograd()


def test_ring_inference_and_rationals():
    s = strassen()
    assert s.ring == "ZT" and s.is_ternary
    u2 = [[2 * x for x in row] for row in s.rows()[0]]
    w2 = [[Fraction(x, 2) for x in row] for row in s.rows()[2]]
    h = Scheme.from_rows(2, 2, 2, u2, s.v, w2)
    assert h.ring == "Q" and not h.is_integral
    assert Scheme.from_rows(2, 2, 2, u2, s.v, s.w).ring == "Z"


@pytest.mark.parametrize(
    "u, msg",
    [
        ([[1, 0, 0]], "entries"),
        ([[1, 0, 0, float("nan")]], "not finite"),
        ([[1, 0, 0, 0.1]], "exact rational"),
        ([[1, 0, 0, "x"]], "not a number"),
        ([[1, 0, 0, "0.5"]], "decimal"),
        ([[1, 0, 0, True]], "boolean"),
        ([[1, 0, 0, None]], "type"),
    ],
)
def test_bad_coefficients_are_named(u, msg):
    with pytest.raises(SchemeFormatError, match=msg):
        Scheme.from_rows(2, 2, 2, u, [[1, 0, 0, 0]], [[1, 0, 0, 0]])


def test_rank_and_format_mismatch():
    s = strassen()
    with pytest.raises(SchemeFormatError, match="rank says 8"):
        Scheme.from_rows(2, 2, 2, s.u, s.v, s.w, rank=8)
    with pytest.raises(SchemeFormatError, match="rows but the rank"):
        Scheme.from_rows(2, 2, 2, s.u, s.v, s.w[:6])
    with pytest.raises(SchemeFormatError, match="entries, expected 6"):
        Scheme.from_rows(2, 3, 2, s.u, s.v, s.w)
    with pytest.raises(SchemeFormatError, match="positive integer"):
        Scheme.from_rows(0, 2, 2, s.u, s.v, s.w)
    with pytest.raises(SchemeFormatError, match=r"\{-1, 0, 1\}"):
        Scheme.from_rows(2, 2, 2, 2 * np.asarray(s.u), s.v, s.w, ring="ZT")


def test_float_binary_rationals_are_exact():
    s = Scheme.from_rows(1, 1, 1, [[0.5]], [[2.0]], [[1]])
    assert s.u.dtype == object and s.u[0, 0] == Fraction(1, 2)
    assert s.v.dtype == np.int64 and s.v[0, 0] == 2
    assert Scheme.from_rows(1, 1, 1, [[0.375]], [[1]], [[1]]).u[0, 0] == Fraction(3, 8)


def test_constructor_rejects_an_unknown_ring():
    s = strassen()
    with pytest.raises(SchemeFormatError, match="unknown ring 'bogus'"):
        Scheme(2, 2, 2, s.u, s.v, s.w, ring="bogus")
    with pytest.raises(SchemeFormatError, match="unknown ring"):
        Scheme.from_rows(2, 2, 2, s.u, s.v, s.w, ring="R")


def test_direct_construction_freezes_and_owns_its_arrays():
    s = strassen()
    u, v, w = (np.array(a, dtype=np.int32) for a in (s.u, s.v, s.w))  # writable, another dtype
    t = Scheme(2, 2, 2, u, v, w, ring="ZT")
    assert all(a.dtype == np.int64 and not a.flags.writeable for a in (t.u, t.v, t.w))
    u[0, 0] = 5  # the caller's array is not the scheme's
    assert t.u[0, 0] == s.u[0, 0] and t == s
    with pytest.raises(ValueError):
        t.w[0, 0] = 1


def test_direct_construction_checks_the_coefficients_against_the_ring():
    s = strassen()
    with pytest.raises(SchemeFormatError, match=r"\{-1, 0, 1\}"):
        Scheme(2, 2, 2, 2 * s.u, s.v, s.w, ring="ZT")
    half = np.array(s.w, dtype=object) * Fraction(1, 2)
    with pytest.raises(SchemeFormatError, match="needs integer coefficients"):
        Scheme(2, 2, 2, s.u, s.v, half, ring="Z")
    assert Scheme(2, 2, 2, s.u, s.v, half, ring="Q").w[0, 0] == Fraction(1, 2)
    with pytest.raises(SchemeFormatError, match="positive integer"):
        Scheme(0, 2, 2, s.u, s.v, s.w)
    with pytest.raises(SchemeFormatError, match="rows but the rank"):
        Scheme(2, 2, 2, s.u, s.v, s.w[:6])
    with pytest.raises(SchemeFormatError, match="boolean"):
        Scheme(2, 2, 2, s.u != 0, s.v, s.w)


def test_ring_is_typed_but_reads_and_serialises_as_its_name():
    from discovery import Ring
    from discovery.formats import scheme_to_dict

    s = strassen()
    assert s.ring is Ring.ZT and s.ring == "ZT" and f"{s.ring}" == "ZT" and str(s.ring) == "ZT"
    assert Scheme(2, 2, 2, s.u, s.v, s.w, ring="Z2").ring is Ring.Z2
    assert json.loads(json.dumps(scheme_to_dict(s)))["discovery"]["ring"] == "ZT"
    assert '"ring": "ZT"' in json.dumps(scheme_to_dict(s)) and repr(s.ring) == "'ZT'"


def test_frozen_int64_arrays_are_taken_without_a_copy():
    s = strassen()
    t = Scheme(2, 2, 2, s.u, s.v, s.w, ring="Z")
    assert t.u is s.u and t.v is s.v and t.w is s.w


def test_pickle_keeps_arrays_read_only_and_leaves_the_verdicts_behind():
    from discovery import verify

    s = strassen()
    assert verify(s).ok and s.verified_over
    t = pickle.loads(pickle.dumps(s))
    assert t == s and t.verified_over == () and not t.u.flags.writeable


def test_int_or_fraction_gives_plain_ints_when_integral():
    from discovery.core.coefficients import int_or_fraction

    for x, want in ((np.int64(3), 3), (Fraction(np.int64(4), 2), 2), (Fraction(6, 4), Fraction(3, 2)),
                    ("10/5", 2), (-7, -7)):
        got = int_or_fraction(x)
        assert got == want and type(got) is type(want)
