"""Ways to make new exact schemes from old ones, and a canonical form to recognise repeats.

All transforms keep exactness: a valid scheme maps to a valid scheme (tests verify it).

* :func:`permute_terms`, :func:`scale_term` — reorder products; scale one product's factors
  by (alpha, beta, 1/(alpha*beta)).
* :func:`transpose` — <n,m,p> -> <p,m,n> from (AB)^T = B^T A^T.
* :func:`cyclic` — <n,m,p> -> <m,p,n> from the cyclic symmetry of the tensor.
* :func:`sandwich` — the equivalence A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1.
* :func:`kron` — <n1,m1,p1> ⊗ <n2,m2,p2> = <n1n2, m1m2, p1p2>, rank r1·r2.
* :func:`direct_sum` — glue schemes along a split dimension (rank r1 + r2).
* :func:`canonical`, :func:`fingerprint` — normal form up to term order and term scaling
  (optionally also the format's own cyclic/transpose symmetries).
"""

from __future__ import annotations

import hashlib
from fractions import Fraction
from typing import Sequence

import numpy as np

from discovery.core.scheme import Provenance, Scheme
from discovery.errors import DiscoveryError


def _frac(a: np.ndarray) -> np.ndarray:
    out = np.empty(a.shape, dtype=object)
    out.ravel()[:] = [Fraction(x) for x in a.ravel()]
    return out


def _modular(*schemes: Scheme) -> str | None:
    """The ring "modulo p" the schemes declare (a transform of a Z2 or Z3 scheme is valid modulo
    the same p only), or None to infer the ring from the new coefficients."""
    moduli = {s.ring for s in schemes if s.ring.modulus}
    if len(moduli) > 1:
        raise DiscoveryError("cannot combine a scheme valid modulo 2 with one valid modulo 3")
    return moduli.pop().value if moduli else None


def _rebuild(s: Scheme, n, m, p, u, v, w, note: str, ring: str | None = None) -> Scheme:
    ring = ring if ring is not None else _modular(s)
    prov = Provenance(source=s.provenance.source, seed=s.provenance.seed, time=s.provenance.time,
                      note=(s.provenance.note + "; " if s.provenance.note else "") + note)
    return Scheme.from_rows(n, m, p, u, v, w, ring=ring, provenance=prov)


def permute_terms(s: Scheme, perm: Sequence[int]) -> Scheme:
    """Reorder the products: new term t is old term ``perm[t]``."""
    perm = list(perm)
    if sorted(perm) != list(range(s.rank)):
        raise DiscoveryError(f"perm must be a permutation of 0..{s.rank - 1}")
    return _rebuild(s, *s.format, s.u[perm], s.v[perm], s.w[perm], "terms permuted")


def scale_term(s: Scheme, t: int, alpha=1, beta=1) -> Scheme:
    """Scale product t: u_t *= alpha, v_t *= beta, w_t /= alpha*beta (signs: alpha, beta = ±1)."""
    alpha, beta = Fraction(alpha), Fraction(beta)
    if alpha == 0 or beta == 0:
        raise DiscoveryError("scaling factors must be non-zero")
    u, v, w = (_frac(a) for a in s.factors())
    u[t] *= alpha
    v[t] *= beta
    w[t] /= alpha * beta
    return _rebuild(s, *s.format, u, v, w, f"term {t} scaled")


def transpose(s: Scheme) -> Scheme:
    """<n,m,p> -> <p,m,n>: C^T = B^T A^T, so the new A is B^T and the new B is A^T."""
    n, m, p = s.format
    r = s.rank
    u = s.v.reshape(r, m, p).transpose(0, 2, 1).reshape(r, p * m)  # vec(B^T)
    v = s.u.reshape(r, n, m).transpose(0, 2, 1).reshape(r, m * n)  # vec(A^T)
    w = s.w.reshape(r, p, n).transpose(0, 2, 1).reshape(r, n * p)  # vec((C^T)^T) = vec(C)
    return _rebuild(s, p, m, n, u, v, w, "transposed")


def cyclic(s: Scheme) -> Scheme:
    """<n,m,p> -> <m,p,n>: T is invariant under (a, b, c) -> (b, c, a), so (u,v,w) -> (v,w,u)."""
    n, m, p = s.format
    return _rebuild(s, m, p, n, s.v, s.w, s.u, "cyclically rotated")


def _as_fraction_matrix(X, size: int, name: str) -> np.ndarray:
    X = np.asarray(X, dtype=object)
    if X.shape != (size, size):
        raise DiscoveryError(f"{name} must be {size}x{size}, got shape {X.shape}")
    return _frac(X)


def _inverse(X: np.ndarray, name: str) -> np.ndarray:
    import sympy

    M = sympy.Matrix(X.tolist())
    if M.det() == 0:
        raise DiscoveryError(f"{name} is singular; the equivalence transform needs invertible matrices")
    inv = M.inv()
    return np.array([[Fraction(int(x.p), int(x.q)) for x in row] for row in inv.tolist()], dtype=object)


def sandwich(s: Scheme, X=None, Y=None, Z=None) -> Scheme:
    """Equivalent scheme via A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1.

    Since AB = X^-1 (X A Y^-1)(Y B Z^-1) Z, the new scheme evaluates the old one on the
    transformed inputs: U_t -> X^T U_t Y^-T, V_t -> Y^T V_t Z^-T, W_t -> X^-1 W_t Z, where
    U_t (n×m), V_t (m×p) and W_t (n×p, i.e. C-shaped) are the factor rows as matrices.
    X (n×n), Y (m×m), Z (p×p) are invertible; None means the identity. Unimodular integer
    matrices keep integer schemes integer.
    """
    n, m, p = s.format
    X = np.eye(n, dtype=int) if X is None else X
    Y = np.eye(m, dtype=int) if Y is None else Y
    Z = np.eye(p, dtype=int) if Z is None else Z
    X, Y, Z = (_as_fraction_matrix(M, d, nm) for M, d, nm in ((X, n, "X"), (Y, m, "Y"), (Z, p, "Z")))
    Xi, Yi, Zi = _inverse(X, "X"), _inverse(Y, "Y"), _inverse(Z, "Z")
    r = s.rank
    U = _frac(s.u).reshape(r, n, m)
    V = _frac(s.v).reshape(r, m, p)
    Wc = _frac(s.w).reshape(r, p, n).transpose(0, 2, 1)  # (r, n, p) C-shaped
    U2 = np.array([X.T.dot(U[t]).dot(Yi.T) for t in range(r)], dtype=object)
    V2 = np.array([Y.T.dot(V[t]).dot(Zi.T) for t in range(r)], dtype=object)
    W2 = np.array([Xi.dot(Wc[t]).dot(Z) for t in range(r)], dtype=object)
    ring = _modular(s)
    return _rebuild(s, n, m, p, U2.reshape(r, n * m), V2.reshape(r, m * p),
                    W2.transpose(0, 2, 1).reshape(r, p * n), "sandwich-transformed", ring)


def kron(s1: Scheme, s2: Scheme) -> Scheme:
    """Kronecker (tensor) product: a scheme for <n1n2, m1m2, p1p2> with rank r1·r2.

    Block convention: A = A1 ⊗ A2 indexing, i.e. row i1*n2 + i2 and column j1*m2 + j2.
    Example: ``kron(strassen(), strassen())`` is <4,4,4> with rank 49.
    """
    (n1, m1, p1), (n2, m2, p2) = s1.format, s2.format
    r1, r2 = s1.rank, s2.rank
    obj = not (s1.is_integral and s2.is_integral)
    f = (lambda a: _frac(a)) if obj else (lambda a: a)
    u = f(s1.u).reshape(r1, 1, n1, 1, m1, 1) * f(s2.u).reshape(1, r2, 1, n2, 1, m2)
    v = f(s1.v).reshape(r1, 1, m1, 1, p1, 1) * f(s2.v).reshape(1, r2, 1, m2, 1, p2)
    w = f(s1.w).reshape(r1, 1, p1, 1, n1, 1) * f(s2.w).reshape(1, r2, 1, p2, 1, n2)
    n, m, p, r = n1 * n2, m1 * m2, p1 * p2, r1 * r2
    ring = _modular(s1, s2)
    prov = Provenance.now(f"kron({s1.provenance.source or s1.name}, {s2.provenance.source or s2.name})")
    return Scheme.from_rows(n, m, p, u.reshape(r, n * m), v.reshape(r, m * p), w.reshape(r, p * n),
                            ring=ring, provenance=prov)


def _embed(s: Scheme, n: int, m: int, p: int, di: int, dj: int, dk: int):
    """Factors of ``s`` placed in the bigger format <n,m,p> at offsets (di, dj, dk)."""
    n0, m0, p0 = s.format
    r = s.rank
    dt = object if not s.is_integral else np.int64
    u = np.zeros((r, n, m), dtype=dt)
    v = np.zeros((r, m, p), dtype=dt)
    w = np.zeros((r, p, n), dtype=dt)
    u[:, di:di + n0, dj:dj + m0] = s.u.reshape(r, n0, m0)
    v[:, dj:dj + m0, dk:dk + p0] = s.v.reshape(r, m0, p0)
    w[:, dk:dk + p0, di:di + n0] = s.w.reshape(r, p0, n0)
    return u.reshape(r, -1), v.reshape(r, -1), w.reshape(r, -1)


def direct_sum(s1: Scheme, s2: Scheme, axis: str) -> Scheme:
    """Glue two schemes along a split dimension ``axis`` in {"n", "m", "p"}; rank r1 + r2.

    "n": A = [A1; A2] (rows split), C = [A1 B; A2 B]. "m": A = [A1 A2], B = [B1; B2],
    C = A1 B1 + A2 B2. "p": B = [B1 B2], C = [A B1, A B2]. The other two dimensions of the
    two schemes must agree.
    """
    (n1, m1, p1), (n2, m2, p2) = s1.format, s2.format
    if axis == "n" and (m1, p1) == (m2, p2):
        fmt, off = (n1 + n2, m1, p1), (n1, 0, 0)
    elif axis == "m" and (n1, p1) == (n2, p2):
        fmt, off = (n1, m1 + m2, p1), (0, m1, 0)
    elif axis == "p" and (n1, m1) == (n2, m2):
        fmt, off = (n1, m1, p1 + p2), (0, 0, p1)
    else:
        raise DiscoveryError(
            f"cannot glue <{n1},{m1},{p1}> and <{n2},{m2},{p2}> along {axis!r}: axis must be "
            "'n', 'm' or 'p' and the other two dimensions must agree")
    a = _embed(s1, *fmt, 0, 0, 0)
    b = _embed(s2, *fmt, *off)
    uvw = [np.concatenate([x, y]) for x, y in zip(a, b)]
    ring = _modular(s1, s2)
    return Scheme.from_rows(*fmt, *uvw, ring=ring, provenance=Provenance.now(f"direct_sum({axis})"))


def _term_normal(u, v, w):
    """Scale one term so that the first non-zero of u and of v is 1 (scale moves into w)."""
    a = next(x for x in u if x != 0)
    b = next(x for x in v if x != 0)
    return (tuple(x / a for x in u), tuple(x / b for x in v), tuple(x * a * b for x in w))


def canonical(s: Scheme, symmetries: bool = False) -> tuple:
    """Canonical form of ``s`` up to term order and term scaling (sign changes included).

    Returns a hashable tuple (format, sorted normalised terms). With ``symmetries=True``
    the minimum is also taken over the format-preserving cyclic/transpose symmetries.
    Zero terms (a factor row of zeros) contribute nothing and are dropped.
    """
    def form(t: Scheme):
        fast = _unit_form(t)
        if fast is not None:
            return fast
        terms = []
        for a, b, c in zip(_frac(t.u), _frac(t.v), _frac(t.w)):
            if not any(a) or not any(b) or not any(c):
                continue
            terms.append(_term_normal(list(a), list(b), list(c)))
        return (t.format, tuple(sorted(terms)))

    forms = [form(t) for _, _, t in (format_symmetries(s) if symmetries else [(0, False, s)])]
    return min(forms, key=repr)


def _unit_form(t: Scheme):
    """The ``form`` of :func:`canonical` without Fraction arithmetic, for an int64 scheme whose
    terms all lead with ±1 in u and in v (every ternary scheme): the same tuple (the same Fraction
    values in the same order), so fingerprints do not change. None when that does not apply."""
    if not all(x.dtype.kind == "i" for x in (t.u, t.v, t.w)):
        return None
    u, v, w = t.u, t.v, t.w
    keep = u.any(axis=1) & v.any(axis=1) & w.any(axis=1)
    u, v, w = u[keep], v[keep], w[keep]
    rows = np.arange(len(u))
    a = u[rows, (u != 0).argmax(axis=1)]
    b = v[rows, (v != 0).argmax(axis=1)]
    if not (np.all(np.abs(a) == 1) and np.all(np.abs(b) == 1)):
        return None
    u, v, w = u * a[:, None], v * b[:, None], w * (a * b)[:, None]
    flat = np.concatenate([u, v, w], axis=1)
    order = np.lexsort(flat.T[::-1])
    frac = {x: Fraction(x) for x in np.unique(flat).tolist()}
    nu, nv = u.shape[1], v.shape[1]
    terms = []
    for row in flat[order].tolist():
        f = [frac[x] for x in row]
        terms.append((tuple(f[:nu]), tuple(f[nu:nu + nv]), tuple(f[nu + nv:])))
    return (t.format, tuple(terms))


def format_symmetries(s: Scheme) -> list[tuple[int, bool, Scheme]]:
    """The images of ``s`` under the cyclic/transpose symmetries that keep its format.

    Returns (k, transposed, scheme) triples: ``cyclic`` applied k times (k = 0, 1, 2), then
    :func:`transpose` if ``transposed``; the identity ``(0, False, s)`` comes first.
    """
    out, cur = [], s
    for k in range(3):
        for tr in (False, True):
            cand = transpose(cur) if tr else cur
            if cand.format == s.format:
                out.append((k, tr, cand))
        cur = cyclic(cur)
    return out


def fingerprint(s: Scheme, symmetries: bool = False) -> str:
    """A short hex digest of :func:`canonical`: equal for schemes equal up to term order/scaling."""
    return hashlib.sha256(repr(canonical(s, symmetries)).encode()).hexdigest()[:16]


def restrict(s: Scheme, n: int, m: int, p: int) -> Scheme:
    """A scheme for the smaller format <n,m,p> from one for a larger format (rank <= r).

    Keeps the top-left n×m block of A and m×p block of B (the other entries set to zero) and
    the top-left n×p block of C; products that vanish are dropped.
    """
    n0, m0, p0 = s.format
    if not (1 <= n <= n0 and 1 <= m <= m0 and 1 <= p <= p0):
        raise DiscoveryError(f"cannot restrict <{n0},{m0},{p0}> to <{n},{m},{p}>: each dimension "
                             "must be between 1 and the scheme's own")
    r = s.rank
    u = s.u.reshape(r, n0, m0)[:, :n, :m].reshape(r, n * m)
    v = s.v.reshape(r, m0, p0)[:, :m, :p].reshape(r, m * p)
    w = s.w.reshape(r, p0, n0)[:, :p, :n].reshape(r, p * n)
    keep = [t for t in range(r) if any(u[t]) and any(v[t]) and any(w[t])]
    if not keep:
        raise DiscoveryError(f"restricting {s.name} to <{n},{m},{p}> leaves no product")
    ring = _modular(s)
    return _rebuild(s, n, m, p, u[keep], v[keep], w[keep], f"restricted to <{n},{m},{p}>", ring)
