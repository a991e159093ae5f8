import json
import subprocess
import sys

import numpy as np
import pytest

from discovery import save_scheme
from discovery.cli import main
from discovery.core.scheme import Scheme
from discovery.core.verify import verify
from discovery.formats import from_graphml, load_scheme
from tests._circuit_fixtures import data_file, strassen, winograd


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def strassen_file(tmp_path):
    path = tmp_path / "strassen.json"
    save_scheme(strassen(), path)
    return path


@pytest.fixture
def bad_file(tmp_path):
    u, v, w = strassen().rows()
    w[2][3] = 0
    path = tmp_path / "bad.json"
    save_scheme(Scheme.from_rows(2, 2, 2, u, v, w), path)
    return path


def test_simplify_json_with_and_without_equivalents(strassen_file, tmp_path, capsys):
    code, out, _ = run(capsys, "simplify", strassen_file, "--json", "--no-equivalents")
    res = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and (res["naive_additions"], res["reduced_additions"], res["multiplications"]) == (18, 18, 7)
    dst = tmp_path / "s15.json"
    code, out, _ = run(capsys, "simplify", strassen_file, "--json", "--out", dst)
    res = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and res["reduced_additions"] == 15 and "equivalent" in res["method"]
    s15 = load_scheme(dst)
    assert verify(s15).ok and s15.rank == 7 and s15 != strassen()


def test_simplify_3x3_reduced_file(capsys):
    code, out, _ = run(capsys, "simplify", data_file("3x3x3_m23_cr58_cn119_ZT_reduced.json"), "--json")
    res = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and res["naive_additions"] == 119 and res["reduced_additions"] <= 62


@pytest.mark.parametrize("ext", [".png", ".svg", ".dot", ".graphml"])
def test_draw_formats(strassen_file, tmp_path, capsys, ext):
    dst = tmp_path / f"c{ext}"
    code, out, _ = run(capsys, "draw", strassen_file, "-o", dst, "--plain")
    assert code == 0 and dst.stat().st_size > 100
    if ext == ".graphml":
        assert from_graphml(dst.read_text()).number_of_nodes() > 20
    if ext == ".dot":
        assert dst.read_text().startswith("digraph")


def test_export_python_runs(tmp_path, capsys):
    src = tmp_path / "w.json"
    save_scheme(winograd(), src)
    dst = tmp_path / "w.py"
    code, out, _ = run(capsys, "export", src, "--to", "python", "-o", dst, "--name", "wino")
    assert code == 0 and "15 additions" in out
    ns: dict = {}
    exec(dst.read_text(), ns)
    A, B = np.arange(16).reshape(4, 4), np.arange(16).reshape(4, 4) % 5 - 2
    np.testing.assert_array_equal(ns["wino"](A, B), A @ B)
    code, out, _ = run(capsys, "export", src, "--to", "latex")
    assert code == 0 and out.startswith("\\begin{aligned}")
    code, out, _ = run(capsys, "export", src, "--to", "program")
    assert code == 0 and json.loads(out)["additions"] == 15


def test_bad_input_one_line_exit_2(strassen_file, bad_file, tmp_path, capsys):
    for argv in (("simplify", bad_file), ("draw", bad_file, "-o", tmp_path / "x.png"),
                 ("export", bad_file, "--to", "python")):
        code, out, err = run(capsys, *argv)  # a wrong scheme is a negative result: exit 1
        assert code == 1 and err.count("\n") == 1 and "equations fail" in err and "c" in err
    code, _, err = run(capsys, "draw", strassen_file, "-o", tmp_path / "x.pdf")
    assert code == 2 and err.count("\n") == 1 and "unknown extension '.pdf'" in err
    code, _, err = run(capsys, "export", strassen_file, "--to", "rust")
    assert code == 2 and err.count("\n") == 1 and "unknown export target" in err


def test_console_entry_point(strassen_file):
    proc = subprocess.run([sys.executable, "-m", "discovery", "simplify", str(strassen_file), "--json",
                           "--no-equivalents"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1])["naive_additions"] == 18


def test_export_reduced_reads_back(strassen_file, tmp_path, capsys):
    dst = tmp_path / "s15_reduced.json"
    code, _, _ = run(capsys, "export", strassen_file, "--to", "reduced", "--equivalents", "-o", dst)
    assert code == 0 and json.loads(dst.read_text())["complexity"] == {"naive": 18, "reduced": 15}
    code, out, _ = run(capsys, "simplify", dst, "--json", "--no-equivalents")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["reduced_additions"] == 15


def test_key_picks_one_scheme_of_a_library(tmp_path, capsys):
    from discovery import kron, laderman, save_schemes

    lib = tmp_path / "lib.npz"
    save_schemes([strassen(), winograd(), laderman(), kron(strassen(), strassen())], lib)
    code, out, _ = run(capsys, "simplify", lib, "--key", "2,2,2#2", "--json", "--no-equivalents")
    assert code == 0 and json.loads(out.strip().splitlines()[-1])["reduced_additions"] == 15  # winograd
    dst = tmp_path / "l.dot"
    code, out, _ = run(capsys, "draw", lib, "--key", "3,3,3", "-o", dst)
    assert code == 0 and "23 multiplications" in out and dst.read_text().startswith("digraph")
    code, out, _ = run(capsys, "export", lib, "--key", "2,2,2", "--to", "program")
    assert code == 0 and json.loads(out)["multiplications"] == 7
    # several schemes and no key: one line naming the keys, exit 2
    for argv in (("simplify", lib), ("draw", lib, "-o", tmp_path / "x.png"), ("export", lib, "--to", "python"),
                 ("export", lib, "--to", "python", "--key", "5,5,5")):
        code, _, err = run(capsys, *argv)
        assert code == 2 and err.count("\n") == 1 and "keys: 2,2,2 2,2,2#2 3,3,3 4,4,4" in err


def test_simplify_export_and_draw_use_the_same_names(strassen_file, tmp_path, capsys):
    """Every name simplify prints is a statement of export's code and a node of the drawing."""
    import re

    from discovery.circuits.circuit import build_circuit
    from discovery.circuits.symbolic import simplify_additions

    code, out, _ = run(capsys, "simplify", strassen_file, "--no-equivalents")
    printed = [ln.split(" = ")[0].strip() for ln in out.splitlines() if ln.startswith("  ") and " = " in ln]
    assert code == 0
    ss = simplify_additions(strassen())
    G = build_circuit(ss)
    nodes = [v for v, d in G.nodes(data=True) if d["kind"] not in ("input_a", "input_b")]
    assert sorted(printed) == sorted(nodes) and any(x.startswith("u") for x in printed)
    code, py, _ = run(capsys, "export", strassen_file, "--to", "python")
    assigned = re.findall(r"^    ([a-z]\w*) = (?!A\[|B\[|matmul|mm =)", py, flags=re.M)
    assert sorted(set(assigned) - {"mm"}) == sorted(nodes)
    assert run(capsys, "draw", strassen_file, "-o", tmp_path / "c.png", "--labels", "all")[0] == 0
    code, _, err = run(capsys, "draw", strassen_file, "-o", tmp_path / "c.dot", "--labels", "all")
    assert code == 2 and "--labels does nothing for a .dot file" in err
    assert run(capsys, "draw", strassen_file, "-o", tmp_path / "c.png", "--labels", "some")[0] == 2
