"""The SPN solver: learn exact ternary matrix multiplication algorithms.

``discover(n, m, p, rank, ...)`` runs many restarts of a strategy ("als", the default;
"adam"; "paper" and "paper-fixed", the StrassenNets baseline; "sgd", the SPN trained only on
sampled products), verifies every rounded candidate exactly and stores the distinct verified
schemes under ``runs/discover/<n>x<m>x<p>/`` (or ``out``); see :mod:`._search`.
"""

from __future__ import annotations

from discovery._lazy import lazy_exports

from discovery.search.solver._config import SOLVER_MODULES as SOLVER_MODULES
from discovery.search.solver._config import STRATEGIES as STRATEGIES
from discovery.search.solver._config import SolverConfig as SolverConfig
from discovery.search.solver._config import SolverConfigError as SolverConfigError

# The strategies import torch: they load on first use (see discovery/_lazy.py); this dict is
# the one list of them (``__all__`` below adds it to the eager names).
_TORCH_EXPORTS = {
    "AdamParams": "._adam",
    "run_adam": "._adam",
    "ALSParams": "._als",
    "als_params_for": "._als",
    "run_als": "._als",
    "BatchOutcome": "._batch",
    "restart_generator": "._batch",
    "data_loss": "._loss",
    "random_products": "._loss",
    "rounded_errors": "._loss",
    "target_tensor": "._loss",
    "tensor_loss": "._loss",
    "PaperParams": "._paper",
    "run_paper": "._paper",
    "SGDParams": "._sgd",
    "run_sgd": "._sgd",
    "sgd_params_for": "._sgd",
    "DiscoverResult": "._search",
    "SeedsSummary": "._seeds",
    "discover_over_seeds": "._seeds",
    "run_search": "._search",
    "ResultStore": "._store",
}
__getattr__, __dir__ = lazy_exports(__name__, _TORCH_EXPORTS)

def discover(n: int, m: int, p: int, rank: int, *, restarts: int | None = 64,
             time_limit: float | None = None, seed: int = 0, device: str = "auto",
             strategy: str = "als", out: str | None = None, batch: int | None = None,
             force: bool = False, max_found: int | None = None, threads: int | None = None,
             params=None,
             progress: bool = False, executor=None) -> DiscoverResult:
    """Search for exact ternary schemes for <n, m, p> with ``rank`` products.

    Args:
        n, m, p, rank: the format and the number of multiplications r.
        restarts: new restarts to run (a folder that already has some is extended); None:
            restarts continue until ``time_limit`` is up.
        time_limit: seconds (None: none). seed: base seed (restart i is (seed, i)).
        device: "auto", "cpu" or "cuda". strategy: see :data:`STRATEGIES`.
        out: output folder (default ``runs/discover/<n>x<m>x<p>`` under the current folder).
        batch: restarts per tensor. force: allow n*m*p > 10^4.
        max_found: stop after this many new schemes. threads: CPU threads (default 1).
        params: ALSParams / AdamParams / PaperParams / SGDParams (None: the strategy's defaults).
        progress: show a tqdm bar on stderr.
        executor: run the batches on a :mod:`discovery.search.executor` executor (local processes or
            a Dask cluster); None: one after the other in this process.
    Returns:
        :class:`DiscoverResult` with the verified schemes and the run's statistics.
    Raises:
        SolverConfigError (a DiscoveryError) on bad input, before any work starts.
    """
    config = SolverConfig(n=n, m=m, p=p, rank=rank, restarts=restarts, time_limit=time_limit,
                          seed=seed, device=device, strategy=strategy, out=out, batch=batch,
                          force=force, max_found=max_found, threads=threads)
    from discovery.search.solver._search import run_search

    return run_search(config, params=params, progress=progress, executor=executor)


__all__ = ["discover", "SolverConfig", "SolverConfigError", "SOLVER_MODULES", "STRATEGIES", *_TORCH_EXPORTS]
