"""How the ``repr`` of an estimate wraps the lines under its table: at :data:`LINE_WIDTH`, each
continuation indented under the text after its label (``  note: ``), words never broken."""

from __future__ import annotations

import re
import textwrap

LINE_WIDTH = 100
"""The width at which a ``repr`` wraps each line under its first (about that of the first, which it
leaves as it is)."""

_LABEL = re.compile(r" +[A-Za-z-]+: ")
"""A line's label, under whose end its continuation lines start."""


def wrapped_line(line: str) -> str:
    """``line`` wrapped at :data:`LINE_WIDTH`, its continuations under the text after its label
    (``  note: ``), or under its own indent where it has none; a line that fits is returned as it is.

    Examples
    --------
    >>> text = wrapped_line("  note: " + " ".join(["one-two"] * 14))
    >>> print(text)
      note: one-two one-two one-two one-two one-two one-two one-two one-two one-two one-two one-two
            one-two one-two one-two
    >>> wrapped_line("  short: kept") == "  short: kept"
    True
    """
    if len(line) <= LINE_WIDTH:
        return line
    label = _LABEL.match(line)
    indent = " " * (label.end() if label else len(line) - len(line.lstrip()))
    return textwrap.fill(line, LINE_WIDTH, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False)
