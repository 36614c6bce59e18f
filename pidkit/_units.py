"""Units of information: every quantity is computed in nats and reported in bits or nats."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

from ._caller import user_stacklevel
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


LOOSE_TOL_BITS = 1e-6
"""The ``tol`` (bits) at and below which no ``tol`` is loose, whatever the joint: a certified gap that
small moves an atom by at most about a unit of the sixth decimal that results print. Nor is any
``tol`` loose for a joint whose I(Y;T,S) is that small: no atom, between 0 and I(Y;T,S), can be off
by more."""

LOOSE_TOL_SHARE = 0.01
"""The share of a joint's I(Y;T,S) from which a ``tol`` above :data:`LOOSE_TOL_BITS` is loose: its
status ``"optimal"`` then lets each atom be off by 1 % of all the information there is to split."""


def loose_tol(tol_nats: float, i_yts: float, units: str) -> bool:
    """Whether ``tol`` (``tol_nats``, in nats) is loose for a joint whose I(Y;T,S) is ``i_yts`` (in
    ``units``): ``tol`` and I(Y;T,S) above :data:`LOOSE_TOL_BITS`, and ``tol`` at least
    :data:`LOOSE_TOL_SHARE` of I(Y;T,S), the rule of :func:`warn_of_loose_tol`.

    Examples
    --------
    >>> [loose_tol(to_nats(tol, "bits"), 0.811, "bits") for tol in (1.0, 1e-3, 1e-6)]
    [True, False, False]
    >>> loose_tol(to_nats(1.0, "bits"), 0.0, "bits")   # independent: every atom is 0 whatever tol is
    False
    """
    i_yts_nats = to_nats(i_yts, units)
    floor = to_nats(LOOSE_TOL_BITS, "bits")
    return min(tol_nats, i_yts_nats) > floor and tol_nats >= LOOSE_TOL_SHARE * i_yts_nats


def warn_of_loose_tol(tol_nats: float, i_yts: Sequence[float], gaps: Sequence[float], units: str, *,
                      default_bits: float, batch: bool = False) -> None:
    """Warn (a ``UserWarning``, once for a batch) where ``tol`` (``tol_nats``, in nats) is loose
    (:func:`loose_tol`) for the joints whose I(Y;T,S) are ``i_yts`` and whose answers' certified gaps
    are ``gaps`` (in ``units``): ``tol=1`` on a joint of 0.81 bits was certified ``"optimal"`` after
    no iteration with a gap of 0.33 bits, a ``tol`` likely read as relative. The warning gives the
    joint's I(Y;T,S), the answer's gap, what ``tol`` bounds (the gap, in bits, whatever ``units``
    is) and which ``tol`` is not loose; ``default_bits`` is the caller's default. ``batch`` words
    it for a batch, whose joints it names ``ps[k]``.

    Examples
    --------
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_of_loose_tol(to_nats(1.0, "bits"), [0.811278], [0.333333], "bits", default_bits=1e-9)
    >>> print(caught[0].message)
    tol=1 bits is loose for this joint, whose I(Y;T,S) is 0.811 bits: a status of 'optimal' vouches \
only for a certified gap below tol, by which each atom may be off (this answer's gap: 0.333 bits). tol \
is an absolute bound in bits on the gap, whatever units is, not a relative one: leave it at its \
default, 1e-09, or pass one below 0.0081 bits (1 % of I(Y;T,S)).
    >>> warn_of_loose_tol(to_nats(1e-3, "bits"), [0.811278], [0.0], "bits", default_bits=1e-9)  # 0.1 %
    """
    loose = [k for k, i in enumerate(i_yts) if loose_tol(tol_nats, i, units)]
    if not loose:
        return
    least = min(i_yts[k] for k in loose)
    least_words = in_units(to_nats(least, units), units)
    gap_words = in_units(to_nats(max(gaps[k] for k in loose), units), units)
    if batch:
        more = f" and {len(loose) - 5} more" if len(loose) > 5 else ""
        whose = (f"{len(loose)} of {len(i_yts)} joints ({', '.join(f'ps[{k}]' for k in loose[:5])}{more}), "
                 f"the least I(Y;T,S) among them {least_words}")
        gaps_words, share = f"their largest gap: {gap_words}", "of the least I(Y;T,S)"
    else:
        whose = f"this joint, whose I(Y;T,S) is {least_words}"
        gaps_words, share = f"this answer's gap: {gap_words}", "of I(Y;T,S)"
    bound = from_nats(LOOSE_TOL_SHARE * to_nats(least, units), "bits")  # above 0: least is above the floor
    scale = 10.0 ** (math.floor(math.log10(bound)) - 1)
    shown = math.floor(bound / scale) * scale  # two digits, rounded down: a tol below it is not loose
    fix = (f"one below {shown:.2g} bits ({LOOSE_TOL_SHARE * 100:g} % {share})" if bound > LOOSE_TOL_BITS
           else f"one of at most {LOOSE_TOL_BITS:g} bits")
    warnings.warn(
        f"tol={from_nats(tol_nats, 'bits'):g} bits is loose for {whose}: a status of 'optimal' vouches "
        f"only for a certified gap below tol, by which each atom may be off ({gaps_words}). tol is an "
        "absolute bound in bits on the gap, whatever units is, not a relative one: leave it at its "
        f"default, {default_bits:g}, or pass {fix}.", UserWarning, stacklevel=user_stacklevel())
