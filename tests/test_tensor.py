import numpy as np
import pytest

from discovery.core.tensor import a_name, b_name, c_index, c_name, matmul_tensor


@pytest.mark.parametrize("fmt", [(1, 1, 1), (2, 2, 2), (2, 3, 4), (4, 3, 2), (3, 1, 5)])
def test_tensor_contracted_with_A_and_B_gives_C_transposed(fmt):
    n, m, p = fmt
    rng = np.random.default_rng(0)
    A = rng.integers(-5, 6, (n, m))
    B = rng.integers(-5, 6, (m, p))
    T = matmul_tensor(n, m, p)
    vec_ct = np.einsum("abc,a,b->c", T, A.ravel(), B.ravel())
    np.testing.assert_array_equal(vec_ct.reshape(p, n).T, A @ B)
    assert T.sum() == n * m * p


def test_names_follow_the_convention():
    n, m, p = 2, 3, 4
    assert a_name(n, m, p, 1 * m + 2) == "a23"
    assert b_name(n, m, p, 2 * p + 3) == "b34"
    assert c_name(n, m, p, c_index(n, p, 1, 3)) == "c24"
    assert a_name(10, 10, 10, 10 * 10 - 1) == "a10_10"
