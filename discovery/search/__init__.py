"""Searching for schemes: where batches run (local processes or Dask), the result store, the SPN
solver, flip-graph walks, Hensel lifting and rank sweeps.

May import: ``discovery.core``, ``circuits``, ``formats``, ``ranks``, ``spn``; never ``nn`` or
``cli``.
"""
