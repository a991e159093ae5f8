"""The flip-graph engine: exactness of every move, reproducibility, starts, bad input."""

import json

import numpy as np
import pytest

import discovery as d
from discovery.errors import DiscoveryError
from discovery.search.flips import FlipConfig, composed_start, explore, flip_search, load_starts
from discovery.search.flips._encode import decode, encode
from discovery.core.transforms import fingerprint, restrict


@pytest.mark.parametrize("s", [d.strassen(), d.winograd(), d.laderman(), d.standard(2, 3, 4)],
                         ids=lambda s: s.name)
def test_encoding_round_trip(s):
    for ring in ("ZT", "Z2"):
        pos, neg = encode(s, ring)
        back = decode(*s.format, pos, neg, ring)
        want = s.u % 2 if ring == "Z2" else s.u
        assert np.array_equal(back.u, want)
        assert back.rank == s.rank


def test_walk_from_the_standard_algorithm_reaches_rank_23_for_3x3x3():
    res = flip_search(3, 3, 3, target_rank=23, time_limit=120, walkers=2, seed=0)
    assert res.best_rank == 23 and res.stop == "target" and res.start_rank == 27
    for s in res.schemes:  # checked again, independently of the engine, against A @ B
        assert s.rank == 23 and s.is_ternary and d.verify(s, "ZT").ok
        A = np.random.default_rng(1).integers(-5, 5, (3, 3))
        B = np.random.default_rng(2).integers(-5, 5, (3, 3))
        assert np.array_equal(s.apply(A.astype(object), B.astype(object)), A @ B)
    assert [r for _, r in res.history] == sorted({r for _, r in res.history}, reverse=True)
    assert res.flips > 0 and res.rejected == 0


def test_same_seed_and_walkers_give_the_same_walk():
    runs = [flip_search(3, 3, 3, target_rank=24, time_limit=120, walkers=2, seed=5) for _ in range(2)]
    assert runs[0].flips == runs[1].flips
    assert [fingerprint(s) for s in runs[0].schemes] == [fingerprint(s) for s in runs[1].schemes]
    other = flip_search(3, 3, 3, target_rank=24, time_limit=120, walkers=2, seed=6)
    assert other.flips != runs[0].flips


def test_z2_walk_gives_schemes_valid_mod_2():
    res = flip_search(2, 2, 2, ring="Z2", target_rank=7, time_limit=60, walkers=2, seed=0)
    assert res.best_rank == 7
    assert res.best.ring == "Z2" and d.verify(res.best, "Z2").ok


def test_out_folder_holds_verified_schemes_and_a_rerun_resumes(tmp_path):
    out = tmp_path / "run"
    first = flip_search(2, 3, 3, target_rank=16, time_limit=60, walkers=2, seed=0, out=out)
    files = sorted(f for f in out.glob("r[0-9]*-*.json"))
    assert files and all(d.verify(d.load_scheme(f)).ok for f in files)
    record = json.loads((out / "run-flips-ZT-seed0.json").read_text())
    assert record["config"]["seed"] == 0 and record["result"]["best_rank"] == first.best_rank
    again = flip_search(2, 3, 3, target_rank=15, time_limit=60, walkers=2, seed=1, out=out)
    assert again.start_rank == first.best_rank  # started from the best scheme already there


def test_composed_and_restricted_starts_are_exact_and_cheaper_than_standard(tmp_path):
    s = composed_start((3, 4, 4))
    assert s.format == (3, 4, 4) and s.rank < 48 and d.verify(s).ok
    small = restrict(d.laderman(), 2, 2, 3)
    assert small.format == (2, 2, 3) and d.verify(small).ok and small.rank <= 23
    path = tmp_path / "lad.json"
    d.save_scheme(d.laderman(), path)
    (start,) = load_starts([path], (2, 3, 3), "ZT")  # a larger format is restricted
    assert start.format == (2, 3, 3) and d.verify(start).ok


def test_bad_starts_and_settings_are_refused(tmp_path):
    s = d.strassen()
    u = s.u.copy()
    u[0, 0] = 0  # one coefficient changed: no longer a multiplication algorithm
    broken = d.Scheme.from_rows(2, 2, 2, u, s.v, s.w)
    with pytest.raises(DiscoveryError, match="not a valid"):
        flip_search(2, 2, 2, start=broken, time_limit=1)
    path = tmp_path / "broken.json"
    d.save_scheme(broken, path)
    with pytest.raises(DiscoveryError, match="not a valid start"):
        load_starts([path], (2, 2, 2), "ZT")
    with pytest.raises(DiscoveryError, match="format"):
        flip_search(2, 2, 3, start=s, time_limit=1)
    with pytest.raises(DiscoveryError, match="not below"):
        flip_search(2, 2, 2, target_rank=8, time_limit=1)
    with pytest.raises(DiscoveryError, match="too large"):
        FlipConfig(17, 16, 2)
    with pytest.raises(DiscoveryError, match="lower bound 7"):
        flip_search(2, 2, 2, target_rank=6, time_limit=1)
    for bad, message in ((dict(pool_size=0), "pool_size"), (dict(path_limit=-1), "path_limit"),
                         (dict(select="best"), "pool selection"), (dict(follow=2.0), "follow"),
                         (dict(walkers=-1), "walkers")):
        with pytest.raises(DiscoveryError, match=message):
            FlipConfig(2, 2, 2, **bad)
    with pytest.raises(DiscoveryError, match="ring"):
        FlipConfig(2, 2, 2, ring="Q")
    wide = d.sandwich(s, X=[[1, 2], [0, 1]])
    assert not wide.is_ternary and d.verify(wide).ok
    with pytest.raises(DiscoveryError, match="outside"):
        flip_search(2, 2, 2, start=wide, time_limit=1)
    z2 = flip_search(2, 2, 2, start=wide, ring="Z2", max_flips=2000, time_limit=None)
    assert z2.best_rank == 7 and d.verify(z2.best, "Z2").ok


def test_fixed_rank_exploration_keeps_the_rank_and_never_adds_additions():
    start = flip_search(3, 3, 3, target_rank=23, time_limit=120, walkers=2, seed=0).best
    res = explore(start, time_limit=3, walkers=2, seed=0)
    assert res.best.scheme.rank == 23 and d.verify(res.best.scheme).ok
    assert res.best_additions <= res.start_additions and res.distinct > 1
