"""The search loop: batches of restarts -> strategy -> exact verification -> store.

A run is a sequence of independent restarts identified by (seed, index). Each batch of
restarts is run in one tensor by the strategy; every candidate is rounded to integers,
built into a :class:`~discovery.core.scheme.Scheme`, verified exactly by
:func:`discovery.core.verify.require_valid` (inside the store) and written atomically before the
next batch starts, together with the run state. Interrupting loses at most the batch in
flight; running the same command again continues with the restarts not yet done.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import torch

from discovery.errors import VerificationError
from discovery.spn.quant import Ternarizer, TernaryMethod
from discovery.core.scheme import Provenance, Scheme
from discovery.search.solver._adam import AdamParams, run_adam
from discovery.search.solver._als import als_params_for, run_als
from discovery.search.solver._batch import past
from discovery.search.solver._config import DATA_ONLY, SolverConfig, SolverConfigError
from discovery.search.solver._loss import candidate_rows, target_tensor
from discovery.search.solver._memory import fit_batch
from discovery.search.solver._paper import PaperParams, run_paper
from discovery.search.solver._sgd import run_sgd, sgd_params_for
from discovery.search.solver._store import ResultStore
from discovery.search.summary import Stop, Summary


@dataclass(frozen=True)
class DiscoverResult(Summary):
    """What a run found and how it went (the vocabulary of :mod:`discovery.search.summary`).

    Attributes:
        config: the run's configuration.
        schemes: distinct verified schemes found by this run (new or already stored).
        new: how many of them were not in the output folder before.
        restarts: restarts completed by this run; successes: those ending in a verified scheme.
        time_to_first_s: seconds from the start to the first verified scheme (None if none).
        elapsed_s: wall-clock seconds of the run.
        best_residual: smallest least-squares loss ||Σ u⊗v⊗w − T||² a restart reached before
            rounding (how close the run came; inf if no restart completed). Strategy "sgd"
            estimates it on held-out products (its expectation is that loss).
        best_errors: fewest failing Brent equations of a rounded restart (0 = exact); for
            "sgd", the fewest wrong outputs of the rounded network on held-out integer products.
        rejected: candidates that passed the strategy's own (floating-point or sampled) check
            but failed exact verification, so were not written (expected 0 for the tensor
            strategies; "sgd" checks on samples, so it can be positive).
        out: the output folder; paths: the files of ``schemes``.
        stop: what ended the run: ``Stop.BUDGET`` (all requested restarts done), ``TIME``,
            ``FOUND`` (``max_found`` new schemes), ``INTERRUPTED`` or ``LOST`` (executor runs).
        lost_batches: batches that did not come back from their worker (executor runs only;
            their restarts stay pending and were handed out again or are left to a rerun).
    """

    JSON_SKIP = ("schemes",)

    config: SolverConfig
    schemes: tuple[Scheme, ...]
    new: int
    restarts: int
    successes: int
    time_to_first_s: float | None
    elapsed_s: float
    best_residual: float
    best_errors: int | None
    rejected: int
    out: Path
    paths: tuple[str, ...]
    stop: Stop = Stop.BUDGET
    lost_batches: int = 0

    @property
    def distinct(self) -> int:
        """Distinct verified schemes this run produced."""
        return len(self.schemes)

    @property
    def best(self) -> tuple[Scheme, str] | None:
        """The best scheme found and its file: lowest rank, then fewest additions (plain
        evaluation, :meth:`Scheme.counts`), then file name; None if nothing was found."""
        if not self.schemes:
            return None
        k = min(range(len(self.schemes)), key=lambda i: (
            self.schemes[i].rank, self.schemes[i].counts().additions, self.paths[i]))
        return self.schemes[k], self.paths[k]

    @property
    def success_rate(self) -> float:
        return self.successes / self.restarts if self.restarts else 0.0

    def json_extra(self) -> dict:
        best = self.best
        return {"distinct": self.distinct, "success_rate": round(self.success_rate, 4),
                "best": None if best is None else best[1],
                "best_rank": None if best is None else best[0].rank,
                "best_additions": None if best is None else best[0].counts().additions}


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


def _run_batch(config: SolverConfig, T, indices, deadline, params, device):
    return _implementation(config)[1](config, T, indices, deadline, params or default_params(config), device)


def run_search(config: SolverConfig, params=None, progress: bool = False, executor=None) -> DiscoverResult:
    """Run the search described by ``config``; see :func:`discovery.search.solver.discover`.

    With an ``executor`` (:mod:`discovery.search.executor`: local processes or a Dask cluster) the
    batches run there, one per worker at a time (:func:`~discovery.search.solver._parallel.run_search_parallel`).

    On the CPU the run uses ``config.threads`` torch threads (default 1: the tensors are
    small, and on a shared machine extra intra-op threads cost far more in waiting than
    they gain; measured 10x slower with 2 threads under load). The previous setting is
    restored afterwards.
    """
    if executor is not None:
        from discovery.search.solver._parallel import run_search_parallel

        return run_search_parallel(config, executor, params=params, progress=progress)
    device = config.torch_device()
    if device != "cpu":
        return _run(config, params, progress, device)
    before = torch.get_num_threads()
    torch.set_num_threads(config.threads or 1)
    try:
        return _run(config, params, progress, device)
    finally:
        torch.set_num_threads(before)


class RunTally:
    """What a run has found so far: the one door from candidates to results for both search
    loops (here and :func:`~discovery.search.solver._parallel.run_search_parallel`).

    :meth:`batch` stores a finished batch's candidates through the store (exact verification
    happens there; a candidate it rejects is counted in ``rejected``) and marks the batch's
    restarts done; :meth:`result` gives the :class:`DiscoverResult`.
    """

    def __init__(self, config: SolverConfig, store: ResultStore, progress: bool,
                 t0: float | None = None):
        self.config, self.store = config, store
        self.t0 = time.monotonic() if t0 is None else t0  # the run's start (time limit, first)
        self.found: dict[str, tuple[Scheme, str]] = {}
        self.new = self.done = self.successes = self.rejected = 0
        self.first: float | None = None
        self.best_res, self.best_err = math.inf, None
        self.bar = _progress(config, progress)

    def residual(self, value: float) -> None:
        self.best_res = min(self.best_res, value)

    def batch(self, indices, candidates, best_errors: int | None) -> None:
        """Record a finished batch: ``candidates`` are (restart, Scheme) pairs that passed the
        strategy's own check; ``best_errors`` its fewest failing equations (None: unknown)."""
        ok = new = 0
        for _, scheme in candidates:
            try:
                added = self.store.add(scheme)
            except VerificationError:
                self.rejected += 1  # passed the strategy's float check, not the exact one: no result
                continue
            ok += 1
            new += added.is_new
            self.found.setdefault(added.fingerprint, (scheme, str(added.path)))
            if self.first is None:
                self.first = time.monotonic() - self.t0
        self.store.record(list(indices), ok, new)
        self.done += len(indices)
        self.successes += ok
        self.new += new
        if best_errors is not None:
            self.best_err = best_errors if self.best_err is None else min(self.best_err, best_errors)
        if self.bar is not None:
            self.bar.update(len(indices))
            self.bar.set_postfix(found=len(self.found), best_res=f"{self.best_res:.2e}", refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def result(self, stop: Stop, lost_batches: int = 0) -> DiscoverResult:
        return DiscoverResult(
            config=self.config, schemes=tuple(s for s, _ in self.found.values()), new=self.new,
            restarts=self.done, successes=self.successes, time_to_first_s=self.first,
            elapsed_s=time.monotonic() - self.t0, best_residual=self.best_res,
            best_errors=self.best_err, rejected=self.rejected,
            out=self.store.folder, paths=tuple(p for _, p in self.found.values()),
            lost_batches=lost_batches, stop=stop)


def _run(config: SolverConfig, params, progress: bool, device: str) -> DiscoverResult:
    check_params(config, params)
    # memory first: a format too large for this machine is one line, before any allocation
    batch = fit_batch(config, config.batch or default_batch(config), device)
    store = ResultStore(config)
    t0 = time.monotonic()  # the time limit counts from here, building the tensor included
    deadline = None if config.time_limit is None else t0 + config.time_limit
    # data-driven strategies learn from sampled products: the tensor is not even built
    T = None if config.strategy in DATA_ONLY else target_tensor(*config.format, dtype=torch.float64,
                                                                device=device)
    stop = Stop.BUDGET
    n_batches = 0
    tally = RunTally(config, store, progress, t0)
    todo = math.inf if config.restarts is None else config.restarts  # None: until the time limit
    try:
        while tally.done < todo:
            if past(deadline):
                stop = Stop.TIME
                break
            if config.max_found is not None and tally.new >= config.max_found:
                stop = Stop.FOUND
                break
            # small first batches give a quick first result, doubling ones throughput
            size = int(min(batch, max(4, batch >> max(0, 3 - n_batches)), todo - tally.done))
            n_batches += 1
            indices = store.pending(size)
            out = _run_batch(config, T, indices, deadline, params, device)
            if not out.completed:
                stop = Stop.TIME
                break
            tally.residual(float(out.residual.min()))
            candidates = [(i, _to_scheme(config, out, k, i)) for k, i in enumerate(indices)
                          if int(out.errors[k]) == 0]
            tally.batch(indices, candidates, int(out.errors.min()))
    except KeyboardInterrupt:
        stop = Stop.INTERRUPTED
    finally:
        tally.close()
    return tally.result(stop)


def _to_scheme(config: SolverConfig, out, k: int, restart: int) -> Scheme:
    u, v, w = candidate_rows(out.U, out.V, out.W, k)
    # drop products that contribute nothing (a zero factor row): they are not multiplications
    keep = [t for t in range(u.shape[0]) if u[t].any() and v[t].any() and w[t].any()]
    note = f"strategy={config.strategy} restart={restart} rank_requested={config.rank}"
    prov = Provenance.now("spn-solver", seed=config.seed, note=note)
    return Scheme.from_rows(*config.format, u[keep], v[keep], w[keep], ring="ZT", provenance=prov)


def _progress(config: SolverConfig, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=config.restarts, desc=f"<{config.n},{config.m},{config.p}> r{config.rank}",
                unit="restart", file=sys.stderr, dynamic_ncols=True)
