import json
import subprocess
import sys

import pytest

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
    assert code == 0 and len(out.strip().splitlines()) == 3 and "exact over" in out

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
    rec = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and rec["ok"] and rec["ring"] == "Z2" and "sympy agrees" in rec["note"]


def test_verify_mod2_scheme_reported(tmp_path, capsys):
    path = tmp_path / "m2.json"
    save_scheme(corrupt(strassen(), 0, 0, 0, 2), path)
    code, out, _ = run(capsys, "verify", str(path))
    assert code == 1 and "valid over Z2 only" in out
    code, out, _ = run(capsys, "verify", str(path), "--ring", "Z2")
    assert code == 0


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
