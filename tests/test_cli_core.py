import json
import subprocess
import sys

from discovery import kron, laderman, sandwich, save_scheme, save_schemes, strassen, winograd
from discovery.cli import main
from discovery.formats import load_scheme
from tests.test_verify import corrupt


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_good_wrong_and_unreadable(tmp_path, capsys):
    good = tmp_path / "good.json"
    save_scheme(sandwich(laderman(), [[1, 1, 0], [0, 1, 0], [0, 0, 1]]), good)
    many = tmp_path / "many.npz"
    save_schemes([strassen(), kron(strassen(), strassen())], many)
    code, out, err = run(capsys, "verify", str(good), str(many))
    assert code == 0 and len(out.strip().splitlines()) == 4 and "exact over" in out
    assert out.strip().splitlines()[-1] == ("summary: 3 scheme(s): 3 exact over the declared ring, "
                                            "0 valid only mod 2, 0 wrong, 0 unreadable file(s)")

    bad = tmp_path / "bad.exp"
    save_scheme(corrupt(winograd(), 1, 3, 2, 1), bad)
    code, out, err = run(capsys, "verify", str(good), str(bad))
    assert code == 1 and "NOT exact" in out and "expected" in out

    broken = tmp_path / "broken.json"
    broken.write_text('{"n": [2, 2], "u": [], "v": [], "w": []}')
    code, out, err = run(capsys, "verify", str(bad), str(broken))
    assert code == 2 and err.count("\n") == 1 and "broken.json" in err and "'n' must be" in err


def test_verify_json_and_ring_and_sympy(tmp_path, capsys):
    path = tmp_path / "s.json"
    save_scheme(strassen(), path)
    code, out, _ = run(capsys, "verify", str(path), "--json", "--sympy", "--ring", "Z2")
    doc = json.loads(out)  # one document: every scheme's report and the summary
    (rec,) = doc["schemes"]
    assert code == 0 and doc["summary"]["exact"] == 1 and rec["ok"] and rec["ring"] == "Z2" and "sympy agrees" in rec["note"]


def test_verify_mod2_scheme_reported(tmp_path, capsys):
    path = tmp_path / "m2.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 2), path)
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 0 and "valid over Z2 only" in out and "0 wrong" in out  # not wrong: another ring
    code, out, _ = run(capsys, "verify", str(path), "--ring", "Z2")
    assert code == 0
    code, out, _ = run(capsys, "verify", str(path), "--ring", "Z")
    assert code == 1 and "1 wrong" in out  # asked for Z: wrong there


def test_verify_ring_z3(tmp_path, capsys):
    path = tmp_path / "m3.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 3), path)  # valid modulo 3 only
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 0 and "valid over Z3 only" in out and "1 valid only mod 3" in out
    assert f"`discovery verify --ring Z3 {path}`" in out
    code, out, _ = run(capsys, "verify", str(path), "--ring", "Z3")
    assert code == 0 and "exact over Z3" in out
    declared = tmp_path / "declared.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 3).with_ring("Z3"), declared)
    assert json.loads(declared.read_text())["z3"] is True
    code, out, _ = run(capsys, "verify", str(declared))
    assert code == 0 and "1 exact over the declared ring" in out


def test_convert_show_known(tmp_path, capsys):
    src = tmp_path / "l.json"
    code, out, _ = run(capsys, "known", "laderman", "-o", str(src))
    assert code == 0 and src.exists()
    for ext in ("npz", "exp", "json"):
        code, out, _ = run(capsys, "convert", str(src), str(tmp_path / f"x.{ext}"))
        assert code == 0
        assert load_scheme(tmp_path / f"x.{ext}").with_ring("ZT") == laderman()
    code, out, _ = run(capsys, "show", str(tmp_path / "x.npz"))
    assert code == 0 and "m23 = " in out and "multiplications: 23" in out
    code, out, _ = run(capsys, "known")
    assert "strassen" in out and "laderman" in out


def test_convert_refuses_invalid_and_bad_extension(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    save_scheme(corrupt(strassen(), 2, 0, 0, 1), bad)
    code, _, err = run(capsys, "convert", str(bad), str(tmp_path / "o.npz"))
    assert code == 1 and "not converted" in err
    code, _, err = run(capsys, "convert", str(bad), str(tmp_path / "o.xyz"), "--allow-invalid")
    assert code == 2 and "unknown extension" in err


def test_console_script_errors_are_one_line(tmp_path):
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    proc = subprocess.run([sys.executable, "-m", "discovery", "verify", str(empty)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.strip().count("\n") == 0
    assert "empty" in proc.stderr


def test_verify_skips_solver_run_records(tmp_path, capsys):
    from discovery import discover

    discover(2, 2, 2, 7, restarts=8, seed=0, out=str(tmp_path))
    paths = sorted(str(p) for p in tmp_path.glob("*.json"))
    assert any("run-" in p for p in paths)
    code, out, err = run(capsys, "verify", *paths)
    assert code == 0 and "run record" in out and "skipped" in out and not err


def test_verify_ends_with_one_summary_line(tmp_path, capsys):
    paths = []
    for name, s in (("good.json", strassen()), ("mod2.json", corrupt(strassen(), 0, 0, 0, 2)),
                    ("wrong.json", corrupt(winograd(), 1, 3, 2, 1))):
        save_scheme(s, tmp_path / name)
        paths.append(str(tmp_path / name))
    (tmp_path / "broken.json").write_text("{")
    paths.append(str(tmp_path / "broken.json"))
    code, out, err = run(capsys, "verify", *paths, "--ring", "Z")
    lines = out.strip().splitlines()
    assert code == 2 and "broken.json" in err
    assert lines[-2] == ("summary: 3 scheme(s): 1 exact over Z, 0 valid only mod 2, 2 wrong, "
                         "1 unreadable file(s)")  # asked for Z: the mod-2 scheme is wrong there
    # the mod-2 scheme is pointed at the check that suits it
    assert lines[-1].startswith("note: 1 file declares ring Z2 or holds schemes valid only modulo 2")
    assert lines[-1].endswith(f"`discovery verify --ring Z2 {paths[1]}`")
    # with --json stdout is one JSON document; the human lines and the summary go to stderr
    code, out, err = run(capsys, "verify", *paths[:3], "--json")
    doc = json.loads(out)
    assert code == 1 and [r["ok"] for r in doc["schemes"]] == [True, False, False]
    assert [r["verdict"] for r in doc["schemes"]] == ["exact", "mod2", "wrong"] and doc["exit"] == 1
    assert "summary: 3 scheme(s): 1 exact over the declared ring, 1 valid only mod 2, 1 wrong" in err
    # a file declaring Z2, checked over Z2: no hint needed
    z2 = tmp_path / "z2.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 2).with_ring("Z2"), z2)
    code, out, _ = run(capsys, "verify", str(z2))
    assert code == 0 and "1 exact over the declared ring" in out and "--ring Z2" in out
    code, out, _ = run(capsys, "verify", str(z2), "--ring", "Z2")
    assert code == 0 and "1 exact over Z2" in out and "note:" not in out


def _library(tmp_path):
    path = tmp_path / "lib.npz"
    save_schemes([strassen(), laderman(), kron(strassen(), strassen())] +
                 [sandwich(strassen(), [[1, k], [0, 1]]) for k in range(1, 8)], path)
    return path


def test_show_key_and_compact_key_listing(tmp_path, capsys):
    lib = _library(tmp_path)
    code, out, _ = run(capsys, "show", str(lib), "--key", "3,3,3")
    assert code == 0 and "multiplications: 23" in out and "m24" not in out and "<2,2,2>" not in out
    code, out, err = run(capsys, "show", str(lib), "--key", "9,9,9")
    assert code == 2 and err.count("\n") == 1
    assert "keys: 2,2,2 3,3,3 4,4,4 2,2,2#2 2,2,2#3 2,2,2#4 ... (10 keys)" in err


def test_show_reports_the_reduced_files_count(shared_data, capsys):
    path = shared_data / "fmm-collection" / "3x3x3_m23_cr58_cn119_ZT_reduced.json"
    code, out, _ = run(capsys, "show", str(path))
    assert code == 0 and "additions: 119" in out
    assert "# the file's reduced program: 58 additions" in out
    code, out, _ = run(capsys, "show", str(shared_data / "fmm-collection" / "3x3x3_m23_Z.json"))
    assert code == 0 and "reduced program" not in out


def test_show_of_a_multi_scheme_file_without_key_lists_the_keys(tmp_path, shared_data, capsys):
    code, out, err = run(capsys, "show", str(shared_data / "alphatensor" / "factorizations_r.npz"))
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) == 94, err  # a heading and one line per scheme, not 38,958
    assert "holds 93 schemes; show one with --key" in lines[0] and "c1" not in out
    assert any(x.split()[:4] == ["3,4,5", "<3,4,5>", "rank", "47,"] for x in lines[1:])
    lib = _library(tmp_path)
    code, out, _ = run(capsys, "show", str(lib))
    assert code == 0 and "2,2,2#2" in out and "multiplications" not in out


def test_one_key_syntax_everywhere(tmp_path, capsys):
    lib = _library(tmp_path)
    shown = set()
    for key in ("3,3,3", "3x3x3", "<3,3,3>", " 3 x 3 x 3 "):
        code, out, err = run(capsys, "show", str(lib), "--key", key)
        assert code == 0 and "multiplications: 23" in out, err
        shown.add(out)
    assert len(shown) == 1
    for name, key in (("comma", "2,2,2#3"), ("x", "2x2x2#3")):
        code, out, err = run(capsys, "convert", str(lib), str(tmp_path / f"{name}.json"), "--key", key)
        assert code == 0, err
    assert load_scheme(tmp_path / "comma.json") == load_scheme(tmp_path / "x.json")
    code, _, err = run(capsys, "convert", str(lib), str(tmp_path / "y.json"), "--key", "2x2x2#9")
    assert code == 2 and "no scheme with key '2x2x2#9'" in err
    # a folder: a file name, or a format
    folder = tmp_path / "folder"
    folder.mkdir()
    save_scheme(strassen(), folder / "s.json")
    save_scheme(laderman(), folder / "l.json")
    for key in ("3,3,3", "3x3x3", "l.json"):
        code, out, err = run(capsys, "simplify", str(folder), "--key", key, "--no-equivalents")
        assert code == 0 and "<3,3,3> rank 23" in out, err


def test_a_reduced_file_whose_program_is_wrong_is_wrong_even_if_valid_mod_2(tmp_path, shared_data, capsys):
    # issue 18: the file declares ZT ("z2": false) and its program claims that scheme; a flipped sign
    # that leaves it valid only modulo 2 is a wrong program (exit 1), not a scheme over another ring
    src = shared_data / "fmm-collection" / "3x3x3_m23_cr58_cn119_ZT_reduced.json"
    d = json.loads(src.read_text())
    d["u_fresh"][0][-1]["value"] *= -1
    bad = tmp_path / "3x3x3_m23_cr58_cn119_ZT_reduced.json"
    bad.write_text(json.dumps(d))
    code, out, _ = run(capsys, "verify", str(bad))
    assert code == 1 and "1 wrong" in out and "valid over Z2 only" in out and "--ring Z2" not in out
    code, out, _ = run(capsys, "verify", str(src))
    assert code == 0 and "1 exact" in out
