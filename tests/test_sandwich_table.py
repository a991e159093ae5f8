"""The cheapest sandwich image over tables of coset representatives (discovery.circuits.sandwich_table)."""

from pathlib import Path

import numpy as np
import pytest

import discovery as d
from discovery.circuits.sandwich_table import best_sandwich
from discovery.circuits.symbolic import simplify_additions
from discovery.circuits.variants import sandwich_arrays
from discovery.core.transforms import sandwich
from discovery.formats import load_scheme

ROOT = Path(__file__).resolve().parents[1]


def test_strassen_becomes_a_fifteen_addition_scheme():
    choice = best_sandwich(d.strassen())
    assert (choice.start_additions, choice.additions) == (18, 15)
    assert d.verify(choice.scheme).ok and choice.scheme.is_ternary
    ss = simplify_additions(choice.scheme, method="closure")  # re-verified (sympy, integers) inside
    assert ss.reduced_additions == 15 == sum(choice.by_side)


def test_the_image_is_the_chosen_sandwich_and_no_dearer():
    s = load_scheme(ROOT / "results" / "schemes" / "2x3x3" / "r15-00cadbe433591cd1.json")
    choice = best_sandwich(s)
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    X, Y, Z = choice.XYZ
    inv = [np.rint(np.linalg.inv(M)).astype(np.int64) for M in (X, Y, Z)]
    u2, v2, w2 = sandwich_arrays(u, v, w, s.format, X, Y, Z, *inv)
    np.testing.assert_array_equal(np.asarray(choice.scheme.u, dtype=np.int64), u2)
    np.testing.assert_array_equal(np.asarray(choice.scheme.w, dtype=np.int64), w2)
    assert d.verify(choice.scheme).ok
    assert choice.additions <= choice.start_additions
    assert simplify_additions(choice.scheme, method="closure").reduced_additions <= choice.additions


def test_refuses_large_or_non_ternary_formats():
    with pytest.raises(ValueError, match="at most 3"):
        best_sandwich(d.kron(d.strassen(), d.strassen()))
    s = sandwich(d.strassen(), np.array([[1, 2], [0, 1]]), np.eye(2, dtype=np.int64), np.eye(2, dtype=np.int64))
    with pytest.raises(ValueError, match="ternary"):
        best_sandwich(s)
