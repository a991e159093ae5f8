"""strassenify: replace the Linear / Conv2d / LSTM layers of a model by Strassen layers."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from discovery.errors import DiscoveryError
from discovery.nn._conv import StrassenConv2d
from discovery.nn._linear import StrassenLinear
from discovery.nn._lstm import StrassenLSTM
from discovery.spn.quant import QuantMode, Ternarizer


@dataclass(frozen=True)
class StrassenSpec:
    """How to strassenify one layer.

    Attributes:
        r: absolute hidden width, or ``r_ratio``: fraction of the output width (c_out for
            conv, out_features for linear, hidden_size for each LSTM product). Exactly one.
        p: output patch size (conv only).
        groups: groups of the W_b convolution (conv only).
        init: "svd" (truncated-SVD fit to the dense weight; exact when r >= rank) or
            "random".
        lstm_layout: "shared" (one SPN per LSTM product for all gates) or "per_gate" (one
            SPN of width r per gate, as in the paper's code); LSTM only.
        mode: the new layer's mode (layers are built in FULL and switched after the fit).
        ternarizer: how the new layer's W_b, W_c become ternary.
    """

    r: int | None = None
    r_ratio: float | None = None
    p: int = 1
    groups: int = 1
    init: str = "svd"
    lstm_layout: str = "shared"
    mode: QuantMode = QuantMode.FULL
    ternarizer: Ternarizer = Ternarizer()


SpecFn = Callable[[str, nn.Module], StrassenSpec | None]


def _convert(name: str, mod: nn.Module, spec: StrassenSpec, gen: torch.Generator) -> nn.Module:
    if spec.init not in ("svd", "random"):
        raise DiscoveryError(f"{name}: init must be 'svd' or 'random', got {spec.init!r}")
    q = dict(mode=QuantMode.FULL, ternarizer=spec.ternarizer, name=name)
    svd = spec.init == "svd"
    if isinstance(mod, nn.Linear):
        new = StrassenLinear(mod.in_features, mod.out_features, spec.r, r_ratio=spec.r_ratio,
                             bias=mod.bias is not None, **q)
        if svd:
            new.init_from_dense(mod.weight, mod.bias, gen)
    elif isinstance(mod, nn.Conv2d):
        if mod.dilation != (1, 1) or mod.padding_mode != "zeros" or isinstance(mod.padding, str):
            raise DiscoveryError(f"{name}: only zero-padded, undilated convolutions with "
                                 "numeric padding can be strassenified; exclude this layer")
        new = StrassenConv2d(mod.in_channels, mod.out_channels, mod.kernel_size, mod.stride,
                             mod.padding, spec.r, r_ratio=spec.r_ratio, p=spec.p,
                             groups=spec.groups, bias=mod.bias is not None, **q)
        if svd:
            new.init_from_dense(mod.weight, mod.bias, mod.groups, gen)
    elif isinstance(mod, nn.LSTM):
        if mod.bidirectional or mod.proj_size:
            raise DiscoveryError(f"{name}: bidirectional or projected LSTMs are not supported")
        new = StrassenLSTM(mod.input_size, mod.hidden_size, spec.r, spec.r,
                           r_ih_ratio=spec.r_ratio, r_hh_ratio=spec.r_ratio,
                           num_layers=mod.num_layers, layout=spec.lstm_layout, bias=mod.bias,
                           batch_first=mod.batch_first, **q)
        if svd:
            new.init_from_dense(mod, gen)
    else:
        raise DiscoveryError(f"{name}: {type(mod).__name__} cannot be strassenified")
    new.to(next(mod.parameters()).device)
    new.set_mode(spec.mode)
    return new


def strassenify(model: nn.Module, spec: StrassenSpec | SpecFn, inplace: bool = False,
                seed: int = 0) -> nn.Module:
    """Return ``model`` with its nn.Linear / nn.Conv2d / nn.LSTM layers replaced.

    Args:
        model: any torch model.
        spec: one :class:`StrassenSpec` for every convertible layer, or a function
            ``(qualified_name, module) -> StrassenSpec | None`` (None keeps the layer dense).
        inplace: modify ``model`` instead of a deep copy.
        seed: seeds the random padding components of the SVD fit.
    Raises:
        DiscoveryError: no layer was converted, or a layer's spec is invalid (names it).
    """
    out = model if inplace else copy.deepcopy(model)
    gen = torch.Generator().manual_seed(seed)
    targets = [(n, m) for n, m in out.named_modules()
               if isinstance(m, (nn.Linear, nn.Conv2d, nn.LSTM)) and n]
    if isinstance(out, (nn.Linear, nn.Conv2d, nn.LSTM)):
        raise DiscoveryError("strassenify: pass a model containing layers; to convert a single "
                             "layer, build a StrassenLinear/StrassenConv2d/StrassenLSTM directly")
    converted = 0
    for name, mod in targets:
        s = spec(name, mod) if callable(spec) else spec
        if s is None:
            continue
        parent_name, _, child = name.rpartition(".")
        parent = out.get_submodule(parent_name) if parent_name else out
        setattr(parent, child, _convert(name, mod, s, gen))
        converted += 1
    if converted == 0:
        raise DiscoveryError(
            "strassenify: no convertible layer (nn.Linear, nn.Conv2d, nn.LSTM) was selected "
            "in the model; check the spec function or the model"
        )
    return out
