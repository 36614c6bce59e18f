"""The cells of the report's tables: a number as the tables write it (:func:`table_cell`), a
held-out accuracy with its binomial standard error (:func:`accuracy_cell`), an audited atom with
its bootstrap interval (:func:`atom_cell`; the interval read by :func:`atom_interval`), and the
seeds' values of an experiment as mean ± sample standard deviation (:func:`spread_cell`).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from pidkit_distill.run_folders.groups import mean_sd

__all__ = ["ACCURACY_ERROR_NOTE", "FEW_SEEDS", "accuracy_cell", "atom_cell", "atom_interval",
           "spread_cell", "table_cell"]

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


ACCURACY_ERROR_NOTE = ("last acc ± s.e.: ±1 binomial standard error of each accuracy, "
                       "sqrt(acc (1 - acc) / n) on the run's n held-out samples (test_n in "
                       "metrics.jsonl), as accuracy.png's band: the noise of the held-out set "
                       "alone, not the spread across seeds (the mean ± sd of the table of seeds).")
"""The note under the table of each run where a last acc cell gives its standard error
(:func:`accuracy_cell`)."""


def accuracy_cell(record: dict[str, Any]) -> str:
    """The cell of the held-out accuracy of a metrics ``record``: ``test_acc`` and, where the
    record gives the size of the held-out set (``test_n``), ±1 binomial standard error,
    ``sqrt(acc (1 - acc) / n)``, as ``accuracy.png`` draws its band; empty for no accuracy.

    Examples
    --------
    >>> accuracy_cell({"test_acc": 0.9, "test_n": 400}), accuracy_cell({"test_acc": 0.9})
    ('0.9000 ± 0.0150 s.e.', '0.9000')
    """
    accuracy, n = record.get("test_acc"), record.get("test_n")
    if accuracy is None or not n:
        return table_cell(accuracy)
    return f"{table_cell(accuracy)} ± {table_cell(math.sqrt(accuracy * (1 - accuracy) / n))} s.e."


def atom_interval(record: dict[str, Any], key: str) -> tuple[float, float] | None:
    """The bootstrap interval ``(low, high)`` of atom ``key`` of an audit ``record``, where the
    record has the atom's value and both ends of its interval; ``None`` where it lacks any of
    them (no intervals, or a null: a failed solve). The one read of an atom's interval, which
    the table shows (:func:`atom_cell`) and tests its value against.

    Examples
    --------
    >>> record = {"syn": 0.25, "red": 0.05, "uni_t": None,
    ...           "intervals": {"syn": [0.2, 0.3], "red": [None, 0.1], "uni_t": [0.0, 0.1]}}
    >>> atom_interval(record, "syn")
    (0.2, 0.3)
    >>> atom_interval(record, "red"), atom_interval(record, "uni_t"), atom_interval({}, "syn")
    (None, None, None)
    """
    value = record.get(key)
    interval = (record.get("intervals") or {}).get(key) or [None]
    if value is None or None in interval:
        return None
    low, high = interval
    return low, high


def atom_cell(record: dict[str, Any], key: str) -> str:
    """The cell of atom ``key`` of an audit ``record``: its value and, where the record has
    one, its bootstrap interval as ``[low, high]`` (:func:`atom_interval`); empty for no value.

    Examples
    --------
    >>> record = {"syn": 0.25, "red": 0.05, "intervals": {"syn": [0.2, 0.3], "red": None}}
    >>> atom_cell(record, "syn"), atom_cell(record, "red"), atom_cell(record, "uni_t")
    ('0.250 [0.200, 0.300]', '0.050', '')
    """
    value, interval = record.get(key), atom_interval(record, key)
    if interval is None:
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
