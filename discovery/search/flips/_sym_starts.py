"""Starting points of the symmetric walk: the standard algorithm with its diagonal grouped into *cubes*.

A cube is the fixed point X⊗X⊗X with X = Σ_{i∈g} E_ii, the sum of the diagonal units of a group g
of indices (Moosbauer & Poole's starting points). For a partition of 0..n-1 into k groups the
start is the k cubes plus every elementary term of the rest T - Σ cubes (the <n,n,n> tensor T
without them), in orbits of the cyclic map: the rest is invariant, has no entry on the diagonal
of the cube, and its entries are ±1. The walk keeps the cubes frozen, so its ranks are k + 3·orbits:
k picks the class of the rank modulo 3 (<4,4,4> 49: k = 1; <5,5,5> 93 and <6,6,6> 153: k = 3).
k = n (singletons) is the standard algorithm's cyclic form.
"""

from __future__ import annotations

import numpy as np

from discovery.core.scheme import Provenance, Ring
from discovery.core.symmetry import SymmetricScheme
from discovery.core.tensor import matmul_tensor
from discovery.errors import DiscoveryError


def cube_groups(n: int, k: int) -> list[list[int]]:
    """A partition of 0..n-1 into k groups built from the mirror pairs {i, n-1-i}: merge the
    outer pairs (k below ⌈n/2⌉) or split the inner ones into singletons (k above)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise DiscoveryError(f"cubes={k!r} must be an integer from 1 to n={n} (the number of diagonal groups)")
    groups = [sorted({i, n - 1 - i}) for i in range((n + 1) // 2)]
    m = len(groups)
    if k < m:
        merged = sorted(x for g in groups[:m - k + 1] for x in g)
        groups = [merged] + groups[m - k + 1:]
    else:
        for _ in range(k - m):  # split the innermost pair still whole
            at = max(q for q, g in enumerate(groups) if len(g) == 2)
            a, b = groups[at]
            groups[at:at + 1] = [[a], [b]]
    return sorted(groups)


def _check_groups(n: int, groups) -> list[list[int]]:
    try:
        groups = [sorted(int(i) for i in g) for g in groups]
    except (TypeError, ValueError):
        raise DiscoveryError(f"cubes {groups!r} must be a number or a list of index groups") from None
    flat = sorted(i for g in groups for i in g)
    if flat != list(range(n)) or any(not g for g in groups):
        raise DiscoveryError(f"cube groups {groups!r} must split the indices 0..{n - 1} into non-empty groups, "
                             "each index once")
    return groups


def cube_start(n: int, cubes=None) -> SymmetricScheme:
    """The cyclic-invariant start with diagonal cubes (module docstring), exact over ZT.

    Args:
        n: the format <n,n,n>.
        cubes: the number of cubes k (groups from :func:`cube_groups`), or the groups themselves
            (lists of indices that partition 0..n-1); None: n singletons (the standard algorithm).
    """
    groups = cube_groups(n, n if cubes is None else cubes) if cubes is None or isinstance(cubes, (int, np.integer)) \
        else _check_groups(n, cubes)
    n2 = n * n
    rest = matmul_tensor(n, n, n).astype(np.int64)
    cube_rows = []
    for g in groups:
        x = np.zeros(n2, dtype=np.int64)
        x[[i * n + i for i in g]] = 1
        rest -= np.einsum("a,b,c->abc", x, x, x)
        cube_rows.append(x)
    reps, seen = [], set()
    for a, b, c in zip(*np.nonzero(rest)):
        triple = (int(a), int(b), int(c))
        orbit = {triple, (triple[1], triple[2], triple[0]), (triple[2], triple[0], triple[1])}
        if triple in seen:
            continue
        seen |= orbit
        reps.append((min(orbit), int(rest[triple])))
    k = len(reps) + len(groups)
    u, v, w = (np.zeros((k, n2), dtype=np.int64) for _ in range(3))
    for q, ((a, b, c), coef) in enumerate(reps):
        u[q, a], v[q, b], w[q, c] = coef, 1, 1
    for q, x in enumerate(cube_rows, start=len(reps)):
        u[q], v[q], w[q] = x, x, x
    sizes = [3] * len(reps) + [1] * len(groups)
    label = "+".join("".join(map(str, g)) for g in groups)
    return SymmetricScheme.from_rows(n, "cyclic", u, v, w, sizes, ring=Ring.ZT,
                                     provenance=Provenance(source=f"cubes-{n}x{n}x{n}", note=f"cubes {label}"))
