"""Symmetric schemes <-> the slot masks of the symmetric walk (:mod:`._sym_kernels` for the cyclic
group, :mod:`._sym_full` for the full group).

:func:`encode` takes an exact scheme of <n,n,n> (a :class:`~discovery.core.scheme.Scheme` or a
:class:`~discovery.core.symmetry.SymmetricScheme`) that is invariant under the group and returns
its slots and its frozen terms. Cyclic: one slot per orbit of size 3 (over Z2 fixed points too),
frozen fixed points. Full: one slot per orbit of size 6 or 3 (a size-3 orbit by its member fixed
by τ, in the normal form V = Uᵀ, W = Wᵀ), the orbits of size 2 and 1 frozen (expanded).
:func:`decode` expands slots back into a Scheme and its symmetric form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from discovery.core.scheme import Provenance, Ring, Scheme
from discovery.core.symmetry import SymmetricScheme, _words, _apply, detect_symmetry
from discovery.errors import DiscoveryError
from discovery.search.flips._encode import decode_arrays

MAX_LENGTH = 64  # one 64-bit word per factor row (n·n <= 64: n <= 8)

RINGS = ("Z2", "ZT")
GROUPS = ("cyclic", "full")


@dataclass(frozen=True)
class Slots:
    """A symmetric scheme as the walk holds it.

    Attributes:
        n: the format <n,n,n>. ring: "Z2" or "ZT".
        pos, neg: (3, S) uint64 masks of the slots' factors U, V, W (``neg`` is 0 over Z2).
        fpos, fneg: (3, f) masks of the frozen terms: cyclic, the fixed points (none over Z2
            unless frozen); full, every term of the orbits of size 2 and 1, orbit by orbit.
        group: "cyclic" or "full".
        kinds: full only: (S,) int64, each slot's orbit size (6 or 3).
        fsizes: full only: the frozen orbits' sizes (2 or 1), in the order of ``fpos``.
    """

    n: int
    ring: str
    pos: np.ndarray
    neg: np.ndarray
    fpos: np.ndarray
    fneg: np.ndarray
    group: str = "cyclic"
    kinds: np.ndarray | None = None
    fsizes: tuple = ()

    def with_masks(self, pos: np.ndarray, neg: np.ndarray, kinds: np.ndarray | None = None) -> "Slots":
        """The same frozen terms with other slots."""
        return Slots(self.n, self.ring, pos, neg, self.fpos, self.fneg, self.group,
                     None if kinds is None else np.asarray(kinds, np.int64), self.fsizes)

    @property
    def z2(self) -> bool:
        return self.ring == "Z2"

    @property
    def full(self) -> bool:
        return self.group == "full"

    @property
    def n_fixed(self) -> int:
        """Slots standing for one term (cyclic, Z2: three equal factors)."""
        if not self.z2 or self.full:
            return 0
        return int(np.sum((self.pos[0] == self.pos[1]) & (self.pos[1] == self.pos[2])))

    @property
    def rank(self) -> int:
        if self.full:
            return int(np.sum(self.kinds)) + self.fpos.shape[1]
        return 3 * self.pos.shape[1] - 2 * self.n_fixed + self.fpos.shape[1]


def check_ring(ring: str) -> str:
    if ring not in RINGS:
        raise DiscoveryError(f"unknown ring {ring!r} for the symmetric walk; use Z2 (modulo 2, lifted "
                             "afterwards) or ZT (coefficients in {-1,0,1}, fixed points frozen)")
    return ring


def check_group(group: str) -> str:
    if group not in GROUPS:
        raise DiscoveryError(f"unknown symmetry {group!r} for the symmetric walk; use cyclic (σ: (U,V,W) -> "
                             "(V,W,U)) or full (σ and τ: (U,V,W) -> (Vᵀ,Uᵀ,Wᵀ))")
    return group


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


def symmetric_form(s: Scheme | SymmetricScheme, ring: str, group: str = "cyclic") -> SymmetricScheme:
    """The orbits of ``s`` under ``group`` over ``ring`` (Z2: of ``s`` reduced modulo 2); a
    DiscoveryError naming the problem if ``s`` is not square, not integral or not invariant."""
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
    sym = detect_symmetry(s, group)
    if sym is None:
        what = ("the cyclic map (U,V,W) -> (V,W,U)" if group == "cyclic" else
                "the full group (the cyclic map and the transpose (U,V,W) -> (Vᵀ,Uᵀ,Wᵀ))")
        raise DiscoveryError(f"the start {s.name} is not invariant under {what} "
                             f"{'modulo 2' if ring == 'Z2' else 'over ZT'}; give a symmetric scheme "
                             "(discovery.detect_symmetry finds one's orbits) or no start (the standard algorithm)")
    return sym


def encode(s: Scheme | SymmetricScheme, ring: str, free_fixed: bool = False, group: str = "cyclic") -> Slots:
    """The slots of ``s`` (exact over ``ring``, invariant under ``group``; see :func:`symmetric_form`).

    Cyclic: fixed points are frozen (outside the slots) unless ``free_fixed`` (Z2 only): then
    they are slots of three equal factors and take part in the moves."""
    if group == "full":
        return _encode_full(symmetric_form(s, ring, "full"), ring)
    sym = symmetric_form(s, ring)
    rows = [np.asarray(a, dtype=np.int64) for a in (sym.u, sym.v, sym.w)]
    sizes = np.array(sym.orbit_sizes)
    keep = np.ones(len(sizes), dtype=bool) if ring == "Z2" and free_fixed else sizes == 3
    pos, neg = (np.stack(x) for x in zip(*(_masks(a[keep], ring) for a in rows)))
    fpos, fneg = (np.stack(x) for x in zip(*(_masks(a[~keep], ring) for a in rows)))
    return Slots(sym.n, ring, pos, neg, fpos, fneg)


def _tau_normal(term, n: int, z2: bool):
    """The member of a size-3 orbit (under the full group) fixed by τ, as (U, Uᵀ, W) with W = Wᵀ."""
    for k in range(3):
        u, v, w = (np.asarray(f, dtype=np.int64) for f in _apply("s" * k, term, n))
        ut = u.reshape(n, n).T.reshape(-1)
        if z2:
            u, v, w = u % 2, v % 2, w % 2
            ut = ut % 2
        if not np.array_equal(w, w.reshape(n, n).T.reshape(-1)):
            continue
        if np.array_equal(v, ut):
            return u, v, w
        if not z2 and np.array_equal(v, -ut):
            return u, -v, -w
    raise DiscoveryError("an orbit of size 3 has no member fixed by the transpose (a bug; please report it)")


def _encode_full(sym: SymmetricScheme, ring: str) -> Slots:
    n, z2 = sym.n, ring == "Z2"
    slots, kinds, frozen, fsizes = [], [], [], []
    for term, size in zip(zip(sym.u, sym.v, sym.w), sym.orbit_sizes):
        if size == 6:
            slots.append([np.asarray(f, dtype=np.int64) for f in term])
            kinds.append(6)
        elif size == 3:
            slots.append(list(_tau_normal(term, n, z2)))
            kinds.append(3)
        else:
            frozen.extend([np.asarray(f, dtype=np.int64) for f in _apply(word, term, n)] for word in _words(size))
            fsizes.append(size)

    def masks(terms):
        if not terms:
            return np.zeros((3, 0), np.uint64), np.zeros((3, 0), np.uint64)
        pn = [_masks(np.stack([t[x] for t in terms]), ring) for x in range(3)]
        return np.stack([p for p, _ in pn]), np.stack([q for _, q in pn])

    pos, neg = masks(slots)
    fpos, fneg = masks(frozen)
    return Slots(n, ring, pos, neg, fpos, fneg, "full", np.array(kinds, dtype=np.int64), tuple(fsizes))


def _decode_full(slots: Slots, prov: Provenance) -> tuple[Scheme, SymmetricScheme]:
    n = slots.n
    U, V, W = decode_arrays(n, n, n, slots.pos[..., None], slots.neg[..., None])
    FU, FV, FW = decode_arrays(n, n, n, slots.fpos[..., None], slots.fneg[..., None])
    first = np.cumsum((0,) + slots.fsizes[:-1]).astype(np.int64) if slots.fsizes else np.zeros(0, np.int64)
    reps = [np.concatenate([a, f[first]]) for a, f in zip((U, V, W), (FU, FV, FW))]
    sizes = tuple(int(k) for k in slots.kinds) + tuple(slots.fsizes)
    sym = SymmetricScheme.from_rows(n, "full", *reps, orbit_sizes=sizes, ring=slots.ring, provenance=prov)
    return sym.expand(), sym


def decode(slots: Slots, provenance: Provenance | None = None) -> tuple[Scheme, SymmetricScheme]:
    """The expanded scheme of ``slots`` and its symmetric form. Cyclic: each slot's orbit in the
    order id, σ, σ² (over Z2 a slot of equal factors gives one term), then the fixed points; full:
    the orbits in the order of :meth:`~discovery.core.symmetry.SymmetricScheme.expand`, slots first."""
    if slots.full:
        return _decode_full(slots, provenance or Provenance())
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
