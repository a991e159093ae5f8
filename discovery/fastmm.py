"""Fast matrix multiplication: apply a scheme recursively to blocks, BLAS below a cutoff.

For a scheme <n, m, p> of rank r, A (N, M) is split into n×m blocks and B (M, P) into m×p
blocks (row-major, as vec(A), vec(B) in :mod:`discovery.tensor`); the A/B sums of the
simplified program (:class:`~discovery.symbolic.SimplifiedScheme`) form the r factor pairs,
each product recurses, and the C-side program assembles the n×p blocks of C. Sizes that do not
divide are zero-padded at each level and the result cropped. Works on numpy arrays and on
torch tensors (CPU or GPU: only ``@``, ``+``, ``-``, scalar ``*``, slicing and padding are used).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from discovery.scheme import Scheme
from discovery.slp import LinearProgram, combine
from discovery.symbolic import SimplifiedScheme, simplify_additions


def _numeric(prog: LinearProgram) -> LinearProgram:
    # Fractions would turn numpy arrays into object arrays; integers and floats do not.
    conv = lambda ts: tuple((v, c if isinstance(c, int) else float(c)) for v, c in ts)  # noqa: E731
    if all(isinstance(c, int) for ts in (*prog.temps, *prog.outputs) for _, c in ts):
        return prog
    return LinearProgram(prog.n_inputs, tuple(map(conv, prog.temps)), tuple(map(conv, prog.outputs)))


def _push_signs(a: LinearProgram, b: LinearProgram, c: LinearProgram):
    """Equivalent programs where no product factor starts with a negative coefficient.

    A factor ``-x`` (or ``-x - y``) costs a negation of a whole block; negating factor t and
    every use of product t on the C side computes the same C without it.
    """
    flip = [False] * len(a.outputs)
    outs = {"a": list(a.outputs), "b": list(b.outputs)}
    for side in ("a", "b"):
        for t, terms in enumerate(outs[side]):
            if terms and all(q < 0 for _, q in terms):
                outs[side][t] = tuple((v, -q) for v, q in terms)
                flip[t] = not flip[t]
    neg = lambda ts: tuple((v, -q if v < len(flip) and flip[v] else q) for v, q in ts)  # noqa: E731
    c2 = LinearProgram(c.n_inputs, tuple(map(neg, c.temps)), tuple(map(neg, c.outputs)))
    return (LinearProgram(a.n_inputs, a.temps, tuple(outs["a"])),
            LinearProgram(b.n_inputs, b.temps, tuple(outs["b"])), c2)


@dataclass(frozen=True)
class BlockMultiplier:
    """A scheme prepared for block multiplication.

    Attributes:
        program: the simplified, verified scheme whose programs are run on blocks.
        levels: recursion levels (0 = plain ``A @ B``).
        cutoff: below this many rows/columns in any operand, use ``A @ B`` (BLAS).
    """

    program: SimplifiedScheme
    levels: int = 1
    cutoff: int = 128

    @classmethod
    def from_scheme(cls, scheme: Scheme | SimplifiedScheme, levels: int = 1, cutoff: int = 128) -> "BlockMultiplier":
        """Simplify (and verify) a scheme unless it is already a SimplifiedScheme."""
        ss = scheme if isinstance(scheme, SimplifiedScheme) else simplify_additions(scheme)
        if levels < 0 or cutoff < 1:
            raise ValueError("levels must be >= 0 and cutoff >= 1")
        return cls(ss, levels, cutoff)

    def __call__(self, A: Any, B: Any) -> Any:
        """C = A @ B for A (N, M), B (M, P) (numpy arrays or torch tensors, same dtype)."""
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"cannot multiply shapes {tuple(A.shape)} and {tuple(B.shape)}")
        progs = tuple(_numeric(x) for x in _push_signs(self.program.a, self.program.b, self.program.c))
        return _multiply(A, B, self.program.format, progs, self.levels, self.cutoff)


def fast_matmul(A: Any, B: Any, scheme: Scheme | SimplifiedScheme, levels: int = 1, cutoff: int = 128) -> Any:
    """C = A @ B with ``levels`` recursive applications of ``scheme`` (see :class:`BlockMultiplier`)."""
    return BlockMultiplier.from_scheme(scheme, levels, cutoff)(A, B)


def _is_torch(x: Any) -> bool:
    return type(x).__module__.startswith("torch")


def _pad(X: Any, rows: int, cols: int) -> Any:
    r, c = X.shape
    if (r, c) == (rows, cols):
        return X
    if _is_torch(X):
        import torch.nn.functional as F

        return F.pad(X, (0, cols - c, 0, rows - r))
    return np.pad(X, ((0, rows - r), (0, cols - c)))


def _empty(like: Any, rows: int, cols: int) -> Any:
    if _is_torch(like):
        return like.new_empty((rows, cols))
    return np.empty((rows, cols), dtype=like.dtype)


def _multiply(A, B, fmt, progs, levels: int, cutoff: int):
    (N, M), P = A.shape, B.shape[1]
    if levels == 0 or min(N, M, P) < cutoff:
        return A @ B
    n, m, p = fmt
    up = lambda x, d: -(-x // d) * d  # noqa: E731
    Np, Mp, Pp = up(N, n), up(M, m), up(P, p)
    A, B = _pad(A, Np, Mp), _pad(B, Mp, Pp)
    hn, hm, hp = Np // n, Mp // m, Pp // p
    a_blocks = [A[i * hn:(i + 1) * hn, j * hm:(j + 1) * hm] for i in range(n) for j in range(m)]
    b_blocks = [B[j * hm:(j + 1) * hm, k * hp:(k + 1) * hp] for j in range(m) for k in range(p)]
    pa, pb, pc = progs
    left, right = pa.evaluate(a_blocks), pb.evaluate(b_blocks)
    del a_blocks, b_blocks
    prods = [_multiply(x, y, fmt, progs, levels - 1, cutoff) for x, y in zip(left, right)]
    del left, right
    C = _empty(prods[0], Np, Pp)
    vals = list(prods)
    for terms in pc.temps:
        vals.append(combine(vals, terms))
    for c, terms in enumerate(pc.outputs):
        k, i = divmod(c, n)  # w indexes C transposed
        _accumulate(C[i * hn:(i + 1) * hn, k * hp:(k + 1) * hp], vals, terms)
    return C[:N, :P] if (Np, Pp) != (N, P) else C


def _accumulate(dst: Any, vals: list, terms) -> None:
    """dst[...] = sum(c * vals[v]) in place (no temporary for the output block)."""
    for idx, (v, c) in enumerate(sorted(terms, key=lambda t: t[1] < 0)):
        x = vals[v]
        if idx == 0:
            dst[...] = x if c == 1 else (-x if c == -1 else c * x)
        elif c == 1:
            dst += x
        elif c == -1:
            dst -= x
        else:
            dst += c * x


def relative_error(C: Any, reference: Any) -> float:
    """max |C - reference| / max |reference| (computed in float64 on the CPU)."""
    C = np.asarray(C.detach().cpu().double() if _is_torch(C) else C, dtype=np.float64)
    R = np.asarray(reference.detach().cpu().double() if _is_torch(reference) else reference, dtype=np.float64)
    scale = float(np.abs(R).max()) or 1.0
    return float(np.abs(C - R).max()) / scale

