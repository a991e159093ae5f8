"""Losses of batched factorisations and the batched exact check of rounded candidates.

Factor layout used by every strategy: ``U`` (K, n*m, r), ``V`` (K, m*p, r), ``W`` (K, p*n, r),
one slice per restart; column t of U, V, W is row t of a Scheme's u, v, w (convention of
:mod:`discovery.core.tensor`, w indexes C transposed).
"""

from __future__ import annotations

import numpy as np
import torch

from discovery.core.tensor import matmul_tensor


def target_tensor(n: int, m: int, p: int, dtype=torch.float64, device="cpu") -> torch.Tensor:
    """The <n,m,p> tensor T as a torch tensor, shape (n*m, m*p, p*n)."""
    return torch.as_tensor(matmul_tensor(n, m, p), dtype=dtype, device=device)


def reconstruct(U: torch.Tensor, V: torch.Tensor, W: torch.Tensor) -> torch.Tensor:
    """``sum_t u_t ⊗ v_t ⊗ w_t`` per restart: (K, nm, r) x3 -> (K, nm, mp, pn)."""
    return torch.einsum("kar,kbr,kcr->kabc", U, V, W)


def tensor_loss(U: torch.Tensor, V: torch.Tensor, W: torch.Tensor, T: torch.Tensor) -> torch.Tensor:
    """Exact loss ``||sum_t u_t⊗v_t⊗w_t - T||²`` per restart, shape (K,)."""
    return (reconstruct(U, V, W) - T).pow(2).sum(dim=(1, 2, 3))


def data_loss(U: torch.Tensor, V: torch.Tensor, W: torch.Tensor, a: torch.Tensor, b: torch.Tensor,
              c: torch.Tensor) -> torch.Tensor:
    """Loss on a batch of products: mean over the batch of ``||SPN(a, b) - c||²``, per restart.

    Args:
        a: (B, n*m) rows vec(A); b: (B, m*p) rows vec(B); c: (B, p*n) rows vec((AB)^T).
    Returns (K,). For a, b with i.i.d. N(0, 1) entries its expectation equals
    :func:`tensor_loss` exactly (E[a_i a_j] = δ_ij), which tests/test_solver.py checks.
    """
    hidden = torch.einsum("xa,kar->kxr", a, U) * torch.einsum("xb,kbr->kxr", b, V)
    pred = torch.einsum("kxr,kcr->kxc", hidden, W)
    return (pred - c).pow(2).sum(-1).mean(-1)


def random_products(n: int, m: int, p: int, batch: int, generator: torch.Generator | None = None,
                    dtype=torch.float64, device="cpu"):
    """A batch of Gaussian products: ``(a (B, nm), b (B, mp), c (B, pn))`` with c = vec((AB)^T)."""
    A = torch.randn(batch, n, m, generator=generator, dtype=dtype).to(device)
    B = torch.randn(batch, m, p, generator=generator, dtype=dtype).to(device)
    C = A @ B
    return A.reshape(batch, -1), B.reshape(batch, -1), C.transpose(1, 2).reshape(batch, -1)


def rounded_errors(U: torch.Tensor, V: torch.Tensor, W: torch.Tensor, T: torch.Tensor,
                   ternary: bool = True) -> torch.Tensor:
    """Number of Brent equations that fail after rounding each restart to integers, (K,).

    Rounds to the nearest integer (clamped to {-1, 0, 1} when ``ternary``). The count is exact:
    the einsum runs in float64 on small integers. A zero means "candidate": it still goes
    through :func:`discovery.core.verify.verify` before it counts.
    """
    Ur, Vr, Wr = (_round(x, ternary).to(torch.float64) for x in (U, V, W))
    E = reconstruct(Ur, Vr, Wr) - T.to(torch.float64)
    return (E != 0).sum(dim=(1, 2, 3))


def _round(x: torch.Tensor, ternary: bool) -> torch.Tensor:
    return x.clamp(-1, 1).round() if ternary else x.round()


def candidate_rows(U: torch.Tensor, V: torch.Tensor, W: torch.Tensor, k: int, ternary: bool = True):
    """Rounded integer rows (u (r, nm), v (r, mp), w (r, pn)) of restart k, numpy int64."""
    return tuple(np.asarray(_round(x[k], ternary).T.cpu().numpy(), dtype=np.int64) for x in (U, V, W))
