"""The SPN factors shared by every Strassenified layer: W_b, ã, W_c and the training mode.

An SPN computes ``c = W_c[(W_b b) ⊙ ã]`` with r hidden multiplications, where
``ã = W_a vec(A)`` is learned directly (StrassenNets, Tschannen et al. 2018). Layers own one
:class:`SPNFactors` per matrix product and decide how W_b and W_c are applied (matrix,
convolution, transposed convolution); quantization and freezing are the building block the
solver shares (:class:`discovery.spn.block.SPNBlock`).
"""

from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from discovery.errors import DiscoveryError
from discovery.spn.block import SPNBlock
from discovery.spn.quant import QuantMode, Ternarizer


def resolve_width(r: int | None, r_ratio: float | None, n_out: int, layer: str) -> int:
    """Hidden width r from an absolute value or a ratio of the output width ``n_out``.

    Exactly one of ``r`` / ``r_ratio`` must be given; ratios round to the nearest integer
    (at least 1).
    """
    if (r is None) == (r_ratio is None):
        raise DiscoveryError(
            f"{layer}: give exactly one of r (absolute hidden width) or r_ratio "
            f"(fraction of the output width {n_out}); got r={r}, r_ratio={r_ratio}"
        )
    if r_ratio is not None:
        if not (isinstance(r_ratio, (int, float)) and r_ratio > 0 and math.isfinite(r_ratio)):
            raise DiscoveryError(f"{layer}: r_ratio must be a positive number, got {r_ratio}")
        return max(1, int(round(r_ratio * n_out)))
    if isinstance(r, bool) or not isinstance(r, int) or r <= 0:
        raise DiscoveryError(f"{layer}: r must be a positive integer, got {r!r}; use r >= 1")
    return r


class SPNFactors(SPNBlock):
    """Parameters ``w_b`` (shape ``b_shape``, first dim r), ``a_tilde`` (r,), ``w_c``.

    Quantization and freezing are the shared :class:`~discovery.spn.block.SPNBlock`'s: TERNARY
    modes ternarize W_b and/or W_c in the forward pass (one scale per matrix, STE); FROZEN
    makes them exact ternary and folds their scales into ã, which always trains.

    Args:
        b_shape: shape of W_b, leading dimension r (e.g. (r, n_in) or (r, C_in/g, K, K)).
        c_shape: shape of W_c (e.g. (n_out, r) or (r, c_out, p, p)).
        mode: :class:`QuantMode`; FROZEN makes W_b, W_c exact ternary with scales in ã.
        ternarizer: how W_b, W_c become ternary (:class:`~discovery.spn.quant.Ternarizer`).
    """

    WEIGHTS = ("w_b", "w_c")
    MULTIPLIER = "a_tilde"

    def __init__(
        self,
        b_shape: Sequence[int],
        c_shape: Sequence[int],
        mode: QuantMode = QuantMode.FULL,
        ternarizer: Ternarizer = Ternarizer(),
    ):
        super().__init__(ternarizer)
        r = int(b_shape[0])
        self.r = r
        self.w_b = nn.Parameter(torch.empty(*b_shape))
        self.w_c = nn.Parameter(torch.empty(*c_shape))
        self.a_tilde = nn.Parameter(torch.ones(r))
        self.reset_parameters()
        self.set_mode(QuantMode(mode))

    def reset_parameters(self) -> None:
        """Random init: W_b, W_c uniform with fan-in scaling, ã = 1."""
        # every output of W_b sums w_b[0].numel() inputs; every output of W_c sums r hidden
        bound_b = 1 / math.sqrt(self.w_b[0].numel())
        bound_c = 1 / math.sqrt(self.r)
        with torch.no_grad():
            self.w_b.uniform_(-bound_b, bound_b)
            self.w_c.uniform_(-bound_c, bound_c)
            self.a_tilde.fill_(1.0)

    def extra_repr(self) -> str:
        return f"r={self.r}, mode={self._mode.value}, ternarizer={self.ternarizer}"


def svd_factors(m: torch.Tensor, r: int, generator: torch.Generator | None = None):
    """Best rank-min(r, rank) fit ``m ≈ C diag(a) B`` with exact zero padding beyond rank.

    Args:
        m: (n_out, n_in) dense matrix.
        r: hidden width.
    Returns:
        ``(B (r, n_in), a (r,), C (n_out, r))``. For r >= rank(m) the product is exact
        (up to float error). Components beyond min(n_out, n_in) get random B rows, ã = 1 and
        zero C columns, so they add nothing yet still receive gradients.
    """
    m = m.detach().cpu().to(torch.float64)  # fit on CPU in float64, callers copy_ to device
    n_out, n_in = m.shape
    u, s, vh = torch.linalg.svd(m, full_matrices=False)
    k = min(r, s.numel())
    b = torch.zeros(r, n_in, dtype=torch.float64)
    c = torch.zeros(n_out, r, dtype=torch.float64)
    a = torch.ones(r, dtype=torch.float64)
    b[:k] = vh[:k]
    c[:, :k] = u[:, :k]
    a[:k] = s[:k]
    if r > k:
        b[k:] = torch.randn(r - k, n_in, generator=generator, dtype=torch.float64) / math.sqrt(n_in)
    return b, a, c
