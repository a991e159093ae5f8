"""StrassenLSTM: an LSTM whose input-to-hidden and hidden-to-hidden products are SPNs.

Each layer holds two SPNs, computed for real at every time step (no dense matrix is rebuilt):

    pre_t  = W_c^ih[(W_b^ih x_t) ⊙ ã^ih] + bias          (all time steps at once)
    gates  = pre_t + W_c^hh[(W_b^hh h_{t-1}) ⊙ ã^hh]        (4H: i, f, g, o as in nn.LSTM)
    c_t = σ(f) ⊙ c_{t-1} + σ(i) ⊙ tanh(g),   h_t = σ(o) ⊙ tanh(c_t)

Two layouts of the SPNs (``layout``):

* ``"shared"`` (default): one SPN of width r per product serves all four gates (one W_b of
  shape (r, n_in), one ã of length r, one W_c of shape (4H, r)): r multiplications by ã per
  product and time step.
* ``"per_gate"``: one SPN per gate and product, each of width r, as in the paper's code
  (``SumProdLSTM(int(lstm_units * nbr_mul), ...)`` builds one SPN per gate). Gate g owns
  W_b^g (r, n_in), ã^g (r,), W_c^g (H, r) and its own ternarization scales: 4r
  multiplications by ã per product and time step. The forward pass stacks the four W_b^g and
  ã^g and applies the W_c^g as one block-diagonal (4H, 4r) matrix, which computes the same.

So per-gate r/n_out = 1 costs as many ã multiplications as shared r/n_out = 4. In both,
``r_ratio`` is relative to the number of LSTM units n_out = hidden_size, and the gate order
is i, f, g, o as in ``nn.LSTM``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from discovery.errors import DiscoveryError
from discovery.nn._spn import SPNFactors, resolve_width, svd_factors
from discovery.spn.quant import QuantMode, Ternarizer


class StrassenLSTM(nn.Module):
    """Drop-in for a unidirectional ``nn.LSTM`` with SPN matrix products.

    Args:
        input_size, hidden_size, num_layers, batch_first: as ``nn.LSTM``.
        r_ih / r_ih_ratio, r_hh / r_hh_ratio: SPN widths (ratios of hidden_size); with
            ``layout="per_gate"`` the width of each gate's SPN.
        layout: ``"shared"`` (one SPN per product for all gates) or ``"per_gate"`` (one SPN
            per gate and product); see the module docstring.
        bias, mode, ternarizer: as :class:`StrassenLinear`.
    Shapes: input (N, T, input_size) if batch_first else (T, N, input_size);
    returns ``(output, (h_n, c_n))`` with output (N, T, H) / (T, N, H) and h_n, c_n
    (num_layers, N, H).

    Attributes: ``spn_ih[k]`` / ``spn_hh[k]`` (layer k) is an :class:`SPNFactors` in the
    shared layout and an ``nn.ModuleList`` of four (gates i, f, g, o) in the per-gate layout;
    :meth:`gate_spns` returns a list in both.
    """

    LAYOUTS = ("shared", "per_gate")

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        r_ih: int | None = None,
        r_hh: int | None = None,
        *,
        r_ih_ratio: float | None = None,
        r_hh_ratio: float | None = None,
        num_layers: int = 1,
        layout: str = "shared",
        bias: bool = True,
        batch_first: bool = True,
        mode: QuantMode = QuantMode.FULL,
        ternarizer: Ternarizer = Ternarizer(),
        name: str = "StrassenLSTM",
    ):
        super().__init__()
        if input_size <= 0 or hidden_size <= 0 or num_layers <= 0:
            raise DiscoveryError(f"{name}: sizes and num_layers must be positive")
        if layout not in self.LAYOUTS:
            raise DiscoveryError(f"{name}: layout must be 'shared' or 'per_gate', got {layout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.batch_first = batch_first
        self.layout = layout
        n_out = 4 * hidden_size
        self.r_ih = resolve_width(r_ih, r_ih_ratio, hidden_size, f"{name} (input-to-hidden)")
        self.r_hh = resolve_width(r_hh, r_hh_ratio, hidden_size, f"{name} (hidden-to-hidden)")
        q = dict(mode=mode, ternarizer=ternarizer)

        def product(r: int, n_in: int) -> nn.Module:
            if layout == "shared":
                return SPNFactors((r, n_in), (n_out, r), **q)
            return nn.ModuleList(SPNFactors((r, n_in), (hidden_size, r), **q) for _ in range(4))

        self.spn_ih = nn.ModuleList(
            product(self.r_ih, input_size if k == 0 else hidden_size) for k in range(num_layers))
        self.spn_hh = nn.ModuleList(product(self.r_hh, hidden_size) for _ in range(num_layers))
        self.bias = nn.ParameterList(
            nn.Parameter(torch.zeros(n_out)) for _ in range(num_layers)
        ) if bias else None

    def gate_spns(self, k: int, product: str) -> list[SPNFactors]:
        """The SPNs of layer ``k``'s ``product`` ("ih" or "hh"): [shared] or [i, f, g, o]."""
        spn = (self.spn_ih if product == "ih" else self.spn_hh)[k]
        return list(spn) if isinstance(spn, nn.ModuleList) else [spn]

    def _all_spns(self) -> list[SPNFactors]:
        return [s for k in range(self.num_layers) for p in ("ih", "hh")
                for s in self.gate_spns(k, p)]

    @property
    def mode(self) -> QuantMode:
        return self._all_spns()[0].mode

    def set_mode(self, mode: QuantMode) -> None:
        for spn in self._all_spns():
            spn.set_mode(mode)

    def _factors(self, k: int, product: str):
        """(W_b (R, n_in), ã (R,), W_c (4H, R)) of one product as used in this mode; per gate,
        R = 4r with the W_b^g, ã^g stacked and W_c block-diagonal."""
        spns = self.gate_spns(k, product)
        if len(spns) == 1:
            b, c = spns[0].matrices()
            return b, spns[0].a_tilde, c
        mats = [s.matrices() for s in spns]
        return (torch.cat([b for b, _ in mats]), torch.cat([s.a_tilde for s in spns]),
                torch.block_diag(*[c for _, c in mats]))

    def forward(self, x: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None):
        if x.dim() != 3 or x.shape[-1] != self.input_size:
            raise DiscoveryError(
                f"StrassenLSTM: expected input (N, T, {self.input_size}) "
                f"(batch_first={self.batch_first}), got {tuple(x.shape)}"
            )
        if not self.batch_first:
            x = x.transpose(0, 1)
        n, t_len, _ = x.shape
        H = self.hidden_size
        if hx is None:
            z = x.new_zeros(self.num_layers, n, H)
            hx = (z, z)
        h_n, c_n = [], []
        for k in range(self.num_layers):
            bi, ai, ci = self._factors(k, "ih")
            bh, ah, ch = self._factors(k, "hh")
            pre = F.linear(F.linear(x, bi) * ai, ci, None if self.bias is None else self.bias[k])
            h, c = hx[0][k], hx[1][k]
            bh_t, ch_t = bh.t(), ch.t()
            outs = []
            for t in range(t_len):
                # W_b h (ternary), times ã (the r multiplications), W_c (ternary), plus input part
                gates = torch.addmm(pre[:, t], torch.mm(h, bh_t) * ah, ch_t)
                sg = torch.sigmoid(gates)
                c = torch.addcmul(sg[:, H:2 * H] * c, sg[:, :H], torch.tanh(gates[:, 2 * H:3 * H]))
                h = sg[:, 3 * H:] * torch.tanh(c)
                outs.append(h)
            x = torch.stack(outs, dim=1)
            h_n.append(h)
            c_n.append(c)
        out = x if self.batch_first else x.transpose(0, 1)
        return out, (torch.stack(h_n), torch.stack(c_n))

    @torch.no_grad()
    def init_from_dense(self, lstm: nn.LSTM, generator: torch.Generator | None = None):
        """Truncated-SVD fit of every weight_ih_l*/weight_hh_l* of ``lstm`` (per gate block
        in the per-gate layout); biases summed. Exact when each SPN's r >= its block's rank."""
        if (lstm.input_size, lstm.hidden_size, lstm.num_layers) != (
            self.input_size, self.hidden_size, self.num_layers
        ) or lstm.bidirectional or lstm.proj_size:
            raise DiscoveryError("StrassenLSTM.init_from_dense: LSTM sizes do not match "
                                 "(or it is bidirectional / projected, which is unsupported)")
        for k in range(self.num_layers):
            for product in ("ih", "hh"):
                w = getattr(lstm, f"weight_{product}_l{k}")
                spns = self.gate_spns(k, product)
                # shared: one fit of the (4H, n_in) weight; per gate: one fit per (H, n_in) block
                for spn, block in zip(spns, w.chunk(len(spns), dim=0)):
                    b, a, c = svd_factors(block, spn.r, generator)
                    spn.w_b.copy_(b.to(spn.w_b.dtype))
                    spn.a_tilde.copy_(a.to(spn.w_b.dtype))
                    spn.w_c.copy_(c.to(spn.w_b.dtype))
            if self.bias is not None and lstm.bias:
                self.bias[k].copy_(getattr(lstm, f"bias_ih_l{k}") + getattr(lstm, f"bias_hh_l{k}"))
        return self

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, "
                f"r_ih={self.r_ih}, r_hh={self.r_hh}, layout={self.layout}")
