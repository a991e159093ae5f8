"""Rank upper bounds from a library of schemes, composed into new, verified schemes.

Rank is invariant under permuting the format (via :func:`~discovery.core.transforms.transpose`
and :func:`~discovery.core.transforms.cyclic`), adds under direct sums (splitting a dimension)
and multiplies under Kronecker products. :class:`RankTable` runs that dynamic programme
over all formats up to a size, remembers how each bound was reached, and :meth:`RankTable.build`
constructs the scheme itself, which is verified exactly before it is returned. The figure
comparing the bounds with the best known ranks is in :mod:`discovery.ranks.figures`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from discovery.core.known import standard
from discovery.core.scheme import Scheme
from discovery.core.transforms import cyclic, direct_sum, kron, transpose
from discovery.core.verify import require_valid
from discovery.errors import DiscoveryError
from discovery.ranks.best_known import BestKnown

Format = tuple[int, int, int]


def permuted(s: Scheme, fmt: Format) -> Scheme:
    """A scheme for ``fmt`` from ``s`` when ``fmt`` is a permutation of ``s.format``."""
    cur = s
    for _ in range(3):
        for cand in (cur, transpose(cur)):
            if cand.format == tuple(fmt):
                return cand
        cur = cyclic(cur)
    raise DiscoveryError(f"{fmt} is not a permutation of the format {s.format}")


@dataclass(frozen=True)
class Entry:
    """How the bound for one (sorted) format is reached.

    ``how`` is "library", "split-n"/"split-m"/"split-p" (direct sum of ``parts``) or "kron".
    """

    rank: int
    how: str
    parts: tuple[Format, ...] = ()


class RankTable:
    """Best composed rank for every sorted format n <= m <= p <= ``max_dim``.

    Args:
        library: schemes to start from (any formats; the lowest rank per format is kept).
            The standard algorithm is always available.
        max_dim: largest dimension in the table.
    """

    def __init__(self, library: list[Scheme], max_dim: int = 6):
        if max_dim < 1:
            raise DiscoveryError("max_dim must be a positive integer")
        self.max_dim = max_dim
        self.library: dict[Format, Scheme] = {}
        for s in library:
            key = tuple(sorted(s.format))
            if key not in self.library or s.rank < self.library[key].rank:
                self.library[key] = s
        self.table: dict[Format, Entry] = {}
        self._built: dict[Format, Scheme] = {}
        fmts = sorted(
            (f for f in itertools.combinations_with_replacement(range(1, max_dim + 1), 3)),
            key=lambda f: (f[0] * f[1] * f[2], f),
        )
        for f in fmts:
            self.table[f] = self._best(f)

    def rank(self, fmt: Format) -> int:
        return self.table[tuple(sorted(fmt))].rank

    def _best(self, f: Format) -> Entry:
        n, m, p = f
        best = Entry(n * m * p, "standard")
        if f in self.library and self.library[f].rank < best.rank:
            best = Entry(self.library[f].rank, "library")
        for axis, d in zip("nmp", range(3)):
            for a in range(1, f[d] // 2 + 1):
                g1, g2 = list(f), list(f)
                g1[d], g2[d] = a, f[d] - a
                r = self.rank(g1) + self.rank(g2)
                if r < best.rank:
                    best = Entry(r, f"split-{axis}", (tuple(g1), tuple(g2)))
        for d1 in itertools.product(*(_divisors(x) for x in f)):
            d2 = tuple(x // y for x, y in zip(f, d1))
            if 1 in (d1[0] * d1[1] * d1[2], d2[0] * d2[1] * d2[2]):
                continue
            r = self.rank(d1) * self.rank(d2)
            if r < best.rank:
                best = Entry(r, "kron", (d1, d2))
        return best

    def build(self, fmt: Format) -> Scheme:
        """Construct a scheme for ``fmt`` (any order of n, m, p) reaching the table's rank.

        The scheme is verified exactly (:func:`~discovery.core.verify.require_valid`) once; asking
        again for the same format returns the same (already verified) object.
        """
        fmt = tuple(int(x) for x in fmt)
        if len(fmt) != 3 or min(fmt) < 1 or max(fmt) > self.max_dim:
            raise DiscoveryError(f"format {fmt} is outside this table (dimensions 1..{self.max_dim})")
        if fmt not in self._built:
            s = self._build_sorted(tuple(sorted(fmt)))
            self._built[fmt] = require_valid(permuted(s, fmt))
        return self._built[fmt]

    def _build_sorted(self, f: Format) -> Scheme:
        e = self.table[f]
        if e.how == "standard":
            return standard(*f)
        if e.how == "library":
            return permuted(self.library[f], f)
        a, b = (permuted(self._build_sorted(tuple(sorted(g))), g) for g in e.parts)
        if e.how == "kron":
            return kron(a, b)
        return direct_sum(a, b, e.how[-1])


def _divisors(x: int) -> list[int]:
    return [d for d in range(1, x + 1) if x % d == 0]


def compare(tables: dict[str, RankTable], best: dict[Format, BestKnown], max_dim: int,
            ring: str = "Q") -> list[dict]:
    """Rows (format, rank per table, best known over ``ring``) for sorted formats <= max_dim.

    ``best``: a best-known table (:func:`discovery.ranks.best_known.best_known_table`)."""
    rows = []
    for f in itertools.combinations_with_replacement(range(2, max_dim + 1), 3):
        row = {"n": f[0], "m": f[1], "p": f[2], "standard": f[0] * f[1] * f[2]}
        for name, tab in tables.items():
            row[name] = tab.rank(f)
        if f in best:
            row[f"best_known_{ring}"] = best[f].rank(ring)
        rows.append(row)
    return rows
