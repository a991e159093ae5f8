"""Every notebook runs top to bottom (small settings), prints what it promises and shows its
figures inline (at least one ``image/png`` output each)."""

import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# notebook -> strings its outputs must contain
EXPECTED = {
    "01_rediscover_strassen.ipynb": ["exact over ZT", "sympy", "r = 6: 0 schemes",
                                     "learned -> Strassen:", "learned -> Winograd:",
                                     "gives Strassen's coefficients exactly: True",
                                     "sgd from samples only"],
    "02_explore_rank_bounds.ipynb": ["exact over", "valid over: ('Z2',)",
                                     "<2,2,2>: rank 7 found, equal to the best known over ZT", "found_rank"],
    "03_strassenified_networks.ipynb": ["mult_reduction_pct", "val_bpc_rel_equal_steps_pct",
                                        "r=c_out, p=1", "r=c_out, p=2"],
    "04_flip_graphs.ipynb": ["rank 27 -> 23", "exact over ZT", "sympy", "no lift exists", "lifted to an exact scheme",
                             "symmetric <4,4,4>: rank 121 -> 49", "still cyclic-invariant: True", "runs by final rank"],
    "05_meta_flip_graph.ipynb": ["<4,4,4> rank 49: exact over ZT", "(reached)", "(merge)", "exact over Q",
                                 "sympy", "<2,2,2>: rank 7 (ZT", "formats at the best known rank over any ring"],
}
# notebooks whose printed numbers are rounded for reading (no 7-decimal floats in tables)
ROUNDED = {"03_strassenified_networks.ipynb"}
UNROUNDED = re.compile(r"\d\.\d{7,}")


def test_every_notebook_is_tested():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_notebook_runs(name, shared_data, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel (the python3 kernel) is not installed")
    monkeypatch.setenv("DISCOVERY_SHARED_DATA", str(shared_data))
    path = NOTEBOOKS / name
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs)
    for expected in EXPECTED[name]:
        assert expected in text, f"{name} did not print {expected!r}"
    # figures appear inline (a bare Figure, or matplotlib.use("Agg"), would leave only text)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    assert images, f"{name} shows no figure (no image/png output)"
    if name in ROUNDED:
        assert not UNROUNDED.findall(text), f"{name} prints unrounded numbers"


def test_notebook_01s_heatmap_has_a_colour_key():
    import json

    cells = json.loads((NOTEBOOKS / "01_rediscover_strassen.ipynb").read_text())["cells"]
    code = next("".join(c["source"]) for c in cells if "imshow" in "".join(c["source"]))
    assert "colorbar(" in code and "ticks=[-1, 0, 1]" in code
