"""Tests for the SPN building block (discovery.spn.block) and the solver's batched SPN for one matrix
product (discovery.search.solver._spn)."""

import numpy as np
import pytest
import torch

from discovery.core.known import strassen
from discovery.errors import DiscoveryError
from discovery.search.solver._spn import MatMulSPN
from discovery.spn.quant import QuantMode, ternarize_twn


def _strassen_init(K=2):
    s = strassen()
    U, V, W = (torch.tensor(np.asarray(a, dtype=np.float64).T) for a in (s.u, s.v, s.w))
    return tuple(x.expand(K, *x.shape).clone() for x in (U, V, W))


def test_spn_with_strassen_weights_computes_ab():
    spn = MatMulSPN(2, 2, 2, 7, restarts=2, init=_strassen_init())
    g = torch.Generator().manual_seed(0)
    A = torch.randn(5, 2, 2, generator=g, dtype=torch.float64)
    B = torch.randn(5, 2, 2, generator=g, dtype=torch.float64)
    c = spn(A.reshape(5, 4), B.reshape(5, 4))                 # (K, B, pn) = vec((AB)^T)
    want = (A @ B).transpose(1, 2).reshape(5, 4)
    assert c.shape == (2, 5, 4)
    torch.testing.assert_close(c[0], want)
    torch.testing.assert_close(c[1], want)


def test_ternary_mode_uses_twn_per_restart_and_passes_gradients():
    g = torch.Generator().manual_seed(1)
    init = tuple(torch.randn(3, s, 5, generator=g, dtype=torch.float64) for s in (4, 4, 4))
    spn = MatMulSPN(2, 2, 2, 5, restarts=3, init=init)
    spn.set_mode(QuantMode.TERNARY)
    wa, _, _ = spn.matrices()
    t, scale = ternarize_twn(spn.w_a.detach(), dim=(1, 2))   # the shared quantizer
    torch.testing.assert_close(wa.detach(), t * scale)
    out = spn(torch.randn(7, 4, dtype=torch.float64), torch.randn(7, 4, dtype=torch.float64))
    out.pow(2).sum().backward()
    assert spn.w_a.grad is not None and spn.w_a.grad.abs().sum() > 0  # straight-through


def test_frozen_mode_keeps_the_ternary_function_and_trains_only_alpha():
    g = torch.Generator().manual_seed(2)
    init = tuple(torch.randn(2, s, 6, generator=g, dtype=torch.float64) for s in (4, 6, 6))
    spn = MatMulSPN(2, 2, 3, 6, restarts=2, init=init)
    a, b = torch.randn(4, 4, dtype=torch.float64), torch.randn(4, 6, dtype=torch.float64)
    spn.set_mode(QuantMode.TERNARY)
    before = spn(a, b).detach()
    spn.set_mode(QuantMode.FROZEN)
    torch.testing.assert_close(spn(a, b), before)
    assert set(spn.w_a.detach().unique().tolist()) <= {-1.0, 0.0, 1.0}
    assert not spn.w_a.requires_grad and spn.alpha.requires_grad


def test_unsupported_mode_is_refused():
    spn = MatMulSPN(2, 2, 2, 7)
    with pytest.raises(DiscoveryError):
        spn.set_mode(QuantMode.TERNARY_B)



def test_one_spn_block_for_the_solver_and_the_layers():
    import discovery
    from discovery.nn import SPNFactors
    from discovery.spn.block import SPNBlock

    assert discovery.MatMulSPN is MatMulSPN and MatMulSPN.__module__ == "discovery.search.solver._spn"
    assert issubclass(MatMulSPN, SPNBlock) and issubclass(SPNFactors, SPNBlock)
    assert "set_mode" not in vars(MatMulSPN) and "set_mode" not in vars(SPNFactors)
    # the same W_b, W_c freeze to the same patterns in both; the folded scales agree
    g = torch.Generator().manual_seed(4)
    wa, wb, wc = (torch.randn(*s, generator=g, dtype=torch.float64) for s in ((5, 4), (5, 4), (4, 5)))
    layer = SPNFactors((5, 4), (4, 5)).double()
    with torch.no_grad():
        layer.w_b.copy_(wb)
        layer.w_c.copy_(wc)
    solver = MatMulSPN(2, 2, 2, 5, restarts=1, init=(wa.T[None], wb.T[None], wc[None]))
    layer.set_mode(QuantMode.FROZEN)
    solver.set_mode(QuantMode.FROZEN)
    assert torch.equal(layer.w_b, solver.w_b[0]) and torch.equal(layer.w_c, solver.w_c[0])
    _, s_a = ternarize_twn(wa)
    torch.testing.assert_close(solver.alpha[0], layer.a_tilde * s_a.reshape(()))
    assert layer.a_tilde.requires_grad and solver.alpha.requires_grad and not solver.w_b.requires_grad
