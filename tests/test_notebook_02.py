"""Execute notebooks/02_explore_rank_bounds.ipynb top to bottom."""

from pathlib import Path

import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "02_explore_rank_bounds.ipynb"


def test_notebook_02_runs(shared_data, monkeypatch):
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel (the python3 kernel) is not installed")
    monkeypatch.setenv("DISCOVERY_SHARED_DATA", str(shared_data))
    nb = nbformat.read(NB, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NB.parent)}})
    client.execute()
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "exact over" in text and "valid over: ('Z2',)" in text
