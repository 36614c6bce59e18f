"""The answer every redundancy solver of the family returns: Red in nats, its verdict and evidence."""

from __future__ import annotations

from typing import Any, NamedTuple


class MeasureValue(NamedTuple):
    """A redundancy in nats with the verdict and the numbers that back it.

    Attributes
    ----------
    nats : float
        Red(Y:T,S) in nats.
    status : str
        A status of :mod:`pidkit._status` (certified, inaccurate or failed).
    message : str
        How the value was found, in words.
    method : str
        The computation: ``"closed-form"``, ``"gacs-korner"``, ``"vertex-lp"``, ``"bounds"``, ...
    gap_nats : float, default=0.0
        Certified bound on the error of ``nats``.
    solver : str or None, default=None
        The numerical solver that ran, if any.
    diagnostics : dict or None, default=None
        Measure-specific details (numbers of vertices or components, the optimal Q joint, ...).
    """

    nats: float
    status: str
    message: str
    method: str
    gap_nats: float = 0.0
    solver: str | None = None
    diagnostics: dict[str, Any] | None = None
