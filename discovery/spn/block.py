"""The SPN building block shared by the solver and the layers: ternary weights whose scales fold
into a per-product multiplier when frozen.

A sum-product network (SPN) computes ``c = W_c[(W_b b) ⊙ m]`` with r hidden multiplications,
where ``m`` is a per-product multiplier: ``W_a a`` times ``alpha`` in the solver's
:class:`~discovery.search.solver._spn.MatMulSPN` (K restarts of one matrix product), ã in the
layers' :class:`~discovery.nn._spn.SPNFactors`. Both quantize the same way, and this module
holds that logic once:

* the mode (:class:`~discovery.spn.quant.QuantMode`) says which weights are ternary in the forward
  pass; those go through the shared :class:`~discovery.spn.quant.Ternarizer` with straight-through
  gradients (:meth:`SPNBlock.matrices`);
* entering FROZEN ternarizes every weight in place and multiplies the product of their scales
  into the multiplier, so the frozen SPN computes what the ternary one did, and the weights
  stop training (:meth:`SPNBlock.set_mode`).

Scales are taken over ``stat_dims`` of each weight: None for one scale per matrix (layers),
``(1, 2)`` for one per restart of a (K, ., .) stack (solver); see :mod:`discovery.spn.quant`.
"""

from __future__ import annotations

import torch
from torch import nn

from discovery.errors import DiscoveryError
from discovery.spn.quant import Dims, QuantMode, Ternarizer, ste_ternarize, ternarize


class SPNBlock(nn.Module):
    """Base of every SPN: ternary weights ``WEIGHTS`` and a multiplier ``MULTIPLIER``.

    A subclass names its weight parameters (``WEIGHTS``, e.g. ("w_b", "w_c")) and its
    multiplier (``MULTIPLIER``, e.g. "a_tilde"), lists the modes it supports (``MODES``),
    calls ``super().__init__(ternarizer, stat_dims)`` first, creates those parameters and
    then calls :meth:`set_mode` with its initial mode. :meth:`quantized` and
    :meth:`multiplier_trains` say per mode which weights are ternary and whether the
    multiplier trains.
    """

    WEIGHTS: tuple[str, ...] = ()
    MULTIPLIER: str = ""
    MODES: tuple[QuantMode, ...] = tuple(QuantMode)

    def __init__(self, ternarizer: Ternarizer = Ternarizer(), stat_dims: Dims = None):
        super().__init__()
        if not isinstance(ternarizer, Ternarizer):
            raise DiscoveryError(f"ternarizer must be a discovery.spn.quant.Ternarizer, got "
                                 f"{type(ternarizer).__name__}")
        self.ternarizer = ternarizer
        self.stat_dims = stat_dims
        self._mode = QuantMode.FULL

    # ---- per-subclass rules ------------------------------------------------------------
    def quantized(self, mode: QuantMode) -> tuple[bool, ...]:
        """Which of ``WEIGHTS`` are ternary in ``mode`` (default: (W_b, W_c) by the mode)."""
        return (mode.quantize_b, mode.quantize_c)

    def multiplier_trains(self, mode: QuantMode) -> bool:
        """Whether the multiplier receives gradients in ``mode`` (default: always)."""
        return True

    # ---- the shared logic ------------------------------------------------------------------
    def weights(self) -> tuple[nn.Parameter, ...]:
        return tuple(getattr(self, name) for name in self.WEIGHTS)

    @property
    def multiplier(self) -> nn.Parameter:
        return getattr(self, self.MULTIPLIER)

    @property
    def mode(self) -> QuantMode:
        return self._mode

    @mode.setter
    def mode(self, mode: QuantMode) -> None:
        self.set_mode(mode)

    def set_mode(self, mode: QuantMode) -> None:
        """Switch mode. Entering FROZEN ternarizes the weights in place and multiplies their
        scales into the multiplier, so the frozen SPN computes what the ternary one did."""
        mode = QuantMode(mode)
        if mode not in self.MODES:
            raise DiscoveryError(f"{type(self).__name__} supports modes "
                                 f"{', '.join(m.value for m in self.MODES)}; got {mode.value}")
        if mode is QuantMode.FROZEN and self._mode is not QuantMode.FROZEN:
            with torch.no_grad():
                mult = self.multiplier
                scale = torch.ones_like(mult)
                for w in self.weights():
                    t, s = ternarize(w, self.ternarizer, dim=self.stat_dims)
                    w.copy_(t)
                    # one scale per matrix, or one per restart (leading dimension)
                    s = s.reshape(()) if self.stat_dims is None else s.reshape(-1, *[1] * (mult.dim() - 1))
                    scale = scale * s
                mult.mul_(scale)
        self._set_flags(mode)

    def _set_flags(self, mode: QuantMode) -> None:
        for w in self.weights():
            w.requires_grad_(mode.trains_bc)
        self.multiplier.requires_grad_(self.multiplier_trains(mode))
        self._mode = mode

    def matrices(self) -> tuple[torch.Tensor, ...]:
        """The weights as the forward pass uses them: STE-ternarized where the mode quantizes
        (frozen weights are exact ternary already: nothing to recompute)."""
        if self._mode is QuantMode.FROZEN:
            return self.weights()
        return tuple(ste_ternarize(w, self.ternarizer, dim=self.stat_dims) if q else w
                     for w, q in zip(self.weights(), self.quantized(self._mode)))

    def get_extra_state(self):
        return {"mode": self._mode.value}

    def set_extra_state(self, state) -> None:
        # weights in the state dict are already in the saved mode's form: set the flags only
        self._set_flags(QuantMode(state["mode"]))
