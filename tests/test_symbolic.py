import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from tests._circuit_fixtures import collection, data_file, expand_equations as _expand_equations
from tests._circuit_fixtures import strassen, sympy_product as _AB, winograd
from discovery.errors import VerificationError
from discovery.core.scheme import Scheme
from discovery.circuits.slp import LinearProgram, eliminate_pairs, plain_program
from discovery.circuits.symbolic import (SimplifiedScheme, output_expressions, plain, product_expressions,
                                simplify_additions)
from discovery.formats import read_reduced


def test_winograd_reaches_15_by_sharing():
    ss = simplify_additions(winograd())
    assert (ss.naive_additions, ss.reduced_additions, ss.multiplications) == (24, 15, 7)
    assert _expand_equations(ss) == _AB(2, 2, 2)
    assert len(ss.intermediates()) == len(ss.a.temps) + len(ss.b.temps) + len(ss.c.temps)


def test_strassen_sharing_alone_stays_at_18():
    ss = simplify_additions(strassen())
    assert (ss.naive_additions, ss.reduced_additions) == (18, 18)
    assert _expand_equations(ss) == _AB(2, 2, 2)


def test_symbolic_forms_expand_to_matrix_product():
    s = strassen()
    prods = product_expressions(s)
    C = output_expressions(s).subs({f"m{t + 1}": prods[t] for t in range(7)})
    assert C.applyfunc(sympy.expand) == _AB(2, 2, 2)
    assert str(prods[0]) == "(a11 + a22)*(b11 + b22)"


def test_reduced_reader_and_3x3_rank23():
    ss = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))
    assert (ss.naive_additions, ss.reduced_additions, ss.multiplications) == (119, 58, 23)
    best = simplify_additions(ss.scheme)
    assert best.scheme == ss.scheme
    assert best.reduced_additions <= 62


def test_rank49_under_10_seconds():
    s = collection("4x4x4_m49_ZT.json")
    t0 = time.perf_counter()
    ss = simplify_additions(s)
    assert time.perf_counter() - t0 < 10
    assert ss.reduced_additions < ss.naive_additions == s.counts().additions


def test_invalid_scheme_is_refused_with_equations_named():
    u = [row[:] for row in strassen().rows()[0]]
    u[0][0] = -1
    bad = Scheme.from_rows(2, 2, 2, u, strassen().v, strassen().w)
    with pytest.raises(VerificationError, match="equations fail"):
        simplify_additions(bad)


def test_check_rejects_a_program_that_computes_something_else():
    ss = simplify_additions(strassen())
    wrong_c = LinearProgram(ss.c.n_inputs, ss.c.temps, (ss.c.outputs[1],) + ss.c.outputs[1:])
    with pytest.raises(VerificationError, match="C-side"):
        SimplifiedScheme(ss.scheme, ss.a, ss.b, wrong_c, 18).check()


def test_evaluate_matches_matmul():
    ss = simplify_additions(winograd())
    rng = np.random.default_rng(1)
    A, B = rng.integers(-50, 50, (2, 2)), rng.integers(-50, 50, (2, 2))
    np.testing.assert_array_equal(ss.evaluate(A, B), A @ B)
    assert plain(strassen()).reduced_additions == 18


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(-2, 2), min_size=5, max_size=5), min_size=1, max_size=8),
       st.integers(0, 1000))
def test_pair_elimination_preserves_matrix(rows, seed):
    M = np.array(rows, dtype=np.int64)
    prog = eliminate_pairs(M, tries=4, seed=seed)
    np.testing.assert_array_equal(prog.matrix(), M)
    assert prog.additions <= plain_program(M).additions


def test_reduced_reader_refuses_bad_files(tmp_path):
    import json

    from discovery.errors import SchemeFileError

    path = tmp_path / "r.json"
    path.write_text("{not json")
    with pytest.raises(SchemeFileError, match="r.json"):
        read_reduced(path)
    d = json.loads(data_file("2x2x2_m7_cr15_cn24_ZT_reduced.json").read_text())
    del d["v"]
    with pytest.raises(SchemeFileError, match="not a reduced scheme"):
        read_reduced(d)
    d = json.loads(data_file("2x2x2_m7_cr15_cn24_ZT_reduced.json").read_text())
    d["w"][0][0]["value"] = 1  # one flipped coefficient: the expansion no longer verifies
    with pytest.raises(VerificationError, match="equations fail"):
        read_reduced(d)


def test_integer_schemes_get_integer_temps():
    s = collection("3x3x3_m23_Z.json")  # coefficients up to ±2
    ss = simplify_additions(s)
    coeffs = [c for prog in (ss.a, ss.b, ss.c) for ts in (*prog.temps, *prog.outputs) for _, c in ts]
    assert all(isinstance(c, int) for c in coeffs)
    assert ss.reduced_additions < ss.naive_additions == 110
    assert len(ss.equations()) > 23
    M = np.array([[2, 1, 0], [4, 2, 1], [2, 1, 1], [1, 3, 0]])
    prog = eliminate_pairs(M, tries=8)
    np.testing.assert_array_equal(prog.matrix(), M)
    assert all(isinstance(c, int) for ts in prog.temps for _, c in ts)


@pytest.mark.parametrize("name", ["2x2x2_m7_cr15_cn24_ZT_reduced.json", "3x3x3_m23_cr58_cn119_ZT_reduced.json"])
def test_reduced_round_trip(name):
    import json

    from discovery.formats import to_reduced

    original = json.loads(data_file(name).read_text())
    ss = read_reduced(original)
    d = to_reduced(ss)
    assert d["complexity"] == original["complexity"]
    back = read_reduced(json.loads(json.dumps(d)))
    assert back == ss
    assert to_reduced(simplify_additions(ss.scheme))["complexity"]["reduced"] <= 62
