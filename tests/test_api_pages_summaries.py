"""docs/_ext/api_pages.py: the one-line summaries of the API tables read the same in every build."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import pidkit.estimate

pytest.importorskip("sphinx")
EXT = Path(__file__).resolve().parents[1] / "docs" / "_ext"
SUMMARY = ("import sys; sys.path.insert(0, sys.argv[1]); import api_pages, pidkit; "
           "print(api_pages.summary({}))")


def _summary_in_a_fresh_run(expression: str, hash_seed: int) -> str:
    """``api_pages.summary`` of ``expression`` in an interpreter whose string hashes follow ``hash_seed``."""
    run = subprocess.run(
        [sys.executable, "-c", SUMMARY.format(expression), str(EXT)],
        env={**os.environ, "PYTHONHASHSEED": str(hash_seed)}, capture_output=True, text=True, check=True,
    )
    return run.stdout.strip()


def test_a_set_constant_lists_its_members_sorted_whatever_the_string_hashes():
    # The row of pidkit.NONNEGATIVE_MEASURES showed repr(), whose order follows the run's string
    # hashes: "frozenset({'mmi', 'broja'})" under PYTHONHASHSEED=1, "{'broja', 'mmi'}" under 0,
    # so the generated page changed (and was rewritten) from build to build.
    seen = {_summary_in_a_fresh_run("pidkit.NONNEGATIVE_MEASURES", seed) for seed in (0, 1)}
    assert seen == {"``frozenset({'broja', 'mmi'})``"}
    spec = importlib.util.spec_from_file_location("api_pages", EXT / "api_pages.py")
    api_pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(api_pages)
    ci_methods = pidkit.estimate.CI_METHODS
    assert api_pages.summary(ci_methods) == f"``{ci_methods!r}``"  # a tuple: as before
