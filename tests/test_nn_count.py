"""Operation counts: dense formulas, Strassen's scheme (7 mults, 13 adds), CSE."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from discovery.nn import QuantMode, StrassenConv2d, StrassenLinear, StrassenLSTM, count_ops, cse_adds, plain_adds
from tests._nn_helpers import STRASSEN_V, STRASSEN_W


def test_dense_layers():
    m = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.Flatten(), nn.Linear(3 * 16, 5))
    c = count_ops(m, torch.randn(1, 2, 4, 4))
    conv, lin = c.layers
    assert conv.mults == 3 * 16 * 2 * 9 and conv.adds == 3 * 16 * (18 - 1) + 3 * 16
    assert lin.mults == 48 * 5 and lin.adds == 47 * 5 + 5
    assert c.total("mults") == conv.mults + lin.mults
    assert conv.bits == 32 * (3 * 2 * 9 + 3)


def test_strassen_scheme_counts():
    layer = StrassenLinear(4, 4, r=7, bias=False)
    with torch.no_grad():
        layer.spn.w_b.copy_(STRASSEN_V)
        layer.spn.w_c.copy_(STRASSEN_W.T)
    layer.set_mode(QuantMode.FROZEN)
    (lc,) = count_ops(layer, torch.randn(1, 4)).layers
    # 7 products by ã; V side: 5 additions, W side: 8 (Strassen's 18 = 5 + 5 + 8)
    assert lc.mults == 7 and lc.adds == 13
    assert lc.adds_cse <= 13
    assert lc.bits == 2 * (28 + 28) + 32 * 7


def test_full_precision_spn_counts_weight_mults():
    torch.manual_seed(0)
    layer = StrassenLinear(4, 3, r=5)
    (lc,) = count_ops(layer, torch.randn(1, 4)).layers
    assert lc.mults == 5 + 20 + 15
    layer.set_mode(QuantMode.TERNARY)  # scales not yet folded: one per output of W_b, W_c
    (lc,) = count_ops(layer, torch.randn(1, 4)).layers
    assert lc.mults == 5 + 5 + 3


class Tally:
    """Evaluates sums term by term in plain Python and counts the additions it performs: the
    independent reference for the addition counts (it must also reproduce the layer's output)."""

    def __init__(self):
        self.adds = 0

    def dot(self, coeffs, xs) -> float:
        acc = None
        for c, x in zip(coeffs, xs):
            if c != 0:
                acc = c * x if acc is None else self.add(acc, c * x)
        return 0.0 if acc is None else acc

    def add(self, x, y):
        self.adds += 1
        return x + y


def _conv_by_hand(layer: StrassenConv2d, x: torch.Tensor, tally: Tally) -> np.ndarray:
    """The frozen SPN convolution evaluated location by location (stride 1, one example)."""
    wb = layer.spn.w_b.detach().double().numpy()  # (r, C_in/g, K, K)
    wc = layer.spn.w_c.detach().double().numpy()  # (r, C_out, p, p)
    at = layer.spn.a_tilde.detach().double().numpy()
    bias = layer.bias.detach().double().numpy()
    (pad, _), p, K = layer.padding, layer.p, layer.big_kernel[0]
    xp = np.pad(x[0].double().numpy(), ((0, 0), (pad, pad), (pad, pad)))
    c_out, h_out = wc.shape[1], xp.shape[1] - layer.kernel_size[0] + 1
    rg, cg = layer.r // layer.groups, layer.in_channels // layer.groups
    y = np.zeros((c_out, h_out, h_out))
    for i in range(h_out // p):
        for j in range(h_out // p):
            window = xp[:, i * p:i * p + K, j * p:j * p + K]
            m = [tally.dot(wb[t].ravel(), window[t // rg * cg:(t // rg + 1) * cg].ravel()) * at[t]
                 for t in range(layer.r)]
            for co in range(c_out):
                for di in range(p):
                    for dj in range(p):
                        y[co, i * p + di, j * p + dj] = tally.add(tally.dot(wc[:, co, di, dj], m), bias[co])
    return y


def _lstm_by_hand(layer: StrassenLSTM, x: torch.Tensor, tally: Tally) -> np.ndarray:
    """The frozen one-layer StrassenLSTM evaluated step by step (one example)."""
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    (bi, ai, ci), (bh, ah, ch) = (tuple(t.detach().double().numpy() for t in layer._factors(0, q))
                                  for q in ("ih", "hh"))
    bias = layer.bias[0].detach().double().numpy()
    H = layer.hidden_size
    h, c, outs = np.zeros(H), np.zeros(H), []
    for xt in x[0].double().numpy():
        mi = [tally.dot(row, xt) * a for row, a in zip(bi, ai)]
        mh = [tally.dot(row, h) * a for row, a in zip(bh, ah)]
        gates = np.array([tally.add(tally.add(tally.dot(ci[g], mi), bias[g]), tally.dot(ch[g], mh))
                          for g in range(4 * H)])
        i, f, g, o = sig(gates[:H]), sig(gates[H:2 * H]), np.tanh(gates[2 * H:3 * H]), sig(gates[3 * H:])
        c = np.array([tally.add(f[k] * c[k], i[k] * g[k]) for k in range(H)])
        h = o * np.tanh(c)
        outs.append(h)
    return np.array(outs)


def test_conv_additions_match_an_evaluation_that_counts():
    torch.manual_seed(0)
    for groups in (1, 2):
        conv = StrassenConv2d(2, 4, 3, padding=1, r=6, p=2, groups=groups, mode=QuantMode.FROZEN)
        with torch.no_grad():
            conv.bias.uniform_(-1, 1)
        x = torch.randn(1, 2, 8, 8)
        (lc,) = count_ops(conv, x).layers
        assert lc.mults == 6 * 16  # r per hidden location, 4x4 locations
        tally = Tally()
        y = _conv_by_hand(conv, x, tally)
        np.testing.assert_allclose(y, conv(x)[0].detach().double().numpy(), atol=1e-5)
        assert lc.adds == tally.adds


@pytest.mark.parametrize("layout", ["shared", "per_gate"])
def test_lstm_additions_match_an_evaluation_that_counts(layout):
    torch.manual_seed(1)
    lstm = StrassenLSTM(3, 4, r_ih=2, r_hh=5, layout=layout, mode=QuantMode.FROZEN)
    with torch.no_grad():
        lstm.bias[0].uniform_(-1, 1)
    x = torch.randn(1, 6, 3)
    (ls,) = count_ops(lstm, x).layers
    tally = Tally()
    out = _lstm_by_hand(lstm, x, tally)
    np.testing.assert_allclose(out, lstm(x)[0][0].detach().double().numpy(), atol=1e-5)
    assert ls.adds == tally.adds


def test_a_module_called_twice_is_counted_twice():
    lin = nn.Linear(4, 4)
    once = count_ops(nn.Sequential(lin), torch.randn(1, 4))
    twice = count_ops(nn.Sequential(lin, nn.ReLU(), lin), torch.randn(1, 4))
    assert len(twice.layers) == 2 and once.total("mults") == 16
    for field in ("mults", "adds"):
        assert twice.total(field) == 2 * once.total(field)


@pytest.mark.parametrize("module", [nn.Conv1d(2, 2, 3), nn.AvgPool1d(2)])
def test_an_unsupported_module_is_an_error_not_zero(module):
    from discovery.errors import DiscoveryError

    model = nn.Sequential(module, nn.Flatten(), nn.Linear(2 * (3 if isinstance(module, nn.Conv1d) else 2), 1))
    with pytest.raises(DiscoveryError, match=type(module).__name__):
        count_ops(model, torch.randn(1, 2, 5 if isinstance(module, nn.Conv1d) else 4))


def test_lstm_mults():
    lstm = StrassenLSTM(3, 4, r_ih=2, r_hh=5, mode=QuantMode.FROZEN)
    dense = nn.LSTM(3, 4, batch_first=True)
    (ls,) = count_ops(lstm, torch.randn(1, 6, 3)).layers
    (ld,) = count_ops(dense, torch.randn(1, 6, 3)).layers
    assert ls.mults == 6 * (2 + 5 + 3 * 4)
    assert ld.mults == 6 * (16 * 7 + 3 * 4)


def _brute_min_adds(t):
    """Cheapest circuit with one shared pair (enough for tiny cases)."""
    best = plain_adds(t)
    for j, k in itertools.combinations(range(t.shape[1]), 2):
        for s in (1, -1):
            rows = (t[:, j] != 0) & (t[:, j] * t[:, k] * s > 0)
            if rows.sum() >= 2:
                best = min(best, plain_adds(t) - int(rows.sum()) + 1)
    return best


def test_cse_examples():
    t = np.array([[1, 1, 1], [1, 1, 0], [-1, -1, 1]])
    assert plain_adds(t) == 5 and cse_adds(t) == 3
    assert cse_adds(np.eye(3, dtype=int)) == 0
    rng = np.random.default_rng(0)
    for _ in range(20):
        t = rng.integers(-1, 2, (6, 4))
        assert cse_adds(t) <= _brute_min_adds(t) <= plain_adds(t)
    assert cse_adds(np.ones((2, 2000), dtype=int)) is None
    with pytest.raises(ValueError):
        cse_adds(np.array([[0.5, 1.0]]))
