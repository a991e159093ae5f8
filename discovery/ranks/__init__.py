"""Rank bounds: the best known ranks table and its one CSV reader (:mod:`.best_known`), composition
of scheme libraries into upper bounds (direct sums, Kronecker products, restrictions;
:mod:`.bounds`) and their figure (:mod:`.figures`).

May import: ``discovery.core``, ``discovery.circuits``, ``discovery.formats``.
"""
