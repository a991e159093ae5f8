"""Progress of a flip-graph search on stderr: a live bar on a terminal (tqdm), otherwise one
plain line every few seconds (a log file gets no carriage-return updates)."""

from __future__ import annotations

import sys


import numpy as np

PLAIN_EVERY_S = 5.0


class Progress:
    """Best rank, pool level and sizes, each walker's rank, flips per second."""

    def __init__(self, enabled: bool, config, start_rank: int):
        self.enabled = enabled
        self.bar = None
        self.last = 0.0
        self.head = f"<{config.n},{config.m},{config.p}> {config.ring}"
        self.total = config.time_limit
        if enabled and sys.stderr.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=round(self.total, 1) if self.total else None, leave=False,
                            desc=f"{self.head} best rank {start_rank}",
                            bar_format="{desc} {bar:12} {n:.0f}/{total_fmt} s{postfix}")

    def line(self, now: float, pool, ranks: np.ndarray, flips: int) -> str:
        shown = " ".join(str(int(r)) for r in ranks[:16]) + (" …" if len(ranks) > 16 else "")
        size = len(pool.levels.get(pool.level - 1, {}))
        return (f"pool level {pool.level} ({size} at {pool.level - 1}), walkers [{shown}], "
                f"{flips / max(now, 1e-9) / 1e6:.2f} M flips/s")

    def update(self, now: float, pool, ranks: np.ndarray, flips: int) -> None:
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.set_description_str(f"{self.head} best rank {pool.best_rank}", refresh=False)
            self.bar.set_postfix_str(self.line(now, pool, ranks, flips), refresh=False)
            self.bar.n = min(now, self.bar.total) if self.bar.total else now
            self.bar.refresh()
        elif now - self.last >= PLAIN_EVERY_S:
            self.last = now
            print(f"{self.head} {now:.0f} s: best rank {pool.best_rank}, {self.line(now, pool, ranks, flips)}",
                  file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
