"""Meta operations: a scheme of one format made from schemes of neighbouring formats.

These are the edges between the flip graphs of different formats (the *meta flip graph*: Kauers &
Wood, arXiv 2510.19787, extension and projection; Perminov, arXiv 2511.20317 and 2603.02398, also
merge and product). Index convention (:mod:`discovery.core.tensor`): a scheme for ``<n,m,p>``
multiplies A (n×m) by B (m×p); ``u`` indexes vec(A) row-major (column ``i*m + j`` is A[i, j]),
``v`` indexes vec(B) (``j*p + k`` is B[j, k]) and ``w`` indexes **vec(Cᵀ)** (``k*n + i`` is C[i, k]).

An *axis* names one of the three dimensions: ``"n"`` (rows of A and of C), ``"m"`` (columns of A,
rows of B), ``"p"`` (columns of B and of C); the integers 0, 1, 2 mean the same.

* :func:`project` — drop row/column ``index`` of one dimension: <n,m,p> -> <n-1,m,p> (etc.);
  products that vanish are dropped, so the rank may fall.
* :func:`extend` — add a row/column at the end of one dimension: <n,m,p> -> <n+1,m,p> with the
  m·p standard products the new row of C needs (n·p for "m", n·m for "p").
* :func:`merge` — the block decomposition of the product along one dimension (a direct sum):
  <n1,m,p> and <n2,m,p> -> <n1+n2,m,p>, rank r1 + r2.
* :func:`product` — the Kronecker product: <n1n2, m1m2, p1p2>, rank r1·r2.

Each one checks that its inputs are exact over the ring they declare (a
:class:`~discovery.errors.VerificationError` names the one that is not), builds the new scheme over
that ring (exact over Z, Q or ZT as its coefficients allow; a scheme valid modulo 2 stays one) and
verifies it exactly before returning it. Bad arguments raise :class:`~discovery.errors.DiscoveryError`
with one line naming the problem.
"""

from __future__ import annotations

import numbers

import numpy as np

from discovery.core.known import standard
from discovery.core.scheme import Provenance, Scheme
from discovery.core.transforms import _rebuild, direct_sum, kron
from discovery.core.verify import require_valid, verify
from discovery.errors import DiscoveryError, VerificationError

AXES = ("n", "m", "p")
# The two dimensions that index each factor's matrix: U_t is n×m, V_t is m×p, W_t (= C_tᵀ) is p×n.
FACTOR_AXES = ((0, 1), (1, 2), (2, 0))


def axis_index(axis) -> int:
    """``axis`` ("n", "m", "p" or 0, 1, 2) as 0, 1 or 2; one clear error otherwise."""
    if isinstance(axis, str) and axis.strip().lower() in AXES:
        return AXES.index(axis.strip().lower())
    if isinstance(axis, numbers.Integral) and not isinstance(axis, bool) and 0 <= axis <= 2:
        return int(axis)
    raise DiscoveryError(f"axis {axis!r} is not a dimension; use 'n', 'm' or 'p' (or 0, 1, 2)")


def _fmt(f) -> str:
    return f"<{','.join(map(str, f))}>"


def _exact_input(s: Scheme, op: str, which: str = "the scheme") -> None:
    if not isinstance(s, Scheme):
        raise DiscoveryError(f"{op}: {which} must be a Scheme, got {type(s).__name__}")
    report = verify(s)
    if not report.ok:
        raise VerificationError(f"{op}: {which} is not exact over its ring {s.ring}: {report.summary(2)}; "
                                "only exact schemes can be moved to another format", report)


def _provenance(s: Scheme, note: str) -> Provenance:
    p = s.provenance
    return Provenance(source=p.source or s.name, seed=p.seed, time=p.time,
                      note=(p.note + "; " if p.note else "") + note)


def project(s: Scheme, axis, index: int) -> Scheme:
    """Drop entry ``index`` of dimension ``axis``: a verified scheme for the smaller format.

    axis "n": delete row ``index`` of A and of C (<n,m,p> -> <n-1,m,p>); "m": column ``index`` of A
    and row ``index`` of B (-> <n,m-1,p>); "p": column ``index`` of B and of C (-> <n,m,p-1>). The
    remaining entries of every factor keep their order (row-major, w indexing Cᵀ). Setting those
    inputs to zero and ignoring those outputs keeps every other Brent equation, so the result is
    exact; products whose u, v or w row becomes zero are dropped (rank <= r).

    Args:
        s: an exact scheme. axis: "n", "m", "p" (or 0, 1, 2). index: 0 <= index < that dimension.
    Raises DiscoveryError for a bad axis or index, or a dimension of 1 (nothing left to drop).
    """
    x = axis_index(axis)
    _exact_input(s, "project")
    dims = list(s.format)
    if dims[x] < 2:
        raise DiscoveryError(f"cannot project {_fmt(dims)} along {AXES[x]!r}: that dimension is 1 wide; "
                             "project along a dimension of at least 2")
    if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < dims[x]:
        raise DiscoveryError(f"index {index!r} is out of range for {AXES[x]} = {dims[x]} of "
                             f"{_fmt(dims)}; use 0 .. {dims[x] - 1}")
    r = s.rank
    factors = []
    for a, (d0, d1) in zip(s.factors(), FACTOR_AXES):
        F = a.reshape(r, dims[d0], dims[d1])
        if d0 == x:
            F = np.delete(F, index, axis=1)
        if d1 == x:
            F = np.delete(F, index, axis=2)
        factors.append(F.reshape(r, -1))
    dims[x] -= 1
    keep = [t for t in range(r) if all(f[t].any() for f in factors)]
    u, v, w = (f[keep] for f in factors)
    out = _rebuild(s, *dims, u, v, w, f"projected along {AXES[x]} (index {index})")
    return require_valid(out)


def extend(s: Scheme, axis) -> Scheme:
    """Add one entry at the end of dimension ``axis``, with the standard products it needs.

    axis "n": a new last row of A and of C (<n,m,p> -> <n+1,m,p>), computed as
    C[n, k] = sum_j A[n, j]·B[j, k] by m·p new products; "m": a new last column of A and row of
    B (C += A[:, m]·B[m, :], n·p products); "p": a new last column of B and of C (n·m products).
    The old products keep their coefficients (embedded with zeros for the new entries); this is
    ``merge(s, standard(...), axis)`` with the standard algorithm of the one-wide format.

    Args:
        s: an exact scheme. axis: "n", "m", "p" (or 0, 1, 2).
    """
    x = axis_index(axis)
    _exact_input(s, "extend")
    dims = list(s.format)
    unit = standard(*(1 if d == x else dims[d] for d in range(3)))
    out = direct_sum(s, unit, AXES[x])
    dims[x] += 1
    out = out.with_provenance(_provenance(s, f"extended along {AXES[x]} to {_fmt(dims)}"))
    return require_valid(out)


def merge(a: Scheme, b: Scheme, axis) -> Scheme:
    """Join ``a`` and ``b`` along dimension ``axis`` (the block decomposition of the product).

    axis "n": A = [A1; A2], C = [A1 B; A2 B] (<n1,m,p> and <n2,m,p> -> <n1+n2,m,p>); "m":
    A = [A1 A2], B = [B1; B2], C = A1 B1 + A2 B2; "p": B = [B1 B2], C = [A B1, A B2]. The terms of
    ``a`` come first and index the leading block, those of ``b`` the trailing one; rank r1 + r2.
    The two other dimensions of ``a`` and ``b`` must agree (permute a format first with
    :func:`~discovery.core.transforms.transpose` / :func:`~discovery.core.transforms.cyclic`).
    """
    x = axis_index(axis)
    _exact_input(a, "merge", "the first scheme")
    _exact_input(b, "merge", "the second scheme")
    others = [d for d in range(3) if d != x]
    if [a.format[d] for d in others] != [b.format[d] for d in others]:
        names = " and ".join(AXES[d] for d in others)
        raise DiscoveryError(f"cannot merge {_fmt(a.format)} and {_fmt(b.format)} along {AXES[x]!r}: "
                             f"their {names} must agree; permute one format or merge along another axis")
    out = direct_sum(a, b, AXES[x])
    out = out.with_provenance(Provenance.now(f"merge({a.provenance.source or a.name}, "
                                             f"{b.provenance.source or b.name}) along {AXES[x]}"))
    return require_valid(out)


def product(a: Scheme, b: Scheme) -> Scheme:
    """The Kronecker product of ``a`` and ``b``: <n1n2, m1m2, p1p2>, rank r1·r2, verified.

    Block convention of :func:`~discovery.core.transforms.kron`: row i1*n2 + i2 and column
    j1*m2 + j2 of A (likewise for B and C), so A = A1 ⊗ A2 in index order.
    """
    _exact_input(a, "product", "the first scheme")
    _exact_input(b, "product", "the second scheme")
    return require_valid(kron(a, b))
