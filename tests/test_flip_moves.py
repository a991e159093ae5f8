"""Every move of the flip engine on its own, thousands of times, over ZT, Z2 and Z3, on formats
with one and with several words per factor row; the decoded scheme is verified exactly after
every chunk, and the kernel's own invariant check (debug) runs after every flip, the index of
the factor hashes (flip partners, merge candidates) against a recount included."""

import numpy as np
import pytest

import discovery as d
from discovery.core.scheme import Scheme
from discovery.search.flips import FlipConfig, flip_search
from discovery.search.flips import _index, _kernels, _moves
from discovery.search.flips._encode import decode, encode, words
from discovery.search.flips._moves import RING_CODES
from discovery.search.flips._search import Walkers
from discovery.core.transforms import fingerprint

FORMATS = [(2, 2, 2), (3, 3, 3), (2, 3, 4), (4, 4, 4), (3, 5, 13)]  # <3,5,13>: 65 entries, two words
# longer walks for the index: rank 80 and 216 in one word, 195 and 144 in two (<3,5,13>, <2,8,9>)
WIDE = [(4, 4, 5), (6, 6, 6), (3, 5, 13), (2, 8, 9)]
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
        assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, w, int(ws.rank[w]), RING_CODES[ring], ws.W)
        _recount(ws, w)
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
    ws = _walkers(s, ring, K=2, seed=3, plus_after=40, plus_max=0)  # the draw mode, plus transitions only
    ws.max_rank[:] = s.rank + 1
    plus = reductions = 0
    for _ in range(8):
        ws.goal[:] = 0
        ws.walk(400)
        _check(ws, ring)
        plus += int(ws.out[:, _kernels.OUT_PLUS].sum())
        reductions += int(ws.out[:, _kernels.OUT_REDUCTIONS].sum())
    assert plus > 0


def _recount(ws: Walkers, w: int) -> None:
    """The index of walker w against numpy: every bucket is the set of live terms of equal hash,
    and D counts the factor positions that share their hash."""
    r = int(ws.rank[w])
    H = ws.H[w, :, :r]
    shared = 0
    for x in range(3):
        for t in range(r):
            head, size = _index.bucket(ws.H, ws.B, w, x, t)
            members, k = [], head
            while k >= 0:
                members.append(k)
                k = _index.following(ws.H, ws.B, w, x, k)
            expect = np.flatnonzero(H[x] == H[x, t]).tolist()
            assert sorted(members) == expect and size == len(expect)
            shared += len(expect) >= 2
    assert _index.flippable(ws.B, w) == shared


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize("fmt", WIDE, ids=lambda f: "x".join(map(str, f)))
def test_long_walks_keep_the_index_exact(fmt, ring):
    # flips, merges, three-term folds, zero-factor drops and plus transitions on larger ranks,
    # the index checked against a recount after every flip (debug) and after every chunk
    s = d.standard(*fmt)
    ws = _walkers(s, ring, K=2, seed=11, plus_after=20, plus_max=80)  # plus and split transitions
    ws.max_rank[:] = s.rank + 4  # frequent plus transitions, which later flips reduce again
    plus = reductions = 0
    for _ in range(4):
        ws.goal[:] = 0
        ws.walk(300)
        _check(ws, ring)
        plus += int(ws.out[:, _kernels.OUT_PLUS].sum())
        reductions += int(ws.out[:, _kernels.OUT_REDUCTIONS].sum())
    assert reductions > 0 and plus > 0 and (ws.rank <= s.rank + 4).all()


def test_the_index_check_catches_a_stale_entry():
    # a hash changed behind the index's back, a cut bucket list, a wrong count: each one fails
    s = d.standard(3, 3, 3)
    for harm in ("hash", "link", "count"):
        ws = _walkers(s, "ZT", K=1)
        ws.walk(200, reduce_on=False, plus_after=0, path_limit=0)
        assert _index.index_ok(ws.H, ws.B, 0, s.rank)
        if harm == "hash":
            ws.H[0, 1, 5] ^= 12345
        elif harm == "link":
            x, t = _index.entry(ws.H, ws.B, 0, 0)  # a factor with a partner: its bucket holds two or more
            head, _ = _index.bucket(ws.H, ws.B, 0, x, t)
            ws.B[0, _index.offsets(ws.R)["nxt"] + x * ws.R + head] = -1  # the list ends after its head
        else:
            ws.B[0, 0] += 1
        assert not _index.index_ok(ws.H, ws.B, 0, s.rank), harm
        assert not _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, 0, s.rank, 0, ws.W), harm


def test_a_scheme_without_flips_is_stuck_at_once():
    # Strassen's factors are distinct up to sign: no position has a partner, so no draw is made
    s = d.strassen()
    ws = _walkers(s, "ZT", K=1)
    assert _index.flippable(ws.B, 0) == 0
    ws.walk(1000, reduce_on=False, plus_after=0, path_limit=0)
    assert ws.status[0] == _kernels.ST_STUCK and ws.out[0, _kernels.OUT_FLIPS] == 0
    assert ws.out[0, _kernels.OUT_ATTEMPTS] <= 1


def test_attempts_draw_only_positions_with_a_partner():
    # over Z2 at fixed rank an attempt fails only on a flip that would zero a factor; the scan
    # drew all 3r positions and wasted most draws, the index draws only the D shared ones
    s = d.standard(3, 3, 3)
    ws = _walkers(s, "Z2", K=1, seed=4)
    ws.walk(20_000, reduce_on=False, plus_after=0, path_limit=0)
    flips, attempts = (int(ws.out[0, c]) for c in (_kernels.OUT_FLIPS, _kernels.OUT_ATTEMPTS))
    assert flips == 20_000 and attempts < 1.5 * flips


def test_the_plus_clock_counts_the_draws_of_a_scan():
    # stall advances by a geometric number of draws over all n positions (success d/n): mean n/d
    rng = np.array([0x9E3779B97F4A7C15], dtype=np.uint64)
    for d_, n in ((1, 3), (5, 150), (30, 75), (7, 7)):
        draws = [_kernels.scan_draws(rng, 0, d_, n) for _ in range(40_000)]
        assert min(draws) >= 1 and abs(np.mean(draws) / (n / d_) - 1) < 0.03


def test_same_seed_same_walk_and_another_seed_another():
    s = d.standard(3, 3, 3)

    def run(seed):
        ws = _walkers(s, "ZT", K=2, seed=seed, plus_after=100, plus_max=300)
        ws.max_rank[:] = s.rank + 1
        for _ in range(3):
            ws.walk(500)
        return ws.P.copy(), ws.N.copy(), ws.out.copy(), ws.rank.copy()

    a, b, c = run(7), run(7), run(8)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


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
    r, red = _moves.try_reduce3(ws.P, ws.N, ws.H, ws.S, ws.B, 0, 8, 0, 1, 9, RING_CODES[ring], ws.W)
    assert red and r == 8
    ws.rank[0] = r
    assert d.verify(ws.scheme(0, None), ring).ok
    assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, 0, r, RING_CODES[ring], ws.W)


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
    r = _moves.reduce_all(ws.P, ws.N, ws.H, ws.S, ws.B, 0, big.rank, RING_CODES[ring], ws.W)
    ws.rank[0] = r
    assert r == s.rank and d.verify(ws.scheme(0, None), ring).ok
    assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, 0, r, RING_CODES[ring], ws.W)


@pytest.mark.parametrize("ring", RINGS)
def test_plus_transition_raises_the_rank_by_one_and_stays_exact(ring):
    s = d.laderman()
    ws = _walkers(s, ring, K=1, seed=2)
    r = s.rank
    for _ in range(40):
        r2 = _moves.plus(ws.P, ws.N, ws.H, ws.S, ws.B, ws.rng, 0, r, RING_CODES[ring], ws.W)
        assert r2 in (r, r + 1)
        ws.rank[0] = r = r2
        assert d.verify(ws.scheme(0, None), ring).ok
        assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, 0, r, RING_CODES[ring], ws.W)
        if r + 2 >= ws.R:
            ws.walk(200, reduce_on=False, plus_after=0, path_limit=0)
            break
    assert r > s.rank


@pytest.mark.parametrize("ring", RINGS)
def test_split_transition_raises_the_rank_by_one_and_gives_a_flip(ring):
    s = d.laderman()
    ws = _walkers(s, ring, K=1, seed=5)
    r = s.rank
    for _ in range(40):
        before = _index.flippable(ws.B, 0)
        r2 = _moves.split(ws.P, ws.N, ws.H, ws.S, ws.B, ws.rng, 0, r, RING_CODES[ring], ws.W)
        assert r2 in (r, r + 1)
        if r2 == r + 1:  # the new term shares its factors with two terms: more positions have a partner
            assert _index.flippable(ws.B, 0) >= before + 1
        ws.rank[0] = r = r2
        assert d.verify(ws.scheme(0, None), ring).ok
        assert _moves.invariants_ok(ws.P, ws.N, ws.H, ws.S, ws.B, 0, r, RING_CODES[ring], ws.W)
        _recount(ws, 0)
        if r + 2 >= ws.R:
            break
    assert r > s.rank


@pytest.mark.parametrize("ring", RINGS)
@pytest.mark.parametrize("fmt", [(3, 3, 3), (2, 3, 4), (4, 4, 4)], ids=lambda f: "x".join(map(str, f)))
def test_the_period_mode_with_splits_keeps_the_scheme_exact(fmt, ring):
    # expansions after a period of flips drawn from [20, 60], half of them splits
    s = d.standard(*fmt)
    ws = _walkers(s, ring, K=2, seed=7, plus_after=20, plus_max=60, split=50)
    ws.max_rank[:] = s.rank + 2
    plus = 0
    for _ in range(8):
        ws.goal[:] = 0
        ws.walk(400)
        _check(ws, ring)
        plus += int(ws.out[:, _kernels.OUT_PLUS].sum())
        assert ((20 <= ws.thr) & (ws.thr <= 60)).all()
    assert plus > 0


def test_the_period_mode_needs_a_period_and_split_a_percentage():
    with pytest.raises(d.DiscoveryError, match="plus_max"):
        FlipConfig(3, 3, 3, plus_after=5000, plus_max=100)
    with pytest.raises(d.DiscoveryError, match="percentage"):
        FlipConfig(3, 3, 3, split=150)


def test_z2_walks_with_frequent_plus_transitions_give_only_valid_schemes():
    # the corruption of the old engine: 12 of 12 walkers invalid after their first plus transition
    for seed in range(6):
        res = flip_search(3, 3, 3, ring="Z2", plus_after=20, plus_max=80, max_flips=3000, time_limit=None,
                          walkers=2, seed=seed, chunk_flips=500, debug=True)
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


def test_a_stale_walker_restarts_from_the_pool():
    # at rank 23 nothing lower exists: with stale_limit every walker restarts after ~2 chunks
    kw = dict(start=d.laderman(), max_flips=20_000, time_limit=None, walkers=2, seed=4, chunk_flips=1_000)
    calm = flip_search(3, 3, 3, **kw)
    stale = flip_search(3, 3, 3, stale_limit=2_000, **kw)
    assert calm.walks == 2 and stale.walks >= 2 + 2 * 5
    assert stale.best_rank == 23 and all(d.verify(s, "ZT").ok for s in stale.schemes)
    with pytest.raises(d.DiscoveryError, match="stale_limit"):
        FlipConfig(3, 3, 3, stale_limit=-1)


def test_a_stale_walker_can_climb_to_a_higher_level_or_the_start(tmp_path):
    from discovery.formats import load_scheme
    from discovery.search.flips._pool import Pool

    # the levels of a real descent 27 -> 23 (every verified scheme the walk saved, one folder)
    flip_search(3, 3, 3, target_rank=23, time_limit=30, walkers=2, seed=0, out=tmp_path)
    found = [load_scheme(q) for q in sorted(tmp_path.glob("r[0-9]*.json"))]
    config = FlipConfig(3, 3, 3, seed=0)
    pool = Pool(config, [d.standard(3, 3, 3)])
    for s in found:
        pool.add(s)
    pool.descend()
    assert pool.level == min(s.rank for s in found) == 23
    held = {r for r, v in pool.levels.items() if v}
    assert pool.pick().scheme.rank == 23
    for climb in (1, 2, 3):  # the nearest non-empty level at or below level + climb
        assert pool.pick(climb).scheme.rank == max(r for r in held if r <= 23 + climb)
    assert pool.pick(100).scheme.rank == 27  # capped at the start: a fresh descent
    with pytest.raises(d.DiscoveryError, match="stale_climb"):
        FlipConfig(3, 3, 3, stale_climb=-1)


def test_stale_walkers_climbing_to_the_start_still_descend_to_valid_schemes():
    kw = dict(max_flips=60_000, time_limit=None, walkers=2, seed=2, chunk_flips=1_000, stale_limit=5_000)
    res = flip_search(3, 3, 3, stale_climb=100, **kw)
    assert res.walks > 2 and res.best_rank < 27
    assert all(d.verify(s, "ZT").ok for s in res.schemes)


def test_copy_best_keeps_lineages_alive_and_is_seeded():
    kw = dict(max_flips=30_000, time_limit=None, walkers=8, seed=3, chunk_flips=1_000, copy_best=0.5)
    a = flip_search(3, 3, 3, **kw)
    b = flip_search(3, 3, 3, **kw)
    assert a.best_rank == b.best_rank < 27 and a.walks == b.walks and a.history[-1][1] == b.history[-1][1]
    assert all(d.verify(s, "ZT").ok for s in a.schemes)
    with pytest.raises(d.DiscoveryError, match="copy_best"):
        FlipConfig(3, 3, 3, copy_best=1.5)
