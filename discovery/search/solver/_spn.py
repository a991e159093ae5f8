"""The StrassenNets sum-product network for one matrix product, K restarts at once.

An SPN for the format <n, m, p> with r hidden products computes

    c = W_c [(W_b b) ⊙ (W_a a)],   a = vec(A) (nm,), b = vec(B) (mp,), c = vec((AB)ᵀ) (pn,)

(Tschannen, Khanna, Anandkumar, ICML 2018, eq. (2)). With W_a, W_b, W_c ternary it is an
algorithm with r multiplications: row t of W_a, W_b and column t of W_c are the rows
u[t], v[t], w[t] of a :class:`~discovery.core.scheme.Scheme` (same index convention, w indexes C
transposed). Quantization and freezing are the shared :class:`~discovery.spn.block.SPNBlock`'s
(TWN: threshold 0.7·mean|W| with the L2-optimal scale, one scale per matrix and restart; or a
fixed threshold; straight-through gradients).

Modes (:class:`~discovery.spn.quant.QuantMode`): FULL (phase 1, full precision), TERNARY
(phase 2, ternary forward pass, STE backward), FROZEN (phase 3, the ternary patterns are
fixed and only a per-product scale ``alpha`` (K, r) trains; the three scales are absorbed
into it on entering FROZEN).
"""

from __future__ import annotations

import torch
from torch import nn

from discovery.spn.block import SPNBlock
from discovery.spn.quant import QuantMode, Ternarizer


class MatMulSPN(SPNBlock):
    """K independent SPNs for <n, m, p> with r products, held as one batched module.

    Parameters: ``w_a`` (K, r, nm), ``w_b`` (K, r, mp), ``w_c`` (K, pn, r), ``alpha`` (K, r).

    Args:
        n, m, p: the format; r: number of products; restarts: K.
        init: optional ``(U (K, nm, r), V (K, mp, r), W (K, pn, r))`` initial factors.
        ternarizer: how weights become ternary (:class:`~discovery.spn.quant.Ternarizer`).
    """

    WEIGHTS = ("w_a", "w_b", "w_c")
    MULTIPLIER = "alpha"
    MODES = (QuantMode.FULL, QuantMode.TERNARY, QuantMode.FROZEN)

    def __init__(self, n: int, m: int, p: int, r: int, restarts: int = 1, init=None,
                 ternarizer: Ternarizer = Ternarizer(), dtype=torch.float64):
        super().__init__(ternarizer, stat_dims=(1, 2))
        self.n, self.m, self.p, self.r, self.restarts = n, m, p, r, restarts
        if init is None:
            init = tuple(torch.randn(restarts, s, r, dtype=dtype) * 0.5 for s in (n * m, m * p, p * n))
        U, V, W = init
        self.w_a = nn.Parameter(U.transpose(1, 2).clone())
        self.w_b = nn.Parameter(V.transpose(1, 2).clone())
        self.w_c = nn.Parameter(W.clone())
        self.alpha = nn.Parameter(torch.ones(restarts, r, dtype=U.dtype, device=U.device))
        self.set_mode(QuantMode.FULL)

    def quantized(self, mode: QuantMode) -> tuple[bool, ...]:
        return (mode is not QuantMode.FULL,) * 3

    def multiplier_trains(self, mode: QuantMode) -> bool:
        return mode is QuantMode.FROZEN  # alpha only scales the frozen products

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
                f"mode={self._mode.value}, ternarizer={self.ternarizer}")
