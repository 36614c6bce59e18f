"""docs/check_site.py finds what it is for: missing API pages, unexecuted tutorials, broken links."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check_site():
    spec = importlib.util.spec_from_file_location("check_site", ROOT / "docs" / "check_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return path


def test_links_resolve_files_and_fragments(check_site, tmp_path: Path) -> None:
    write(tmp_path / "a.html", '<h1 id="top">A</h1>')
    page = write(
        tmp_path / "sub" / "b.html",
        '<a href="../a.html#top">ok</a> <a href="#here" id="here">self</a>'
        ' <img src="../_images/x.png"> <a href="https://example.org/x">external</a>'
        ' <a href="../a.html#nowhere">bad fragment</a> <a href="c.html">missing</a>',
    )
    errors = check_site.links(page)
    assert len(errors) == 3
    assert "'../_images/x.png'" in errors[0]
    assert "'../a.html#nowhere' names no element" in errors[1]
    assert "broken link 'c.html'" in errors[2]


def test_tutorial_needs_outputs_a_figure_and_its_results(check_site, tmp_path: Path) -> None:
    output = '<div class="cell_output docutils container"><pre>Theorem 4.1: HELD</pre>{}</div>'
    write(tmp_path / "t.html", output.format(""))
    errors = check_site.tutorial(tmp_path, "t")
    assert errors == [f"{tmp_path / 't.html'}: no figure in the outputs"]

    write(tmp_path / "t.html", output.format('<img src="f.png"><pre>Traceback (most recent)</pre>'))
    assert check_site.tutorial(tmp_path, "t") == [f"{tmp_path / 't.html'}: output contains 'Traceback'"]

    write(tmp_path / "notebooks" / "theorems.html", "<p>Theorem 4.1: HELD</p><img src='f.png'>")
    errors = check_site.tutorial(tmp_path, "notebooks/theorems")
    assert "no cell output (was the notebook executed?)" in errors[0]
    assert any("lacks 'Examples 1-3: HELD'" in error for error in errors)


def test_api_page_needs_the_page_its_anchor_and_a_link(check_site, tmp_path: Path) -> None:
    generated = tmp_path / "api" / "generated"
    index = write(generated / "pidkit.html", '<a href="pidkit.pid.html">pid</a>')
    assert check_site.api_page(tmp_path, index, "pidkit", "entropy") == [
        f"{generated / 'pidkit.entropy.html'} is missing"
    ]
    write(generated / "pidkit.pid.html", '<dt id="pidkit.pid">pid</dt>')
    assert check_site.api_page(tmp_path, index, "pidkit", "pid") == []
    write(generated / "pidkit.entropy.html", "<p>no anchor</p>")
    assert check_site.api_page(tmp_path, index, "pidkit", "entropy") == [
        f"{generated / 'pidkit.entropy.html'} has no anchor #pidkit.entropy",
        f"{index} does not link to pidkit.entropy.html",
    ]


def test_every_executed_source_is_found(check_site) -> None:
    names = {path.relative_to(ROOT / "docs").as_posix() for path in check_site.executed_sources()}
    assert {"notebooks/theorems.ipynb", "tutorials/quickstart.md", "which-measure.md"} <= names
    assert "index.md" not in names


# A negative zero printed as a number of its own, at any precision, is refused; nothing that
# merely contains '-0.000000' or is a small negative number is.


def page_errors(check_site, tmp_path: Path, output: str) -> list[str]:
    body = f'<div class="cell_output docutils container"><pre>{output}</pre><img src="f.png"></div>'
    (tmp_path / "t.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    return check_site.tutorial(tmp_path, "t")


@pytest.mark.parametrize(
    "zero", ["-0.000000", "-0.00", "-0.0", "-0.", "-0", "-0.0e+00", "\u22120.000", "(-0.00)"]
)
def test_negative_zero_at_any_precision_is_refused(check_site, tmp_path: Path, zero: str) -> None:
    errors = page_errors(check_site, tmp_path, f"Syn(Y:T,S)   {zero}\n")
    assert errors == [f"{tmp_path / 't.html'}: output contains {zero.strip('()')!r}"]


@pytest.mark.parametrize(
    "text",
    [
        "Uni(Y:S\\T)   -0.0000001",
        "| -0.000000x | 0.5 |",
        "gap 1e-09, tol 2e-0",
        "run 2026-12-04-0.000",
        "Red 0.000000, Syn 0.500000, change -0.25",
    ],
)
def test_what_is_not_a_negative_zero_passes(check_site, tmp_path: Path, text: str) -> None:
    assert page_errors(check_site, tmp_path, text) == []
