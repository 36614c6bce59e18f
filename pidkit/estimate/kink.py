"""The n**-1/2 alternative to the extrapolation's bias model, at a kink of the BROJA optimum.

Where both unique informations are 0 with equal channels p(y|t) = p(y|s), the plug-in union
information I* is biased like n**-1/2, not in powers of 1/n; the extrapolation of
:func:`pidkit.estimate.correct_counts` then removes only part of that bias (:func:`kink_fraction`),
and samples of one size cannot tell the two cases apart. :func:`kink_shift` is how far the atoms
would move under the n**-1/2 model (``BiasCorrection.kink``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .extrapolation import extrapolate

__all__ = ["kink_fraction", "kink_shift"]


def kink_fraction(sizes: Sequence[int]) -> float:
    """Fraction of an n**-1/2 bias that the extrapolation over ``sizes`` leaves in place.

    The extrapolation's intercept is a weighted sum of the values at the sizes (the first one the
    full sample); applied to a bias ``b * m**-1/2`` it leaves ``r * b * n**-1/2``.

    Examples
    --------
    Halves and quarters (the default): the quadratic through three points leaves half of it.

    >>> from pidkit.estimate import kink_fraction
    >>> round(kink_fraction((450, 225, 112)), 3)
    0.505
    """
    expected = "sizes must be at least three distinct positive sample sizes, the full sample's first"
    try:
        m = np.asarray(sizes, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{expected}, e.g. (450, 225, 112); got {sizes!r}.") from None
    if m.ndim != 1 or len(set(m.tolist())) < 3 or not (np.isfinite(m) & (m > 0)).all():
        raise ValueError(f"{expected}, e.g. (450, 225, 112): a quadratic in 1/n needs three; got {sizes!r}.")
    return extrapolate(np.sqrt(m[0] / m), m)


def kink_shift(plug: Mapping[str, float], corrected: Mapping[str, float], sizes: Sequence[int]) -> float:
    """The ``kink`` of a :class:`~pidkit.estimate.BiasCorrection`: how far an n**-1/2 model of the
    union information's bias would lower I* (both unique informations) and raise Red and Syn.

    ``r / (1 - r)`` times the correction of the mean unique information, ``r`` the
    :func:`kink_fraction` of ``sizes`` (the extrapolation's sample sizes, the full sample first),
    capped at the smaller corrected unique information and never below 0.

    Parameters
    ----------
    plug, corrected : mapping of str to float
        The plug-in and extrapolated atoms (``"uni_t"`` and ``"uni_s"`` are read).
    sizes : sequence of int
        The sample sizes the extrapolation fitted.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit.estimate.kink import kink_shift
    >>> round(kink_shift({"uni_t": 0.3, "uni_s": 0.3}, {"uni_t": 0.25, "uni_s": 0.25}, (450, 225, 112)), 3)
    0.051
    """
    m = np.asarray(sizes, dtype=float)
    r = extrapolate(np.sqrt(m[0] / m), m)  # unchecked: a tiny sample can repeat a size
    mean_unique_fix = (plug["uni_t"] - corrected["uni_t"] + plug["uni_s"] - corrected["uni_s"]) / 2
    return max(0.0, min(r / (1.0 - r) * mean_unique_fix, corrected["uni_t"], corrected["uni_s"]))
