"""The README's Python example runs as it stands, from the repository root."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_example_runs_verbatim(shared_data, tmp_path):
    # the example of the "## Python" section (other sections have their own short snippets)
    blocks = python_blocks((ROOT / "README.md").read_text().split("\n## Python\n", 1)[-1])
    assert blocks, "the README has no ```python block"
    code = blocks[0]
    assert "../shared/data/" in code  # real paths, not placeholders
    # the example is run from the repository root, where ../shared/data is the reference data;
    # a checkout elsewhere gets the same layout: a folder beside a `shared/data` link
    if (ROOT.parent / "shared" / "data").resolve() == shared_data.resolve():
        cwd = ROOT
    else:
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "data").symlink_to(shared_data.resolve(), target_is_directory=True)
        cwd = tmp_path / "repo"
        cwd.mkdir()
    before = sorted(p.name for p in cwd.iterdir())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "symmetry:" in proc.stdout and "15 15" in proc.stdout
    # it wrote nothing into the folder it ran from
    assert sorted(p.name for p in cwd.iterdir()) == before


def _patterns(index: str) -> list[str]:
    """The file patterns in the first column of results/README.md's table (brace-expanded)."""
    out = []
    for line in index.splitlines():
        if not line.startswith("| `"):
            continue
        for pat in re.findall(r"`([^`]+)`", line.split("|")[1]):
            m = re.search(r"\{([^}]*)\}", pat)
            alts = [pat[:m.start()] + a + pat[m.end():] for a in m.group(1).split(",")] if m else [pat]
            out += [a.replace("NxMxP", "*") + ("*" if a.endswith("/") else "") for a in alts]
    return out


def test_results_index_names_every_table_and_figure():
    from fnmatch import fnmatch

    results = ROOT / "results"
    patterns = _patterns((results / "README.md").read_text())
    assert "benchmarks/discover.csv" in patterns and "nn/*.csv" in patterns
    files = [p.relative_to(results).as_posix() for p in results.rglob("*")
             if p.suffix in (".csv", ".png", ".svg", ".dot") and p.is_file()]
    assert files
    missing = [f for f in files if not any(fnmatch(f, pat) for pat in patterns)]
    assert not missing, f"results/README.md does not list {missing}"
