"""docs/check_site.py refuses a negative zero printed in an executed page as a number of its own,
at any precision, and nothing that merely contains '-0.000000' or is a small negative number."""

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
