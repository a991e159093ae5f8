"""Operation, parameter and size counts for one forward pass of one example.

What is counted (per example, i.e. the example input must have batch size 1):

* ``nn.Linear`` / ``nn.Conv2d`` (dense): one multiplication per weight use, (fan_in − 1)
  additions per output, plus one addition per output for the bias.
* ``nn.LSTM`` (dense), per time step and layer: 4H·(in + H) multiplications for the two
  products, 4H·(in − 1) + 4H·(H − 1) additions inside them, 4H to add them, 4H for one
  (merged) bias; the cell update ``c = f⊙c + i⊙g, h = o⊙tanh(c)``: 3H multiplications, H
  additions. Sigmoid/tanh evaluations are not counted (same in both networks).
* Strassen layers, per application of an SPN: r multiplications by ã; every entry of W_b or
  W_c that is not in {−1, 0, +1} costs a multiplication (full-precision SPN); in the
  TERNARY modes (before freezing) W_b and W_c carry a scale, counted as one multiplication
  per output of W_b (r) and per output of W_c; FROZEN layers have scales folded into ã and
  cost none. Additions: ``sum_rows max(nnz_row − 1, 0)`` for W_b and W_c (plain), and the
  same after greedy common-subexpression sharing (``adds_cse``, see :mod:`._cse`; None
  when skipped as too costly) — plus bias additions as for the dense layer.
  A conv SPN applies W_b, ã and W_c once per hidden location (H_out·W_out/p² locations);
  the LSTM SPNs apply once per time step (per-gate layout: each gate's SPN counted on its
  own, so 4r ã multiplications per product). Zero padding is counted as if it were data.
* ``nn.BatchNorm*`` (inference, affine folded): one multiplication and one addition per
  element. Activations, pooling (max) and embeddings cost nothing here.
* Size: 32 bits per full-precision parameter; ternary W_b, W_c (quantized modes) 2 bits
  per entry (ã, biases and any scales stay 32-bit).

Every call is counted: a module applied twice in one forward pass gives two rows. A module
that does work this model of cost does not know (e.g. ``nn.Conv1d``, ``nn.AvgPool2d``, a
custom leaf with parameters) is an error (:class:`UncountableModule`), never a silent zero;
modules that cost nothing are listed in ``FREE``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from discovery.errors import DiscoveryError
from discovery.nn._conv import StrassenConv2d
from discovery.nn._cse import cse_adds, plain_adds
from discovery.nn._linear import StrassenLinear
from discovery.nn._lstm import StrassenLSTM
from discovery.nn._spn import SPNFactors
from discovery.spn.quant import QuantMode


class UncountableModule(DiscoveryError, TypeError):
    """count_ops met a module whose cost it does not know (names the module and the fix)."""


COUNTED = (nn.Linear, nn.Conv2d, nn.LSTM, nn.BatchNorm1d, nn.BatchNorm2d,
           StrassenLinear, StrassenConv2d, StrassenLSTM)
# Modules that cost nothing here: activations, max pooling, dropout, reshaping, embeddings.
FREE = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid,
        nn.Hardtanh, nn.Softmax, nn.LogSoftmax, nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d,
        nn.AdaptiveMaxPool1d, nn.AdaptiveMaxPool2d, nn.Dropout, nn.Dropout1d, nn.Dropout2d,
        nn.Flatten, nn.Unflatten, nn.Identity, nn.Embedding)


@dataclass(frozen=True)
class LayerCount:
    """Counts for one layer and one example. ``adds_cse`` is None when sharing was skipped."""

    name: str
    kind: str
    mults: int
    adds: int
    adds_cse: int | None
    params: int
    bits: int
    strassen: bool


@dataclass(frozen=True)
class ModelCount:
    """Per-layer counts and totals (``adds_cse`` total uses plain adds where skipped)."""

    layers: tuple[LayerCount, ...]

    def total(self, field: str, strassen_only: bool | None = None) -> int:
        """Sum of ``field`` over layers (only Strassen / only dense layers if requested)."""
        out = 0
        for lc in self.layers:
            if strassen_only is not None and lc.strassen != strassen_only:
                continue
            v = getattr(lc, field)
            out += lc.adds if v is None else v
        return out

    def rows(self) -> list[dict]:
        return [dataclasses.asdict(lc) for lc in self.layers]


def _matrix_cost(m: torch.Tensor, quantized: bool, frozen: bool, cse_budget_s: float):
    """(mults, adds, adds_cse) of ``m @ x`` for one vector x; m (outputs, inputs)."""
    if quantized and not frozen:
        t = torch.sign(m) * (m != 0)
        extra = m.shape[0]  # per-output scale multiplication
    else:
        t, extra = m, 0
    a = t.detach().cpu().numpy()
    is_tern = np.isin(a, (-1.0, 0.0, 1.0))
    mults = int((~is_tern).sum()) + extra
    adds = plain_adds(a)
    shared = cse_adds(a.astype(np.int8), budget_s=cse_budget_s) if is_tern.all() else adds
    return mults, adds, shared


def _spn_cost(spn: SPNFactors, b_mat, c_mat, cse_budget_s, b_blocks=1):
    mode = spn.mode
    b, c = spn.matrices()
    frozen = mode is QuantMode.FROZEN
    b_mat = b_mat(b.detach())
    c_mat = c_mat(c.detach())
    mb, ab, sb = 0, 0, 0
    for blk in np.array_split(np.arange(b_mat.shape[0]), b_blocks):
        m_, a_, s_ = _matrix_cost(b_mat[blk], mode.quantize_b, frozen, cse_budget_s)
        mb, ab, sb = mb + m_, ab + a_, (None if s_ is None or sb is None else sb + s_)
    mc, ac, sc = _matrix_cost(c_mat, mode.quantize_c, frozen, cse_budget_s)
    mults = spn.r + mb + mc
    shared = None if sb is None or sc is None else sb + sc
    bits = 0
    for w, q in ((spn.w_b, mode.quantize_b), (spn.w_c, mode.quantize_c)):
        bits += w.numel() * (2 if q else 32) + (32 if q and not frozen else 0)
    bits += 32 * spn.r
    return mults, ab + ac, shared, bits


def _params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


def count_ops(model: nn.Module, example: torch.Tensor, cse_budget_s: float = 1.0) -> ModelCount:
    """Count multiplications, additions, parameters and bits of ``model`` on ``example``.

    Args:
        model: any torch model; counted layers are listed in the module docstring.
        example: one input with batch size 1 (shape as the model expects).
        cse_budget_s: time budget of the greedy subexpression sharing per matrix.
    """
    calls: dict[str, list[tuple]] = {}
    hooks = []
    inside: list[str] = []  # prefixes of counted modules: their submodules are theirs to count
    for name, mod in model.named_modules():
        if any(q == "" or name.startswith(q + ".") for q in inside):
            continue
        if isinstance(mod, COUNTED):
            inside.append(name)

        def hook(m, inp, out, name=name):
            o = out[0] if isinstance(out, tuple) else out
            shapes = (tuple(getattr(inp[0], "shape", ())) if inp else (), tuple(getattr(o, "shape", ())))
            calls.setdefault(name, []).append(shapes)
        hooks.append(mod.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(example)
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    layers = []
    for name, mod in model.named_modules():
        if name not in calls or isinstance(mod, FREE):
            continue
        if not isinstance(mod, COUNTED):
            leaf = next(mod.children(), None) is None
            if leaf or any(True for _ in mod.parameters(recurse=False)):
                raise UncountableModule(
                    f"count_ops cannot count {name or 'the model'} ({type(mod).__name__}): it does "
                    f"work of unknown cost; counted are {', '.join(c.__name__ for c in COUNTED)} "
                    "and the free modules in discovery.nn._count.FREE")
            continue
        for in_shape, out_shape in calls[name]:
            layers.append(_count_module(name, mod, in_shape, out_shape, cse_budget_s))
    return ModelCount(tuple(layers))


def _count_module(name, mod, in_shape, out_shape, budget) -> LayerCount:
    n_par = _params(mod)
    out_numel = int(np.prod(out_shape))
    if isinstance(mod, nn.Linear):
        apps = int(np.prod(in_shape)) // mod.in_features
        m = apps * mod.in_features * mod.out_features
        a = apps * (mod.in_features - 1) * mod.out_features + (out_numel if mod.bias is not None else 0)
        return LayerCount(name, "Linear", m, a, a, n_par, 32 * n_par, False)
    if isinstance(mod, nn.Conv2d):
        fan = mod.in_channels // mod.groups * mod.kernel_size[0] * mod.kernel_size[1]
        m = out_numel * fan
        a = out_numel * (fan - 1) + (out_numel if mod.bias is not None else 0)
        return LayerCount(name, "Conv2d", m, a, a, n_par, 32 * n_par, False)
    if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
        return LayerCount(name, type(mod).__name__, out_numel, out_numel, out_numel, n_par,
                          32 * n_par, False)
    if isinstance(mod, nn.LSTM):
        return _count_dense_lstm(name, mod, in_shape, n_par)
    if isinstance(mod, StrassenLinear):
        apps = int(np.prod(in_shape)) // mod.in_features
        m, a, s, bits = _spn_cost(mod.spn, lambda b: b, lambda c: c, budget)
        bias = out_numel if mod.bias is not None else 0
        bits += 32 * (mod.bias.numel() if mod.bias is not None else 0)
        return LayerCount(name, "StrassenLinear", apps * m, apps * a + bias,
                          None if s is None else apps * s + bias, n_par, bits, True)
    if isinstance(mod, StrassenConv2d):
        locs = out_numel // mod.out_channels // (mod.p * mod.p)
        m, a, s, bits = _spn_cost(
            mod.spn, lambda b: b.reshape(b.shape[0], -1),
            lambda c: c.reshape(c.shape[0], -1).T, budget, b_blocks=mod.groups)
        bias = out_numel if mod.bias is not None else 0
        bits += 32 * (mod.bias.numel() if mod.bias is not None else 0)
        return LayerCount(name, "StrassenConv2d", locs * m, locs * a + bias,
                          None if s is None else locs * s + bias, n_par, bits, True)
    if isinstance(mod, StrassenLSTM):
        steps = in_shape[1] if mod.batch_first else in_shape[0]
        H = mod.hidden_size
        m = a = 0
        s: int | None = 0
        bits = 0
        for k in range(mod.num_layers):
            # per-gate layout: four SPNs per product, each counted on its own
            for spn in (*mod.gate_spns(k, "ih"), *mod.gate_spns(k, "hh")):
                mm, aa, ss, bb = _spn_cost(spn, lambda b: b, lambda c: c, budget)
                m, a, bits = m + mm, a + aa, bits + bb
                s = None if s is None or ss is None else s + ss
            cell_m, cell_a = 3 * H, H + 4 * H + (4 * H if mod.bias is not None else 0)
            m, a = m + cell_m, a + cell_a
            s = None if s is None else s + cell_a
        bits += 32 * sum(b.numel() for b in (mod.bias or []))
        return LayerCount(name, "StrassenLSTM", steps * m, steps * a,
                          None if s is None else steps * s, n_par, bits, True)
    raise TypeError(f"cannot count {type(mod).__name__}")


def _count_dense_lstm(name, mod: nn.LSTM, in_shape, n_par) -> LayerCount:
    if mod.bidirectional or mod.proj_size:
        raise TypeError("counting bidirectional / projected LSTMs is not supported")
    steps = in_shape[1] if mod.batch_first else in_shape[0]
    H = mod.hidden_size
    m = a = 0
    for k in range(mod.num_layers):
        n_in = mod.input_size if k == 0 else H
        m += 4 * H * (n_in + H) + 3 * H
        a += 4 * H * (n_in - 1) + 4 * H * (H - 1) + 4 * H + (4 * H if mod.bias else 0) + H
    # storage: PyTorch keeps two bias vectors; count what is stored
    return LayerCount(name, "LSTM", steps * m, steps * a, steps * a, n_par, 32 * n_par, False)
