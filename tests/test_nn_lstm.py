"""StrassenLSTM against nn.LSTM (exact SVD fit), modes and gradients."""

import pytest
import torch

from discovery.errors import DiscoveryError
from discovery.nn import QuantMode, StrassenLSTM


@pytest.mark.parametrize("num_layers,batch_first", [(1, True), (2, False)])
def test_exact_fit_equals_nn_lstm(num_layers, batch_first):
    torch.manual_seed(0)
    dense = torch.nn.LSTM(5, 6, num_layers=num_layers, batch_first=batch_first).double()
    s = StrassenLSTM(5, 6, r_ih=24, r_hh=24, num_layers=num_layers,
                     batch_first=batch_first).double().init_from_dense(dense)
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
