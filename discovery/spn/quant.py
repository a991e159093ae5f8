"""Ternary quantizers shared by the SPN solver and the Strassenified layers.

One implementation of ternarization (values in {-1, 0, +1} times a scale), the
straight-through estimator (STE), and the typed training mode of a sum-product network
(SPN) ``c = W_c[(W_b b) * (W_a a)]``.

Conventions
-----------
* Torch tensors in, torch tensors out, on the input's device and dtype. Nothing here moves
  data between devices.
* ``dim`` is the set of dimensions that the statistics (threshold, scale) are computed over,
  as in ``torch.mean(x, dim)``; the remaining dimensions are *batch* dimensions, each with
  its own threshold and scale. ``dim=None`` reduces over all dimensions (one scale per
  tensor, as in TWN and in the StrassenNets paper). Scales are returned with
  ``keepdim=True`` so that ``t * scale`` broadcasts back to ``w``'s shape. Example: a
  solver holding R restarts stacked as ``w`` of shape (R, r, n) calls
  ``ternarize_twn(w, dim=(1, 2))`` and gets ``t`` of shape (R, r, n) and ``scale`` of
  shape (R, 1, 1).
* The scale for a given ternary pattern ``t`` is the L2-optimal one,
  ``scale = mean(|w| over the support of t)`` (Li & Liu, "Ternary weight networks", 2016);
  an all-zero pattern gets scale 0.

TWN ternarization: ``delta = factor * mean|w|`` (factor 0.7 in the paper),
``t = sign(w) * [|w| > delta]``. Fixed-threshold variant: ``t = sign(w) * [|w| > threshold]``.
Which one, with which constant, is one frozen config, :class:`Ternarizer`, that the solver and
every layer take (``ternarizer=Ternarizer(TernaryMethod.FIXED, threshold=0.1)``).
"""

from __future__ import annotations

import enum
import math
import numbers
from dataclasses import dataclass
from typing import Sequence

import torch

from discovery.errors import DiscoveryError

__all__ = [
    "QuantMode",
    "TernaryMethod",
    "Ternarizer",
    "ternarize_twn",
    "ternarize_threshold",
    "ternarize",
    "ternary_scale",
    "ste",
    "ste_ternarize",
]

Dims = int | Sequence[int] | None


class QuantMode(str, enum.Enum):
    """Training mode of an SPN (the three phases of StrassenNets, plus half-ternary modes).

    FULL       W_b and W_c full precision and trainable (phase 1).
    TERNARY    W_b and W_c ternarized in the forward pass, trained through the STE (phase 2).
    TERNARY_B  only W_b ternarized (STE), W_c full precision.
    TERNARY_C  only W_c ternarized (STE), W_b full precision.
    FROZEN     W_b and W_c fixed ternary matrices, not trained; only ã (and biases, norms)
               train (phase 3). Scales are absorbed into ã when a layer is frozen.
    """

    FULL = "full"
    TERNARY = "ternary"
    TERNARY_B = "ternary_b"
    TERNARY_C = "ternary_c"
    FROZEN = "frozen"

    @property
    def quantize_b(self) -> bool:
        """Whether W_b is ternary in the forward pass."""
        return self in (QuantMode.TERNARY, QuantMode.TERNARY_B, QuantMode.FROZEN)

    @property
    def quantize_c(self) -> bool:
        """Whether W_c is ternary in the forward pass."""
        return self in (QuantMode.TERNARY, QuantMode.TERNARY_C, QuantMode.FROZEN)

    @property
    def trains_bc(self) -> bool:
        """Whether W_b and W_c receive gradients."""
        return self is not QuantMode.FROZEN


class TernaryMethod(str, enum.Enum):
    """How the ternary support is chosen: TWN's relative threshold or a fixed threshold."""

    TWN = "twn"
    FIXED = "fixed"


@dataclass(frozen=True)
class Ternarizer:
    """How weights are made ternary: the one quantizer config of the solver and the layers.

    Attributes:
        method: :attr:`TernaryMethod.TWN` (threshold ``factor``·mean|w| over the statistics'
            dimensions) or :attr:`TernaryMethod.FIXED` (threshold ``threshold``).
        factor: TWN's threshold relative to mean|w| (0.7 in TWN / StrassenNets); >= 0.
        threshold: the fixed method's absolute threshold; >= 0.
    ``str(q)`` is ``"twn:0.7"`` / ``"fixed:0.05"`` and :meth:`parse` reads it back.
    """

    method: TernaryMethod = TernaryMethod.TWN
    factor: float = 0.7
    threshold: float = 0.05

    def __post_init__(self):
        try:
            object.__setattr__(self, "method", TernaryMethod(self.method))
        except ValueError:
            raise DiscoveryError(f"unknown ternarization method {self.method!r}; use "
                                 f"{' or '.join(m.value for m in TernaryMethod)}") from None
        for name in ("factor", "threshold"):
            x = getattr(self, name)
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x) or x < 0:
                raise DiscoveryError(f"Ternarizer {name} must be a finite number >= 0, got {x!r}")
            object.__setattr__(self, name, float(x))

    def __str__(self) -> str:
        value = self.factor if self.method is TernaryMethod.TWN else self.threshold
        return f"{self.method.value}:{value:g}"

    @classmethod
    def parse(cls, text: str) -> "Ternarizer":
        """From ``"twn"``, ``"twn:0.7"``, ``"fixed"`` or ``"fixed:0.05"`` (method, then the
        method's constant: TWN's factor or the fixed threshold)."""
        method, _, value = str(text).strip().lower().partition(":")
        q = cls(method)
        if not value:
            return q
        try:
            x = float(value)
        except ValueError:
            raise DiscoveryError(f"ternarizer {text!r}: {value!r} is not a number; write e.g. "
                                 "twn:0.7 or fixed:0.05") from None
        return cls(q.method, factor=x) if q.method is TernaryMethod.TWN else cls(q.method, threshold=x)


def _dims(w: torch.Tensor, dim: Dims) -> tuple[int, ...]:
    if dim is None:
        return tuple(range(w.dim()))
    if isinstance(dim, int):
        dim = (dim,)
    out = tuple(d % w.dim() for d in dim) if w.dim() else ()
    if len(set(out)) != len(out):
        raise DiscoveryError(f"dim {tuple(dim)} repeats a dimension; give each dimension once")
    return out


def ternary_scale(w: torch.Tensor, t: torch.Tensor, dim: Dims = None) -> torch.Tensor:
    """L2-optimal scale of the ternary pattern ``t`` (same shape as ``w``) for ``w``.

    Returns ``sum(|w| * |t|) / max(count(t != 0), 1)`` over ``dim`` with keepdim=True.
    """
    d = _dims(w, dim)
    mask = t.abs()
    num = (w.abs() * mask).sum(dim=d, keepdim=True) if d else w.abs() * mask
    cnt = mask.sum(dim=d, keepdim=True) if d else mask
    return num / cnt.clamp_min(1)


def ternarize_threshold(w: torch.Tensor, threshold: float | torch.Tensor) -> torch.Tensor:
    """Fixed-threshold ternarization: ``sign(w) * [|w| > threshold]``, same shape/dtype as w.

    ``threshold`` is a float or a tensor broadcastable to ``w`` (e.g. one per batch entry).
    The result holds exactly -1, 0, +1 and carries no gradient (use :func:`ste`).
    """
    w = w.detach()
    if isinstance(threshold, (int, float)) and threshold < 0:
        raise DiscoveryError(f"threshold must be >= 0, got {threshold}")
    return torch.sign(w) * (w.abs() > threshold).to(w.dtype)


def ternarize_twn(
    w: torch.Tensor, factor: float = 0.7, dim: Dims = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """TWN ternarization: threshold ``factor * mean|w|`` over ``dim``.

    Args:
        w: any shape, floating dtype.
        factor: threshold relative to mean |w| (0.7 in TWN / StrassenNets).
        dim: dimensions the statistics are taken over (None: all; see module docstring).
    Returns:
        ``(t, scale)``: ``t`` like ``w`` with values in {-1, 0, +1} and ``scale`` with
        ``keepdim=True`` shape, so that ``t * scale`` approximates ``w``. No gradient.
    """
    if factor < 0:
        raise DiscoveryError(f"factor must be >= 0, got {factor}")
    w = w.detach()
    d = _dims(w, dim)
    mean_abs = w.abs().mean(dim=d, keepdim=True) if d else w.abs()
    t = ternarize_threshold(w, factor * mean_abs)
    return t, ternary_scale(w, t, dim)


def ternarize(w: torch.Tensor, ternarizer: Ternarizer = Ternarizer(),
              dim: Dims = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Ternarize as ``ternarizer`` says; returns ``(t, scale)`` as :func:`ternarize_twn` does.

    For ``TernaryMethod.FIXED`` the pattern uses ``ternarizer.threshold`` and the scale is
    the L2-optimal one for that pattern.
    """
    if ternarizer.method is TernaryMethod.TWN:
        return ternarize_twn(w, factor=ternarizer.factor, dim=dim)
    t = ternarize_threshold(w, ternarizer.threshold)
    return t, ternary_scale(w.detach(), t, dim)


class _StraightThrough(torch.autograd.Function):
    @staticmethod
    def forward(ctx, w_float, w_quant):  # noqa: D401 - autograd signature
        return w_quant.clone()

    @staticmethod
    def backward(ctx, grad):
        return grad, None


def ste(w_float: torch.Tensor, w_quant: torch.Tensor) -> torch.Tensor:
    """Straight-through estimator: value of ``w_quant``, gradient passed unchanged to w_float.

    Shapes must match. ``w_quant`` receives no gradient.
    """
    if w_float.shape != w_quant.shape:
        raise DiscoveryError(
            f"ste: shapes differ {tuple(w_float.shape)} vs {tuple(w_quant.shape)}; "
            "quantize w_float itself"
        )
    return _StraightThrough.apply(w_float, w_quant.detach())


def ste_ternarize(w: torch.Tensor, ternarizer: Ternarizer = Ternarizer(), dim: Dims = None,
                  scaled: bool = True) -> torch.Tensor:
    """Ternarize ``w`` in the forward pass, straight-through gradient in the backward pass.

    Returns ``scale * t`` (or ``t`` alone if ``scaled=False``), shape of ``w``.
    """
    t, scale = ternarize(w, ternarizer, dim=dim)
    return ste(w, t * scale if scaled else t)
