"""Units of information: every quantity is computed in nats and reported in bits or nats."""

from __future__ import annotations

import math

from ._names import check_choice

_NATS_PER_UNIT = {"bits": math.log(2.0), "nats": 1.0}


def check_units(units: str) -> str:
    """Return ``units`` if it names a supported unit; ``ValueError`` (``TypeError`` for a non-string)."""
    return check_choice(units, tuple(_NATS_PER_UNIT), name="units")


def from_nats(value: float, units: str) -> float:
    """Convert ``value`` in nats to ``units``."""
    return float(value) / _NATS_PER_UNIT[check_units(units)]


def to_nats(value: float, units: str) -> float:
    """Convert ``value`` in ``units`` to nats."""
    return float(value) * _NATS_PER_UNIT[check_units(units)]
