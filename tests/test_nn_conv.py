"""StrassenConv2d against nn.Conv2d (exact SVD fit) and its error messages."""

import pytest
import torch

from discovery.errors import DiscoveryError
from discovery.nn import QuantMode, StrassenConv2d


@pytest.mark.parametrize("p,stride,padding,k", [(1, 1, 1, 3), (2, 1, 1, 3), (2, 2, 0, 3),
                                                 (3, 1, 2, 5), (2, 1, 0, 1)])
def test_exact_fit_equals_dense_conv(p, stride, padding, k):
    torch.manual_seed(0)
    c_in, c_out = 3, 4
    dense = torch.nn.Conv2d(c_in, c_out, k, stride, padding).double()
    big = (p - 1) * stride + k
    r = min(c_out * p * p, c_in * big * big)  # >= rank of the patch operator
    s = StrassenConv2d(c_in, c_out, k, stride, padding, r=r, p=p).double()
    s.init_from_dense(dense.weight, dense.bias)
    h_in = (6 * p - 1) * stride + k - 2 * padding  # dense output 6p x 6p
    x = torch.randn(2, c_in, h_in, h_in + stride * p, dtype=torch.float64)
    ref = dense(x)
    assert ref.shape[-1] % p == 0
    torch.testing.assert_close(s(x), ref, rtol=1e-9, atol=1e-9)


def test_grouped_exact_fit_and_dense_groups():
    torch.manual_seed(1)
    dense = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2).double()
    s = StrassenConv2d(4, 6, 3, padding=1, r=24, p=2, groups=2).double()
    s.init_from_dense(dense.weight, dense.bias, dense_groups=2)
    x = torch.randn(1, 4, 8, 8, dtype=torch.float64)
    torch.testing.assert_close(s(x), dense(x), rtol=1e-9, atol=1e-9)
    assert s.spn.w_b.shape == (24, 2, 4, 4) and s.spn.w_c.shape == (24, 6, 2, 2)


def test_frozen_equals_ternary_and_is_ternary():
    torch.manual_seed(2)
    s = StrassenConv2d(3, 8, 3, padding=1, r_ratio=1.0, p=2, mode=QuantMode.TERNARY)
    x = torch.randn(2, 3, 8, 8)
    y = s(x)
    s.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(s(x), y, rtol=1e-5, atol=1e-5)
    assert set(s.spn.w_c.unique().tolist()) <= {-1.0, 0.0, 1.0}


def test_errors_name_layer_and_fix():
    with pytest.raises(DiscoveryError, match="conv7.*groups"):
        StrassenConv2d(3, 8, 3, r=8, groups=2, name="conv7")
    with pytest.raises(DiscoveryError, match="r must be a positive"):
        StrassenConv2d(3, 8, 3, r=0)
    with pytest.raises(DiscoveryError, match="patch size"):
        StrassenConv2d(3, 8, 3, r=4, p=0)
    s = StrassenConv2d(3, 8, 3, padding=1, r=4, p=2, name="block2.conv")
    with pytest.raises(DiscoveryError, match="block2.conv.*not divisible by p=2"):
        s(torch.randn(1, 3, 7, 7))
