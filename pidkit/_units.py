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


def in_units(value_nats: float, units: str) -> str:
    """``value_nats`` as a message writes it: in ``units``, and in bits as well where ``units`` is
    not bits (``tol`` is read in bits, so a message comparing a quantity with it shows both).

    Examples
    --------
    >>> in_units(1e-8, "nats"), in_units(1e-8, "bits")
    ('1e-08 nats (1.44e-08 bits)', '1.44e-08 bits')
    """
    shown = f"{from_nats(value_nats, units):.3g} {units}"
    return shown if units == "bits" else f"{shown} ({from_nats(value_nats, 'bits'):.3g} bits)"


def gap_exceeds_tol(gap_nats: float, tol_nats: float, units: str) -> str:
    """The words of a certified gap that exceeds ``tol``, the gap in ``units`` (and bits), ``tol``
    as the caller passed it: in bits, whatever ``units`` is.

    Examples
    --------
    >>> gap_exceeds_tol(1e-8, to_nats(1.2e-8, "bits"), "nats")
    'certified gap 1e-08 nats (1.44e-08 bits) exceeds tol=1.2e-08 bits'
    """
    return f"certified gap {in_units(gap_nats, units)} exceeds tol={from_nats(tol_nats, 'bits'):g} bits"


def tol_to_pass(needed_nats: float, why: str) -> str:
    """The advice to pass a ``tol`` (in bits) of twice ``needed_nats``, rounded up to one
    significant digit; ``why`` names what was doubled (``"the gap"``).

    Examples
    --------
    >>> tol_to_pass(to_nats(7.2e-9, "bits"), "the gap")
    'pass tol=2e-08 or more (twice the gap, for a margin; tol is in bits whatever units is)'
    """
    twice = 2.0 * from_nats(needed_nats, "bits")
    scale = 10.0 ** math.floor(math.log10(twice))
    rounded_up = math.ceil(twice / scale * (1 - 1e-12)) * scale
    return f"pass tol={rounded_up:.0e} or more (twice {why}, for a margin; tol is in bits whatever units is)"
