"""Schemes for square formats <n,n,n> given by orbit representatives under the tensor's symmetries.

Write a term's factors as n×n matrices, row-major as everywhere in the package
(:mod:`discovery.core.tensor`): ``U = u.reshape(n, n)`` (U[i, j] multiplies a_ij),
``V = v.reshape(n, n)`` (V[j, k] multiplies b_jk), ``W = w.reshape(n, n)`` (W[k, i] is the
coefficient of the product in C[i, k]: w indexes C transposed). The tensor Σ_ijk a_ij b_jk c_ki
is the trilinear form tr(A B Γ) (Γ[k, i] = c_ki), and a scheme is exact iff
Σ_t <U_t, A> <V_t, B> <W_t, Γ> = tr(A B Γ) for all A, B, Γ. Two maps of a term keep the form:

* σ (cyclic, order 3): (U, V, W) -> (V, W, U), from tr(ABΓ) = tr(BΓA);
* τ (transpose, order 2): (U, V, W) -> (Vᵀ, Uᵀ, Wᵀ), from tr(ABΓ) = tr(BᵀAᵀΓᵀ).

They generate a group of order 6 (≅ S3). A scheme is *invariant* under a group when the group maps
its set of terms onto itself, each term taken as the rank-one tensor u⊗v⊗w (so up to the scalings
(αu, βv, γw) with αβγ = 1; modulo 2 for ring Z2). Such a scheme is given by one term per orbit:

* group ``"cyclic"`` (σ): orbits of size 3 (rows id, σ, σ²) and 1 (U ∝ V ∝ W);
* group ``"full"`` (σ and τ): orbits of size 6 (id, σ, σ², τ, τσ, τσ²), 3 (id, σ, σ²: the term is
  fixed by one involution), 2 (id, τ: fixed by σ) and 1.

:meth:`SymmetricScheme.expand` writes each orbit's rows in that order. Representatives are exact
rows in the u/v/w convention, ``orbit_sizes`` says each orbit's size explicitly, and the
constructor checks each size against the representative (so the expansion is invariant).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np

from discovery._enum import ValueEnum
from discovery.errors import SchemeFormatError
from discovery.core.coefficients import exact_array, int_or_fraction
from discovery.core.scheme import Provenance, Ring, Scheme, _infer_ring


class SymmetryGroup(ValueEnum):
    """The group a symmetric scheme is invariant under: ``"cyclic"`` (order 3) or ``"full"`` (6)."""

    CYCLIC = "cyclic"
    FULL = "full"

    @property
    def order(self) -> int:
        return 3 if self is SymmetryGroup.CYCLIC else 6

    @property
    def orbit_sizes(self) -> tuple[int, ...]:
        """The orbit sizes that occur (divisors of the order)."""
        return (1, 3) if self is SymmetryGroup.CYCLIC else (1, 2, 3, 6)

    @classmethod
    def parse(cls, value: Any) -> "SymmetryGroup":
        if type(value) is cls:
            return value
        try:
            return cls(value)
        except ValueError:
            raise SchemeFormatError(f"unknown symmetry group {value!r}; use 'cyclic' or 'full'") from None


# ---- the two generators on one term, rows of length n*n --------------------------------------
def _t(row: np.ndarray, n: int) -> np.ndarray:
    return row.reshape(n, n).T.reshape(-1)


def sigma(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int):
    """The cyclic map of a term: (U, V, W) -> (V, W, U)."""
    return v, w, u


def tau(u: np.ndarray, v: np.ndarray, w: np.ndarray, n: int):
    """The transpose map of a term: (U, V, W) -> (Vᵀ, Uᵀ, Wᵀ)."""
    return _t(v, n), _t(u, n), _t(w, n)


def _words(size: int) -> tuple[str, ...]:
    """The group elements (words in σ, τ applied right to left) that write an orbit of ``size``."""
    return {1: ("",), 2: ("", "t"), 3: ("", "s", "ss"), 6: ("", "s", "ss", "t", "ts", "tss")}[size]


def _apply(word: str, term, n: int):
    for g in reversed(word):  # "ts" is τ after σ
        term = (sigma if g == "s" else tau)(*term, n)
    return term


def _key(term, z2: bool) -> tuple:
    """The rank-one tensor u⊗v⊗w as a hashable value: each factor scaled so its first non-zero
    is 1 and the product of the scales kept (mod 2: the rows mod 2). () for a zero term."""
    if z2:
        rows = tuple(tuple(int(x) % 2 for x in f) for f in term)
        return rows if all(any(r) for r in rows) else ()
    out, scale = [], Fraction(1)
    for f in term:
        f = [int_or_fraction(x) for x in f]
        lead = next((x for x in f if x != 0), 0)
        if lead == 0:
            return ()
        if all(type(x) is int for x in f):  # primitive integer row, first non-zero positive
            g = math.gcd(*f) * (1 if lead > 0 else -1)
            out.append(tuple(x // g for x in f))
            scale *= g
        else:
            out.append(tuple(Fraction(x) / lead for x in f))
            scale *= lead
    return (*out, scale)


def orbit_size(term, n: int, group: SymmetryGroup | str, z2: bool = False) -> int:
    """How many distinct rank-one tensors the group makes of ``term`` = (u, v, w) rows."""
    group = SymmetryGroup.parse(group)
    return len({_key(_apply(w, term, n), z2) for w in _words(group.order)})


@dataclass(frozen=True, eq=False)
class SymmetricScheme:
    """A scheme for <n,n,n> invariant under ``group``, given by one term per orbit.

    Attributes:
        n: the format <n,n,n>.
        group: :class:`SymmetryGroup` (``"cyclic"`` or ``"full"``).
        u, v, w: the representatives, read-only exact arrays of shape (k, n*n) in the package's
            u/v/w convention (w indexes C transposed); k is the number of orbits.
        orbit_sizes: the size of each representative's orbit (1 or 3 for "cyclic"; 1, 2, 3 or
            6 for "full"), checked against the representative.
        ring: the ring the expanded scheme is declared over (inferred from the coefficients
            by :meth:`from_rows` when not given).
        provenance: where it came from.
    """

    n: int
    group: SymmetryGroup
    u: np.ndarray
    v: np.ndarray
    w: np.ndarray
    orbit_sizes: tuple[int, ...]
    ring: Ring = Ring.Q
    provenance: Provenance = field(default_factory=Provenance)

    @classmethod
    def from_rows(cls, n: int, group: str, u, v, w, orbit_sizes=None, ring: str | None = None,
                  provenance: Provenance | None = None) -> "SymmetricScheme":
        """Build from representative rows; ``orbit_sizes`` default to each one's actual orbit."""
        k = len(u)
        U, V, W = (exact_array(x, (k, n * n), name) for x, name in ((u, "u"), (v, "v"), (w, "w")))
        ring = Ring.parse(ring) if ring is not None else _infer_ring((U, V, W))
        if orbit_sizes is None:
            orbit_sizes = tuple(orbit_size(t, n, group, ring is Ring.Z2) for t in zip(U, V, W))
        return cls(n, SymmetryGroup.parse(group), U, V, W, tuple(orbit_sizes), ring,
                   provenance or Provenance())

    def __post_init__(self):
        n = self.n
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise SchemeFormatError(f"n={n!r} must be a positive integer")
        group = SymmetryGroup.parse(self.group)
        k = len(self.u)
        if k < 1:
            raise SchemeFormatError("a symmetric scheme needs at least one orbit representative")
        arrays = tuple(exact_array(x, (k, n * n), name) for x, name in zip((self.u, self.v, self.w), "uvw"))
        sizes = tuple(int(x) for x in self.orbit_sizes)
        if len(sizes) != k:
            raise SchemeFormatError(f"{len(sizes)} orbit sizes for {k} representatives; give one each")
        ring = Ring.parse(self.ring)
        for q, (term, size) in enumerate(zip(zip(*arrays), sizes)):
            if size not in group.orbit_sizes:
                raise SchemeFormatError(f"orbit {q + 1}: size {size} cannot occur under the {group} group "
                                        f"(sizes {', '.join(map(str, group.orbit_sizes))})")
            if _key(term, ring is Ring.Z2) == ():
                raise SchemeFormatError(f"orbit {q + 1}: the representative has a zero factor")
            actual = orbit_size(term, n, group, ring is Ring.Z2)
            if actual != size:
                raise SchemeFormatError(f"orbit {q + 1}: the representative's orbit under the {group} group "
                                        f"has size {actual}, not {size}")
        object.__setattr__(self, "n", int(n))
        object.__setattr__(self, "group", group)
        for name, value in zip("uvw", arrays):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "orbit_sizes", sizes)
        object.__setattr__(self, "ring", ring)

    @property
    def rank(self) -> int:
        """The rank of the expanded scheme: the sum of the orbit sizes."""
        return sum(self.orbit_sizes)

    @property
    def n_orbits(self) -> int:
        return len(self.orbit_sizes)

    def expand(self) -> Scheme:
        """The full scheme: each orbit's rows in the order of the module docstring, orbit by orbit."""
        rows: tuple[list, list, list] = ([], [], [])
        for term, size in zip(zip(self.u, self.v, self.w), self.orbit_sizes):
            for word in _words(size):
                for out, f in zip(rows, _apply(word, term, self.n)):
                    out.append(f)
        n = self.n
        return Scheme.from_rows(n, n, n, *(np.array(r) for r in rows), ring=self.ring,
                                provenance=self.provenance)

    def _cmp(self):
        return (self.n, self.group, self.ring, self.orbit_sizes,
                *(tuple(map(int_or_fraction, a.ravel())) for a in (self.u, self.v, self.w)))

    def __eq__(self, other):
        if not isinstance(other, SymmetricScheme):
            return NotImplemented
        return self._cmp() == other._cmp()

    def __hash__(self):
        return hash(self._cmp())

    def __repr__(self):
        return (f"SymmetricScheme(<{self.n},{self.n},{self.n}>, {self.group}, rank={self.rank}, "
                f"orbits={self.n_orbits}, ring={self.ring.value!r})")


def detect_symmetry(s: Scheme, group: str | None = None) -> SymmetricScheme | None:
    """``s`` as a :class:`SymmetricScheme` if it is invariant as it stands, else None.

    With ``group`` None the largest group that fits is taken ("full", else "cyclic"). Terms are
    compared as rank-one tensors (up to scaling; modulo 2 for ring Z2); zero terms (a factor row
    of zeros) are dropped first. The representative of each orbit is its first term in ``s``.
    Non-square formats give None.
    """
    if not s.n == s.m == s.p:
        return None
    groups = [SymmetryGroup.parse(group)] if group is not None else [SymmetryGroup.FULL, SymmetryGroup.CYCLIC]
    n, z2 = s.n, s.ring is Ring.Z2
    terms = [t for t in zip(s.u, s.v, s.w) if _key(t, z2) != ()]
    keys = [_key(t, z2) for t in terms]
    counts = Counter(keys)
    invariant = {g: Counter(_key(_apply(g, t, n), z2) for t in terms) == counts for g in ("s", "t")}
    for g in groups:
        if not invariant["s"] or (g is SymmetryGroup.FULL and not invariant["t"]):
            continue
        left, reps, sizes = Counter(counts), [], []
        for t, key in zip(terms, keys):
            if left[key] == 0:
                continue
            orbit = {_key(_apply(word, t, n), z2) for word in _words(g.order)}
            for k in orbit:
                left[k] -= 1
            reps.append(t)
            sizes.append(len(orbit))
        U, V, W = (np.array(x) for x in zip(*reps))
        return SymmetricScheme.from_rows(n, g, U, V, W, sizes, ring=s.ring, provenance=s.provenance)
    return None


def _standard_reps(n: int, group: SymmetryGroup, skip_below: int = 0):
    """Orbit representatives (i, j, k) of the standard terms a_ij b_jk c_ki: σ rotates the triple,
    τ reverses it; triples with every index < ``skip_below`` are left out."""
    reps = []
    for i in range(n):
        for j in range(n):
            for k in range(n):
                if max(i, j, k) < skip_below:
                    continue
                images = [(i, j, k), (j, k, i), (k, i, j)]
                if group is SymmetryGroup.FULL:
                    images += [(k, j, i), (i, k, j), (j, i, k)]
                if (i, j, k) == min(images):
                    reps.append((i, j, k))
    return reps


def _unit_rows(n: int, triples) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    u, v, w = (np.zeros((len(triples), n * n), dtype=np.int64) for _ in range(3))
    for q, (i, j, k) in enumerate(triples):
        u[q, i * n + j] = v[q, j * n + k] = w[q, k * n + i] = 1
    return u, v, w


def symmetric_standard(n: int, group: str = "cyclic") -> SymmetricScheme:
    """The standard algorithm for <n,n,n> (n³ products a_ij b_jk c_ki) in symmetric form.

    Cyclic: n orbits of size 1 (i = j = k) and (n³ - n)/3 of size 3. Full: orbits of size 1, 3
    and 6 (all indices equal, two equal, all different).
    """
    group = SymmetryGroup.parse(group)
    u, v, w = _unit_rows(n, _standard_reps(n, group))
    return SymmetricScheme.from_rows(n, group, u, v, w, ring=Ring.ZT,
                                     provenance=Provenance(source=f"standard-{n}x{n}x{n}", note=str(group)))


def symmetric_pad(sym: SymmetricScheme, n: int) -> SymmetricScheme:
    """<n,n,n> from a symmetric <k,k,k> scheme (k <= n) with the same group: ``sym`` on the leading
    k×k blocks of A, B and C, and the standard product a_ij b_jk c_ki for every (i, j, k) with an
    index >= k. Rank ``sym.rank + n³ - k³``. Example: Strassen's cyclic form padded to <3,3,3>, rank 26.
    """
    k = sym.n
    if n < k:
        raise SchemeFormatError(f"cannot pad a <{k},{k},{k}> scheme to the smaller <{n},{n},{n}>")
    embedded = []
    for a in (sym.u, sym.v, sym.w):
        big = np.zeros((len(a), n, n), dtype=a.dtype)
        big[:, :k, :k] = a.reshape(-1, k, k)
        embedded.append(big.reshape(len(a), n * n))
    triples = _standard_reps(n, sym.group, skip_below=k)
    std = _unit_rows(n, triples)
    rows = [np.concatenate([e, s.astype(e.dtype)]) for e, s in zip(embedded, std)]
    ring = sym.ring if sym.ring in (Ring.Z2, Ring.Q) else None
    prov = Provenance(source=f"pad({sym.provenance.source or 'symmetric'}, {n})", note=str(sym.group))
    return SymmetricScheme.from_rows(n, sym.group, *rows, ring=ring, provenance=prov)
