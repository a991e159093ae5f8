"""Additions and circuits: linear straight-line programs, common-subexpression elimination,
symbolic simplification, arithmetic circuits (networkx), drawings, code generation and the
recursive fast matrix product.

May import: ``discovery.core`` (and ``errors``, ``_io``). Not ``formats``: file formats are
written from these objects one layer up.
"""
