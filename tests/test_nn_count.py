"""Operation counts: dense formulas, Strassen's scheme (7 mults, 13 adds), CSE."""

import itertools

import numpy as np
import pytest
import torch
from torch import nn

from discovery.nn import QuantMode, StrassenConv2d, StrassenLinear, StrassenLSTM, count_ops
from discovery.nn import cse_adds, plain_adds
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
        layer.spn.w_c.copy_(STRASSEN_W)
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


def test_conv_and_lstm_strassen_counts():
    conv = StrassenConv2d(2, 4, 3, padding=1, r=6, p=2, mode=QuantMode.FROZEN)
    (lc,) = count_ops(conv, torch.randn(1, 2, 8, 8)).layers
    assert lc.mults == 6 * 16  # r per hidden location, 4x4 locations
    b = conv.spn.w_b.reshape(6, -1).numpy()
    c = conv.spn.w_c.reshape(6, -1).T.numpy()
    assert lc.adds == 16 * (plain_adds(b) + plain_adds(c)) + 4 * 64
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
