"""discovery warmup and the first-run line (discovery/_kernels.py, discovery/search/warmup.py):
every numba kernel of the package is in a group, warming leaves each one in numba's disk cache, and
a command whose kernels really compile says so in one line, once."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

import discovery as d
from discovery import _kernels
from discovery.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _group(name: str) -> _kernels.KernelGroup:
    return next(g for g in _kernels.GROUPS if g.name == name)


def _njit_modules() -> set[str]:
    """Every module of the package that declares a numba kernel (read from the source)."""
    out = set()
    for path in (ROOT / "discovery").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("njit", "jit"):
                out.add(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return out


def test_every_compiled_module_is_in_a_group():
    grouped = {m for g in _kernels.GROUPS for m in g.modules}
    assert grouped == _njit_modules()


def test_warmup_leaves_every_kernel_in_numbas_disk_cache(capsys):
    code = main(["warmup", "--json"])
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert code == 0 and doc["exit"] == 0, err
    assert [g["name"] for g in doc["groups"]] == ["flip", "CSE", "lift"]
    for g in doc["groups"]:
        assert g["ok"] and g["cached"] == g["kernels"] > 0 and not g["missing"]
    # the index is read back from disk, kernel by kernel
    for g in _kernels.GROUPS:
        for m in g.modules:
            assert all(_kernels.in_disk_cache(disp) for _, disp in _kernels.dispatchers(m))


def test_warmup_of_one_group(capsys):
    assert main(["warmup", "--only", "cse"]) == 0
    out = capsys.readouterr().out
    n = sum(len(list(_kernels.dispatchers(m))) for m in _group("CSE").modules)
    assert n >= 18  # the greedy CSE and the closure search
    assert out.startswith("CSE kernels: ") and f"{n} of {n} in the disk cache" in out and "flip" not in out


def test_a_kernel_that_really_compiles_says_so_in_one_line_once(tmp_path, monkeypatch, capsys):
    from discovery.circuits import _cse_kernels

    # a fresh, uncached copy of the CSE entry kernel: the next simplify compiles it for real
    fresh = numba.njit(_cse_kernels.reduce_batch.py_func)
    monkeypatch.setattr(_cse_kernels, "reduce_batch", fresh)
    path = tmp_path / "s.json"
    d.save_scheme(d.strassen(), path)
    assert main(["simplify", str(path), "--no-equivalents", "--json"]) == 0
    out, err = capsys.readouterr()
    json.loads(out)  # still exactly one document on stdout
    lines = [x for x in err.splitlines() if x.startswith("compiling")]
    assert lines == [_kernels.notice(_group("CSE"))] and lines[0].startswith("compiling CSE kernels (first run only, ~"), err
    assert main(["simplify", str(path), "--no-equivalents"]) == 0  # compiled now: no line
    assert "compiling" not in capsys.readouterr().err


def test_loading_from_the_cache_is_not_called_compiling(capsys):
    with _kernels.watch_compiles(announce=True) as log:
        assert main(["warmup", "--only", "lift"]) == 0
    assert "compiling" not in capsys.readouterr().err and log.counts.get("lift", 0) == 0


def _mod2_file(tmp_path) -> Path:
    from discovery.search.warmup import _mod_p

    path = tmp_path / "strassen_mod2.json"
    d.save_scheme(_mod_p(d.strassen(), 2), path)
    return path


@pytest.mark.slow
def test_with_an_empty_cache_the_first_lift_says_it_compiles(tmp_path):
    """A fresh process and an empty NUMBA_CACHE_DIR: the line once, then never again."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "discovery", "lift", str(_mod2_file(tmp_path)), "-o", str(tmp_path / "x.json")]
    first = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stderr.splitlines() == [_kernels.notice(_group("lift"))]
    again = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp_path)
    assert again.returncode == 0 and "compiling" not in again.stderr


def test_work_in_worker_processes_is_announced_from_the_disk_cache(monkeypatch, capsys):
    with _kernels.watch_compiles(announce=True):
        assert not _kernels.announce_if_cold("flip")  # warm (the tests above compiled everything)
        monkeypatch.setattr(_kernels, "in_disk_cache", lambda disp: False)  # as with an empty cache
        assert _kernels.announce_if_cold("flip") and not _kernels.announce_if_cold("flip")
    assert not _kernels.announce_if_cold("flip")  # outside a command: silent
    assert capsys.readouterr().err.splitlines() == [_kernels.notice(_group("flip"))]


def test_a_sweep_on_worker_processes_says_they_compile(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(_kernels, "in_disk_cache", lambda disp: False)  # as with an empty cache
    argv = ["sweep", "--formats", "2x2x2", "--strategy", "flips", "--budget", "5", "--workers", "2",
            "--out", str(tmp_path / "s")]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("compiling flip kernels (first run only") == 1, err
