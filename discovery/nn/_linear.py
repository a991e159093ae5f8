"""StrassenLinear: ``y = W_c[(W_b x) ⊙ ã] + bias``, a drop-in for ``nn.Linear``."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from discovery.errors import DiscoveryError
from discovery.nn._spn import SPNFactors, resolve_width, svd_factors
from discovery.spn.quant import QuantMode, Ternarizer


class StrassenLinear(nn.Module):
    """Linear layer whose matrix product is an SPN with r hidden multiplications.

    Args:
        in_features, out_features: as ``nn.Linear``.
        r: hidden width (absolute) or ``r_ratio``: r = round(r_ratio * out_features).
        bias: add a learned bias (out_features,).
        mode, ternarizer: quantization (see :class:`SPNFactors`).
    Shapes: input (..., in_features) -> output (..., out_features).
    Parameters: ``spn.w_b`` (r, in), ``spn.a_tilde`` (r,), ``spn.w_c`` (out, r).
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        r: int | None = None,
        *,
        r_ratio: float | None = None,
        bias: bool = True,
        mode: QuantMode = QuantMode.FULL,
        ternarizer: Ternarizer = Ternarizer(),
        name: str = "StrassenLinear",
    ):
        super().__init__()
        if in_features <= 0 or out_features <= 0:
            raise DiscoveryError(f"{name}: in/out features must be positive")
        self.in_features = in_features
        self.out_features = out_features
        self.r = resolve_width(r, r_ratio, out_features, name)
        self.spn = SPNFactors((self.r, in_features), (out_features, self.r), mode, ternarizer)
        self.bias = nn.Parameter(torch.zeros(out_features)) if bias else None

    @property
    def mode(self) -> QuantMode:
        return self.spn.mode

    def set_mode(self, mode: QuantMode) -> None:
        self.spn.set_mode(mode)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w_b, w_c = self.spn.matrices()
        return F.linear(F.linear(x, w_b) * self.spn.a_tilde, w_c, self.bias)

    @torch.no_grad()
    def init_from_dense(self, weight: torch.Tensor, bias: torch.Tensor | None = None,
                        generator: torch.Generator | None = None) -> "StrassenLinear":
        """Least-squares (truncated SVD) fit to a dense (out, in) weight; exact if r >= rank.

        Only valid in FULL mode (ternary modes re-quantize the fit on the next forward).
        """
        if tuple(weight.shape) != (self.out_features, self.in_features):
            raise DiscoveryError(
                f"StrassenLinear.init_from_dense: weight shape {tuple(weight.shape)} != "
                f"{(self.out_features, self.in_features)}"
            )
        b, a, c = svd_factors(weight, self.r, generator)
        dt = self.spn.w_b.dtype
        self.spn.w_b.copy_(b.to(dt))
        self.spn.a_tilde.copy_(a.to(dt))
        self.spn.w_c.copy_(c.to(dt))
        if self.bias is not None and bias is not None:
            self.bias.copy_(bias)
        return self

    def extra_repr(self) -> str:
        return f"in={self.in_features}, out={self.out_features}, r={self.r}"
