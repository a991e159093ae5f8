"""How much memory a batch of restarts needs, checked before anything is allocated.

A run on a large format (``discover 30 30 30 --rank 5000 --force``) would otherwise die in
the middle of an allocation (or take the machine down with it). The estimate counts the
largest arrays a strategy holds at once; it is deliberately generous (an upper bound up to
constant factors, not a measurement).
"""

from __future__ import annotations

import os

from discovery.search.solver._config import SolverConfig, SolverConfigError

BYTES = 8  # float64 throughout the solver
HEADROOM = 0.8  # use at most this share of the available memory


def estimate_bytes(config: SolverConfig) -> tuple[int, int]:
    """(shared, per_restart) bytes of a batch of restarts of ``config``.

    shared: the target tensor T, (nm, mp, pn), and its integer source, built once.
    per_restart: the reconstruction sum_t u_t⊗v_t⊗w_t and its error (2 × nm·mp·pn), the
    MTTKRP intermediate (s²·r with s the largest side), the masked re-fit systems (s·r²) and
    the factors with their copies and gradients (about 12·(nm+mp+pn)·r).
    """
    n, m, p = config.format
    r = config.rank
    a, b, c = n * m, m * p, p * n
    s = max(a, b, c)
    shared = 2 * a * b * c * BYTES
    per = (2 * a * b * c + s * s * r + s * r * r + 12 * (a + b + c) * r) * BYTES
    return shared, per


def available_bytes(device: str) -> int | None:
    """Free memory on ``device`` ("cpu" or "cuda"), or None when it cannot be read."""
    if device != "cpu":
        import torch

        try:
            return int(torch.cuda.mem_get_info()[0])
        except (RuntimeError, AssertionError):
            return None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def _gb(x: float) -> str:
    return f"{x / 2**30:.1f} GiB" if x >= 2**27 else f"{x / 2**20:.0f} MiB"


def fit_batch(config: SolverConfig, batch: int, device: str, available: int | None = None) -> int:
    """The largest batch size <= ``batch`` whose estimate fits in the free memory of ``device``.

    Raises :class:`SolverConfigError` (one line: what is needed, what is free, what to change)
    when not even one restart fits. ``available`` overrides the measured free memory (tests).
    """
    free = available_bytes(device) if available is None else available
    if free is None:
        return batch
    shared, per = estimate_bytes(config)
    budget = free * HEADROOM - shared
    fits = int(budget // per) if budget > 0 else 0
    if fits < 1:
        c = config
        raise SolverConfigError(
            f"<{c.n},{c.m},{c.p}> rank {c.rank} needs about {_gb(shared + per)} for one restart on "
            f"{device} (estimate; the target tensor alone is {_gb(shared)}), but only {_gb(free)} is "
            "free: choose a smaller format or rank")
    return min(batch, fits)
