"""The closure search (discovery.circuits.closure, _closure_kernels): exact fewest additions in the
ternary model, checked against a breadth-first search over node sets and on real schemes."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discovery as d
from discovery.circuits.closure import closure_map, closure_program, distinct_targets
from discovery.circuits.cse import reduce_map
from discovery.circuits.symbolic import simplify_additions
from discovery.formats import read_reduced
from tests._circuit_fixtures import data_file, expand_equations, sympy_product


def _up_to_sign(v):
    v = tuple(int(x) for x in v)
    first = next(x for x in v if x)
    return v if first > 0 else tuple(-x for x in v)


def fewest_by_bfs(M: np.ndarray, most: int) -> int | None:
    """Reference: breadth-first search over sets of nodes, each new node any ternary ``±a ± b`` of
    two nodes (inputs included); the least depth at which every row of two or more terms is a node."""
    N = M.shape[1]
    inputs = frozenset(_up_to_sign(np.eye(N, dtype=int)[j]) for j in range(N))
    targets = {_up_to_sign(r) for r in M if np.count_nonzero(r) >= 2}
    level = {frozenset()}
    for depth in range(most + 1):
        if any(targets <= s for s in level):
            return depth
        nxt = set()
        for s in level:
            nodes = list(inputs | s)
            for a, b in itertools.combinations(nodes, 2):
                for sg in (1, -1):
                    x = np.array(a) + sg * np.array(b)
                    if np.abs(x).max() <= 1 and x.any():
                        x = _up_to_sign(x)
                        if x not in inputs and x not in s:
                            nxt.add(s | {x})
        level = nxt
    return None


def test_small_maps_exact():
    # x1+x2, x1+x2+x3, x1+x2+x3+x4: a chain, 3 additions and no intermediate
    M = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 1, 1, 1]])
    r = closure_program(M)
    assert (r.additions, r.distinct, r.extra, r.exact) == (3, 3, 0, True)
    # x1+x2+x3 and x1+x2-x4 share x1+x2 (one intermediate): 3
    M = np.array([[1, 1, 1, 0], [1, 1, 0, -1], [0, 0, 1, 0]])
    r = closure_program(M)
    assert (r.additions, r.extra) == (3, 1)
    np.testing.assert_array_equal(r.program.matrix(), M)
    # two rows of four terms sharing two: 5 additions, three of them intermediates
    M = np.array([[1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 1, 1]])
    assert closure_program(M, kmax=2).program is None
    r = closure_program(M, kmax=3)
    assert (r.additions, r.extra, r.exact) == (5, 3, True)


def test_signs_and_duplicates():
    M = np.array([[1, -1, 0], [-1, 1, 0], [1, -1, 1], [0, 0, -1], [0, 0, 0]])
    r = closure_program(M)
    assert r.distinct == distinct_targets(M) == 2 and r.additions == 2
    np.testing.assert_array_equal(r.program.matrix(), M)


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_matches_breadth_first_search(data):
    N = data.draw(st.sampled_from([3, 3, 4]))
    most = 5 if N == 3 else 3  # the reference's states grow fast with N
    rows = data.draw(st.lists(st.lists(st.integers(-1, 1), min_size=N, max_size=N), min_size=1, max_size=5))
    M = np.array(rows, dtype=np.int64)
    ref = fewest_by_bfs(M, most)
    r = closure_program(M, kmax=most)
    if ref is not None:
        assert r.additions == ref and r.exact
        np.testing.assert_array_equal(r.program.matrix(), M)
    else:
        assert r.program is None or r.additions > most


def test_refuses_what_it_cannot_take():
    with pytest.raises(ValueError, match="-1, 0, 1"):
        closure_program(np.array([[2, 1]]))
    with pytest.raises(ValueError, match="at most 31 inputs"):
        closure_program(np.ones((2, 40), dtype=np.int64))


def test_transposed_orientation():
    s = d.laderman()
    M = np.ascontiguousarray(s.w.T)  # 9 x 23: searched as 23 x 9, then transposed
    r = closure_map(M)
    np.testing.assert_array_equal(r.program.matrix(), M)
    assert not r.exact


@pytest.mark.parametrize("make", [d.winograd, d.strassen, d.laderman], ids=["winograd", "strassen", "laderman"])
def test_closure_method_on_schemes(make):
    s = make()
    ss = simplify_additions(s, method="closure", tries=4)  # re-checked (sympy, integers) inside
    assert expand_equations(ss) == sympy_product(*s.format)
    assert ss.reduced_additions <= simplify_additions(s, method="best", tries=4).reduced_additions
    for M, prog in ((s.u, ss.a), (s.v, ss.b), (s.w.T, ss.c)):
        np.testing.assert_array_equal(prog.matrix(), M)


def test_closure_beats_the_published_program_on_its_scheme():
    """The collection's <3,3,3> rank-23 scheme with 58 additions (14/15/29): the closure search
    computes its A side in 13 (exact in the model), 57 in all, verified by sympy and integers."""
    s58 = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json")).scheme
    a = closure_program(np.asarray(s58.u, dtype=np.int64), kmax=2)
    assert (a.additions, a.distinct, a.exact) == (13, 12, True)
    ss = simplify_additions(s58, method="closure", tries=4)
    assert ss.reduced_additions == 57
    assert [p.additions for p in (ss.a, ss.b, ss.c)] == [13, 15, 29]


def test_reduce_map_closure_never_worse():
    rng = np.random.default_rng(3)
    for _ in range(8):
        M = rng.integers(-1, 2, (12, 6))
        best = reduce_map(M, "best", tries=4)
        got = reduce_map(M, "closure", tries=4)
        assert got.additions <= best.additions
        np.testing.assert_array_equal(got.matrix(), M)
