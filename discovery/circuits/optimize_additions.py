"""Fewer additions by searching over equivalent schemes of the same rank.

An equivalent scheme comes from the sandwich A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1
(:func:`discovery.core.transforms.sandwich`) and the format's cyclic/transpose symmetries. The
rank is unchanged, but the additions after sharing (:func:`discovery.circuits.symbolic.simplify_additions`)
can drop: Strassen's original (18) becomes a 15-addition scheme this way.

X, Y, Z range over unimodular matrices with entries in {-1, 0, 1} (their inverses are integer,
so integer schemes stay integer). Multiplying X, Y or Z on the left by a signed permutation only
relabels and negates entries of A, B, C, so one representative per such coset is tried.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from discovery.core.equivalence import row_maps
from discovery.core.scheme import Scheme
from discovery.core.transforms import format_symmetries
from discovery.circuits.slp import eliminate_pairs
from discovery.circuits.symbolic import SimplifiedScheme, simplify_additions
from discovery.core.verify import require_valid

Transform = Callable[..., Scheme]


@dataclass(frozen=True)
class EquivalentSearch:
    """Result of :func:`optimize_additions`.

    Attributes:
        best: the simplified, re-verified equivalent scheme with the fewest additions.
        start: the simplification of the scheme as given (no transform).
        tried: number of equivalent schemes evaluated.
        exhaustive: True if every coset representative triple (and symmetry) was tried.
        transform: description of the winning transform (symmetry and X, Y, Z).
    """

    best: SimplifiedScheme
    start: SimplifiedScheme
    tried: int
    exhaustive: bool
    transform: str


@lru_cache(maxsize=None)
def unimodular_representatives(d: int) -> tuple[tuple[tuple[int, ...], ...], ...]:
    """d×d matrices with entries in {-1,0,1} and determinant ±1, one per left coset of the
    signed permutations (the lexicographically smallest), identity first. Only for d <= 3."""
    if d > 3:
        raise ValueError("enumeration of unimodular matrices is only done for d <= 3")
    signed_perms = [np.diag(signs)[list(perm)] for perm in itertools.permutations(range(d))
                    for signs in itertools.product((1, -1), repeat=d)]
    reps = set()
    for entries in itertools.product((-1, 0, 1), repeat=d * d):
        X = np.array(entries, dtype=np.int64).reshape(d, d)
        if abs(round(np.linalg.det(X))) != 1:
            continue
        reps.add(min(tuple(tuple(int(x) for x in row) for row in P @ X) for P in signed_perms))
    eye = tuple(tuple(int(i == j) for j in range(d)) for i in range(d))
    reps.discard(eye)
    return (eye, *sorted(reps))


def _symmetric_versions(s: Scheme) -> list[tuple[str, Scheme]]:
    """The scheme and its images under the format's cyclic/transpose symmetries (same format), named."""
    return [("identity" if (k, tr) == (0, False) else f"{'transpose∘' if tr else ''}cyclic^{k}", t)
            for k, tr, t in format_symmetries(s)]


def _positive_factors(s: Scheme) -> Scheme:
    """Scale products by ±1 so each factor's first non-zero coefficient is positive (the
    signs move to w; additions and validity are unchanged, the formulas read better)."""
    from discovery.core.transforms import scale_term

    for t in range(s.rank):
        alpha = -1 if next(x for x in s.u[t] if x != 0) < 0 else 1
        beta = -1 if next(x for x in s.v[t] if x != 0) < 0 else 1
        if (alpha, beta) != (1, 1):
            s = scale_term(s, t, alpha, beta)
    return s


class _Scorer:
    """Additions after sharing of each side under (X, Y), (Y, Z), (X, Z); memoized."""

    def __init__(self, s: Scheme, maps: dict, tries: int, seed: int):
        self.s, self.maps, self.tries, self.seed = s, maps, tries, seed
        self.memo: dict = {}

    def side(self, which: int, P, Q) -> int:
        key = (which, P, Q)
        if key not in self.memo:
            # A side: u @ L_X @ L_Y; B side: v @ L_Y @ L_Z; C side: w @ L_X @ L_Z.
            slots = {0: (0, 1), 1: (1, 2), 2: (0, 2)}[which]
            M = (self.s.u, self.s.v, self.s.w)[which].astype(object)
            M = M.dot(self.maps[slots[0], P][which]).dot(self.maps[slots[1], Q][which])
            if which == 2:
                M = M.T
            if all(x == int(x) for x in M.ravel()):
                M = M.astype(np.int64)
            self.memo[key] = eliminate_pairs(np.ascontiguousarray(M), self.tries, self.seed + which).additions
        return self.memo[key]

    def total(self, X, Y, Z) -> int:
        return self.side(0, X, Y) + self.side(1, Y, Z) + self.side(2, X, Z)


def optimize_additions(
    scheme: Scheme,
    transform: Transform | None = None,
    symmetries: bool = True,
    max_exhaustive: int = 400,
    rounds: int = 3,
    tries: int = 4,
    seed: int = 0,
    time_limit_s: float | None = None,
) -> EquivalentSearch:
    """Search equivalent schemes of the same rank for the fewest additions after sharing.

    Args:
        scheme: a valid scheme (verified first).
        transform: ``transform(s, X, Y, Z)`` giving the equivalent scheme; default
            :func:`discovery.core.transforms.sandwich`.
        symmetries: also try the format's cyclic/transpose symmetries.
        max_exhaustive: try every coset-representative triple (X, Y, Z) when there are at most
            this many; otherwise coordinate descent (best X for fixed Y, Z, then Y, then Z) for
            ``rounds`` rounds. Formats with a side > 3 are only simplified, not searched.
        tries: randomized greedy runs per candidate (the winner is re-simplified with more).
        time_limit_s: stop searching after this long (the result then has exhaustive=False).
            A 3x3 search takes minutes; 2x2 about a second.
    """
    deadline = None if time_limit_s is None else time.monotonic() + time_limit_s
    if transform is None:
        from discovery.core.transforms import sandwich as transform
    s0 = require_valid(scheme)
    start = simplify_additions(s0, seed=seed)
    dims = s0.format
    if max(dims) > 3:
        return EquivalentSearch(start, start, 1, False, "identity")
    mats = [unimodular_representatives(d) for d in dims]
    exhaustive = int(np.prod([len(r) for r in mats])) <= max_exhaustive
    versions = _symmetric_versions(s0) if symmetries else [("identity", s0)]
    maps = row_maps(s0.format, mats, transform)
    best = (start.reduced_additions, "identity", s0, None)
    tried = 0
    for name, sv in versions:
        if deadline is not None and time.monotonic() > deadline:
            exhaustive = False
            break
        score = _Scorer(sv, maps, tries, seed)
        if exhaustive:
            for XYZ in itertools.product(*mats):
                tried += 1
                c = score.total(*XYZ)
                if c < best[0]:
                    best = (c, name, sv, XYZ)
            continue
        cur = [r[0] for r in mats]
        for _ in range(rounds):
            if deadline is not None and time.monotonic() > deadline:
                break
            for slot in range(3):
                if deadline is not None and time.monotonic() > deadline:
                    break

                def at(M, slot=slot):
                    trial = list(cur)
                    trial[slot] = M
                    return score.total(*trial)
                tried += len(mats[slot])
                cur[slot] = min(mats[slot], key=at)
            c = score.total(*cur)
            if c < best[0]:
                best = (c, name, sv, tuple(cur))
    _, name, sv, XYZ = best
    if XYZ is None:
        return EquivalentSearch(start, start, tried, exhaustive, "identity")
    cand = _positive_factors(transform(sv, *(np.array(M) for M in XYZ)))
    found = simplify_additions(cand, seed=seed)  # verifies the scheme and re-checks the program
    if found.reduced_additions >= start.reduced_additions:
        return EquivalentSearch(start, start, tried, exhaustive, "identity")
    found = SimplifiedScheme(found.scheme, found.a, found.b, found.c, start.naive_additions).check()
    X, Y, Z = ([list(row) for row in M] for M in XYZ)
    return EquivalentSearch(found, start, tried, exhaustive, f"{name}, X={X}, Y={Y}, Z={Z}")
