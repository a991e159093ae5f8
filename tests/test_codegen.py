import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.circuits.circuit import build_circuit, circuit_counts
from discovery.circuits.codegen import program_json, run_program, to_latex, to_program, to_python
from discovery.circuits.optimize_additions import unimodular_representatives
from discovery.circuits.symbolic import simplify_additions
from discovery.core.scheme import Scheme
from discovery.formats import read_reduced
from tests._circuit_fixtures import data_file, strassen, winograd


def _load(src: str, name: str = "multiply"):
    ns: dict = {}
    exec(compile(src, "<generated>", "exec"), ns)
    return ns[name]


def _count_ops(src: str) -> int:
    """Binary + and - in the generated statements (after the block set-up)."""
    body = src.split("hn, hm, hp = N")[1].split("\n", 1)[1]
    stmts = [ln.split(" = ", 1)[1] for ln in body.splitlines() if " = " in ln and "A[" not in ln and "B[" not in ln]
    return sum(s.count(" + ") + s.count(" - ") for s in stmts)


@pytest.mark.parametrize("make", [lambda: simplify_additions(winograd()), strassen,
                                  lambda: read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))],
                         ids=["winograd15", "strassen-plain", "3x3-r23"])
def test_generated_python_multiplies(make):
    obj = make()
    G = build_circuit(obj)
    n, m, p = (int(x) for x in G.graph["format"].split("x"))
    src = to_python(obj)
    f = _load(src)
    assert _count_ops(src) == circuit_counts(G).additions
    rng = np.random.default_rng(0)
    A, B = rng.integers(-99, 99, (3 * n, 2 * m)), rng.integers(-99, 99, (2 * m, 5 * p))
    np.testing.assert_array_equal(f(A, B), A @ B)
    A, B = rng.standard_normal((2 * n, 4 * m)), rng.standard_normal((4 * m, 3 * p))
    np.testing.assert_allclose(f(A, B), A @ B, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="do not split"):
        f(np.ones((n + 1, m)), np.ones((m, p)))


def test_generated_python_recurses():
    f = _load(to_python(simplify_additions(winograd()), name="winograd"), "winograd")

    def rec(x, y):
        return f(x, y, matmul=rec) if x.shape[0] % 2 == 0 and x.shape[0] > 2 else x @ y

    rng = np.random.default_rng(3)
    A, B = rng.integers(-9, 9, (16, 16)), rng.integers(-9, 9, (16, 16))
    np.testing.assert_array_equal(rec(A, B), A @ B)


def test_program_listing_counts_and_runs():
    ss = simplify_additions(winograd())
    prog = json.loads(program_json(ss))
    assert prog["additions"] == 15 and prog["multiplications"] == 7
    assert sum(len(s["terms"]) - 1 for s in prog["steps"] if s["op"] != "mul") == 15
    assert sum(s["op"] == "mul" for s in prog["steps"]) == 7
    A, B = np.array([[1, 2], [3, 4]]), np.array([[-5, 6], [7, 8]])
    np.testing.assert_array_equal(run_program(prog, A, B), A @ B)


def test_program_with_fractions():
    s = Scheme.from_rows(1, 1, 1, [[2]], [["1/4"]], [[2]])
    prog = to_program(s)
    assert prog["steps"][0]["right"] == ["1/4", "b11"]
    assert run_program(json.loads(json.dumps(prog)), [[3]], [[4]])[0, 0] == 12
    np.testing.assert_allclose(_load(to_python(s))(np.array([[3.0]]), np.array([[4.0]])), [[12.0]])


def test_latex_lists_every_step():
    ss = simplify_additions(winograd())
    tex = to_latex(ss)
    assert tex.startswith("\\begin{aligned}") and tex.rstrip().endswith("\\end{aligned}")
    assert tex.count("&=") == len(to_program(ss)["steps"])
    assert "c_{11} &=" in tex and r"\cdot" in tex



@settings(max_examples=15, deadline=None)
@given(st.integers(0, 5), st.integers(0, 5), st.integers(0, 5), st.integers(0, 10**6))
def test_exports_agree_on_equivalent_schemes(x, y, z, seed):
    """Any equivalent of Strassen: circuit, Python and program all give A @ B with equal counts."""
    from discovery.circuits.circuit import evaluate_circuit
    from discovery.core.transforms import sandwich

    X, Y, Z = (np.array(unimodular_representatives(2)[i]) for i in (x, y, z))
    ss = simplify_additions(sandwich(strassen(), X, Y, Z), tries=4, seed=seed)
    G = build_circuit(ss)
    prog = to_program(G)
    assert prog["additions"] == circuit_counts(G).additions == ss.reduced_additions
    rng = np.random.default_rng(seed)
    A, B = rng.integers(-30, 30, (2, 2)), rng.integers(-30, 30, (2, 2))
    np.testing.assert_array_equal(evaluate_circuit(G, A, B), A @ B)
    np.testing.assert_array_equal(run_program(prog, A, B), A @ B)
    np.testing.assert_array_equal(_load(to_python(G))(A, B), A @ B)


def test_signed_sum_is_the_one_writer_of_linear_sums():
    from discovery.core.formulas import format_linear, signed_sum

    terms = [(0, "z"), (-1, "x"), (2, "y"), (Fraction(-1, 2), "w")]
    assert signed_sum(terms, lambda mag, name: f"<{mag}>{name}") == "-<1>x + <2>y - <1/2>w"
    assert signed_sum([(0, "z")], lambda mag, name: name) == ""
    assert format_linear([0, -1, 2, Fraction(-1, 2)], ["z", "x", "y", "w"]) == "-x + 2y - 1/2*w"
    assert format_linear([0], ["z"]) == "0"


class _Counted:
    """A 1×1 block that counts the operations done on it (class-wide tally)."""

    ops = {"add": 0, "neg": 0, "scale": 0, "mul": 0}

    def __init__(self, v):
        self.v = v

    def __add__(self, o):
        _Counted.ops["add"] += 1
        return _Counted(self.v + o.v)

    def __sub__(self, o):
        _Counted.ops["add"] += 1
        return _Counted(self.v - o.v)

    def __neg__(self):
        _Counted.ops["neg"] += 1
        return _Counted(-self.v)

    def __rmul__(self, c):
        _Counted.ops["scale"] += 1
        return _Counted(c * self.v)


def _run_counted(ss, A, B):
    n, m, p = ss.format
    f = _load(to_python(ss))
    wrap = np.vectorize(_Counted, otypes=[object])

    def mm(x, y):
        _Counted.ops["mul"] += 1
        return np.array([[_Counted(x[0, 0].v * y[0, 0].v)]], dtype=object)

    for k in _Counted.ops:
        _Counted.ops[k] = 0
    C = f(wrap(A), wrap(B), matmul=mm)
    return np.vectorize(lambda c: c.v)(C), dict(_Counted.ops)


@pytest.mark.parametrize("method", ["greedy", "potential", "intersections", "best", "pairs"])
@pytest.mark.parametrize("make", [winograd, lambda: __import__("discovery").laderman(),
                                  lambda: __import__("discovery").kron(winograd(), winograd())],
                         ids=["winograd", "laderman", "winograd2"])
def test_generated_code_performs_exactly_the_counted_additions(method, make):
    ss = simplify_additions(make(), method=method, tries=4)
    n, m, p = ss.format
    rng = np.random.default_rng(2)
    A, B = rng.integers(-9, 9, (n, m)), rng.integers(-9, 9, (m, p))
    C, ops = _run_counted(ss, A, B)
    np.testing.assert_array_equal(C, A @ B)
    assert ops["add"] == ss.reduced_additions and ops["mul"] == ss.multiplications and ops["scale"] == 0


def test_generated_code_of_a_collection_reduced_file_counts_its_additions():
    ss = read_reduced(data_file("4x4x4_m49_cr159_cn474_ZT_reduced.json"))
    rng = np.random.default_rng(3)
    A, B = rng.integers(-9, 9, (4, 4)), rng.integers(-9, 9, (4, 4))
    C, ops = _run_counted(ss, A, B)
    np.testing.assert_array_equal(C, A @ B)
    assert ops["add"] == ss.reduced_additions == 159


def test_generated_code_of_a_product_in_the_alternative_basis_counts_its_additions():
    """The 156-addition <4,4,4> program (Winograd twice, stage-wise in the alternative basis)."""
    from discovery.circuits.basis import alternative_basis
    from discovery.circuits.products import kron_simplified

    ab = alternative_basis(winograd())
    ss = kron_simplified(ab, ab)
    rng = np.random.default_rng(4)
    A, B = rng.integers(-9, 9, (4, 4)), rng.integers(-9, 9, (4, 4))
    C, ops = _run_counted(ss, A, B)
    np.testing.assert_array_equal(C, A @ B)
    assert ops["add"] == ss.reduced_additions == 156 and ops["mul"] == 49 and ops["scale"] == 0
