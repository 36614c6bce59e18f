"""mypy run on a user's script as it reads an installed package: its errors, and each
``reveal_type`` beside the type written in its comment (tests/test_typing.py and
tests/distill/test_typing_distill.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def short_type(revealed: str) -> str:
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


def mypy_on_script(script: Path, cache_dir: Path, *options: str
                   ) -> tuple[list[str], dict[int, str], dict[int, str]]:
    """mypy's error lines on ``script``, the types it reveals and those the comments promise.

    ``--follow-imports=silent``: what a user's mypy sees of an installed package, no error
    inside the package reported (the editable install's import hook is one mypy cannot follow
    from outside the repository, so it runs from the repository's root).

    Returns
    -------
    errors : list of str
        mypy's ``error:`` lines.
    revealed, expected : dict of int to str
        By line number: the types mypy revealed (:func:`short_type`), and those written after
        the last ``# `` of each line that starts with ``reveal_type(`` (indented or not).
    """
    run = [sys.executable, "-m", "mypy", "--follow-imports=silent", "--cache-dir", str(cache_dir),
           "--no-error-summary", *options, str(script)]
    done = subprocess.run(run, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    revealed = {int(m[1]): short_type(m[2])
                for m in re.finditer(r":(\d+): note: Revealed type is \"(.*)\"", done.stdout)}
    expected = {number: line.rsplit("# ", 1)[1]
                for number, line in enumerate(script.read_text().splitlines(), start=1)
                if line.lstrip().startswith("reveal_type(")}
    return errors, revealed, expected
