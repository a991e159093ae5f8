"""Rank reduction on the flip graph (Kauers & Moosbauer 2022; plus transitions, Arai et al. 2024).

Compiled random walks (numba) over exact schemes with ternary ({-1,0,1}, "ZT"), mod-2 ("Z2")
or mod-3 ("Z3") coefficients, factor rows of up to 256 entries: flips keep the scheme exact,
reductions lower its rank, plus transitions raise it to leave a plateau; a pool of distinct
schemes per rank drives the descent (:mod:`._pool`), on threads or an executor.
:func:`symmetric_search` walks cyclic-invariant schemes of <n,n,n> by their orbits (Moosbauer &
Poole 2025), many short seeded runs. Every scheme that comes out is verified exactly by the
core before it is returned or written.
"""

from discovery._lazy import lazy_exports
from discovery.search.flips._config import FlipConfig as FlipConfig
from discovery.search.flips._config import FlipResult as FlipResult
from discovery.search.flips._api import default_out as default_out
from discovery.search.flips._api import flip_search as flip_search
from discovery.search.flips._starts import composed_start as composed_start
from discovery.search.flips._starts import load_starts as load_starts

# The fixed-rank exploration and the symmetric walk load on first use (their modules build tables and
# compile-cache lookups a plain walk does not need: ~60 ms of import time by ``python -X importtime``;
# the whole ``discovery flip`` process was not measurably faster, numba's start dominates it).
__getattr__, __dir__ = lazy_exports(__name__, {
    "ExploreResult": "._explore", "explore": "._explore",
    "SymmetricConfig": "._symmetric", "SymmetricResult": "._symmetric", "symmetric_search": "._symmetric",
})
