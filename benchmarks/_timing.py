"""Small helpers shared by the benchmarks: timing with a cap, and table printing."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from typing import Any


def median_time(fn: Callable[[], Any], *, repeats: int, cap_seconds: float) -> tuple[float | None, Any]:
    """Median wall time of ``fn`` over up to ``repeats`` runs, and its last value.

    Stops early once the runs so far exceed ``cap_seconds``; returns ``None`` as the time when the
    first run alone exceeded the cap (the peer is then reported as skipped).
    """
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
        if sum(times) > cap_seconds:
            break
    if times[0] > cap_seconds:
        return None, value
    return statistics.median(times), value


def markdown(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, left: bool = False) -> str:
    """A GitHub-markdown table with padded columns, cells right-aligned (``left``: left-aligned).

    Examples
    --------
    >>> print(markdown(["n", "time"], [[450, "0.5 s"], [2000, "12 s"]]))
    | n    | time  |
    |------|-------|
    |  450 | 0.5 s |
    | 2000 |  12 s |
    """
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    pad = str.ljust if left else str.rjust
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
        *("| " + " | ".join(pad(c, w) for c, w in zip(r, widths, strict=True)) + " |" for r in cells),
    ]
    return "\n".join(lines)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Print and return a GitHub-markdown table (cells right-aligned)."""
    text = markdown(headers, rows)
    print(text, flush=True)
    return text
