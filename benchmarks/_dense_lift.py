"""The lift before the packed one, kept as the baseline of ``benchmarks/lift.py``.

It builds the dense Jacobian mod 2 (E x unknowns bytes) and eliminates it in full with an E x E
identity appended to record the row operations, fixes every free unknown at 0, and tries the
symmetric integers and rational reconstructions at every step. Only the benchmark uses it.
"""

from __future__ import annotations

from fractions import Fraction

import numba as nb
import numpy as np

from discovery.core.scheme import Scheme
from discovery.core.tensor import matmul_tensor
from discovery.core.verify import verify

MAX_STEPS = 60


@nb.njit(cache=True)
def _eliminate(M, ncols):
    """Reduced row echelon form over GF(2) of the first ``ncols`` bit columns of M (in place).

    M: (E, words) uint64, bit j of row i at word j // 64, bit j % 64. Returns the pivot
    column of each of the first ``rank`` rows (-1 after).
    """
    E = M.shape[0]
    piv = np.full(E, -1, dtype=np.int64)
    row = 0
    one = np.uint64(1)
    for col in range(ncols):
        wd = col // 64
        bit = one << np.uint64(col % 64)
        sel = -1
        for i in range(row, E):
            if M[i, wd] & bit:
                sel = i
                break
        if sel < 0:
            continue
        if sel != row:
            for k in range(M.shape[1]):
                tmp = M[sel, k]
                M[sel, k] = M[row, k]
                M[row, k] = tmp
        for i in range(E):
            if i != row and (M[i, wd] & bit):
                for k in range(wd, M.shape[1]):
                    M[i, k] ^= M[row, k]
        piv[row] = col
        row += 1
        if row == E:
            break
    return piv


def _pack(bits: np.ndarray) -> np.ndarray:
    """(E, L) 0/1 array -> (E, ceil(L/64)) uint64, bit j of a row at word j//64, bit j%64."""
    E, L = bits.shape
    words = (L + 63) // 64
    padded = np.zeros((E, words * 64), dtype=np.uint8)
    padded[:, :L] = bits
    b = np.packbits(padded, axis=1, bitorder="little")  # byte i holds bits 8i .. 8i+7
    return np.ascontiguousarray(b).view("<u8").reshape(E, words).astype(np.uint64)


def _jacobian_mod2(u, v, w) -> np.ndarray:
    """J mod 2 as a 0/1 array: rows are equations (a, b, c) in C order, columns the unknowns
    u (r, na), then v (r, nb), then w (r, nc), each flattened row-major."""
    r, na = u.shape
    nb_, nc = v.shape[1], w.shape[1]
    J = np.zeros((na, nb_, nc, r * (na + nb_ + nc)), dtype=np.uint8)
    vw = np.einsum("tb,tc->tbc", v, w) % 2
    uw = np.einsum("ta,tc->tac", u, w) % 2
    uv = np.einsum("ta,tb->tab", u, v) % 2
    for t in range(r):
        for a in range(na):
            J[a, :, :, t * na + a] = vw[t]
        base = r * na
        for b in range(nb_):
            J[:, b, :, base + t * nb_ + b] = uw[t]
        base = r * (na + nb_)
        for c in range(nc):
            J[:, :, c, base + t * nc + c] = uv[t]
    return J.reshape(na * nb_ * nc, -1)


def _residual(T, u, v, w) -> np.ndarray:
    """T - sum_t u_t ⊗ v_t ⊗ w_t modulo 2^64 (uint64, wrapping), flattened."""
    E = np.einsum("ta,tb,tc->abc", u, v, w, dtype=np.uint64, casting="unsafe")
    return (T.astype(np.uint64) - E).ravel()


def _reconstruct(x: int, modulus: int) -> Fraction | None:
    """The fraction a/b with |a|, b <= sqrt(modulus/2), b odd, a ≡ b·x (mod modulus); or None."""
    bound = int((modulus // 2) ** 0.5)
    r0, r1 = modulus, x % modulus
    s0, s1 = 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1 = r1, r0 - q * r1
        s0, s1 = s1, s0 - q * s1
    if s1 == 0 or abs(s1) > bound or s1 % 2 == 0:
        return None
    return Fraction(r1, s1)


def _candidates(x: np.ndarray, k: int):
    """Exact coefficient vectors consistent with x mod 2^k: symmetric residues, then rationals."""
    mod = 1 << k
    ints = [int(a) % mod for a in x]
    sym = [a - mod if a >= mod // 2 else a for a in ints]
    yield sym
    fr = [_reconstruct(a, mod) for a in ints]
    if all(f is not None for f in fr) and fr != sym:
        yield fr


def dense_lift(s: Scheme, max_steps: int = MAX_STEPS) -> dict:
    """Lift ``s`` (integer, valid modulo 2) the old way: a dict with ok, scheme, ring, steps,
    failed_step, jacobian_rank, unknowns, message."""
    n, m, p = s.format
    r = s.rank
    shapes = [(r, n * m), (r, m * p), (r, p * n)]
    sizes = [a * b for a, b in shapes]
    x = np.concatenate([np.asarray(a, dtype=np.int64).ravel() % 2 for a in (s.u, s.v, s.w)]).astype(np.uint64)
    nv = x.size
    T = matmul_tensor(n, m, p)

    def split(vec):
        out, o = [], 0
        for (rr, cc), sz in zip(shapes, sizes):
            out.append(vec[o:o + sz].reshape(rr, cc))
            o += sz
        return out

    J = _jacobian_mod2(*split(x.astype(np.int64)))
    E = J.shape[0]
    M = _pack(np.concatenate([J, np.eye(E, dtype=np.uint8)], axis=1))
    piv = _eliminate(M, nv)
    rank_j = int((piv >= 0).sum())
    L = M[:, nv // 64:]  # the recorded row operations, as bits nv .. nv+E-1
    shift = nv % 64

    def result(ok, t, ring, steps, failed, message):
        return {"ok": ok, "scheme": t, "ring": ring, "steps": steps, "failed_step": failed, "jacobian_rank": rank_j,
                    "unknowns": nv, "message": message}

    def solve(rhs_bits: np.ndarray) -> np.ndarray | None:
        b = _pack(rhs_bits[None, :].astype(np.uint8))[0]
        # y_i = <row i of L, b> over GF(2); L's bits start at offset `shift` in its first word.
        Lb = np.zeros_like(L)
        Lb[:] = L >> np.uint64(shift)
        if shift:
            Lb[:, :-1] |= L[:, 1:] << np.uint64(64 - shift)
        Lb = Lb[:, :b.size]
        y = np.bitwise_xor.reduce(Lb & b, axis=1)
        parity = np.array([int(v).bit_count() & 1 for v in y], dtype=np.uint8)
        if parity[rank_j:].any():
            return None
        d = np.zeros(nv, dtype=np.uint64)
        d[piv[:rank_j]] = parity[:rank_j]
        return d

    for k in range(1, max_steps + 1):
        F = _residual(T, *split(x))
        if k >= 2:
            for cand in _candidates(x, k):
                t = Scheme.from_rows(n, m, p, *split(np.array(cand, dtype=object)), )
                if verify(t, "Q").ok:
                    ring = "ZT" if t.is_ternary else ("Z" if t.is_integral else "Q")
                    t = t.with_ring(ring)
                    return result(True, t, ring, k - 1, None,
                                  f"lifted to an exact scheme over {ring} after {k - 1} step(s) "
                                  f"(modulo 2^{k})")
        rhs = ((F >> np.uint64(k)) & np.uint64(1)).astype(np.uint8)
        d = solve(rhs)
        if d is None:
            what = ("no lift exists: no scheme over Z or Q (odd denominators) reduces to this one "
                    "modulo 2, since the equations modulo 4 have no solution") if k == 1 else (
                    f"the lift chosen so far cannot be continued modulo 2^{k + 1}")
            return result(False, None, None, k - 1, k, f"step {k} failed: {what}")
        x = x + (d << np.uint64(k))
    return result(False, None, None, max_steps, None,
                  f"lifted modulo 2^{max_steps + 1}, but no small rational scheme matches it")
