"""Habits kept by machine: ruff passes, the import contract holds (layers point down, no cycle, no
module under a subpackage imports the package root)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*argv) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_ruff_passes():
    pytest.importorskip("ruff", reason="ruff is not installed (pip install -e '.[dev]')")
    proc = _run("-m", "ruff", "check", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_layers_contract_is_kept():
    pytest.importorskip("importlinter", reason="import-linter is not installed (pip install -e '.[dev]')")
    proc = _run("-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())")
    assert proc.returncode == 0 and "0 broken" in proc.stdout, proc.stdout + proc.stderr


def _graph():
    grimp = pytest.importorskip("grimp", reason="grimp (with import-linter) is not installed")
    return grimp.build_graph("discovery")


def test_no_import_cycle():
    import networkx as nx

    g = _graph()
    G = nx.DiGraph((m, i) for m in g.modules for i in g.find_modules_directly_imported_by(m))
    cycles = [sorted(c) for c in nx.strongly_connected_components(G) if len(c) > 1]
    assert not cycles, f"modules that import each other (also inside functions): {cycles}"


def test_no_module_under_a_subpackage_imports_the_package_root():
    g = _graph()
    offenders = sorted(m for m in g.find_modules_that_directly_import("discovery") if m.count(".") >= 1)
    assert not offenders, offenders


def test_the_contract_names_every_top_level_module():
    import tomllib

    layers = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"][0]["layers"]
    named = {m.strip() for layer in layers for m in layer.replace(":", "|").split("|")}
    top = {f"discovery.{p.stem if p.is_file() else p.name}" for p in (ROOT / "discovery").iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert top == named, f"not in the layers: {sorted(top - named)}; not a module: {sorted(named - top)}"
