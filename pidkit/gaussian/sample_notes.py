"""What a Gaussian estimate from samples says beside its numbers: informations above the label's
entropy, few samples per dimension, no intervals, and bootstrap replicates that failed and why.

The :class:`~pidkit.gaussian.GaussianPIDEstimate` of :func:`pidkit.gaussian_pid_from_samples` and
the :class:`~pidkit.estimate.RepresentationPID` of
``pidkit.estimate.pid_from_representations(..., estimator="gaussian")`` print these notes, from
these functions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..below_zero import confidence_percent, fewest_replicates, rounding_level
from ..measures import entropy

__all__ = ["FAILURE_CAUSES", "FEW_SAMPLES_PER_DIMENSION", "NO_INTERVALS_NOTE", "above_label_entropy_note",
           "distinct_rows_spread", "failed_replicates_note", "failure_counts", "few_samples_note",
           "indicator_entropy", "informations_above", "label_entropy", "replicate_failures_note",
           "samples_for_dimensions"]

FEW_SAMPLES_PER_DIMENSION = 5
"""Below this many samples per dimension (n < 5 (d_y + d_t + d_s)) the estimate carries a note.
Measured (150 draws each, Y, T and S independent Gaussian noise, so every information is 0, the
default bias correction): the corrected I(Y;T,S) averaged 0.05 bits (90th percentile 0.14 to 0.18)
at 5 samples per dimension, 0.11 bits (0.29 to 0.36) at 3 and 0.19 to 0.22 bits (0.52 to 0.55) at
2, for dims (1, 1, 1) and (2, 3, 3) alike; 0.023 to 0.026 bits (0.07 to 0.09) at 10."""


NO_INTERVALS_NOTE = ("note: no intervals (bootstrap=0): no uncertainty is stated; pass bootstrap=200 for "
                     "intervals")
"""The line of an estimate without bootstrap intervals (the default ``bootstrap=0``): six decimals
alone read as certain, where (a four-class label in 3 columns, 10 + 8 features, 300 samples)
I(Y;T) = 0.76 bits has the 95 % interval [0.61, 0.87]."""

FAILURE_CAUSES = ("singular", "determined", "uncertified")
"""Why a bootstrap replicate of the Gaussian estimate failed, as ``diagnostics["bootstrap"]["failures"]``
counts them: its resample held too few distinct rows for the dimensions (its covariance singular),
a source determined part of Y exactly in it otherwise, or its solve was not certified."""

DISTINCT_ROWS_MARGIN = 3.0
"""Standard deviations of a resample's distinct rows kept clear of the dimensions in the advice of
:func:`failed_replicates_note`: about 1 resample in 1000 then holds too few."""


def label_entropy(y_columns: np.ndarray, units: str) -> float:
    """H(Y) of the classes that 0/1 indicator columns encode (one-hot, or one-hot with a class's
    column left out: that class is the rows without a 1), in ``units``.

    Examples
    --------
    >>> import numpy as np
    >>> round(label_entropy(np.eye(4)[np.arange(100) % 4][:, 1:], "bits"), 6)  # four equal classes
    2.0
    """
    per_class = y_columns.sum(axis=0)
    return entropy(np.array([y_columns.shape[0] - per_class.sum(), *per_class]), units=units, normalize=True)


def indicator_entropy(y: np.ndarray, units: str) -> float | None:
    """:func:`label_entropy` of ``y`` where its columns are 0/1 indicators of classes (every entry
    0 or 1, at most one 1 a row), else None (a continuous Y has no entropy to compare with).

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(90) % 3
    >>> round(indicator_entropy(np.eye(3)[y][:, 1:], "bits"), 4), indicator_entropy(y[:, None] * 0.5, "bits")
    (1.585, None)
    """
    y = np.asarray(y, dtype=np.float64)
    if not (np.isin(y, (0.0, 1.0)).all() and (y.sum(axis=1) <= 1.0).all()):
        return None
    return label_entropy(y, units)


def informations_above(corrected: Mapping[str, float], plugin: Mapping[str, float],
                       h_y: float) -> tuple[str, ...]:
    """The names among ``"i_yt"``, ``"i_ys"``, ``"i_yts"`` whose corrected value exceeds ``h_y``
    by more than rounding (:func:`pidkit.below_zero.rounding_level`).

    Examples
    --------
    >>> values = {"i_yt": 0.54, "i_ys": 18.93, "i_yts": 18.98}
    >>> informations_above(values, values, 3.32)
    ('i_ys', 'i_yts')
    """
    return tuple(q for q in ("i_yt", "i_ys", "i_yts")
                 if corrected[q] > h_y + rounding_level([corrected[q], plugin[q], h_y]))


def above_label_entropy_note(names: Sequence[str], h_y: float, units: str, discrete: str) -> str:
    """The note on Gaussian informations ``names`` above the label's entropy ``h_y``; ``discrete``
    says how to get the discrete estimate, whose informations H(Y) bounds. Exceeding H(Y) is no
    error rate: on estimate.md's quick start the Gaussian I(Y;T,S) is 3.60 bits, above H(Y) = 3.32,
    where a cross-validated linear discriminant on the same 20 projected dimensions is right on
    83 % of samples.

    Examples
    --------
    >>> print(above_label_entropy_note(["i_yts"], 1.585, "bits", "estimator='discrete'"))
    note: i_yts above H(Y) = 1.585 bits, the most a label holds: Gaussian bits of a discrete label \
are not bounded by H(Y), so these say that the Gaussian model does not fit Y, not how well the \
features classify it; for bits bounded by H(Y) use estimator='discrete'
    """
    return (f"note: {', '.join(names)} above H(Y) = {h_y:.4g} {units}, the most a label holds: Gaussian "
            f"{units} of a discrete label are not bounded by H(Y), so these say that the Gaussian model "
            f"does not fit Y, not how well the features classify it; for {units} bounded by H(Y) use "
            f"{discrete}")


def few_samples_note(n: int, dims: Sequence[int], with_intervals: bool = False) -> str | None:
    """The note on ``n`` samples for blocks of ``dims`` (d_y, d_t, d_s) where they are fewer than
    :data:`FEW_SAMPLES_PER_DIMENSION` per dimension; None where they are not. ``with_intervals``:
    the estimate has bootstrap intervals, so the note does not ask for them.

    Examples
    --------
    >>> print(few_samples_note(5, (1, 1, 1)))
    note: n = 5 samples for d_y + d_t + d_s = 3 dimensions, fewer than 5 per dimension: Y, T and S \
of independent noise get a corrected I(Y;T,S) of about 0.05 bits at 5 samples per dimension and 0.2 \
at 2 (90th percentiles 0.15 and 0.5); pass bootstrap=200 for intervals, or reduce the features \
(e.g. PCA) or collect more samples
    >>> few_samples_note(5, (1, 1, 1), with_intervals=True).endswith("0.5); reduce the features (e.g. "
    ...                                                              "PCA) or collect more samples")
    True
    >>> few_samples_note(15, (1, 1, 1)) is None
    True
    """
    d = int(sum(dims))
    if n >= FEW_SAMPLES_PER_DIMENSION * d:
        return None
    return (f"note: n = {n} samples for d_y + d_t + d_s = {d} dimensions, fewer than "
            f"{FEW_SAMPLES_PER_DIMENSION} per dimension: Y, T and S of independent noise get a corrected "
            "I(Y;T,S) of about 0.05 bits at 5 samples per dimension and 0.2 at 2 (90th percentiles 0.15 "
            "and 0.5); " + ("" if with_intervals else "pass bootstrap=200 for intervals, or ")
            + "reduce the features (e.g. PCA) or collect more samples")


def distinct_rows_spread(n: int) -> tuple[float, float]:
    """Mean and standard deviation of the number of distinct rows in a resample of ``n`` rows
    drawn with replacement (about ``0.632 n`` and ``0.312 sqrt(n)``; exact, from the count of rows
    left out, each with probability ``(1 - 1/n)^n``).

    Examples
    --------
    >>> distinct_rows_spread(2)                 # 1 or 2 distinct rows, each with probability 1/2
    (1.5, 0.5)
    >>> [round(v, 2) for v in distinct_rows_spread(250)]
    [158.21, 4.93]
    """
    left_out = (1.0 - 1.0 / n) ** n
    variance = n * (n - 1) * (1.0 - 2.0 / n) ** n + n * left_out - (n * left_out) ** 2
    return n * (1.0 - left_out), math.sqrt(max(variance, 0.0))


def samples_for_dimensions(dimensions: int) -> int:
    """The fewest samples whose resamples hold more than ``dimensions`` distinct rows, with
    :data:`DISTINCT_ROWS_MARGIN` standard deviations to spare.

    Examples
    --------
    >>> samples_for_dimensions(201)
    346
    """
    n = max(2, math.ceil(dimensions / (1.0 - math.exp(-1.0))))
    while (spread := distinct_rows_spread(n))[0] - DISTINCT_ROWS_MARGIN * spread[1] <= dimensions:
        n += 1
    return n


def failure_counts(distinct_rows: np.ndarray, causes: np.ndarray, dimensions: int) -> dict[str, int]:
    """How many failed replicates each of :data:`FAILURE_CAUSES` explains.

    ``distinct_rows`` and ``causes`` hold, per replicate, its resample's distinct rows and 0 (it
    succeeded) or the index in ``FAILURE_CAUSES`` of what its estimate raised (1 or 2);
    ``dimensions`` is d_y + d_t + d_s after whitening. A resample of k distinct rows has a
    covariance of rank k - 1 at most, singular for k <= ``dimensions``, whatever it raised.

    Examples
    --------
    >>> failure_counts(np.array([150, 210, 205, 190]), np.array([1, 0, 2, 0]), 201)
    {'singular': 1, 'determined': 0, 'uncertified': 1}
    """
    failed = np.asarray(causes) > 0
    singular = failed & (np.asarray(distinct_rows) <= dimensions)
    counts = {"singular": int(singular.sum())}
    for code, cause in enumerate(FAILURE_CAUSES[1:], start=1):  # code 0: it succeeded
        counts[cause] = int((failed & ~singular & (np.asarray(causes) == code)).sum())
    return counts


def failed_replicates_note(failures: Mapping[str, int], n_boot: int, n: int, dimensions: int,
                           distinct_range: tuple[int, int], too_few: str, reduce: str) -> str:
    """The note on bootstrap replicates that failed: how many, why, and what helps.

    Parameters
    ----------
    failures : mapping
        Failed replicates by cause (:func:`failure_counts`).
    n_boot, n, dimensions : int
        Replicates drawn, samples, and d_y + d_t + d_s after whitening.
    distinct_range : tuple of int
        The fewest and most distinct rows a resample held.
    too_few : str
        What the replicates left mean for the intervals ("" where they are enough for them).
    reduce : str
        How to reduce the dimensions, in words (e.g. ``"e.g. PCA"``).

    Examples
    --------
    >>> print(failed_replicates_note({"singular": 200, "determined": 0, "uncertified": 0}, 200,
    ...                              250, 201, (143, 174), "none left, so every interval is nan",
    ...                              "e.g. PCA"))
    note: 200 of 200 bootstrap replicates failed (none left, so every interval is nan): a resample \
of n = 250 rows holds about 158 distinct rows (0.63 n; 143 to 174 here), and with k distinct \
rows its covariance is singular unless k > d_y + d_t + d_s = 201 (whitened), which 200 of the \
resamples did not reach; more replicates do not help. Reduce the features to at most 143 \
dimensions in all (e.g. PCA), or collect n = 346 samples or more
    """
    failed = sum(failures.values())
    mean, sd = distinct_rows_spread(n)
    left = too_few or "left out of the intervals"
    head = f"note: {failed} of {n_boot} bootstrap replicates failed ({left})"
    causes = []
    if singular := failures.get("singular", 0):
        low, high = distinct_range
        fit = max(math.ceil(mean - DISTINCT_ROWS_MARGIN * sd) - 1, 0)
        causes.append(
            f"a resample of n = {n} rows holds about {mean:.0f} distinct rows (0.63 n; {low} to "
            f"{high} here), and with k distinct rows its covariance is singular unless k > d_y + d_t "
            f"+ d_s = {dimensions} (whitened), which {singular} of the resamples did not reach; more "
            f"replicates do not help. Reduce the features to at most {fit} dimensions in all "
            f"({reduce}), or collect n = {samples_for_dimensions(dimensions)} samples or more")
    others = [f"{count} {words}" for count, words in (
        (failures.get("determined", 0), "in whose resample a source determined part of Y exactly"),
        (failures.get("uncertified", 0), "whose solve was not certified within tol")) if count]
    if others:
        causes.append(("besides these, " if singular else "") + " and ".join(others))
    return f"{head}: {'; '.join(causes)}"


def replicate_failures_note(diagnostics: Mapping[str, Any], reduce: str) -> str | None:
    """The :func:`failed_replicates_note` of a :class:`~pidkit.gaussian.GaussianPIDEstimate`'s
    ``diagnostics``; None where no replicate failed or they do not say why (``reduce``: as there).

    Examples
    --------
    >>> boot = {"n_boot": 200, "n_failed": 19, "confidence": 0.95, "distinct_rows": (195, 223),
    ...         "failures": {"singular": 19, "determined": 0, "uncertified": 0}}
    >>> print(replicate_failures_note({"bootstrap": boot, "n_samples": 330, "ranks": (1, 100, 100, 200)},
    ...                               "e.g. PCA"))     # doctest: +ELLIPSIS
    note: 19 of 200 bootstrap replicates failed (left out of the intervals): a resample of n = 330 \
rows holds about 209 distinct rows (0.63 n; 195 to 223 here), ...which 19 of the resamples did not reach; ...
    """
    boot = diagnostics.get("bootstrap") or {}
    if not boot.get("n_failed") or "failures" not in boot:
        return None
    used, fewest = boot["n_boot"] - boot["n_failed"], fewest_replicates(boot["confidence"])
    too_few = ("none left, so every interval is nan" if used == 0 else
               f"the {used} left are too few for {confidence_percent(boot['confidence'])} intervals, "
               f"which take {fewest}" if used < fewest else "")
    rank_y, _, _, rank_ts = diagnostics["ranks"]
    return failed_replicates_note(boot["failures"], boot["n_boot"], int(diagnostics["n_samples"]),
                                  rank_y + rank_ts, boot["distinct_rows"], too_few, reduce)
