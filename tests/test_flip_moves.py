"""Every move of the flip engine on its own, thousands of times, over ZT, Z2 and Z3, on formats
with one and with several words per factor row; the decoded scheme is verified exactly after
every chunk, and the kernel's own invariant check (debug) runs after every flip."""

import numpy as np
import pytest

import discovery as d
from discovery.core.scheme import Scheme
from discovery.search.flips import FlipConfig, flip_search
from discovery.search.flips import _kernels, _moves
from discovery.search.flips._encode import decode, encode, words
from discovery.search.flips._moves import RING_CODES
from discovery.search.flips._search import Walkers
from discovery.core.transforms import fingerprint

FORMATS = [(2, 2, 2), (3, 3, 3), (2, 3, 4), (4, 4, 4), (3, 5, 13)]  # <3,5,13>: 65 entries, two words
RINGS = ["ZT", "Z2", "Z3"]


class _Member:
    def __init__(self, s: Scheme, ring: str):
        self.pos, self.neg = encode(s, ring)


def _walkers(s: Scheme, ring: str, K: int = 2, seed: int = 0, **options) -> Walkers:
    c = FlipConfig(*s.format, ring=ring, walkers=K, seed=seed, debug=True, **options)
    ws = Walkers(c, s.rank + 2)
    m = _Member(s, ring)
    for w in range(K):
        ws.load(w, m, s.rank)
    return ws


def _check(ws: Walkers, ring: str) -> None:
    assert not (ws.status == _kernels.ST_CORRUPT).any(), "an invariant failed inside the kernel"
    for w in range(ws.K):
        s = ws.scheme(w, None)
        assert d.verify(s, ring).ok, f"walker {w} left the tensor ({ring}, rank {s.rank})"
        for x in range(3):
            for k in range(ws.W):
                if ring == "Z2":
                    assert not ws.N[w, x, : s.rank, k].any()
                else:
                    assert not (ws.P[w, x, : s.rank, k] & ws.N[w, x, : s.rank, k]).any()


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "x".join(map(str, f)))
def test_flips_alone_keep_the_scheme_exact_and_the_rank(fmt, ring):
    s = d.standard(*fmt)
    ws = _walkers(s, ring)
    for _ in range(6):
        ws.walk(500, reduce_on=False, plus_after=0, path_limit=0)
        _check(ws, ring)
        assert (ws.rank == s.rank).all()
    assert ws.out[:, _kernels.OUT_FLIPS].sum() > 0


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: "x".join(map(str, f)))
def test_flips_reductions_and_plus_transitions_keep_the_scheme_exact(fmt, ring):
    s = d.standard(*fmt)
    ws = _walkers(s, ring, K=2, seed=3, plus_after=40)
    ws.max_rank[:] = s.rank + 1
    plus = reductions = 0
    for _ in range(8):
        ws.goal[:] = 0
        ws.walk(400)
        _check(ws, ring)
        plus += int(ws.out[:, _kernels.OUT_PLUS].sum())
        reductions += int(ws.out[:, _kernels.OUT_REDUCTIONS].sum())
    assert plus > 0


@pytest.mark.parametrize("ring", RINGS)
def test_three_term_reduction_folds_a_split_term(ring):
    # terms (0,0,0) and (0,0,1) of the standard <2,2,2> share u = a00; add t = a00 ⊗ (b00 + b01) ⊗ c11
    # and take c11 off both: rank 9, and only a three-term reduction brings it back to 8
    s = d.standard(2, 2, 2)
    u, v, w = (np.array(a, dtype=np.int64) for a in (s.u, s.v, s.w))
    j = next(t for t in range(8) if u[t, 0] and v[t, 0])
    k = next(t for t in range(8) if u[t, 0] and v[t, 1])
    z = np.zeros(4, dtype=np.int64)
    z[3] = 1
    u2 = np.vstack([u, u[j]])
    v2 = np.vstack([v, v[j] + v[k]])
    w2 = np.vstack([w, z])
    w2[j] -= z
    w2[k] -= z
    big = Scheme.from_rows(2, 2, 2, u2, v2, w2)
    assert d.verify(big, "ZT").ok and big.rank == 9
    ws = _walkers(big, ring, K=1)
    r, red = _moves.try_reduce3(ws.P, ws.N, ws.H, ws.S, 0, 8, 0, 1, 9, RING_CODES[ring], ws.W)
    assert red and r == 8
    ws.rank[0] = r
    assert d.verify(ws.scheme(0, None), ring).ok


@pytest.mark.parametrize("ring", RINGS)
def test_pairs_that_cancel_or_share_two_factors_are_merged(ring):
    s = d.standard(2, 2, 3)
    u, v, w = (np.array(a, dtype=np.int64) for a in (s.u, s.v, s.w))
    # a term and its negative cancel (rank - 2); a term split in two parts merges (rank - 1)
    e = np.zeros(6, dtype=np.int64)
    e[0] = 1
    u2 = np.vstack([u, u[0], u[0], u[1], u[1]])
    v2 = np.vstack([v, v[0], v[0], v[1], v[1]])
    w2 = np.vstack([w, e, -e, w[1] - e, e])
    w2[1] = 0  # term 1 is now carried by the two split copies
    keep = [t for t in range(len(u2)) if t != 1]
    big = Scheme.from_rows(2, 2, 3, u2[keep], v2[keep], w2[keep])
    assert d.verify(big, "ZT").ok
    ws = _walkers(big, ring, K=1)
    r = _moves.reduce_all(ws.P, ws.N, ws.H, ws.S, 0, big.rank, RING_CODES[ring], ws.W)
    ws.rank[0] = r
    assert r == s.rank and d.verify(ws.scheme(0, None), ring).ok


@pytest.mark.parametrize("ring", RINGS)
def test_plus_transition_raises_the_rank_by_one_and_stays_exact(ring):
    s = d.laderman()
    ws = _walkers(s, ring, K=1, seed=2)
    r = s.rank
    for _ in range(40):
        r2 = _moves.plus(ws.P, ws.N, ws.H, ws.S, ws.rng, 0, r, RING_CODES[ring], ws.W)
        assert r2 in (r, r + 1)
        ws.rank[0] = r = r2
        assert d.verify(ws.scheme(0, None), ring).ok
        assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, 0, r, RING_CODES[ring], ws.W)
        if r + 2 >= ws.R:
            ws.walk(200, reduce_on=False, plus_after=0, path_limit=0)
            break
    assert r > s.rank


def test_z2_walks_with_frequent_plus_transitions_give_only_valid_schemes():
    # the corruption of the old engine: 12 of 12 walkers invalid after their first plus transition
    for seed in range(6):
        res = flip_search(3, 3, 3, ring="Z2", plus_after=40, max_flips=3000, time_limit=None, walkers=2,
                          seed=seed, chunk_flips=500, debug=True)
        assert res.rejected == 0
        for s in res.schemes:
            assert d.verify(s, "Z2").ok


def test_wide_rows_encode_and_decode_exactly():
    s = d.standard(3, 5, 13)
    assert words(3, 5, 13) == 2
    for ring in RINGS:
        pos, neg = encode(s, ring)
        assert pos.shape == (3, s.rank, 2)
        back = decode(*s.format, pos, neg, ring)
        assert fingerprint(back) == fingerprint(s)


def test_formats_up_to_16x16_are_accepted_and_larger_refused():
    FlipConfig(16, 16, 16)
    FlipConfig(4, 4, 16)
    with pytest.raises(d.DiscoveryError, match="too large"):
        FlipConfig(16, 17, 16)
