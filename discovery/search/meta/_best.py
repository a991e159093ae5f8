"""The best verified schemes of every format of a family: in memory, and in one folder per format.

Each format's folder (``<out>/NxMxP/``) is a :class:`~discovery.search.store.SchemeStore`, the one
door into a folder: a scheme is verified over the search's ring before it is written. A rerun reads
the folders back (resume); the reference rank of a format is the shipped best-known rank, or the
best held here where the table has none.
"""

from __future__ import annotations

from pathlib import Path

from discovery.core.scheme import Scheme
from discovery.core.transforms import fingerprint
from discovery.ranks.best_known import best_known
from discovery.search.store import SchemeStore

Format = tuple[int, int, int]


def folder_name(fmt: Format) -> str:
    return "x".join(map(str, fmt))


def table_rank(fmt: Format, ring: str) -> int | None:
    """The shipped best-known rank of ``fmt``: the ZT column for ZT walks, the lowest (Q) for walks
    modulo a prime (the table records no modular ranks); None where the table has no entry."""
    known = best_known(fmt)
    if known is None:
        return None
    return known.rank("ZT" if ring == "ZT" else "Q")


class BestSchemes:
    """Per format: the lowest rank held and up to ``keep`` distinct schemes of that rank.

    Args:
        formats: the family (sorted formats). ring: the ring schemes are verified over.
        keep: schemes kept per format at its best rank. out: the parent folder of the format
            folders (None: memory only).
    """

    def __init__(self, formats: tuple[Format, ...], ring: str, keep: int, out: str | Path | None = None):
        self.ring = ring
        self.keep = keep
        self.schemes: dict[Format, list[Scheme]] = {f: [] for f in formats}
        self.keys: dict[Format, set[str]] = {f: set() for f in formats}
        self.stores = ({f: SchemeStore(Path(out) / folder_name(f), f, ring) for f in formats}
                       if out is not None else {})
        self.new = 0

    def load(self) -> None:
        """Take the lowest-rank schemes each format's folder holds (a rerun resumes from them)."""
        for store in self.stores.values():
            held, _skipped = store.existing()
            for s in sorted(held, key=lambda s: s.rank):
                self.offer(s, write=False)

    def rank(self, fmt: Format) -> int | None:
        got = self.schemes[fmt]
        return got[0].rank if got else None

    def reference(self, fmt: Format) -> int | None:
        """The shipped best-known rank of ``fmt`` for this ring, else the best held here."""
        known = table_rank(fmt, self.ring)
        return known if known is not None else self.rank(fmt)

    def offer(self, s: Scheme, write: bool = True) -> bool:
        """Keep ``s`` if it is below the best rank held for its format, or at it while fewer than
        ``keep`` are held; written to the format's folder when ``write``. True if it lowered the rank."""
        fmt = s.format
        best = self.rank(fmt)
        if best is not None and (s.rank > best or (s.rank == best and len(self.schemes[fmt]) >= self.keep)):
            return False
        store = self.stores.get(fmt) if write else None
        if store is not None:
            added = store.add(s)
            key = added.fingerprint
            self.new += added.is_new
        else:
            key = fingerprint(s)
        lowered = best is None or s.rank < best
        if lowered:
            self.schemes[fmt], self.keys[fmt] = [], set()
        if key in self.keys[fmt]:
            return False
        self.schemes[fmt].append(s)
        self.keys[fmt].add(key)
        return lowered and best is not None
