"""The n**-1/2 alternative to the extrapolation's bias model, at a kink of the BROJA optimum.

Where both unique informations are 0 with equal channels p(y|t) = p(y|s), the plug-in union
information I* is biased like n**-1/2, not in powers of 1/n; the extrapolation of
:func:`pidkit.estimate.correct_counts` then removes only part of that bias (:func:`kink_fraction`),
and samples of one size cannot tell the two cases apart. :func:`kink_shift` is how far the atoms
would move under the n**-1/2 model (``BiasCorrection.kink``), and :func:`kink_pretest_shift` how
far the default correction ``"eb-extrapolation-kink"`` moves them where the data allow a kink
(``BiasCorrection.kink_pretest_shift``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import numpy as np

from .extrapolation import extrapolate

__all__ = ["KINK_PRETEST", "kink_fraction", "kink_pretest_shift", "kink_shift", "unique_lowered"]

KINK_PRETEST = 1.5
"""The pretest's threshold k: the atoms move where the smaller corrected unique information is
above 0 and at most k times the correction of the mean unique information U = (Uni_T + Uni_S) / 2.
Chosen on the grid of ``python -m benchmarks.estimate_kink`` and checked on 11 held-out joints of
10 x 10 x 10 cells (``--heldout``, docs/estimate-measured.md, task 391), total |bias| and RMSE of the four
atoms at most 0.50 and 1.00 of the plug-in's: k = 1.5 meets that on 20 of 22 held-out cells where
the quadratic alone meets it on 16, and lowers the near kinks' small Uni towards their truth
without going below it (0.0095 bits true at n = 450: ratio 0.52 to 0.29); on the grid it meets 13
of 14 like the quadratic, with ``sum10`` at 450 going from 0.70 to 0.51 (0.63 to 0.40 on 100
draws). Its cost is on Dirichlet joints at 450, where it fires without a kink:
``dirichlet10-0.1-seed13`` 0.11 / 0.55 to 0.19 / 0.76, ``dirichlet10-0.3-seed11`` 0.09 / 0.31 to
0.22 / 0.38, both within the target. k = 2 met no held-out cell more and failed
``dirichlet10-0.1-seed13`` on 60 draws (RMSE 1.01)."""


def unique_lowered(values: Mapping[str, float], shift: float) -> dict[str, float]:
    """``values`` (quantities by name) with both unique informations ``shift`` lower and Red and
    Syn ``shift`` higher, the informations as they are: the PID identities still hold.

    How the kink's models move the atoms (:func:`kink_pretest_shift`, ``BiasCorrection.kink``).

    Examples
    --------
    >>> from pidkit.estimate.kink import unique_lowered
    >>> unique_lowered({"red": 0.5, "uni_t": 0.1, "uni_s": 0.2, "syn": 0.3, "i_yt": 0.6}, 0.05)
    {'red': 0.55, 'uni_t': 0.05, 'uni_s': 0.15000000000000002, 'syn': 0.35, 'i_yt': 0.6}
    """
    move = {"red": shift, "uni_t": -shift, "uni_s": -shift, "syn": shift}
    return {name: value + move.get(name, 0.0) for name, value in values.items()}


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
    return cast(float, extrapolate(np.sqrt(m[0] / m), m))  # one value per size (1-D): a float


def _mean_unique_correction(plug: Mapping[str, float], corrected: Mapping[str, float]) -> float:
    """How far ``corrected`` lowered the mean unique information from ``plug``."""
    return (plug["uni_t"] - corrected["uni_t"] + plug["uni_s"] - corrected["uni_s"]) / 2


def kink_pretest_shift(plug: Mapping[str, float], corrected: Mapping[str, float],
                       k: float = KINK_PRETEST) -> float:
    """How far the kink pretest lowers both unique informations (and raises Red and Syn).

    Where the smaller corrected unique information ``gap`` is above 0 and at most ``k`` times the
    correction of the mean unique information (plug-in minus corrected), the data allow a kink
    (both Uni 0, whose bias the extrapolation only halves), and the atoms go halfway from the
    extrapolation's values to that floor: ``gap / 2``, the point of least worst-case bias between
    the two models. Elsewhere 0. The informations do not move, so the PID identities hold.

    Parameters
    ----------
    plug, corrected : mapping of str to float
        The plug-in and extrapolated atoms (``"uni_t"`` and ``"uni_s"`` are read).
    k : float, default=:data:`KINK_PRETEST`
        The threshold.

    Returns
    -------
    float
        The shift, >= 0 and at most half the smaller corrected unique information.

    Examples
    --------
    The smaller Uni 0.10 within 1.5 x 0.08 of 0: halfway down. 0.13 is not; an exact 0 stays.

    >>> from pidkit.estimate.kink import kink_pretest_shift
    >>> plug = {"uni_t": 0.20, "uni_s": 0.22}
    >>> round(kink_pretest_shift(plug, {"uni_t": 0.10, "uni_s": 0.16}), 12)
    0.05
    >>> kink_pretest_shift(plug, {"uni_t": 0.13, "uni_s": 0.13})
    0.0
    >>> kink_pretest_shift(plug, {"uni_t": 0.0, "uni_s": 0.1})
    0.0
    """
    gap = min(corrected["uni_t"], corrected["uni_s"])
    return gap / 2 if 0 < gap <= k * _mean_unique_correction(plug, corrected) else 0.0


def kink_shift(plug: Mapping[str, float], corrected: Mapping[str, float], sizes: Sequence[int],
               pretest_shift: float = 0.0) -> float:
    """The ``kink`` of a :class:`~pidkit.estimate.BiasCorrection`: how far an n**-1/2 model of the
    union information's bias would lower I* (both unique informations) and raise Red and Syn.

    ``r / (1 - r)`` times the extrapolation's correction of the mean unique information, ``r`` the
    :func:`kink_fraction` of ``sizes`` (the extrapolation's sample sizes, the full sample first),
    capped at the smaller final unique information (the extrapolated one less ``pretest_shift``)
    and never below 0.

    Parameters
    ----------
    plug, corrected : mapping of str to float
        The plug-in and extrapolated atoms (``"uni_t"`` and ``"uni_s"`` are read), before the
        pretest.
    sizes : sequence of int
        The sample sizes the extrapolation fitted.
    pretest_shift : float, default=0.0
        How far :func:`kink_pretest_shift` lowered both unique informations after the
        extrapolation.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit.estimate.kink import kink_shift
    >>> round(kink_shift({"uni_t": 0.3, "uni_s": 0.3}, {"uni_t": 0.25, "uni_s": 0.25}, (450, 225, 112)), 3)
    0.051
    >>> low = {"uni_t": 0.05, "uni_s": 0.05}  # the pretest moved both by 0.025: capped at the 0.025 left
    >>> round(kink_shift({"uni_t": 0.3, "uni_s": 0.3}, low, (450, 225, 112), pretest_shift=0.025), 3)
    0.025
    """
    m = np.asarray(sizes, dtype=float)
    # Sizes unchecked: a tiny sample can repeat a size. One value per size (1-D): a float.
    r = cast(float, extrapolate(np.sqrt(m[0] / m), m))
    smaller = min(corrected["uni_t"], corrected["uni_s"]) - pretest_shift
    return max(0.0, min(r / (1.0 - r) * _mean_unique_correction(plug, corrected), smaller))
