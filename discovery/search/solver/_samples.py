"""What the data-driven strategy knows of the problem: sampled products and SPN updates on them.

Everything here sees matrix multiplication only through examples (A, B, AB) drawn by
:class:`ProductSampler`; nothing reads the target tensor T. Factor layout as in
:mod:`discovery.search.solver._loss`: ``U`` (K, n*m, r), ``V`` (K, m*p, r), ``W`` (K, p*n, r), one
slice per restart, so the SPN is ``c = W [(Vᵀ b) ⊙ (Uᵀ a)]`` with a = vec(A), b = vec(B),
c = vec((AB)ᵀ), i.e. W_a = Uᵀ, W_b = Vᵀ, W_c = W.

Two update rules act on a batch of products:

* :func:`sample_grads`: the gradient of the mean squared error (for Adam);
* :func:`conservative_step`: Elser's conservative rule (arXiv 1601.07227), the smallest change
  of the (free) weights that makes the linearised network exact on the batch, i.e. a
  Gauss-Newton / Kaczmarz projection ``δ = -Jᵀ (J Jᵀ + ε)⁻¹ e``.
"""

from __future__ import annotations

import torch

from discovery.search.solver._batch import restart_generator


class ProductSampler:
    """Random products (a, b, c) of Gaussian matrices; fresh ones each call or a fixed set.

    Args:
        fmt: (n, m, p). seed, restart, stream: the generator (see ``restart_generator``).
        pool: None draws fresh products on every call; an int N draws once a fixed training set
            of N products and every call returns a batch drawn from it (the "no fresh samples"
            ablation).
    Attributes:
        drawn: distinct products generated so far (the samples the trainer has seen).
    """

    def __init__(self, fmt, seed: int, restart: int, stream: int, pool: int | None = None,
                 dtype=torch.float64, device="cpu"):
        self.fmt, self.pool, self.dtype, self.device = tuple(fmt), pool, dtype, device
        self.gen = restart_generator(seed, restart, stream)
        self.drawn = 0
        self._set = self._draw(pool) if pool is not None else None

    def _draw(self, count: int, integer: bool = False):
        n, m, p = self.fmt
        if integer:  # small integers: exact in float64, for the candidate check
            A = torch.randint(-3, 4, (count, n, m), generator=self.gen).to(self.dtype)
            B = torch.randint(-3, 4, (count, m, p), generator=self.gen).to(self.dtype)
        else:
            A = torch.randn(count, n, m, generator=self.gen, dtype=self.dtype)
            B = torch.randn(count, m, p, generator=self.gen, dtype=self.dtype)
        C = A @ B  # the only access to matrix multiplication: an example of it
        self.drawn += count
        out = (A.reshape(count, -1), B.reshape(count, -1), C.transpose(1, 2).reshape(count, -1))
        return tuple(x.to(self.device) for x in out)

    def batch(self, size: int):
        """``(a (B, nm), b (B, mp), c (B, pn))``: fresh products, or a batch from the fixed set."""
        if self._set is None:
            return self._draw(size)
        if size >= self.pool:
            return self._set
        idx = torch.randperm(self.pool, generator=self.gen)[:size].to(self.device)
        return tuple(x[idx] for x in self._set)

    def integer(self, size: int):
        """Fresh products of small integer matrices (exact in float64), for checks."""
        return self._draw(size, integer=True)


def forward(U, V, W, a, b):
    """SPN outputs and hidden values: ``pred (K, B, pn), X = aU, Y = bV (K, B, r)``."""
    X = a @ U
    Y = b @ V
    return (X * Y) @ W.transpose(1, 2), X, Y


def sample_loss(U, V, W, a, b, c) -> torch.Tensor:
    """Mean over the batch of ``||SPN(a, b) - c||²``, per restart (K,)."""
    return (forward(U, V, W, a, b)[0] - c).pow(2).sum(-1).mean(-1)


def sample_grads(U, V, W, a, b, c):
    """Loss (K,) and its gradients (dU, dV, dW) on one batch (the backward pass written out)."""
    pred, X, Y = forward(U, V, W, a, b)
    e = pred - c
    loss = e.pow(2).sum(-1).mean(-1)
    g = e * (2.0 / a.shape[0])          # d loss / d pred
    H = X * Y
    dW = g.transpose(1, 2) @ H          # (K, pn, r)
    dH = g @ W                          # (K, B, r)
    dU = a.T @ (dH * Y)                 # (nm, B) @ (K, B, r)
    dV = b.T @ (dH * X)
    return loss, (dU, dV, dW)


def conservative_step(F, free, a, b, c, damping: float = 1e-8, relax: float = 1.0):
    """Elser's conservative rule on a batch: the least change of the free weights that fits it.

    Linearise the SPN around the current weights and move the free entries by the
    minimum-norm ``δ`` with ``J δ = -(pred - c)`` on every (sample, output) of the batch
    (``relax`` < 1 moves part of the way). One (B·pn)² system per restart.

    Args:
        F: [U, V, W] (updated in place); free: matching bool masks (False: entry is fixed).
        a, b, c: a batch of products (B rows each).
    Returns the batch loss before the step, (K,).
    """
    U, V, W = F
    fU, fV, fW = (f.to(U.dtype) for f in free)
    pred, X, Y = forward(U, V, W, a, b)
    e = pred - c                                     # (K, B, pn)
    K, B, pc = e.shape
    H = X * Y
    PA = torch.einsum("xi,yi,kit->kxyt", a, a, fU)   # sum over free U entries of a_x a_y
    PB = torch.einsum("xj,yj,kjt->kxyt", b, b, fV)
    core = Y[:, :, None] * Y[:, None] * PA + X[:, :, None] * X[:, None] * PB   # (K, B, B, r)
    M = torch.einsum("kct,kdt,kxyt->kxcyd", W, W, core)
    diag = torch.einsum("kxt,kyt,kct->kxyc", H, H, fW)
    idx = torch.arange(pc, device=U.device)
    M[:, :, idx, :, idx] += diag.permute(3, 0, 1, 2)
    M = M.reshape(K, B * pc, B * pc)
    M.diagonal(dim1=1, dim2=2).add_(damping * (1.0 + M.diagonal(dim1=1, dim2=2).mean(-1, keepdim=True)))
    lam = torch.linalg.solve(M, e.reshape(K, B * pc, 1)).reshape(K, B, pc)
    LW = lam @ W                                     # (K, B, r)
    F[0] = U - relax * fU * (a.T @ (LW * Y))
    F[1] = V - relax * fV * (b.T @ (LW * X))
    F[2] = W - relax * fW * (lam.transpose(1, 2) @ H)
    return e.pow(2).sum(-1).mean(-1)
