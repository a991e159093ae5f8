"""Linear straight-line programs and greedy common-subexpression elimination.

Each side of a bilinear scheme is a linear map ``y = M x`` with an exact coefficient matrix
``M`` of shape (n_outputs, n_inputs):

* A side: ``M = u`` (r, n*m); inputs vec(A) row-major, outputs the left factors of the products.
* B side: ``M = v`` (r, m*p); inputs vec(B) row-major, outputs the right factors.
* C side: ``M = w.T`` (p*n, r); inputs the products m_t, outputs vec(C^T) (C transposed,
  output c = k*n + i is C[i, k]) -- the transposed problem.

A :class:`LinearProgram` computes ``y`` with shared intermediate sums ("temps"). Variables are
numbered: ``0..n_inputs-1`` are the inputs, ``n_inputs + k`` is temp k. Every temp and output is
a list of ``(variable, coefficient)`` terms; a temp may use inputs and earlier temps only. This is
the ``*_fresh`` layout of the fmm-collection reduced files.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Sequence

import numpy as np

from discovery.core.coefficients import int_or_fraction

Coeff = int | Fraction
Terms = tuple[tuple[int, Coeff], ...]


_exact = int_or_fraction


@dataclass(frozen=True)
class LinearProgram:
    """An addition program for ``y = M x``.

    Attributes:
        n_inputs: N, the length of x.
        temps: K intermediate sums; temp k is variable ``N + k`` and uses variables < N + k.
        outputs: one term list per entry of y, over variables 0..N+K-1.
    """

    n_inputs: int
    temps: tuple[Terms, ...]
    outputs: tuple[Terms, ...]

    def __post_init__(self):
        for k, t in enumerate(self.temps):
            if any(not 0 <= v < self.n_inputs + k for v, _ in t):
                raise ValueError(f"temp {k} refers to a variable that is not defined before it")
        top = self.n_inputs + len(self.temps)
        if any(not 0 <= v < top for o in self.outputs for v, _ in o):
            raise ValueError("an output refers to an undefined variable")

    @property
    def n_outputs(self) -> int:
        return len(self.outputs)

    @property
    def additions(self) -> int:
        """Additions/subtractions: (terms - 1) per temp and per non-empty output."""
        return sum(len(t) - 1 for t in self.temps) + sum(max(len(o) - 1, 0) for o in self.outputs)

    @property
    def scalings(self) -> int:
        """Multiplications by constants other than ±1."""
        return sum(1 for ts in (*self.temps, *self.outputs) for _, c in ts if abs(c) != 1)

    def evaluate(self, xs: Sequence[Any]) -> list[Any]:
        """Run the program on N values (numbers, arrays, sympy or polynomial elements)."""
        vals = list(xs)
        if len(vals) != self.n_inputs:
            raise ValueError(f"expected {self.n_inputs} inputs, got {len(vals)}")
        for t in self.temps:
            vals.append(combine(vals, t))
        return [combine(vals, o) for o in self.outputs]

    def matrix(self) -> np.ndarray:
        """The exact matrix M (n_outputs, n_inputs) this program computes (int64 or Fraction)."""
        n = self.n_inputs
        rows: list[dict[int, Coeff]] = [{i: 1} for i in range(n)]
        for t in self.temps:
            rows.append(_expand(rows, t))
        out = [_expand(rows, o) for o in self.outputs]
        integral = all(isinstance(c, int) for r in out for c in r.values())
        M = np.zeros((len(out), n), dtype=np.int64 if integral else object)
        if not integral:
            M[:] = Fraction(0)
        for i, r in enumerate(out):
            for j, c in r.items():
                M[i, j] = c
        return M


def _expand(rows: list[dict[int, Coeff]], terms: Terms) -> dict[int, Coeff]:
    acc: dict[int, Coeff] = {}
    for v, c in terms:
        for j, d in rows[v].items():
            acc[j] = _exact(acc.get(j, 0) + c * d)
    return {j: c for j, c in acc.items() if c != 0}


def combine(vals: Sequence[Any], terms: Terms) -> Any:
    """``sum(c * vals[v])`` written with + and - (no multiplication by ±1); 0 if empty.

    A positive term goes first when there is one, so no negation is spent on ``-x + y``.
    """
    out = None
    for v, c in sorted(terms, key=lambda t: bool(t[1] < 0)):
        x = vals[v]
        if out is None:
            out = x if c == 1 else (-x if c == -1 else c * x)
        elif c == 1:
            out = out + x
        elif c == -1:
            out = out - x
        else:
            out = out + c * x
    return 0 if out is None else out


def plain_program(M: np.ndarray) -> LinearProgram:
    """The program with no shared sums: output i is ``sum_j M[i, j] x_j``."""
    rows = tuple(tuple((j, _exact(c)) for j, c in enumerate(row) if c != 0) for row in M)
    return LinearProgram(int(M.shape[1]), (), rows)


def eliminate_pairs(M: np.ndarray, tries: int = 16, seed: int = 0) -> LinearProgram:
    """Greedy pair elimination: best of ``tries`` randomized runs (fewest additions).

    Each run repeatedly finds the most frequent pair ``x_i + q x_j`` (same ratio q of
    coefficients in every row that uses it), makes it a temp, and substitutes it, until no
    pair occurs twice. Ties are broken at random (run 0 breaks them by first occurrence).

    Args:
        M: exact matrix (n_outputs, n_inputs), int64 or object array of Fractions.
    """
    rng = random.Random(seed)
    best = plain_program(M)
    for t in range(max(1, tries)):
        prog = _greedy_once(M, rng if t else None)
        if prog.additions < best.additions:
            best = prog
    return best


def _greedy_once(M: np.ndarray, rng: random.Random | None) -> LinearProgram:
    n = int(M.shape[1])
    rows: list[dict[int, Coeff]] = [{j: _exact(c) for j, c in enumerate(r) if c != 0} for r in M]
    # An integer matrix gets integer temps only: x_i + q x_j with q or 1/q an integer.
    integral = all(isinstance(c, int) for r in rows for c in r.values())
    temps: list[Terms] = []
    while True:
        counts: Counter = Counter()
        for r in rows:
            items = sorted(r.items())
            for a in range(len(items)):
                i, ci = items[a]
                for b in range(a + 1, len(items)):
                    j, cj = items[b]
                    q = Fraction(cj) / Fraction(ci)
                    if integral and q.denominator != 1 and q.numerator not in (1, -1):
                        continue
                    counts[(i, j, _exact(q))] += 1
        if not counts:
            break
        top = max(counts.values())
        if top < 2:
            break
        if rng is None:
            key = next(k for k, c in counts.items() if c == top)
        else:
            key = rng.choice([k for k, c in counts.items() if c == top])
        i, j, q = key
        new = n + len(temps)
        # temp = x_i + q x_j (row uses c_i * temp), or x_j + (1/q) x_i (row uses c_j * temp)
        flip = Fraction(q).denominator != 1
        temps.append(((j, 1), (i, _exact(1 / Fraction(q)))) if flip else ((i, 1), (j, q)))
        for r in rows:
            if i in r and j in r and _exact(Fraction(r[j]) / Fraction(r[i])) == q:
                ci, cj = r.pop(i), r.pop(j)
                r[new] = cj if flip else ci
    outputs = tuple(tuple(sorted(r.items())) for r in rows)
    return _prune(LinearProgram(n, tuple(temps), outputs))


def _prune(prog: LinearProgram) -> LinearProgram:
    """Drop temps that nothing uses (can happen when a pair is later absorbed)."""
    n = prog.n_inputs
    used = set(v for o in prog.outputs for v, _ in o)
    for k in range(len(prog.temps) - 1, -1, -1):
        if n + k in used:
            used.update(v for v, _ in prog.temps[k])
    keep = [k for k in range(len(prog.temps)) if n + k in used]
    if len(keep) == len(prog.temps):
        return prog
    remap = {v: v for v in range(n)}
    for new_k, k in enumerate(keep):
        remap[n + k] = n + new_k
    fix = lambda ts: tuple((remap[v], c) for v, c in ts)  # noqa: E731
    return LinearProgram(n, tuple(fix(prog.temps[k]) for k in keep), tuple(fix(o) for o in prog.outputs))
