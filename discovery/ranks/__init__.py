"""Rank bounds: the best known ranks table (one reader), composition of scheme libraries into
upper bounds (direct sums, Kronecker products, restrictions) and their figures.

May import: ``discovery.core``, ``discovery.circuits``, ``discovery.formats``.
"""
