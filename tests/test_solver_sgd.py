"""Tests for the data-driven strategy "sgd": it learns from sampled products only."""

import importlib

import numpy as np
import pytest
import torch

from discovery.cli import main as cli_main
from discovery.core.known import strassen
from discovery.search.solver import ALSParams, SGDParams, SolverConfig, SolverConfigError, discover, run_sgd
from discovery.search.solver._params import params_from_strings
from discovery.search.solver._samples import ProductSampler, conservative_step, sample_grads, sample_loss
from discovery.core.verify import verify


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _no_tensor(monkeypatch):
    """Make every way the solver could build the target tensor raise."""
    import discovery.search.solver._loss as loss
    import discovery.search.solver._task as task
    import discovery.core.tensor as tensor

    def refuse(*args, **kw):
        raise AssertionError("the data-driven trainer read the target tensor")

    for mod, name in ((tensor, "matmul_tensor"), (loss, "matmul_tensor"), (loss, "target_tensor"),
                      (task, "target_tensor")):
        monkeypatch.setattr(mod, name, refuse)


def _strassen_factors():
    s = strassen()
    return [torch.tensor(np.asarray(x, dtype=np.float64).T)[None] for x in (s.u, s.v, s.w)]


def test_sgd_finds_exact_strassen_rank7_from_samples_only(tmp_path, monkeypatch):
    _no_tensor(monkeypatch)
    res = discover(2, 2, 2, 7, restarts=8, batch=8, seed=0, strategy="sgd", out=str(tmp_path))
    assert res.restarts == 8 and res.distinct >= 1 and res.successes >= 4
    monkeypatch.undo()
    for s in res.schemes:  # checked again here, after the tensor is available
        assert s.rank == 7 and s.is_ternary and verify(s).ok
        A, B = np.random.default_rng(1).integers(-9, 9, (2, 2, 2, 2))
        assert np.array_equal(s.apply(A, B), A @ B)


def test_run_sgd_never_reads_the_tensor_even_in_verification(monkeypatch):
    ver = importlib.import_module("discovery.core.verify")  # the module (the package re-exports a function)
    _no_tensor(monkeypatch)
    monkeypatch.setattr(ver, "matmul_tensor", lambda *a, **k: (_ for _ in ()).throw(AssertionError))
    out = run_sgd((2, 2, 2), 7, 0, range(4), None, SGDParams())
    assert out.completed and out.errors.shape == (4,) and int((out.errors == 0).sum()) >= 1


def test_rank_6_is_never_claimed_and_the_residual_says_how_close(tmp_path):
    res = discover(2, 2, 2, 6, restarts=4, batch=4, seed=0, strategy="sgd", out=str(tmp_path),
                   params=SGDParams(steps=800, rounds=4, refit_steps=20, sparsify_steps=0))
    assert res.distinct == 0 and res.best_residual > 0.5 and res.best_errors > 0


def test_sample_gradients_match_autograd():
    g = torch.Generator().manual_seed(0)
    F = [torch.randn(3, s, 5, generator=g, dtype=torch.float64, requires_grad=True) for s in (6, 6, 4)]
    a, b, c = ProductSampler((2, 3, 2), 0, 0, 1).batch(16)
    loss, grads = sample_grads(*[x.detach() for x in F], a, b, c)
    sample_loss(*F, a, b, c).sum().backward()
    for x, gr in zip(F, grads):
        torch.testing.assert_close(gr, x.grad)
    torch.testing.assert_close(loss, sample_loss(*[x.detach() for x in F], a, b, c))


def test_products_are_true_products_and_strassen_fits_them():
    a, b, c = ProductSampler((2, 2, 2), 3, 0, 1).batch(8)
    torch.testing.assert_close(c, (a.reshape(8, 2, 2) @ b.reshape(8, 2, 2)).transpose(1, 2).reshape(8, 4))
    assert float(sample_loss(*_strassen_factors(), a, b, c)) < 1e-24
    fixed = ProductSampler((2, 2, 2), 3, 0, 1, pool=5)
    assert fixed.drawn == 5 and fixed.batch(64)[0].shape == (5, 4)
    fixed.batch(3)
    assert fixed.drawn == 5  # a fixed training set: nothing new is drawn


def test_conservative_step_fits_the_batch_and_keeps_fixed_entries():
    g = torch.Generator().manual_seed(1)
    F = [x + 1e-3 * torch.randn(x.shape, generator=g, dtype=torch.float64) for x in _strassen_factors()]
    free = [torch.rand(x.shape, generator=g) < 0.7 for x in F]
    a, b, c = ProductSampler((2, 2, 2), 0, 0, 1).batch(2)
    before = [x.clone() for x in F]
    loss_before = conservative_step(F, free, a, b, c, relax=1.0)
    after = sample_loss(*F, a, b, c)
    assert float(after) < 1e-3 * float(loss_before)  # exact on the batch up to the linearisation
    for x, y, f in zip(F, before, free):
        assert torch.equal(x[~f], y[~f])


def test_conservative_rule_also_finds_rank7(tmp_path):
    params = SGDParams(rule="conservative", batch=2, steps=1500)
    res = discover(2, 2, 2, 7, restarts=8, batch=8, seed=0, strategy="sgd", out=str(tmp_path),
                   params=params)
    assert res.distinct >= 1 and all(verify(s).ok for s in res.schemes)


@pytest.mark.parametrize("kw, word", [
    (dict(steps=0), "steps"), (dict(batch=0), "batch"), (dict(pool=0), "pool"),
    (dict(lr=-1.0), "lr"), (dict(rule="magic"), "rule"), (dict(rounding="x"), "rounding"),
    (dict(cull_at=2.0), "cull_at"), (dict(steps=2.5), "steps"), (dict(refit_steps=-1), "refit_steps"),
])
def test_bad_parameters_are_refused(kw, word):
    with pytest.raises(SolverConfigError, match=word):
        SGDParams(**kw)


def test_parameters_of_another_strategy_are_refused(tmp_path):
    with pytest.raises(SolverConfigError, match="SGDParams"):
        discover(2, 2, 2, 7, restarts=1, strategy="sgd", out=str(tmp_path), params=ALSParams())


def test_params_from_strings():
    config = SolverConfig(2, 2, 2, 7, strategy="sgd")
    p = params_from_strings(config, ["steps=100", "pool=none", "rule=conservative", "cull_at=0.3"])
    assert (p.steps, p.pool, p.rule, p.cull_at) == (100, None, "conservative", 0.3)
    assert params_from_strings(config, []) is None
    with pytest.raises(SolverConfigError, match="unknown parameter 'stepz'"):
        params_from_strings(config, ["stepz=3"])
    with pytest.raises(SolverConfigError, match="cannot read"):
        params_from_strings(config, ["steps=many"])
    als = params_from_strings(SolverConfig(2, 2, 2, 7), ["fit_sweeps=10", "kick_at=0.1,0.2"])
    assert als.fit_sweeps == 10 and als.kick_at == (0.1, 0.2)


@pytest.mark.parametrize("extra, word", [
    (["--param", "foo=1"], "unknown parameter"), (["--param", "steps=0"], "steps"),
    (["--param", "batch=-2"], "batch"), (["--param", "steps"], "NAME=VALUE"),
])
def test_cli_bad_parameters_are_one_line_and_exit_2(extra, word, capsys, tmp_path):
    argv = ["discover", "2", "2", "2", "--rank", "7", "--strategy", "sgd", "--out", str(tmp_path)]
    assert cli_main(argv + extra) == 2
    err = capsys.readouterr().err.strip()
    assert word in err and "\n" not in err and "Traceback" not in err
    assert not list(tmp_path.glob("run-*.json"))  # refused before any work
