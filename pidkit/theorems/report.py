"""The report every theorem check returns: its table of numbers, the verdict, and their rendering."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._result import jsonable

__all__ = ["TheoremReport"]


@dataclass(frozen=True, eq=False)
class TheoremReport:
    """What a check found: a table of numbers and whether the statement held.

    Attributes
    ----------
    name : str
        E.g. ``"Theorem 3.1"``.
    statement : str
        The claim that was checked, in words.
    columns : tuple of str
        Column names of ``rows``.
    rows : tuple of tuple
        One row per case checked; numbers in ``units``, verdicts as bools.
    passed : bool
        True when the statement held in every row.
    summary : str
        One line saying what was checked and found.
    units : str
        Units of the information quantities in ``rows``.
    details : dict
        Parameters of the check and any per-case numbers not in the table.

    Examples
    --------
    Every check of :mod:`pidkit.theorems` returns one; ``print(report)`` shows the verdict and
    the table, whose cells its fields hold:

    >>> import pidkit
    >>> report = pidkit.check_theorem_3_2(n=2, random_state=0)
    >>> report.name, report.verdict, report.columns[:4]
    ('Theorem 3.2', 'held', ('joint', 'shape', 'Red', 'Uni_T'))
    >>> joint, shape, red = report.rows[0][:3]     # joint 0: a 2x3x3 joint, Red in bits
    >>> joint, shape, round(red, 4)
    (0, '2x3x3', 0.0953)
    >>> record = report.to_dict()                  # for json.dumps: rows as records
    >>> record["passed"], record["rows"][0]["shape"]
    (True, '2x3x3')
    """

    name: str
    statement: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    passed: bool
    summary: str
    units: str = "bits"
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def verdict(self) -> str:
        """``"held"`` or ``"violated"``."""
        return "held" if self.passed else "violated"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: the table as a list of records, plus the verdict.

        Returns
        -------
        dict
            ``name``, ``statement``, ``verdict``, ``passed``, ``summary``, ``units``, ``rows``
            (one dict per row, keyed by ``columns``) and ``details``.
        """
        return {
            "name": self.name,
            "statement": self.statement,
            "verdict": self.verdict,
            "passed": self.passed,
            "summary": self.summary,
            "units": self.units,
            "rows": [jsonable(dict(zip(self.columns, row, strict=True))) for row in self.rows],
            "details": jsonable(self.details),
        }

    def __repr__(self) -> str:
        cells = [[_cell(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        line = "  ".join(c.rjust(w) for c, w in zip(self.columns, widths, strict=True))
        body = ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        return "\n".join(
            [
                f"{self.name}: {self.verdict.upper()} — {self.summary}",
                f"  claim: {self.statement}",
                f"  ({self.units})",
                line,
                "-" * len(line),
                *body,
            ]
        )


def _cell(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "NO"
    if isinstance(value, (float, np.floating)):
        # + 0.0 turns the -0.0 of a tiny negative (a slack of -1e-12) into 0.0: "-0.000000"
        # read as a violation in a row that has none.
        return f"{round(float(value), 6) + 0.0:.6f}"
    return str(value)
