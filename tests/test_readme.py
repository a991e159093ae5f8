"""The README: its Python example runs as it stands, from the repository root, and its set-up says what a new user needs."""

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


def _readme() -> str:
    return (ROOT / "README.md").read_text()


def test_the_cpu_torch_line_comes_first_and_is_pinned_like_ci():
    text = _readme()
    blocks = re.findall(r"```bash\n(.*?)\n```", text, flags=re.S)
    torch_line = blocks[0]
    ci_pin = re.search(r"torch==[\d.]+", (ROOT / ".ci" / "run").read_text()).group(0)
    assert "download.pytorch.org/whl/cpu" in torch_line and f"{ci_pin} --index-url" in torch_line
    assert torch_line.rstrip().endswith(f"|| pip install {ci_pin}")  # the plain PyPI fallback
    assert "--retries 1" in torch_line  # an unreachable index fails at once, not after 60 retries
    assert text.index(torch_line) < text.index("pip install -e . && discovery demo")


def test_the_layout_names_every_notebook():
    layout = _readme().split("\n## Layout\n", 1)[1]
    for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
        number = nb.name[:2]
        assert re.search(rf"\b{number} [a-z]", layout), f"the README's layout does not name notebook {nb.name}"


def test_the_formats_table_has_every_extension():
    from discovery.formats import EXTENSIONS

    table = _readme().split("\n## Which file formats\n", 1)[1].split("\n## ", 1)[0]
    rows = {m.group(1) for m in re.finditer(r"^\| `(\.[a-z]+)` \|", table, flags=re.M)}
    assert rows == set(EXTENSIONS)


def test_the_readme_says_how_long_the_tests_take():
    assert re.search(r"The default run takes about \d+ minutes on 2 CPU cores", _readme())
