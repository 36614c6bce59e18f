"""What a Gaussian estimate from samples says beside its numbers: informations above the label's
entropy, and few samples per dimension.

The :class:`~pidkit.gaussian.GaussianPIDEstimate` of :func:`pidkit.gaussian_pid_from_samples` and
the :class:`~pidkit.estimate.RepresentationPID` of
``pidkit.estimate.pid_from_representations(..., estimator="gaussian")`` print these notes, from
these functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..below_zero import rounding_level
from ..measures import entropy

__all__ = ["FEW_SAMPLES_PER_DIMENSION", "above_label_entropy_note", "few_samples_note",
           "indicator_entropy", "informations_above", "label_entropy"]

FEW_SAMPLES_PER_DIMENSION = 5
"""Below this many samples per dimension (n < 5 (d_y + d_t + d_s)) the estimate carries a note.
Measured (150 draws each, Y, T and S independent Gaussian noise, so every information is 0, the
default bias correction): the corrected I(Y;T,S) averaged 0.05 bits (90th percentile 0.14 to 0.18)
at 5 samples per dimension, 0.11 bits (0.29 to 0.36) at 3 and 0.19 to 0.22 bits (0.52 to 0.55) at
2, for dims (1, 1, 1) and (2, 3, 3) alike; 0.023 to 0.026 bits (0.07 to 0.09) at 10."""


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


def few_samples_note(n: int, dims: Sequence[int]) -> str | None:
    """The note on ``n`` samples for blocks of ``dims`` (d_y, d_t, d_s) where they are fewer than
    :data:`FEW_SAMPLES_PER_DIMENSION` per dimension; None where they are not.

    Examples
    --------
    >>> print(few_samples_note(5, (1, 1, 1)))
    note: n = 5 samples for d_y + d_t + d_s = 3 dimensions, fewer than 5 per dimension: Y, T and S \
of independent noise get a corrected I(Y;T,S) of about 0.05 bits at 5 samples per dimension and 0.2 \
at 2 (90th percentiles 0.15 and 0.5); pass bootstrap=200 for intervals, or reduce the features \
(e.g. PCA) or collect more samples
    >>> few_samples_note(15, (1, 1, 1)) is None
    True
    """
    d = int(sum(dims))
    if n >= FEW_SAMPLES_PER_DIMENSION * d:
        return None
    return (f"note: n = {n} samples for d_y + d_t + d_s = {d} dimensions, fewer than "
            f"{FEW_SAMPLES_PER_DIMENSION} per dimension: Y, T and S of independent noise get a corrected "
            "I(Y;T,S) of about 0.05 bits at 5 samples per dimension and 0.2 at 2 (90th percentiles 0.15 "
            "and 0.5); pass bootstrap=200 for intervals, or reduce the features (e.g. PCA) or collect "
            "more samples")
