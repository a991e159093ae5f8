"""The pool strategy of a flip-graph search: levels of distinct schemes, one per rank.

Kauers & Moosbauer descend with pools: many distinct schemes at rank r, each walked for at
most ``path_limit`` flips; the reductions found fill the pool at r-1, and the search moves
down once that pool is full. Here:

* every verified scheme a walker reaches is offered to the level of its rank (distinct by
  canonical fingerprint, at most ``pool_size`` per level);
* the *pool level* is the rank walkers restart from. It moves down to r-1 once level r-1
  holds ``pool_size`` schemes, or ``pool_min`` of them after ``patience`` walks at the
  current level (``pool_min=1, patience=0``: greedy, every new best rank at once);
* a restart takes a member of the pool level, uniformly or weighted by the flips it offers.

One object serves the local search (threads, :mod:`._search`) and the executors'
(:mod:`._slices`), so both descend the same way. All random choices come from one seeded
generator, so a run is reproducible for a given seed and walker count.
"""

from __future__ import annotations

import time

import numpy as np

from discovery.core.scheme import Scheme
from discovery.core.transforms import fingerprint
from discovery.search.flips._config import FlipConfig, FlipResult
from discovery.search.flips._encode import encode


class Member:
    """A pool member: the scheme, its masks and the number of flips it offers."""

    __slots__ = ("scheme", "pos", "neg", "flips")

    def __init__(self, scheme: Scheme, pos: np.ndarray, neg: np.ndarray, flips: int):
        self.scheme, self.pos, self.neg, self.flips = scheme, pos, neg, flips


def available_flips(pos: np.ndarray, neg: np.ndarray, ring: str) -> int:
    """Pairs of terms whose factor x agrees up to sign, summed over x (masks (3, r, W))."""
    total = 0
    for x in range(3):
        a = np.concatenate([pos[x], neg[x]], axis=1)
        b = np.concatenate([neg[x], pos[x]], axis=1) if ring != "Z2" else a
        keys = [min(a[t].tobytes(), b[t].tobytes()) for t in range(a.shape[0])]
        _, counts = np.unique(np.array(keys, dtype=object), return_counts=True)
        total += int((counts * (counts - 1) // 2).sum())
    return total


class Pool:
    """Levels of distinct verified schemes (see the module docstring).

    Args:
        config: the search settings (pool_size, pool_min, patience, select, save_limit).
        starts: verified start schemes (they form the first level(s)).
        store: a :class:`~discovery.search.store.SchemeStore` for the output (or None).
    """

    def __init__(self, config: FlipConfig, starts: list[Scheme], store=None):
        self.config = config
        self.store = store
        self.rng = np.random.default_rng([config.seed, config.n_walkers, 11])
        self.levels: dict[int, dict[str, Member]] = {}
        self.saved: dict[int, int] = {}
        self.distinct = 0
        self.new = 0
        self.walks = 0
        self.walks_at_level = 0
        self.t0 = time.perf_counter()
        self.start_rank = min(s.rank for s in starts)
        self.level = self.start_rank
        self.best_rank = self.start_rank
        self.time_to_best = 0.0
        self.history: list[tuple[float, int]] = [(0.0, self.start_rank)]
        for s in starts:
            self.add(s, count=False)

    # ---- levels --------------------------------------------------------------------------
    def add(self, s: Scheme, count: bool = True) -> bool:
        """Offer a verified scheme to the level of its rank; True when it is new there."""
        level = self.levels.setdefault(s.rank, {})
        if len(level) >= self.config.pool_size:
            return False
        fp = fingerprint(s)
        if fp in level:
            return False
        pos, neg = encode(s, self.config.ring)
        level[fp] = Member(s, pos, neg, available_flips(pos, neg, self.config.ring)
                           if self.config.select == "flips" else 0)
        if s.rank < self.best_rank:
            self.best_rank = s.rank
            self.time_to_best = time.perf_counter() - self.t0
            self.history.append((self.time_to_best, s.rank))
        if count and s.rank < self.start_rank:
            self.distinct += 1
            self._save(s)
        return True

    def _save(self, s: Scheme) -> None:
        if self.store is None or s.rank > self.best_rank:
            return
        if self.saved.get(s.rank, 0) >= self.config.save_limit:
            return
        if self.store.add(s).is_new:
            self.new += 1
            self.saved[s.rank] = self.saved.get(s.rank, 0) + 1

    def descend(self) -> bool:
        """Move the pool level down where the rule allows (see the module docstring)."""
        c = self.config
        moved = False
        while True:
            below = self.levels.get(self.level - 1, {})
            full = len(below) >= c.pool_size
            enough = len(below) >= c.pool_min and self.walks_at_level >= c.patience
            if not below or not (full or enough):
                return moved
            self.level -= 1
            self.walks_at_level = 0
            moved = True

    # ---- restarts ------------------------------------------------------------------------
    def pick(self, climb: int = 0) -> Member:
        """A member of the pool level to restart a walk from (counts the walk). ``climb`` > 0:
        of the level that many ranks above instead (the nearest non-empty one at or below it,
        never above the start's rank: a stale walker's fresh descent)."""
        level = self.level
        if climb > 0:
            top = min(self.level + climb, self.start_rank)
            level = max(r for r, v in self.levels.items() if v and self.level <= r <= top)
        members = list(self.levels[level].values())
        self.walks += 1
        self.walks_at_level += 1
        if self.config.select == "flips" and len(members) > 1:
            weights = np.array([m.flips + 1.0 for m in members])
            return members[int(self.rng.choice(len(members), p=weights / weights.sum()))]
        return members[int(self.rng.integers(len(members)))]

    def follows(self) -> bool:
        """Whether a walker that just reduced goes on from its own scheme."""
        f = self.config.follow
        return f >= 1.0 or (f > 0.0 and self.rng.random() < f)

    def best(self) -> tuple[Scheme, ...]:
        """The distinct schemes of the best rank."""
        return tuple(m.scheme for m in self.levels[self.best_rank].values())

    def level_sizes(self) -> dict[int, int]:
        return {r: len(v) for r, v in sorted(self.levels.items())}


def pool_result(config, pool: Pool, flips, attempts, rejected, stop, elapsed, store, executor="threads",
                lost=0) -> FlipResult:
    """The :class:`FlipResult` of a search that ran around ``pool``."""
    schemes = pool.best()
    return FlipResult(config, pool.best_rank, schemes[0], schemes, pool.start_rank, pool.time_to_best, flips,
                      attempts, flips / elapsed if elapsed > 0 else 0.0, pool.walks, pool.distinct, pool.new,
                      rejected, pool.level_sizes(), tuple(pool.history), stop, elapsed, executor, lost,
                      store.folder if store is not None else None)


def write_record(store, config: FlipConfig, pool: Pool, state: str, result: FlipResult | None = None) -> None:
    """The run record ``run-flips-RING-seedS.json`` in the output folder (written atomically)."""
    payload = {"command": "flip", "state": state, "config": config.to_json(), "best_rank": pool.best_rank,
               "history": pool.history, "levels": pool.level_sizes()}
    if result is not None:
        payload["result"] = result.to_json()
    store.record(f"run-flips-{config.ring}-seed{config.seed}.json", payload)
