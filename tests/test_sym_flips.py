"""The symmetric flip walk: every orbit move keeps the scheme exact and cyclic-invariant, seeded
searches reach known ranks and are reproducible, bad input is one clear error."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

import discovery as d
from discovery.core.symmetry import symmetric_pad, symmetric_standard
from discovery.errors import DiscoveryError
from discovery.search.executor import LocalExecutor
from discovery.search.flips._sym_batch import _Walkers
from discovery.search.flips._sym_encode import Slots, decode, encode
from discovery.search.flips._sym_starts import cube_groups, cube_start
from discovery.search.flips._symmetric import symmetric_search


def _invariant(s: d.Scheme) -> bool:
    return d.detect_symmetry(s, "cyclic") is not None


def _current(W: _Walkers, w: int) -> Slots:
    k = int(W.S[w])
    s = W.slots
    return Slots(s.n, s.ring, W.P[w, :, :k].copy(), W.N[w, :, :k].copy(), s.fpos, s.fneg)


def _strassen_cyclic() -> d.SymmetricScheme:
    sym = d.detect_symmetry(d.strassen(), "cyclic")
    assert sym is not None
    return sym


@pytest.mark.parametrize("ring,free", [("Z2", True), ("Z2", False), ("ZT", False)])
@pytest.mark.parametrize("n,start", [(2, None), (3, None), (3, "pad"), (3, "cubes"), (4, None), (4, "cubes")])
def test_every_orbit_move_keeps_the_scheme_exact_and_invariant(n, start, ring, free):
    """Thousands of flips, reductions and plus transitions per walker, the kernel's debug mode checking
    every invariant (the expanded tensor included) after every move, the core verifying every chunk;
    the chunks take turns with the three reduction modes (greedy 0, 1, 2)."""
    base = {"pad": lambda: symmetric_pad(_strassen_cyclic(), 3), "cubes": lambda: cube_start(n, 1)}.get(
        start, lambda: symmetric_standard(n))()
    slots = encode(base, ring, free)
    config = SimpleNamespace(n=n, seed=7, run_flips=10**9, chunk_flips=400, margin=9, plus_after=60,
                             target_rank=None, check=True, greedy=1, sample="position")
    W = _Walkers(config, slots, 3)
    for w in range(3):
        W.load(w, w)
    ranks = set()
    for chunk in range(9):
        config.greedy = chunk % 3
        config.sample = ("position", "value")[chunk // 3 % 2]
        assert W.step() > 0
        assert not W.err.any(), W.err
        for w in range(3):
            cur = _current(W, w)
            s, sym = decode(cur)
            assert s.rank == cur.rank == 3 * W.S[w] - 2 * W.nfix[w] + slots.fpos.shape[1]
            assert d.verify(s, ring).ok and _invariant(s)
            assert sym.expand().rank == s.rank
            ranks.add(s.rank)
            if ring == "ZT":
                assert s.is_ternary
                fixed = {tuple(r) for r in decode(Slots(n, ring, cur.pos[:, :0], cur.neg[:, :0], cur.fpos,
                                                        cur.fneg))[0].u}
                assert fixed <= {tuple(r) for r in s.u}  # the frozen fixed points are still there
    assert len(ranks) > 1  # reductions and plus transitions happened


@pytest.mark.parametrize("s", [d.strassen(), d.standard(3, 3, 3), d.laderman()], ids=lambda s: s.name)
def test_encoding_round_trip(s):
    for ring in ("Z2", "ZT"):
        sym = d.detect_symmetry(s, "cyclic")
        if sym is None:
            with pytest.raises(DiscoveryError, match="not invariant"):
                encode(s, ring)
            continue
        back, form = decode(encode(s, ring))
        assert back.rank == s.rank and d.verify(back, ring).ok
        if ring == "ZT":
            assert d.fingerprint(back) == d.fingerprint(s)
        assert form.n_orbits == sym.n_orbits


def test_search_reaches_strassens_rank_mod_2_and_lifts_it(tmp_path):
    res = symmetric_search(2, ring="Z2", target_rank=7, runs=64, time_limit=None, run_flips=5000,
                           chunk_flips=1000, walkers=2, seed=0, out=tmp_path, lift=True, cubes=1)
    assert res.best_rank == 7 and res.stop == "target" and res.start_rank == 13
    assert d.verify(res.best, "Z2").ok and _invariant(res.best)
    assert res.lifted is not None and res.lifted_ring in ("ZT", "Z", "Q")
    assert d.verify(res.lifted).ok and res.lifted.rank == 7
    files = list(tmp_path.glob("r7-*.json"))
    assert files and all(d.verify(d.load_scheme(f), "Z2").ok for f in files)
    assert list((tmp_path / "lifted").glob("r7-*.json"))
    record = json.loads((tmp_path / "run-symmetric-Z2-seed0.json").read_text())
    assert record["best_rank"] == 7 and record["config"]["seed"] == 0
    json.dumps(res.to_json())


def test_3x3x3_walk_lowers_the_rank_over_both_rings():
    for ring, want in (("Z2", 24), ("ZT", 24)):
        res = symmetric_search(3, ring=ring, runs=16, time_limit=None, run_flips=20000, chunk_flips=5000,
                               walkers=2, seed=1, plus_after=1000)
        assert res.best_rank <= want and res.runs == 16 and sum(res.rank_counts.values()) == 16
        for s in res.schemes:
            assert s.rank == res.best_rank and d.verify(s, ring).ok and _invariant(s)


def test_runs_do_not_depend_on_walkers_or_executor():
    kw = dict(ring="Z2", runs=6, time_limit=None, run_flips=4000, chunk_flips=1000, seed=3, plus_after=300)
    a = symmetric_search(3, walkers=1, **kw)
    b = symmetric_search(3, walkers=3, **kw)
    with LocalExecutor(1) as ex:
        c = symmetric_search(3, walkers=2, executor=ex, **kw)
    assert a.rank_counts == b.rank_counts == c.rank_counts
    assert {d.fingerprint(s) for s in a.schemes} == {d.fingerprint(s) for s in b.schemes}
    other = symmetric_search(3, walkers=2, **{**kw, "seed": 4})
    assert other.flips != a.flips or other.rank_counts != a.rank_counts


def test_z2_fixed_points_take_part_only_when_freed():
    """With free_fixed a Z2 fixed point can become an orbit (the count of fixed points changes);
    frozen (the default, and always over ZT) never."""
    seen = {("Z2", True): set(), ("Z2", False): set(), ("ZT", False): set()}
    for ring, free in seen:
        res = symmetric_search(3, ring=ring, runs=8, time_limit=None, run_flips=20000, chunk_flips=5000,
                               walkers=2, seed=2, plus_after=1000, keep=64, free_fixed=free)
        assert (res.best_rank - 3) % 3 == 0 or free
        for s in res.schemes:
            seen[ring, free].add(sum(1 for x in d.detect_symmetry(s, "cyclic").orbit_sizes if x == 1))
    assert seen["ZT", False] == seen["Z2", False] == {3}
    assert seen["Z2", True] - {3}


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_cube_starts_are_exact_ternary_and_partition_the_diagonal(n):
    for k in range(1, n + 1):
        groups = cube_groups(n, k)
        assert len(groups) == k and sorted(i for g in groups for i in g) == list(range(n))
        sym = cube_start(n, k)
        s = sym.expand()
        assert d.verify(s, "ZT").ok and s.is_ternary and _invariant(s)
        assert sum(1 for x in sym.orbit_sizes if x == 1) == k and sym.rank % 3 == k % 3
    assert d.fingerprint(cube_start(n).expand()) == d.fingerprint(d.standard(n, n, n))
    assert cube_groups(5, 3) == [[0, 4], [1, 3], [2]]  # Moosbauer & Poole's start for <5,5,5> 93


def test_search_from_cubes_keeps_the_rank_class_and_a_best_pool_is_reproducible():
    kw = dict(ring="Z2", runs=8, time_limit=None, run_flips=20000, chunk_flips=5000, walkers=2, seed=1,
              cubes=1, restart="best", greedy=0, plus_after=2000)
    a, b = symmetric_search(4, **kw), symmetric_search(4, **kw)
    assert a.start_rank == 121 and a.best_rank < 121 and a.best_rank % 3 == 1
    assert a.rank_counts == b.rank_counts and a.flips == b.flips
    assert all(d.verify(s, "Z2").ok and _invariant(s) for s in a.schemes)


@pytest.mark.parametrize("call,match", [
    (lambda: symmetric_search(2, start=d.standard(2, 2, 3), runs=1, time_limit=None), "square"),
    (lambda: symmetric_search(2, start=d.winograd(), runs=1, time_limit=None), "not invariant"),
    (lambda: symmetric_search(2, ring="Z5", runs=1, time_limit=None), "unknown ring"),
    (lambda: symmetric_search(0, runs=1, time_limit=None), "positive integer"),
    (lambda: symmetric_search(9, runs=1, time_limit=None), "too large"),
    (lambda: symmetric_search(2, target_rank=8, runs=1, time_limit=None), "not below"),
    (lambda: symmetric_search(2, runs=None, time_limit=None), "never ends"),
    (lambda: symmetric_search(2, ring="ZT", lift=True, runs=1, time_limit=None), "ring Z2"),
    (lambda: symmetric_search(3, start=d.strassen(), runs=1, time_limit=None), "format"),
    (lambda: symmetric_search(3, cubes=4, runs=1, time_limit=None), "from 1 to n"),
    (lambda: symmetric_search(3, cubes=[[0, 1], [1, 2]], runs=1, time_limit=None), "each index once"),
    (lambda: symmetric_search(3, cubes=1, start=d.laderman(), runs=1, time_limit=None), "not both"),
    (lambda: symmetric_search(3, restart="pool", runs=1, time_limit=None), "restart"),
    (lambda: symmetric_search(3, ring="ZT", free_fixed=True, runs=1, time_limit=None), "frozen"),
])
def test_bad_input_is_one_clear_error(call, match):
    with pytest.raises(DiscoveryError, match=match) as info:
        call()
    assert "\n" not in str(info.value)


def test_a_start_that_is_not_exact_is_refused():
    s = d.strassen()
    u = np.array(s.u, dtype=np.int64)
    u[0, 0] += 1
    bad = d.Scheme.from_rows(2, 2, 2, u, s.v, s.w, ring="Q")
    with pytest.raises(DiscoveryError, match="not a valid scheme"):
        symmetric_search(2, start=bad, runs=1, time_limit=None)


def test_flip_search_and_the_cli_reach_the_symmetric_walk(tmp_path, capsys):
    from discovery.cli import main
    from discovery.search.flips import flip_search

    res = flip_search(3, 3, 3, symmetry="cyclic", ring="Z2", cubes=2, target_rank=23, runs=32, time_limit=None,
                      run_flips=50000, walkers=2)
    assert res.best_rank == 23 and d.verify(res.best, "Z2").ok and _invariant(res.best)
    for bad, match in (({"symmetry": "dihedral"}, "unknown symmetry"), ({"symmetry": "cyclic", "p": 4}, "not square")):
        kw = {"n": 3, "m": 3, "p": 3, "time_limit": 1, **bad}
        with pytest.raises(DiscoveryError, match=match):
            flip_search(kw.pop("n"), kw.pop("m"), kw.pop("p"), **kw)
    code = main(["flip", "3", "3", "3", "--symmetry", "cyclic", "--ring", "Z2", "--cubes", "2", "--target-rank", "23",
                 "--lift", "--quiet", "--json", "--out", str(tmp_path / "o")])
    doc = json.loads(capsys.readouterr().out)
    assert code == 0 and doc["best_rank"] == 23 and doc["lifted_ring"] in ("ZT", "Z", "Q")
    assert list((tmp_path / "o").glob("r23-*.json")) and list((tmp_path / "o" / "lifted").glob("r23-*.json"))
    for argv, match in ((["2", "2", "3", "--symmetry", "cyclic"], "not square"),
                        (["3", "3", "3", "--symmetry", "dihedral"], "unknown --symmetry"),
                        (["3", "3", "3", "--cubes", "2"], "--cubes does nothing without --symmetry"),
                        (["3", "3", "3", "--symmetry", "cyclic", "--pool-size", "4"], "does nothing with --symmetry")):
        assert main(["flip", *argv]) == 2
        assert match in capsys.readouterr().err
