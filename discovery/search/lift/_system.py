"""The Brent equations of one scheme modulo p: residuals modulo p^K and the Jacobian mod p.

Unknowns x = (u, v, w) flattened row-major, u (r, na) first, then v (r, nb), then w (r, nc):
column ``t*na + a`` is u[t, a], ``r*na + t*nb + b`` is v[t, b], ``r*(na+nb) + t*nc + c`` is
w[t, c]. Equations e = (a*nb + b)*nc + c, one per (a, b, c) in C order (the index convention
of :mod:`discovery.core.tensor`):

    F_e(x) = T[a, b, c] - sum_t u[t, a] v[t, b] w[t, c].

Row e of the Jacobian of sum_t u⊗v⊗w has at most 3r non-zeros: v[t,b]w[t,c] at u[t,a],
u[t,a]w[t,c] at v[t,b], u[t,a]v[t,b] at w[t,c]. Modulo p it depends only on x mod p, so it is
built once, directly as packed rows (batches of ``ROWS_PER_BATCH``), and eliminated once into
an :class:`~discovery.search.lift._echelon.Echelon` that keeps pivot rows only.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from discovery.core.tensor import matmul_tensor
from discovery.search.lift._echelon import Echelon
from discovery.search.lift._gfp import get, planes, put, words

ROWS_PER_BATCH = 2048
# Residues are kept modulo MODULUS[p]: for p = 2 the uint64 arithmetic wraps (mod 2^64); for
# p = 3 products of two residues must fit in 64 bits, so 3^20 < 2^32.
MODULUS = {2: 0, 3: 3**20}
PRECISION = {2: 63, 3: 20}  # the largest k with residues known modulo p^k


@nb.njit(cache=True)
def _jacobian_rows(u, v, w, pi, e0, out):
    """Rows e0 .. e0+len(out)-1 of the Jacobian mod p into ``out`` (n, P, W), from residues
    u (r, na), v (r, nb), w (r, nc) in 0..p-1 (uint8); the entry of unknown j goes to column
    pi[j] (entries meeting in one column add up)."""
    P = out.shape[1]
    p = 2 if P == 1 else 3
    r, na = u.shape
    nb_, nc = v.shape[1], w.shape[1]
    bv, bw = r * na, r * (na + nb_)
    out[:] = 0
    for i in range(out.shape[0]):
        e = e0 + i
        a = e // (nb_ * nc)
        b = (e // nc) % nb_
        c = e % nc
        row = out[i]
        for t in range(r):
            ua, vb, wc = u[t, a], v[t, b], w[t, c]
            if vb and wc:
                col = pi[t * na + a]
                put(row, col, (get(row, col) + int(vb) * int(wc)) % p)
            if ua and wc:
                col = pi[bv + t * nb_ + b]
                put(row, col, (get(row, col) + int(ua) * int(wc)) % p)
            if ua and vb:
                col = pi[bw + t * nc + c]
                put(row, col, (get(row, col) + int(ua) * int(vb)) % p)


@nb.njit(cache=True)
def _residual(T, u, v, w, mod):
    """T - sum_t u_t ⊗ v_t ⊗ w_t, flattened, modulo ``mod`` (0: modulo 2^64, wrapping).

    u, v, w are uint64 residues below ``mod`` (any for 0); for mod > 0 it must be below 2^32."""
    r, na = u.shape
    nb_, nc = v.shape[1], w.shape[1]
    F = np.zeros(na * nb_ * nc, dtype=np.uint64)
    m = np.uint64(mod)
    for t in range(r):
        for a in range(na):
            ua = u[t, a]
            if ua == 0:
                continue
            for b in range(nb_):
                vb = v[t, b]
                if vb == 0:
                    continue
                uv = ua * vb
                if mod:
                    uv %= m
                base = (a * nb_ + b) * nc
                for c in range(nc):
                    wc = w[t, c]
                    if wc == 0:
                        continue
                    if mod:
                        F[base + c] = (F[base + c] + (uv * wc) % m) % m
                    else:
                        F[base + c] += uv * wc
    for i in range(F.size):
        if mod:
            F[i] = (T[i] + m - F[i]) % m
        else:
            F[i] = T[i] - F[i]
    return F


class BrentSystem:
    """The Brent equations of a scheme for <n,m,p> of rank r, modulo powers of a prime.

    Args:
        fmt: (n, m, p). factors0: u, v, w modulo the prime (integer arrays, shapes (r, n*m),
            (r, m*p), (r, p*n)). prime: 2 or 3.
        expansion: None, or pi with pi[j] the unknown behind the scheme's unknown j (a symmetric
            lift, :mod:`discovery.search.lift._symmetric`): then the unknowns are the pi classes
            and the scheme is x[pi].

    Attributes: ``unknowns`` (pi classes, else the 3 factor blocks flattened as in the module
    docstring), ``equations``, ``echelon`` (the Jacobian mod p, eliminated), ``rank``, ``free``
    (unknowns without a pivot: the kernel has one basis vector per free unknown).
    """

    def __init__(self, fmt: tuple[int, int, int], factors0, prime: int, expansion: np.ndarray | None = None):
        n, m, p = fmt
        self.format, self.prime = (n, m, p), prime
        u, v, w = (np.ascontiguousarray(np.asarray(f, dtype=np.int64) % prime, dtype=np.uint8) for f in factors0)
        self.r = u.shape[0]
        self.sizes = (n * m, m * p, p * n)
        full = self.r * sum(self.sizes)
        x_full = np.concatenate([u.ravel(), v.ravel(), w.ravel()]).astype(np.uint64)
        self.pi = np.arange(full, dtype=np.int64) if expansion is None else np.asarray(expansion, dtype=np.int64)
        self.unknowns = int(self.pi.max()) + 1
        self.x0 = np.zeros(self.unknowns, dtype=np.uint64)
        self.x0[self.pi] = x_full
        if not np.array_equal(self.x0[self.pi], x_full):
            raise ValueError("the expansion ties unknowns whose values differ modulo p")
        self.equations = self.sizes[0] * self.sizes[1] * self.sizes[2]
        self.T = matmul_tensor(n, m, p).ravel().astype(np.uint64)
        self.mod = MODULUS[prime]
        self.echelon = Echelon(prime, self.unknowns, track=True, capacity=min(self.unknowns, self.equations))
        batch = np.zeros((min(ROWS_PER_BATCH, self.equations), planes(prime), words(self.unknowns)),
                         dtype=np.uint64)
        for e0 in range(0, self.equations, batch.shape[0]):
            rows = batch[:min(batch.shape[0], self.equations - e0)]
            _jacobian_rows(u, v, w, self.pi, e0, rows)
            self.echelon.add(rows, np.arange(e0, e0 + rows.shape[0], dtype=np.int64))
        self.rank = self.echelon.rank
        self.free = self.echelon.free

    def expand(self, x: np.ndarray) -> np.ndarray:
        """The scheme's unknowns (u, v, w flattened) from the system's unknowns x."""
        return np.asarray(x)[self.pi]

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        """The scheme's unknowns (u, v, w flattened) -> [u (r, na), v (r, nb), w (r, nc)] (views)."""
        out, o = [], 0
        for size in self.sizes:
            out.append(x[o:o + self.r * size].reshape(self.r, size))
            o += self.r * size
        return out

    def residual(self, x: np.ndarray) -> np.ndarray:
        """F(x) (equations,) modulo the working modulus, for residues x (uint64) of the unknowns."""
        return _residual(self.T, *self.split(self.expand(x)), self.mod)

    def digit(self, F: np.ndarray, k: int) -> np.ndarray:
        """(F / p^k) mod p as uint8, for F ≡ 0 mod p^k."""
        if self.prime == 2:
            return ((F >> np.uint64(k)) & np.uint64(1)).astype(np.uint8)
        return ((F // np.uint64(3**k)) % np.uint64(3)).astype(np.uint8)

    def vanishes(self, F: np.ndarray, k: int) -> bool:
        """F ≡ 0 modulo p^k."""
        if self.prime == 2:
            return not (F & np.uint64((1 << k) - 1)).any()
        return not (F % np.uint64(3**k)).any()
