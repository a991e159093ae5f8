"""The best known ranks of small formats, shipped with the package (``discovery/data/``).

The table and its sources are described in ``discovery/data/README.md`` (upper bounds from the
flip-graph scheme collection, MIT licence; two proven lower bounds).
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from discovery.errors import DiscoveryError

Format = tuple[int, int, int]


@dataclass(frozen=True)
class BestKnown:
    """Best known ranks of one format (sorted n <= m <= p).

    Attributes:
        ZT, Z, Q: best known rank with coefficients in {-1, 0, 1}, in the integers, in the rationals.
        lower_bound: a proven lower bound on the rank (None where the table records none).
        lower_bound_source: who proved it.
    """

    n: int
    m: int
    p: int
    ZT: int
    Z: int
    Q: int
    lower_bound: int | None = None
    lower_bound_source: str = ""

    def rank(self, ring: str) -> int:
        return {"ZT": self.ZT, "Z": self.Z, "Q": self.Q}[ring]


def _parse(text: str, where: str) -> dict[Format, BestKnown]:
    out = {}
    for q, row in enumerate(csv.DictReader(text.splitlines()), 2):
        try:
            f = (int(row["n"]), int(row["m"]), int(row["p"]))
            lb = (row.get("lower_bound") or "").strip()
            out[f] = BestKnown(*f, int(row["rank_ZT"]), int(row["rank_Z"]), int(row["rank_Q"]),
                               int(lb) if lb else None, (row.get("lower_bound_source") or "").strip())
        except (KeyError, TypeError, ValueError):
            raise DiscoveryError(f"{where}: line {q} needs integer columns n,m,p,rank_ZT,rank_Z,rank_Q") from None
    return out


@lru_cache(maxsize=None)
def _packaged() -> dict[Format, BestKnown]:
    text = resources.files("discovery").joinpath("data", "best_known_ranks.csv").read_text()
    return _parse(text, "discovery/data/best_known_ranks.csv")


def best_known_table(path: str | os.PathLike | None = None) -> dict[Format, BestKnown]:
    """The table: sorted format -> :class:`BestKnown` (the packaged one unless ``path`` is given).

    The one reader of a ``best_known_ranks.csv`` (columns n,m,p,rank_ZT,rank_Z,rank_Q and,
    optionally, lower_bound,lower_bound_source; n <= m <= p)."""
    if path is None:
        return dict(_packaged())
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DiscoveryError(f"{path}: cannot read ({exc.strerror})") from None
    return _parse(text, str(path))


def best_known(fmt) -> BestKnown | None:
    """The packaged entry of ``fmt`` (any order of n, m, p), or None if the table has none."""
    return _packaged().get(tuple(sorted(int(x) for x in fmt)))
