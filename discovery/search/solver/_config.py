"""The frozen configuration of a discovery run, validated before any work starts."""

from __future__ import annotations

import numbers
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from discovery.errors import DiscoveryError

# Strategy names and one line each; the implementations live in _als.py, _adam.py, _paper.py, _sgd.py.
STRATEGIES: dict[str, str] = {
    "als": "batched alternating least squares, then progressive rounding with masked re-fits "
           "(default: the fastest and most reliable by measurement, see benchmarks/discover.py)",
    "adam": "Adam on the exact tensor loss with an annealed ternary penalty, then the same "
            "progressive rounding as 'als' (slower: kept as a measured alternative)",
    "paper": "StrassenNets: SPN trained on random products, full precision -> ternary (TWN + STE) "
             "-> fine-tune with fixed ternary weights",
    "paper-fixed": "as 'paper' with the fixed-threshold ternarizer (|w| > 0.05) instead of TWN",
    "sgd": "the paper's SPN trained only on sampled products (A, B, AB), never the tensor: Adam "
           "with lr decay, an annealed ternary penalty, culling, then sparsification and progressive "
           "rounding with re-fits on fresh samples (or Elser's conservative rule, rule=conservative)",
}
# What a batch imports (:mod:`._task`): the modules an executor warms up before the first batch.
# The caller hands them to ``warm_up``; the executor knows nothing of the solver.
SOLVER_MODULES = ("discovery.search.solver._task",)
# strategies that learn from sampled products only: the search never builds the tensor for them
DATA_ONLY = ("sgd",)
DEVICES = ("auto", "cpu", "cuda")
MAX_TENSOR_SIZE = 10_000  # n*m*p beyond this needs force=True


class SolverConfigError(DiscoveryError):
    """A discovery run was configured with bad values (names the field and the fix)."""


def _positive_int(name: str, x) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral) or x < 1:
        raise SolverConfigError(f"{name} must be a positive integer, got {x!r}")
    return int(x)


def default_out(n: int, m: int, p: int) -> Path:
    """Default output folder of the format: ``runs/discover/<n>x<m>x<p>`` under the current folder.

    ``runs/`` is ignored by git, so a run never writes into a repository's tracked files by
    accident; verified schemes worth keeping are copied to ``results/schemes/`` on purpose.
    """
    return Path("runs") / "discover" / f"{n}x{m}x{p}"


@dataclass(frozen=True)
class SolverConfig:
    """Everything that defines a discovery run (written beside its results as run state).

    Attributes:
        n, m, p: the format <n, m, p>; A is n×m, B is m×p.
        rank: r, the number of products (hidden width of the SPN).
        restarts: how many new restarts this run performs (a resumed run extends the folder);
            None: as many as the time limit allows (then ``time_limit`` is required).
        time_limit: wall-clock seconds for this run (None: no limit).
        seed: base seed; restart i draws its randomness from
            ``numpy.random.SeedSequence([seed, i])`` (see
            :func:`discovery.search.solver._batch.restart_generator`), so a restart is identified by
            (seed, i) whatever batch it runs in.
        device: "auto" (cuda if available, else cpu), "cpu" or "cuda".
        strategy: one of :data:`STRATEGIES`.
        out: output folder (None: ``runs/discover/<n>x<m>x<p>``, see :func:`default_out`).
        batch: restarts run together in one tensor (None: chosen by strategy and size).
        force: allow n*m*p > 10^4.
        max_found: stop once this many new distinct schemes were found (None: no limit).
        threads: torch CPU threads during the run (None: 1, see ``run_search``).
    """

    n: int
    m: int
    p: int
    rank: int
    restarts: int | None = 64
    time_limit: float | None = None
    seed: int = 0
    device: str = "auto"
    strategy: str = "als"
    out: str | None = None
    batch: int | None = None
    force: bool = False
    max_found: int | None = None
    threads: int | None = None

    def __post_init__(self):
        for name in ("n", "m", "p", "rank"):
            object.__setattr__(self, name, _positive_int(name, getattr(self, name)))
        if self.restarts is not None:
            object.__setattr__(self, "restarts", _positive_int("restarts", self.restarts))
        elif self.time_limit is None:
            raise SolverConfigError("restarts=None (run until the time is up) needs a time_limit; "
                                    "give one, or a number of restarts")
        if self.batch is not None:
            object.__setattr__(self, "batch", _positive_int("batch", self.batch))
        if self.threads is not None:
            object.__setattr__(self, "threads", _positive_int("threads", self.threads))
        if self.max_found is not None:
            object.__setattr__(self, "max_found", _positive_int("max_found", self.max_found))
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) or self.seed < 0:
            raise SolverConfigError(f"seed must be a non-negative integer, got {self.seed!r}")
        if self.time_limit is not None:
            if isinstance(self.time_limit, bool) or not isinstance(self.time_limit, numbers.Real) \
                    or not self.time_limit > 0 or self.time_limit == float("inf"):
                raise SolverConfigError(
                    f"time_limit must be a positive number of seconds, got {self.time_limit!r}")
        size = self.n * self.m * self.p
        if size > MAX_TENSOR_SIZE and not self.force:
            raise SolverConfigError(
                f"format <{self.n},{self.m},{self.p}> has n*m*p = {size} > {MAX_TENSOR_SIZE}; "
                "pass force=True (--force) if you really mean it")
        if self.strategy not in STRATEGIES:
            raise SolverConfigError(
                f"unknown strategy {self.strategy!r}; use one of {', '.join(STRATEGIES)}")
        if self.device not in DEVICES:
            raise SolverConfigError(f"unknown device {self.device!r}; use one of {', '.join(DEVICES)}")
        if self.device == "cuda":
            import torch

            if not torch.cuda.is_available():
                raise SolverConfigError("device 'cuda' requested but CUDA is not available; use cpu or auto")

    @property
    def format(self) -> tuple[int, int, int]:
        return (self.n, self.m, self.p)

    @property
    def out_dir(self) -> Path:
        return Path(self.out) if self.out is not None else default_out(self.n, self.m, self.p)

    def torch_device(self) -> str:
        """The device the tensors live on ("auto" resolved)."""
        if self.device != "auto":
            return self.device
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"

    def check_writable(self) -> Path:
        """Create the output folder if needed and check it is writable; return it."""
        out = self.out_dir
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SolverConfigError(f"cannot create output folder {out}: {exc.strerror or exc}") from None
        if not out.is_dir() or not os.access(out, os.W_OK | os.X_OK):
            raise SolverConfigError(f"output folder {out} is not writable; choose another with --out")
        return out

    def to_json(self) -> dict:
        """JSON-ready dict of the fields."""
        return asdict(self)
