"""The scheme core: the matrix multiplication tensor, the exact :class:`Scheme` model, exact
verification, transforms and canonical forms, equivalence, readable formulas, known algorithms.

May import: ``discovery.errors``, ``discovery._io`` and the standard scientific stack (numpy,
sympy on use). Nothing else of ``discovery``: every other subpackage builds on this one.
"""
