import numpy as np
import pytest

from discovery.circuits.circuit import build_circuit, circuit_counts, evaluate_circuit
from discovery.circuits.optimize_additions import optimize_additions, unimodular_representatives
from discovery.core.verify import verify, verify_sympy
from tests._circuit_fixtures import collection, strassen, winograd


def _costs_what_it_says_and_multiplies(ss, seed: int = 0) -> None:
    """Independent of the search: the program's circuit counts the additions it reports, and the
    circuit computes A @ B exactly on random integer matrices (object arithmetic, no rounding)."""
    G = build_circuit(ss)
    assert circuit_counts(G).additions == ss.reduced_additions
    n, m, p = ss.format
    rng = np.random.default_rng(seed)
    for _ in range(3):
        A = rng.integers(-50, 51, (n, m)).astype(object)
        B = rng.integers(-50, 51, (m, p)).astype(object)
        assert (np.array(evaluate_circuit(G, A, B), dtype=object) == A.dot(B)).all()


def test_representatives_are_unimodular():
    reps = unimodular_representatives(2)
    assert reps[0] == ((1, 0), (0, 1))
    for X in reps:
        assert abs(round(np.linalg.det(np.array(X)))) == 1


@pytest.mark.parametrize("make", [strassen, lambda: collection("2x2x2_m7_ZT.json")],
                         ids=["strassen", "collection-2x2"])
def test_equivalent_search_reaches_15(make):
    s = make()
    res = optimize_additions(s)
    assert res.exhaustive
    assert res.start.reduced_additions > 15
    assert res.best.reduced_additions == 15 and res.best.multiplications == 7
    assert res.best.scheme != s
    assert verify(res.best.scheme).ok and verify_sympy(res.best.scheme).ok
    assert res.best.naive_additions == s.counts().additions
    _costs_what_it_says_and_multiplies(res.best)


def test_winograd_is_already_optimal():
    res = optimize_additions(winograd())
    assert res.best.reduced_additions == 15 and res.transform == "identity"


def test_user_transform_is_used():
    calls = []

    def transform(s, X, Y, Z):
        from discovery.core.transforms import sandwich

        calls.append(1)
        return sandwich(s, X, Y, Z)

    optimize_additions(strassen(), transform=transform, symmetries=False)
    assert calls


@pytest.mark.slow
def test_3x3_coordinate_descent_with_time_limit():
    s = collection("3x3x3_m23_Z.json")
    res = optimize_additions(s, time_limit_s=120)
    assert not res.exhaustive
    assert verify(res.best.scheme).ok and res.best.multiplications == 23
    # what it returns is what it claims: the count and the product, checked on the circuit
    _costs_what_it_says_and_multiplies(res.best)
    _costs_what_it_says_and_multiplies(res.start)
