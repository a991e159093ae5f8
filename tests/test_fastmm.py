import numpy as np
import pytest
import torch

from discovery.circuits.fastmm import BlockMultiplier, fast_matmul, relative_error
from discovery.core.scheme import Scheme
from discovery.circuits.symbolic import simplify_additions
from discovery.formats import read_reduced
from tests._circuit_fixtures import data_file, strassen, winograd


@pytest.fixture(scope="module")
def wino():
    return simplify_additions(winograd())


@pytest.mark.parametrize("levels", [0, 1, 2, 3])
def test_integer_matrices_exact(wino, levels):
    rng = np.random.default_rng(levels)
    A, B = rng.integers(-50, 50, (40, 24)), rng.integers(-50, 50, (24, 56))
    np.testing.assert_array_equal(fast_matmul(A, B, wino, levels=levels, cutoff=2), A @ B)


@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-13), (np.float32, 1e-5)])
def test_float_error_small_with_padding(wino, dtype, tol):
    rng = np.random.default_rng(0)
    A, B = rng.standard_normal((101, 67)).astype(dtype), rng.standard_normal((67, 93)).astype(dtype)
    ref = A.astype(np.float64) @ B.astype(np.float64)
    for levels in (1, 2):
        C = fast_matmul(A, B, wino, levels=levels, cutoff=8)
        assert C.dtype == dtype and C.shape == (101, 93)
        assert relative_error(C, ref) < tol * 4**levels


def test_torch_cpu_and_plain_strassen():
    bm = BlockMultiplier.from_scheme(strassen(), levels=2, cutoff=4)
    A, B = torch.randn(30, 20, dtype=torch.float64), torch.randn(20, 17, dtype=torch.float64)
    C = bm(A, B)
    assert isinstance(C, torch.Tensor) and C.shape == (30, 17)
    assert relative_error(C, A @ B) < 1e-13


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no GPU")
def test_torch_gpu(wino):
    A, B = torch.randn(512, 512, device="cuda"), torch.randn(512, 512, device="cuda")
    assert relative_error(fast_matmul(A, B, wino, levels=2, cutoff=64), A.double() @ B.double()) < 1e-4


def test_3x3_rank23_and_rational_coefficients():
    ss = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))
    rng = np.random.default_rng(5)
    A, B = rng.integers(-9, 9, (20, 20)), rng.integers(-9, 9, (20, 20))
    np.testing.assert_array_equal(fast_matmul(A, B, ss, levels=2, cutoff=2), A @ B)
    half = Scheme.from_rows(1, 1, 1, [[2]], [["1/2"]], [[1]])
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(fast_matmul(X, Y, half, levels=2, cutoff=1), X @ Y, rtol=1e-14)


def test_bad_shapes():
    with pytest.raises(ValueError, match="cannot multiply"):
        fast_matmul(np.ones((4, 3)), np.ones((4, 3)), strassen())


def test_sign_pushing_keeps_the_scheme_valid(wino):
    from discovery.circuits.fastmm import _push_signs
    from discovery.core.verify import verify

    a, b, c = _push_signs(wino.a, wino.b, wino.c)
    assert not any(all(q < 0 for _, q in ts) for ts in (*a.outputs, *b.outputs))
    assert (a.additions, b.additions, c.additions) == (wino.a.additions, wino.b.additions, wino.c.additions)
    assert verify(Scheme.from_rows(2, 2, 2, a.matrix(), b.matrix(), c.matrix().T)).ok


@pytest.mark.parametrize("levels", [0, 1, 2, 3])
def test_breadth_first_order_is_exact_on_integer_tensors(wino, levels):
    """batched=True (all products of a level in one tensor) gives A @ B exactly, with padding."""
    g = torch.Generator().manual_seed(levels)
    A = torch.randint(-50, 50, (41, 23), generator=g)
    B = torch.randint(-50, 50, (23, 57), generator=g)
    C = fast_matmul(A, B, wino, levels=levels, cutoff=2, batched=True)
    assert C.shape == (41, 57) and torch.equal(C, A @ B)


def test_breadth_first_with_a_rectangular_rank_23_scheme():
    ss = read_reduced(data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"))
    A, B = torch.randn(50, 40, dtype=torch.float64), torch.randn(40, 31, dtype=torch.float64)
    depth = fast_matmul(A, B, ss, levels=2, cutoff=3, batched=False)
    breadth = fast_matmul(A, B, ss, levels=2, cutoff=3, batched=True)
    assert relative_error(breadth, A @ B) < 1e-13 and relative_error(breadth, depth) < 1e-13


def test_breadth_first_needs_torch_tensors(wino):
    with pytest.raises(ValueError, match="batched=True needs torch tensors"):
        fast_matmul(np.ones((8, 8)), np.ones((8, 8)), wino, batched=True)
