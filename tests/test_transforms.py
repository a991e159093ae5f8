import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import (
    canonical,
    cyclic,
    direct_sum,
    fingerprint,
    kron,
    laderman,
    permute_terms,
    sandwich,
    scale_term,
    standard,
    strassen,
    transpose,
    verify,
    winograd,
)
from discovery.errors import DiscoveryError


def unimodular(rng, d):
    """A random integer matrix with determinant ±1 (product of elementary operations)."""
    X = np.eye(d, dtype=int)
    for _ in range(3):
        i, j = rng.choice(d, 2, replace=False) if d > 1 else (0, 0)
        if d > 1:
            X[i] += rng.choice([-1, 1]) * X[j]
    return X


@pytest.mark.parametrize("build", [strassen, laderman, lambda: standard(2, 3, 4)])
def test_symmetries_keep_exactness(build):
    s = build()
    for t in (transpose(s), cyclic(s), cyclic(cyclic(s)), transpose(cyclic(s))):
        assert verify(t).ok
    n, m, p = s.format
    assert transpose(s).format == (p, m, n) and cyclic(s).format == (m, p, n)


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10**6))
def test_sandwich_with_random_unimodular_matrices(seed):
    rng = np.random.default_rng(seed)
    s = laderman() if seed % 2 else standard(2, 3, 2)
    n, m, p = s.format
    t = sandwich(s, unimodular(rng, n), unimodular(rng, m), unimodular(rng, p))
    assert t.rank == s.rank and t.is_integral and verify(t, "Z").ok


def test_sandwich_with_rational_inverse_and_singular():
    s = strassen()
    t = sandwich(s, [[2, 0], [0, 1]], None, [[1, 1], [0, 3]])
    assert verify(t, "Q").ok and not t.is_integral
    with pytest.raises(DiscoveryError, match="singular"):
        sandwich(s, [[1, 1], [1, 1]])


def test_kronecker_products():
    s = kron(strassen(), strassen())
    assert s.format == (4, 4, 4) and s.rank == 49 and verify(s).ok
    t = kron(laderman(), standard(1, 2, 1))
    assert t.format == (3, 6, 3) and t.rank == 46 and verify(t).ok
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((4, 4)), rng.standard_normal((4, 4))
    np.testing.assert_allclose(s.apply(A, B), A @ B, atol=1e-12)


def test_direct_sums():
    s = strassen()
    assert verify(direct_sum(s, standard(1, 2, 2), "n")).ok
    t = direct_sum(s, standard(2, 1, 2), "m")
    assert t.format == (2, 3, 2) and t.rank == 11 and verify(t).ok
    assert verify(direct_sum(s, s, "p")).ok
    with pytest.raises(DiscoveryError, match="cannot glue"):
        direct_sum(s, standard(3, 3, 3), "n")


def test_fingerprint_ignores_term_order_and_signs():
    s = strassen()
    t = scale_term(scale_term(permute_terms(s, [3, 1, 4, 0, 6, 5, 2]), 2, -1, 1), 5, 1, -1)
    assert verify(t).ok and t != s
    assert fingerprint(t) == fingerprint(s)
    assert canonical(t) == canonical(s)
    assert fingerprint(s) != fingerprint(winograd())


def test_fingerprint_with_symmetries():
    s = strassen()
    assert fingerprint(transpose(s), symmetries=True) == fingerprint(s, symmetries=True)


def test_fast_canonical_form_matches_the_fraction_one(monkeypatch):
    """The int64 fast path of canonical() gives the very tuple (and fingerprint) of the Fraction path."""
    import discovery.core.transforms as T

    rng = np.random.default_rng(5)
    schemes = [strassen(), winograd(), laderman(), transpose(laderman())]
    for s in list(schemes):  # scaled and reordered terms, and a term led by 2 (the slow path)
        t = permute_terms(s, list(rng.permutation(s.rank)))
        schemes += [scale_term(t, 0, -1, -1), scale_term(t, 1, 2, 1)]
    fast = [(T.canonical(s), T.fingerprint(s), T.canonical(s, True)) for s in schemes]
    assert sum(T._unit_form(s) is not None for s in schemes) >= 8
    monkeypatch.setattr(T, "_unit_form", lambda t: None)
    slow = [(T.canonical(s), T.fingerprint(s), T.canonical(s, True)) for s in schemes]
    assert [repr(x) for x in fast] == [repr(x) for x in slow]


def test_transforms_keep_a_ring_modulo_p():
    from tests.test_verify import corrupt

    z3 = corrupt(strassen(), 0, 0, 0, 3).with_ring("Z3")  # valid modulo 3 only
    z2 = corrupt(strassen(), 0, 0, 0, 2).with_ring("Z2")
    for t in (sandwich(z3, [[1, 1], [0, 1]]), cyclic(z3), transpose(z3), kron(z3, strassen()),
              direct_sum(z3, strassen(), "n"), permute_terms(z3, list(range(6, -1, -1)))):
        assert t.ring == "Z3" and verify(t).ok and not verify(t, "Q").ok
    assert kron(z2, z2).ring == "Z2" and verify(kron(z2, z2)).ok
    with pytest.raises(DiscoveryError, match="modulo 2 with one valid modulo 3"):
        kron(z2, z3)
