"""The matrix multiplication tensor and the index convention used throughout.

Convention (the one used by AlphaTensor and the public flip-graph collections): a scheme for
``<n, m, p>`` multiplies an n×m matrix A by an m×p matrix B with r products

    M_t = (sum_a u[t, a] * vec(A)[a]) * (sum_b v[t, b] * vec(B)[b]),   t = 0..r-1
    vec(C^T)[c] = sum_t w[t, c] * M_t

where ``vec`` is row-major flattening: ``vec(A)[i*m + j] = A[i, j]``,
``vec(B)[j*p + k] = B[j, k]`` and, because **w indexes C transposed**,
``vec(C^T)[k*n + i] = C[i, k]``. The scheme is correct iff for all a, b, c

    sum_t u[t, a] * v[t, b] * w[t, c] = T[a, b, c]     (the Brent equations)

with ``T[i*m + j, j*p + k, k*n + i] = 1`` and 0 elsewhere.
"""

from __future__ import annotations

import re

import numpy as np


def matmul_tensor(n: int, m: int, p: int) -> np.ndarray:
    """The <n, m, p> matrix multiplication tensor, shape (n*m, m*p, p*n), dtype int64.

    ``T[i*m + j, j*p + k, k*n + i] = 1`` for all i < n, j < m, k < p (C indexed transposed).
    """
    T = np.zeros((n * m, m * p, p * n), dtype=np.int64)
    for i in range(n):
        for j in range(m):
            for k in range(p):
                T[i * m + j, j * p + k, k * n + i] = 1
    return T


def a_name(n: int, m: int, p: int, a: int) -> str:
    """Readable name of entry ``a`` of vec(A): ``a{i+1}{j+1}`` (1-based, as in formulas)."""
    i, j = divmod(a, m)
    return _entry("a", i, j, max(n, m))


def b_name(n: int, m: int, p: int, b: int) -> str:
    """Readable name of entry ``b`` of vec(B): ``b{j+1}{k+1}``."""
    j, k = divmod(b, p)
    return _entry("b", j, k, max(m, p))


def c_name(n: int, m: int, p: int, c: int) -> str:
    """Readable name of entry ``c`` of vec(C^T): index c = k*n + i names ``c{i+1}{k+1}``."""
    k, i = divmod(c, n)
    return _entry("c", i, k, max(n, p))


def _entry(letter: str, row: int, col: int, size: int) -> str:
    # Single digits read as a12; beyond 9 use a separator so a1_12 is unambiguous.
    if size <= 9:
        return f"{letter}{row + 1}{col + 1}"
    return f"{letter}{row + 1}_{col + 1}"


def c_index(n: int, p: int, i: int, k: int) -> int:
    """Column of w holding C[i, k]: ``k*n + i`` (the transposed convention)."""
    return k * n + i


_FORMAT = re.compile(r"<?\s*(\d+)\s*(?:[xX×,]|\s)\s*(\d+)\s*(?:[xX×,]|\s)\s*(\d+)\s*>?")


def parse_format(text: str) -> tuple[int, int, int] | None:
    """``"3x3x4"``, ``"3,3,4"``, ``"<3,3,4>"`` or ``"3 3 4"`` -> (3, 3, 4): one syntax accepted
    everywhere a format is named (``--key``, ``--formats``); None if ``text`` names no format."""
    mt = _FORMAT.fullmatch(str(text).strip())
    if mt is None or (str(text).strip().startswith("<") != str(text).strip().endswith(">")):
        return None
    return tuple(int(g) for g in mt.groups())  # type: ignore[return-value]
