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

    def _may_overflow(self) -> bool:
        """Whether an int64 row of :meth:`matrix` might overflow (bound: the L1 norms of the
        rows, each at most the sum of |coefficient| times the norms of the variables it uses)."""
        norm = [1.0] * self.n_inputs
        for t in self.temps:
            norm.append(sum(abs(c) * norm[v] for v, c in t))
        return max((sum(abs(c) * norm[v] for v, c in o) for o in self.outputs), default=0.0) > 2.0**60 \
            or max(norm, default=0.0) > 2.0**60

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
        terms = (*self.temps, *self.outputs)
        if all(type(c) is int for ts in terms for _, c in ts):
            # integers: numpy rows (values are bounded by the product of the coefficients)
            E = np.zeros((n + len(self.temps), n), dtype=object if self._may_overflow() else np.int64)
            E[:n] = np.eye(n, dtype=np.int64)
            for k, t in enumerate(self.temps):
                for v, c in t:
                    E[n + k] += c * E[v]
            M = np.zeros((len(self.outputs), n), dtype=E.dtype)
            for i, o in enumerate(self.outputs):
                for v, c in o:
                    M[i] += c * E[v]
            return M
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

    A matrix with entries in {-1, 0, 1} runs compiled (the same greedy,
    :mod:`discovery.circuits._cse_kernels`); other matrices run here in Python.

    Args:
        M: exact matrix (n_outputs, n_inputs), int64 or object array of Fractions.
    """
    if M.size and M.dtype != object and np.abs(M).max() <= 1:
        from discovery.circuits.cse import reduce_map

        return reduce_map(np.asarray(M, dtype=np.int64), "greedy", tries, seed, transposed=False)
    return eliminate_pairs_python(M, tries, seed)


def eliminate_pairs_python(M: np.ndarray, tries: int = 16, seed: int = 0) -> LinearProgram:
    """:func:`eliminate_pairs` in pure Python, for any exact matrix; pairs ``x_i + q x_j`` may
    have any ratio q (an integer matrix gets integer temps only: q or 1/q an integer)."""
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


def _merge(terms: list[tuple[int, Coeff]]) -> list[tuple[int, Coeff]]:
    """Sum the coefficients of repeated variables; drop zeros; keep first-seen order."""
    acc: dict[int, Coeff] = {}
    for v, c in terms:
        acc[v] = _exact(acc.get(v, 0) + c)
    return [(v, c) for v, c in acc.items() if c != 0]


def transpose(prog: LinearProgram) -> LinearProgram:
    """A program for ``M.T`` from a program for ``M`` (the transposition principle).

    The new program propagates the outputs back through the old one (reverse mode): its
    inputs are the K old outputs, its outputs the N old inputs, and each old temp used in
    several places becomes one new temp. Additions: ``old.additions + K - N`` when every input
    and output is used (fewer when contributions cancel); temps are split into pairs
    (:func:`binarize`).
    """
    n, k = prog.n_inputs, prog.n_outputs
    contrib: list[list[tuple[int, Coeff]]] = [[] for _ in range(n + len(prog.temps))]
    for o, terms in enumerate(prog.outputs):
        for v, c in terms:
            contrib[v].append((o, c))
    temps: list[Terms] = []
    for t in range(len(prog.temps) - 1, -1, -1):
        terms = _merge(contrib[n + t])
        if not terms:
            continue
        if len(terms) == 1:
            alias = terms[0]
        else:
            sign = -1 if terms[0][1] < 0 else 1  # the new temp starts with +1
            temps.append(tuple((v, _exact(sign * c)) for v, c in terms))
            alias = (k + len(temps) - 1, sign)
        for v, c in prog.temps[t]:
            contrib[v].append((alias[0], _exact(alias[1] * c)))
    outputs = tuple(tuple(_merge(contrib[j])) for j in range(n))
    return binarize(LinearProgram(k, tuple(temps), outputs))


def binarize(prog: LinearProgram) -> LinearProgram:
    """The same program with every temp of more than two terms split into a chain of pairs
    (the collection's layout: a fresh variable combines two earlier ones); same additions."""
    if all(len(t) <= 2 for t in prog.temps):
        return prog
    n = prog.n_inputs
    temps: list[Terms] = []
    where: dict[int, tuple[int, Coeff]] = {v: (v, 1) for v in range(n)}  # old variable -> (new, coeff)

    def term(v, c):
        nv, f = where[v]
        return nv, _exact(f * c)

    for k, t in enumerate(prog.temps):
        terms = [term(v, c) for v, c in t]
        while len(terms) > 2:
            temps.append((terms[0], terms[1]))
            terms = [(n + len(temps) - 1, 1)] + terms[2:]
        temps.append(tuple(terms))
        where[n + k] = (n + len(temps) - 1, 1)
    outputs = tuple(tuple(term(v, c) for v, c in o) for o in prog.outputs)
    return LinearProgram(n, tuple(temps), outputs)
