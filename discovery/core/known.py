"""Known algorithms: the standard one, Strassen, Winograd's variant, Laderman's 3×3.

Each is built from its textbook formulas (see :mod:`discovery.core.formulas`) and verified
exactly in the tests; :data:`CATALOGUE` lists them for ``discovery known``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from discovery.core.formulas import from_formulas
from discovery.core.scheme import Provenance, Scheme


def standard(n: int, m: int, p: int) -> Scheme:
    """The definition: one product a_ij * b_jk per (i, j, k), rank n*m*p."""
    r = n * m * p
    u = np.zeros((r, n * m), dtype=np.int64)
    v = np.zeros((r, m * p), dtype=np.int64)
    w = np.zeros((r, p * n), dtype=np.int64)
    t = 0
    for i in range(n):
        for j in range(m):
            for k in range(p):
                u[t, i * m + j] = v[t, j * p + k] = w[t, k * n + i] = 1
                t += 1
    return Scheme.from_rows(n, m, p, u, v, w, provenance=Provenance("standard"))


def strassen() -> Scheme:
    """Strassen (1969): <2,2,2> with 7 products, 18 additions."""
    return from_formulas(
        [
            "m1 = (a11 + a22) * (b11 + b22)",
            "m2 = (a21 + a22) * (b11)",
            "m3 = (a11) * (b12 - b22)",
            "m4 = (a22) * (b21 - b11)",
            "m5 = (a11 + a12) * (b22)",
            "m6 = (a21 - a11) * (b11 + b12)",
            "m7 = (a12 - a22) * (b21 + b22)",
        ],
        ["c11 = m1 + m4 - m5 + m7", "c12 = m3 + m5", "c21 = m2 + m4", "c22 = m1 - m2 + m3 + m6"],
        2, 2, 2, provenance=Provenance("strassen", note="Strassen 1969"),
    )


def winograd() -> Scheme:
    """Winograd's variant of Strassen: 7 products, 24 additions plainly, 15 with sharing."""
    return from_formulas(
        [
            "m1 = (a11) * (b11)",
            "m2 = (a12) * (b21)",
            "m3 = (a11 + a12 - a21 - a22) * (b22)",
            "m4 = (a22) * (b11 - b12 - b21 + b22)",
            "m5 = (a21 + a22) * (b12 - b11)",
            "m6 = (a21 + a22 - a11) * (b11 - b12 + b22)",
            "m7 = (a11 - a21) * (b22 - b12)",
        ],
        ["c11 = m1 + m2", "c12 = m1 + m3 + m5 + m6",
         "c21 = m1 - m4 + m6 + m7", "c22 = m1 + m5 + m6 + m7"],
        2, 2, 2, provenance=Provenance("winograd", note="Winograd's variant (Winograd 1971)"),
    )


def laderman() -> Scheme:
    """Laderman (1976): <3,3,3> with 23 products."""
    mults = [
        "m1 = (a11 + a12 + a13 - a21 - a22 - a32 - a33) * (b22)",
        "m2 = (a11 - a21) * (b22 - b12)",
        "m3 = (a22) * (b12 + b21 + b33 - b11 - b22 - b23 - b31)",
        "m4 = (a21 + a22 - a11) * (b11 - b12 + b22)",
        "m5 = (a21 + a22) * (b12 - b11)",
        "m6 = (a11) * (b11)",
        "m7 = (a31 + a32 - a11) * (b11 - b13 + b23)",
        "m8 = (a31 - a11) * (b13 - b23)",
        "m9 = (a31 + a32) * (b13 - b11)",
        "m10 = (a11 + a12 + a13 - a22 - a23 - a31 - a32) * (b23)",
        "m11 = (a32) * (b13 + b21 + b32 - b11 - b22 - b23 - b31)",
        "m12 = (a32 + a33 - a13) * (b22 + b31 - b32)",
        "m13 = (a13 - a33) * (b22 - b32)",
        "m14 = (a13) * (b31)",
        "m15 = (a32 + a33) * (b32 - b31)",
        "m16 = (a22 + a23 - a13) * (b23 + b31 - b33)",
        "m17 = (a13 - a23) * (b23 - b33)",
        "m18 = (a22 + a23) * (b33 - b31)",
        "m19 = (a12) * (b21)",
        "m20 = (a23) * (b32)",
        "m21 = (a21) * (b13)",
        "m22 = (a31) * (b12)",
        "m23 = (a33) * (b33)",
    ]
    elems = [
        "c11 = m6 + m14 + m19",
        "c12 = m1 + m4 + m5 + m6 + m12 + m14 + m15",
        "c13 = m6 + m7 + m9 + m10 + m14 + m16 + m18",
        "c21 = m2 + m3 + m4 + m6 + m14 + m16 + m17",
        "c22 = m2 + m4 + m5 + m6 + m20",
        "c23 = m14 + m16 + m17 + m18 + m21",
        "c31 = m6 + m7 + m8 + m11 + m12 + m13 + m14",
        "c32 = m12 + m13 + m14 + m15 + m22",
        "c33 = m6 + m7 + m8 + m9 + m23",
    ]
    return from_formulas(mults, elems, 3, 3, 3, provenance=Provenance("laderman", note="Laderman 1976"))


@dataclass(frozen=True)
class KnownAlgorithm:
    """A catalogue entry: ``build()`` returns the scheme."""

    name: str
    format: tuple[int, int, int]
    rank: int
    description: str
    build: Callable[[], Scheme]


CATALOGUE: dict[str, KnownAlgorithm] = {
    k.name: k
    for k in [
        KnownAlgorithm("strassen", (2, 2, 2), 7, "Strassen 1969, 18 additions", strassen),
        KnownAlgorithm("winograd", (2, 2, 2), 7, "Winograd's variant, 15 additions with sharing", winograd),
        KnownAlgorithm("laderman", (3, 3, 3), 23, "Laderman 1976", laderman),
        KnownAlgorithm("standard-2x2x2", (2, 2, 2), 8, "the definition (any <n,m,p>: standard(n,m,p))",
                       lambda: standard(2, 2, 2)),
    ]
}


def known(name: str) -> Scheme:
    """Build a catalogue algorithm by name (also accepts ``standard-NxMxP``)."""
    from discovery.errors import DiscoveryError

    if name in CATALOGUE:
        return CATALOGUE[name].build()
    if name.startswith("standard-"):
        try:
            n, m, p = (int(x) for x in name[len("standard-"):].split("x"))
        except ValueError:
            raise DiscoveryError(f"bad standard algorithm name {name!r}; use e.g. standard-2x3x4") from None
        return standard(n, m, p)
    raise DiscoveryError(f"unknown algorithm {name!r}; known: {', '.join(CATALOGUE)}, standard-NxMxP")
