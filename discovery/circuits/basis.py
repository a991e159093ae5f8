"""Alternative basis (Karstadt & Schwartz 2017): a sparser core and separate basis changes.

A scheme (u, v, w) computes ``vec(C^T) = w.T [(u vec A) * (v vec B)]``. With invertible
φ (n·m × n·m), ψ (m·p × m·p) and ν (p·n × p·n) write ``u = u' φ``, ``v = v' ψ`` and
``w.T = ν^-1 w'.T``: then ``vec(C^T) = ν^-1 w'.T [(u' φ vec A) * (v' ψ vec B)]``. The *core*
(u', v', w') is evaluated with shared sums like any scheme; the basis changes φ, ψ, ν^-1 are
linear maps of their own. Applied recursively (:func:`discovery.circuits.fastmm.fast_matmul`),
A and B are transformed once at every level (φ^{⊗L}, ψ^{⊗L}), the core recursion runs on the
transformed blocks and ν^{-⊗L} is applied once at the end, so the leading coefficient of the
arithmetic cost comes from the core alone. For Strassen-Winograd the core needs 12 additions
(Karstadt & Schwartz; 15 in the standard basis).

Here φ is chosen as n·m linearly independent rows of u (so those rows of u' are unit vectors),
ψ likewise from v, and ν^-1 as p·n columns of w.T; every choice with a ternary core is scored by
the CSE heuristics (:mod:`discovery.circuits.cse`) and the cheapest core (then cheapest basis
change) is kept. Subsets are enumerated when there are at most ``max_subsets`` of them,
otherwise sampled (seeded).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from discovery.circuits.cse import reduce_map
from discovery.circuits.slp import LinearProgram
from discovery.core.scheme import Scheme
from discovery.core.tensor import a_name, b_name
from discovery.core.verify import require_valid
from discovery.errors import VerificationError


@dataclass(frozen=True)
class AlternativeBasis:
    """A scheme evaluated as ``ν^-1 ∘ core ∘ (φ, ψ)``.

    Attributes:
        scheme: the (verified) scheme this computes.
        a, b, c: core programs for u' (r × n·m), v' (r × m·p) and w'.T (p·n × r).
        phi, psi: programs for φ (vec A -> φ vec A) and ψ.
        nu_inv: program for ν^-1 (core outputs -> vec(C^T); C indexed transposed).
    """

    scheme: Scheme
    a: LinearProgram
    b: LinearProgram
    c: LinearProgram
    phi: LinearProgram
    psi: LinearProgram
    nu_inv: LinearProgram

    @property
    def format(self) -> tuple[int, int, int]:
        return self.scheme.format

    @property
    def multiplications(self) -> int:
        return self.scheme.rank

    @property
    def core_additions(self) -> int:
        return self.a.additions + self.b.additions + self.c.additions

    @property
    def basis_additions(self) -> int:
        return self.phi.additions + self.psi.additions + self.nu_inv.additions

    def evaluate(self, A, B):
        """C = A @ B for one pair of numeric matrices through the basis changes and the core."""
        n, m, p = self.format
        A, B = np.asarray(A), np.asarray(B)
        left = self.a.evaluate(self.phi.evaluate(list(A.reshape(n * m))))
        right = self.b.evaluate(self.psi.evaluate(list(B.reshape(m * p))))
        ct = self.nu_inv.evaluate(self.c.evaluate([x * y for x, y in zip(left, right)]))
        C = np.empty((n, p), dtype=np.result_type(A, B))
        for c, val in enumerate(ct):
            k, i = divmod(c, n)
            C[i, k] = val
        return C

    def check(self) -> "AlternativeBasis":
        """Verify exactly: u' φ = u, v' ψ = v, ν^-1 w'.T = w.T (exact matrices), the whole
        computation expanded with sympy equals A @ B, and random integers agree."""
        s = require_valid(self.scheme)
        for name, got, want in (("A", self.a.matrix().dot(self.phi.matrix()), s.u),
                                ("B", self.b.matrix().dot(self.psi.matrix()), s.v),
                                ("C", self.nu_inv.matrix().dot(self.c.matrix()), s.w.T)):
            if got.shape != want.shape or np.any(got != want):
                raise VerificationError(f"the {name} side's core and basis change do not give the scheme")
        _check_polynomial(self)
        rng = np.random.default_rng(0)
        n, m, p = self.format
        A, B = rng.integers(-9, 10, (n, m)), rng.integers(-9, 10, (m, p))
        if not np.array_equal(self.evaluate(A, B), A @ B):
            raise VerificationError("the alternative-basis program does not give A @ B")
        return self


def _check_polynomial(ab: AlternativeBasis) -> None:
    from sympy import QQ, ring

    n, m, p = ab.format
    names = [a_name(n, m, p, i) for i in range(n * m)] + [b_name(n, m, p, i) for i in range(m * p)]
    _, *gens = ring(",".join(names), QQ)
    x, y = gens[: n * m], gens[n * m:]
    C = ab.nu_inv.evaluate(ab.c.evaluate([s * t for s, t in zip(ab.a.evaluate(ab.phi.evaluate(x)),
                                                                 ab.b.evaluate(ab.psi.evaluate(y)))]))
    for c, val in enumerate(C):
        k, i = divmod(c, n)
        if val != sum((x[i * m + j] * y[j * p + k] for j in range(m)), 0 * x[0]):
            raise VerificationError("symbolic check failed: the alternative-basis program is not A @ B")


def _subsets(r: int, k: int, max_subsets: int, rng: np.random.Generator):
    if math.comb(r, k) <= max_subsets:
        yield from itertools.combinations(range(r), k)
        return
    for _ in range(max_subsets):
        yield tuple(sorted(int(x) for x in rng.choice(r, k, replace=False)))


def _best_rows(U: np.ndarray, output_side: bool, max_subsets: int, rng, tries: int):
    """(core cost, basis cost, core matrix, basis matrix) for the cheapest basis F among the
    identity and k = U.shape[1] independent rows of U (U = U' F, U' ternary); with
    ``output_side`` the core is scored as U'.T and the basis change is F.T (it is applied last)."""
    import sympy

    r, k = U.shape
    orient = (lambda X: np.ascontiguousarray(X.T)) if output_side else (lambda X: np.ascontiguousarray(X))
    eye = np.eye(k, dtype=np.int64)
    best = (reduce_map(orient(U), "best", tries).additions, 0, orient(U), eye)
    if U.dtype == object:
        return best
    for S in _subsets(r, k, max_subsets, rng):
        F = sympy.Matrix(U[list(S)].tolist())
        if F.det() == 0:
            continue
        Up = sympy.Matrix(U.tolist()) * F.inv()
        if any(q.q != 1 or abs(q) > 1 for q in Up):
            continue  # keep the core ternary
        core_m = orient(np.array(Up.tolist(), dtype=np.int64))
        basis_m = orient(U[list(S)])
        cost = (reduce_map(core_m, "best", tries).additions, reduce_map(basis_m, "best", tries).additions)
        if cost < best[:2]:
            best = (*cost, core_m, basis_m)
    return best


def alternative_basis(scheme: Scheme, max_subsets: int = 4000, seed: int = 0, tries: int = 8) -> AlternativeBasis:
    """The cheapest core found for ``scheme`` (verified) in a basis made of its own factor rows
    (or the standard basis, on a side where that is cheapest). Checked
    (:meth:`AlternativeBasis.check`) before it is returned."""
    s = require_valid(scheme)
    rng = np.random.default_rng([seed, 18])
    progs = []
    for M, out_side in ((s.u, False), (s.v, False), (s.w, True)):
        M = np.asarray(M, dtype=np.int64) if s.is_integral else np.asarray(M, dtype=object)
        _, _, core_m, basis_m = _best_rows(M, out_side, max_subsets, rng, tries)
        progs.append((reduce_map(core_m, "best", 4 * tries, seed), reduce_map(basis_m, "best", 4 * tries, seed)))
    (a, phi), (b, psi), (c, nu_inv) = progs
    return AlternativeBasis(s, a, b, c, phi, psi, nu_inv).check()
