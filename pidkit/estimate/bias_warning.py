"""The warning that a plug-in estimate's expected bias is too large to trust it.

:func:`pidkit.estimate.pid_from_representations` with ``bias_correction="none"`` warns
(:class:`PluginBiasWarning`) when the expected plug-in bias of I(Y;T,S) exceeds
:data:`BIAS_WARNING_RATIO` of its estimate (:func:`bias_ratio`) and :data:`BIAS_WARNING_FLOOR`
bits, for either estimator; the text (:func:`bias_warning_text`) is also kept in the result's
``bias_warning``, and the ratio in its ``bias["ratio"]``. :func:`pidkit.estimate.bootstrap`, whose
intervals are made of plug-in replicates, warns by the same rule, its last sentences saying what
its intervals are and naming the corrected route instead.

A second rule, for count tables, reads the unique informations where the first is quiet: where
both plug-in Uni are within :data:`KINK_WARNING_SPREAD` standard errors of I(Y;T) - I(Y;S) of 0,
the joint may be at the kink of the BROJA optimum (both Uni 0, p(y|t) = p(y|s)), where their
bias shrinks like n**-1/2 and the first-order bias of I(Y;T,S) does not show it (copy3 at
n = 200: Uni biased +0.10 bits, I(Y;T,S)'s first-order bias 4 % of it). :func:`unique_kink_bias`
is that bias's lower bound, kept in ``bias["uni_at_kink"]``; the rule warns where it exceeds
:data:`BIAS_WARNING_FLOOR`. It fired on 99 to 100 % of ``copy3``'s draws at n = 200 to 10,000
(docs/estimate-measured.md); it misses kinks of many cells (``sum10``, 1000 cells, Uni biased
+0.094 bits at n = 2000: 0 of 40 draws).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from scipy.special import gammaln

from pidkit._rounding import rounding_level
from pidkit._units import from_nats, to_nats

__all__ = [
    "BIAS_WARNING_FLOOR", "BIAS_WARNING_RATIO", "KINK_WARNING_SPREAD", "PluginBiasWarning", "bias_ratio",
    "bias_warning_rule", "bias_warning_text", "information_difference_se", "plugin_bias", "unique_kink_bias",
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
advice that helps. The kink rule (:func:`unique_kink_bias`) has the same floor, and kept quiet on
every draw of those tables where this rule does (:data:`KINK_WARNING_SPREAD`)."""

KINK_WARNING_SPREAD = 2.5
"""The kink rule reads a joint as possibly at the kink where both plug-in unique informations are at
most this many standard errors of I(Y;T) - I(Y;S) (:func:`information_difference_se`) above 0.

At a kink both Uni are 0 and I(Y;T) = I(Y;S), so the plug-in's Uni(Y:T\\S) - Uni(Y:S\\T), which is
its I(Y;T) - I(Y;S) exactly, is noise of that standard error, and the larger Uni is at least its
absolute value. Measured with ``python -m benchmarks.estimate_bias --warnings`` (100 draws a cell,
docs/estimate-measured.md): at 2.5 the rule fired on 99, 99 and 100 of ``copy3``'s draws at n = 200,
1000 and 10,000, and on 16 of ``redundant4``'s at n = 1000 (Uni(Y:T\\S) 0.145 bits, about 3
standard errors: not a kink); at 2 on 94 to 98 of ``copy3``'s, missing the draws of largest error,
and 6 of ``redundant4``'s; at 3 on 99 to 100 and 44. It kept quiet on every draw of the independent
tables where the first rule does (2 x 2 x 2 at n = 10,000 to 100,000, 3 x 3 x 3 at 30,000 and
100,000, 4 x 4 x 4 at 100,000)."""

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
    advice: str = _ESTIMATOR_ADVICE, *, unique: tuple[float, float] | None = None,
) -> str | None:
    """The :class:`PluginBiasWarning` message when the expected plug-in bias of I(Y;T,S) exceeds
    :data:`BIAS_WARNING_RATIO` of ``i_yts`` (:func:`bias_ratio`) and :data:`BIAS_WARNING_FLOOR`
    bits, or else when ``bias["uni_at_kink"]`` (:func:`unique_kink_bias`) exceeds that floor.

    ``cells`` says what the samples were spread over (e.g. ``"1000 cells"``); ``advice``, the
    message's last sentences, what the caller can do about it (by default the estimators' own
    arguments: a bias correction, more samples, fewer clusters or components). Returns None when
    the expected bias is a small share of ``i_yts``, at most the floor (it would move no atom
    printed to three decimals, whatever its share of an ``i_yts`` near 0), or 0 (nothing to
    correct, whatever the estimate), and ``bias["uni_at_kink"]`` (0 where absent) is at most the
    floor. The first rule's text already says the atoms are not to be trusted, so it is the
    whole message where both rules fire.

    Parameters
    ----------
    bias : dict of str to float
        ``"i_yts"``: the expected plug-in bias of I(Y;T,S) (:func:`plugin_bias`); optionally
        ``"uni_at_kink"`` (:func:`unique_kink_bias`).
    i_yts : float
        The plug-in I(Y;T,S).
    n_samples : int
    cells : str
    units : {"bits", "nats"}
    advice : str, optional
    unique : tuple of float, optional
        The plug-in Uni(Y:T\\S) and Uni(Y:S\\T), which the kink rule's text names.

    Returns
    -------
    str or None

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

    The kink rule, where the first is quiet (a first-order bias 4 % of I(Y;T,S)):

    >>> bias = {"i_yts": 0.05, "uni_at_kink": 0.049}
    >>> print(bias_warning_text(bias, 1.27, 200, "27 cells", "bits", advice="Count more.",
    ...                         unique=(0.0381, 0.152)))
    the plug-in unique informations with 200 samples over 27 cells, Uni(Y:T\\S) 0.0381 and \
Uni(Y:S\\T) 0.152 bits, are within 2.5 standard errors of I(Y;T) - I(Y;S) of 0, as at a kink of \
the BROJA optimum (both 0, with p(y|t) = p(y|s)), where their plug-in bias shrinks like n**-1/2, \
not 1/n, and is expected to be 0.049 bits or more each: Uni(Y:T\\S) and Uni(Y:S\\T) are likely \
overestimated, and Red and Syn underestimated, by about that much. Count more.
    """
    rule = bias_warning_rule(bias, i_yts, units)
    if rule is None:
        return None
    if rule == "uni_at_kink":
        return _kink_text(bias["uni_at_kink"], n_samples, cells, units, advice, unique)
    ratio = bias_ratio(bias["i_yts"], i_yts)
    share = (  # an estimate of 0 made the ratio inf: "inf% of the estimate 0 bits"
        f"{ratio:.0%} of the estimate {i_yts:.3g} {units}, so the atoms are likely overestimated"
        if math.isfinite(ratio)
        else f"and the estimate 0 {units}, so the atoms cannot be told from that bias"
    )
    return (
        f"the expected plug-in bias of I(Y;T,S) with {n_samples} samples over {cells} is "
        f"{bias['i_yts']:.3g} {units}, {share}. {advice}"
    )


def bias_warning_rule(bias: dict[str, float], i_yts: float, units: str
                      ) -> Literal["i_yts", "uni_at_kink"] | None:
    """Which rule of :class:`PluginBiasWarning` fires, the first where both would: ``"i_yts"`` where
    the expected plug-in bias of I(Y;T,S) exceeds :data:`BIAS_WARNING_RATIO` of ``i_yts``
    (:func:`bias_ratio`) and :data:`BIAS_WARNING_FLOOR` bits, else ``"uni_at_kink"`` where
    ``bias["uni_at_kink"]`` (:func:`unique_kink_bias`; 0 where absent) exceeds that floor, else None.

    The one place the rules are written: :func:`bias_warning_text` words the rule it names, and
    :func:`pidkit.bertschinger_batch` says which joints of a batch each rule fired on.

    Parameters
    ----------
    bias : dict of str to float
        ``"i_yts"`` and optionally ``"uni_at_kink"``, as :func:`bias_warning_text` takes them.
    i_yts : float
        The plug-in I(Y;T,S).
    units : {"bits", "nats"}

    Returns
    -------
    {"i_yts", "uni_at_kink"} or None

    Examples
    --------
    >>> from pidkit.estimate.bias_warning import bias_warning_rule
    >>> bias_warning_rule({"i_yts": 0.0022}, 0.0019, "bits")                       # 114 % of I(Y;T,S)
    'i_yts'
    >>> bias_warning_rule({"i_yts": 0.05, "uni_at_kink": 0.049}, 1.27, "bits")    # 4 %, at a kink
    'uni_at_kink'
    >>> bias_warning_rule({"i_yts": 0.05, "uni_at_kink": 0.0004}, 1.27, "bits") is None
    True
    """
    floor = from_nats(to_nats(BIAS_WARNING_FLOOR, "bits"), units)
    if bias_ratio(bias["i_yts"], i_yts) > BIAS_WARNING_RATIO and bias["i_yts"] > floor:
        return "i_yts"
    return "uni_at_kink" if bias.get("uni_at_kink", 0.0) > floor else None


def _kink_text(uni_at_kink: float, n_samples: int, cells: str, units: str, advice: str,
               unique: tuple[float, float] | None) -> str:
    """The kink rule's message (:func:`bias_warning_text`)."""
    values = (f", Uni(Y:T\\S) {unique[0]:.3g} and Uni(Y:S\\T) {unique[1]:.3g} {units}," if unique is not None
              else "")
    return (
        f"the plug-in unique informations with {n_samples} samples over {cells}{values} are within "
        f"{KINK_WARNING_SPREAD:g} standard errors of I(Y;T) - I(Y;S) of 0, as at a kink of the BROJA "
        "optimum (both 0, with p(y|t) = p(y|s)), where their plug-in bias shrinks like n**-1/2, not 1/n, "
        f"and is expected to be {uni_at_kink:.3g} {units} or more each: Uni(Y:T\\S) and Uni(Y:S\\T) "
        f"are likely overestimated, and Red and Syn underestimated, by about that much. {advice}"
    )


def information_difference_se(counts: np.ndarray, units: str = "bits") -> float:
    """Standard error of the plug-in I(Y;T) - I(Y;S), to first order (the delta method).

    ``sqrt(Var[log p(y,t) / (p(y) p(t)) - log p(y,s) / (p(y) p(s))] / n)``, the variance over the
    samples' cells, every probability the sample's frequency. 0 where Y or both sources take one
    value. It is the scale of the plug-in unique informations' bias at a kink
    (:func:`unique_kink_bias`), where both are 0 and so I(Y;T) = I(Y;S).

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_y, n_t, n_s)
        Whole-number counts ``[y, t, s]``.
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    float

    Examples
    --------
    Y a fair coin, T a copy of it flipped in a quarter of the samples, S independent of both: the
    terms are ``log 1.5`` (3 in 4 samples) and ``log 0.5``, so the standard error is
    ``sqrt(3 / 16) log2(3) / sqrt(n)`` bits:

    >>> import math
    >>> import numpy as np
    >>> from pidkit.estimate.bias_warning import information_difference_se
    >>> counts = np.array([[[150, 150], [50, 50]], [[50, 50], [150, 150]]])
    >>> expected = math.sqrt(3 / 16) * math.log2(3) / math.sqrt(800)
    >>> round(information_difference_se(counts), 12) == round(expected, 12)
    True
    """
    n_samples = counts.sum()
    p = counts / n_samples
    seen = p > 0

    def pointwise(pair: np.ndarray) -> np.ndarray:  # log p(y,x) / (p(y) p(x)) where p(y,x) > 0
        outer = pair.sum(axis=1, keepdims=True) * pair.sum(axis=0, keepdims=True)
        return np.log(np.where(pair > 0, pair, 1.0) / np.where(pair > 0, outer, 1.0))

    terms = pointwise(p.sum(axis=2))[:, :, None] - pointwise(p.sum(axis=1))[:, None, :]
    mean = float(np.sum(p[seen] * terms[seen]))
    variance = float(np.sum(p[seen] * (terms[seen] - mean) ** 2))
    return from_nats(math.sqrt(max(variance, 0.0) / n_samples), units)


def unique_kink_bias(counts: np.ndarray, uni_t: float, uni_s: float, units: str = "bits") -> float:
    """``bias["uni_at_kink"]``: the plug-in bias each unique information is expected to have, at
    least, if the joint is at a kink of the BROJA optimum; 0.0 where the plug-in rules a kink out.

    At a kink both Uni are 0, so I(Y;T) = I(Y;S) and the plug-in's Uni(Y:T\\S) - Uni(Y:S\\T), which
    is its I(Y;T) - I(Y;S) exactly, is noise of standard error ``sigma``
    (:func:`information_difference_se`); both plug-in Uni being at least 0, they sum to at least its
    absolute value, ``sigma sqrt(2 / pi)`` on average: ``sigma / sqrt(2 pi)`` each. That is the
    value, capped at the mean plug-in Uni (neither truth is below 0), where both plug-in Uni are at
    most :data:`KINK_WARNING_SPREAD` ``sigma``, and 0.0 where either is above it (the sample then
    shows a unique information) or NaN (a solve that failed under ``strict=False``). A lower bound:
    on ``copy3`` (docs/estimate-measured.md) the Uni's bias was 0.7 to 0.8 ``sigma`` at n = 200 to
    10,000, this 0.40; where the table has many cells, the bias of the minimum over the BROJA
    polytope grows with its dimensions and ``sigma`` misses most of it (``sum10``, 1000 cells: Uni
    biased about 5 ``sigma`` at n = 2000, so above the spread, and never read as a kink).

    Parameters
    ----------
    counts : numpy.ndarray of shape (n_y, n_t, n_s)
        Whole-number counts ``[y, t, s]``.
    uni_t, uni_s : float
        The plug-in Uni(Y:T\\S) and Uni(Y:S\\T) of ``counts``, in ``units``.
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    float

    Examples
    --------
    ``copy3`` (Y uniform on 3 values, T and S copies of it each replaced by a uniform value with
    probability 0.2; both Uni 0), its expected counts at n = 200, with a sample's plug-in Uni:

    >>> import numpy as np
    >>> from pidkit.estimate.bias_warning import information_difference_se, unique_kink_bias
    >>> channel = np.full((3, 3), 0.2 / 3) + 0.8 * np.eye(3)
    >>> counts = 200 * np.einsum("yt,ys->yts", channel, channel) / 3
    >>> round(information_difference_se(counts), 3)
    0.126
    >>> round(unique_kink_bias(counts, 0.04, 0.15), 3)   # 0.126 / sqrt(2 pi)
    0.05
    >>> unique_kink_bias(counts, 0.04, 0.35)             # 0.35 is 2.8 standard errors: a Uni shown
    0.0
    """
    sigma = information_difference_se(counts, units)
    if not (uni_t <= KINK_WARNING_SPREAD * sigma and uni_s <= KINK_WARNING_SPREAD * sigma):  # NaN: 0.0
        return 0.0
    return max(0.0, min(sigma / math.sqrt(2.0 * math.pi), (uni_t + uni_s) / 2.0))


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
