"""StrassenConv2d: a 2-D convolution computed by an SPN over output patches of size p×p.

As in StrassenNets (Sec. 3): W_b is a convolution with r output channels, kernel
(p−1)s+k, stride p·s (optionally grouped); its outputs are multiplied channel-wise by ã;
W_c is a transposed convolution with r input channels, kernel p and stride p, that writes
one p×p patch of the c_out output channels per hidden location. For p = 1 this is a k×k
convolution to r channels, a scaling, and a 1×1 convolution.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules.utils import _pair

from discovery.errors import DiscoveryError
from discovery.nn._spn import SPNFactors, resolve_width, svd_factors
from discovery.spn.quant import QuantMode, Ternarizer


class StrassenConv2d(nn.Module):
    """Drop-in for ``nn.Conv2d`` (zero padding, dilation 1) with an SPN of width r.

    Args:
        in_channels, out_channels, kernel_size, stride, padding: as ``nn.Conv2d``.
        r / r_ratio: hidden channels, absolute or as a fraction of out_channels.
        p: output patch size (p×p outputs per hidden location); output H, W must be
            divisible by p.
        groups: groups of the W_b convolution (must divide in_channels and r).
        bias, mode, ternarizer: as :class:`StrassenLinear`.
    Shapes: (N, C_in, H, W) -> (N, C_out, H_out, W_out) with the dense conv's H_out, W_out.
    Parameters: ``spn.w_b`` (r, C_in/groups, K, K) with K = (p−1)s+k,
    ``spn.a_tilde`` (r,), ``spn.w_c`` (r, C_out, p, p).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        r: int | None = None,
        *,
        r_ratio: float | None = None,
        p: int = 1,
        groups: int = 1,
        bias: bool = True,
        mode: QuantMode = QuantMode.FULL,
        ternarizer: Ternarizer = Ternarizer(),
        name: str = "StrassenConv2d",
    ):
        super().__init__()
        self.name = name
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.stride, self.padding = _pair(kernel_size), _pair(stride), _pair(padding)
        if not isinstance(p, int) or p < 1:
            raise DiscoveryError(f"{name}: patch size p must be a positive integer, got {p!r}")
        self.p = p
        self.r = resolve_width(r, r_ratio, out_channels, name)
        if not isinstance(groups, int) or groups < 1 or in_channels % groups or self.r % groups:
            raise DiscoveryError(
                f"{name}: groups={groups} must divide in_channels={in_channels} and "
                f"r={self.r}; pick groups dividing both (or change r)"
            )
        self.groups = groups
        self.big_kernel = tuple((p - 1) * s + k for k, s in zip(self.kernel_size, self.stride))
        self.big_stride = tuple(p * s for s in self.stride)
        self.spn = SPNFactors(
            (self.r, in_channels // groups, *self.big_kernel),
            (self.r, out_channels, p, p), mode, ternarizer,
        )
        self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None

    @property
    def mode(self) -> QuantMode:
        return self.spn.mode

    def set_mode(self, mode: QuantMode) -> None:
        self.spn.set_mode(mode)

    def dense_output_size(self, h: int, w: int) -> tuple[int, int]:
        """Output spatial size of the dense convolution this layer replaces."""
        return tuple(
            (n + 2 * pad - k) // s + 1
            for n, pad, k, s in zip((h, w), self.padding, self.kernel_size, self.stride)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h_out, w_out = self.dense_output_size(x.shape[-2], x.shape[-1])
        if h_out % self.p or w_out % self.p:
            raise DiscoveryError(
                f"{self.name}: output size {h_out}x{w_out} is not divisible by p={self.p}; "
                "use p=1, a p dividing the output size, or pad the input"
            )
        w_b, w_c = self.spn.matrices()
        h = F.conv2d(x, w_b, None, self.big_stride, self.padding, 1, self.groups)
        h = h * self.spn.a_tilde.view(-1, 1, 1)
        return F.conv_transpose2d(h, w_c, self.bias, stride=self.p)

    @torch.no_grad()
    def init_from_dense(self, weight: torch.Tensor, bias: torch.Tensor | None = None,
                        dense_groups: int = 1,
                        generator: torch.Generator | None = None) -> "StrassenConv2d":
        """Truncated-SVD fit of the patch operator of a dense conv weight (C_out, C_in/dg, k, k).

        The dense conv maps a K×K input window to a p×p output patch by a matrix
        M (C_out·p·p, C_in·K·K) built from shifted copies of the kernel; each W_b group fits
        its block of columns with r/groups components. Exact when every block's rank is at
        most r/groups.
        """
        kh, kw = self.kernel_size
        if tuple(weight.shape) != (self.out_channels, self.in_channels // dense_groups, kh, kw):
            raise DiscoveryError(f"{self.name}.init_from_dense: weight shape {tuple(weight.shape)} "
                                 "does not match the layer")
        w = weight.detach().cpu().to(torch.float64)
        if dense_groups > 1:  # expand to a block-diagonal groups=1 kernel
            full = torch.zeros(self.out_channels, self.in_channels, kh, kw, dtype=torch.float64)
            co, ci = self.out_channels // dense_groups, self.in_channels // dense_groups
            for g in range(dense_groups):
                full[g * co:(g + 1) * co, g * ci:(g + 1) * ci] = w[g * co:(g + 1) * co]
            w = full
        p, (sh, sw), (bh, bw) = self.p, self.stride, self.big_kernel
        m = torch.zeros(self.out_channels, p, p, self.in_channels, bh, bw, dtype=torch.float64)
        for i in range(p):
            for j in range(p):
                m[:, i, j, :, i * sh:i * sh + kh, j * sw:j * sw + kw] = w
        m = m.reshape(self.out_channels * p * p, self.in_channels, bh * bw)
        rg, cg = self.r // self.groups, self.in_channels // self.groups
        dt = self.spn.w_b.dtype
        for g in range(self.groups):
            block = m[:, g * cg:(g + 1) * cg].reshape(m.shape[0], -1)
            b, a, c = svd_factors(block, rg, generator)
            sl = slice(g * rg, (g + 1) * rg)
            self.spn.w_b[sl] = b.reshape(rg, cg, bh, bw).to(dt)
            self.spn.a_tilde[sl] = a.to(dt)
            self.spn.w_c[sl] = c.T.reshape(rg, self.out_channels, p, p).to(dt)
        if self.bias is not None and bias is not None:
            self.bias.copy_(bias)
        return self

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, kernel={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, r={self.r}, p={self.p}, "
                f"groups={self.groups}")
