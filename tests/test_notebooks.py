"""Execute the documentation's notebooks and quick starts so they can never go stale.

The site build (``make docs``) executes every notebook too, MyST notebooks included, and
``docs/check_site.py`` checks the built pages; this test runs the .ipynb ones and the MyST
notebooks that take seconds (``FAST_MYST``) without the docs tools, and asserts the same expected
results (``EXPECTED_OUTPUTS`` in ``docs/check_site.py``).
The ``python`` blocks of the plain Markdown quick starts (``QUICK_STARTS``), which the site
build does not execute, run here too, and the output they quote (``# `` comment lines right
after a ``print``) must be what they print.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NOTEBOOKS = sorted(
    path
    for path in DOCS.rglob("*.ipynb")
    if not any(part.startswith((".", "_")) for part in path.relative_to(DOCS).parts)
)
# MyST notebooks (file_format: mystnb) run here too; the audit and representations tutorials
# train networks and take minutes, so only the site build runs them.
FAST_MYST = [DOCS / "tutorials" / "quickstart.md", DOCS / "which-measure.md"]


def expected_outputs() -> tuple[dict[str, tuple[str, ...]], Callable[[str], list[str]]]:
    spec = importlib.util.spec_from_file_location("check_site", DOCS / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPECTED_OUTPUTS, module.forbidden_in


def myst_code_cells(text: str) -> list[str]:
    """The sources of a MyST notebook's ``{code-cell}`` blocks, without their ``:option:`` lines."""
    cells = re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", text, re.M | re.S)
    return [re.sub(r"\A(?::[\w-]+:[^\n]*\n)+\n?", "", cell) for cell in cells]


def read_notebook(path: Path, nbformat):
    """``path`` as an nbformat notebook: an .ipynb as it is, a MyST notebook from its code cells."""
    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4)
    cells = myst_code_cells(path.read_text(encoding="utf-8"))
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])


@pytest.mark.parametrize("path", NOTEBOOKS + FAST_MYST, ids=[p.name for p in NOTEBOOKS + FAST_MYST])
def test_notebook_executes(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    pytest.importorskip("matplotlib")
    pytest.importorskip("cdd.gmp", reason="the notebooks use the exact measures (pycddlib)")
    notebook = read_notebook(path, nbformat)
    client = nbclient.NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}
    )
    client.execute()  # raises CellExecutionError, with the failing cell, on any error
    outputs = "".join(
        out.get("text", "")
        + out.get("data", {}).get("text/plain", "")
        + out.get("data", {}).get("text/markdown", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
    expected, forbidden = expected_outputs()
    docname = path.relative_to(DOCS).with_suffix("").as_posix()
    for fragment in expected.get(docname, ()):
        assert fragment in outputs, f"{path.name}: no output contains {fragment!r}"
    assert forbidden(outputs) == [], f"{path.name}: an output contains {forbidden(outputs)}"


QUICK_STARTS = [ROOT / "README.md", DOCS / "index.md"]


def python_blocks(path: Path) -> list[str]:
    """The fenced ``python`` code blocks of a Markdown file, in order."""
    return re.findall(r"^```python\n(.*?)^```$", path.read_text(encoding="utf-8"), re.M | re.S)


def quoted_output(code: str) -> list[str]:
    """The lines a block says it prints: the ``# `` comments right after each ``print(`` line."""
    quoted, after_print = [], False
    for line in code.splitlines():
        if after_print and line.startswith("# "):
            quoted.append(line[2:])
        else:
            after_print = line.startswith("print(")
    return quoted


def without_gap(text: str) -> str:
    """``text`` with a result repr's ``gap=`` value elided (it is rounding noise, host-dependent)."""
    return re.sub(r"gap=[-+.e0-9]+", "gap=...", text)


@pytest.mark.parametrize("path", QUICK_STARTS, ids=[p.name for p in QUICK_STARTS])
def test_quick_start_runs_and_prints_what_it_quotes(path: Path, tmp_path, monkeypatch, capsys) -> None:
    blocks = python_blocks(path)
    assert blocks, f"{path.name}: no python block"
    monkeypatch.chdir(tmp_path)  # a block may write files (README saves joint.npy)
    namespace: dict = {"__name__": "__main__"}
    for code in blocks:
        exec(compile(code, str(path), "exec"), namespace)  # a new user pastes them in order
    printed = without_gap(capsys.readouterr().out).splitlines()
    for line in quoted_output("\n".join(blocks)):
        assert without_gap(line) in printed, f"{path.name} quotes {line!r}, which nothing printed"
