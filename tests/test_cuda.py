"""The CUDA paths against their CPU counterparts (skipped without a GPU; run on a GPU machine).

Each test runs the same work on the CPU and on CUDA and compares: the solver's verified schemes,
the Strassen layers' outputs and gradients in every quantization mode, a block product.
"""

import copy

import pytest
import torch

from discovery.circuits.fastmm import BlockMultiplier, relative_error
from discovery.core.known import strassen
from discovery.core.verify import verify
from discovery.nn import QuantMode, StrassenConv2d, StrassenLinear, StrassenLSTM
from discovery.search.solver import discover

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")


@pytest.mark.parametrize("strategy", ["als", "sgd"])
def test_solver_on_cuda_finds_verified_strassen_rank_schemes(tmp_path, strategy):
    res = discover(2, 2, 2, 7, restarts=32, seed=0, device="cuda", strategy=strategy,
                   out=str(tmp_path), time_limit=120)
    assert res.distinct >= 1
    assert all(s.rank == 7 and verify(s).ok for s in res.schemes)


def _layers():
    yield StrassenLinear(24, 16, r_ratio=1.0), (5, 24)
    yield StrassenConv2d(3, 8, 3, padding=1, r_ratio=1.0, p=2), (2, 3, 8, 8)
    yield StrassenLSTM(6, 8, r_ih_ratio=1.0, r_hh_ratio=1.0), (3, 5, 6)
    yield StrassenLSTM(6, 8, r_ih_ratio=0.5, r_hh_ratio=0.5, layout="per_gate"), (3, 5, 6)


@pytest.mark.parametrize("mode", [QuantMode.FULL, QuantMode.TERNARY, QuantMode.FROZEN])
def test_layers_match_the_cpu_forward_and_backward(mode):
    torch.manual_seed(0)
    for layer, shape in _layers():
        layer.set_mode(mode)
        gpu = copy.deepcopy(layer).cuda()
        x = torch.randn(*shape)
        y_cpu = layer(x)
        y_gpu = gpu(x.cuda())
        y_cpu, y_gpu = (y[0] if isinstance(y, tuple) else y for y in (y_cpu, y_gpu))
        torch.testing.assert_close(y_gpu.cpu(), y_cpu, rtol=1e-4, atol=1e-5)
        y_cpu.square().sum().backward()
        y_gpu.square().sum().backward()
        for (name, p_cpu), p_gpu in zip(layer.named_parameters(), gpu.parameters()):
            if p_cpu.grad is None:
                assert p_gpu.grad is None, name
                continue
            torch.testing.assert_close(p_gpu.grad.cpu(), p_cpu.grad, rtol=1e-3, atol=1e-4, msg=name)


def test_block_product_on_cuda_matches_float64():
    bm = BlockMultiplier.from_scheme(strassen(), levels=2, cutoff=32)
    A, B = torch.randn(300, 200, device="cuda"), torch.randn(200, 170, device="cuda")
    C = bm(A, B)
    assert C.is_cuda and C.shape == (300, 170)
    assert relative_error(C, A.double() @ B.double()) < 1e-5
