"""The packed GF(p) linear algebra of the lift, against dense integer arithmetic mod p."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import discovery as d
from discovery.core.tensor import matmul_tensor
from discovery.search.lift._choose import KernelChooser, particular
from discovery.search.lift._echelon import CONFLICT, PIVOT, REDUNDANT, Echelon
from discovery.search.lift._gfp import pack, unpack
from discovery.search.lift._symmetric import orbit_unknowns
from discovery.search.lift._system import BrentSystem


def dense_rank(M: np.ndarray, p: int) -> int:
    """Rank of an integer matrix modulo p by plain Gaussian elimination."""
    M = M.copy() % p
    rank = 0
    for col in range(M.shape[1]):
        rows = np.flatnonzero(M[rank:, col]) + rank
        if rows.size == 0:
            continue
        M[[rank, rows[0]]] = M[[rows[0], rank]]
        M[rank] = M[rank] * pow(int(M[rank, col]), -1, p) % p
        others = np.flatnonzero(M[:, col])
        others = others[others != rank]
        M[others] = (M[others] - np.outer(M[others, col], M[rank])) % p
        rank += 1
        if rank == M.shape[0]:
            break
    return rank


def dense_jacobian(s: d.Scheme, p: int) -> np.ndarray:
    """d(sum_t u_t⊗v_t⊗w_t)/d(u, v, w) mod p, rows (a, b, c) in C order, written out entry by entry."""
    u, v, w = (np.asarray(a, dtype=np.int64) % p for a in s.factors())
    r, na = u.shape
    nb, nc = v.shape[1], w.shape[1]
    J = np.zeros((na * nb * nc, r * (na + nb + nc)), dtype=np.int64)
    for a in range(na):
        for b in range(nb):
            for c in range(nc):
                e = (a * nb + b) * nc + c
                for t in range(r):
                    J[e, t * na + a] += v[t, b] * w[t, c]
                    J[e, r * na + t * nb + b] += u[t, a] * w[t, c]
                    J[e, r * (na + nb) + t * nc + c] += u[t, a] * v[t, b]
    return J % p


@pytest.mark.parametrize("p", [2, 3])
@given(st.integers(1, 200), st.data())
@settings(max_examples=30, deadline=None)
def test_pack_round_trip(p, length, data):
    vals = np.array(data.draw(st.lists(st.integers(0, p - 1), min_size=length, max_size=length)), dtype=np.uint8)
    assert np.array_equal(unpack(pack(vals, p), length), vals)


@pytest.mark.parametrize("p", [2, 3])
def test_echelon_solves_random_systems_like_dense_elimination(p):
    rng = np.random.default_rng(p)
    for rows, cols in [(30, 20), (20, 30), (70, 70), (5, 130)]:
        M = rng.integers(0, p, (rows, cols)) * (rng.random((rows, cols)) < 0.3)
        M[rows // 2] = (M[0] + 2 * M[1]) % p  # a dependent row
        ech = Echelon(p, cols, track=True)
        status = ech.add(pack(M, p))
        assert ech.rank == dense_rank(M, p) == (status == PIVOT).sum()
        assert status[rows // 2] == REDUNDANT
        x = rng.integers(0, p, cols)
        b = M @ x % p  # consistent right-hand side
        y = unpack(ech.back(ech.beta(b)), cols).astype(np.int64)
        assert np.array_equal(M @ y % p, b)
        assert not y[ech.free].any()  # free unknowns stay 0
        K = unpack(ech.nullspace_t(), ech.free.size + 1)[:, :ech.free.size].astype(np.int64)  # (cols, kappa)
        assert not (M @ K % p).any() and dense_rank(K.T, p) == cols - ech.rank


def test_a_conflicting_constraint_is_skipped():
    ech = Echelon(3, 2, extra=1)  # x0, x1 over GF(3) with a right-hand side column
    rows = pack(np.array([[1, 0, 1], [1, 0, 2], [0, 2, 1], [2, 2, 0]]), 3)
    assert list(ech.add(rows)) == [PIVOT, CONFLICT, PIVOT, REDUNDANT]  # x0=1, x0=2 (no), 2x1=1, 2x0+2x1=0
    z = unpack(ech.back(ech.rhs_column()), 3)
    assert list(z[:2]) == [1, 2]


@pytest.mark.parametrize("key", ["2,2,3", "3,3,3", "2,4,4"])
def test_jacobian_mod_2_matches_the_dense_one(shared_data, key):
    s = {lab.split("[")[1].rstrip("]"): s
         for lab, s in d.load_schemes(shared_data / "alphatensor" / "factorizations_f2.npz")}[key]
    sy = BrentSystem(s.format, s.factors(), 2)
    J = dense_jacobian(s, 2)
    assert sy.rank == dense_rank(J, 2)
    rng = np.random.default_rng(0)
    b = J @ rng.integers(0, 2, J.shape[1]) % 2
    d0 = particular(sy.echelon, b).astype(np.int64)
    assert np.array_equal(J @ d0 % 2, b)
    # every correction the chooser picks solves the same system
    keep = rng.integers(0, 2, J.shape[1]).astype(np.uint8)
    for rng_or_none in (None, np.random.default_rng(1)):
        dd, _ = KernelChooser(sy.echelon).choose(d0.astype(np.uint8), keep, rng.random(J.shape[1]), rng_or_none)
        assert np.array_equal(J @ dd.astype(np.int64) % 2, b)


def test_jacobian_mod_3_matches_the_dense_one():
    s = d.laderman()
    sy = BrentSystem(s.format, s.factors(), 3)
    J = dense_jacobian(s, 3)
    assert sy.rank == dense_rank(J, 3)
    b = J @ np.random.default_rng(2).integers(0, 3, J.shape[1]) % 3
    assert np.array_equal(J @ particular(sy.echelon, b).astype(np.int64) % 3, b)


def test_the_residual_is_the_brent_defect():
    s = d.strassen()
    sy = BrentSystem(s.format, s.factors(), 3)
    u, v, w = (np.asarray(a, dtype=np.int64) % 9 for a in s.factors())  # Strassen modulo 9
    x = np.concatenate([u.ravel(), v.ravel(), w.ravel()]).astype(np.uint64)
    T = matmul_tensor(2, 2, 2).ravel()
    want = (T - np.einsum("ta,tb,tc->abc", u, v, w).ravel()) % 3**20
    assert np.array_equal(sy.residual(x).astype(np.int64), want)
    assert sy.vanishes(sy.residual(x), 2) and not sy.vanishes(sy.residual(x), 3)


@pytest.mark.parametrize("group", ["cyclic", "full"])
def test_symmetric_unknowns_sum_the_jacobian_columns(group):
    s = mod_2 = d.Scheme.from_rows(3, 3, 3, *(np.asarray(a) % 2 for a in d.standard(3, 3, 3).factors()),
                                   ring="Z2")
    pi, g = orbit_unknowns(mod_2, group)
    assert g == group and pi.max() + 1 == len(set(pi.tolist())) < pi.size
    P = np.zeros((pi.size, pi.max() + 1), dtype=np.int64)
    P[np.arange(pi.size), pi] = 1
    J = dense_jacobian(s, 2) @ P % 2  # d/dx_sym F(x_sym[pi])
    sy = BrentSystem(s.format, s.factors(), 2, pi)
    assert sy.unknowns == P.shape[1] and sy.rank == dense_rank(J, 2)
    b = J @ np.random.default_rng(3).integers(0, 2, J.shape[1]) % 2
    assert np.array_equal(J @ particular(sy.echelon, b).astype(np.int64) % 2, b)
    assert np.array_equal(sy.expand(sy.x0), np.concatenate([np.asarray(a).ravel() % 2 for a in s.factors()]))
    assert orbit_unknowns(d.sandwich(mod_2, [[1, 1, 0], [0, 1, 0], [0, 0, 1]]).with_ring("Z2"), group) is None
