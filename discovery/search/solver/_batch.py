"""What a strategy returns for one batch of restarts, how restarts are seeded, and the
deadline check every strategy shares."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np
import torch


def past(deadline: float | None) -> bool:
    """True once ``deadline`` (a ``time.monotonic()`` value; None: no deadline) has passed."""
    return deadline is not None and time.monotonic() > deadline


def restart_generator(seed: int, restart: int, stream: int = 0) -> torch.Generator:
    """The random generator of restart ``restart`` of a run with base ``seed``.

    Seeded from ``numpy.random.SeedSequence([seed, restart, stream])``, so restarts are
    identified by (seed, index), independent of how they are batched, and distinct across
    seeds; ``stream`` separates independent uses within a restart (0: the initial point).
    """
    key = [int(seed), int(restart)] + ([int(stream)] if stream else [])
    state = np.random.SeedSequence(key).generate_state(2, dtype=np.uint32)
    return torch.Generator().manual_seed(int(state[0]) << 32 | int(state[1]))


def init_factors(shape_a: int, shape_b: int, shape_c: int, r: int, seed: int, restarts,
                 scale: float, dtype=torch.float64, device="cpu"):
    """Gaussian initial factors ``U (K, a, r), V (K, b, r), W (K, c, r)`` with std ``scale``.

    Each restart's slice comes from its own :func:`restart_generator`.
    """
    out = [[], [], []]
    for i in restarts:
        g = restart_generator(seed, i)
        for j, s in enumerate((shape_a, shape_b, shape_c)):
            out[j].append(torch.randn(s, r, generator=g, dtype=dtype) * scale)
    return tuple(torch.stack(x).to(device) for x in out)


def restart_noise(like: torch.Tensor, seed: int, restarts, stream: int) -> torch.Tensor:
    """Standard Gaussian noise shaped like ``like`` (K, ...), row k from restart ``restarts[k]``."""
    rows = [torch.randn(like.shape[1:], generator=restart_generator(seed, i, stream), dtype=like.dtype)
            for i in restarts]
    return torch.stack(rows).to(like.device)


@dataclass(frozen=True)
class BatchOutcome:
    """Result of a batch of K restarts run together.

    Attributes:
        U, V, W: final factors (K, nm, r), (K, mp, r), (K, pn, r); entries already rounded
            where the strategy fixed them.
        errors: (K,) int, failing Brent equations after rounding to {-1, 0, 1}; 0 = candidate.
        residual: (K,) float, the least-squares loss ||sum u⊗v⊗w - T||² the restart reached
            before rounding (how close it came).
        completed: False when the deadline cut the batch short (then no restart counts).
    """

    U: torch.Tensor
    V: torch.Tensor
    W: torch.Tensor
    errors: torch.Tensor
    residual: torch.Tensor
    completed: bool = True

    @classmethod
    def unfinished(cls, U: torch.Tensor, V: torch.Tensor, W: torch.Tensor,
                   residual: torch.Tensor | None = None) -> "BatchOutcome":
        """A batch the deadline cut short: the factors as they are, no candidate (errors -1)
        and the residuals known so far (default: inf for every restart)."""
        K = U.shape[0]
        if residual is None:
            residual = torch.full((K,), math.inf, dtype=U.dtype, device=U.device)
        errors = torch.full((K,), -1, dtype=torch.long, device=U.device)
        return cls(U.detach(), V.detach(), W.detach(), errors, residual, completed=False)
