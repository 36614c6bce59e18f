"""The argument checks of :func:`~pidkit.estimate.pid_from_representations`.

Which bias correction a name means for an estimator, the options the Gaussian estimator leaves
alone, reused ``discretizers``, ``n_clusters``, one row per sample in each input, a single
feature with ``normalize="l2"``, and the clusters of a user's clusterer against the sample size.
Each refusal names the argument and what to pass instead.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from sklearn.exceptions import NotFittedError

from pidkit._names import choice_advice
from pidkit._settings import check_int
from pidkit.redundancy.closed_form import MAX_PARTITION_SYMBOLS

from .._arrays import batches_hint, method_fix
from .cluster_count import DEFAULT_CLUSTERS
from .continuous import GAUSSIAN_BIAS_CORRECTIONS
from .correction import (
    BIAS_CORRECTIONS,
    DEFAULT_BIAS_CORRECTION,
    DEFAULT_REPEATS,
    DEFAULT_SUBSAMPLES,
    check_sample_size,
)
from .project import check_one_feature

__all__ = [
    "check_clusterer_size",
    "check_discrete_only_options",
    "check_discretizers",
    "check_n_clusters",
    "check_one_feature_side",
    "check_one_row_per_sample",
    "resolve_bias_correction",
]

_CORRECTIONS = {"discrete": BIAS_CORRECTIONS, "gaussian": GAUSSIAN_BIAS_CORRECTIONS}
_AUTO = {"discrete": DEFAULT_BIAS_CORRECTION, "gaussian": "wishart"}


def resolve_bias_correction(bias_correction: Any, estimator: str) -> str:
    """The bias correction ``bias_correction`` names for ``estimator`` (``"auto"``: its default).

    Examples
    --------
    >>> resolve_bias_correction("auto", "discrete"), resolve_bias_correction("auto", "gaussian")
    ('eb-extrapolation-kink', 'wishart')
    >>> resolve_bias_correction("eb-extrapolation", "gaussian")
    Traceback (most recent call last):
    ...
    ValueError: bias_correction must be 'auto' or one of ['wishart', 'none'] with ... discrete estimator).
    >>> resolve_bias_correction(True, "discrete")
    Traceback (most recent call last):
    ...
    ValueError: bias_correction must be ... got True. True and False are ... or 'none' for the plug-in.
    >>> resolve_bias_correction(None, "gaussian")
    Traceback (most recent call last):
    ...
    ValueError: bias_correction must be ... got None. For no correction (the plug-in) pass the string 'none'.
    """
    allowed = _CORRECTIONS[estimator]
    if bias_correction == "auto":
        return _AUTO[estimator]
    if isinstance(bias_correction, str) and bias_correction in allowed:
        return bias_correction
    other = next((k for k, v in _CORRECTIONS.items() if k != estimator and bias_correction in v), None)
    hint = f" (a correction of the {other} estimator)" if other else ""
    close = choice_advice(bias_correction, ["auto", *allowed]) if isinstance(bias_correction, str) else ""
    if isinstance(bias_correction, (bool, np.bool_)):  # gaussian_pid_from_samples' switch
        close = (f" True and False are pidkit.gaussian_pid_from_samples' switch; here pass 'auto' "
                 f"(the default, {_AUTO[estimator]!r}) for the correction, or 'none' for the plug-in.")
    elif bias_correction is None:
        close = " For no correction (the plug-in) pass the string 'none'."
    raise ValueError(
        f"bias_correction must be 'auto' or one of {list(allowed)} with estimator={estimator!r}; "
        f"got {bias_correction!r}{hint}.{'' if other else close}"
    )


def check_discretizers(discretizers: Any, kind: type, n_clusters: int | str) -> tuple[Any, Any]:
    """The (teacher, student) pipelines of ``discretizers`` to reuse, each fitted ``kind`` or None.

    ``n_clusters`` is the caller's. It sets the sides fitted here; when both sides are reused it
    sets nothing, so an int other than the default ("not set") must match the reused
    Discretizers' clusters, which apply, rather than be ignored without a word.
    """
    if discretizers is None:
        return None, None
    name = kind.__name__
    if not isinstance(discretizers, (tuple, list)) or len(discretizers) != 2:
        raise TypeError(
            f"discretizers must be None or a pair (teacher, student) of fitted {name} or None, "
            f"e.g. a previous result's .discretizers; got {discretizers!r}."
        )
    for side, d in zip(("teacher", "student"), discretizers, strict=True):
        if d is None:
            continue
        if not isinstance(d, kind):
            raise TypeError(
                f"discretizers: the {side} entry must be a {name} or None (the estimator's own "
                f"pipeline); got {type(d).__name__}."
            )
        if not hasattr(d, "pipeline_"):
            raise NotFittedError(f"discretizers: the {side} {name} is not fitted; call fit first.")
    made = {getattr(d, "n_clusters_", None) for d in discretizers if not getattr(d, "rows_equal_", True)}
    if None not in discretizers and made and n_clusters not in ("auto", DEFAULT_CLUSTERS, *made):
        # Discretizers' ints: a Projector's None comes with the default n_clusters only (the Gaussian
        # estimator refuses others, check_discrete_only_options), which raises nothing here.
        numbers = " and ".join(str(k) for k in sorted(cast("set[int]", made)))
        raise ValueError(
            f"n_clusters={n_clusters} applies to no side: both are reused {name}s from discretizers, "
            f"fitted with {numbers} clusters, which apply; leave n_clusters at its default, or pass "
            "None for a side to fit it afresh with n_clusters."
        )
    return discretizers[0], discretizers[1]


def check_one_feature_side(given: Any, arr: np.ndarray, is_labels: bool, disc: Any, normalize: Any,
                           name: str) -> None:
    """Refuse ``normalize="l2"`` for a side of one feature that is projected here.

    Called before the projection, which sees an array and would refuse it with a fix for an array.
    """
    if not is_labels and disc is None:
        check_one_feature(arr.shape[1], normalize, name, given)


def check_clusterer_size(
    shape: tuple[int, int, int], n: int, method: str, parts: tuple[int, ...], clusterer: Any,
    t_set: dict[str, Any], s_set: dict[str, Any], fixed: dict[str, dict[int, str]],
) -> None:
    """:func:`check_sample_size` for the joint of a user's ``clusterer``'s clusters.

    check_sample_size's fixes name n_clusters, which a user clusterer overrides (passing the
    suggested n_clusters then conflicts with it): say whose number of clusters to lower.
    """
    try:
        check_sample_size(shape, n, method=method, subsamples=parts, **fixed)
    except ValueError as exc:
        kind = type(clusterer).__name__
        made = " and ".join(
            f"{side['n_values']} for {name}" for name, side in (("t_features", t_set), ("s_features", s_set))
            if side.get("fitted") == "on these samples" and side.get("clusterer") == kind
            and not _side_fits(shape[0], side["n_values"], n, method, parts)
        )
        if not made:  # the sides with too many values are reused or labels: the clusterer made none
            raise
        raise ValueError(
            f"{exc} The clusters come from clusterer={kind} ({made}), whose own setting sets their "
            "number (n_clusters does not apply to it): lower it there, e.g. its n_clusters, "
            "n_components or distance_threshold."
        ) from None


def _side_fits(n_labels: int, values: int, n: int, method: str, parts: tuple[int, ...]) -> bool:
    """Whether one side of ``values`` values is few enough for ``n`` samples (check_sample_size's rule)."""
    try:
        check_sample_size((n_labels, values, 1), n, method=method, subsamples=parts)
    except ValueError:
        return False
    return True


def check_n_clusters(n_clusters: Any) -> int | str:
    """``n_clusters`` if it is ``"auto"`` or an int >= 2, else an error that names ``"auto"``."""
    if isinstance(n_clusters, str):
        if n_clusters != "auto":
            raise ValueError(f"n_clusters must be an int >= 2 or 'auto'; got {n_clusters!r}."
                             + choice_advice(n_clusters, ["auto"]))
        return n_clusters
    # Every refusal names "auto": n_clusters=None (or 0) is how a user asks for "choose for me".
    return check_int(n_clusters, "n_clusters", minimum=2, alternative="'auto'", hint=(
        "'auto', the default, takes the number from the sample size and labels (clusters_for_samples)."),
                     meaning="the number of clusters each side's features are cut into, e.g. n_clusters=8")


def check_discrete_only_options(measure: str, clusterer: Any, n_clusters: int | str, parts: tuple[int, ...],
                                n_repeats: int) -> None:
    """Refuse, for ``estimator="gaussian"``, an option of the discrete estimator set away from its default."""
    no_clusters = "the Gaussian estimator does not cluster"
    no_subsamples = "its corrections need no subsamples"
    for name, value, default, why in (
        ("measure", measure != "broja", "broja", "the Gaussian PID is the BROJA decomposition "
                                                 "of the Gaussian model"),
        ("clusterer", clusterer is not None, None, no_clusters),
        ("n_clusters", n_clusters not in ("auto", DEFAULT_CLUSTERS), "auto", no_clusters),
        ("subsamples", parts != DEFAULT_SUBSAMPLES, DEFAULT_SUBSAMPLES, no_subsamples),
        ("n_repeats", n_repeats != DEFAULT_REPEATS, DEFAULT_REPEATS, no_subsamples),
    ):
        if value:
            also = f" or {DEFAULT_CLUSTERS}" if name == "n_clusters" else ""
            raise ValueError(
                f"{name} applies to estimator='discrete' only; with estimator='gaussian' leave it "
                f"at {default!r}{also} ({why})."
            )


def check_one_row_per_sample(n: int, t_arr: np.ndarray, s_arr: np.ndarray, t_features: Any,
                             s_features: Any) -> None:
    """Refuse feature arrays whose rows are not the ``n`` samples of ``y``, with the fix that fits."""
    if t_arr.shape[0] == n and s_arr.shape[0] == n:
        return
    transposed = [
        f" {name} has shape {arr.shape}, one column per label: if its rows are features, pass "
        f"{method_fix(given, name, 'T')}." for name, arr, given in (
            ("t_features", t_arr, t_features), ("s_features", s_arr, s_features))
        if arr.ndim == 2 and arr.shape[0] != n and arr.shape[1] == n
    ]
    batches = [batches_hint(x, name, rows=n) for name, x in (("t_features", t_features),
                                                             ("s_features", s_features))]
    raise ValueError(
        "y, t_features and s_features must have one row per sample, in the same order; got "
        f"{n}, {t_arr.shape[0]} and {s_arr.shape[0]} rows.{''.join(transposed)}{''.join(batches)}"
    )


def check_partition_sides(measure: str, shape: tuple[int, ...], sides: dict[str, Any]) -> None:
    """Refuse, before any solve, a joint of ``shape`` whose source has more values than the
    ``"gh-function-of-t"`` (``"-s"``) reading can enumerate the set partitions of, saying how to
    give that side fewer: ``sides`` maps ``"t_features"`` and ``"s_features"`` to their settings
    (``kind`` ``"clustered"`` or ``"labels"``).

    Examples
    --------
    >>> check_partition_sides("gh-function-of-t", (10, 9, 12), {"t_features": {"kind": "clustered"}})
    """
    axis = {"gh-function-of-t": 1, "gh-function-of-s": 2}.get(measure)
    if axis is None or shape[axis] <= MAX_PARTITION_SYMBOLS:
        return
    side = "t_features" if axis == 1 else "s_features"
    fewer = (f"n_clusters={MAX_PARTITION_SYMBOLS} or fewer" if sides[side].get("kind") == "clustered"
             else "labels with rare ones merged")
    raise ValueError(
        f"measure={measure!r} enumerates the set partitions of {side}'s values, at most "
        f"{MAX_PARTITION_SYMBOLS}, and {side} has {shape[axis]} here: pass {fewer}, or bound this "
        "reading with measure='wedge' (at most it) or 'broja' (at least it)."
    )
