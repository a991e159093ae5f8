"""Programs of Kronecker products and compositions (discovery.circuits.products)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discovery as d
from discovery.circuits.basis import alternative_basis
from discovery.circuits.cse import reduce_map
from discovery.circuits.products import Factored, block_order, compose, kron_program, kron_simplified, relabel
from discovery.circuits.slp import LinearProgram
from discovery.circuits.symbolic import simplify_additions
from discovery.core.transforms import kron
from tests._circuit_fixtures import expand_equations, sympy_product

ternary = st.lists(st.lists(st.integers(-1, 1), min_size=4, max_size=4), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None)
@given(ternary, ternary, st.integers(0, 99))
def test_kron_program_computes_the_kronecker_product(r1, r2, seed):
    M1, M2 = np.array(r1, dtype=np.int64), np.array(r2, dtype=np.int64)
    p1, p2 = reduce_map(M1, "greedy", 2, seed), reduce_map(M2, "greedy", 2, seed)
    prog = kron_program(p1, p2)
    np.testing.assert_array_equal(prog.matrix(), np.kron(M1, M2))
    (K1, N1), (K2, N2) = M1.shape, M2.shape
    assert prog.additions <= min(N1 * p2.additions + K2 * p1.additions, N2 * p1.additions + K1 * p2.additions)
    assert all(len(t) == 2 for t in prog.temps)


square = st.lists(st.lists(st.integers(-1, 1), min_size=4, max_size=4), min_size=4, max_size=4)


@settings(max_examples=40, deadline=None)
@given(square, ternary, st.integers(0, 99))
def test_compose_counts_the_sum(r1, r2, seed):
    M1, M2 = np.array(r1, dtype=np.int64), np.array(r2, dtype=np.int64)
    first, second = reduce_map(M1, "greedy", 2, seed), reduce_map(M2, "greedy", 2, seed)
    prog = compose(first, second)
    np.testing.assert_array_equal(prog.matrix(), M2 @ M1)
    assert prog.additions <= first.additions + second.additions


def test_compose_of_a_basis_change_and_its_core():
    ab = alternative_basis(d.winograd())
    a = compose(ab.phi, ab.a)
    np.testing.assert_array_equal(a.matrix(), np.asarray(ab.scheme.u))
    assert a.additions == ab.phi.additions + ab.a.additions == 4
    with pytest.raises(ValueError, match="feeds one"):
        compose(ab.a, ab.phi)


def test_relabel_and_block_order_match_kron():
    s1, s2 = d.strassen(), d.standard(1, 2, 3)
    s = kron(s1, s2)
    nat = np.kron(np.asarray(s1.u), np.asarray(s2.u))
    perm = block_order((2, 2), (1, 2))
    np.testing.assert_array_equal(np.asarray(s.u)[:, perm], nat)
    prog = relabel(reduce_map(nat, "greedy", 1, transposed=False), inputs=perm)
    np.testing.assert_array_equal(prog.matrix(), np.asarray(s.u))


def test_scalings_are_refused():
    p = LinearProgram(2, (), (((0, 2), (1, 1)),))
    with pytest.raises(ValueError, match="±1"):
        kron_program(p, p)


def test_winograd_twice_in_the_alternative_basis_has_156_additions():
    """(u' φ) ⊗ (u' φ) = (u' ⊗ u')(φ ⊗ φ): 41 + 41 + 74, below the published 159 (and the
    165 of the plain product structure); the program is verified (exact, sympy, integers)."""
    ab, w = alternative_basis(d.winograd()), simplify_additions(d.winograd())
    ss = kron_simplified(ab, ab)
    assert (ss.a.additions, ss.b.additions, ss.c.additions) == (41, 41, 74)
    assert ss.scheme == kron(d.winograd(), d.winograd()) and ss.multiplications == 49
    assert kron_simplified(w, w).reduced_additions == 165
    assert kron_simplified(ab, w).reduced_additions == 156
    rng = np.random.default_rng(0)
    A, B = rng.integers(-50, 50, (4, 4)), rng.integers(-50, 50, (4, 4))
    np.testing.assert_array_equal(ss.evaluate(A, B), A @ B)
    assert Factored.of(ab).additions == 15


@pytest.mark.parametrize("second", [lambda: d.standard(1, 1, 2), lambda: d.standard(2, 1, 1), d.winograd])
def test_products_of_small_formats_are_exact(second):
    ss = kron_simplified(alternative_basis(d.strassen()), simplify_additions(second()))
    assert expand_equations(ss) == sympy_product(*ss.format)
