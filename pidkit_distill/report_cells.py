"""The cells of the report's tables: a number as the tables write it (:func:`table_cell`), an
audited atom with its bootstrap interval (:func:`atom_cell`), and the seeds' values of an
experiment as mean ± sample standard deviation (:func:`spread_cell`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pidkit_distill.run_groups import mean_sd

__all__ = ["FEW_SEEDS", "atom_cell", "spread_cell", "table_cell"]

FEW_SEEDS = 5
"""A group of at most this many seeds has each seed's value beside the mean in the group table."""


def spread_cell(values: list[float | None], spec: str) -> str:
    """The cell of the seeds' ``values``: mean ± sample standard deviation, then each seed's
    value where there are at most :data:`FEW_SEEDS`; a seed without one (``None``: a failed
    solve) is left out of the mean and counted.

    Examples
    --------
    >>> spread_cell([0.5, 0.7], ".2f"), spread_cell([0.5, None, 0.7], ".1f")
    ('0.60 ± 0.14 (0.50, 0.70)', '0.6 ± 0.1 (0.5, -, 0.7; 2 of 3 seeds)')
    """
    seeds = np.array([np.nan if value is None else value for value in values], dtype=float)
    known = ~np.isnan(seeds)
    if not known.any():
        return ""
    mean, sd = (float(x) for x in mean_sd(seeds))
    cell = table_cell(mean, spec) + ("" if np.isnan(sd) else f" ± {table_cell(sd, spec)}")
    count = [] if known.all() else [f"{known.sum()} of {len(seeds)} seeds"]
    each = [", ".join(table_cell(float(value), spec) if has else "-"
                      for value, has in zip(seeds, known, strict=True))
            ] if len(seeds) <= FEW_SEEDS else []
    return f"{cell} ({'; '.join(each + count)})" if each or count else cell


def atom_cell(record: dict[str, Any], key: str) -> str:
    """The cell of atom ``key`` of an audit ``record``: its value and, where the record has
    one, its bootstrap interval as ``[low, high]``; empty for no value."""
    value = record.get(key)
    interval = (record.get("intervals") or {}).get(key) or [None]
    if value is None or None in interval:
        return table_cell(value, ".3f")
    low, high = interval
    return f"{table_cell(value, '.3f')} [{table_cell(low, '.3f')}, {table_cell(high, '.3f')}]"


def table_cell(value: Any, spec: str = ".4f") -> str:
    """A table cell: ``value`` formatted with ``spec``, or empty for ``None``; a number that
    rounds to zero is ``0``, never ``-0`` (``-0.000`` read as a value below 0).

    Examples
    --------
    >>> table_cell(-0.0001, ".3f"), table_cell(-0.0006, ".3f"), table_cell(None)
    ('0.000', '-0.001', '')
    """
    if value is None:
        return ""
    text = format(value, spec)
    return text[1:] if text.startswith("-") and float(text) == 0 else text
