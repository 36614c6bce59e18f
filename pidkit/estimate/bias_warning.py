"""The warning that a plug-in estimate's expected bias is too large to trust it.

:func:`pidkit.estimate.pid_from_representations` with ``bias_correction="none"`` warns
(:class:`PluginBiasWarning`) when the expected plug-in bias of I(Y;T,S) exceeds
:data:`BIAS_WARNING_RATIO` of its estimate (:func:`bias_ratio`) and :data:`BIAS_WARNING_FLOOR`
bits, for either estimator; the text (:func:`bias_warning_text`) is also kept in the result's
``bias_warning``, and the ratio in its ``bias["ratio"]``. :func:`pidkit.estimate.bootstrap`, whose
intervals are made of plug-in replicates, warns by the same rule, its last sentences saying what
its intervals are and naming the corrected route instead.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import gammaln

from pidkit._rounding import rounding_level
from pidkit._units import from_nats, to_nats

__all__ = [
    "BIAS_WARNING_FLOOR", "BIAS_WARNING_RATIO", "PluginBiasWarning", "bias_ratio", "bias_warning_text",
    "plugin_bias",
]

BIAS_WARNING_RATIO = 0.1
"""Warn when the expected plug-in bias of I(Y;T,S) exceeds this fraction of its estimate (and
:data:`BIAS_WARNING_FLOOR`)."""

BIAS_WARNING_FLOOR = 5e-4
"""Warn only when the expected plug-in bias of I(Y;T,S) also exceeds this many bits (3.47e-4 nats):
half the last digit of an atom printed to three decimals, as the messages and docs print them.

The ratio alone fired at any n where the information is about 0: independent binary Y, T and S
(8 cells) warned in 20 of 20 draws at n = 1000, 10,000 and 100,000 (the plug-in is then all bias,
however small the bias). Measured on independent 2 x 2 x 2, 3 x 3 x 3 and 4 x 4 x 4 tables (20 draws each
at n = 1000 to 100,000): where the expected bias was 2.2e-4 to 3.8e-4 bits, 0 to 8 of 20 draws
printed any plug-in atom other than 0.000; from 7.2e-4 bits up, 14 to 20 of 20 did. Every case
the warning was written for is far above it (sparse tables: 0.02 to 3 bits); the smallest in the
tests, 3 x 3 x 3 labels at n = 5000 (every cell seen), is 0.0023 bits. On independent 2 x 2 x 2
tables the default correction's RMSE of every atom was at or above the plug-in's at every n tried
(100 to 10,000, 50 draws), the floor's quiet n = 10,000 included: staying quiet there withholds no
advice that helps."""

_ESTIMATOR_ADVICE = ("Use a bias correction (bias_correction='auto'), more samples or fewer clusters or "
                     "components.")
"""The last sentence of the estimators' :class:`PluginBiasWarning`: their arguments that lessen the bias."""


class PluginBiasWarning(UserWarning):
    """The sample is too small for the plug-in estimate of the joint information to be trusted.

    Given by :func:`pidkit.estimate.pid_from_representations` with ``bias_correction="none"``
    when the expected plug-in bias of I(Y;T,S) exceeds :data:`BIAS_WARNING_RATIO` of its
    estimate and :data:`BIAS_WARNING_FLOOR` (5e-4 bits: below it no atom printed to three decimals
    moves); the text is also kept in the result's ``bias_warning``. :func:`pidkit.estimate.bootstrap`
    gives it by the same rule: its intervals, made of plug-in replicates, do not cover that bias.

    Examples
    --------
    60 samples over 2 x 8 x 8 = 128 cells:

    >>> import warnings
    >>> import numpy as np
    >>> from pidkit.estimate import PluginBiasWarning, pid_from_representations
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 60)
    >>> t, s = y[:, None] + rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", PluginBiasWarning)
    ...     res = pid_from_representations(y, t, s, n_clusters=8, bias_correction="none")
    >>> [str(w.message) == res.bias_warning for w in caught if w.category is PluginBiasWarning]
    [True]
    >>> print(res.bias_warning)                      # doctest: +ELLIPSIS
    the expected plug-in bias of I(Y;T,S) with 60 samples over 128 cells is ... so the atoms \
are likely overestimated. Use a bias correction (bias_correction='auto'), more samples or fewer \
clusters or components.
    """

    __module__ = "pidkit.estimate"  # where users import it from: messages and pickles name it


def bias_ratio(bias: float, estimate: float) -> float:
    """``bias["ratio"]`` of a :class:`~pidkit.estimate.RepresentationPID`: the expected plug-in
    bias of I(Y;T,S) as a fraction of its plug-in estimate.

    Defined in every case: 0.0 when the expected bias is 0 (Y or (T, S) takes one value, so the
    information is exactly 0 and there is nothing to correct, or Y is a function of (T, S) in the
    sample with no cell seen once; this is 0/0 when the estimate is 0),
    ``math.inf`` (None in ``to_dict``) when the bias is positive and the estimate is 0 to rounding
    (:func:`rounding_level`).

    Parameters
    ----------
    bias : float
        Expected plug-in bias of I(Y;T,S) (at least 0).
    estimate : float
        Plug-in I(Y;T,S), in the same units.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit.estimate.bias_warning import bias_ratio
    >>> bias_ratio(0.01, 0.5), bias_ratio(0.0, 0.0), bias_ratio(0.01, -7.3e-17)
    (0.02, 0.0, inf)
    """
    if bias == 0.0:
        return 0.0
    return bias / estimate if estimate > rounding_level([estimate]) else math.inf


def bias_warning_text(
    bias: dict[str, float], i_yts: float, n_samples: int, cells: str, units: str,
    advice: str = _ESTIMATOR_ADVICE,
) -> str | None:
    """The :class:`PluginBiasWarning` message when the expected plug-in bias of I(Y;T,S) exceeds
    :data:`BIAS_WARNING_RATIO` of ``i_yts`` (:func:`bias_ratio`) and :data:`BIAS_WARNING_FLOOR`
    bits.

    ``cells`` says what the samples were spread over (e.g. ``"1000 cells"``); ``advice``, the
    message's last sentences, what the caller can do about it (by default the estimators' own
    arguments: a bias correction, more samples, fewer clusters or components). Returns None when
    the expected bias is a small share of ``i_yts``, at most the floor (it would move no atom
    printed to three decimals, whatever its share of an ``i_yts`` near 0), or 0 (nothing to
    correct, whatever the estimate).

    Examples
    --------
    Independent binary Y, T and S (8 cells, every atom 0), whose plug-in I(Y;T,S) is about its
    expected bias ``3 / (2 n ln 2)`` bits: at n = 1000 that is 0.00216 bits and warned of; at
    n = 10,000, 0.000216 bits, below the floor:

    >>> import math
    >>> from pidkit.estimate.bias_warning import bias_warning_text
    >>> def expected(n):
    ...     return {"i_yts": 3 / (2 * n * math.log(2))}
    >>> print(bias_warning_text(expected(1000), 0.0019, 1000, "8 cells", "bits", advice="Count more."))
    the expected plug-in bias of I(Y;T,S) with 1000 samples over 8 cells is 0.00216 bits, 114% of \
the estimate 0.0019 bits, so the atoms are likely overestimated. Count more.
    >>> bias_warning_text(expected(10000), 0.00019, 10000, "8 cells", "bits") is None
    True
    """
    ratio = bias_ratio(bias["i_yts"], i_yts)
    floor = from_nats(to_nats(BIAS_WARNING_FLOOR, "bits"), units)
    if not ratio > BIAS_WARNING_RATIO or not bias["i_yts"] > floor:
        return None
    share = (  # an estimate of 0 made the ratio inf: "inf% of the estimate 0 bits"
        f"{ratio:.0%} of the estimate {i_yts:.3g} {units}, so the atoms are likely overestimated"
        if math.isfinite(ratio)
        else f"and the estimate 0 {units}, so the atoms cannot be told from that bias"
    )
    return (
        f"the expected plug-in bias of I(Y;T,S) with {n_samples} samples over {cells} is "
        f"{bias['i_yts']:.3g} {units}, {share}. {advice}"
    )


def _cell_share(mean_count: float) -> float:
    """A cell's share of the first-order count of its table, ``2 (E[X ln X] - m ln m)`` for a count
    ``X`` Poisson of mean ``m``: the cell's part of the plug-in entropy's expected shortfall, in
    units of ``1 / (2 n)`` nats. It tends to 1 (Miller and Madow's share) as ``m`` grows, and is
    about ``2 m ln(1 / m)`` for a cell rarely seen."""
    if mean_count <= 0.0:
        return 0.0
    x = np.arange(1, int(mean_count + 12.0 * math.sqrt(mean_count)) + 30, dtype=float)
    log_pmf = x * math.log(mean_count) - mean_count - gammaln(x + 1.0)
    return 2.0 * (float(np.sum(np.exp(log_pmf) * x * np.log(x))) - mean_count * math.log(mean_count))


def _first_order_cells(counts: np.ndarray) -> float:
    """The cells a table counts for in the plug-in entropy's first-order bias: each cell seen, and
    the cells not seen sharing the mass Good and Turing estimate they hold (``f1 / n``, ``f1``
    cells seen once), each of mean count ``f1 / u`` for ``u`` cells not seen (``_cell_share``)."""
    counts = counts.ravel()
    seen = np.count_nonzero(counts)
    unseen = counts.size - seen
    if unseen == 0:
        return float(seen)
    return seen + unseen * _cell_share(np.count_nonzero(counts == 1) / unseen)


def plugin_bias(counts: np.ndarray, units: str = "bits") -> dict[str, float]:
    """Expected plug-in bias of I(Y;T), I(Y;S) and I(Y;T,S), first order: ``(m_YB - m_Y - m_B + 1)
    / (2 n)`` nats for each table ``p[y, b]``, ``m`` the cells it counts for
    (``_first_order_cells``), at least 0. Every cell counted instead (``m_YB = |Y| |B|``), it was
    8 to 57 times the plug-in's bias on joints with most cells empty (docs/estimate.md, "The
    first-order rule").

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_y, n_t, n_s)
        Whole-number counts ``[y, t, s]`` (``joint_from_samples(...).counts``).
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    dict of str to float
        ``"i_yt"``, ``"i_ys"`` and ``"i_yts"``.

    Examples
    --------
    Every cell seen, it is Miller and Madow's ``(|Y| - 1)(|T| |S| - 1) / (2 n)``:

    >>> import numpy as np
    >>> from pidkit.estimate.bias_warning import plugin_bias
    >>> bias = plugin_bias(np.full((2, 2, 2), 50), units="nats")
    >>> round(bias["i_yts"], 12) == round(1 * 3 / (2 * 400), 12)
    True
    """
    n_samples = int(counts.sum())

    def bias(table: np.ndarray) -> float:
        cells = (_first_order_cells(table) - _first_order_cells(table.sum(axis=1))
                 - _first_order_cells(table.sum(axis=0)) + 1.0)
        return from_nats(max(0.0, cells) / (2.0 * n_samples), units)

    return {"i_yt": bias(counts.sum(axis=2)), "i_ys": bias(counts.sum(axis=1)),
            "i_yts": bias(counts.reshape(counts.shape[0], -1))}
