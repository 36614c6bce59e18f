"""pidkit is typed (PEP 561): what a user's mypy makes of the calls the README and docs show.

``tests/typing_user_calls.py`` calls the public API; mypy must find no error in it and reveal
the type written beside each ``reveal_type`` (a PIDResult, a float, an array: never ``Any``
where pidkit promises one; ``to_frame`` is ``Any`` without pandas-stubs, pandas being untyped).
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy", reason="mypy is in the dev extra")

SCRIPT = Path(__file__).with_name("typing_user_calls.py")
ROOT = SCRIPT.parents[1]


def _short(revealed: str) -> str:
    """``revealed`` without module paths and numpy's array parameters: ``ndarray | None``."""
    text = re.sub(r"\b(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)", r"\1", revealed)
    out, depth = [], 0
    for index, char in enumerate(text):
        if depth:
            depth += {"[": 1, "]": -1}.get(char, 0)
        elif char == "[" and text[:index].endswith("ndarray"):
            depth = 1
        else:
            out.append(char)
    return "".join(out)


def test_a_users_mypy_finds_no_error_and_the_promised_types(tmp_path):
    run = [sys.executable, "-m", "mypy", "--follow-imports=silent", "--cache-dir", str(tmp_path),
           "--no-error-summary", str(SCRIPT)]
    done = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    lines = done.stdout.splitlines()
    assert [line for line in lines if ": error:" in line] == []
    revealed = {int(m[1]): _short(m[2]) for m in re.finditer(r":(\d+): note: Revealed type is \"(.*)\"",
                                                                done.stdout)}
    expected = {number: line.rsplit("# ", 1)[1]
                for number, line in enumerate(SCRIPT.read_text().splitlines(), start=1)
                if line.startswith("reveal_type(")}
    assert len(expected) == 35
    assert revealed == expected
