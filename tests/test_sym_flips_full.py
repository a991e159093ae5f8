"""The symmetric flip walk under the full group (cyclic × transpose): every orbit move keeps the scheme
exact and invariant under both maps, a seeded walk lowers the rank reproducibly, bad input is one
clear error."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

import discovery as d
from discovery.core.symmetry import symmetric_standard
from discovery.errors import DiscoveryError
from discovery.search.flips._sym_batch import _Walkers
from discovery.search.flips._sym_encode import decode, encode
from discovery.search.flips._sym_full import transpose_table
from discovery.search.flips._sym_starts import cube_start
from discovery.search.flips._symmetric import symmetric_search


def _full(s: d.Scheme) -> bool:
    return d.detect_symmetry(s, "full") is not None


def test_the_transpose_table_transposes():
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 8):
        tt = transpose_table(n)
        for _ in range(20):
            m = rng.integers(0, 2, (n, n))
            bits = lambda a: sum(int(x) << i for i, x in enumerate(a.reshape(-1)))  # noqa: E731
            v = bits(m)
            out = 0
            for q in range(8):
                out |= int(tt[q, (v >> (8 * q)) & 255])
            assert out == bits(m.T)


@pytest.mark.parametrize("ring", ["Z2", "ZT"])
@pytest.mark.parametrize("n,start", [(2, None), (3, None), (4, None), (4, "cubes")])
def test_every_full_orbit_move_keeps_the_scheme_exact_and_invariant(n, start, ring):
    """Flips, turns, reductions and plus transitions, the kernel's debug mode checking every invariant
    (normal forms, orbit sizes, rank, the expanded tensor) after every move, the core verifying
    every chunk and detecting the full symmetry; chunks alternate greedy 0 and 1."""
    base = cube_start(n, 1) if start == "cubes" else symmetric_standard(n, "full")
    slots = encode(base, ring, group="full")
    assert slots.full and slots.rank == base.rank
    config = SimpleNamespace(n=n, seed=5, run_flips=10**9, chunk_flips=300, margin=12, plus_after=40,
                             target_rank=None, check=True, greedy=1, sample="position")
    W = _Walkers(config, slots, 2)
    for w in range(2):
        W.load(w, w)
    ranks, frozen = set(), {tuple(r) for r in decode(slots.with_masks(slots.pos[:, :0], slots.neg[:, :0],
                                                                      slots.kinds[:0]))[0].u}
    for chunk in range(6):
        config.greedy = chunk % 2
        assert W.step() > 0
        assert not W.err.any(), W.err
        for w in range(2):
            k = int(W.S[w])
            cur = slots.with_masks(W.P[w, :, :k].copy(), W.N[w, :, :k].copy(), W.KD[w, :k].copy())
            s, sym = decode(cur)
            assert s.rank == cur.rank == int(W.KD[w].sum()) + slots.fpos.shape[1]
            assert d.verify(s, ring).ok and _full(s) and sym.group == "full"
            assert set(sym.orbit_sizes) <= {1, 2, 3, 6}
            assert frozen <= {tuple(r) for r in s.u}  # the frozen orbits are still there
            if ring == "ZT":
                assert s.is_ternary
            ranks.add(s.rank)
    if n == 4:
        assert len(ranks) > 1  # plus transitions (and reductions) happened


@pytest.mark.parametrize("n", [2, 3, 4])
def test_full_encoding_round_trip(n):
    for base in (symmetric_standard(n, "full"), cube_start(n, 1)):
        for ring in ("Z2", "ZT"):
            slots = encode(base, ring, group="full")
            back, form = decode(slots)
            assert back.rank == base.rank and d.verify(back, ring).ok and _full(back)
            if ring == "ZT":
                assert d.fingerprint(back) == d.fingerprint(base.expand())
            sizes = np.asarray(slots.kinds)
            pos = slots.pos
            tt = transpose_table(n)
            for s in np.nonzero(sizes == 3)[0]:  # size-3 slots in the normal form V = Uᵀ, W = Wᵀ
                t = [sum(int(tt[q, (int(pos[x, s]) >> (8 * q)) & 255]) for q in range(8)) for x in range(3)]
                assert t[0] == pos[1, s] and t[2] == pos[2, s]


def test_a_seeded_full_walk_lowers_the_rank_and_is_reproducible():
    for ring, seed in (("Z2", 0), ("ZT", 1)):
        kw = dict(ring=ring, group="full", runs=8, time_limit=None, run_flips=150000, chunk_flips=25000,
                  seed=seed, plus_after=2000)
        a = symmetric_search(4, walkers=2, **kw)
        assert a.start_rank == 64 and a.best_rank < 64 and a.runs == 8
        assert a.best_symmetric.group == "full" and a.best_symmetric.rank == a.best_rank
        for s in a.schemes:
            assert s.rank == a.best_rank and d.verify(s, ring).ok and _full(s)
        if ring == "Z2":
            b = symmetric_search(4, walkers=1, **kw)
            assert a.rank_counts == b.rank_counts and a.flips == b.flips
            assert {d.fingerprint(s) for s in a.schemes} == {d.fingerprint(s) for s in b.schemes}


def test_the_lift_of_a_full_walk_keeps_full_symmetry(tmp_path):
    res = symmetric_search(4, ring="Z2", group="full", runs=8, time_limit=None, run_flips=150000,
                           chunk_flips=25000, walkers=2, seed=0, plus_after=2000, lift=True, out=tmp_path)
    r = res.best_rank
    assert r < 64 and res.lifted is not None and res.lifted.rank == r
    assert d.verify(res.lifted).ok and _full(res.lifted)
    assert list((tmp_path / "lifted").glob(f"r{r}-*.json"))
    record = json.loads((tmp_path / "run-symmetric-full-Z2-seed0.json").read_text())
    assert record["config"]["group"] == "full" and record["best_rank"] == r


def _cyclic_only() -> d.Scheme:
    s = d.load_scheme("results/schemes/symmetric/4x4x4-r49-zt.json")
    assert d.detect_symmetry(s, "cyclic") is not None and not _full(s)
    return s


@pytest.mark.parametrize("call,match", [
    (lambda: symmetric_search(4, group="full", start=_cyclic_only(), runs=1, time_limit=None), "full group"),
    (lambda: symmetric_search(2, group="full", start=d.standard(2, 2, 3), runs=1, time_limit=None), "square"),
    (lambda: symmetric_search(3, group="dihedral", runs=1, time_limit=None), "unknown symmetry"),
    (lambda: symmetric_search(3, group="full", greedy=2, runs=1, time_limit=None), "cyclic group"),
    (lambda: symmetric_search(3, group="full", sample="value", runs=1, time_limit=None), "cyclic group"),
    (lambda: symmetric_search(3, group="full", free_fixed=True, runs=1, time_limit=None), "cyclic group"),
])
def test_bad_input_is_one_clear_error(call, match):
    with pytest.raises(DiscoveryError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_flip_search_and_the_cli_reach_the_full_walk(tmp_path, capsys):
    from discovery.cli import main
    from discovery.search.flips import flip_search

    res = flip_search(4, 4, 4, symmetry="full", ring="ZT", runs=8, time_limit=None, run_flips=150000,
                      chunk_flips=25000, walkers=2, seed=1, plus_after=2000)
    assert res.best_rank < 64 and d.verify(res.best, "ZT").ok and _full(res.best)
    with pytest.raises(DiscoveryError, match="not square"):
        flip_search(4, 4, 5, symmetry="full", time_limit=1)
    code = main(["flip", "3", "3", "3", "--symmetry", "full", "--ring", "ZT", "--runs", "2", "--run-flips", "2000",
                 "--quiet", "--json", "--out", str(tmp_path / "o")])
    doc = json.loads(capsys.readouterr().out)
    assert doc["start_rank"] == 27 and doc["config"]["group"] == "full" and doc["runs"] == 2
    assert code in (0, 1)
    for argv, match in ((["2", "2", "3", "--symmetry", "full"], "not square"),
                        (["4", "4", "4", "--symmetry", "full", "--from", "results/schemes/symmetric/4x4x4-r49-zt.json"],
                         "not invariant under the full group")):
        assert main(["flip", *argv]) == 2
        assert match in capsys.readouterr().err
