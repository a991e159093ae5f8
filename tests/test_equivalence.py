"""find_equivalence: the transform it returns maps the source onto the target exactly."""

import itertools
from fractions import Fraction

import numpy as np
import pytest

from discovery import (
    Scheme,
    canonical,
    cyclic,
    permute_terms,
    sandwich,
    scale_term,
    standard,
    strassen,
    transpose,
    verify,
    winograd,
)
from discovery.core.equivalence import Equivalence, find_equivalence, unimodular_up_to_sign
from discovery.errors import DiscoveryError


def test_unimodular_matrices_up_to_sign():
    mats = unimodular_up_to_sign(2)
    # independent count: a d - b c = ±1 over {-1, 0, 1}^4, halved for the sign
    count = sum(abs(a * d - b * c) == 1 for a, b, c, d in itertools.product((-1, 0, 1), repeat=4))
    assert mats[0] == ((1, 0), (0, 1)) and len(mats) == len(set(mats)) == count // 2 == 20
    for M in mats:
        A = np.array(M)
        assert round(abs(np.linalg.det(A))) == 1 and tuple(map(tuple, -A)) not in mats


def test_winograd_maps_onto_strassen():
    eq = find_equivalence(winograd(), strassen())
    assert isinstance(eq, Equivalence)
    image = eq.apply(winograd())
    assert image == strassen().with_ring(image.ring) and verify(image).ok
    text = eq.describe()
    assert "symmetry:" in text and "X = " in text and "m1 <- m" in text


def test_a_disguised_strassen_is_unmasked():
    # a symmetry, a sandwich, a shuffle and sign flips: the search must undo all of them
    s = transpose(cyclic(strassen()))
    s = sandwich(s, [[1, 1], [0, 1]], [[0, 1], [1, 0]], [[1, 0], [-1, 1]])
    s = permute_terms(s, [3, 0, 6, 2, 5, 1, 4])
    s = scale_term(scale_term(s, 2, -1, 1), 5, -1, -1)
    assert canonical(s) != canonical(strassen())
    eq = find_equivalence(s, strassen())
    assert eq is not None and eq.apply(s) == strassen().with_ring(eq.apply(s).ring)
    # and back: the inverse direction is found too
    back = find_equivalence(strassen(), s)
    assert back is not None and back.apply(strassen()) == s.with_ring(back.apply(strassen()).ring)


def _split_first_product(s: Scheme) -> Scheme:
    """A rank-8 scheme: Strassen with (a11+a22)(b11+b22) split over b11 and b22."""
    u, v, w = (np.array(a, dtype=object) for a in s.rows())
    v0 = v[0].copy()
    keep = [i for i, x in enumerate(v0) if x][:1]
    va, vb = np.zeros_like(v0), v0.copy()
    va[keep] = v0[keep]
    vb[keep] = 0
    return Scheme.from_rows(2, 2, 2, np.vstack([u, u[:1]]), np.vstack([va, v[1:], vb]),
                            np.vstack([w, w[:1]]))


def test_inequivalent_schemes_give_none():
    split = _split_first_product(strassen())
    assert verify(split).ok and split.rank == 8
    # every factor of the standard algorithm is a rank-1 matrix; (a11 + a22) is not, and no
    # symmetry or sandwich changes the rank of a factor matrix
    assert find_equivalence(split, standard(2, 2, 2)) is None


def test_bad_pairs_are_refused():
    with pytest.raises(DiscoveryError, match="format and the rank"):
        find_equivalence(strassen(), standard(2, 2, 2))


def test_scales_are_exact_fractions():
    s = scale_term(strassen(), 0, Fraction(1, 2), 3)
    eq = find_equivalence(s, strassen())
    assert eq is not None and eq.apply(s) == strassen().with_ring(eq.apply(s).ring)
    assert any(a != 1 and Fraction(a).denominator == 1 for a, _ in eq.scales)
