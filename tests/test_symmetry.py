"""Symmetric schemes of <n,n,n>: the group actions against the tensor, orbit expansion,
detection, the standard algorithm's orbits, the JSON form."""

import json
from math import comb

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import (
    Scheme,
    SymmetricScheme,
    detect_symmetry,
    fingerprint,
    kron,
    laderman,
    load_scheme,
    load_schemes,
    load_symmetric,
    matmul_tensor,
    sandwich,
    save_scheme,
    save_symmetric,
    scale_term,
    standard,
    strassen,
    symmetric_pad,
    symmetric_standard,
    verify,
    winograd,
)
from discovery.core.symmetry import orbit_size, sigma, tau
from discovery.errors import SchemeFileError, SchemeFormatError


def _tensor(u, v, w):
    return np.einsum("ta,tb,tc->abc", np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64),
                     np.asarray(w, dtype=np.int64))


def _map(s: Scheme, g) -> Scheme:
    rows = [g(a, b, c, s.n) for a, b, c in zip(s.u, s.v, s.w)]
    return Scheme.from_rows(s.n, s.n, s.n, *(np.array(x) for x in zip(*rows)), ring="Q")


# ---- the two actions, checked against the tensor before anything builds on them -------------
@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_sigma_and_tau_leave_the_tensor_unchanged(n):
    T = matmul_tensor(n, n, n)
    t = np.arange(n * n).reshape(n, n).T.reshape(-1)  # index of the transposed entry
    # a term u⊗v⊗w -> v⊗w⊗u maps a tensor X to X'[a,b,c] = X[c,a,b]
    assert np.array_equal(np.einsum("cab->abc", T), T)
    # u⊗v⊗w -> vᵀ⊗uᵀ⊗wᵀ maps X to X'[a,b,c] = X[t(b), t(a), t(c)]
    assert np.array_equal(T[np.ix_(t, t, t)].transpose(1, 0, 2), T)
    # a map that is not a symmetry: transposing U alone
    if n > 1:
        assert not np.array_equal(T[t], T)


@pytest.mark.parametrize("build", [strassen, winograd, laderman, lambda: standard(3, 3, 3),
                                   lambda: sandwich(laderman(), [[1, 1, 0], [0, 1, 0], [0, 0, 1]])])
def test_sigma_and_tau_map_exact_schemes_to_exact_schemes(build):
    s = build()
    for g in (sigma, tau):
        image = _map(s, g)
        assert np.array_equal(_tensor(image.u, image.v, image.w), matmul_tensor(*s.format))
        assert verify(image).ok
    # ... and the same check fails for a map that is not a symmetry (the test has teeth)
    def bad(u, v, w, n):
        return u.reshape(n, n).T.reshape(-1), v, w
    assert not verify(_map(s, bad)).ok


# ---- the standard algorithm's orbits --------------------------------------------------------
@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_symmetric_standard_orbits(n):
    cyc, full = symmetric_standard(n), symmetric_standard(n, "full")
    assert cyc.rank == full.rank == n ** 3
    assert sorted(cyc.orbit_sizes) == [1] * n + [3] * ((n ** 3 - n) // 3)
    assert sorted(full.orbit_sizes) == [1] * n + [3] * (n * (n - 1)) + [6] * comb(n, 3)
    for sym in (cyc, full):
        e = sym.expand()
        assert e.format == (n, n, n) and verify(e).ok and e.ring == "ZT"
        assert fingerprint(e) == fingerprint(standard(n, n, n))


# ---- detection -----------------------------------------------------------------------------
def test_strassen_is_cyclic_invariant_as_published():
    sym = detect_symmetry(strassen())
    assert sym is not None and sym.group == "cyclic" and sym.orbit_sizes == (1, 3, 3) and sym.rank == 7
    assert detect_symmetry(strassen(), "full") is None
    e = sym.expand()
    assert verify(e).ok and fingerprint(e) == fingerprint(strassen())
    # term scalings (-u, -v, w), (-u, v, -w) do not change the rank-one tensors: still detected
    scaled = detect_symmetry(scale_term(scale_term(strassen(), 2, -1, -1), 5, -1, 1))
    assert scaled is not None and scaled.orbit_sizes == sym.orbit_sizes
    assert fingerprint(scaled.expand()) == fingerprint(strassen())


def test_non_symmetric_schemes_are_not_detected():
    assert detect_symmetry(winograd()) is None
    assert detect_symmetry(laderman()) is None
    assert detect_symmetry(standard(2, 2, 3)) is None  # not square
    # a conjugation X A X^-1 of all three keeps the symmetry; a one-sided sandwich breaks it
    assert detect_symmetry(sandwich(strassen(), [[1, 1], [0, 1]], [[1, 1], [0, 1]], [[1, 1], [0, 1]])) is not None
    assert detect_symmetry(sandwich(strassen(), [[1, 1], [0, 1]])) is None


def test_small_symmetric_schemes_for_tests():
    # <3,3,3>: Strassen's cyclic form on the leading 2x2 blocks, standard products elsewhere
    s3 = symmetric_pad(detect_symmetry(strassen()), 3)
    assert s3.rank == 26 and s3.group == "cyclic" and verify(s3.expand()).ok
    again = detect_symmetry(s3.expand(), "cyclic")
    assert again is not None and sorted(again.orbit_sizes) == sorted(s3.orbit_sizes)
    # <4,4,4>: the Kronecker square of Strassen is cyclic-invariant too (rank 49)
    k = detect_symmetry(kron(strassen(), strassen()))
    assert k is not None and k.rank == 49 and k.group == "cyclic" and verify(k.expand()).ok
    # the full group: the standard algorithm padded
    f = symmetric_pad(symmetric_standard(2, "full"), 3)
    assert f.group == "full" and verify(f.expand()).ok and detect_symmetry(f.expand()).group == "full"


def test_symmetric_flips_files(shared_data):
    d = shared_data / "symmetric-flips"
    a = load_scheme(d / "555m93_lifted.exp")
    sym = detect_symmetry(a)  # the <5,5,5> r93 file is cyclic-invariant over Z as published
    assert sym is not None and sym.group == "cyclic" and detect_symmetry(a, "full") is None
    assert sorted(sym.orbit_sizes) == [1] * 3 + [3] * 30 and verify(sym.expand(), "Z").ok
    assert fingerprint(sym.expand()) == fingerprint(a)
    b = load_scheme(d / "666m153_lifted.exp")
    # the <6,6,6> r153 file is not: its lift to Z broke the symmetry; modulo 2 it is cyclic-invariant
    assert detect_symmetry(b) is None
    sym2 = detect_symmetry(b.with_ring("Z2"))
    assert sym2 is not None and sym2.group == "cyclic" and sorted(sym2.orbit_sizes) == [1] * 3 + [3] * 50
    assert verify(sym2.expand(), "Z2").ok and sym2.expand().ring == "Z2"
    with pytest.raises(SchemeFileError, match="not invariant under the cyclic group.*ring='Z2'"):
        load_symmetric(d / "666m153_lifted.exp")
    assert load_symmetric(d / "666m153_lifted.exp", ring="Z2") == sym2


# ---- the SymmetricScheme itself --------------------------------------------------------------
def test_orbit_sizes_are_checked():
    sym = detect_symmetry(strassen())
    u, v, w = sym.u, sym.v, sym.w
    with pytest.raises(SchemeFormatError, match="orbit 1.*size 3, not 1|orbit 1.*has size 1, not 3"):
        SymmetricScheme(2, "cyclic", u, v, w, (3, 3, 3))
    with pytest.raises(SchemeFormatError, match="size 2 cannot occur under the cyclic group"):
        SymmetricScheme(2, "cyclic", u, v, w, (2, 3, 3))
    with pytest.raises(SchemeFormatError, match="3 orbit sizes for 2 representatives"):
        SymmetricScheme(2, "cyclic", u[:2], v[:2], w[:2], (1, 3, 3))
    zero = np.zeros((1, 4), dtype=np.int64)
    with pytest.raises(SchemeFormatError, match="zero factor"):
        SymmetricScheme(2, "cyclic", zero, v[:1], w[:1], (1,))
    with pytest.raises(SchemeFormatError, match="unknown symmetry group"):
        SymmetricScheme(2, "dihedral", u, v, w, (1, 3, 3))


def test_expansion_writes_orbits_in_the_documented_order():
    sym = detect_symmetry(strassen())
    e = sym.expand()
    q = sym.orbit_sizes.index(3)
    start = sum(sym.orbit_sizes[:q])
    rep = (sym.u[q], sym.v[q], sym.w[q])
    s1 = sigma(*rep, 2)
    s2 = sigma(*s1, 2)
    for k, term in enumerate((rep, s1, s2)):
        assert all(np.array_equal(x, y) for x, y in zip(term, (e.u[start + k], e.v[start + k], e.w[start + k])))
    full = symmetric_standard(3, "full")
    for size in (1, 3, 6):
        q = full.orbit_sizes.index(size)
        assert orbit_size((full.u[q], full.v[q], full.w[q]), 3, "full") == size


# ---- reading and writing the symmetric form --------------------------------------------------
def _random_symmetric(draw_n, draw_group, seed):
    rng = np.random.default_rng(seed)
    n = draw_n
    k = int(rng.integers(1, 5))
    rows = [rng.integers(-2, 3, size=(k, n * n)) for _ in range(3)]
    for r in rows:
        r[:, 0] = np.where(np.all(r == 0, axis=1), 1, r[:, 0])  # no zero factor
    return SymmetricScheme.from_rows(n, draw_group, *rows)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 3), st.sampled_from(["cyclic", "full"]), st.integers(0, 10**6))
def test_symmetric_json_round_trip(tmp_path_factory, n, group, seed):
    sym = _random_symmetric(n, group, seed)  # not a valid scheme: the format does not care
    path = tmp_path_factory.mktemp("sym") / "s.json"
    save_symmetric(sym, path)
    assert load_symmetric(path) == sym
    assert load_scheme(path) == sym.expand()


def test_symmetric_json_layout_and_variants(tmp_path):
    sym = symmetric_pad(detect_symmetry(strassen()), 3)
    path = tmp_path / "s.json"
    save_symmetric(sym, path)
    d = json.loads(path.read_text())
    assert d["n"] == [3, 3, 3] and d["m"] == 26 and len(d["u"]) == 26
    assert d["symmetry"]["group"] == "cyclic" and d["symmetry"]["orbit_sizes"] == list(sym.orbit_sizes)
    assert len(d["symmetry"]["u"]) == sym.n_orbits
    # `discovery verify` and every plain reader see the expanded scheme
    ((_, s),) = load_schemes(path)
    assert verify(s).ok and s == sym.expand()
    # the block alone is enough
    compact = {k: d[k] for k in ("n", "symmetry")}
    (tmp_path / "c.json").write_text(json.dumps(compact))
    assert load_symmetric(tmp_path / "c.json") == sym and load_scheme(tmp_path / "c.json") == sym.expand()
    # a block that does not expand to the file's u, v, w is an error
    d["symmetry"]["u"][0] = [-x for x in d["symmetry"]["u"][0]]  # another tensor, same orbit size
    (tmp_path / "bad.json").write_text(json.dumps(d))
    with pytest.raises(SchemeFileError, match="does not expand to the file's u, v, w"):
        load_scheme(tmp_path / "bad.json")
    # a full-group file read as cyclic, any scheme file by detection
    full = symmetric_standard(3, "full")
    save_symmetric(full, tmp_path / "f.json")
    as_cyclic = load_symmetric(tmp_path / "f.json", "cyclic")
    assert as_cyclic.group == "cyclic" and fingerprint(as_cyclic.expand()) == fingerprint(full.expand())
    save_scheme(strassen(), tmp_path / "st.m")
    assert load_symmetric(tmp_path / "st.m") == detect_symmetry(load_scheme(tmp_path / "st.m"))
    with pytest.raises(SchemeFileError, match="not invariant under the full group"):
        load_symmetric(tmp_path / "st.m", "full")
    save_scheme(standard(2, 3, 2), tmp_path / "ns.json")
    with pytest.raises(SchemeFileError, match="square formats"):
        load_symmetric(tmp_path / "ns.json")
    with pytest.raises(SchemeFileError, match="as .json"):
        save_symmetric(sym, tmp_path / "s.exp")
