import io
import json
import pickle
import zipfile
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import (Scheme, fingerprint, kron, laderman, load_scheme, load_schemes, sandwich,
                       save_scheme, save_schemes, scale_term, standard, strassen, valid_rings, verify,
                       winograd)
from discovery.errors import SchemeFileError, UnsafeFileError
from discovery.core.formulas import from_formulas, to_formulas
from discovery.formats._json import dumps


# ---- the public reference data -------------------------------------------------------------
def test_alphatensor_r_all_93_exact(shared_data):
    items = load_schemes(shared_data / "alphatensor" / "factorizations_r.npz")
    assert len(items) == 93
    for label, s in items:
        assert verify(s, "Q").ok, label


def test_alphatensor_f2_all_20_mod2(shared_data):
    items = load_schemes(shared_data / "alphatensor" / "factorizations_f2.npz")
    assert len(items) == 20
    ranks = {label.split("[")[1][:-1]: s.rank for label, s in items}
    assert ranks["4,4,4"] == 47 and ranks["5,5,5"] == 96
    not_over_z = [label for label, s in items if not verify(s, "Z").ok]
    for label, s in items:
        assert verify(s, "Z2").ok, label
    # the 4x4 rank-47 scheme is the famous one that only works in characteristic 2
    assert any("4,4,4" in label for label in not_over_z)
    for label in not_over_z:
        assert valid_rings(dict(items)[label]) == ("Z2",)


def test_fmm_collection_all_exact(shared_data):
    files = sorted((shared_data / "fmm-collection").glob("*.json"))
    assert len(files) >= 5
    for f in files:
        s = load_scheme(f)
        assert verify(s).ok, f
        d = json.loads(f.read_text())
        assert s.rank == d["m"] and list(s.format) == d["n"]
        if "multiplications" in d:  # the formulas in the file describe the same scheme
            assert from_formulas(d["multiplications"], d["elements"], *s.format) == s.with_ring(s.ring)


def test_reduced_file_expands_to_the_plain_one(shared_data):
    plain = load_scheme(shared_data / "fmm-collection" / "2x2x2_m7_cr15_cn24_ZT_reduced.json")
    assert verify(plain).ok and plain.counts().additions == 24


# ---- round trips -----------------------------------------------------------------------------
def _schemes():
    base = [strassen(), winograd(), laderman(), standard(2, 3, 4)]
    return st.sampled_from(base).flatmap(
        lambda s: st.tuples(st.just(s), st.integers(0, 10**6))).map(_randomise)


def _randomise(arg):
    s, seed = arg
    rng = np.random.default_rng(seed)
    n, m, p = s.format
    X = np.eye(n, dtype=int)
    if n > 1:
        X[0, 1] = rng.integers(-2, 3)
    Z = np.eye(p, dtype=int) * (2 if seed % 3 == 0 else 1)  # sometimes rational coefficients
    return sandwich(s, X, None, Z)


@settings(max_examples=20, deadline=None)
@given(_schemes())
def test_round_trip_json_npz_exp_json(tmp_path_factory, s):
    d = tmp_path_factory.mktemp("rt")
    save_scheme(s, d / "a.json")
    a = load_scheme(d / "a.json")
    save_scheme(a, d / "b.npz")
    b = load_scheme(d / "b.npz")
    save_scheme(b, d / "c.exp")
    c = load_scheme(d / "c.exp").with_ring(s.ring)
    save_scheme(c, d / "d.json")
    e = load_scheme(d / "d.json")
    assert a == b == c == e == s
    assert verify(e).ok


def test_formulas_round_trip():
    for s in (strassen(), laderman(), sandwich(strassen(), None, None, [[2, 0], [0, 1]]),
              scale_term(strassen(), 0, -1, -1)):
        mults, elems = to_formulas(s, normalize_signs=False)
        assert from_formulas(mults, elems, *s.format) == s
        # the readable lines describe the same algorithm (rows differ at most by (-1, -1))
        mults, elems = to_formulas(s)
        back = from_formulas(mults, elems, *s.format)
        assert fingerprint(back) == fingerprint(s) and verify(back).ok


def test_formulas_have_no_double_negatives():
    s = Scheme.from_rows(1, 1, 1, [[-1], [-1]], [[-1], [1]], [[1], [0]])
    assert to_formulas(s)[0][0] == "m1 = (a11) * (b11)"
    assert to_formulas(s, normalize_signs=False)[0][0] == "m1 = (-a11) * (-b11)"
    # a flip of both factors of every product of Strassen: no line may read (-x) * (-y)
    flipped = strassen()
    for t in range(flipped.rank):
        flipped = scale_term(flipped, t, -1, -1)
    mults, elems = to_formulas(flipped)
    assert mults == to_formulas(strassen())[0] and elems == to_formulas(strassen())[1]
    assert not any("= (-" in line and "* (-" in line for line in mults)
    # fewer minus signs wins even when only one factor leads with a minus
    s = Scheme.from_rows(1, 2, 1, [[-1, -1]], [[1, -1]], [[1]])
    assert to_formulas(s)[0][0] == "m1 = (a11 + a12) * (-b11 + b21)"


def test_json_z3_flag(tmp_path):
    from tests.test_verify import corrupt

    s = corrupt(strassen(), 0, 0, 0, 3).with_ring("Z3")
    path = tmp_path / "m3.json"
    save_scheme(s, path)
    d = json.loads(path.read_text())
    assert d["z3"] is True and d["z2"] is False
    assert load_scheme(path) == s and load_scheme(path).ring == "Z3"
    del d["discovery"]  # the collection's layout: the flag alone names the ring
    path.write_text(json.dumps(d))
    assert load_scheme(path).ring == "Z3"
    d["z2"] = True
    path.write_text(json.dumps(d))
    with pytest.raises(SchemeFileError, match="both true"):
        load_scheme(path)
    assert "z3" not in json.loads(dumps(strassen()))  # other rings: files as before


def test_npz_holds_many_schemes(tmp_path):
    schemes = [strassen(), winograd(), laderman(), kron(strassen(), strassen()), standard(2, 3, 4)]
    save_schemes(schemes, tmp_path / "many.npz")
    back = [s for _, s in load_schemes(tmp_path / "many.npz")]
    assert back == schemes
    # our npz opens with plain numpy like AlphaTensor's (cubic keys without pickle)
    with np.load(tmp_path / "many.npz") as z:
        assert z["2,2,2"].shape == (3, 4, 7) and "2,2,2#2" in z.files


def test_exp_convention_c_is_transposed(tmp_path):
    (tmp_path / "s.exp").write_text("(a11)*(b12)*(c21)\n")
    s = load_scheme(tmp_path / "s.exp")
    # a11*b12 contributes to C[0,1], which is vec(C^T) index 1*n + 0
    assert s.format == (1, 1, 2) and s.w.tolist() == [[0, 1]]
    A, B = np.array([[3]]), np.array([[5, 7]])
    assert s.apply(A, B).tolist() == [[0, 21]]  # the product lands in C[0, 1], not C[1, 0]


# ---- safety and bad input -----------------------------------------------------------------------
class _Evil:
    def __reduce__(self):
        return (Path("/tmp/discovery_pwned").write_text, ("pwned",))


def test_malicious_pickle_is_refused_and_nothing_runs(tmp_path):
    marker = Path("/tmp/discovery_pwned")
    marker.unlink(missing_ok=True)
    obj = np.empty(3, dtype=object)
    obj[:] = [_Evil(), np.zeros((4, 7)), np.zeros((4, 7))]
    buf = io.BytesIO()
    np.save(buf, obj, allow_pickle=True)
    with zipfile.ZipFile(tmp_path / "evil.npz", "w") as z:
        z.writestr("2,2,3.npy", buf.getvalue())
    with pytest.raises(UnsafeFileError, match="refused"):
        load_schemes(tmp_path / "evil.npz")
    assert not marker.exists()


@pytest.mark.parametrize(
    "name, content, msg",
    [
        ("e.json", "", "empty"),
        ("b.json", "{not json", "not valid JSON"),
        ("r.json", '{"n":[2,2,2],"m":7,"u":[[1,0,0]],"v":[],"w":[]}', "rank says 7"),
        ("f.json", '{"n":[2,2,3],"m":1,"u":[[1,0,0,0]],"v":[[1,0,0,0]],"w":[[1,0,0,0]]}', "expected 6"),
        ("x.json", '{"n":[1,1,1],"m":1,"u":[["a"]],"v":[[1]],"w":[[1]]}', "not a number"),
        ("z.json", '{"n":[1,1,1],"m":1,"u":[[0.1]],"v":[[1]],"w":[[1]]}', "exact rational"),
        ("i.json", '{"n":[1,1,1],"m":1,"u":[[Infinity]],"v":[[1]],"w":[[1]]}', "not finite"),
        ("a.csv", "x", "unknown extension"),
        ("g.npz", "garbage", "not an npz"),
        ("h.exp", "(a11)*(b11", "expected"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, name, content, msg):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SchemeFileError, match=msg) as err:
        load_schemes(path)
    assert str(path) in str(err.value)


def test_rational_that_floats_cannot_hold_is_refused_for_npz(tmp_path):
    s = sandwich(strassen(), [[3, 0], [0, 1]])  # coefficients 1/3
    assert any(isinstance(x, Fraction) and x.denominator == 3 for x in s.w.ravel())
    with pytest.raises(SchemeFileError, match="use .json"):
        save_scheme(s, tmp_path / "s.npz")
    save_scheme(s, tmp_path / "s.json")
    assert load_scheme(tmp_path / "s.json") == s


def test_writes_are_atomic(tmp_path, monkeypatch):
    path = tmp_path / "s.json"
    save_scheme(strassen(), path)
    import discovery._io as io_mod

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(io_mod.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        save_scheme(laderman(), path)
    assert load_scheme(path) == strassen()
    assert [p.name for p in tmp_path.iterdir()] == ["s.json"]


@pytest.mark.parametrize("header, msg", [
    ([1, 2], "expected a JSON object"),
    ({"n": [2, 2, 2], "u": []}, "missing key"),
    ({"n": [2, 2], "u": [], "v": [], "w": []}, "'n' must be the format"),
    ({"n": [2, 0, 2], "u": [], "v": [], "w": []}, "positive integer"),
])
def test_plain_and_reduced_layouts_check_the_header_alike(header, msg):
    from discovery.errors import SchemeFormatError
    from discovery.formats._json import scheme_from_dict
    from discovery.formats._reduced import reduced_programs

    for read in (scheme_from_dict, reduced_programs):
        with pytest.raises(SchemeFormatError, match=msg):
            read(header)
