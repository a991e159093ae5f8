"""Compile every numba kernel of the package once, so later runs load them from numba's disk cache.

Each group of kernels (:data:`discovery._kernels.GROUPS`) is compiled by a tiny real workload
through the public API (a short flip walk on <2,2,2>, simplifying Strassen's additions, lifting
Strassen reduced modulo 2 and 3); then numba's cache index is read back for every kernel, so the
report says what is cached, not what was hoped for.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from discovery import _kernels
from discovery._kernels import watch_compiles as watch_compiles


@dataclass(frozen=True)
class WarmedGroup:
    """What warming one group did.

    Attributes:
        name: the group (``flip``, ``CSE``, ``lift``).
        kernels: its kernels that numba compiles on their own.
        compiled: real compilations during the warm-up (0: everything came from the disk cache).
        cached: kernels whose fresh entry is in numba's disk cache afterwards.
        seconds: wall time of the workload.
        cache_folder: where numba keeps them (None if it cannot cache them).
        missing: names of the kernels not in the cache afterwards.
    """

    name: str
    kernels: int
    compiled: int
    cached: int
    seconds: float
    cache_folder: str | None
    missing: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.cached == self.kernels

    def describe(self) -> str:
        how = (f"compiled in {self.seconds:.1f} s" if self.compiled else
               f"loaded from numba's cache in {self.seconds:.1f} s")
        where = f" ({self.cache_folder})" if self.cache_folder else ""
        line = f"{self.name} kernels: {how}; {self.cached} of {self.kernels} in the disk cache{where}"
        if self.missing:
            line += f"; not cached: {', '.join(self.missing)}"
        return line


def _mod_p(s, p: int):
    """``s`` with each coefficient reduced into 0..p-1, declared valid modulo p."""
    from discovery.core.scheme import Scheme

    def red(a):
        return np.array([[Fraction(x).numerator * pow(Fraction(x).denominator, -1, p) % p for x in row]
                         for row in np.asarray(a)], dtype=np.int64)

    return Scheme.from_rows(*s.format, red(s.u), red(s.v), red(s.w), ring=f"Z{p}")


def _flip() -> None:
    from discovery.search.flips import flip_search
    from discovery.search.flips._sym_batch import warm_up as symmetric_warm_up

    flip_search(2, 2, 2, time_limit=0.05, walkers=1, seed=0)
    symmetric_warm_up()


def _cse() -> None:
    from discovery.circuits.closure import closure_map
    from discovery.circuits.symbolic import simplify_additions
    from discovery.core.known import strassen

    simplify_additions(strassen(), tries=2)
    closure_map(strassen().u, kmax=1)  # the closure search (simplify skips it on an optimal scheme)


def _lift() -> None:
    from discovery.core.known import strassen
    from discovery.search.lift import lift

    for p in (2, 3):
        res = lift(_mod_p(strassen(), p))
        if not res.ok:  # a real failure of the lift, not of the warm-up
            raise RuntimeError(f"warm-up: Strassen modulo {p} did not lift: {res.message}")


WORKLOADS = {"flip": _flip, "CSE": _cse, "lift": _lift}


def group_names() -> tuple[str, ...]:
    return tuple(g.name for g in _kernels.GROUPS)


def warm_up(groups=None, announce: bool = False) -> tuple[WarmedGroup, ...]:
    """Compile (or load from numba's disk cache) the kernels of ``groups`` (default all).

    Args:
        groups: group names, see :func:`group_names`.
        announce: one line on stderr before a group really compiles.
    """
    chosen = [g for g in _kernels.GROUPS if groups is None or g.name in groups]
    out = []
    for g in chosen:
        t0 = time.perf_counter()
        with _kernels.watch_compiles(announce=announce) as log:
            WORKLOADS[g.name]()
        seconds = time.perf_counter() - t0
        kernels = [(f"{m.rsplit('.', 1)[1]}.{name}", disp) for m in g.modules for name, disp in _kernels.dispatchers(m)]
        status = [(name, _kernels.in_disk_cache(disp)) for name, disp in kernels]
        out.append(WarmedGroup(
            name=g.name, kernels=len(kernels), compiled=log.counts.get(g.name, 0),
            cached=sum(1 for _, st in status if st), seconds=round(seconds, 2),
            cache_folder=next((_kernels.cache_folder(disp) for _, disp in kernels), None),
            missing=tuple(name for name, st in status if not st)))
    return tuple(out)
