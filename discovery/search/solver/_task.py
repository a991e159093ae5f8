"""One batch of restarts, wherever it runs: the strategies' table, the batch task, its report.

:func:`solver_batch` is the task function of every executor (this process, a local process, a
Dask worker): it runs restarts of a strategy in one tensor and returns the rounded candidates as
schemes (:class:`BatchReport`), not yet verified exactly: the client verifies them. The table
:data:`_IMPLEMENTATIONS` is the one place that maps a strategy name to its defaults and its run.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import torch

from discovery.core.scheme import Provenance, Scheme
from discovery.search.solver._adam import AdamParams, run_adam
from discovery.search.solver._als import als_params_for, run_als
from discovery.search.solver._config import DATA_ONLY, SolverConfig, SolverConfigError
from discovery.search.solver._loss import candidate_rows, target_tensor
from discovery.search.solver._paper import PaperParams, run_paper
from discovery.search.solver._sgd import run_sgd, sgd_params_for
from discovery.spn.quant import Ternarizer, TernaryMethod

def default_batch(config: SolverConfig) -> int:
    """Largest number of restarts per tensor (batches start small and double up to it)."""
    if config.strategy == "sgd":
        return 64  # a step costs about the same for 4 or 64 restarts: batch wide
    if config.strategy != "als":
        return 16
    size = config.n * config.m * config.p
    return 32 if size <= 8 else 64


# Each strategy: (its default parameters for a format, how it runs one batch). The one table
# the search dispatches on; a name in STRATEGIES without an entry here is an error, never a
# fall-back to another strategy.
_IMPLEMENTATIONS = {
    "als": (lambda fmt: als_params_for(*fmt),
            lambda c, T, idx, deadline, prm, dev: run_als(T, c.rank, c.seed, idx, deadline, prm)),
    "adam": (lambda fmt: AdamParams(rounding=als_params_for(*fmt)),
             lambda c, T, idx, deadline, prm, dev: run_adam(T, c.rank, c.seed, idx, deadline, prm)),
    "paper": (lambda fmt: PaperParams(),
              lambda c, T, idx, deadline, prm, dev: run_paper(c.format, T, c.rank, c.seed, idx, deadline, prm)),
    "paper-fixed": (lambda fmt: PaperParams(ternarizer=Ternarizer(TernaryMethod.FIXED)),
                    lambda c, T, idx, deadline, prm, dev: run_paper(c.format, T, c.rank, c.seed, idx,
                                                                    deadline, prm)),
    "sgd": (lambda fmt: sgd_params_for(*fmt),
            lambda c, T, idx, deadline, prm, dev: run_sgd(c.format, c.rank, c.seed, idx, deadline, prm,
                                                          device=dev)),
}


def _implementation(config: SolverConfig):
    try:
        return _IMPLEMENTATIONS[config.strategy]
    except KeyError:
        raise SolverConfigError(
            f"strategy {config.strategy!r} has no implementation in the search; use one of "
            f"{', '.join(_IMPLEMENTATIONS)}") from None


def default_params(config: SolverConfig):
    """The strategy's parameters used when none are given (by format where it matters)."""
    return _implementation(config)[0](config.format)


def check_params(config: SolverConfig, params) -> None:
    """Refuse a strategy without an implementation and parameters of another strategy (one
    line, before any work starts)."""
    want = type(default_params(config))
    if params is None:
        return
    if not isinstance(params, want):
        raise SolverConfigError(f"strategy {config.strategy!r} takes {want.__name__}, got "
                                f"{type(params).__name__}; pass params of the strategy you run")


def run_batch(config: SolverConfig, T, indices, deadline, params, device):
    """Run restarts ``indices`` of the strategy on the tensor ``T`` until ``deadline`` (a BatchOutcome)."""
    return _implementation(config)[1](config, T, indices, deadline, params or default_params(config), device)


@dataclass(frozen=True)
class BatchReport:
    """What one batch of restarts returns to the client.

    Attributes:
        indices: the restart indices run (identified by (config.seed, index)).
        candidates: (restart index, scheme) for every restart whose rounded factors satisfy
            all Brent equations in floating point; not yet verified exactly.
        best_residual: smallest least-squares loss reached before rounding (inf if none).
        best_errors: fewest failing Brent equations after rounding (None if none completed).
        completed: False when the time limit cut the batch short (then no restart counts).
        seconds: wall-clock time of the batch on its worker.
    """

    indices: tuple[int, ...]
    candidates: tuple[tuple[int, Scheme], ...]
    best_residual: float
    best_errors: int | None
    completed: bool
    seconds: float


def solver_batch(config: SolverConfig, indices, time_limit: float | None, params=None) -> BatchReport:
    """Run restarts ``indices`` of ``config``'s strategy for at most ``time_limit`` seconds.

    The task function of every executor (a plain module-level function: picklable, and
    dependent on nothing but its arguments). Uses ``config.threads`` torch threads (default 1).
    """
    t0 = time.monotonic()
    device = config.torch_device()
    before = torch.get_num_threads()
    if device == "cpu":
        torch.set_num_threads(config.threads or 1)
    try:
        indices = [int(i) for i in indices]
        # data-driven strategies learn from sampled products: no tensor
        T = None if config.strategy in DATA_ONLY else target_tensor(*config.format, dtype=torch.float64,
                                                                    device=device)
        deadline = None if time_limit is None else t0 + float(time_limit)
        out = run_batch(config, T, indices, deadline, params, device)
        if not out.completed:
            return BatchReport(tuple(indices), (), _min_residual(out), None, False, time.monotonic() - t0)
        cands = tuple((i, to_scheme(config, out, k, i)) for k, i in enumerate(indices)
                      if int(out.errors[k]) == 0)
        return BatchReport(tuple(indices), cands, _min_residual(out), int(out.errors.min()), True,
                           time.monotonic() - t0)
    finally:
        torch.set_num_threads(before)


def _min_residual(out) -> float:
    x = float(out.residual.min()) if out.residual.numel() else math.inf
    return x if math.isfinite(x) else math.inf


def to_scheme(config: SolverConfig, out, k: int, restart: int) -> Scheme:
    """Restart ``restart`` (row ``k`` of the batch ``out``) rounded into a Scheme (not yet verified)."""
    u, v, w = candidate_rows(out.U, out.V, out.W, k)
    # drop products that contribute nothing (a zero factor row): they are not multiplications
    keep = [t for t in range(u.shape[0]) if u[t].any() and v[t].any() and w[t].any()]
    note = f"strategy={config.strategy} restart={restart} rank_requested={config.rank}"
    prov = Provenance.now("spn-solver", seed=config.seed, note=note)
    return Scheme.from_rows(*config.format, u[keep], v[keep], w[keep], ring="ZT", provenance=prov)
