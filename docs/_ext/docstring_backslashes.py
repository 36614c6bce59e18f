"""Sphinx extension: keep the backslash of ``Uni(Y:T\\S)`` in rendered docstrings.

Our docstrings are plain text first (``help()``, IDEs) and write the unique information as
``Uni(Y:T\\S)`` with one literal backslash. reST reads ``\\S`` as an escaped ``S`` and would print
``Uni(Y:TS)``. Before numpydoc and autodoc parse a docstring, every backslash that precedes a
letter, outside inline literals, is doubled, so reST prints it as written.
"""

from __future__ import annotations

import re
from typing import Any

from sphinx.application import Sphinx

LITERAL = re.compile(r"(``.+?``)")
BACKSLASH_LETTER = re.compile(r"(?<!\\)\\(?=[A-Za-z])")


def keep_backslashes(line: str) -> str:
    """``line`` with each backslash before a letter doubled, except inside inline literals."""
    parts = LITERAL.split(line)
    return "".join(
        part if k % 2 else BACKSLASH_LETTER.sub(r"\\\\", part) for k, part in enumerate(parts)
    )


def process(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    lines[:] = [keep_backslashes(line) for line in lines]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("autodoc-process-docstring", process, priority=400)  # before numpydoc (500)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
