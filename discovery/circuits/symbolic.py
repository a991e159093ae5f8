"""Symbolic form of a scheme and its simplification by sharing common subexpressions.

A :class:`SimplifiedScheme` is a scheme evaluated by three linear straight-line programs
(:class:`discovery.circuits.slp.LinearProgram`): A side (vec(A) -> r left factors, matrix ``u``),
B side (vec(B) -> r right factors, ``v``) and C side (r products -> vec(C^T), ``w.T``; C is
indexed transposed: output c = k*n + i is C[i, k]). Names: inputs ``a11``.., ``b11``..,
A-side temps ``s1``.., B-side temps ``t1``.., products ``m1``.., C-side temps ``q1``..,
outputs ``c11``.. (1-based, see :mod:`discovery.core.tensor`).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from discovery.core.scheme import Scheme
from discovery.errors import VerificationError
from discovery.circuits.slp import LinearProgram, combine, plain_program
from discovery.core.tensor import a_name, b_name, c_name
from discovery.core.verify import require_valid


@dataclass(frozen=True)
class SimplifiedScheme:
    """A verified scheme with an addition program for each side.

    Attributes:
        scheme: the (verified) scheme the programs compute; may be an equivalent of the one
            given to :func:`simplify_additions` (see :mod:`discovery.circuits.optimize_additions`).
        a, b, c: programs for u (r x n*m), v (r x m*p) and w.T (p*n x r).
        naive_additions: additions of the plain evaluation of the scheme as given (before
            an equivalence transform, if one was applied; otherwise of ``scheme``).
    """

    scheme: Scheme
    a: LinearProgram
    b: LinearProgram
    c: LinearProgram
    naive_additions: int

    @property
    def multiplications(self) -> int:
        return self.scheme.rank

    @property
    def reduced_additions(self) -> int:
        return self.a.additions + self.b.additions + self.c.additions

    @property
    def format(self) -> tuple[int, int, int]:
        return self.scheme.format

    def names(self) -> dict[str, list[str]]:
        """Variable names per side: inputs followed by temps (index = variable number)."""
        n, m, p = self.format
        r = self.scheme.rank
        return {
            "a": [a_name(n, m, p, i) for i in range(n * m)] + [f"s{k + 1}" for k in range(len(self.a.temps))],
            "b": [b_name(n, m, p, i) for i in range(m * p)] + [f"t{k + 1}" for k in range(len(self.b.temps))],
            "c": [f"m{t + 1}" for t in range(r)] + [f"q{k + 1}" for k in range(len(self.c.temps))],
            "out": [c_name(n, m, p, i) for i in range(p * n)],
        }

    def equations(self) -> list[tuple[str, Any]]:
        """The program as (name, sympy expression) in evaluation order.

        Temps are sums of earlier names; ``m_t`` is a product of two sums; ``c_ik`` a sum of
        products and C-side temps.
        """
        import sympy

        nm = self.names()
        sym = {k: [sympy.Symbol(x) for x in v] for k, v in nm.items()}
        out: list[tuple[str, Any]] = []
        for side in ("a", "b"):
            prog = getattr(self, side)
            for k, t in enumerate(prog.temps):
                out.append((nm[side][prog.n_inputs + k], _sym_sum(sym[side], t)))
        for t in range(self.scheme.rank):
            left, right = _sym_sum(sym["a"], self.a.outputs[t]), _sym_sum(sym["b"], self.b.outputs[t])
            out.append((nm["c"][t], sympy.Mul(left, right, evaluate=False)))
        for k, t in enumerate(self.c.temps):
            out.append((nm["c"][self.c.n_inputs + k], _sym_sum(sym["c"], t)))
        order = _row_major_outputs(*self.format)
        for c in order:
            out.append((nm["out"][c], _sym_sum(sym["c"], self.c.outputs[c])))
        return out

    def intermediates(self) -> list[str]:
        """Names of the shared intermediate variables (A, B and C temps)."""
        nm = self.names()
        return [nm[s][getattr(self, s).n_inputs + k] for s in "abc" for k in range(len(getattr(self, s).temps))]

    def evaluate(self, A: Any, B: Any) -> Any:
        """C = A @ B for one pair of numeric matrices (numpy arrays or nested lists) via the program."""
        n, m, p = self.format
        A, B = np.asarray(A), np.asarray(B)
        left = self.a.evaluate(list(A.reshape(n * m)))
        right = self.b.evaluate(list(B.reshape(m * p)))
        ct = self.c.evaluate([x * y for x, y in zip(left, right)])
        C = np.empty((n, p), dtype=np.result_type(A, B))
        for c, val in enumerate(ct):
            k, i = divmod(c, n)
            C[i, k] = val
        return C

    def check(self) -> "SimplifiedScheme":
        """Re-verify: programs expand exactly to u, v, w.T; sympy polynomial expansion gives
        A @ B; random integer and float matrices give A @ B. Raises VerificationError."""
        s = require_valid(self.scheme)
        for name, prog, M in (("A", self.a, s.u), ("B", self.b, s.v), ("C", self.c, s.w.T)):
            got = prog.matrix()
            if got.shape != M.shape or np.any(got != M):
                bad = sorted({int(i) for i in np.argwhere(got != M)[:, 0]}) if got.shape == M.shape else []
                raise VerificationError(f"the {name}-side program does not compute the scheme (rows {bad[:5]})")
        _check_polynomial(self)
        rng = np.random.default_rng(0)
        n, m, p = self.format
        for A, B in ((rng.integers(-9, 10, (n, m)), rng.integers(-9, 10, (m, p))),
                     (rng.standard_normal((n, m)), rng.standard_normal((m, p)))):
            if not np.allclose(self.evaluate(A, B), A @ B, rtol=1e-12, atol=1e-12):
                raise VerificationError("the simplified program does not give A @ B numerically")
        return self


def _sym_sum(syms: list, terms) -> Any:
    import sympy

    return combine(syms, tuple((v, sympy.Rational(Fraction(c).numerator, Fraction(c).denominator)
                                 if not isinstance(c, int) else c) for v, c in terms))


def _row_major_outputs(n: int, m: int, p: int) -> list[int]:
    return [k * n + i for i in range(n) for k in range(p)]


def _check_polynomial(ss: SimplifiedScheme) -> None:
    """Expand every c_ik as a polynomial in a_ij, b_jk (sympy sparse polynomial ring, exact)."""
    from sympy import QQ, ring

    n, m, p = ss.format
    names = [a_name(n, m, p, i) for i in range(n * m)] + [b_name(n, m, p, i) for i in range(m * p)]
    _, *gens = ring(",".join(names), QQ)
    a, b = gens[: n * m], gens[n * m:]
    prods = [x * y for x, y in zip(ss.a.evaluate(a), ss.b.evaluate(b))]
    ct = ss.c.evaluate(prods)
    bad = []
    for c, val in enumerate(ct):
        k, i = divmod(c, n)
        if val != sum((a[i * m + j] * b[j * p + k] for j in range(m)), 0 * a[0]):
            bad.append(c_name(n, m, p, c))
    if bad:
        raise VerificationError(f"symbolic check failed: {', '.join(bad)} differ from A @ B")


def simplify_additions(scheme: Scheme, tries: int = 16, seed: int = 0, method: str = "best",
                       workers: int = 1, time_limit: float | None = None) -> SimplifiedScheme:
    """Share common subexpressions on each side (A: u, B: v, C: w.T) with one heuristic.

    Args:
        method: a key of :data:`discovery.circuits.cse.METHODS`: ``greedy``, ``potential``,
            ``intersections``, ``best`` (default: the three, cheapest per side), ``random``
            (randomized search with restarts on ``workers`` processes, stopped by
            ``time_limit`` seconds or when rounds stop improving) or ``pairs`` (pure Python).
        tries: seeded runs per strategy and orientation (``random``: runs per round).

    The scheme is verified first (:func:`discovery.core.verify.require_valid`) and the result is
    re-verified (:meth:`SimplifiedScheme.check`: exact matrices, sympy, random integers)
    before it is returned.
    """
    from discovery.circuits.cse import check_method, reduce_map

    check_method(method)
    s = require_valid(scheme)
    maps = [s.u, s.v, np.ascontiguousarray(s.w.T)]
    if method == "random":
        from discovery.circuits.cse_search import RandomSearchConfig, random_search

        cfg = RandomSearchConfig(runs=max(8, tries), seed=seed, workers=workers, time_limit=time_limit)
        progs = list(random_search(maps, cfg).programs)
    else:
        progs = [reduce_map(M, method, tries, seed + k) for k, M in enumerate(maps)]
    ss = SimplifiedScheme(s, *progs, s.counts().additions)
    return ss.check()


def plain(scheme: Scheme) -> SimplifiedScheme:
    """The plain evaluation of a verified scheme as a program (no sharing)."""
    s = require_valid(scheme)
    return SimplifiedScheme(s, plain_program(s.u), plain_program(s.v), plain_program(s.w.T),
                            s.counts().additions)


def product_expressions(scheme: Scheme) -> list[Any]:
    """The r products m_t as sympy expressions in a_ij, b_jk (unexpanded)."""
    eqs = dict(plain(scheme).equations())
    return [eqs[f"m{t + 1}"] for t in range(scheme.rank)]


def output_expressions(scheme: Scheme) -> Any:
    """C (n x p sympy Matrix) with c_ik written as sums of the product symbols m1..mr."""
    import sympy

    n, m, p = scheme.format
    eqs = dict(plain(scheme).equations())
    return sympy.Matrix(n, p, lambda i, k: eqs[c_name(n, m, p, k * n + i)])
