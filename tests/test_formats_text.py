"""The text formats of the public collections: ``.m`` (Kauers & Moosbauer), ``.txt`` (the C++
ternary flip-graph tool), the tolerant ``.exp`` reader; every shared file, converted to every format."""

import json
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discovery import (
    Scheme,
    fingerprint,
    laderman,
    load_scheme,
    load_schemes,
    sandwich,
    save_scheme,
    standard,
    strassen,
    verify,
    winograd,
)
from discovery.cli import main
from discovery.errors import SchemeFileError
from discovery.formats import EXTENSIONS

TEXT = ("exp", "m", "txt", "json")


def _shared_files(root):
    return sorted(f for f in root.rglob("*") if f.suffix.lstrip(".") in TEXT)


# ---- every public file reads, verifies, converts and reads back equal -----------------------
def test_every_shared_file_reads_verifies_and_converts(shared_data, tmp_path, capsys):
    files = _shared_files(shared_data)
    assert {f.suffix for f in files} == {".exp", ".m", ".txt", ".json"} and len(files) >= 13
    for f in files:
        ((_, s),) = load_schemes(f)
        assert verify(s).ok, f
        for ext in EXTENSIONS:  # `discovery convert` writes every format that has a writer
            out = tmp_path / f"{f.stem}{ext}"
            code = main(["convert", str(f), str(out)])
            assert code == 0, (f, ext, capsys.readouterr().err)
            back = load_scheme(out)
            assert back == s, (f, ext)
            assert verify(back).ok
    capsys.readouterr()


def test_m_orientation_is_the_exp_twins(shared_data):
    d = shared_data / "formats"
    m, e = load_scheme(d / "345-47-mod0.m"), load_scheme(d / "345-47-mod0.exp")
    # term for term the same rows: U as A (3x4), V as B (4x5), W as C transposed (5x3)
    assert m == e and m.format == (3, 4, 5) and m.rank == 47 and m.ring == "Z"
    assert verify(m, "Z").ok
    # on a square file the shapes do not decide: transposing any one factor breaks exactness
    sq = load_scheme(d / "444-49-mod0.m")
    assert verify(sq).ok and sq.format == (4, 4, 4)
    rows = [a.reshape(-1, 4, 4) for a in (sq.u, sq.v, sq.w)]
    for k in range(3):
        alt = [r.transpose(0, 2, 1) if q == k else r for q, r in enumerate(rows)]
        assert not verify(Scheme.from_rows(4, 4, 4, *(a.reshape(-1, 16) for a in alt))).ok


def test_txt_layout_is_the_json_twins(shared_data):
    d = shared_data / "formats"
    t, j = load_scheme(d / "2x6x11_m104_ZT.txt"), load_scheme(d / "2x6x11_m104_ZT.json")
    assert t == j and t.ring == "ZT" and verify(t).ok
    lines = (d / "2x6x11_m104_ZT.txt").read_text().splitlines()
    assert lines[0].split() == ["2", "6", "11", "104"]
    raw = json.loads((d / "2x6x11_m104_ZT.json").read_text())
    for line, key in zip(lines[1:], "uvw"):  # line 2 is u flattened product by product, ...
        assert [int(x) for x in line.split()] == [x for row in raw[key] for x in row]


def test_txt_rational_scheme_is_written_as_pairs(tmp_path):
    s = sandwich(strassen(), [[2, 0], [0, 1]])
    assert not s.is_integral
    save_scheme(s, tmp_path / "r.txt")
    lines = (tmp_path / "r.txt").read_text().splitlines()
    assert len(lines[1].split()) == 2 * 7 * 4  # numerator, denominator per coefficient
    assert load_scheme(tmp_path / "r.txt") == s


def test_symmetric_flips_files_read_and_verify(shared_data):
    d = shared_data / "symmetric-flips"
    a, b = load_scheme(d / "555m93_lifted.exp"), load_scheme(d / "666m153_lifted.exp")
    assert (a.format, a.rank, b.format, b.rank) == ((5, 5, 5), 93, (6, 6, 6), 153)
    assert verify(a, "Z").ok and verify(b, "Z").ok
    assert 2 in {abs(int(x)) for x in b.v.ravel()}  # coefficients such as 2*b14 are read


def _exact_scheme(arg):
    base, seed = arg
    rng = np.random.default_rng(seed)
    n, m, p = base.format
    X, Y, Z = (np.eye(k, dtype=int) for k in (n, m, p))
    if n > 1:
        X[0, 1] = rng.integers(-2, 3)
    if m > 1:
        Y[1, 0] = rng.integers(-1, 2)
    if seed % 3 == 0:
        Z = Z * 2  # rational coefficients 1/2
    return sandwich(base, X, Y, Z)


@settings(max_examples=20, deadline=None)
@given(st.tuples(st.sampled_from([strassen(), winograd(), laderman(), standard(2, 3, 4), standard(1, 2, 3)]),
                 st.integers(0, 10**6)).map(_exact_scheme))
def test_text_formats_round_trip(tmp_path_factory, s):
    d = tmp_path_factory.mktemp("rt")
    assert verify(s).ok
    for ext in (".m", ".txt", ".exp"):
        save_scheme(s, d / f"s{ext}")
        back = load_scheme(d / f"s{ext}")
        assert back == s and back.provenance.source == f"file:s{ext}"


# ---- the tolerant .exp reader --------------------------------------------------------------
def _styled_exp(s: Scheme, rng: random.Random) -> str:
    """``s`` as .exp text, each line in a randomly chosen style of the public files."""
    n, m, p = s.format
    names = [[f"{x}{i + 1}{j + 1}" for i in range(r) for j in range(c)] for x, r, c in
             (("a", n, m), ("b", m, p), ("c", p, n))]
    lines = []
    for t in range(s.rank):
        factors = []
        for row, nm in zip((s.u[t], s.v[t], s.w[t]), names):
            terms = []
            for c, name in zip(row, nm):
                if c == 0:
                    continue
                mag = abs(c)
                coef = "" if mag == 1 else rng.choice([f"{mag}*", f"{mag}", f"{mag} "])
                terms.append(("-" if c < 0 else "+") + coef + name)
            body = rng.choice([" ", ""]).join(terms).lstrip("+")
            bare = len(terms) == 1 and rng.random() < 0.7
            factors.append(body if bare else f"({body})")
        order = [0, 1, 2]
        if rng.random() < 0.2:
            rng.shuffle(order)  # the letters name the factors
        sep = rng.choice(["*", " ", " * ", ""])
        if sep == "" and any(not f.startswith("(") for f in factors):
            sep = " "
        line = sep.join(factors[q] for q in order)
        lines.append(line + ("\r" if rng.random() < 0.3 else ""))
    return "\n".join(lines) + "\n"


@settings(max_examples=30, deadline=None)
@given(st.sampled_from([strassen(), winograd(), laderman(), standard(2, 3, 2),
                        sandwich(laderman(), [[1, 2, 0], [0, 1, 0], [0, 0, 1]])]),
       st.integers(0, 10**6))
def test_exp_reader_reads_every_style(tmp_path_factory, s, seed):
    path = tmp_path_factory.mktemp("exp") / "s.exp"
    path.write_text(_styled_exp(s, random.Random(seed)))
    back = load_scheme(path)
    assert back.with_ring(s.ring) == s


@pytest.mark.parametrize("line", [
    "(a11 + a22) (b11 + b22) (c11 + c22)",
    "(a11+a22)(b11+b22)(c11+c22)",
    "(a11 + a22)*(b11 + b22)*(c11 + c22)",
    "((a11 + a22) (b11 + b22) (c11 + c22))",
    "(c11 + c22) * (a11 + a22) * (b11 + b22)",
    "-(a11 + a22) * (b11 + b22) * (-c11 - c22)",
    "2*(a11 + a22) * (b11 + b22) * (1/2*c11 + 1/2*c22)",
    "(2 a11 + 2 a22) (b11 + b22) (1/2 c11 + 1/2 c22)",
])
def test_exp_variants_of_one_product(tmp_path, line):
    s = strassen()
    path = tmp_path / "s.exp"
    path.write_text("\n".join([line] + _styled_exp(s, random.Random(0)).splitlines()[1:]) + "\n")
    back = load_scheme(path)
    assert fingerprint(back) == fingerprint(s) and verify(back).ok


def test_exp_stray_closing_bracket_as_published(tmp_path):
    # lines 41-42 of the published <5,5,5> file end with an unmatched ')' after a bare factor
    from discovery.formats._exp import write_exp

    lines = write_exp(strassen()).splitlines()
    assert lines[1] == "(a21+a22)*(b11)*(c12-c22)"
    lines[1] = "(a21 + a22) b11 (c12 - c22))"
    (tmp_path / "s.exp").write_text("\n".join(lines))
    assert load_scheme(tmp_path / "s.exp") == strassen()
    lines[1] = "(a21 + a22) (b11 (c12 - c22)"  # an unclosed bracket stays an error
    (tmp_path / "s.exp").write_text("\n".join(lines))
    with pytest.raises(SchemeFileError, match="line 2: a '\\(' is never closed"):
        load_scheme(tmp_path / "s.exp")


# ---- the ring of a file that carries none ----------------------------------------------------
def test_ring_from_name_or_verification(shared_data, tmp_path):
    (_, f2), = [x for x in load_schemes(shared_data / "alphatensor" / "factorizations_f2.npz")
                if x[0].endswith("[4,4,4]")]
    assert f2.rank == 47 and not verify(f2, "Z").ok
    for ext in (".exp", ".m", ".txt"):
        save_scheme(f2, tmp_path / f"s{ext}")
        assert load_scheme(tmp_path / f"s{ext}") == f2.with_ring("Z2")  # found by verification
        save_scheme(f2, tmp_path / f"s-mod0{ext}")
        claimed = load_scheme(tmp_path / f"s-mod0{ext}")  # the name claims characteristic 0 ...
        assert claimed.ring != "Z2" and not verify(claimed).ok  # ... and verification says no
    save_scheme(strassen(), tmp_path / "t-mod2.m")
    assert load_scheme(tmp_path / "t-mod2.m").ring == "Z2"
    save_scheme(strassen(), tmp_path / "t-mod3.m")
    assert load_scheme(tmp_path / "t-mod3.m").ring == "Z3"
    save_scheme(strassen(), tmp_path / "t-mod5.m")
    with pytest.raises(SchemeFileError, match="modulo 5"):
        load_scheme(tmp_path / "t-mod5.m")
    m3 = Scheme.from_rows(2, 2, 2, strassen().u + np.array([[3, 0, 0, 0]] + [[0] * 4] * 6), strassen().v,
                            strassen().w)  # valid modulo 3 only
    save_scheme(m3, tmp_path / "m3.exp")
    assert load_scheme(tmp_path / "m3.exp").ring == "Z3"  # found by verification


# ---- bad and truncated files ------------------------------------------------------------------
@pytest.mark.parametrize("name, content, msg", [
    ("t.m", "{{{{1}}, {{1}}, {{1}}},\n {{{1}}, {{1}", "line 2: the file ends inside a list"),
    ("s.m", "{{{{1, 0}}, {{1}}, {{1}}}}", "line 1: product 1: U is 1x2, V 1x1, W 1x1; expected U n×m"),
    ("c.m", "{{{{1}}, {{1}}, {{x}}}}", "line 1: cannot read 'x"),
    ("d.m", "{{{{1}}, {{1}}, {{1}}}}\n}", "line 2: text after the closing"),
    ("e.m", "{{{{1}}, {{1}}}}", "line 1: product 1 has 2 parts; expected three matrices"),
    ("f.m", "{{{{1}}, {{1}}, {{1}}},\n {{{1, 1}}, {{1}}, {{1}}}}", "line 2: product 2: factors are 1x2"),
    ("g.m", "{{{{1,}}, {{1}}, {{1}}}}", "line 1: expected a value after ','"),
    ("t.txt", "2 2 2 7\n1 0 0 1\n", "line 2: the file ends after 4 coefficients; <2,2,2> rank 7 needs 84"),
    ("h.txt", "2 2 2 7\n1 0 x 1\n", "line 2: 'x' is not an integer"),
    ("k.txt", "2 2\n2 7\n", "line 1: expected the header 'n m p rank'"),
    ("a.exp", "(a11)*(b11)*(c11)\n(a11)*(b11)\n", "line 2: expected three factors over a, b and c"),
    ("b.exp", "(a11 + b11)*(b11)*(c11)\n", "line 1: factor 1 mixes a, b"),
    ("c.exp", "(a11)*(b11)*(c11\n", "line 1: a '\\(' is never closed"),
    ("d.exp", "(a11)*(b11)*(c11)*(a12)\n", "line 1: expected three factors"),
    ("e.exp", "(a11)*(b11)*(x11)\n", "line 1: cannot read"),
    ("f.exp", "(a1)*(b11)*(c11)\n", "line 1: ambiguous entry a1"),
    ("g.exp", "(m1)*(b11)*(c11)\n", "line 1: expected three factors over a, b and c.*found factors over: m b c"),
])
def test_bad_text_files_name_file_line_and_what_was_expected(tmp_path, capsys, name, content, msg):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(SchemeFileError, match=msg) as err:
        load_schemes(path)
    assert str(err.value).startswith(f"{path}: ") and "\n" not in str(err.value)
    code = main(["verify", str(path)])
    _, errout = capsys.readouterr()
    assert code == 2 and errout.count("\n") == 1 and str(path) in errout and "Traceback" not in errout


def test_m_reader_accepts_maple_brackets_comments_and_fractions(tmp_path):
    s = sandwich(strassen(), [[2, 0], [0, 1]])
    save_scheme(s, tmp_path / "s.m")
    text = (tmp_path / "s.m").read_text()
    assert "1/2" in text and load_scheme(tmp_path / "s.m") == s
    maple = "(* a comment *)\n" + text.replace("{", "[").replace("}", "]").rstrip() + ";\n"
    (tmp_path / "maple.m").write_text(maple)
    assert load_scheme(tmp_path / "maple.m") == s


def test_m_writer_lays_out_like_the_collection(shared_data, tmp_path):
    src = shared_data / "formats" / "345-47-mod0.m"
    save_scheme(load_scheme(src), tmp_path / "copy.m")
    assert (tmp_path / "copy.m").read_text().split() == src.read_text().split()


def test_txt_writer_reads_back_in_the_tools_layout(shared_data, tmp_path):
    src = shared_data / "formats" / "2x6x11_m104_ZT.txt"
    save_scheme(load_scheme(src), tmp_path / "copy.txt")
    assert (tmp_path / "copy.txt").read_text().split() == src.read_text().split()
    assert np.array_equal(load_scheme(tmp_path / "copy.txt").u, load_scheme(src).u)
