"""Unknowns for a symmetric lift: one per entry of an orbit representative.

A scheme for <n,n,n> invariant modulo 2 under the cyclic group (or cyclic × transpose, see
:mod:`discovery.core.symmetry`) has each term equal, modulo 2, to g(rep) for an orbit
representative rep and a group element g, and g only moves the entries of (U, V, W) around
(σ: (U, V, W) -> (V, W, U); τ: (U, V, W) -> (Vᵀ, Uᵀ, Wᵀ)). Lifting with one unknown per entry of
each representative (entries a stabiliser of rep maps onto each other share one unknown) keeps
every lifted scheme invariant by construction, with about a third (a sixth) of the unknowns.

:func:`orbit_unknowns` gives the map from the scheme's own unknowns (u, v, w of every term, in
the layout of :mod:`discovery.search.lift._system`, terms in the scheme's order) to these.
"""

from __future__ import annotations

import numpy as np

from discovery.core.scheme import Scheme
from discovery.core.symmetry import SymmetryGroup, detect_symmetry, sigma, tau

# The group elements as words applied right to left ("ts" is τ after σ), as lists of generators.
ELEMENTS = {SymmetryGroup.CYCLIC: ("", "s", "ss"), SymmetryGroup.FULL: ("", "s", "ss", "t", "ts", "tss")}


def _act(word: str, term: tuple, n: int) -> tuple:
    for g in reversed(word):
        term = (sigma if g == "s" else tau)(*term, n)
    return term


def _find(parent: list[int], i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def orbit_unknowns(s: Scheme, group: str | None = None) -> tuple[np.ndarray, SymmetryGroup] | None:
    """For ``s`` invariant modulo 2 (under ``group``; None: the larger group that fits): (pi,
    group) with pi[j] the symmetric unknown behind the scheme's unknown j (values 0..k-1, every
    one used); None when ``s`` is not invariant.

    Representatives are those :func:`~discovery.core.symmetry.detect_symmetry` picks; every term
    of ``s`` is matched, modulo 2, to the image of one of them.
    """
    if not s.n == s.m == s.p:
        return None
    z2 = Scheme.from_rows(*s.format, *(np.asarray(a, dtype=np.int64) % 2 for a in s.factors()), ring="Z2")
    sym = detect_symmetry(z2, group)
    if sym is None:
        return None
    n, nn, r = s.n, s.n * s.n, s.rank
    reps = [tuple(np.asarray(f, dtype=np.int64) % 2 for f in t) for t in zip(sym.u, sym.v, sym.w)]
    ids = [tuple(np.arange(3 * nn).reshape(3, nn) + 3 * nn * q) for q in range(len(reps))]
    parent = list(range(3 * nn * len(reps)))
    images = {}  # rows modulo 2 of g(rep) -> the unknown ids at each of their positions
    for q, rep in enumerate(reps):
        for word in ELEMENTS[sym.group]:
            img = _act(word, rep, n)
            img_ids = _act(word, ids[q], n)
            if all(np.array_equal(a, b) for a, b in zip(img, rep)):  # g fixes rep: tie its entries
                for a, b in zip(np.concatenate(ids[q]), np.concatenate(img_ids)):
                    ra, rb = _find(parent, int(a)), _find(parent, int(b))
                    parent[ra] = rb
            images.setdefault(tuple(np.concatenate(img).tolist()), np.concatenate(img_ids))
    u, v, w = (np.asarray(a, dtype=np.int64) % 2 for a in z2.factors())
    pi = np.empty(3 * r * nn, dtype=np.int64)
    for t in range(r):
        hit = images.get(tuple(np.concatenate([u[t], v[t], w[t]]).tolist()))
        if hit is None:
            return None
        for block in range(3):  # u, v, w of term t in the system's layout
            pi[block * r * nn + t * nn:block * r * nn + (t + 1) * nn] = hit[block * nn:(block + 1) * nn]
    roots = np.array([_find(parent, int(i)) for i in pi])
    _, pi = np.unique(roots, return_inverse=True)
    return pi.astype(np.int64), sym.group
