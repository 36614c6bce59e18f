"""Execute the documentation notebooks so they can never go stale."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "docs" / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_executes(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("cdd.gmp", reason="the notebooks use the exact measures (pycddlib)")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, with the failing cell, on any error
    outputs = "".join(
        out.get("text", "") + out.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    if path.name == "theorems.ipynb":
        assert "Examples 1-3: HELD" in outputs
        assert "Theorem 3.1: HELD" in outputs and "Theorem 4.1: HELD" in outputs
        assert "0.122556" in outputs and "VIOLATED" not in outputs
