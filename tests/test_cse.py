"""The CSE heuristics (discovery.circuits.cse, _cse_kernels, cse_search) and program transposition."""

import concurrent.futures as cf
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discovery as d
from discovery.circuits.cse import METHODS, IntegerMap, quick_additions, reduce_map
from discovery.circuits.cse_search import RandomSearchConfig, random_search
from discovery.circuits.slp import LinearProgram, binarize, plain_program, transpose
from discovery.circuits.symbolic import simplify_additions
from discovery.formats import read_reduced, to_reduced
from tests._circuit_fixtures import data_file, expand_equations, sympy_product

HEURISTICS = [m for m in METHODS]


@pytest.mark.parametrize("method", HEURISTICS)
@pytest.mark.parametrize("make", [d.strassen, d.winograd, d.laderman], ids=["strassen", "winograd", "laderman"])
def test_every_heuristic_computes_the_product(method, make):
    s = make()
    ss = simplify_additions(s, method=method, tries=4)
    assert expand_equations(ss) == sympy_product(*s.format)
    rng = np.random.default_rng(1)
    A, B = rng.integers(-99, 99, (s.n, s.m)), rng.integers(-99, 99, (s.m, s.p))
    np.testing.assert_array_equal(ss.evaluate(A, B), A @ B)
    assert ss.reduced_additions <= s.counts().additions
    assert all(len(t) == 2 and abs(t[0][1]) == abs(t[1][1]) == 1 for p in (ss.a, ss.b, ss.c) for t in p.temps) \
        or method == "pairs"


def test_known_counts():
    assert simplify_additions(d.winograd()).reduced_additions == 15
    assert simplify_additions(d.strassen()).reduced_additions == 18
    assert simplify_additions(d.laderman()).reduced_additions <= 62  # Mårtensson & Stankovski Wagner: 62


def test_records_reached_on_their_schemes():
    """The compiled heuristics reach the published counts on the published schemes' expansions,
    and Winograd applied twice reaches the <4,4,4> record by transposing the A and B sides."""
    s58 = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json")).scheme
    assert simplify_additions(s58).reduced_additions == 58
    ww = simplify_additions(d.kron(d.winograd(), d.winograd()))
    assert (ww.a.additions, ww.b.additions, ww.c.additions) == (42, 42, 75)
    direct = [reduce_map(np.ascontiguousarray(M), "greedy", 8, transposed=False).additions for M in (ww.scheme.u, ww.scheme.v)]
    assert direct == [44, 44]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(-1, 1), min_size=6, max_size=6), min_size=1, max_size=9),
       st.sampled_from(["greedy", "potential", "intersections", "best"]), st.integers(0, 10**6))
def test_programs_compute_their_matrix(rows, method, seed):
    M = np.array(rows, dtype=np.int64)
    prog = reduce_map(M, method, tries=3, seed=seed)
    np.testing.assert_array_equal(prog.matrix(), M)
    im = IntegerMap.of(M)
    assert im.lower_bound() <= prog.additions <= plain_program(M).additions
    assert im.lower_bound() <= quick_additions(M, 3, seed) <= plain_program(M).additions


def test_rational_and_integer_rows():
    M = np.array([[Fraction(1, 2), Fraction(1, 2), 1], [Fraction(1, 2), Fraction(1, 2), 0], [2, 2, 1]], dtype=object)
    for method in ("greedy", "best"):
        prog = reduce_map(M, method, tries=2)
        assert np.all(prog.matrix() == M) and prog.additions == 3
    Z = np.array([[2, 1, 0], [4, 2, 1], [2, 1, 1], [1, 3, 0]])
    assert np.array_equal(reduce_map(Z, "best", 4).matrix(), Z)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.integers(-2, 2), min_size=5, max_size=5), min_size=1, max_size=7), st.integers(0, 99))
def test_transpose_principle(rows, seed):
    M = np.array(rows, dtype=np.int64)
    prog = reduce_map(M, "greedy", tries=2, seed=seed, transposed=False)
    T = transpose(prog)
    np.testing.assert_array_equal(T.matrix(), M.T)
    assert all(len(t) <= 2 for t in T.temps)
    K, N = M.shape
    if (M != 0).any(axis=0).all() and (M != 0).any(axis=1).all():
        assert T.additions <= prog.additions + K - N
    np.testing.assert_array_equal(transpose(T).matrix(), M)


def test_binarize_keeps_count_and_matrix():
    prog = LinearProgram(4, (((0, 1), (1, -1), (2, 1), (3, 1)),), (((4, 1),), ((4, -1), (0, 1))))
    b = binarize(prog)
    assert b.additions == prog.additions == 4 and all(len(t) == 2 for t in b.temps)
    np.testing.assert_array_equal(b.matrix(), prog.matrix())


def test_random_search_is_reproducible_and_independent_of_chunking():
    s = d.kron(d.strassen(), d.winograd())
    maps = [s.u, s.v, np.ascontiguousarray(s.w.T)]
    cfg = RandomSearchConfig(runs=24, rounds=3, patience=2, seed=5)
    one = random_search(maps, cfg)
    with cf.ThreadPoolExecutor(2) as ex:  # same runs in two chunks
        two = random_search(maps, RandomSearchConfig(runs=24, rounds=3, patience=2, seed=5, workers=2), executor=ex)
    assert [p.additions for p in one.programs] == [p.additions for p in two.programs]
    assert one.programs == two.programs
    for prog, M in zip(one.programs, maps):
        assert np.all(prog.matrix() == M)
    assert one.additions <= sum(reduce_map(M, "greedy", 1).additions for M in maps)
    with pytest.raises(ValueError, match="at least 1"):
        RandomSearchConfig(runs=0)


def test_random_search_in_processes():
    ss = simplify_additions(d.kron(d.winograd(), d.winograd()), method="random", tries=16, workers=2)
    assert ss.reduced_additions == 159


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method"):
        simplify_additions(d.strassen(), method="magic")


def test_written_reduced_files_count_what_they_say(tmp_path):
    """Every program written in the reduced layout reads back with the count it states."""
    for s in (d.winograd(), d.laderman(), d.kron(d.winograd(), d.winograd())):
        ss = simplify_additions(s)
        path = tmp_path / "r.json"
        path.write_text(json.dumps(to_reduced(ss)))
        back = read_reduced(path)
        doc = json.loads(path.read_text())
        assert back.reduced_additions == ss.reduced_additions == doc["complexity"]["reduced"]
        assert back.naive_additions == doc["complexity"]["naive"]


def test_every_committed_reduced_file_counts_what_it_says():
    """Each program in results/schemes/additions reads back verified (exact, sympy, integers),
    with the count its name and its ``complexity`` state."""
    import re
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "results" / "schemes" / "additions"
    files = sorted(folder.glob("*_reduced.json"))
    assert files, "results/schemes/additions holds no reduced file"
    for path in files:
        ss = read_reduced(path)
        doc = json.loads(path.read_text())
        n, m, p, r, cr, cn = map(int, re.match(r"(\d+)x(\d+)x(\d+)_m(\d+)_cr(\d+)_cn(\d+)_", path.name).groups())
        assert ss.format == (n, m, p) and ss.multiplications == r, path.name
        assert ss.reduced_additions == cr == doc["complexity"]["reduced"], path.name
        assert ss.naive_additions == cn == doc["complexity"]["naive"], path.name
