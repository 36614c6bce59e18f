"""The rounding level below which a value is an exact 0 that came back rounded: one leaf module, so
that the plug-in bias warning (which reads it) can be raised by the measures without an import cycle."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

ROUNDING_TOLERANCE = 1e-9
"""Share of the values' scale (1 bit or nat at least) within which a value is an exact 0 that came
back rounded (:func:`rounding_level`): the optimality gap to which :func:`pidkit.pid` certifies
each atom by default, ``pidkit.broja.DEFAULT_TOL_BITS`` = 1e-9 (the Gaussian PID's default is
the same; tests/test_estimate_rounding_amplification.py keeps the three equal: this leaf module
imports no solver)."""

__all__ = ["ROUNDING_TOLERANCE", "check_amplification", "rounding_level"]


def check_amplification(amplification: object) -> float:
    """``amplification`` as a float, if it is a finite number >= 1; else an error naming it.

    It is how many times the solves' rounding a value can carry: the sum of ``|w|`` of the
    weights ``w`` with which the value combines solves (1 for one solve; the weights of an
    estimate of the same quantity sum to 1, so the sum of their sizes is at least 1).

    Examples
    --------
    >>> check_amplification(5)
    5.0
    >>> check_amplification(0.5)
    Traceback (most recent call last):
    ...
    ValueError: amplification must be a finite number >= 1, the sum of |weights| with which a value \
combines solves (1 for one solve, 5 for the default extrapolation's 8/3, -2 and 1/3); got 0.5.
    """
    expected = ("amplification must be a finite number >= 1, the sum of |weights| with which a value "
                "combines solves (1 for one solve, 5 for the default extrapolation's 8/3, -2 and 1/3)")
    if isinstance(amplification, bool) or not isinstance(amplification, numbers.Real):
        raise TypeError(f"{expected}; got {amplification!r} ({type(amplification).__name__}).")
    if not math.isfinite(amplification) or amplification < 1.0:  # numbers.Real promises < and <=
        raise ValueError(f"{expected}; got {amplification!r}.")
    return float(amplification)


def rounding_level(values: Iterable[float], *, amplification: float = 1.0) -> float:
    """How far from 0 a value can be and still be an exact 0 that came back rounded.

    :data:`ROUNDING_TOLERANCE` (1e-9) times the largest ``|value|``, or times 1 (bit or nat) when
    every value is smaller, times ``amplification``. The atoms of a PID come from a solve
    certified only to within that gap (it stops once below it, mostly far below: -1.5e-12 bits
    for a Uni that is exactly 0, a student whose clusters are the teacher's, n = 400), so a value
    nearer 0 than the tolerance cannot be told from 0 by the solves. A corrected value combines
    several solves (the sample's and its subsamples', extrapolated with weights 8/3, -2 and 1/3
    at the default sizes), each off by up to the tolerance, so it can be off by the sum of the
    weights' sizes times it (5 there; ``BiasCorrection.rounding_amplification``,
    :func:`pidkit.estimate.extrapolation.rounding_amplification`): a Syn that is exactly 0 came
    back as -1.6e-9 bits, 1.6 times the tolerance (a relabelled teacher, 144 samples). The level
    grows with the scale as the float rounding of entropies and of the solves' certificates does
    (``pidkit.broja.program.rounding_allowance``); float rounding alone, tens of ulps of the
    scale (about 1e-14), lies far inside it. Printed to 6 decimals, nothing this small shows.

    Parameters
    ----------
    values : iterable of float
        The quantities that set the scale (e.g. the plug-in and corrected informations).
    amplification : float, default=1.0
        How many times the solves' rounding the values can carry (a finite number >= 1):
        1 for plug-in values (one solve each), the correction's
        ``BiasCorrection.rounding_amplification`` for corrected ones.

    Returns
    -------
    float
        The tolerance, in the values' units.

    Raises
    ------
    TypeError, ValueError
        For an ``amplification`` that is no finite number >= 1.

    Examples
    --------
    >>> from pidkit.below_zero import rounding_level
    >>> rounding_level([0.2, -1.5e-12]), rounding_level([2.0, -7.3e-17])
    (1e-09, 2e-09)
    >>> rounding_level([2.0, -1.6e-9], amplification=5.0)  # a value extrapolated from three solves
    1e-08
    """
    return check_amplification(amplification) * ROUNDING_TOLERANCE * max([1.0, *(abs(v) for v in values)])
