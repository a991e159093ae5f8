"""Fast matrix multiplication: apply a scheme recursively to blocks, BLAS below a cutoff.

For a scheme <n, m, p> of rank r, A (N, M) is split into n×m blocks and B (M, P) into m×p
blocks (row-major, as vec(A), vec(B) in :mod:`discovery.core.tensor`); the A/B sums of the
simplified program (:class:`~discovery.circuits.symbolic.SimplifiedScheme`) form the r factor pairs,
each product recurses, and the C-side program assembles the n×p blocks of C. Sizes that do not
divide are zero-padded at each level and the result cropped. Works on numpy arrays and on
torch tensors (CPU or GPU: only ``@``, ``+``, ``-``, scalar ``*``, slicing and padding are used).

Two evaluation orders give the same products: depth first (one product at a time, recursing;
least memory) and breadth first (``batched``: all r^L products of a level in one tensor
(K, rows, cols), the sums of each level computed once for the whole batch and the products in
one batched ``matmul``; a handful of GPU kernels per level instead of r^L small ones, at the cost
of holding every level's blocks: about (r / (n·m))^L times A's size for the A side). Torch
tensors on CUDA use the breadth-first order unless told otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from discovery.circuits.slp import LinearProgram, combine
from discovery.circuits.symbolic import SimplifiedScheme, simplify_additions


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
        batched: breadth-first evaluation (torch tensors only); None: for CUDA tensors.
    """

    program: SimplifiedScheme
    levels: int = 1
    cutoff: int = 128
    batched: bool | None = None

    @classmethod
    def from_scheme(cls, scheme: Any, levels: int = 1, cutoff: int = 128,
                    batched: bool | None = None) -> "BlockMultiplier":
        """Simplify (and verify) a scheme unless it is already a SimplifiedScheme or an
        :class:`~discovery.circuits.basis.AlternativeBasis`."""
        from discovery.circuits.basis import AlternativeBasis

        ss = scheme if isinstance(scheme, (SimplifiedScheme, AlternativeBasis)) else simplify_additions(scheme)
        if levels < 0 or cutoff < 1:
            raise ValueError("levels must be >= 0 and cutoff >= 1")
        return cls(ss, levels, cutoff, batched)

    def __call__(self, A: Any, B: Any) -> Any:
        """C = A @ B for A (N, M), B (M, P) (numpy arrays or torch tensors, same dtype)."""
        if A.ndim != 2 or B.ndim != 2 or A.shape[1] != B.shape[0]:
            raise ValueError(f"cannot multiply shapes {tuple(A.shape)} and {tuple(B.shape)}")
        progs = tuple(_numeric(x) for x in _push_signs(self.program.a, self.program.b, self.program.c))
        batched = self.batched if self.batched is not None else (_is_torch(A) and A.is_cuda)
        if hasattr(self.program, "nu_inv"):
            return _multiply_in_basis(A, B, self.program, progs, self.levels, self.cutoff, batched)
        if batched:
            if not (_is_torch(A) and _is_torch(B)):
                raise ValueError("batched=True needs torch tensors; use batched=False for numpy arrays")
            return _multiply_batched(A, B, self.program.format, progs, self.levels, self.cutoff)
        return _multiply(A, B, self.program.format, progs, self.levels, self.cutoff)


def fast_matmul(A: Any, B: Any, scheme: Any, levels: int = 1, cutoff: int = 128,
                batched: bool | None = None) -> Any:
    """C = A @ B with ``levels`` recursive applications of ``scheme`` (a Scheme, a SimplifiedScheme
    or an :class:`~discovery.circuits.basis.AlternativeBasis`; see :class:`BlockMultiplier`)."""
    return BlockMultiplier.from_scheme(scheme, levels, cutoff, batched)(A, B)


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
    a_blocks, b_blocks = _blocks(A, n, m, hn, hm), _blocks(B, m, p, hm, hp)
    pa, pb, pc = progs
    left, right = pa.evaluate(a_blocks), pb.evaluate(b_blocks)
    del a_blocks, b_blocks
    prods = [_multiply(x, y, fmt, progs, levels - 1, cutoff) for x, y in zip(left, right)]
    del left, right
    C = _empty(prods[0], Np, Pp)
    _assemble(list(prods), pc, n, C, hn, hp)
    return C[:N, :P] if (Np, Pp) != (N, P) else C


def _blocks(X: Any, rows: int, cols: int, h: int, w: int) -> list:
    """The rows×cols blocks (h, w) of the last two axes of X, row-major (views, no copies)."""
    return [X[..., i * h:(i + 1) * h, j * w:(j + 1) * w] for i in range(rows) for j in range(cols)]


def _assemble(vals: list, pc, n: int, out: Any, hn: int, hp: int) -> None:
    """Write the C blocks of the C-side program into ``out`` (..., n·hn, p·hp) in place."""
    for terms in pc.temps:
        vals.append(combine(vals, terms))
    for c, terms in enumerate(pc.outputs):
        k, i = divmod(c, n)  # w indexes C transposed
        _accumulate(out[..., i * hn:(i + 1) * hn, k * hp:(k + 1) * hp], vals, terms)


def _multiply_batched(A, B, fmt, progs, levels: int, cutoff: int):
    """Breadth first on torch tensors: level by level, every block of a level in one batch.

    Going down, the K blocks (K, rows, cols) of A and B become r·K blocks (product t of block k
    at index t·K + k); one batched matmul forms every product; going up, the C-side program
    assembles each level's K output blocks at once.
    """
    import torch
    import torch.nn.functional as F

    n, m, p = fmt
    pa, pb, pc = progs
    r = len(pa.outputs)
    up = lambda x, d: -(-x // d) * d  # noqa: E731
    A, B = A.unsqueeze(0), B.unsqueeze(0)
    stack = []
    for _ in range(levels):
        K, N, M = A.shape
        P = B.shape[2]
        if min(N, M, P) < cutoff:
            break
        Np, Mp, Pp = up(N, n), up(M, m), up(P, p)
        A = F.pad(A, (0, Mp - M, 0, Np - N)) if (Np, Mp) != (N, M) else A
        B = F.pad(B, (0, Pp - P, 0, Mp - M)) if (Mp, Pp) != (M, P) else B
        hn, hm, hp = Np // n, Mp // m, Pp // p
        a_blocks, b_blocks = _blocks(A, n, m, hn, hm), _blocks(B, m, p, hm, hp)
        A = torch.stack(pa.evaluate(a_blocks)).reshape(r * K, hn, hm)
        B = torch.stack(pb.evaluate(b_blocks)).reshape(r * K, hm, hp)
        del a_blocks, b_blocks
        stack.append((K, N, P, Np, Pp, hn, hp))
    C = A @ B
    del A, B
    for K, N, P, Np, Pp, hn, hp in reversed(stack):
        vals = list(C.reshape(r, K, hn, hp).unbind(0))
        out = C.new_empty((K, Np, Pp))
        _assemble(vals, pc, n, out, hn, hp)
        del vals
        C = out[:, :N, :P] if (Np, Pp) != (N, P) else out
    return C[0]


def _multiply_in_basis(A, B, ab, progs, levels: int, cutoff: int, batched: bool):
    """An alternative-basis scheme: transform A and B once for all levels (φ, ψ at every level),
    run the core recursion, transform the result back (ν^-1 at every level).

    The level count is fixed first (the same for the transforms and the core), and A and B are
    padded once to multiples of n^L, m^L, p^L, so no level pads inside the core."""
    n, m, p = ab.format
    (N, M), P = A.shape, B.shape[1]
    L = 0
    while L < levels and min(N // n ** L, M // m ** L, P // p ** L) >= cutoff:
        L += 1
    if L == 0:
        return A @ B
    up = lambda x, d: -(-x // d) * d  # noqa: E731
    Np, Mp, Pp = up(N, n ** L), up(M, m ** L), up(P, p ** L)
    At = _transform(_pad(A, Np, Mp), _numeric(ab.phi), n, m, L, False)
    Bt = _transform(_pad(B, Mp, Pp), _numeric(ab.psi), m, p, L, False)
    if batched and _is_torch(At):
        Ct = _multiply_batched(At, Bt, ab.format, progs, L, 1)
    else:
        Ct = _multiply(At, Bt, ab.format, progs, L, 1)
    C = _transform(Ct, _numeric(ab.nu_inv), n, p, L, True)
    return C[:N, :P] if (Np, Pp) != (N, P) else C


def _transform(X, prog, rows: int, cols: int, levels: int, c_order: bool):
    """Apply a linear map of the block entries at every level: X (rows·h, cols·w) is split into
    rows×cols blocks, ``prog`` maps them (row-major, or vec(C^T) order with ``c_order``), and
    each new block is transformed likewise ``levels - 1`` more times."""
    if levels == 0:
        return X
    h, w = X.shape[0] // rows, X.shape[1] // cols
    blocks = _blocks(X, rows, cols, h, w)
    if c_order:  # entry c = k*rows + i is block (i, k)
        blocks = [blocks[(c % rows) * cols + c // rows] for c in range(rows * cols)]
    out = _empty(X, X.shape[0], X.shape[1])
    for q, val in enumerate(prog.evaluate(blocks)):
        i, k = (q % rows, q // rows) if c_order else divmod(q, cols)
        out[i * h:(i + 1) * h, k * w:(k + 1) * w] = _transform(val, prog, rows, cols, levels - 1, c_order)
    return out


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

