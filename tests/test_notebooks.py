"""Execute the documentation's .ipynb notebooks so they can never go stale.

The site build (``make docs``) executes every notebook too, MyST notebooks included, and
``docs/check_site.py`` checks the built pages; this test runs the .ipynb ones without the docs
tools and asserts the same expected results (``EXPECTED_OUTPUTS`` in ``docs/check_site.py``).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted(
    path
    for path in DOCS.rglob("*.ipynb")
    if not any(part.startswith((".", "_")) for part in path.relative_to(DOCS).parts)
)


def expected_outputs() -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    spec = importlib.util.spec_from_file_location("check_site", DOCS / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED_OUTPUTS, module.FORBIDDEN_OUTPUTS


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
    expected, forbidden = expected_outputs()
    docname = path.relative_to(DOCS).with_suffix("").as_posix()
    for fragment in expected.get(docname, ()):
        assert fragment in outputs, f"{path.name}: no output contains {fragment!r}"
    for word in forbidden:
        assert word not in outputs, f"{path.name}: an output contains {word!r}"
