"""The StrassenNets sum-product network for one matrix product, K restarts at once.

An SPN for the format <n, m, p> with r hidden products computes

    c = W_c [(W_b b) ⊙ (W_a a)],   a = vec(A) (nm,), b = vec(B) (mp,), c = vec((AB)ᵀ) (pn,)

(Tschannen, Khanna, Anandkumar, ICML 2018, eq. (2)). With W_a, W_b, W_c ternary it is an
algorithm with r multiplications: row t of W_a, W_b and column t of W_c are the rows
u[t], v[t], w[t] of a :class:`~discovery.scheme.Scheme` (same index convention, w indexes C
transposed). Ternarization uses the shared quantizer :mod:`discovery.quant` (TWN: threshold
0.7·mean|W| with the L2-optimal scale, one scale per matrix and restart; or a fixed
threshold) with straight-through gradients.

Modes (:class:`~discovery.quant.QuantMode`): FULL (phase 1, full precision), TERNARY
(phase 2, ternary forward pass, STE backward), FROZEN (phase 3, the ternary patterns are
fixed and only a per-product scale ``alpha`` (K, r) trains; the three TWN scales are
absorbed into it on entering FROZEN).
"""

from __future__ import annotations

import torch
from torch import nn

from discovery.errors import DiscoveryError
from discovery.quant import QuantMode, TernaryMethod, ste_ternarize, ternarize

_MODES = (QuantMode.FULL, QuantMode.TERNARY, QuantMode.FROZEN)


class MatMulSPN(nn.Module):
    """K independent SPNs for <n, m, p> with r products, held as one batched module.

    Parameters: ``w_a`` (K, r, nm), ``w_b`` (K, r, mp), ``w_c`` (K, pn, r), ``alpha`` (K, r).

    Args:
        n, m, p: the format; r: number of products; restarts: K.
        init: optional ``(U (K, nm, r), V (K, mp, r), W (K, pn, r))`` initial factors.
        method, factor, threshold: ternarization (see :mod:`discovery.quant`).
    """

    def __init__(self, n: int, m: int, p: int, r: int, restarts: int = 1, init=None,
                 method: TernaryMethod = TernaryMethod.TWN, factor: float = 0.7,
                 threshold: float = 0.05, dtype=torch.float64):
        super().__init__()
        self.n, self.m, self.p, self.r, self.restarts = n, m, p, r, restarts
        self.method, self.factor, self.threshold = TernaryMethod(method), float(factor), float(threshold)
        if init is None:
            init = tuple(torch.randn(restarts, s, r, dtype=dtype) * 0.5 for s in (n * m, m * p, p * n))
        U, V, W = init
        self.w_a = nn.Parameter(U.transpose(1, 2).clone())
        self.w_b = nn.Parameter(V.transpose(1, 2).clone())
        self.w_c = nn.Parameter(W.clone())
        self.alpha = nn.Parameter(torch.ones(restarts, r, dtype=U.dtype, device=U.device),
                                  requires_grad=False)
        self._mode = QuantMode.FULL

    @property
    def mode(self) -> QuantMode:
        return self._mode

    def set_mode(self, mode: QuantMode) -> None:
        """Switch phase; entering FROZEN ternarizes in place and moves the scales into alpha."""
        mode = QuantMode(mode)
        if mode not in _MODES:
            raise DiscoveryError(f"MatMulSPN supports modes full, ternary, frozen; got {mode.value}")
        if mode is QuantMode.FROZEN and self._mode is not QuantMode.FROZEN:
            with torch.no_grad():
                scale = torch.ones_like(self.alpha)
                for w in (self.w_a, self.w_b, self.w_c):
                    t, s = self._ternarize(w)
                    w.copy_(t)
                    scale = scale * s.reshape(-1, 1)
                self.alpha.copy_(scale)
        frozen = mode is QuantMode.FROZEN
        for w in (self.w_a, self.w_b, self.w_c):
            w.requires_grad_(not frozen)
        self.alpha.requires_grad_(frozen)
        self._mode = mode

    def _ternarize(self, w: torch.Tensor):
        return ternarize(w, self.method, self.factor, self.threshold, dim=(1, 2))

    def matrices(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(W_a (K, r, nm), W_b (K, r, mp), W_c (K, pn, r)) as the forward pass uses them."""
        if self._mode is QuantMode.TERNARY:
            return tuple(ste_ternarize(w, self.method, self.factor, self.threshold, dim=(1, 2))
                         for w in (self.w_a, self.w_b, self.w_c))
        return self.w_a, self.w_b, self.w_c

    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """a (B, nm), b (B, mp) -> c (K, B, pn), c = vec((AB)ᵀ) for an exact SPN."""
        wa, wb, wc = self.matrices()
        hidden = torch.einsum("kra,xa->kxr", wa, a) * torch.einsum("krb,xb->kxr", wb, b)
        if self._mode is QuantMode.FROZEN:
            hidden = hidden * self.alpha[:, None, :]
        return torch.einsum("kxr,kcr->kxc", hidden, wc)

    def factors(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Current effective factors in the solver layout U (K, nm, r), V (K, mp, r), W (K, pn, r).

        In FROZEN mode alpha is folded into W; in TERNARY mode the scaled ternary matrices.
        """
        with torch.no_grad():
            wa, wb, wc = self.matrices()
            if self._mode is QuantMode.FROZEN:
                wc = wc * self.alpha[:, None, :]
            return wa.transpose(1, 2).clone(), wb.transpose(1, 2).clone(), wc.clone()

    def extra_repr(self) -> str:
        return (f"<{self.n},{self.m},{self.p}> r={self.r}, restarts={self.restarts}, "
                f"mode={self._mode.value}, method={self.method.value}")
