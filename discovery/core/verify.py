"""Exact verification of schemes: integer/rational arithmetic, modulo 2, and sympy.

All three check the Brent equations ``sum_t u[t,a] v[t,b] w[t,c] = T[a,b,c]`` (see
:mod:`discovery.core.tensor`); the sympy check instead expands every ``c_ik`` from the products
and compares it with ``sum_j a_ij b_jk``. Both report failures as the same
:class:`BrentFailure` records, so they can be compared one to one.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import lcm

import numpy as np

from discovery.errors import VerificationError
from discovery.core.coefficients import int_or_fraction
from discovery.core.scheme import RINGS, Ring, Scheme
from discovery.core.tensor import a_name, b_name, c_name, matmul_tensor


@dataclass(frozen=True)
class BrentFailure:
    """One failing Brent equation: the coefficient of ``a·b`` in output ``c`` is wrong.

    ``a``, ``b``, ``c`` index vec(A), vec(B) and vec(C^T) (the convention of
    :mod:`discovery.core.tensor`); ``expected`` is T[a,b,c] (0 or 1), ``got`` what the scheme gives.
    """

    a: int
    b: int
    c: int
    expected: int | Fraction
    got: int | Fraction

    def describe(self, n: int, m: int, p: int) -> str:
        return (f"{a_name(n, m, p, self.a)}*{b_name(n, m, p, self.b)} in "
                f"{c_name(n, m, p, self.c)}: expected {self.expected}, got {self.got}")


@dataclass(frozen=True)
class VerificationReport:
    """Result of a verification.

    Attributes:
        ok: True iff every equation holds over ``ring``.
        ring: the ring checked (a :class:`~discovery.core.scheme.Ring`: "ZT", "Z", "Q", "Z2" or "Z3").
        method: "exact" or "sympy".
        n_equations: number of equations checked ((nm)·(mp)·(pn) for exact).
        failures: the failing equations (all of them, in index order).
        problem: a reason that is not an equation (e.g. coefficients outside the ring).
    """

    ok: bool
    ring: Ring
    method: str
    format: tuple[int, int, int]
    rank: int
    n_equations: int
    failures: tuple[BrentFailure, ...] = ()
    problem: str = ""

    def summary(self, limit: int = 3) -> str:
        n, m, p = self.format
        head = f"<{n},{m},{p}> rank {self.rank}"
        if self.ok:
            return f"{head}: exact over {self.ring} ({self.n_equations} equations, {self.method})"
        if self.problem:
            return f"{head}: not valid over {self.ring}: {self.problem}"
        shown = "; ".join(f.describe(n, m, p) for f in self.failures[:limit])
        more = len(self.failures) - limit
        tail = f"; and {more} more" if more > 0 else ""
        return (f"{head}: NOT exact over {self.ring}: {len(self.failures)} of "
                f"{self.n_equations} equations fail: {shown}{tail}")


def _integer_factors(s: Scheme) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Integer arrays U, V, W and d such that (U,V,W) = d_u*u, ... with d = d_u*d_v*d_w."""
    out, scale = [], 1
    for a in (s.u, s.v, s.w):
        if a.dtype == object:
            uniq = set(a.ravel().tolist())
            d = lcm(*(Fraction(x).denominator for x in uniq)) if uniq else 1
            scaled = {x: int(Fraction(x) * d) for x in uniq}
            a = np.array([scaled[x] for x in a.ravel().tolist()], dtype=object).reshape(a.shape)
            if all(abs(x) < 2**62 for x in a.ravel()):
                a = a.astype(np.int64)
            scale *= d
        out.append(a)
    return out[0], out[1], out[2], scale


def brent_tensor(s: Scheme) -> tuple[np.ndarray, int]:
    """Exact ``E[a,b,c] = d * sum_t u[t,a] v[t,b] w[t,c]`` and the common denominator d.

    Shape (n*m, m*p, p*n). Integer arithmetic throughout: float64 BLAS is used only when a
    bound on every partial sum is below 2**53 (so it is exact), int64 below 2**62,
    Python integers otherwise.
    """
    U, V, W, d = _integer_factors(s)
    r = s.rank
    bound = r * max(1, int(np.abs(U).max())) * max(1, int(np.abs(V).max())) * max(1, int(np.abs(W).max()))
    if bound < 2**53:
        dt = np.float64
    elif bound < 2**62 and all(a.dtype != object for a in (U, V, W)):
        dt = np.int64
    else:
        dt = object
    U, V, W = (np.asarray(a).astype(dt) for a in (U, V, W))
    na, nb, nc = U.shape[1], V.shape[1], W.shape[1]
    E = np.empty((na, nb, nc), dtype=dt)
    # Chunk over a so that the (r, chunk*nb) intermediate stays around 32 MB.
    chunk = max(1, (4 * 2**20) // max(1, r * nb))
    for a0 in range(0, na, chunk):
        a1 = min(na, a0 + chunk)
        X = (U[:, a0:a1, None] * V[:, None, :]).reshape(r, (a1 - a0) * nb)
        E[a0:a1] = (X.T @ W).reshape(a1 - a0, nb, nc)
    if dt == np.float64:
        E = E.astype(np.int64)
    return E, d


def _ring_problem(s: Scheme, ring: Ring) -> str:
    if ring.integral and not s.is_integral:
        return "some coefficients are fractions, but the ring needs integers"
    if ring is Ring.ZT and not s.is_ternary:
        return "some coefficients are outside {-1, 0, 1}"
    return ""


def _failures(diff: np.ndarray, E: np.ndarray, d: int, T: np.ndarray) -> tuple[BrentFailure, ...]:
    return tuple(BrentFailure(int(a), int(b), int(c), int(T[a, b, c]),
                              int_or_fraction(Fraction(int(E[a, b, c]), d)))
                 for a, b, c in np.argwhere(diff != 0))


def _check(s: Scheme) -> None:
    """Fill ``s``'s verification record for every ring from one Brent tensor.

    A scheme exact over Q with integer coefficients holds modulo 2 and 3 too, so the modular
    equations are only looked at when the rational check fails (the tensor is then at hand)."""
    record = s._verified
    if Ring.Q in record:
        return
    n, m, p = s.format
    n_eq = (n * m) * (m * p) * (p * n)
    E, d = brent_tensor(s)
    T = matmul_tensor(n, m, p)
    if E.dtype == object or d >= 2**62:  # huge denominators: exact Python integers throughout
        E, T = E.astype(object), T.astype(object)
    diff = E - T * d
    failures = {Ring.Q: _failures(diff, E, d, T)}
    if s.is_integral:
        for ring in RINGS:
            if ring.modulus:
                failures[ring] = _failures(diff % ring.modulus, E, d, T) if failures[Ring.Q] else ()
    for ring in RINGS:
        problem = _ring_problem(s, ring)
        fails = () if problem else failures[ring if ring.modulus else Ring.Q]
        record[ring] = VerificationReport(not problem and not fails, ring, "exact", s.format, s.rank,
                                          n_eq, fails, problem)


def verify(s: Scheme, ring: str | None = None) -> VerificationReport:
    """Check a scheme exactly over ``ring`` (default: the ring it declares).

    "ZT"/"Z"/"Q": all Brent equations hold over the rationals (and the coefficients lie in
    the ring). "Z2" / "Z3": integer coefficients and every equation holds modulo 2 / 3.
    The verdict is recorded on ``s`` (see :mod:`discovery.core.scheme`): a second call on the same
    object, for any ring, does not compute the Brent tensor again.
    """
    # an unknown ring is the same SchemeFormatError everywhere (Ring.parse)
    ring = s.ring if ring is None else Ring.parse(ring)
    _check(s)
    return s._verified[ring]


def verify_sympy(s: Scheme) -> VerificationReport:
    """Symbolic check with sympy: expand every c_ik from the products, compare with A @ B.

    Valid over Q (the ring the expansion lives in); failures name the same (a, b, c)
    equations as :func:`verify`.
    """
    import sympy

    n, m, p = s.format
    A = sympy.Matrix(n, m, lambda i, j: sympy.Symbol(a_name(n, m, p, i * m + j)))
    B = sympy.Matrix(m, p, lambda j, k: sympy.Symbol(b_name(n, m, p, j * p + k)))
    a_syms, b_syms = list(A), list(B)  # row-major = vec order
    rat = lambda x: sympy.Rational(Fraction(x).numerator, Fraction(x).denominator)  # noqa: E731
    products = []
    for t in range(s.rank):
        left = sum((rat(x) * a_syms[i] for i, x in enumerate(s.u[t]) if x != 0), sympy.Integer(0))
        right = sum((rat(x) * b_syms[i] for i, x in enumerate(s.v[t]) if x != 0), sympy.Integer(0))
        products.append(left * right)
    AB = A * B
    failures = []
    for c in range(p * n):
        k, i = divmod(c, n)
        expr = sum((rat(s.w[t, c]) * products[t] for t in range(s.rank) if s.w[t, c] != 0), sympy.Integer(0))
        diff = sympy.expand(expr - AB[i, k])
        if diff == 0:
            continue
        poly = sympy.Poly(diff, *a_syms, *b_syms)
        for monom, coeff in poly.terms():
            ia = [q for q in range(n * m) if monom[q]]
            ib = [q for q in range(m * p) if monom[n * m + q]]
            a, b = ia[0], ib[0]
            expected = 1 if (a // m == i and b % p == k and a % m == b // p) else 0
            got = Fraction(int(coeff.p), int(coeff.q)) + expected
            failures.append(BrentFailure(a, b, c, expected, int_or_fraction(got)))
    failures.sort(key=lambda f: (f.a, f.b, f.c))
    n_eq = (n * m) * (m * p) * (p * n)
    return VerificationReport(not failures, Ring.Q, "sympy", s.format, s.rank, n_eq, tuple(failures))


def valid_rings(s: Scheme) -> tuple[Ring, ...]:
    """The rings over which ``s`` is exact, strongest first, then the rings modulo a prime
    (e.g. ("ZT", "Z", "Q", "Z2", "Z3") for Strassen; ("Z2",) for a scheme valid modulo 2 only).

    One Brent tensor for all the checks; the verdicts are recorded on ``s``."""
    _check(s)
    return s.verified_over


def require_valid(s: Scheme, ring: str | None = None) -> Scheme:
    """Return ``s`` if it is exact over ``ring`` (default: its declared ring); raise otherwise.

    Raises :class:`VerificationError` whose message names the failing equations. Everything
    downstream of the core (simplify, draw, export, solver results) goes through this.
    """
    report = verify(s, ring)
    if not report.ok:
        raise VerificationError(report.summary(), report)
    return s
