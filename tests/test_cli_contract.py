"""The CLI contract (discovery/cli/__init__.py), kept by every command: exit codes 0/1/2/130 with one
line on stderr, --json as exactly one JSON document on stdout, folders as inputs, refused options,
the worst verdict of several inputs, and imports of the public API only."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

import discovery as d
from discovery.cli import build_parser, main

CLI = Path(__file__).resolve().parents[1] / "discovery" / "cli"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _wrong() -> d.Scheme:
    """Strassen with one coefficient of w zeroed: not exact over any ring (not modulo 2 or 3 either)."""
    s = d.strassen()
    w = np.array(s.w)
    w[2, np.flatnonzero(w[2])[0]] = 0
    return d.Scheme(2, 2, 2, s.u, s.v, w, ring="ZT")


def _mod2() -> d.Scheme:
    s = d.strassen()
    u = np.array(s.u)
    u[0, 0] += 2
    return d.Scheme(2, 2, 2, u, s.v, s.w, ring="Z")


@pytest.fixture
def files(tmp_path):
    good, wrong = tmp_path / "good.json", tmp_path / "wrong.json"
    d.save_scheme(d.strassen(), good)
    d.save_scheme(_wrong(), wrong)
    return good, wrong


def test_every_command_is_covered_below():
    commands = set(build_parser()._subparsers._group_actions[0].choices)
    assert commands == {"verify", "convert", "show", "known", "discover", "demo", "simplify", "draw", "export",
                        "additions", "flip", "lift", "sweep", "sweep-report", "meta", "warmup",
                        "catalogue"}
    covered = {argv[0] for argv, _ in BAD_VALUES if argv} | {argv[0] for argv in WRONG_SCHEME}
    assert commands <= covered


# ---- a wrong scheme is a negative result: exit 1, one line ---------------------------------------
WRONG_SCHEME = [
    ["verify", "{wrong}"], ["convert", "{wrong}", "{tmp}/x.npz"], ["show", "{wrong}"],
    ["simplify", "{wrong}"], ["draw", "{wrong}", "-o", "{tmp}/c.svg"], ["export", "{wrong}", "--to", "python"],
    ["flip", "2", "2", "2", "--from", "{wrong}", "--time-limit", "1"],
    ["additions", "2", "2", "2", "--rank", "7", "--from", "{wrong}", "--no-known"],
]


@pytest.mark.parametrize("argv", WRONG_SCHEME, ids=lambda a: a[0])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_wrong_scheme_exits_1(argv, as_json, files, tmp_path, capsys):
    good, wrong = files
    argv = [a.format(wrong=wrong, tmp=tmp_path) for a in argv]
    opts = ["--json"] if as_json and "--json" in _options(argv[0]) else []
    code, out, err = run(capsys, *argv, *opts)
    assert code == 1, err
    if argv[0] not in ("verify", "show", "convert"):  # those report every scheme, then sum up
        assert len(err.strip().splitlines()) == 1 and "not exact" in err or "NOT exact" in err
    assert "Traceback" not in err and "usage:" not in err
    if opts:
        doc = json.loads(out)  # exactly one document
        assert doc.get("exit", 1) == 1
    assert not (tmp_path / "x.npz").exists() and not (tmp_path / "c.svg").exists()


# ---- bad values: exit 2, one line naming the problem, never a usage dump ------------------------
BAD_VALUES = [
    (["verify"], "the following arguments are required"),
    (["verify", "{tmp}/none.json"], "no such file"),
    (["verify", "{good}", "--ring", "Z5"], "invalid choice"),
    (["convert", "{good}", "{tmp}/x.csv"], "unknown extension"),
    (["show", "{tmp}/none.json"], "no such file"),
    (["known", "nonsense"], "nonsense"),
    (["known", "-o", "{tmp}/k.json"], "--out does nothing without a NAME"),
    (["discover", "2", "2", "2"], "--rank"),
    (["discover", "2", "2", "x", "--rank", "7"], "must be an integer"),
    (["demo", "--seed", "x"], "--seed must be an integer"),
    (["simplify", "{good}", "--tries", "x"], "--tries must be an integer"),
    (["simplify", "{good}", "--workers", "2"], "--workers does nothing with --method best"),
    (["draw", "{good}", "-o", "{tmp}/c.svg", "--dpi", "50"], "--dpi does nothing for a .svg file"),
    (["draw", "{good}", "-o", "{tmp}/c.png", "--dpi", "x"], "--dpi must be an integer"),
    (["draw", "{good}"], "required: -o/--out"),
    (["export", "{good}", "--to", "latex", "--name", "f"], "--name does nothing with --to latex"),
    (["export", "{good}", "--to", "cobol"], "unknown export target"),
    (["additions", "2", "2", "2", "--rank", "x"], "--rank must be an integer"),
    (["flip", "2", "2", "2", "--seed", "-1"], "--seed must be at least 0"),
    (["flip", "2", "2", "2", "--explore", "--target-rank", "6"], "--target-rank does nothing with --explore"),
    (["flip", "2", "2", "2", "--explore", "--workers", "2"], "--workers does nothing with --explore"),
    (["flip", "2", "2", "2", "--library", "{good}"], "--library does nothing without --composed"),
    (["flip", "2", "2", "2", "--ring", "Z5"], "unknown ring"),
    (["flip", "2", "2", "2", "--copy-best", "half"], "--copy-best 'half' is not a number"),
    (["flip", "2", "2", "2", "--copy-best", "2"], "copy_best = 2.0 must be a probability"),
    (["flip", "2", "2", "2", "--stale-climb", "-1"], "--stale-climb"),
    (["flip", "2", "2", "2", "--explore", "--copy-best", "0.5"], "--copy-best does nothing with --explore"),
    (["lift", "{good}", "--attempts", "0"], "--attempts"),
    (["lift", "{wrong}"], "not valid modulo 2 or 3, so there is nothing to lift"),  # issues 19/20: bad input
    (["sweep", "--formats", "2x2"], "malformed"),
    (["sweep-report", "{tmp}/nothing"], ""),
    (["meta", "--formats", "2x2x2", "--time-limit", "0"], "--time-limit"),
    (["catalogue", "--formats", "2x2x2", "--budget", "0"], "--budget"),
    (["catalogue", "--formats", "17x17x17"], "too large for the flip encoding"),
    (["warmup", "--only", "flips"], "unknown group(s) flips"),
    (["nonsense"], "invalid choice"),
    ([], "give a command"),
]


@pytest.mark.parametrize("argv, message", BAD_VALUES, ids=lambda x: " ".join(x) if isinstance(x, list) else None)
def test_bad_input_is_one_line_and_exit_2(argv, message, files, tmp_path, capsys):
    good, wrong = files
    argv = [a.format(good=good, wrong=wrong, tmp=tmp_path) for a in argv]
    code, out, err = run(capsys, *argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert message in lines[0] and "usage:" not in err and "Traceback" not in err
    assert lines[0].startswith("discovery")


@pytest.mark.parametrize("argv", [["verify", "{tmp}/none.json"], ["simplify", "{good}", "--workers", "2"],
                                  ["discover", "2", "2", "2"]], ids=lambda a: a[0])
def test_with_json_bad_input_is_still_one_json_document(argv, files, tmp_path, capsys):
    good, _ = files
    code, out, err = run(capsys, *[a.format(good=good, tmp=tmp_path) for a in argv], "--json")
    assert code == 2 and json.loads(out)["exit"] == 2 and len(err.strip().splitlines()) >= 1


# ---- --json: stdout is exactly one JSON document ------------------------------------------------
def _options(command: str) -> set[str]:
    sub = build_parser()._subparsers._group_actions[0].choices[command]
    return {s for a in sub._actions for s in a.option_strings}


def test_every_json_option_says_one_document():
    for command in ("verify", "simplify", "discover", "flip", "lift", "sweep", "sweep-report", "additions", "meta", "catalogue"):
        assert "--json" in _options(command), command


@pytest.mark.parametrize("argv", [
    ["verify", "{good}", "{good}"],
    ["simplify", "{good}", "--no-equivalents"],
    ["discover", "2", "2", "2", "--rank", "7", "--restarts", "4", "--quiet", "--out", "{tmp}/dis"],
    ["flip", "2", "2", "2", "--target-rank", "7", "--walkers", "1", "--quiet", "--out", "{tmp}/fl"],
    ["lift", "{mod2}", "--out", "{tmp}/lifted.json"],
], ids=lambda a: a[0])
def test_json_is_exactly_one_document_and_human_text_goes_to_stderr(argv, files, tmp_path, capsys):
    good, _ = files
    mod2 = tmp_path / "mod2.json"
    d.save_scheme(_mod2(), mod2)
    code, out, err = run(capsys, *[a.format(good=good, tmp=tmp_path, mod2=mod2) for a in argv], "--json")
    assert code == 0, err
    doc = json.loads(out)  # raises on any human line or a second document
    assert isinstance(doc, dict) and err.strip()  # the human text is there, on stderr


# ---- Ctrl-C: 130, after saving what was found ---------------------------------------------------
def test_ctrl_c_in_discover_exits_130_and_keeps_the_schemes(tmp_path, capsys, interrupt_after):
    from discovery.search.solver import _task

    interrupt_after(_task, "run_als", 1)
    code, out, err = run(capsys, "discover", "2", "2", "2", "--rank", "7", "--restarts", "64", "--quiet",
                         "--out", tmp_path, "--json")
    doc = json.loads(out)
    assert code == 130 and doc["stop"] == "interrupted" and doc["restarts"] == 4
    assert sorted(tmp_path.glob("r7-*.json")) and all(d.verify(d.load_scheme(q)).ok for q in tmp_path.glob("r7-*.json"))


def test_ctrl_c_in_a_sweep_exits_130_and_keeps_the_finished_cells(tmp_path, capsys, interrupt_after):
    from discovery.search.sweeps import _run

    interrupt_after(_run, "_run_cell", 1)  # at the second cell
    code, out, err = run(capsys, "sweep", "--formats", "2x2x2,2x2x3", "--budget", "5", "--workers", "1",
                         "--quiet", "--out", tmp_path / "s", "--json")
    doc = json.loads(out)
    assert code == 130 and doc["stop"] == "interrupted" and len(doc["cells"]) == 1
    assert (tmp_path / "s" / "cells.csv").exists()


@pytest.mark.parametrize("command, target, argv", [
    ("flip", "discovery.search.flips.flip_search", ["flip", "2", "2", "2", "--quiet"]),
    ("lift", "discovery.search.lift.lift", ["lift", "{mod2}"]),
    ("simplify", "discovery.circuits.symbolic.simplify_additions", ["simplify", "{good}"]),
    ("meta", "discovery.search.meta.meta_search", ["meta", "--formats", "2x2x2", "--quiet", "--out", "{tmp}/m"]),
    ("catalogue", "discovery.search.catalogue.catalogue",
     ["catalogue", "--formats", "2x2x2", "--quiet", "--out", "{tmp}/c"]),
    ("additions", "discovery.search.additions.additions_search",
     ["additions", "2", "2", "2", "--rank", "7", "--quiet", "--out", "{tmp}/a"]),
], ids=lambda x: x if isinstance(x, str) else None)
def test_ctrl_c_anywhere_else_exits_130_with_one_line(command, target, argv, files, tmp_path, capsys, monkeypatch):
    good, _ = files
    mod2 = tmp_path / "mod2.json"
    d.save_scheme(_mod2(), mod2)

    def interrupt(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(target, interrupt)
    if command == "simplify":
        monkeypatch.setattr("discovery.cli._circuits.simplify_additions", interrupt)
    code, out, err = run(capsys, *[a.format(good=good, tmp=tmp_path, mod2=mod2) for a in argv], "--json")
    assert code == 130 and err.strip().splitlines()[-1] == f"discovery {command}: interrupted"
    assert json.loads(out)["exit"] == 130


# ---- inputs: files or folders; several inputs give the worst verdict ----------------------------
def test_verify_takes_a_folder_with_run_records_and_reports_the_worst_verdict(files, tmp_path, capsys):
    good, wrong = files
    folder = tmp_path / "run"
    store = d.search.store.SchemeStore(folder, fmt=(2, 2, 2))
    store.add(d.strassen())
    store.record("best.json", {"format": [2, 2, 2], "rank": 7})
    store.record("run-r7-als-seed0.json", {"config": {}, "done": []})
    code, out, err = run(capsys, "verify", folder)
    assert code == 0 and "2 run record(s) skipped" in out and "1 exact" in out
    # a wrong scheme beside a missing file: both named, the worst verdict (bad input) wins
    code, out, err = run(capsys, "verify", wrong, tmp_path / "none.json", good)
    assert code == 2 and "1 wrong" in out and "1 unreadable" in out and "none.json" in err
    code, out, err = run(capsys, "verify", wrong, good)
    assert code == 1 and "1 wrong" in out
    # a folder holding nothing readable is bad input, not silence
    (tmp_path / "empty").mkdir()
    assert run(capsys, "verify", tmp_path / "empty")[0] == 2


def test_a_mod2_scheme_without_ring_z2_is_not_wrong(tmp_path, capsys):
    path = tmp_path / "m2.json"
    d.save_scheme(_mod2(), path)
    code, out, _ = run(capsys, "verify", path)
    assert code == 0 and "0 wrong" in out and "1 valid only mod 2" in out and "--ring Z2" in out
    assert run(capsys, "verify", path, "--ring", "Z")[0] == 1  # asked for Z: it is wrong there


@pytest.mark.parametrize("argv", [["show", "{dir}"], ["simplify", "{dir}", "--no-equivalents"],
                                  ["export", "{dir}", "--to", "latex"], ["convert", "{dir}", "{tmp}/all.npz"],
                                  ["flip", "2", "2", "2", "--from", "{dir}", "--target-rank", "7", "--quiet"]],
                         ids=lambda a: a[0])
def test_commands_that_read_schemes_take_a_folder(argv, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # flip's default output (runs/ under the current folder) goes there
    folder = tmp_path / "sweep" / "2x2x2"
    store = d.search.store.SchemeStore(folder, fmt=(2, 2, 2))
    store.add(d.standard(2, 2, 2))
    store.record("best.json", {"format": [2, 2, 2], "rank": 8})
    code, out, err = run(capsys, *[a.format(dir=folder, tmp=tmp_path) for a in argv])
    assert code == 0, err


def test_a_folder_of_several_schemes_needs_a_key_naming_a_file(tmp_path, capsys):
    d.save_scheme(d.strassen(), tmp_path / "s.json")
    d.save_scheme(d.winograd(), tmp_path / "w.json")
    code, _, err = run(capsys, "show", tmp_path)
    assert code == 0
    code, _, err = run(capsys, "simplify", tmp_path)
    assert code == 2 and "holds 2 schemes; pick one with --key" in err and "s.json" in err
    assert run(capsys, "simplify", tmp_path, "--key", "w.json", "--no-equivalents")[0] == 0


# ---- -o/--out: one spelling everywhere, FILE or DIR as --help says -------------------------------
def test_every_out_option_is_spelled_both_ways_and_says_file_or_folder():
    sub = build_parser()._subparsers._group_actions[0].choices
    kinds = {}
    for name, p in sub.items():
        for a in p._actions:
            if "--out" in a.option_strings:
                assert "-o" in a.option_strings, name
                kinds[name] = a.metavar
    assert {k for k, v in kinds.items() if v == "FILE"} == {"simplify", "draw", "export", "known", "lift"}
    assert {k for k, v in kinds.items() if v == "DIR"} == {"discover", "demo", "flip", "sweep", "additions", "meta",
                                                                "catalogue"}


# ---- the CLI is a thin layer over the public API ------------------------------------------------
def _private(module: str) -> bool:
    parts = module.split(".")
    return parts[:2] != ["discovery", "cli"] and any(q.startswith("_") for q in parts[1:])


def test_the_cli_imports_only_public_names():
    bad = []
    for path in sorted(CLI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("discovery"):
                names = [a.name for a in node.names]
                if _private(node.module) or (not node.module.startswith("discovery.cli")
                                             and any(n.startswith("_") for n in names)):
                    bad.append(f"{path.name}: from {node.module} import {', '.join(names)}")
            elif isinstance(node, ast.Import):
                bad += [f"{path.name}: import {a.name}" for a in node.names if a.name.startswith("discovery")
                        and _private(a.name)]
    assert not bad, "\n".join(bad)


# ---- output paths are checked before any work starts ------------------------------------------
BAD_OUT = [
    ["convert", "{good}", "{out}"], ["simplify", "{good}", "-o", "{out}"], ["draw", "{good}", "-o", "{out_png}"],
    ["export", "{good}", "--to", "python", "-o", "{out_py}"], ["known", "strassen", "-o", "{out}"],
    ["lift", "{good}", "-o", "{out}"], ["discover", "2", "2", "2", "--rank", "7", "-o", "{dir}"],
    ["demo", "-o", "{dir}"], ["additions", "2", "2", "2", "--rank", "7", "-o", "{dir}"],
    ["sweep", "--formats", "2x2x2", "-o", "{dir}"], ["meta", "--formats", "2x2x2", "-o", "{dir}"],
    ["catalogue", "--formats", "2x2x2", "-o", "{dir}"],
]


@pytest.mark.parametrize("argv", BAD_OUT, ids=lambda a: a[0])
def test_an_output_under_a_file_is_refused_before_any_work(argv, files, tmp_path, capsys):
    good, _ = files
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    argv = [a.format(good=good, out=blocker / "x.json", out_png=blocker / "c.png", out_py=blocker / "m.py",
                     dir=blocker / "run") for a in argv]
    code, out, err = run(capsys, *argv)
    # one line and nothing else: no header, no lift or search done and then refused
    assert code == 2 and len(err.strip().splitlines()) == 1 and out == "", err
    assert f"{blocker} is a file" in err and "Traceback" not in err
