"""Strong et al.'s extrapolation to an infinite sample: the intercept ``a`` of ``a + b/m + c/m**2``
fitted by least squares to values at sample sizes ``m``.

The intercept is a weighted sum of the values (:func:`extrapolation_weights`), and
:func:`rounding_amplification`, the sum of the weights' sizes, is how many times the rounding of
the values the intercept can carry. :func:`pidkit.estimate.correct_counts` fits the mean plug-in
informations of its subsamples with it, and :func:`pidkit.estimate.kink_fraction` fits
``m**-1/2`` with it, to say how much of a bias of that shape the same fit leaves in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, overload

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["extrapolate", "extrapolation_weights", "rounding_amplification"]


def extrapolation_weights(sizes: Any) -> np.ndarray:
    """The weights ``w`` that make ``w @ values`` the intercept of the least-squares fit
    ``a + b/m + c/m**2`` at sizes ``sizes``: the first row of the fit's pseudo-inverse.

    They sum to 1 (a constant extrapolates to itself).

    Parameters
    ----------
    sizes : array_like of float, shape (n_sizes,)
        The sample sizes ``m``, each > 0. Three distinct ones determine the quadratic; with fewer,
        the fit is the least-squares one of smallest norm.

    Returns
    -------
    numpy.ndarray of shape (n_sizes,)
        The weight of the value at each size.

    Raises
    ------
    ValueError
        For sizes that are not a 1-D sequence of positive, finite numbers.

    Examples
    --------
    The full sample, its halves and its quarters (Lagrange's 8/3, -2 and 1/3 at 1/m = 0):

    >>> from pidkit.estimate.extrapolation import extrapolation_weights
    >>> extrapolation_weights([400, 200, 100]).round(12).tolist()
    [2.666666666667, -2.0, 0.333333333333]
    """
    m = np.asarray(sizes, dtype=float)
    if m.ndim != 1 or not (np.isfinite(m) & (m > 0)).all():
        raise ValueError(f"sizes must be a 1-D sequence of positive sample sizes, e.g. (450, 225, 112); "
                         f"got {sizes!r}.")
    design = np.stack([np.ones_like(m), 1.0 / m, 1.0 / m**2], axis=1)
    return np.linalg.lstsq(design, np.eye(len(m)), rcond=None)[0][0]


def rounding_amplification(sizes: Any) -> float:
    """How many times the rounding of the values their extrapolation over ``sizes`` can carry:
    the sum of ``|w|`` over the :func:`extrapolation_weights`.

    A value certified only to within ``e`` at each size (a solve's optimality gap) extrapolates
    to within this many times ``e``; it is at least 1, and 5 for halves and quarters (8/3 + 2 +
    1/3), a little less where ``n`` is not a multiple of 4 (4.98 at (450, 225, 112)).

    Parameters
    ----------
    sizes : array_like of float, shape (n_sizes,)
        The sample sizes the extrapolation fits, as :func:`extrapolation_weights` takes them.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit.estimate.extrapolation import rounding_amplification
    >>> round(rounding_amplification([400, 200, 100]), 12), round(rounding_amplification([450, 225, 112]), 4)
    (5.0, 4.9823)
    """
    return float(np.abs(extrapolation_weights(sizes)).sum())


@overload
def extrapolate(values: Sequence[float], sizes: ArrayLike) -> float: ...
@overload
def extrapolate(values: Sequence[Sequence[float]], sizes: ArrayLike) -> np.ndarray: ...
@overload
def extrapolate(values: ArrayLike, sizes: ArrayLike) -> np.ndarray | float: ...
def extrapolate(values: ArrayLike, sizes: ArrayLike) -> np.ndarray | float:
    """The intercept of the least-squares fit ``a + b/m + c/m**2`` to ``values`` at sizes ``sizes``.

    Parameters
    ----------
    values : array_like of float, shape (n_sizes,) or (n_sizes, k)
        The value at each size (a row each; ``k`` columns are fitted one by one).
    sizes : array_like of float, shape (n_sizes,)
        The sample sizes ``m``, each > 0. Three distinct ones determine the quadratic; with fewer,
        the fit is the least-squares one of smallest norm.

    Returns
    -------
    float or numpy.ndarray of shape (k,)
        ``a``, the values extrapolated to m = infinity: :func:`extrapolation_weights` ``@ values``.
        A column of zeros gives 0.0 exactly. Its type follows ``values.ndim``, and so does its hint
        where that is in the type of ``values``: a sequence of numbers gives a float, a sequence
        of rows an array. A numpy array's hint says ``numpy.ndarray | float``: numpy's hints do
        not hold an array's dimensions reliably (``np.zeros((3, 2)) / 2`` is typed as of any
        shape, which an overload for 1-D arrays would accept), so narrow it where the caller knows
        them (``float(extrapolate(np.sqrt(m[0] / m), m))``, or ``typing.cast``).

    Raises
    ------
    ValueError
        For sizes that are not positive and finite, or values with another number of rows.

    Examples
    --------
    Values on the quadratic ``2 + 3/m + 5/m**2`` give back its intercept:

    >>> from pidkit.estimate.extrapolation import extrapolate
    >>> m = [400.0, 200.0, 100.0]
    >>> round(extrapolate([2 + 3 / x + 5 / x**2 for x in m], m), 12)
    2.0
    """
    weights = extrapolation_weights(sizes)
    y = np.asarray(values, dtype=float)
    if y.ndim not in (1, 2) or len(y) != len(weights):
        raise ValueError(f"values must hold one value (or one row) per size: {len(weights)} for sizes "
                         f"{tuple(np.asarray(sizes, dtype=float).tolist())}; got shape {y.shape}.")
    intercept = weights @ y + 0.0  # a column of zeros: 0.0, not -0.0
    return float(intercept) if y.ndim == 1 else intercept
