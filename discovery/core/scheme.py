"""The :class:`Scheme` model: an exact bilinear algorithm for multiplying matrices.

A scheme for the format ``<n, m, p>`` with rank r holds three coefficient matrices,
one row per product (see :mod:`discovery.core.tensor` for the index convention):

* ``u``: shape (r, n*m), coefficients of vec(A) (row-major),
* ``v``: shape (r, m*p), coefficients of vec(B) (row-major),
* ``w``: shape (r, p*n), coefficients of vec(C^T) (row-major; **C transposed**).

Coefficients are exact: an integer array (dtype int64) when every entry is an integer,
otherwise an object array of :class:`fractions.Fraction`. Arrays are read-only; a Scheme
is immutable and hashable. Equality compares the format, the ring and the coefficients,
not the provenance.

The verification rule, stated once:

1. **Well-formed by construction.** Every ``Scheme`` (built by :meth:`Scheme.from_rows` or
   directly) is validated in its constructor: positive integer format, a known
   :class:`Ring`, coefficient arrays of the right shapes converted to read-only exact
   arrays, and coefficients that lie in the declared ring. A malformed scheme cannot exist.
2. **Declared is not verified.** ``ring`` is what the scheme *claims*; whether the Brent
   equations hold is checked by :func:`discovery.core.verify.verify`. Everything that trusts a
   scheme (simplify, bounds, the CLI, the solver's store, layers) calls
   :func:`discovery.core.verify.require_valid` on it.
3. **Verified once per object.** The outcome is a fact the scheme carries: the first check
   computes the Brent tensor once and records the verdict for every ring on the instance
   (:attr:`Scheme.verified_over`); later ``verify``/``require_valid``/``valid_rings`` calls on
   the same object read it back. The record is not part of equality or hashing; it follows the
   coefficients through :meth:`Scheme.with_provenance` and :meth:`Scheme.with_ring` (same
   coefficients, same verdicts) and is dropped by pickling (a scheme arriving from another
   process is checked again by the receiver). A transformed scheme is a new object and is
   verified when something trusts it.
"""

from __future__ import annotations

import datetime as _dt
import numbers
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from discovery.core.coefficients import exact_array, int_or_fraction
from discovery.core.ring import RING_NAMES as RING_NAMES
from discovery.core.ring import RINGS as RINGS
from discovery.core.ring import Ring as Ring
from discovery.errors import SchemeFormatError


@dataclass(frozen=True)
class Provenance:
    """Where a scheme came from.

    Attributes:
        source: free text, e.g. ``"strassen"``, ``"file:x.json"``, ``"spn-solver"``.
        seed: the random seed of the run that produced it, if any.
        time: ISO-8601 UTC timestamp of creation.
        note: anything else worth keeping (strategy, restart index, ...).
    """

    source: str = ""
    seed: int | None = None
    time: str | None = None
    note: str = ""

    @staticmethod
    def now(source: str, seed: int | None = None, note: str = "") -> "Provenance":
        t = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
        return Provenance(source=source, seed=seed, time=t, note=note)


@dataclass(frozen=True)
class OperationCounts:
    """Operation counts of the plain evaluation of a scheme (no shared subexpressions).

    ``additions`` counts additions and subtractions: (nnz - 1) per non-empty row of u and v
    and per non-empty column of w. ``scalings`` counts multiplications by a constant other
    than ±1 (non-zero coefficients with |c| != 1); they are not in ``multiplications``.
    """

    multiplications: int
    additions_a: int
    additions_b: int
    additions_c: int
    scalings: int

    @property
    def additions(self) -> int:
        return self.additions_a + self.additions_b + self.additions_c


def _infer_ring(arrays: tuple[np.ndarray, ...]) -> Ring:
    if all(a.dtype != object for a in arrays):
        if all(a.size == 0 or np.abs(a).max() <= 1 for a in arrays):
            return Ring.ZT
        return Ring.Z
    return Ring.Q


def _positive(d: Any, what: str) -> int:
    if type(d) is int and d >= 1:  # the common case, without the slower ABC checks
        return d
    if isinstance(d, bool) or not isinstance(d, numbers.Integral) or d < 1:
        raise SchemeFormatError(f"{what}={d!r} must be a positive integer")
    return int(d)


def _row_count(u: Any) -> int:
    try:
        r = len(u)
    except TypeError:
        raise SchemeFormatError("u must be a list of rows, one per product") from None
    if r < 1:
        raise SchemeFormatError("a scheme needs at least one product (u is empty)")
    return r


def _check_ring(ring: Ring, arrays: tuple[np.ndarray, ...]) -> None:
    """Coefficients must lie in the declared ring (vectorised; no per-entry Python for ints)."""
    if ring is Ring.Q:
        return
    if any(a.dtype.kind == "O" for a in arrays):
        raise SchemeFormatError(f"ring {ring} needs integer coefficients, but some are fractions")
    if ring is Ring.ZT and any(a.size and (a.max() > 1 or a.min() < -1) for a in arrays):
        raise SchemeFormatError("ring ZT needs coefficients in {-1, 0, 1}; declare Z instead")


@dataclass(frozen=True, eq=False)
class Scheme:
    """An exact bilinear matrix multiplication scheme for ``<n, m, p>``.

    Build it with :meth:`Scheme.from_rows` (infers the ring) or directly: the constructor
    validates the format, parses ``ring`` into a :class:`Ring` (an unknown ring raises
    :class:`SchemeFormatError`), converts u, v, w to read-only exact arrays of shapes
    (r, n*m), (r, m*p), (r, p*n) (int64 arrays that are already read-only are kept as they
    are) and checks the coefficients lie in the ring. The ``ring`` is what the scheme is
    *declared* to be valid over; :func:`discovery.core.verify.verify` checks it once and the
    verdicts are kept on the instance (see the module docstring and :attr:`verified_over`).
    """

    n: int
    m: int
    p: int
    u: np.ndarray  # (r, n*m)
    v: np.ndarray  # (r, m*p)
    w: np.ndarray  # (r, p*n), C transposed
    ring: Ring = Ring.Q
    provenance: Provenance = field(default_factory=Provenance)
    # Verification verdicts per ring (VerificationReport), filled only by discovery.verify.
    _verified: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # ---- construction -------------------------------------------------------------
    @classmethod
    def from_rows(
        cls,
        n: int,
        m: int,
        p: int,
        u: Any,
        v: Any,
        w: Any,
        ring: str | None = None,
        provenance: Provenance | None = None,
        rank: int | None = None,
    ) -> "Scheme":
        """Validate and build a scheme from rows of coefficients (one row per product).

        Args:
            n, m, p: the format; A is n×m, B is m×p.
            u, v, w: r rows of n*m, m*p and p*n coefficients (ints, Fractions, "p/q"
                strings, or floats that are exact binary rationals).
            ring: declared ring; inferred from the coefficients when None ("ZT" if all
                in {-1,0,1}, "Z" if integral, else "Q").
            rank: if given, must equal the number of rows.
        """
        n, m, p = _positive(n, "format entry n"), _positive(m, "format entry m"), _positive(p, "format entry p")
        r = _row_count(u)
        if rank is not None and _positive(rank, "rank") != r:
            raise SchemeFormatError(f"the rank says {rank} but u has {r} rows; they must agree")
        U = exact_array(u, (r, n * m), "u")
        V = exact_array(v, (r, m * p), "v")
        W = exact_array(w, (r, p * n), "w")
        if ring is None:
            ring = _infer_ring((U, V, W))
        return cls(n, m, p, U, V, W, ring, provenance or Provenance())

    @classmethod
    def from_factors(cls, n: int, m: int, p: int, U: Any, V: Any, W: Any, **kw) -> "Scheme":
        """Build from AlphaTensor-layout factors: U (n*m, r), V (m*p, r), W (p*n, r)."""
        return cls.from_rows(n, m, p, np.asarray(U).T, np.asarray(V).T, np.asarray(W).T, **kw)

    def __post_init__(self):
        n = _positive(self.n, "format entry n")
        m = _positive(self.m, "format entry m")
        p = _positive(self.p, "format entry p")
        ring = Ring.parse(self.ring)
        if not isinstance(self.provenance, Provenance):
            raise SchemeFormatError(
                f"provenance must be a Provenance, got {type(self.provenance).__name__}")
        r = _row_count(self.u)
        arrays = (exact_array(self.u, (r, n * m), "u"), exact_array(self.v, (r, m * p), "v"),
                  exact_array(self.w, (r, p * n), "w"))
        _check_ring(ring, arrays)
        for name, value in zip("nmp", (n, m, p)):
            object.__setattr__(self, name, value)
        for name, value in zip("uvw", arrays):
            object.__setattr__(self, name, value)
        object.__setattr__(self, "ring", ring)

    def __reduce__(self):
        # Rebuild through the constructor: arrays come back read-only and the verification
        # record stays behind (the receiving process verifies for itself).
        return (Scheme, (self.n, self.m, self.p, self.u, self.v, self.w, self.ring, self.provenance))

    def _derive(self, **changes) -> "Scheme":
        """A copy with fields changed but the same coefficients: it keeps the verdicts."""
        out = replace(self, **changes)
        out._verified.update(self._verified)
        return out

    @property
    def verified_over(self) -> tuple[Ring, ...]:
        """The rings this object has been verified exact over, strongest first; empty until
        :func:`discovery.core.verify.verify` (or ``require_valid`` / ``valid_rings``) ran on it."""
        return tuple(ring for ring in RINGS if ring in self._verified and self._verified[ring].ok)

    # ---- basic properties -----------------------------------------------------------
    @property
    def rank(self) -> int:
        """Number of multiplications r."""
        return int(self.u.shape[0])

    @property
    def format(self) -> tuple[int, int, int]:
        return (self.n, self.m, self.p)

    @property
    def is_integral(self) -> bool:
        return all(a.dtype != object for a in (self.u, self.v, self.w))

    @property
    def is_ternary(self) -> bool:
        return self.is_integral and all(np.abs(a).max(initial=0) <= 1 for a in (self.u, self.v, self.w))

    @property
    def name(self) -> str:
        return f"<{self.n},{self.m},{self.p}> rank {self.rank}"

    def factors(self, dtype=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(u, v, w) as arrays; ``dtype=float`` gives float64 copies for numerics."""
        if dtype is None:
            return self.u, self.v, self.w
        return tuple(np.array(a, dtype=object).astype(dtype) for a in (self.u, self.v, self.w))

    def rows(self) -> tuple[list, list, list]:
        """(u, v, w) as nested Python lists of ints/Fractions."""
        return tuple([[int_or_fraction(x) for x in row] for row in a] for a in (self.u, self.v, self.w))

    def with_provenance(self, provenance: Provenance) -> "Scheme":
        return self._derive(provenance=provenance)

    def with_ring(self, ring: str) -> "Scheme":
        return self._derive(ring=ring)

    # ---- equality ---------------------------------------------------------------------
    def _key(self):
        return (self.format, self.ring, *(tuple(map(int_or_fraction, a.ravel())) for a in (self.u, self.v, self.w)))

    def __eq__(self, other):
        if not isinstance(other, Scheme):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        src = f", source={self.provenance.source!r}" if self.provenance.source else ""
        return f"Scheme(<{self.n},{self.m},{self.p}>, rank={self.rank}, ring={self.ring.value!r}{src})"

    # ---- evaluation ---------------------------------------------------------------------
    def apply(self, A, B):
        """Multiply with this scheme: ``A`` (..., n, m) times ``B`` (..., m, p) -> (..., n, p).

        Works on numpy arrays (any numeric dtype, or object arrays of exact numbers) and on
        torch tensors (float dtypes, any device; coefficients are cast to A's dtype/device).
        Leading batch dimensions broadcast.
        """
        n, m, p = self.format
        if type(A).__module__.startswith("torch"):
            import torch

            U, V, W = (torch.as_tensor(np.asarray(a, dtype=np.float64), dtype=A.dtype, device=A.device)
                       for a in self.factors(float))
            a = A.reshape(*A.shape[:-2], n * m)
            b = B.reshape(*B.shape[:-2], m * p)
            M = (a @ U.T) * (b @ V.T)
            Ct = M @ W
            return Ct.reshape(*Ct.shape[:-1], p, n).transpose(-1, -2)
        A = np.asarray(A)
        B = np.asarray(B)
        if A.shape[-2:] != (n, m) or B.shape[-2:] != (m, p):
            raise SchemeFormatError(
                f"shapes {A.shape} and {B.shape} do not fit the format <{n},{m},{p}>"
            )
        exact = A.dtype == object or B.dtype == object
        U, V, W = (self.u, self.v, self.w) if exact else self.factors(float)
        a = A.reshape(*A.shape[:-2], n * m)
        b = B.reshape(*B.shape[:-2], m * p)
        M = (a @ U.T) * (b @ V.T)
        Ct = M @ W
        return np.swapaxes(Ct.reshape(*Ct.shape[:-1], p, n), -1, -2)

    def counts(self) -> OperationCounts:
        """Counts of the plain evaluation (see :class:`OperationCounts`)."""
        def adds(mat: np.ndarray, axis: int) -> int:
            nnz = (mat != 0).sum(axis=axis)
            return int(np.clip(nnz - 1, 0, None).sum())

        scal = sum(int(sum(1 for x in a.ravel() if x != 0 and abs(x) != 1)) for a in (self.u, self.v, self.w))
        return OperationCounts(
            multiplications=self.rank,
            additions_a=adds(self.u, 1),
            additions_b=adds(self.v, 1),
            additions_c=adds(self.w, 0),
            scalings=scal,
        )
