"""Equivalent schemes of the same rank with other addition counts: sampled sandwiches.

The sandwich A -> X A Y^-1, B -> Y B Z^-1, C -> X C Z^-1 (:func:`discovery.core.transforms.sandwich`)
maps a scheme to an equivalent one: U_t -> X^T U_t Y^-T, V_t -> Y^T V_t Z^-T, W_t -> X^-1 W_t Z
(U_t n×m, V_t m×p, W_t n×p as matrices; w indexes C transposed). Here X, Y, Z are products of
a few transvections ``I ± E_ij`` (integer inverses ``I ∓ E_ij``), of any size, sampled at
random; only images that stay ternary are kept, since the records are ternary (about 1 in 60
for <3,3,3>). Sampling is done on integer arrays, so thousands of candidates cost little.

The format's cyclic and transpose symmetries are not used: they permute the three sides, and
with both orientations of each side tried (:mod:`discovery.circuits.cse`) the transposition
principle makes the total the same for a square format.
"""

from __future__ import annotations

import numpy as np

from discovery.core.scheme import Provenance, Scheme


def transvections(d: int, rng: np.random.Generator, most: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """A random product X of 0..``most`` transvections of size d and its inverse (both int64)."""
    X = np.eye(d, dtype=np.int64)
    Xi = np.eye(d, dtype=np.int64)
    if d < 2:
        return X, Xi
    for _ in range(int(rng.integers(0, most + 1))):
        i, j = rng.choice(d, 2, replace=False)
        e = int(rng.choice((-1, 1)))
        E = np.eye(d, dtype=np.int64)
        E[i, j] = e
        Ei = np.eye(d, dtype=np.int64)
        Ei[i, j] = -e
        X, Xi = X @ E, Ei @ Xi
    return X, Xi


def sandwich_arrays(u, v, w, fmt, X, Y, Z, Xi, Yi, Zi):
    """(u, v, w) of the sandwich image, as int64 arrays (r, n*m), (r, m*p), (r, p*n)."""
    n, m, p = fmt
    r = u.shape[0]
    U = u.reshape(r, n, m)
    V = v.reshape(r, m, p)
    W = w.reshape(r, p, n).transpose(0, 2, 1)  # (r, n, p): C-shaped
    U2 = np.einsum("ia,tij,bj->tab", X, U, Yi)   # X^T U Y^-T
    V2 = np.einsum("ia,tij,bj->tab", Y, V, Zi)   # Y^T V Z^-T
    W2 = np.einsum("ai,tij,jb->tab", Xi, W, Z)   # X^-1 W Z
    return U2.reshape(r, n * m), V2.reshape(r, m * p), W2.transpose(0, 2, 1).reshape(r, p * n)


def ternary_sandwiches(s: Scheme, count: int, rng: np.random.Generator, attempts: int | None = None,
                       most: int = 2) -> list[Scheme]:
    """Up to ``count`` distinct ternary sandwich images of a ternary scheme ``s``.

    Args:
        attempts: random (X, Y, Z) tried at most (default ``80 * count``).
        most: transvections per matrix at most.

    The images are exact by construction (an equivalence transform); they are built as
    :class:`Scheme` objects, which check their shapes and ring, and callers verify what they
    keep (:func:`discovery.circuits.symbolic.simplify_additions` does).
    """
    if not s.is_ternary or count <= 0:
        return []
    n, m, p = s.format
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    out: list[Scheme] = []
    seen = set()
    for _ in range(attempts if attempts is not None else 80 * count):
        (X, Xi), (Y, Yi), (Z, Zi) = (transvections(d, rng, most) for d in (n, m, p))
        u2, v2, w2 = sandwich_arrays(u, v, w, (n, m, p), X, Y, Z, Xi, Yi, Zi)
        if max(np.abs(u2).max(), np.abs(v2).max(), np.abs(w2).max()) > 1:
            continue
        key = (u2.tobytes(), v2.tobytes(), w2.tobytes())
        if key in seen or (np.array_equal(u2, u) and np.array_equal(v2, v) and np.array_equal(w2, w)):
            continue
        seen.add(key)
        prov = Provenance(source=s.provenance.source, seed=s.provenance.seed, time=s.provenance.time,
                          note=(s.provenance.note + "; " if s.provenance.note else "") + "sandwich")
        out.append(Scheme.from_rows(n, m, p, u2, v2, w2, provenance=prov))
        if len(out) >= count:
            break
    return out


def plus_transition(s: Scheme, i: int, j: int) -> Scheme | None:
    """Terms i and j written as three (rank + 1), or None if a coefficient would leave {-1,0,1}:

    ``u_i⊗v_i⊗w_i + u_j⊗v_j⊗w_j = (u_i−u_j)⊗v_i⊗w_i + u_j⊗v_i⊗(w_i+w_j) + u_j⊗(v_j−v_i)⊗w_j``

    (the plus transition of the flip graph, Arai et al. 2024). A walk that reduces the rank
    again (:func:`discovery.search.flips.flip_search`) lands on a nearby scheme of the old rank.
    """
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    a, b, c = u[i] - u[j], v[j] - v[i], w[i] + w[j]
    if max(np.abs(a).max(), np.abs(b).max(), np.abs(c).max()) > 1 or not (a.any() and b.any() and c.any()):
        return None
    keep = [t for t in range(s.rank) if t not in (i, j)]
    U = np.vstack([u[keep], a, u[j], u[j]])
    V = np.vstack([v[keep], v[i], v[i], b])
    W = np.vstack([w[keep], w[i], c, w[j]])
    return Scheme.from_rows(*s.format, U, V, W, provenance=s.provenance)


def random_plus_transitions(s: Scheme, count: int, rng: np.random.Generator) -> list[Scheme]:
    """Up to ``count`` ternary plus transitions of ``s`` at random term pairs (rank + 1)."""
    out: list[Scheme] = []
    for _ in range(20 * count):
        i, j = (int(x) for x in rng.choice(s.rank, 2, replace=False))
        t = plus_transition(s, i, j)
        if t is not None:
            out.append(t)
            if len(out) >= count:
                break
    return out


def _excess(u: np.ndarray, v: np.ndarray, w: np.ndarray) -> int:
    return int(sum(np.maximum(np.abs(x) - 1, 0).sum() for x in (u, v, w)))


def ternary_image(s: Scheme, steps: int = 20_000, seed: int = 0) -> Scheme | None:
    """A sandwich image of an integer scheme with every coefficient in {-1, 0, 1}, or None.

    A walk over single transvections ``I ± E_ij`` on X, Y or Z: a step is kept when the excess
    ``sum(max(|c| - 1, 0))`` over u, v, w drops, or stays with probability 0.3 (to cross flat
    stretches); it stops at excess 0 or after ``steps`` steps. An AlphaTensor-style integer
    <3,4,5> rank-47 scheme with five coefficients ±2 becomes ternary in a few hundred steps.
    """
    if not s.is_integral:
        return None
    n, m, p = s.format
    u, v, w = (np.asarray(x, dtype=np.int64) for x in (s.u, s.v, s.w))
    cur = _excess(u, v, w)
    rng = np.random.default_rng([seed, 18, 3])
    eye = [np.eye(d, dtype=np.int64) for d in (n, m, p)]
    for _ in range(steps if cur else 0):
        which = int(rng.integers(3))
        d = (n, m, p)[which]
        if d < 2:
            continue
        i, j = (int(x) for x in rng.choice(d, 2, replace=False))
        e = int(rng.choice((-1, 1)))
        E, Ei = eye[which].copy(), eye[which].copy()
        E[i, j], Ei[i, j] = e, -e
        mats = [(x, x) for x in eye]
        mats[which] = (E, Ei)
        (X, Xi), (Y, Yi), (Z, Zi) = mats
        u2, v2, w2 = sandwich_arrays(u, v, w, (n, m, p), X, Y, Z, Xi, Yi, Zi)
        b = _excess(u2, v2, w2)
        if b < cur or (b == cur and rng.random() < 0.3):
            u, v, w, cur = u2, v2, w2, b
            if cur == 0:
                break
    if cur:
        return None
    prov = Provenance(source=s.provenance.source, seed=s.provenance.seed, time=s.provenance.time,
                      note=(s.provenance.note + "; " if s.provenance.note else "") + "ternary sandwich image")
    return Scheme.from_rows(n, m, p, u, v, w, provenance=prov)
