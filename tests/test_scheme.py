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
    assert s.u[0, 0] == Fraction(1, 2) and s.v.dtype == np.int64 or s.v[0, 0] == 2
