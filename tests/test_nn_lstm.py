"""StrassenLSTM against nn.LSTM (exact SVD fit), modes and gradients."""

import numpy as np
import pytest
import torch

from discovery.errors import DiscoveryError
from discovery.nn import QuantMode, StrassenLSTM


# each per-gate block is (6, 5) or (6, 6): rank <= 6, so width 6 per gate is exact; the shared layout
# stacks the four gates (24 rows)
@pytest.mark.parametrize("layout, r", [("shared", 24), ("per_gate", 6)])
@pytest.mark.parametrize("num_layers,batch_first", [(1, True), (2, False)])
def test_exact_fit_equals_nn_lstm(layout, r, num_layers, batch_first):
    torch.manual_seed(0 if layout == "shared" else 2)
    dense = torch.nn.LSTM(5, 6, num_layers=num_layers, batch_first=batch_first).double()
    s = StrassenLSTM(5, 6, r_ih=r, r_hh=r, num_layers=num_layers, batch_first=batch_first,
                     layout=layout).double().init_from_dense(dense)
    if layout == "per_gate":
        assert len(s.gate_spns(0, "ih")) == 4 and s.gate_spns(0, "hh")[2].w_c.shape == (6, 6)
    x = torch.randn(3, 7, 5, dtype=torch.float64)
    h0 = torch.randn(num_layers, 3 if batch_first else 7, 6, dtype=torch.float64)
    c0 = torch.randn_like(h0)
    out, (h, c) = s(x, (h0, c0))
    ref, (hr, cr) = dense(x, (h0, c0))
    torch.testing.assert_close(out, ref, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(h, hr, rtol=1e-9, atol=1e-9)
    torch.testing.assert_close(c, cr, rtol=1e-9, atol=1e-9)


def test_ratio_is_relative_to_hidden_units():
    s = StrassenLSTM(4, 8, r_ih_ratio=0.5, r_hh_ratio=2.0)
    assert (s.r_ih, s.r_hh) == (4, 16)
    assert s.spn_hh[0].w_c.shape == (32, 16)


def test_frozen_trains_only_a_tilde_and_bias():
    torch.manual_seed(1)
    s = StrassenLSTM(4, 6, r_ih=6, r_hh=6, mode=QuantMode.TERNARY)
    x = torch.randn(2, 5, 4)
    y = s(x)[0]
    s.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(s(x)[0], y, rtol=1e-5, atol=1e-6)
    s(x)[0].sum().backward()
    assert s.spn_hh[0].w_b.grad is None and s.spn_hh[0].a_tilde.grad is not None


def test_bad_input():
    with pytest.raises(DiscoveryError, match="hidden-to-hidden"):
        StrassenLSTM(4, 6, r_ih=3, r_hh=0)
    s = StrassenLSTM(4, 6, r_ih=3, r_hh=3)
    with pytest.raises(DiscoveryError, match="expected input"):
        s(torch.randn(2, 5, 3))


# --- per-gate layout (one SPN per gate, as in the paper's code) -----------------------------

def _strassen_spn_factors():
    """Strassen's scheme from discovery.core.known as SPN factors for X -> A @ X (2×2, row-major
    vec): W_b = V, W_c[i*2+k, t] = W[t, k*2+i] (the scheme's C index is transposed) and
    ã = U vec(A)."""
    from discovery.core.known import strassen

    sch = strassen()
    u, v, w = (torch.tensor(np.asarray(m, dtype=np.float64)) for m in (sch.u, sch.v, sch.w))
    wc = torch.zeros(4, 7, dtype=torch.float64)
    for i in range(2):
        for k in range(2):
            wc[i * 2 + k] = w[:, k * 2 + i]
    return u, v, wc


def test_per_gate_frozen_strassen_equals_nn_lstm_and_hand_count():
    """Every gate's 4×4 weight is X -> A_g @ X (kron(A_g, I_2)), computed by a frozen ternary
    Strassen SPN per gate: the LSTM equals nn.LSTM with those weights, and counts as
    4 gates × 2 products × 7 multiplications per step."""
    from discovery.nn import count_ops

    torch.manual_seed(3)
    u, v, wc = _strassen_spn_factors()
    s = StrassenLSTM(4, 4, r_ih=7, r_hh=7, layout="per_gate", mode=QuantMode.FROZEN).double()
    dense = torch.nn.LSTM(4, 4, batch_first=True).double()
    with torch.no_grad():
        for product in ("ih", "hh"):
            blocks = []
            for spn in s.gate_spns(0, product):
                a = torch.randn(2, 2, dtype=torch.float64)
                spn.w_b.copy_(v)
                spn.w_c.copy_(wc)
                spn.a_tilde.copy_(u @ a.reshape(4))
                blocks.append(torch.kron(a, torch.eye(2, dtype=torch.float64)))
            getattr(dense, f"weight_{product}_l0").copy_(torch.cat(blocks))
        s.bias[0].copy_(dense.bias_ih_l0 + dense.bias_hh_l0)
    x = torch.randn(2, 5, 4, dtype=torch.float64)
    torch.testing.assert_close(s(x)[0], dense(x)[0], rtol=1e-10, atol=1e-10)

    lc = count_ops(s, x[:1], cse_budget_s=0.1).layers[0]
    # Per step: 8 SPNs × 7 products by ã, + the cell's 3H = 12 (H = 4).
    # Additions per SPN: Strassen's 18 minus the 5 on the A side (folded into ã) = 13:
    # W_b = V rows (b11+b22, b11, b12-b22, b21-b11, b22, b11+b12, b21+b22) -> 5,
    # W_c rows (c11 = m1+m4-m5+m7, c12 = m3+m5, c21 = m2+m4, c22 = m1-m2+m3+m6) -> 3+1+1+3 = 8.
    # Cell: ih+hh sum 4H = 16, bias 4H = 16, c update H = 4.
    assert lc.mults == 5 * (8 * 7 + 12) == 340
    assert lc.adds == 5 * (8 * 13 + 16 + 16 + 4) == 700
    assert lc.adds_cse <= lc.adds


def test_per_gate_full_precision_count_by_hand():
    """Full-precision SPNs: every W_b, W_c entry is a multiplication (random floats)."""
    from discovery.nn import count_ops

    torch.manual_seed(4)
    H, n_in, r, T = 6, 5, 3, 2
    s = StrassenLSTM(n_in, H, r_ih=r, r_hh=r, layout="per_gate")
    lc = count_ops(s, torch.randn(1, T, n_in), cse_budget_s=0.0).layers[0]
    ih = 4 * (r + r * n_in + H * r)          # 4 gates: ã, W_b (r × n_in), W_c (H × r)
    hh = 4 * (r + r * H + H * r)
    assert lc.mults == T * (ih + hh + 3 * H) == 2 * (144 + 156 + 18)
    shared = StrassenLSTM(n_in, H, r_ih=r, r_hh=r)  # one SPN of width r: W_c is (4H × r)
    lc_s = count_ops(shared, torch.randn(1, T, n_in), cse_budget_s=0.0).layers[0]
    assert lc_s.mults == T * ((r + r * n_in + 4 * H * r) + (r + r * H + 4 * H * r) + 3 * H)


def test_per_gate_ternary_scales_are_per_gate_and_freeze_exactly():
    torch.manual_seed(5)
    s = StrassenLSTM(4, 6, r_ih=3, r_hh=3, layout="per_gate", mode=QuantMode.TERNARY)
    with torch.no_grad():
        s.gate_spns(0, "hh")[1].w_c.mul_(10.0)  # one gate's scale differs from the others
    x = torch.randn(2, 5, 4)
    y = s(x)[0]
    s.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(s(x)[0], y, rtol=1e-5, atol=1e-6)
    scales = [spn.a_tilde.abs().mean().item() for spn in s.gate_spns(0, "hh")]
    assert scales[1] > 5 * max(scales[0], scales[2], scales[3])


def test_strassenify_per_gate_and_bad_layout():
    from discovery.nn import StrassenSpec, strassenify

    model = torch.nn.Sequential(torch.nn.LSTM(4, 8, batch_first=True))
    out = strassenify(model, StrassenSpec(r_ratio=0.5, lstm_layout="per_gate"))
    assert out[0].layout == "per_gate" and out[0].gate_spns(0, "ih")[0].w_b.shape == (4, 4)
    with pytest.raises(DiscoveryError, match="layout must be"):
        StrassenLSTM(4, 6, r_ih=3, r_hh=3, layout="gates")
