"""StrassenLinear against trusted references: A @ B via Strassen's scheme, nn.Linear via SVD."""

import pytest
import torch

from discovery.errors import DiscoveryError
from discovery.nn import QuantMode, StrassenLinear
from tests._nn_helpers import STRASSEN_U, STRASSEN_V, STRASSEN_W


def _strassen_layer(A: torch.Tensor, mode: QuantMode) -> StrassenLinear:
    layer = StrassenLinear(4, 4, r=7, bias=False).double()
    with torch.no_grad():
        layer.spn.w_b.copy_(STRASSEN_V)
        layer.spn.w_c.copy_(STRASSEN_W.T)  # products -> vec(C^T)
        layer.spn.a_tilde.copy_(STRASSEN_U @ A.reshape(4))  # ã = W_a vec(A)
    layer.set_mode(mode)
    return layer


@pytest.mark.parametrize("mode", list(QuantMode))
def test_exact_strassen_scheme_computes_matrix_product(mode):
    g = torch.Generator().manual_seed(0)
    A = torch.randn(2, 2, generator=g, dtype=torch.float64)
    B = torch.randn(5, 2, 2, generator=g, dtype=torch.float64)
    layer = _strassen_layer(A, mode)
    # TWN keeps an exact ternary matrix unchanged (threshold 0.7·mean|w| < 1, scale 1)
    out = layer(B.reshape(5, 4))
    torch.testing.assert_close(out, (A @ B).transpose(1, 2).reshape(5, 4), rtol=1e-12, atol=1e-12)


def test_svd_fit_with_large_r_equals_nn_linear():
    torch.manual_seed(0)
    dense = torch.nn.Linear(9, 6)
    for r in (6, 9, 12):
        s = StrassenLinear(9, 6, r=r).init_from_dense(dense.weight, dense.bias)
        x = torch.randn(4, 3, 9)
        torch.testing.assert_close(s(x), dense(x), rtol=1e-5, atol=1e-5)


def test_low_rank_fit_is_best_rank_r():
    torch.manual_seed(1)
    W = torch.randn(8, 10, dtype=torch.float64)
    s = StrassenLinear(10, 8, r=3, bias=False).double().init_from_dense(W)
    approx = s(torch.eye(10, dtype=torch.float64)).T
    sv = torch.linalg.svdvals(W)
    assert torch.linalg.norm(W - approx).item() == pytest.approx(sv[3:].norm().item(), rel=1e-9)


def test_r_ratio_and_shapes():
    s = StrassenLinear(5, 8, r_ratio=0.5)
    assert s.r == 4 and s.spn.w_b.shape == (4, 5) and s.spn.w_c.shape == (8, 4)
    assert s(torch.randn(2, 5)).shape == (2, 8)


@pytest.mark.parametrize("kw", [dict(r=0), dict(r=-2), dict(r_ratio=-0.5), dict(), dict(r=2, r_ratio=1.0)])
def test_bad_width_raises(kw):
    with pytest.raises(DiscoveryError, match="StrassenLinear"):
        StrassenLinear(4, 4, **kw)


def test_ternary_modes_and_freeze():
    torch.manual_seed(2)
    s = StrassenLinear(6, 5, r=8)
    x = torch.randn(7, 6)
    s.set_mode(QuantMode.TERNARY)
    y_tern = s(x)
    s.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(s(x), y_tern, rtol=1e-5, atol=1e-6)
    assert set(s.spn.w_b.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert set(s.spn.w_c.unique().tolist()) <= {-1.0, 0.0, 1.0}
    s(x).sum().backward()
    assert s.spn.w_b.grad is None and s.spn.w_c.grad is None
    assert s.spn.a_tilde.grad is not None and s.bias.grad is not None


def test_ste_gives_gradients_to_float_weights():
    s = StrassenLinear(4, 3, r=5, mode=QuantMode.TERNARY_B)
    s(torch.randn(2, 4)).sum().backward()
    assert s.spn.w_b.grad is not None and s.spn.w_b.grad.abs().sum() > 0
    w_b, w_c = s.spn.matrices()
    assert len(w_b.detach().abs().unique()) <= 2  # {0, scale}
    assert torch.equal(w_c, s.spn.w_c)


def test_state_dict_round_trip_keeps_mode():
    s = StrassenLinear(4, 3, r=5)
    s.set_mode(QuantMode.FROZEN)
    t = StrassenLinear(4, 3, r=5)
    t.load_state_dict(s.state_dict())
    assert t.mode is QuantMode.FROZEN and not t.spn.w_b.requires_grad
    x = torch.randn(2, 4)
    torch.testing.assert_close(t(x), s(x))


def test_fixed_threshold_method_end_to_end():
    from discovery.nn import Ternarizer, TernaryMethod

    torch.manual_seed(3)
    s = StrassenLinear(6, 4, r=6, mode=QuantMode.TERNARY,
                       ternarizer=Ternarizer(TernaryMethod.FIXED, threshold=0.2))
    x = torch.randn(3, 6)
    y = s(x)
    expected_b = torch.sign(s.spn.w_b.detach()) * (s.spn.w_b.detach().abs() > 0.2)
    s.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(s.spn.w_b, expected_b)
    torch.testing.assert_close(s(x), y, rtol=1e-5, atol=1e-6)
