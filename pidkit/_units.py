"""Units of information: every quantity is computed in nats and reported in bits or nats."""

from __future__ import annotations

import math

_NATS_PER_UNIT = {"bits": math.log(2.0), "nats": 1.0}


def check_units(units: str) -> str:
    """Return ``units`` if it names a supported unit, else raise ``ValueError``."""
    if not isinstance(units, str) or units not in _NATS_PER_UNIT:
        raise ValueError(f"units must be 'bits' or 'nats'; got {units!r}.")
    return units


def from_nats(value: float, units: str) -> float:
    """Convert ``value`` in nats to ``units``."""
    return float(value) / _NATS_PER_UNIT[check_units(units)]


def to_nats(value: float, units: str) -> float:
    """Convert ``value`` in ``units`` to nats."""
    return float(value) * _NATS_PER_UNIT[check_units(units)]
