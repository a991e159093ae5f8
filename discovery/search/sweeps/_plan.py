"""Which ranks a sweep tries for a format (from the composed bound and the best known rank)."""

from __future__ import annotations

from functools import lru_cache

from discovery.ranks.best_known import best_known

Format = tuple[int, int, int]


@lru_cache(maxsize=None)
def _textbook_table(max_dim: int):
    from discovery.ranks.bounds import RankTable
    from discovery.core.known import laderman, strassen

    return RankTable([strassen(), laderman()], max_dim)


def composed_bound(fmt: Format) -> int:
    """Rank of the best scheme composed from Strassen and Laderman (direct sums, Kronecker products)."""
    return _textbook_table(max(fmt)).rank(fmt)


def start_rank(fmt: Format, margin: int) -> int:
    """Where "auto" starts: min(composed bound, best known ZT rank + margin)."""
    bk = best_known(fmt)
    start = composed_bound(fmt)
    if bk is not None:
        start = min(start, bk.ZT + margin)
    return start


def floor_rank(fmt: Format) -> int:
    """Lowest rank worth a cell: a proven lower bound where the table has one, else 1."""
    bk = best_known(fmt)
    return bk.lower_bound if bk is not None and bk.lower_bound else 1


def planned_ranks(fmt: Format, ranks: tuple[int, int] | None, margin: int) -> list[int]:
    """Ranks to try, highest first. For "auto" (``ranks`` None) the sweep stops early at the
    first cell that finds nothing; an explicit range tries every rank (clipped to n·m·p)."""
    n, m, p = fmt
    if ranks is None:
        return list(range(start_rank(fmt, margin), floor_rank(fmt) - 1, -1))
    lo, hi = ranks
    return list(range(min(hi, n * m * p), lo - 1, -1))
