"""Cyclic-invariant schemes <-> the slot masks of the symmetric walk (:mod:`._sym_kernels`).

:func:`encode` takes an exact scheme of <n,n,n> (a :class:`~discovery.core.scheme.Scheme` or a
:class:`~discovery.core.symmetry.SymmetricScheme`) that is invariant under the cyclic map and
returns its slots (one per orbit of size 3; over Z2 fixed points too) and, over ZT, the frozen
fixed points. :func:`decode` expands slots back into a Scheme and its symmetric form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from discovery.core.scheme import Provenance, Ring, Scheme
from discovery.core.symmetry import SymmetricScheme, detect_symmetry
from discovery.errors import DiscoveryError
from discovery.search.flips._encode import decode_arrays

MAX_LENGTH = 64  # one 64-bit word per factor row (n·n <= 64: n <= 8)

RINGS = ("Z2", "ZT")


@dataclass(frozen=True)
class Slots:
    """A cyclic-invariant scheme as the walk holds it.

    Attributes:
        n: the format <n,n,n>. ring: "Z2" or "ZT".
        pos, neg: (3, S) uint64 masks of the slots' factors U, V, W (``neg`` is 0 over Z2).
        fpos, fneg: (3, f) masks of the frozen fixed points (ZT only; (3, 0) over Z2).
    """

    n: int
    ring: str
    pos: np.ndarray
    neg: np.ndarray
    fpos: np.ndarray
    fneg: np.ndarray

    @property
    def z2(self) -> bool:
        return self.ring == "Z2"

    @property
    def n_fixed(self) -> int:
        """Slots standing for one term (Z2: three equal factors)."""
        if not self.z2:
            return 0
        return int(np.sum((self.pos[0] == self.pos[1]) & (self.pos[1] == self.pos[2])))

    @property
    def rank(self) -> int:
        return 3 * self.pos.shape[1] - 2 * self.n_fixed + self.fpos.shape[1]


def check_ring(ring: str) -> str:
    if ring not in RINGS:
        raise DiscoveryError(f"unknown ring {ring!r} for the symmetric walk; use Z2 (modulo 2, lifted "
                             "afterwards) or ZT (coefficients in {-1,0,1}, fixed points frozen)")
    return ring


def check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise DiscoveryError(f"n={n!r} must be a positive integer (the walk is for <n,n,n>)")
    if n * n > MAX_LENGTH:
        raise DiscoveryError(f"<{n},{n},{n}> is too large for the symmetric walk: n·n = {n * n} > {MAX_LENGTH}; "
                             f"use n <= 8")
    return int(n)


def _masks(rows: np.ndarray, ring: str) -> tuple[np.ndarray, np.ndarray]:
    """(pos, neg) uint64 masks of integer rows (k, L)."""
    wts = np.left_shift(np.uint64(1), np.arange(rows.shape[1], dtype=np.uint64))
    if ring == "Z2":
        return ((rows % 2).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64), np.zeros(len(rows), np.uint64)
    return (((rows == 1).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64),
            ((rows == -1).astype(np.uint64) * wts).sum(axis=1, dtype=np.uint64))


def symmetric_form(s: Scheme | SymmetricScheme, ring: str) -> SymmetricScheme:
    """The cyclic orbits of ``s`` over ``ring`` (Z2: of ``s`` reduced modulo 2); a DiscoveryError
    naming the problem if ``s`` is not square, not integral or not invariant."""
    if isinstance(s, SymmetricScheme):
        s = s.expand()
    if not s.n == s.m == s.p:
        raise DiscoveryError(f"the start {s.name} is not square; the symmetric walk is for <n,n,n>")
    if not s.is_integral:
        raise DiscoveryError(f"the start {s.name} has fractional coefficients; the symmetric walk needs "
                             "a ternary (ZT) or mod-2 (Z2) scheme")
    if ring == "ZT" and not s.is_ternary:
        raise DiscoveryError(f"the start {s.name} has coefficients outside {{-1,0,1}}; use ring Z2")
    if ring == "Z2":
        u, v, w = (np.asarray(a, dtype=np.int64) % 2 for a in (s.u, s.v, s.w))
        s = Scheme.from_rows(s.n, s.n, s.n, u, v, w, ring=Ring.Z2, provenance=s.provenance)
    sym = detect_symmetry(s, "cyclic")
    if sym is None:
        raise DiscoveryError(f"the start {s.name} is not invariant under the cyclic map (U,V,W) -> (V,W,U) "
                             f"{'modulo 2' if ring == 'Z2' else 'over ZT'}; give a symmetric scheme "
                             "(discovery.detect_symmetry finds one's orbits) or no start (the standard algorithm)")
    return sym


def encode(s: Scheme | SymmetricScheme, ring: str, free_fixed: bool = False) -> Slots:
    """The slots of ``s`` (exact over ``ring``, cyclic-invariant; see :func:`symmetric_form`).

    Fixed points are frozen (outside the slots) unless ``free_fixed`` (Z2 only): then they are
    slots of three equal factors and take part in the moves."""
    sym = symmetric_form(s, ring)
    rows = [np.asarray(a, dtype=np.int64) for a in (sym.u, sym.v, sym.w)]
    sizes = np.array(sym.orbit_sizes)
    keep = np.ones(len(sizes), dtype=bool) if ring == "Z2" and free_fixed else sizes == 3
    pos, neg = (np.stack(x) for x in zip(*(_masks(a[keep], ring) for a in rows)))
    fpos, fneg = (np.stack(x) for x in zip(*(_masks(a[~keep], ring) for a in rows)))
    return Slots(sym.n, ring, pos, neg, fpos, fneg)


def decode(slots: Slots, provenance: Provenance | None = None) -> tuple[Scheme, SymmetricScheme]:
    """The expanded scheme of ``slots`` (each slot's orbit in the order id, σ, σ²; over Z2 a slot
    of equal factors gives one term; then the fixed points) and its symmetric form."""
    n, ring = slots.n, slots.ring
    U, V, W = decode_arrays(n, n, n, slots.pos[..., None], slots.neg[..., None])  # one word per row
    FU, FV, FW = decode_arrays(n, n, n, slots.fpos[..., None], slots.fneg[..., None])
    reps = [np.concatenate([a, f]) for a, f in zip((U, V, W), (FU, FV, FW))]
    fixed = np.concatenate([(slots.pos[0] == slots.pos[1]) & (slots.pos[1] == slots.pos[2]) if slots.z2
                            else np.zeros(slots.pos.shape[1], dtype=bool), np.ones(slots.fpos.shape[1], bool)])
    sizes = tuple(1 if f else 3 for f in fixed)
    prov = provenance or Provenance()
    sym = SymmetricScheme.from_rows(n, "cyclic", *reps, orbit_sizes=sizes, ring=ring, provenance=prov)
    return sym.expand(), sym
