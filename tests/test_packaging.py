"""The packaging files agree with each other and with the README."""

import re
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
CONDA_NAMES = {"pytorch": "torch"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ \[]", req.strip(), maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in meta["dependencies"]} | {_name(r) for r in meta["optional-dependencies"]["dev"]}
    conda = set()
    text = (ROOT / "environment.yml").read_text()
    deps = text[text.index("dependencies:"):]
    for line in deps.splitlines():
        m = re.match(r"^\s{2}- ([A-Za-z0-9_.-]+)\s*([<>=].*)?$", line)
        if m and m.group(1) not in ("python", "pip"):
            conda.add(CONDA_NAMES.get(m.group(1), m.group(1)).lower())
    assert conda == wanted
    assert "-e .[dev]" in (ROOT / "environment.yml").read_text()


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    m = re.search(r"```bash\n(pip install[^\n]*pytest[^\n]*)\n```", readme)
    assert m, "README must give the test command in a bash block"
    assert m.group(1) in ci.splitlines()
    assert "torch==2.13.0" in ci


def test_core_and_cli_start_without_torch():
    import subprocess
    import sys

    code = ("import sys, discovery, discovery.cli; discovery.cli.build_parser(); "
            "assert 'torch' not in sys.modules, 'torch imported at start-up'; "
            "heavy = {'networkx', 'sympy', 'matplotlib'} & set(sys.modules); "
            "assert not heavy, f'{heavy} imported at start-up (load them on use)'; "
            "discovery.discover; discovery.QuantMode; assert 'torch' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_plain_flip_walk_loads_neither_the_symmetric_walk_nor_the_exploration():
    import subprocess
    import sys

    code = ("import sys, discovery, discovery.search.flips as f; "
            "extra = {'discovery.search.flips._symmetric', 'discovery.search.flips._sym_full', "
            "'discovery.search.flips._explore'} & set(sys.modules); "
            "assert not extra, f'{extra} imported with the flip walk (they load on use)'; "
            "f.symmetric_search; f.explore; discovery.SymmetricConfig; discovery.sweep; discovery.LocalExecutor; "
            "assert 'discovery.search.flips._symmetric' in sys.modules and 'discovery.search.sweeps' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ci_compiles_the_kernels_before_the_tests():
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    warm = next(i for i, x in enumerate(lines) if x.rstrip().endswith("discovery warmup"))
    tests = next(i for i, x in enumerate(lines) if "python -m pytest" in x)
    assert warm < tests
