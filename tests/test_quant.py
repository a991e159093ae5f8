"""Tests for discovery.spn.quant: ternarizers, scales, STE and QuantMode."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery.errors import DiscoveryError
from discovery.spn.quant import (
    QuantMode,
    TernaryMethod,
    Ternarizer,
    ste,
    ste_ternarize,
    ternarize,
    ternarize_threshold,
    ternarize_twn,
    ternary_scale,
)


def _twn_reference(w: np.ndarray, factor: float = 0.7):
    delta = factor * np.abs(w).mean()
    t = np.sign(w) * (np.abs(w) > delta)
    scale = np.abs(w)[t != 0].mean() if (t != 0).any() else 0.0
    return t, scale


def test_twn_matches_numpy_reference():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(7, 5, generator=g, dtype=torch.float64)
    t, scale = ternarize_twn(w)
    t_ref, s_ref = _twn_reference(w.numpy())
    np.testing.assert_array_equal(t.numpy(), t_ref)
    assert scale.shape == (1, 1)
    assert scale.item() == pytest.approx(s_ref, rel=1e-12)


def test_twn_known_values():
    w = torch.tensor([1.0, -0.1, 0.5, -2.0])
    # mean|w| = 0.9, delta = 0.63 -> support {1.0, -2.0}, scale 1.5
    t, scale = ternarize_twn(w)
    assert t.tolist() == [1.0, 0.0, 0.0, -1.0]
    assert scale.item() == pytest.approx(1.5)


def test_batched_dim_equals_per_slice():
    g = torch.Generator().manual_seed(1)
    w = torch.randn(4, 3, 6, generator=g)
    t, scale = ternarize_twn(w, dim=(1, 2))
    assert t.shape == w.shape and scale.shape == (4, 1, 1)
    for i in range(4):
        ti, si = ternarize_twn(w[i])
        torch.testing.assert_close(t[i], ti)
        torch.testing.assert_close(scale[i], si)


def test_negative_dims_and_repeat_rejected():
    w = torch.randn(2, 3)
    t1, s1 = ternarize_twn(w, dim=-1)
    t2, s2 = ternarize_twn(w, dim=1)
    torch.testing.assert_close(s1, s2)
    with pytest.raises(DiscoveryError):
        ternarize_twn(w, dim=(1, -1))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10, allow_nan=False), min_size=1, max_size=30))
def test_ternary_values_and_scale_invariants(xs):
    w = torch.tensor(xs, dtype=torch.float64)
    t, scale = ternarize_twn(w)
    assert set(t.unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert scale.item() >= 0
    # t agrees with the sign of w on its support
    assert torch.all(t * torch.sign(w) >= 0)
    # scale is L2-optimal for the pattern: derivative of ||w - s t||^2 at s vanishes
    if (t != 0).any():
        assert float(((w - scale * t) * t).sum()) == pytest.approx(0.0, abs=1e-9)


def test_zero_tensor_gives_zero_pattern_and_scale():
    t, scale = ternarize_twn(torch.zeros(3, 3))
    assert t.abs().sum() == 0 and scale.item() == 0


def test_fixed_threshold():
    w = torch.tensor([[0.3, -0.04], [-0.2, 0.05]])
    t = ternarize_threshold(w, 0.05)
    assert t.tolist() == [[1.0, 0.0], [-1.0, 0.0]]
    t2, s2 = ternarize(w, Ternarizer(TernaryMethod.FIXED, threshold=0.05))
    torch.testing.assert_close(t2, t)
    assert s2.item() == pytest.approx(0.25)
    torch.testing.assert_close(ternary_scale(w, t), s2)
    with pytest.raises(DiscoveryError):
        ternarize_threshold(w, -1.0)


def test_ste_value_and_gradient():
    w = torch.tensor([0.9, -0.1, -1.3], requires_grad=True)
    q = ste_ternarize(w)
    t, s = ternarize_twn(w)
    torch.testing.assert_close(q.detach(), t * s)
    (q * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    torch.testing.assert_close(w.grad, torch.tensor([1.0, 2.0, 3.0]))
    unscaled = ste_ternarize(w.detach(), scaled=False)
    assert set(unscaled.unique().tolist()) <= {-1.0, 0.0, 1.0}


def test_ste_shape_mismatch():
    with pytest.raises(DiscoveryError):
        ste(torch.zeros(2), torch.zeros(3))


def test_quant_mode_flags():
    assert not QuantMode.FULL.quantize_b and not QuantMode.FULL.quantize_c
    assert QuantMode.TERNARY.quantize_b and QuantMode.TERNARY.quantize_c
    assert QuantMode.TERNARY_B.quantize_b and not QuantMode.TERNARY_B.quantize_c
    assert QuantMode.TERNARY_C.quantize_c and not QuantMode.TERNARY_C.quantize_b
    assert QuantMode.FROZEN.quantize_b and not QuantMode.FROZEN.trains_bc
    assert QuantMode("frozen") is QuantMode.FROZEN
    assert all(m.trains_bc for m in QuantMode if m is not QuantMode.FROZEN)


def test_works_in_float32_and_keeps_dtype():
    w = torch.randn(5, 5, dtype=torch.float32)
    t, s = ternarize_twn(w)
    assert t.dtype == torch.float32 and s.dtype == torch.float32



def test_one_ternarizer_config_for_the_solver_and_every_layer():
    import dataclasses
    import inspect

    from torch import nn

    from discovery.errors import DiscoveryError
    from discovery.nn import SPNFactors, StrassenConv2d, StrassenLinear, StrassenLSTM, StrassenSpec, strassenify
    from discovery.search.solver import PaperParams, SolverConfig
    from discovery.search.solver._params import params_from_strings
    from discovery.search.solver._task import default_params
    from discovery.search.solver._spn import MatMulSPN

    q = Ternarizer(TernaryMethod.FIXED, threshold=0.1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.threshold = 0.2
    assert str(q) == "fixed:0.1" and Ternarizer.parse(str(q)) == q
    assert Ternarizer.parse("twn") == Ternarizer() and Ternarizer.parse("TWN:0.5").factor == 0.5
    for bad in (lambda: Ternarizer("median"), lambda: Ternarizer(factor=-1.0),
                lambda: Ternarizer.parse("fixed:x")):
        with pytest.raises(DiscoveryError):
            bad()
    # the keyword block (method, factor, threshold) is gone from every signature and config
    for f in (ternarize, ste_ternarize, SPNFactors, MatMulSPN, StrassenLinear, StrassenConv2d,
              StrassenLSTM):
        assert not {"method", "factor", "threshold"} & set(inspect.signature(f).parameters), f
    for cfg in (PaperParams, StrassenSpec):
        assert not {"method", "factor", "threshold"} & {x.name for x in dataclasses.fields(cfg)}
    # and the one config reaches the weights
    assert StrassenLinear(4, 3, r=2, ternarizer=q).spn.ternarizer is q
    assert StrassenLSTM(3, 2, r_ih=2, r_hh=2, layout="per_gate", ternarizer=q).gate_spns(0, "hh")[3].ternarizer is q
    model = strassenify(nn.Sequential(nn.Linear(4, 3)), StrassenSpec(r=2, ternarizer=q))
    assert model[0].spn.ternarizer is q
    paper = SolverConfig(2, 2, 2, 7, strategy="paper")
    assert default_params(paper).ternarizer == Ternarizer()
    fixed = default_params(SolverConfig(2, 2, 2, 7, strategy="paper-fixed")).ternarizer
    assert fixed.method is TernaryMethod.FIXED and fixed.threshold == 0.05
    assert params_from_strings(paper, ["ternarizer=fixed:0.2"]).ternarizer == Ternarizer("fixed", threshold=0.2)
