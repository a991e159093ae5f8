"""Progress of a flip-graph search on stderr, through the package's one progress helper
(:class:`discovery._progress.Progress`: a live bar on a terminal, otherwise one plain line every
few seconds, nothing when disabled)."""

from __future__ import annotations

import numpy as np

from discovery._progress import Progress as _Shown


class Progress:
    """Best rank, pool level and sizes, each walker's rank, flips per second."""

    def __init__(self, enabled: bool, config, start_rank: int):
        self.head = f"<{config.n},{config.m},{config.p}> {config.ring}"
        total = config.time_limit
        self.shown = _Shown(f"{self.head} best rank {start_rank}", total=round(total, 1) if total else None,
                            unit="s", enabled=enabled)

    def line(self, now: float, pool, ranks: np.ndarray, flips: int) -> str:
        shown = " ".join(str(int(r)) for r in ranks[:16]) + (" …" if len(ranks) > 16 else "")
        size = len(pool.levels.get(pool.level - 1, {}))
        return (f"pool level {pool.level} ({size} at {pool.level - 1}), walkers [{shown}], "
                f"{flips / max(now, 1e-9) / 1e6:.2f} M flips/s")

    def update(self, now: float, pool, ranks: np.ndarray, flips: int) -> None:
        self.shown.set(now, desc=f"{self.head} best rank {pool.best_rank}", postfix=self.line(now, pool, ranks, flips))

    def close(self) -> None:
        self.shown.close()
