"""Execute notebooks/03_strassenified_networks.ipynb top to bottom (small settings, < 2 min)."""

from pathlib import Path

import pytest

NB = Path(__file__).resolve().parents[1] / "notebooks" / "03_strassenified_networks.ipynb"


def test_notebook_03_runs():
    nbformat = pytest.importorskip("nbformat", reason="nbformat is not installed")
    nbclient = pytest.importorskip("nbclient", reason="nbclient is not installed")
    pytest.importorskip("ipykernel", reason="ipykernel (the python3 kernel) is not installed")
    nb = nbformat.read(NB, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(NB.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
