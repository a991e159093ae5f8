"""Tests for discovery.search.solver: losses, strategies, exact-verified results, resume."""

import json

import numpy as np
import pytest
import torch

from discovery.formats import load_scheme
from discovery.core.known import strassen
from discovery.core.scheme import Scheme
from discovery.search.solver import (
    ALSParams,
    PaperParams,
    SolverConfig,
    SolverConfigError,
    data_loss,
    discover,
    random_products,
    rounded_errors,
    run_paper,
    target_tensor,
    tensor_loss,
)
from discovery.search.solver._batch import init_factors
from discovery.search.solver._store import pending_restarts
from discovery.search.summary import Stop
from discovery.core.transforms import fingerprint
from discovery.core.verify import verify


@pytest.fixture(autouse=True)
def _one_thread():
    # the solver tensors are small; extra intra-op threads only wait on a shared machine
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _factors(s):
    return tuple(torch.tensor(np.asarray(a, dtype=np.float64).T)[None] for a in (s.u, s.v, s.w))


def test_exact_loss_equals_expected_loss_on_gaussian_products():
    # E over A, B with i.i.d. N(0,1) entries of ||SPN(a,b) - vec((AB)^T)||² equals the
    # tensor loss exactly (closed form); check by Monte Carlo on random factors.
    g = torch.Generator().manual_seed(0)
    n, m, p, r = 2, 3, 2, 5
    U, V, W = (torch.randn(3, s, r, generator=g, dtype=torch.float64) * 0.7 for s in (6, 6, 4))
    T = target_tensor(n, m, p)
    exact = tensor_loss(U, V, W, T)
    a, b, c = random_products(n, m, p, 200_000, g)
    mc = data_loss(U, V, W, a, b, c)
    torch.testing.assert_close(mc, exact, rtol=0.03, atol=0.0)


def test_data_triplets_are_true_products_and_strassen_has_zero_loss():
    a, b, c = random_products(2, 2, 2, 16, torch.Generator().manual_seed(3))
    A, B = a.reshape(16, 2, 2), b.reshape(16, 2, 2)
    torch.testing.assert_close(c, (A @ B).transpose(1, 2).reshape(16, 4))
    F = _factors(strassen())
    assert float(tensor_loss(*F, target_tensor(2, 2, 2))) == 0.0
    assert float(data_loss(*F, a, b, c)) < 1e-20


def test_rounded_errors_counts_failing_equations_exactly():
    T = target_tensor(2, 2, 2)
    U, V, W = _factors(strassen())
    assert int(rounded_errors(U, V, W, T)) == 0
    U2 = U.clone()
    U2[0, 0, 0] = 0.0  # drop a11 from m1: breaks some equations
    assert int(rounded_errors(U2, V, W, T)) > 0
    assert int(rounded_errors(U + 0.3, V - 0.2, W, T)) == 0  # rounds back to Strassen


def test_restart_init_does_not_depend_on_batching():
    a = init_factors(4, 4, 4, 7, 5, [0, 1, 2, 3], 0.5)
    b = init_factors(4, 4, 4, 7, 5, [2], 0.5)
    for x, y in zip(a, b):
        torch.testing.assert_close(x[2:3], y)
    c = init_factors(4, 4, 4, 7, 6, [2], 0.5)
    assert not torch.equal(b[0], c[0])  # another seed, another start


def test_pending_restarts_fills_gaps_first():
    assert pending_restarts([], 3) == [0, 1, 2]
    assert pending_restarts([[0, 4], [6, 8]], 4) == [4, 5, 8, 9]


def test_discover_222_rank7_finds_verified_ternary_schemes(tmp_path):
    res = discover(2, 2, 2, 7, restarts=8, seed=0, out=str(tmp_path), time_limit=60)
    assert res.distinct >= 1 and res.restarts == 8
    assert res.time_to_first_s is not None and 0 <= res.success_rate <= 1
    fps = set()
    for s, path in zip(res.schemes, res.paths):
        assert verify(s).ok and s.is_ternary and s.rank <= 7
        assert load_scheme(path) == s
        fps.add(fingerprint(s))
        A, B = np.random.default_rng(0).integers(-9, 9, (2, 2, 2, 2))
        assert np.array_equal(s.apply(A, B), A @ B)
    assert len(fps) == res.distinct  # duplicates counted once


def test_rank_below_best_known_finds_nothing_and_says_how_close(tmp_path):
    res = discover(2, 2, 2, 6, restarts=8, seed=0, out=str(tmp_path), time_limit=60)
    assert res.distinct == 0 and res.successes == 0 and res.schemes == ()
    assert res.best_residual > 0.5  # rank(<2,2,2>) = 7: no rank-6 fit comes close to zero
    assert res.best_errors is not None and res.best_errors > 0
    assert not list(tmp_path.glob("r6-*.json"))


def test_second_run_extends_the_first_without_duplicates(tmp_path):
    first = discover(2, 2, 2, 7, restarts=8, seed=1, out=str(tmp_path))
    second = discover(2, 2, 2, 7, restarts=8, seed=1, out=str(tmp_path))
    state = json.loads((tmp_path / "run-r7-als-seed1.json").read_text())
    assert state["done"] == [[0, 16]] and state["restarts"] == 16
    assert state["config"]["rank"] == 7
    files = sorted(tmp_path.glob("r7-*.json"))
    fps = {fingerprint(load_scheme(f)) for f in files}
    assert len(fps) == len(files) == first.new + second.new
    assert second.new == len({fingerprint(s) for s in second.schemes} - {fingerprint(s) for s in first.schemes})


def test_paper_strategy_runs_and_reports_candidates_honestly():
    T = target_tensor(2, 2, 2)
    params = PaperParams(steps_full=60, steps_ternary=30, steps_frozen=10, batch=32)
    out = run_paper((2, 2, 2), T, 7, 0, [0, 1], None, params)
    assert out.completed and out.errors.shape == (2,) and out.residual.shape == (2,)
    # reference: the exact verifier's count of failing Brent equations of each rounded restart
    for k in range(2):
        u, v, w = (x[k].clamp(-1, 1).round().T.numpy().astype(np.int64) for x in (out.U, out.V, out.W))
        failures = verify(Scheme(2, 2, 2, u, v, w, ring="ZT")).failures
        assert int(out.errors[k]) == len(failures)
    # the residual is the full-precision fit's tensor loss: finite and not yet zero this early
    assert torch.isfinite(out.residual).all() and (out.residual > 0).all()


@pytest.mark.parametrize("kw, word", [
    (dict(n=0), "n must"), (dict(rank=-1), "rank must"), (dict(m=True), "m must"),
    (dict(strategy="magic"), "unknown strategy"), (dict(device="tpu"), "unknown device"),
    (dict(n=30, m=30, p=30), "force"), (dict(time_limit=-1), "time_limit"),
    (dict(restarts=2.5), "restarts must"), (dict(seed=-3), "seed must"),
])
def test_config_rejects_bad_input(kw, word):
    base = dict(n=2, m=2, p=2, rank=7)
    with pytest.raises(SolverConfigError, match=word):
        SolverConfig(**{**base, **kw})


def test_config_force_allows_big_formats():
    assert SolverConfig(30, 30, 30, 100, force=True).n == 30


def test_als_params_are_frozen():
    with pytest.raises(Exception):
        ALSParams().rounds = 3


def test_interrupt_keeps_results_of_finished_batches(tmp_path, monkeypatch):
    from discovery.search.solver import _task

    calls = []
    real = _task.run_als

    def interrupted_after_one_batch(*args, **kw):
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real(*args, **kw)

    monkeypatch.setattr(_task, "run_als", interrupted_after_one_batch)
    res = discover(2, 2, 2, 7, restarts=32, seed=0, out=str(tmp_path))
    assert res.stop is Stop.INTERRUPTED and res.restarts == 4 and res.distinct >= 1  # first batch has 4
    state = json.loads((tmp_path / "run-r7-als-seed0.json").read_text())
    assert state["done"] == [[0, 4]]
    assert sorted(tmp_path.glob("r7-*.json")) == sorted(map(type(tmp_path), res.paths))
    assert all(verify(load_scheme(p)).ok for p in res.paths)


def test_time_limit_stops_the_run(tmp_path):
    res = discover(3, 3, 3, 23, restarts=10_000, seed=0, out=str(tmp_path), time_limit=1.0)
    assert res.elapsed_s < 10 and res.restarts < 10_000


def test_adam_strategy_finds_and_verifies(tmp_path):
    from discovery.search.solver import AdamParams, als_params_for

    params = AdamParams(steps=600, rounding=als_params_for(2, 2, 2))
    res = discover(2, 2, 2, 7, restarts=8, batch=8, seed=0, strategy="adam", out=str(tmp_path),
                   params=params)
    assert res.restarts == 8 and res.distinct >= 1
    assert all(verify(s).ok and s.is_ternary for s in res.schemes)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", [(2, 2, 3, 11), (2, 3, 3, 15), (3, 3, 3, 23)])
def test_best_known_ranks_up_to_3x3x3_are_reached(fmt, tmp_path):
    res = discover(*fmt, restarts=100_000, seed=0, out=str(tmp_path), time_limit=300, max_found=1)
    assert res.distinct >= 1
    s = res.schemes[0]
    assert s.rank == fmt[3] and s.is_ternary and verify(s).ok


def test_rank_above_the_minimum_still_finds_schemes(tmp_path):
    res = discover(2, 2, 2, 8, restarts=8, batch=8, seed=0, out=str(tmp_path))
    assert res.distinct >= 1
    assert all(verify(s).ok and s.is_ternary and s.rank <= 8 for s in res.schemes)


# ---- plumbing: one deadline check, one unfinished result, one strategy table, exact gate ----
def test_unfinished_batch_and_deadline_check():
    import time

    from discovery.search.solver._batch import BatchOutcome, past

    assert not past(None) and past(time.monotonic() - 1) and not past(time.monotonic() + 60)
    U, V, W = (torch.zeros(3, 4, 7, requires_grad=True) for _ in range(3))
    out = BatchOutcome.unfinished(U, V, W)
    assert not out.completed and out.errors.tolist() == [-1, -1, -1]
    assert torch.isinf(out.residual).all() and not out.U.requires_grad
    for strategy in ("als", "adam", "paper", "sgd"):  # every strategy stops at a passed deadline
        T = target_tensor(2, 2, 2)
        from discovery.search.solver._task import default_params, run_batch

        cfg = SolverConfig(2, 2, 2, 7, strategy=strategy)
        res = run_batch(cfg, T, [0, 1], time.monotonic() - 1, default_params(cfg), "cpu")
        assert not res.completed and res.errors.tolist() == [-1, -1], strategy


def test_a_strategy_without_implementation_is_an_error_not_paper(monkeypatch, tmp_path, capsys):
    from discovery.cli import main
    from discovery.search.solver import _config, _task

    monkeypatch.setitem(_config.STRATEGIES, "magic", "listed but never implemented")
    monkeypatch.setattr(_task, "run_paper", lambda *a, **k: pytest.fail("fell back to paper"))
    with pytest.raises(SolverConfigError, match="'magic' has no implementation"):
        discover(2, 2, 2, 7, restarts=4, strategy="magic", out=str(tmp_path))
    code = main(["discover", "2", "2", "2", "--rank", "7", "--strategy", "magic", "--quiet",
                 "--out", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "magic" in err
    assert not list(tmp_path.glob("r7-*.json"))


def test_store_refuses_a_candidate_that_fails_exactly(tmp_path):
    from discovery.errors import VerificationError
    from discovery.search.solver._store import ResultStore

    store = ResultStore(SolverConfig(2, 2, 2, 7, out=str(tmp_path)))
    s = strassen()
    bad = Scheme(2, 2, 2, s.u, s.v, np.where(np.arange(28).reshape(7, 4) == 0, 0, s.w), ring="ZT")
    with pytest.raises(VerificationError):
        store.add(bad)
    assert not list(tmp_path.glob("r7-*.json"))
    added = store.add(s)
    assert added.is_new and added.path.exists() and load_scheme(added.path) == s
    assert s.verified_over and store.add(s).is_new is False  # verified once; the second add is a duplicate


@pytest.mark.parametrize("executor", [None, "local"])
def test_candidates_rejected_by_the_exact_check_are_counted_not_written(monkeypatch, tmp_path, executor):
    from discovery.search.solver import _task
    from discovery.search.solver._batch import BatchOutcome

    good = _factors(strassen())
    U_bad = good[0].clone()
    U_bad[0, 0, 0] = 0.0  # a11 dropped from m1: wrong, but the fake float check says 0 errors
    U = torch.cat([good[0], U_bad])
    V, W = (torch.cat([x, x]) for x in good[1:])

    def claims_two_candidates(T, r, seed, indices, deadline, params):
        k = len(indices)
        return BatchOutcome(U[:k], V[:k], W[:k], errors=torch.zeros(k, dtype=torch.long),
                            residual=torch.zeros(k, dtype=torch.float64))

    monkeypatch.setattr(_task, "run_als", claims_two_candidates)
    if executor is not None:  # the executor loop, in this process (one worker)
        from discovery.search.executor import LocalExecutor

        executor = LocalExecutor(1)
    res = discover(2, 2, 2, 7, restarts=2, batch=2, seed=0, out=str(tmp_path), executor=executor)
    assert (res.restarts, res.successes, res.rejected, res.distinct) == (2, 1, 1, 1)
    assert res.to_json()["rejected"] == 1
    files = sorted(tmp_path.glob("r7-*.json"))
    assert len(files) == 1 and load_scheme(files[0]) == res.schemes[0] and verify(res.schemes[0]).ok


def test_discover_over_seeds_sums_the_per_seed_searches(tmp_path):
    from discovery.search.solver import discover_over_seeds

    sm = discover_over_seeds(2, 2, 2, 7, [3, 4], restarts=8)
    singles = [discover(2, 2, 2, 7, restarts=8, seed=s, out=str(tmp_path / str(s))) for s in (3, 4)]
    assert sm.seeds == (3, 4) and sm.restarts == 16
    assert sm.successes == sum(r.successes for r in singles) and sm.distinct == sum(r.distinct for r in singles)
    assert sm.seeds_with_result == sum(r.time_to_first_s is not None for r in singles)
    assert sm.success_rate == sm.successes / 16
    with pytest.raises(TypeError, match="sets 'out' itself"):
        discover_over_seeds(2, 2, 2, 7, [0], out=str(tmp_path))
