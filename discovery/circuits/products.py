"""Addition programs of Kronecker products, composed stage by stage (alternative bases included).

A side of ``kron(s1, s2)`` (:func:`discovery.core.transforms.kron`) is the Kronecker product of
the two sides, up to a fixed relabelling of inputs and outputs. A program for ``M1 ⊗ M2``
(M1: K1 × N1, M2: K2 × N2) runs P2 on each of the N1 rows of the input block and then P1 on
each of the K2 columns of the result: ``N1·L(P2) + K2·L(P1)`` additions (or the other order,
``N2·L(P1) + K1·L(P2)``; the cheaper is taken).

A side may also be given as a *chain* of stages, e.g. an alternative basis (Karstadt &
Schwartz, :mod:`discovery.circuits.basis`): ``u = u' φ`` is the chain (φ, u'). The product of
two chains of equal length is the chain of the products, ``(u1' φ1) ⊗ (u2' φ2) = (u1' ⊗ u2')
(φ1 ⊗ φ2)``, which is cheaper than the product of the composed programs when the basis change
is cheap and the core sparse: Winograd ⊗ Winograd costs 41 + 41 + 74 = 156 additions this way
(4·1 + 4·1 for φ ⊗ φ, 4·3 + 7·3 for the core on the A side) against 44 + 44 + 77 for the plain
product structure.

Programs are composed by running one on the outputs of another with :class:`Trace` values,
which record every ± of two values as a fresh variable; the count of the composed program is
the sum of the counts of the programs it ran.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

import numpy as np

from discovery.circuits.slp import LinearProgram, _prune

if TYPE_CHECKING:
    from discovery.circuits.symbolic import SimplifiedScheme
    from discovery.core.scheme import Scheme


class _Tape:
    """The fresh variables recorded while programs run on :class:`Trace` values."""

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.temps: list[tuple[tuple[int, int], tuple[int, int]]] = []

    def pair(self, x: "Trace", y: "Trace", sign: int) -> "Trace":
        self.temps.append(((x.var, x.sign), (y.var, sign * y.sign)))
        return Trace(self, self.n_inputs + len(self.temps) - 1, 1)


@dataclass(frozen=True)
class Trace:
    """A value ``sign · variable`` of a program being recorded; ``+`` and ``-`` of two traces
    record a fresh variable, negation is free, and the integer 0 is the empty sum."""

    tape: _Tape
    var: int
    sign: int

    def __neg__(self) -> "Trace":
        return Trace(self.tape, self.var, -self.sign)

    def __add__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return self.tape.pair(self, other, 1)

    def __sub__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return self.tape.pair(self, other, -1)

    def __radd__(self, other):
        if isinstance(other, int) and other == 0:
            return self
        return NotImplemented

    def __rsub__(self, other):
        if isinstance(other, int) and other == 0:
            return -self
        return NotImplemented

    def __rmul__(self, c):
        raise ValueError(f"a scaling by {c} is not an addition; products compose ±1 programs only")


def _record(n_inputs: int, run) -> LinearProgram:
    """The program that ``run`` (inputs -> outputs, on traces) computes, unused temps dropped."""
    tape = _Tape(n_inputs)
    outs = run([Trace(tape, i, 1) for i in range(n_inputs)])
    outputs = tuple(() if isinstance(o, int) else ((o.var, o.sign),) for o in outs)
    if any(isinstance(o, int) and o != 0 for o in outs):
        raise ValueError("a program produced a constant")
    return _prune(LinearProgram(n_inputs, tuple(tape.temps), outputs))


def _check_unit(prog: LinearProgram) -> None:
    if any(abs(c) != 1 for ts in (*prog.temps, *prog.outputs) for _, c in ts):
        raise ValueError("products and compositions take programs with coefficients ±1 only")


def compose(*stages: LinearProgram) -> LinearProgram:
    """The program running ``stages`` one after the other (matrix ``M_k ⋯ M_1``); its count is
    the sum of theirs (less any sum that nothing uses)."""
    for first, then in zip(stages, stages[1:]):
        if then.n_inputs != first.n_outputs:
            raise ValueError(f"a stage with {first.n_outputs} outputs feeds one with {then.n_inputs} inputs")
    for s in stages:
        _check_unit(s)

    def run(xs):
        for s in stages:
            xs = s.evaluate(xs)
        return xs

    return _record(stages[0].n_inputs, run)


def kron_program(p1: LinearProgram, p2: LinearProgram) -> LinearProgram:
    """A program for ``np.kron(M1, M2)`` (input ``a1·N2 + a2``, output ``k1·K2 + k2``) from
    programs for M1 (K1 × N1) and M2 (K2 × N2); the cheaper of the two orders."""
    _check_unit(p1)
    _check_unit(p2)
    N1, K1, N2, K2 = p1.n_inputs, p1.n_outputs, p2.n_inputs, p2.n_outputs

    def rows_first(xs):  # P2 on each block row, then P1 on each column
        y = [p2.evaluate(xs[a1 * N2:(a1 + 1) * N2]) for a1 in range(N1)]
        z = [p1.evaluate([y[a1][k2] for a1 in range(N1)]) for k2 in range(K2)]
        return [z[k2][k1] for k1 in range(K1) for k2 in range(K2)]

    def columns_first(xs):  # P1 on each block column, then P2 on each row
        y = [p1.evaluate([xs[a1 * N2 + a2] for a1 in range(N1)]) for a2 in range(N2)]
        z = [p2.evaluate([y[a2][k1] for a2 in range(N2)]) for k1 in range(K1)]
        return [z[k1][k2] for k1 in range(K1) for k2 in range(K2)]

    a = _record(N1 * N2, rows_first)
    b = _record(N1 * N2, columns_first)
    return a if a.additions <= b.additions else b


def relabel(prog: LinearProgram, inputs: Sequence[int] | None = None,
            outputs: Sequence[int] | None = None) -> LinearProgram:
    """The same program with input ``a`` renamed ``inputs[a]`` and output ``k`` moved to
    position ``outputs[k]`` (permutations; None keeps the order)."""
    n = prog.n_inputs
    if inputs is not None:
        ren = {a: int(inputs[a]) for a in range(n)}
        fix = lambda ts: tuple((ren.get(v, v), c) for v, c in ts)  # noqa: E731
        prog = LinearProgram(n, tuple(fix(t) for t in prog.temps), tuple(fix(o) for o in prog.outputs))
    if outputs is not None:
        outs: list = [None] * prog.n_outputs
        for k, o in enumerate(prog.outputs):
            outs[int(outputs[k])] = o
        prog = LinearProgram(n, prog.temps, tuple(outs))
    return prog


def block_order(d1: tuple[int, int], d2: tuple[int, int]) -> np.ndarray:
    """Where :func:`discovery.core.transforms.kron` puts entry ``a1·(x2·y2) + a2`` of the
    Kronecker product of an x1 × y1 and an x2 × y2 matrix (both vectorised row-major,
    ``a1 = i1·y1 + j1``): at ``(i1·x2 + i2)·(y1·y2) + j1·y2 + j2``."""
    (x1, y1), (x2, y2) = d1, d2
    out = np.empty(x1 * y1 * x2 * y2, dtype=np.int64)
    for i1 in range(x1):
        for j1 in range(y1):
            for i2 in range(x2):
                for j2 in range(y2):
                    out[(i1 * y1 + j1) * (x2 * y2) + i2 * y2 + j2] = (i1 * x2 + i2) * (y1 * y2) + j1 * y2 + j2
    return out


def kron_chains(c1: Sequence[LinearProgram], c2: Sequence[LinearProgram]) -> list[LinearProgram]:
    """Stage-wise products of two chains (the shorter padded with identities at its start)."""
    c1, c2 = list(c1), list(c2)
    while len(c1) < len(c2):
        c1.insert(0, _identity(c1[0].n_inputs))
    while len(c2) < len(c1):
        c2.insert(0, _identity(c2[0].n_inputs))
    return [kron_program(a, b) for a, b in zip(c1, c2)]


def _identity(n: int) -> LinearProgram:
    return LinearProgram(n, (), tuple(((i, 1),) for i in range(n)))


@dataclass(frozen=True)
class Factored:
    """A scheme with each side as a chain of programs (first stage first).

    Attributes:
        scheme: the scheme; ``compose(*a)`` computes u, ``compose(*b)`` v, ``compose(*c)`` w.T.
    """

    scheme: "Scheme"
    a: tuple[LinearProgram, ...]
    b: tuple[LinearProgram, ...]
    c: tuple[LinearProgram, ...]

    @classmethod
    def of(cls, x) -> "Factored":
        """From a :class:`~discovery.circuits.symbolic.SimplifiedScheme` (one stage a side) or an
        :class:`~discovery.circuits.basis.AlternativeBasis` (basis change, then core; core, then
        ν^-1 on the C side)."""
        from discovery.circuits.basis import AlternativeBasis

        if isinstance(x, AlternativeBasis):
            return cls(x.scheme, (x.phi, x.a), (x.psi, x.b), (x.c, x.nu_inv))
        return cls(x.scheme, (x.a,), (x.b,), (x.c,))

    @property
    def additions(self) -> int:
        return sum(p.additions for p in (*self.a, *self.b, *self.c))


def kron_factored(f1: Factored, f2: Factored) -> Factored:
    """The factored form of ``kron(f1.scheme, f2.scheme)``: stage-wise products of the chains,
    relabelled to the scheme's index convention (not yet verified: see :func:`kron_simplified`)."""
    from discovery.core.transforms import kron

    (n1, m1, p1), (n2, m2, p2) = f1.scheme.format, f2.scheme.format
    s = kron(f1.scheme, f2.scheme)
    a = kron_chains(f1.a, f2.a)
    b = kron_chains(f1.b, f2.b)
    c = kron_chains(f1.c, f2.c)
    a[0] = relabel(a[0], inputs=block_order((n1, m1), (n2, m2)))
    b[0] = relabel(b[0], inputs=block_order((m1, p1), (m2, p2)))
    c[-1] = relabel(c[-1], outputs=block_order((p1, n1), (p2, n2)))
    return Factored(s, tuple(a), tuple(b), tuple(c))


def kron_simplified(x1, x2) -> "SimplifiedScheme":
    """The verified :class:`~discovery.circuits.symbolic.SimplifiedScheme` of ``kron(s1, s2)``
    whose programs are the stage-wise products of ``x1`` and ``x2`` (each a SimplifiedScheme,
    an AlternativeBasis or a :class:`Factored`), composed."""
    from discovery.circuits.symbolic import SimplifiedScheme

    f = kron_factored(*(x if isinstance(x, Factored) else Factored.of(x) for x in (x1, x2)))
    ss = SimplifiedScheme(f.scheme, compose(*f.a), compose(*f.b), compose(*f.c), f.scheme.counts().additions)
    return ss.check()
