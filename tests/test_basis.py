"""Alternative basis (discovery.circuits.basis): Karstadt-Schwartz <2,2,2> with 12 core additions."""

import numpy as np
import pytest
import torch

import discovery as d
from discovery.circuits.basis import AlternativeBasis, alternative_basis
from discovery.circuits.fastmm import fast_matmul
from discovery.circuits.slp import LinearProgram
from discovery.errors import VerificationError


@pytest.fixture(scope="module")
def ks():
    return alternative_basis(d.winograd())


def test_winograd_core_has_12_additions(ks):
    assert ks.core_additions == 12 and (ks.a.additions, ks.b.additions, ks.c.additions) == (3, 3, 6)
    assert ks.basis_additions == 3 and ks.multiplications == 7
    s = alternative_basis(d.strassen())
    assert s.core_additions == 12


def test_whole_computation_is_exact(ks):
    ks.check()
    rng = np.random.default_rng(0)
    A, B = rng.integers(-50, 50, (2, 2)), rng.integers(-50, 50, (2, 2))
    np.testing.assert_array_equal(ks.evaluate(A, B), A @ B)
    np.testing.assert_array_equal(ks.a.matrix().dot(ks.phi.matrix()), np.asarray(ks.scheme.u))


def test_a_wrong_core_is_refused(ks):
    outs = list(ks.c.outputs)
    outs[0] = outs[1]
    bad = AlternativeBasis(ks.scheme, ks.a, ks.b, LinearProgram(ks.c.n_inputs, ks.c.temps, tuple(outs)),
                           ks.phi, ks.psi, ks.nu_inv)
    with pytest.raises(VerificationError, match="C side"):
        bad.check()


@pytest.mark.parametrize("N,levels,cutoff", [(16, 1, 4), (64, 3, 4), (45, 2, 4), (37, 3, 2)])
def test_fast_matmul_accepts_an_alternative_basis(ks, N, levels, cutoff):
    rng = np.random.default_rng(N)
    A, B = rng.integers(-9, 9, (N, N + 2)), rng.integers(-9, 9, (N + 2, N - 1))
    np.testing.assert_array_equal(fast_matmul(A, B, ks, levels=levels, cutoff=cutoff), A @ B)
    At, Bt = torch.from_numpy(A.astype(np.float64)), torch.from_numpy(B.astype(np.float64))
    got = fast_matmul(At, Bt, ks, levels=levels, cutoff=cutoff, batched=True)
    torch.testing.assert_close(got, At @ Bt, rtol=0, atol=1e-9)


def test_other_formats_fall_back_where_no_basis_helps():
    ab = alternative_basis(d.kron(d.winograd(), d.standard(1, 1, 1)), max_subsets=50)
    assert ab.core_additions <= 15
