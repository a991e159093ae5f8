"""Find the transform that maps one scheme onto another (and so prove them equivalent).

Two schemes of the same format are *equivalent* when one becomes the other under

1. a symmetry of the format: cyclic rotation (u, v, w) -> (v, w, u) and transposition
   (:func:`discovery.core.transforms.cyclic`, :func:`~discovery.core.transforms.transpose`), kept when
   they map the format to itself;
2. a sandwich A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1 with invertible X (n×n), Y (m×m),
   Z (p×p) (:func:`discovery.core.transforms.sandwich`);
3. a permutation of the products and a scaling of each product (u_t, v_t, w_t) ->
   (α u_t, β v_t, w_t / (αβ)).

de Groote (1978) proved that all rank-7 schemes for 2×2 matrices are equivalent to
Strassen's; :func:`find_equivalence` *finds* the transform for a given pair by search, and
the returned :class:`Equivalence` is checked by applying it: ``eq.apply(source) == target``.

The search runs over X, Y, Z with integer entries in [-max_entry, max_entry] and determinant
±1 (their inverses are integer, so integer schemes stay integer), up to sign (−X acts like X
after term scaling). It is staged: a pair (X, Y) is kept only if the transformed left factors
u'_t match the target's left factors up to scale, as multisets; then Z must match the right
factors; only then is the full scheme compared. For 2×2 sides (24 matrices up to sign) a search
takes well under a second; 3×3 sides with entries in {-1, 0, 1} take minutes.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from discovery.errors import DiscoveryError
from discovery.core.scheme import Scheme
from discovery.core.transforms import (canonical, cyclic, format_symmetries, permute_terms, sandwich, scale_term,
                                      transpose)
from discovery.core.verify import require_valid

Matrix = tuple[tuple[int, ...], ...]


@dataclass(frozen=True)
class Equivalence:
    """A transform taking a source scheme to a target scheme, applied in this order.

    Attributes:
        cyclic: rotate the source ``cyclic`` times (0, 1 or 2; :func:`~discovery.core.transforms.cyclic`).
        transposed: then transpose it (:func:`~discovery.core.transforms.transpose`).
        X, Y, Z: then the sandwich A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1.
        perm: then reorder the products: target product t is product ``perm[t]``.
        scales: then scale target product t by (α, β): u_t *= α, v_t *= β, w_t /= αβ.
    """

    cyclic: int
    transposed: bool
    X: Matrix
    Y: Matrix
    Z: Matrix
    perm: tuple[int, ...]
    scales: tuple[tuple[Fraction, Fraction], ...]

    @property
    def symmetry(self) -> str:
        """The format symmetry as a word: "identity", "cyclic^1", "transpose∘cyclic^2", ..."""
        if not self.cyclic and not self.transposed:
            return "identity"
        rot = f"cyclic^{self.cyclic}" if self.cyclic else ""
        return "∘".join(x for x in ("transpose" if self.transposed else "", rot) if x)

    def apply(self, s: Scheme) -> Scheme:
        """The image of ``s`` under this transform (exact; a valid scheme stays valid)."""
        for _ in range(self.cyclic):
            s = cyclic(s)
        if self.transposed:
            s = transpose(s)
        s = permute_terms(sandwich(s, np.array(self.X), np.array(self.Y), np.array(self.Z)), self.perm)
        for t, (alpha, beta) in enumerate(self.scales):
            if (alpha, beta) != (1, 1):
                s = scale_term(s, t, alpha, beta)
        return s

    def describe(self) -> str:
        """Several readable lines: symmetry, X, Y, Z, the product permutation and signs."""
        flips = [f"m{t + 1}: ({_num(a)}, {_num(b)})" for t, (a, b) in enumerate(self.scales) if (a, b) != (1, 1)]
        return "\n".join([
            f"symmetry: {self.symmetry}",
            f"X = {[list(r) for r in self.X]}   (A -> X A Y^-1, C -> X C Z^-1)",
            f"Y = {[list(r) for r in self.Y]}   (B -> Y B Z^-1)",
            f"Z = {[list(r) for r in self.Z]}",
            "products: " + ", ".join(f"m{t + 1} <- m{j + 1}" for t, j in enumerate(self.perm)),
            "scalings (alpha on u, beta on v): " + (", ".join(flips) if flips else "none"),
        ])


def _num(x: Fraction) -> str:
    return str(int(x)) if x.denominator == 1 else str(x)


@lru_cache(maxsize=None)
def unimodular_up_to_sign(d: int, max_entry: int = 1) -> tuple[Matrix, ...]:
    """d×d integer matrices with entries in [-max_entry, max_entry] and det ±1, one of each pair
    {M, -M} (first non-zero entry positive), the identity first."""
    vals = range(-max_entry, max_entry + 1)
    out = []
    for entries in itertools.product(vals, repeat=d * d):
        if not any(entries) or next(x for x in entries if x) < 0:
            continue  # the zero matrix, or -M of a kept M
        M = np.array(entries, dtype=np.int64).reshape(d, d)
        if abs(round(np.linalg.det(M))) != 1:
            continue
        out.append(tuple(tuple(int(x) for x in row) for row in M))
    eye = tuple(tuple(int(i == j) for j in range(d)) for i in range(d))
    out.remove(eye)
    return (eye, *out)


def row_maps(fmt: tuple[int, int, int], mats: list[tuple[Matrix, ...]], transform=None) -> dict:
    """Matrices L with row' = row @ L for the u, v, w rows under each single X, Y or Z.

    ``transform(s, X, Y, Z)`` (default :func:`discovery.core.transforms.sandwich`) must act on
    the rows of u, v, w linearly, so applying it to a carrier whose rows are unit vectors gives
    its matrices; compositions are matrix products (the transforms form a group action), and the
    search and the final check use one convention. Returns ``{(slot, M): (L_u, L_v, L_w)}`` for
    slot 0, 1, 2 (X, Y, Z) and every M in ``mats[slot]``; each L is int64 when integral, else
    an object array of Fractions.
    """
    transform = sandwich if transform is None else transform
    n, m, p = fmt
    r = max(n * m, m * p, p * n)
    probe = Scheme(n, m, p, *(np.eye(r, d, dtype=np.int64) for d in (n * m, m * p, p * n)))
    eye = [ms[0] for ms in mats]
    out = {}
    for slot in range(3):
        for M in mats[slot]:
            args = list(eye)
            args[slot] = M
            t = transform(probe, *(np.array(a) for a in args))
            out[slot, M] = tuple(_exact(np.array(a[: a.shape[1]], dtype=object)) for a in (t.u, t.v, t.w))
    return out


def _exact(a: np.ndarray) -> np.ndarray:
    return a.astype(np.int64) if all(_fr(x).denominator == 1 for x in a.ravel()) else a


def _fr(x) -> Fraction:
    # plain Python ints inside (a Fraction over numpy integers does not hash)
    if isinstance(x, Fraction):
        return Fraction(int(x.numerator), int(x.denominator))
    return Fraction(int(x))


def _direction(row) -> tuple:
    """A row up to a non-zero scalar: divided by its first non-zero entry."""
    first = _fr(next(x for x in row if x != 0))
    return tuple(_fr(x) / first for x in row)


def _directions(M: np.ndarray) -> Counter:
    return Counter(_direction(row) for row in M if any(row))


def _match_terms(cand: Scheme, target: Scheme):
    """perm and scales with target term t = scaled cand term perm[t], or None."""
    cu, cv, cw = (np.array(a, dtype=object) for a in cand.factors())
    tu, tv, tw = (np.array(a, dtype=object) for a in target.factors())
    free = list(range(cand.rank))
    perm, scales = [], []
    for t in range(target.rank):
        for j in free:
            a = _ratio(tu[t], cu[j])
            b = _ratio(tv[t], cv[j]) if a is not None else None
            if a is not None and b is not None and all(_fr(x) == _fr(y) / (a * b)
                                                       for x, y in zip(tw[t], cw[j])):
                perm.append(j)
                scales.append((a, b))
                free.remove(j)
                break
        else:
            return None
    return tuple(perm), tuple(scales)


def _ratio(x, y) -> Fraction | None:
    """λ with x = λ·y (rows), or None."""
    k = next((i for i, v in enumerate(y) if v != 0), None)
    if k is None:
        return None
    lam = _fr(x[k]) / _fr(y[k])
    return lam if lam != 0 and all(_fr(a) == lam * _fr(b) for a, b in zip(x, y)) else None


def find_equivalence(source: Scheme, target: Scheme, max_entry: int = 1,
                     time_limit_s: float | None = None) -> Equivalence | None:
    """Search for an :class:`Equivalence` with ``eq.apply(source) == target``.

    Args:
        source, target: valid schemes of the same format and rank (verified first).
        max_entry: X, Y, Z range over integer matrices with entries in [-max_entry, max_entry]
            and determinant ±1 (see :func:`unimodular_up_to_sign`).
        time_limit_s: give up after this many seconds (then None).
    Returns:
        the transform, checked by applying it (exact equality of the coefficients), or None
        when no transform in the searched set maps ``source`` onto ``target``.
    """
    require_valid(source)
    require_valid(target)
    if source.format != target.format or source.rank != target.rank:
        raise DiscoveryError(f"{source.name} and {target.name} cannot be equivalent: the format and "
                             "the rank must agree")
    if any(any(not row.any() for row in a) for a in (*source.factors(), *target.factors())):
        raise DiscoveryError("schemes with a zero factor row are not searched; drop unused products first")
    deadline = None if time_limit_s is None else time.monotonic() + time_limit_s
    mats = [unimodular_up_to_sign(d, max_entry) for d in source.format]
    maps = row_maps(source.format, mats)
    goal_u, goal_v = _directions(target.u), _directions(target.v)
    want = canonical(target)
    for k, tr, sv in format_symmetries(source):
        u = np.array(sv.u, dtype=object)
        v = np.array(sv.v, dtype=object)
        for X, Y in itertools.product(mats[0], mats[1]):
            if deadline is not None and time.monotonic() > deadline:
                return None
            u2 = u.dot(maps[0, X][0]).dot(maps[1, Y][0])
            if _directions(u2) != goal_u:
                continue
            v1 = v.dot(maps[1, Y][1])
            for Z in mats[2]:
                if _directions(v1.dot(maps[2, Z][1])) != goal_v:
                    continue
                cand = sandwich(sv, np.array(X), np.array(Y), np.array(Z))
                if canonical(cand) != want:
                    continue
                match = _match_terms(cand, target)
                if match is None:
                    continue
                eq = Equivalence(k, tr, X, Y, Z, *match)
                if eq.apply(source).with_ring(target.ring) == target:  # the proof: apply it
                    return eq
    return None


def is_equivalent(source: Scheme, target: Scheme, **kw) -> bool:
    """True if :func:`find_equivalence` finds a transform (False means: none in the searched set)."""
    return find_equivalence(source, target, **kw) is not None


__all__ = ["Equivalence", "find_equivalence", "is_equivalent", "row_maps", "unimodular_up_to_sign"]
