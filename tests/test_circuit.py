from fractions import Fraction

import networkx as nx
import numpy as np
import pytest

from discovery.circuits.circuit import build_circuit, circuit_counts, evaluate_circuit
from discovery.formats import from_graphml, to_dot, to_graphml
from discovery.errors import VerificationError
from discovery.core.scheme import Scheme
from discovery.circuits.symbolic import simplify_additions
from discovery.formats import read_reduced
from tests._circuit_fixtures import data_file, strassen, winograd


def test_plain_strassen_counts_match_scheme():
    G = build_circuit(strassen())
    c = circuit_counts(G)
    assert (c.multiplications, c.additions, c.scalings) == (7, strassen().counts().additions, 0)
    kinds = nx.get_node_attributes(G, "kind")
    assert sorted(set(kinds.values())) == ["add", "input_a", "input_b", "mul", "output"]
    assert sum(k == "output" for k in kinds.values()) == 4


@pytest.mark.parametrize("dtype", [np.int64, np.float64])
def test_evaluation_is_matmul(dtype):
    rng = np.random.default_rng(0)
    for scheme in (strassen(), simplify_additions(winograd())):
        G = build_circuit(scheme)
        A, B = rng.integers(-20, 20, (2, 2)).astype(dtype), rng.integers(-20, 20, (2, 2)).astype(dtype)
        np.testing.assert_allclose(evaluate_circuit(G, A, B), A @ B, rtol=1e-12)


def test_block_evaluation():
    G = build_circuit(simplify_additions(winograd()))
    rng = np.random.default_rng(1)
    A, B = rng.standard_normal((6, 6)), rng.standard_normal((6, 6))
    blk = lambda M: [[M[:3, :3], M[:3, 3:]], [M[3:, :3], M[3:, 3:]]]  # noqa: E731
    C = np.block(evaluate_circuit(G, blk(A), blk(B), matmul=np.matmul))
    np.testing.assert_allclose(C, A @ B, rtol=1e-10, atol=1e-12)


def test_simplified_counts_and_depth():
    ss = simplify_additions(winograd())
    c = circuit_counts(build_circuit(ss))
    assert (c.multiplications, c.additions) == (7, ss.reduced_additions) == (7, 15)
    assert c.depth >= 3  # at least: a sum, the product, a sum


def test_3x3_reduced_file_circuit():
    ss = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))
    G = build_circuit(ss)
    assert circuit_counts(G).additions == 58
    rng = np.random.default_rng(2)
    A, B = rng.integers(-9, 9, (3, 3)), rng.integers(-9, 9, (3, 3))
    np.testing.assert_array_equal(evaluate_circuit(G, A, B), A @ B)


def test_dot_and_graphml_round_trip():
    G = build_circuit(simplify_additions(winograd()))
    dot = to_dot(G, "winograd")
    assert dot.startswith('digraph "winograd"') and dot.count("->") == G.number_of_edges()
    H = from_graphml(to_graphml(G))
    assert circuit_counts(H) == circuit_counts(G)
    A, B = np.array([[1, 2], [3, 4]]), np.array([[5, -6], [7, 8]])
    np.testing.assert_array_equal(evaluate_circuit(H, A, B), A @ B)


def test_fraction_coefficients_survive_graphml():
    half = Fraction(1, 2)
    s = Scheme.from_rows(1, 1, 1, [[2]], [[1]], [[half]])
    G = build_circuit(s)
    assert from_graphml(to_graphml(G)).edges["m1", "c11"]["coeff"] == half
    assert evaluate_circuit(G, np.array([[3.0]]), np.array([[5.0]]))[0, 0] == 15.0


def test_unverified_scheme_refused():
    w = [row[:] for row in strassen().rows()[2]]
    w[0][0] = 0
    with pytest.raises(VerificationError):
        build_circuit(Scheme.from_rows(2, 2, 2, strassen().u, strassen().v, w))
