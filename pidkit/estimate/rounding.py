"""Which estimated quantities are below 0, and which are an exact 0 that rounding left at -1e-16.

An information that is exactly 0 (a side with one value, a source independent of the rest) comes
out of a difference of entropies, or of corrected values, as about -1e-16 rather than 0. Such a
value is not "below 0" in any sense a user can act on: :func:`rounding_level` says how far from 0
rounding reaches, and :func:`below_zero` names only the quantities below it. The bias corrections
(``BiasCorrection.negative``) and the ``repr`` of a
:class:`~pidkit.estimate.RepresentationPID` share them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np

__all__ = ["ROUNDING_ULPS", "below_zero", "rounding_level"]

ROUNDING_ULPS = 64
"""float64 ulps of the values' scale within which a value is rounding of an exact 0
(:func:`rounding_level`)."""


def rounding_level(values: Iterable[float]) -> float:
    """How far from 0 a value can be and still be rounding of an exact 0.

    :data:`ROUNDING_ULPS` float64 ulps of the largest ``|value|``, or of 1 (bit or nat) when every
    value is smaller: an information that is exactly 0 is a difference of entropies of that order
    (a corrected one, a combination of several), so it comes back as about -1e-16, not 0.

    Parameters
    ----------
    values : iterable of float
        The quantities that set the scale (e.g. the plug-in and corrected informations).

    Returns
    -------
    float
        The tolerance, in the values' units.

    Examples
    --------
    >>> from pidkit.estimate.rounding import rounding_level
    >>> rounding_level([0.2, -7.3e-17]) == 64 * 2.0**-52
    True
    >>> rounding_level([0.2, -7.3e-17]) > 7.3e-17
    True
    """
    return ROUNDING_ULPS * float(np.finfo(float).eps) * max([1.0, *(abs(v) for v in values)])


def below_zero(values: Mapping[str, float], scale: Iterable[float] = ()) -> tuple[str, ...]:
    """The names of ``values`` below 0 by more than :func:`rounding_level` of them and ``scale``.

    Parameters
    ----------
    values : mapping of str to float
        The quantities, by name (e.g. the corrected atoms and informations).
    scale : iterable of float, optional
        Further values that set the scale of the rounding (e.g. the plug-in ones).

    Returns
    -------
    tuple of str
        In the order of ``values``.

    Examples
    --------
    >>> from pidkit.estimate.rounding import below_zero
    >>> below_zero({"red": 0.0, "uni_s": -2.2e-16, "syn": -0.01, "i_yts": 1.5})
    ('syn',)
    """
    zero = rounding_level([*values.values(), *scale])
    return tuple(name for name, value in values.items() if value < -zero)
