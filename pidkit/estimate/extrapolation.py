"""Strong et al.'s extrapolation to an infinite sample: the intercept ``a`` of ``a + b/m + c/m**2``
fitted by least squares to values at sample sizes ``m``.

:func:`pidkit.estimate.correct_counts` fits the mean plug-in atoms of its subsamples with it, and
:func:`pidkit.estimate.kink_fraction` fits ``m**-1/2`` with it, to say how much of a bias of that
shape the same fit leaves in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["extrapolate"]


def extrapolate(values: Any, sizes: Any) -> np.ndarray | float:
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
        ``a``, the values extrapolated to m = infinity. A column of zeros gives 0.0 exactly.

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
    m = np.asarray(sizes, dtype=float)
    y = np.asarray(values, dtype=float)
    if m.ndim != 1 or not (np.isfinite(m) & (m > 0)).all():
        raise ValueError(f"sizes must be a 1-D sequence of positive sample sizes, e.g. (450, 225, 112); "
                         f"got {sizes!r}.")
    if y.ndim not in (1, 2) or len(y) != len(m):
        raise ValueError(f"values must hold one value (or one row) per size: {len(m)} for sizes "
                         f"{tuple(m.tolist())}; got shape {y.shape}.")
    design = np.stack([np.ones_like(m), 1.0 / m, 1.0 / m**2], axis=1)
    intercept = np.linalg.lstsq(design, y, rcond=None)[0][0] + 0.0  # a column of zeros: 0.0, not -0.0
    return float(intercept) if y.ndim == 1 else intercept
