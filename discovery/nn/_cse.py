"""Additions of a ternary matrix-vector product, plain and after greedy subexpression sharing.

A ternary matrix T (rows = outputs, columns = inputs, entries in {-1, 0, +1}) computes
``y = T x`` with ``sum_rows max(nnz_row - 1, 0)`` additions/subtractions and no
multiplications. Greedy common-subexpression elimination (Paar 1997): repeatedly find the pair
of columns (j, k) that occurs with the same relative sign (±(x_j + x_k) or ±(x_j − x_k)) in
the most rows, compute it once as a new input (1 addition) and use it in all those rows
(saving one addition per row). Sign flips are free (a subtraction costs as much as an
addition).
"""

from __future__ import annotations

import time

import numpy as np


def plain_adds(t: np.ndarray) -> int:
    """Additions of ``T x`` without sharing: sum over rows of max(nnz - 1, 0). t: (rows, cols)."""
    nnz = (np.asarray(t) != 0).sum(axis=1)
    return int(np.maximum(nnz - 1, 0).sum())


def cse_adds(t: np.ndarray, max_cols: int = 1024, budget_s: float = 2.0,
             max_iter: int = 100_000) -> int | None:
    """Additions of ``T x`` after greedy pair sharing, or None if skipped as too costly.

    Args:
        t: (rows, cols) ternary matrix.
        max_cols: skip (return None) when there are more columns than this.
        budget_s: stop sharing after this many seconds (the count stays valid: it is the
            cost of the partially shared circuit).
    """
    t = np.asarray(t)
    if not np.isin(t, (-1, 0, 1)).all():
        raise ValueError("cse_adds: matrix is not ternary")
    if t.shape[1] > max_cols:
        return None
    pos = (t == 1).astype(np.float32)
    neg = (t == -1).astype(np.float32)
    new_terms = 0
    start = time.perf_counter()
    for _ in range(max_iter):
        if time.perf_counter() - start > budget_s:
            break
        same = pos.T @ pos + neg.T @ neg
        opp = pos.T @ neg + neg.T @ pos
        np.fill_diagonal(same, 0)
        np.fill_diagonal(opp, 0)
        js, ks = np.triu_indices(same.shape[0], 1)
        s_vals, o_vals = same[js, ks], opp[js, ks]
        i_s, i_o = int(s_vals.argmax()), int(o_vals.argmax())
        best_same = s_vals[i_s] >= o_vals[i_o]
        i = i_s if best_same else i_o
        count = s_vals[i] if best_same else o_vals[i]
        if count < 2:
            break
        j, k = js[i], ks[i]
        sj = pos[:, j] - neg[:, j]
        sk = pos[:, k] - neg[:, k]
        rows = (sj * sk > 0) if best_same else (sj * sk < 0)
        col = np.where(rows, sj, 0).astype(np.float32)  # new input x_j ± x_k, sign of x_j
        for m in (pos, neg):
            m[rows, j] = 0
            m[rows, k] = 0
        pos = np.concatenate([pos, (col > 0)[:, None].astype(np.float32)], axis=1)
        neg = np.concatenate([neg, (col < 0)[:, None].astype(np.float32)], axis=1)
        new_terms += 1
    return plain_adds(pos - neg) + new_terms
