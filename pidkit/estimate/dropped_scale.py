"""The warning that ``normalize="l2"`` dropped row lengths that tell the labels apart.

Both estimators of :func:`pidkit.estimate.pid_from_representations` scale every row of a side
given as features to unit length by default (the RID paper's code does so before KMeans, for a
network's features, whose directions carry the classes). Features that code in their size (spike
counts whose rates code a stimulus, magnitudes, class means that differ only in scale) lose that
information: the estimate then falls far below what the features hold, with nothing to say so.

The check asks whether the log row lengths still tell the classes of y apart once what the
estimator keeps of the normalised rows is known: the discrete estimator's clusters, or the
Gaussian estimator's principal components (a linear fit). :func:`labels_share_of_lengths` is the
share of the log lengths' variance left by those that y explains, adjusted for chance (as an
adjusted R^2 is); from :data:`DROPPED_SCALE_SHARE` on, :func:`warn_dropped_scale` gives one
:class:`ScaleDroppedWarning` per call, naming each such side, its share and its estimated
information, and the fix (``normalize=None``). Each side's share is kept in the result's settings,
``settings["t"]["dropped_scale_share"]`` and ``settings["s"]["dropped_scale_share"]`` (None under
``normalize=None``; a side given as labels has no such key), so a caller reads it without the
warning.

Measured, with clusters (with components): 0.98 and 0.94 (0.98 and 0.94) on Poisson spike counts
of 20 and 15 neurons whose rates code 4 stimuli (500 samples), 0.73-0.96 (0.61-0.96) on class
means that differ only in scale, 0.92 (0.94) on 2 directions at 2 lengths; at most 0.02 on
isotropic clusters of equal norm, unrelated features and unit rows; at most 0.15 (0.28) on the 24
hidden layers of the package's synthetic and digits networks, trained or at initialisation, with
the trainer audit's cluster counts, where ``normalize=None`` moved I(Y;T) by at most 0.16 bits.
Unrelated labels reach 0.5 in at most 0.2 % of draws of 20 to 100 samples, in none from 200.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from pidkit._caller import user_stacklevel

__all__ = [
    "DROPPED_SCALE_SHARE",
    "ScaleDroppedWarning",
    "dropped_scale_text",
    "labels_share_of_lengths",
    "log_row_lengths",
    "warn_dropped_scale",
]

DROPPED_SCALE_SHARE = 0.5
"""Warn when y explains at least this share of the log row lengths' variance that the estimator's
clusters or components leave (``labels_share_of_lengths``)."""
_EQUAL_LENGTHS = 1e-6
"""Log lengths spanning at most this (lengths equal to six digits: unit rows, their rounding) hold
nothing to drop."""
_CHUNK_ROWS = 2048
"""Rows measured at a time: a float64 copy of the whole matrix was 1.3 GB at 20,000 x 8,192."""


class ScaleDroppedWarning(UserWarning):
    """``normalize="l2"`` dropped the lengths of a side's rows, and those lengths tell the labels apart.

    Given once per call of :func:`pidkit.estimate.pid_from_representations` (either estimator,
    bootstrap or not) when y explains at least :data:`DROPPED_SCALE_SHARE` of the variance of
    the log row lengths of ``t_features`` or ``s_features`` that the estimator's clusters or
    components leave (``pidkit.estimate.dropped_scale.labels_share_of_lengths``). The estimate
    then leaves out what the lengths say: pass ``normalize=None`` (standardising the columns
    first where their scales differ).

    Examples
    --------
    Spike counts of 10 neurons whose rates code 4 stimuli: every row points the same way, and
    only its length tells the stimuli apart.

    >>> import warnings
    >>> import numpy as np
    >>> from pidkit.estimate import ScaleDroppedWarning, pid_from_representations
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 4, 400)
    >>> spikes = rng.poisson(np.array([2, 5, 10, 20])[y][:, None], size=(400, 10))
    >>> other = rng.normal(size=(400, 4))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     res = pid_from_representations(y, spikes, other)
    >>> [w.category.__name__ for w in caught]
    ['ScaleDroppedWarning']
    >>> print(caught[0].message)              # doctest: +ELLIPSIS
    normalize='l2' scaled every row to unit length, but the rows' lengths tell the classes of y \
apart: in t_features, y explains 96% of the variance of the log row lengths within its clusters, \
where I(Y;T) is estimated at 0.284 bits without them. Pass normalize=None to keep the lengths ...
    >>> kept = pid_from_representations(y, spikes, other, normalize=None)
    >>> round(res.i_yt, 1), round(kept.i_yt, 1)
    (0.3, 2.0)
    """

    __module__ = "pidkit.estimate"  # where users import it from: messages and pickles name it


def log_row_lengths(features: Any) -> np.ndarray:
    """The natural log of each row's Euclidean length, in float64; NaN for a row of zeros.

    Rows are scaled by their largest magnitude before they are measured, so lengths of 1e200 and
    1e-200 neither overflow nor underflow, and the matrix is read a few thousand rows at a time.

    Parameters
    ----------
    features : array_like of shape (n_samples, ...)
        Trailing axes are flattened.

    Returns
    -------
    numpy.ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> lengths = np.exp(log_row_lengths([[3.0, 4.0], [3e200, 4e200], [0.0, 0.0]]))
    >>> np.allclose(lengths[:2], [5.0, 5e200], rtol=1e-12), bool(np.isnan(lengths[2]))
    (True, True)
    """
    X = np.asarray(features)
    X = X.reshape(X.shape[0], -1)
    out = np.empty(X.shape[0])
    for start in range(0, X.shape[0], _CHUNK_ROWS):
        rows = X[start:start + _CHUNK_ROWS].astype(np.float64)
        top = np.maximum(rows.max(axis=1), -rows.min(axis=1)) if rows.shape[1] else np.zeros(len(rows))
        scaled = rows / np.where(top > 0, top, 1.0)[:, None]
        with np.errstate(divide="ignore"):
            out[start:start + _CHUNK_ROWS] = np.log(top) + 0.5 * np.log(np.einsum("ij,ij->i", scaled, scaled))
    out[~np.isfinite(out)] = np.nan
    return out


def _within_groups(values: np.ndarray, groups: np.ndarray) -> tuple[float, int]:
    """Sum of squares of ``values`` about their group means, and its degrees of freedom."""
    _, codes = np.unique(groups, return_inverse=True)
    sizes = np.bincount(codes)
    residual = values - (np.bincount(codes, weights=values) / sizes)[codes]
    return float(residual @ residual), int(values.size - sizes.size)


def _about_linear_fit(values: np.ndarray, columns: np.ndarray) -> tuple[float, int]:
    """Sum of squares of ``values`` about their least-squares fit on ``columns``, and its degrees
    of freedom."""
    beta, _, rank, _ = np.linalg.lstsq(columns, values, rcond=None)
    residual = values - columns @ beta
    return float(residual @ residual), int(values.size - rank)


def labels_share_of_lengths(log_lengths: np.ndarray, y_codes: np.ndarray, kept: np.ndarray) -> float:
    """The share of the log row lengths' variance left by what the estimator keeps that y explains.

    ``kept`` is what the estimator keeps of the normalised rows: 1-D cluster codes (the discrete
    estimator: the variance within each cluster, which y explains through the means of its
    classes there), or 2-D components (the Gaussian estimator: the variance about a linear fit on
    them, and y's classes added to that fit). The share is adjusted for chance as an adjusted R^2
    is (the residual variances divided by their degrees of freedom), so that labels unrelated to
    the lengths give about 0 at any sample size; it is clipped to [0, 1]. Rows of length 0 (NaN)
    are left out: the normalisation keeps them apart as they are. Lengths equal to six digits
    give 0.

    Parameters
    ----------
    log_lengths : numpy.ndarray of shape (n_samples,)
        :func:`log_row_lengths` of the side's features.
    y_codes : numpy.ndarray of shape (n_samples,)
        The class of each sample, as integers.
    kept : numpy.ndarray of shape (n_samples,) or (n_samples, n_components)

    Returns
    -------
    float

    Examples
    --------
    Lengths that only the labels explain, then lengths that the clusters explain as well:

    >>> import numpy as np
    >>> y = np.arange(400) % 4
    >>> noise = np.random.default_rng(0).normal(scale=0.1, size=400)
    >>> one_cluster = np.zeros(400, dtype=int)
    >>> round(labels_share_of_lengths(y + noise, y, one_cluster), 2)
    0.99
    >>> round(labels_share_of_lengths(y + noise, y, y), 2)          # clusters that are the classes
    0.0
    >>> round(labels_share_of_lengths(y + noise, y, y[:, None] + noise[:, None]), 2)  # components
    0.0
    """
    known = np.isfinite(log_lengths)
    lengths, y_codes, kept = log_lengths[known], np.asarray(y_codes)[known], np.asarray(kept)[known]
    if lengths.size < 3 or np.ptp(lengths) <= _EQUAL_LENGTHS:
        return 0.0
    lengths = lengths - lengths.mean()
    if kept.ndim == 1:
        _, kept_codes = np.unique(kept, return_inverse=True)
        left, left_df = _within_groups(lengths, kept_codes)
        _, y_index = np.unique(y_codes, return_inverse=True)
        rest, rest_df = _within_groups(lengths, kept_codes * (y_index.max() + 1) + y_index)
    else:
        _, y_index = np.unique(y_codes, return_inverse=True)
        columns = np.column_stack([np.ones(lengths.size), kept.reshape(lengths.size, -1)])
        left, left_df = _about_linear_fit(lengths, columns)
        classes = np.eye(int(y_index.max()) + 1)[y_index][:, 1:]
        rest, rest_df = _about_linear_fit(lengths, np.column_stack([columns, classes]))
    if rest_df <= 0 or left <= _EQUAL_LENGTHS**2 * lengths.size:
        return 0.0
    return float(np.clip(1.0 - (rest / rest_df) / (left / left_df), 0.0, 1.0))


def dropped_scale_text(
    shares: dict[str, float], informations: dict[str, float], kept: str, units: str
) -> str | None:
    """The :class:`ScaleDroppedWarning` message for the sides whose share reaches
    :data:`DROPPED_SCALE_SHARE`, or None.

    Parameters
    ----------
    shares : dict of str to float
        :func:`labels_share_of_lengths` of each side normalised here (``"t_features"``,
        ``"s_features"``).
    informations : dict of str to float
        The estimated I(Y;T) and I(Y;S), by the same names.
    kept : str
        What the estimator keeps of the rows, after "the log row lengths": ``"within its
        clusters"`` or ``"beyond a linear fit on its principal components"``.
    units : {"bits", "nats"}

    Returns
    -------
    str or None

    Examples
    --------
    >>> print(dropped_scale_text({"t_features": 0.1, "s_features": 0.97}, {"t_features": 1.0,
    ...       "s_features": 0.02}, "within its clusters", "bits"))   # doctest: +ELLIPSIS
    normalize='l2' scaled every row to unit length, but the rows' lengths tell the classes of y \
apart: in s_features, y explains 97% of the variance of the log row lengths within its clusters, \
where I(Y;S) is estimated at 0.02 bits without them. Pass normalize=None to keep the lengths ...
    >>> dropped_scale_text({"t_features": 0.1}, {"t_features": 1.0}, "within its clusters", "bits")
    """
    found = [name for name, share in shares.items() if share >= DROPPED_SCALE_SHARE]
    if not found:
        return None
    sides = "; ".join(
        f"in {name}, y explains {shares[name]:.0%} of the variance of the log row lengths {kept}, "
        f"where I(Y;{name[0].upper()}) is estimated at {informations[name]:.3g} {units} without them"
        for name in found
    )
    return (
        f"normalize='l2' scaled every row to unit length, but the rows' lengths tell the classes of y "
        f"apart: {sides}. Pass normalize=None to keep the lengths (features that code in their size: "
        "spike counts, rates, magnitudes), standardising the columns first where their scales differ "
        "(sklearn.preprocessing.StandardScaler). The share is adjusted for chance; this warning is "
        f"given from {DROPPED_SCALE_SHARE:.0%}."
    )


def warn_dropped_scale(
    y_codes: np.ndarray, sides: dict[str, tuple[Any, dict[str, Any], np.ndarray]],
    informations: dict[str, float], kept: str, units: str,
) -> str | None:
    """Give one :class:`ScaleDroppedWarning` for the sides ``normalize="l2"`` was applied to whose
    lengths tell y apart; return its message, or None.

    Each side of features (settings with a ``"normalize"`` key) gets its share
    (:func:`labels_share_of_lengths`) in its settings as ``"dropped_scale_share"``, None under
    ``normalize=None``, whether or not the warning is given; labels get no key.

    Parameters
    ----------
    y_codes : numpy.ndarray of shape (n_samples,)
        The class of each sample, as integers.
    sides : dict of str to (array_like, dict, numpy.ndarray)
        Each side's input, its settings in the result (``settings["t"]``) and what the estimator
        kept of it (cluster codes, components), by name (``"t_features"``, ``"s_features"``). Only
        the sides whose settings record ``normalize="l2"`` (features fitted here or reused) are
        measured; labels are not.
    informations, kept, units
        As in :func:`dropped_scale_text`.

    Returns
    -------
    str or None

    Examples
    --------
    >>> import numpy as np
    >>> y = np.arange(300) % 3
    >>> rows = np.ones((300, 5)) * (1.0 + y)[:, None]       # one direction, a length per class
    >>> sides = {"t_features": (rows, {"normalize": "l2"}, np.zeros(300)),
    ...          "s_features": (rows, {"normalize": None}, np.zeros(300))}
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     text = warn_dropped_scale(y, sides, {"t_features": 0.0, "s_features": 1.58},
    ...                               "within its clusters", "bits")
    >>> len(caught), text[text.index("in t_"):text.index(" of the")]
    (1, 'in t_features, y explains 100%')
    >>> round(sides["t_features"][1]["dropped_scale_share"], 2), sides["s_features"][1]["dropped_scale_share"]
    (1.0, None)
    """
    shares = {name: labels_share_of_lengths(log_row_lengths(features), y_codes, held)
              for name, (features, side, held) in sides.items() if side.get("normalize") == "l2"}
    for name, (_, side, _) in sides.items():
        if "normalize" in side:
            side["dropped_scale_share"] = shares.get(name)
    text = dropped_scale_text(shares, informations, kept, units)
    if text:
        warnings.warn(text, ScaleDroppedWarning, stacklevel=user_stacklevel())
    return text
