"""Meta operations (discovery.core.meta): every move on random exact schemes of 22 formats is
verified exactly and checked against A @ B with exact integer matrices; bad input is one error."""

import numpy as np
import pytest

from discovery import (direct_sum, extend, kron, laderman, merge, permute_terms, product, project, restrict,
                       sandwich, scale_term, standard, strassen, verify)
from discovery.core.meta import AXES
from discovery.core.scheme import Scheme
from discovery.errors import DiscoveryError, VerificationError

FORMATS = [(2, 2, 2), (2, 2, 3), (2, 3, 2), (3, 2, 2), (2, 3, 3), (3, 3, 2), (3, 2, 3), (2, 2, 4),
           (2, 3, 4), (4, 3, 2), (3, 4, 2), (3, 3, 3), (2, 4, 2), (4, 2, 2), (2, 2, 5), (2, 5, 2),
           (3, 3, 4), (4, 2, 3), (2, 4, 3), (3, 4, 3), (4, 4, 2), (2, 3, 5)]


def unimodular(rng, d):
    """A random integer matrix of determinant ±1 (elementary row operations on the identity)."""
    X = np.eye(d, dtype=int)
    for _ in range(2 * d):
        if d > 1:
            i, j = rng.choice(d, 2, replace=False)
            X[i] += int(rng.choice([-1, 1])) * X[j]
    return X[rng.permutation(d)]


def base_scheme(fmt, rng):
    """A low-rank exact scheme of ``fmt`` where one is at hand (Strassen or Laderman blocks), else
    the standard algorithm."""
    n, m, p = fmt
    if fmt == (3, 3, 3):
        return laderman()
    if min(fmt) >= 2 and rng.random() < 0.7:
        s = strassen()
        for x, d in enumerate(fmt):  # Strassen on the leading 2×2×2 block, standard on the rest
            if d > 2:
                dims = [s.n, s.m, s.p]
                dims[x] = d - 2
                s = direct_sum(s, standard(*dims), AXES[x])
        return s
    return standard(n, m, p)


def random_scheme(fmt, seed, ring="Z"):
    """A random exact scheme of ``fmt``: a known one under a random unimodular sandwich, a random
    term order and random term signs. ring "Q": one rational sandwich factor; "Z2", "Z3": valid
    modulo 2 (3) only."""
    rng = np.random.default_rng(seed)
    s = base_scheme(fmt, rng)
    n, m, p = fmt
    X = unimodular(rng, n)
    if ring == "Q":
        X = X * 2  # det 2^n: the inverse has halves
    s = sandwich(s, X, unimodular(rng, m), unimodular(rng, p))
    s = permute_terms(s, rng.permutation(s.rank))
    for t in rng.choice(s.rank, min(3, s.rank), replace=False):
        s = scale_term(s, int(t), int(rng.choice([-1, 1])), int(rng.choice([-1, 1])))
    if ring in ("Z2", "Z3"):  # add the modulus to one coefficient: exact modulo it, no longer over Z
        u = np.array(s.u, dtype=np.int64)
        u[0, 0] += int(ring[1])
        s = Scheme.from_rows(n, m, p, u, s.v, s.w, ring=ring)
        assert not verify(s, "Z").ok
    assert verify(s).ok
    return s


def check(t: Scheme, fmt, rng):
    """``t`` is of format ``fmt``, exact over its ring, and multiplies exact integer matrices."""
    assert t.format == tuple(fmt)
    assert verify(t).ok
    n, m, p = fmt
    A = rng.integers(-9, 10, (n, m)).astype(object)
    B = rng.integers(-9, 10, (m, p)).astype(object)
    diff = t.apply(A, B) - A.dot(B)
    if t.ring in ("Z2", "Z3"):
        assert all(int(x) % int(t.ring.value[1]) == 0 for x in diff.ravel())
    else:
        assert not any(diff.ravel())


# every format over Z; rationals and mod-2 and mod-3 schemes on every third format (keeps the suite fast)
CASES = [(k, "Z") for k in range(len(FORMATS))] + [(k, ring) for k in range(0, len(FORMATS), 3)
                                                   for ring in ("Q", "Z2", "Z3")]


@pytest.mark.parametrize("k, ring", CASES)
def test_every_move_on_a_random_scheme(k, ring):
    fmt = FORMATS[k]
    rng = np.random.default_rng(k)
    s = random_scheme(fmt, 100 * k + len(ring), ring)
    for x, ax in enumerate(AXES):
        dims = list(fmt)
        index = int(rng.integers(dims[x]))
        t = project(s, ax, index)
        dims[x] -= 1
        check(t, dims, rng)
        assert t.rank <= s.rank

        dims = list(fmt)
        dims[x] += 1
        e = extend(s, x)
        check(e, dims, rng)
        assert e.rank == s.rank + np.prod([fmt[d] for d in range(3) if d != x])

        dims = list(fmt)
        dims[x] = int(rng.integers(1, 4))
        b = random_scheme(tuple(dims), 7 * k + x)
        g = merge(s, b, ax)
        dims[x] += fmt[x]
        check(g, dims, rng)
        assert g.rank == s.rank + b.rank
        if ring in ("Z2", "Z3"):  # valid modulo 2 (3) only, and said so
            assert t.ring == e.ring == g.ring == ring
        elif ring == "Q":
            assert not (t.is_integral or e.is_integral or g.is_integral)
    small = random_scheme((1, 2, 1), k) if k % 2 else strassen()
    q = product(s, small)
    check(q, [a * b for a, b in zip(fmt, small.format)], rng)
    assert q.rank == s.rank * small.rank and q == kron(s, small)


def test_projection_drops_the_named_row_and_vanishing_products():
    s = random_scheme((3, 3, 4), 5)
    t = project(s, "n", 1)
    U = np.asarray(s.u).reshape(s.rank, 3, 3)
    W = np.asarray(s.w).reshape(s.rank, 4, 3)
    keep = [i for i in range(s.rank) if np.delete(U[i], 1, 0).any() and np.delete(W[i], 1, 1).any()]
    assert t.rank == len(keep)
    assert (np.asarray(t.u).reshape(-1, 2, 3) == np.delete(U[keep], 1, 1)).all()
    assert (np.asarray(t.w).reshape(-1, 4, 2) == np.delete(W[keep], 1, 2)).all()
    # the last index is the restriction to the leading block
    assert project(s, "p", 3) == restrict(s, 3, 3, 3)
    # Strassen loses 3 of its 7 products when a row goes: the standard <1,2,2> needs 4
    assert project(strassen(), "n", 0).rank == 4


def test_extension_adds_the_standard_products_of_the_new_row():
    s = strassen()
    e = extend(s, "m")  # <2,3,2>: C += A[:, 2] B[2, :], 4 products
    assert e.rank == 11 and e.format == (2, 3, 2)
    new = np.asarray(e.u[7:]).reshape(4, 2, 3)
    assert (new[:, :, :2] == 0).all() and (new.sum(axis=(1, 2)) == 1).all()
    assert project(e, "m", 2) == s.with_ring(e.ring)


@pytest.mark.parametrize("call, match", [
    (lambda: project(strassen(), "q", 0), "axis 'q' is not a dimension"),
    (lambda: project(strassen(), 3, 0), "axis 3 is not a dimension"),
    (lambda: extend(strassen(), -1), "axis -1 is not a dimension"),
    (lambda: merge(strassen(), strassen(), "k"), "axis 'k' is not a dimension"),
    (lambda: project(standard(1, 2, 2), "n", 0), "that dimension is 1 wide"),
    (lambda: project(strassen(), "m", 2), r"index 2 is out of range for m = 2 of <2,2,2>; use 0 .. 1"),
    (lambda: project(strassen(), "m", -1), "out of range"),
    (lambda: merge(standard(2, 3, 4), standard(2, 2, 4), "n"), ("cannot merge <2,3,4> and <2,2,4> along "
                                                               "'n': their m and p must agree")),
    (lambda: merge(standard(2, 3, 4), "x", "n"), "the second scheme must be a Scheme"),
])
def test_bad_input_is_one_clear_error(call, match):
    with pytest.raises(DiscoveryError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_an_inexact_input_is_refused():
    s = strassen()
    u = np.array(s.u)
    u[0, 0] = 0  # one flipped coefficient
    bad = Scheme.from_rows(2, 2, 2, u, s.v, s.w)
    for call in (lambda: project(bad, "n", 0), lambda: extend(bad, "p"), lambda: merge(s, bad, "n"),
                 lambda: product(bad, s)):
        with pytest.raises(VerificationError, match="not exact over its ring ZT"):
            call()
