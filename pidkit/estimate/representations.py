"""PID of learned representations: features -> clusters -> joint counts -> bias-corrected PID.

The RID paper (Appendix C, following Liang et al. 2024) audits a teacher/student pair by flattening
each layer's activations on a held-out set, projecting them to a few principal components,
clustering them with KMeans and counting the joint ``p[y, t, s]`` of (label, teacher cluster,
student cluster). :func:`pid_from_representations` makes that one seeded call that corrects the
plug-in's sampling bias, reports every setting it used, and (optionally) bootstrap intervals
around the corrected estimate. With ``estimator="gaussian"`` the components are not clustered but
modelled as jointly Gaussian with the one-hot label (:mod:`pidkit.estimate.continuous`).

Arrays index as ``p[y, t, s]``: target first, then teacher, then student.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from pidkit._caller import user_stacklevel
from pidkit._keyword_hints import hints_unknown_keywords
from pidkit._progress import check_progress
from pidkit._settings import (
    check_confidence,
    check_int,
    check_n_jobs,
    check_option,
    check_partition_repeats,
    check_replicates,
    check_seed,
)
from pidkit._units import check_units
from pidkit.redundancy.vertex_limit import TooManyVertices
from pidkit.resampling import (
    QUANTITIES,
    bootstrap_intervals,
    replicate_columns,
    resolve_ci_method,
)
from pidkit.samples import encoded_samples

from .._arrays import check_same_index
from .._labels import axis_labels
from .bias_warning import plugin_bias, unique_kink_bias
from .bootstrap import PIDStatistic
from .cluster_count import DEFAULT_CLUSTERS, clusters_for_samples, information_cap
from .cluster_seeds import (
    check_cluster_seeds,
    check_seeds_change_clusters,
    check_something_clustered,
    cluster_seed_values,
    cycled_replicates,
    mean_correction,
    seed_spread,
)
from .continuous import gaussian_representation_pid
from .correction import (
    DEFAULT_REPEATS,
    DEFAULT_SUBSAMPLES,
    check_sample_size,
    check_subsamples,
    correct_counts,
)
from .discretize import Discretizer
from .dropped_scale import warn_dropped_scale
from .fitted_inputs import feature_names
from .inputs import (
    check_labels,
    check_not_ids,
    check_two_classes,
    labels_or_features,
)
from .project import Projector, check_projection
from .representation_checks import (
    check_clusterer_size,
    check_discrete_only_options,
    check_discretizers,
    check_n_clusters,
    check_one_feature_side,
    check_one_row_per_sample,
    check_partition_sides,
    resolve_bias_correction,
)
from .result import PluginBiasWarning, RepresentationPID, bias_warning_text

__all__ = ["ESTIMATORS", "pid_from_representations", "resolve_bias_correction"]

ESTIMATORS = ("discrete", "gaussian")
"""How the PID is estimated from the samples: ``"discrete"`` clusters and counts; ``"gaussian"``
models the principal components as jointly Gaussian with the one-hot label."""
_BOOT_REPEATS = 1
"""Random partitions per subsample size inside each bootstrap replicate (see ``bootstrap``)."""


def _discretize_side(
    arr: np.ndarray, is_labels: bool, disc: Discretizer | None, names: np.ndarray | None, name: str,
    make: dict[str, Any],
) -> tuple[np.ndarray, Discretizer | None, dict[str, Any]]:
    # The number of values actually observed is filled in from the joint's shape.
    if is_labels:
        if disc is not None:
            raise ValueError(
                f"{name} is a 1-D array of labels, which is used as it is, but a Discretizer was "
                f"given for it in discretizers; pass None for that side."
            )
        return arr, None, {"kind": "labels"}
    if disc is not None:
        return disc.predict_named(arr, name, names), disc, {**disc.settings(), "fitted": "reused"}
    disc = Discretizer(**make).fit_named(arr, name, names)
    return disc.labels_, disc, {**disc.settings(), "fitted": "on these samples"}


def _fixed_values(arr: np.ndarray, disc: Discretizer | None) -> int:
    """Values of a side the call does not cluster: its distinct labels, or a reused partition's
    clusters."""
    return len(dict.fromkeys(arr.tolist())) if disc is None else int(disc.n_clusters_)


def _auto_clusters(
    n: int, n_labels: int, parts: tuple[int, ...], other_values: int | None
) -> tuple[int, str]:
    """``n_clusters="auto"``: the number of clusters and the call that gives it, as recorded (with
    the arguments that differ from the defaults, so that it gives the same number again)."""
    k = clusters_for_samples(n, n_labels, subsamples=parts, other_values=other_values)
    call = f"n_samples={n}, n_labels={n_labels}"
    if parts != DEFAULT_SUBSAMPLES:
        call += f", subsamples={parts}"
    if other_values is not None:
        call += f", other_values={other_values}"
    return k, f"clusters_for_samples({call}) = {k}"


def _record_caps(
    p: np.ndarray, n: int, t_set: dict[str, Any], s_set: dict[str, Any], *, units: str, method: str,
    subsamples: tuple[int, ...], clusterer: Any, bias_now: float,
) -> None:
    """``information_cap`` in the settings of each clustered side whose clusters, fewer than the
    labels, cap what it shows of them (:func:`~pidkit.estimate.information_cap`)."""
    sides = {"T": (t_set, p.sum(axis=2), s_set), "S": (s_set, p.sum(axis=1), t_set)}
    for side, (own, p_y_side, other) in sides.items():
        if own["kind"] != "clustered" or own.get("rows_equal") or own.get("distinct_rows"):
            continue  # labels as given, or features with fewer distinct rows than clusters: not the clusters'
        set_by = ("discretizers" if own["fitted"] == "reused"
                  else "n_clusters" if clusterer is None else "clusterer")
        refit = other["kind"] == "clustered" and other["fitted"] != "reused"  # the fix sets it too
        cap = information_cap(p_y_side, n_samples=n, side=side, units=units, method=method,
                              subsamples=subsamples, other_values=None if refit else other["n_values"],
                              set_by=set_by, bias_now=bias_now)
        if cap is not None:
            own["information_cap"] = cap


def _fewer_values(shape: tuple[int, ...]) -> str:
    """What pid's refusal of a polytope too large for max_vertices (not an option here) should ask."""
    return (
        f"or fewer values per source (here {shape[1]} for t_features, {shape[2]} "
        "for s_features): a smaller n_clusters for clustered features, rare labels merged"
    )


class _Clustering(NamedTuple):
    """One clustering's estimate: the joint, its samples' cells, the (teacher, student)
    discretizers and settings, the plug-in PID, the correction and the expected plug-in bias."""

    joint: Any
    cells: Any
    discretizers: tuple[Discretizer | None, Discretizer | None]
    sides: tuple[dict[str, Any], dict[str, Any]]
    pid: Any
    correction: Any
    bias: dict[str, float]


def _one_clustering(
    inputs: tuple[Any, Any, Any], sides: tuple[tuple[np.ndarray, bool, Discretizer | None], ...],
    seed: int, *, n_clusters: int | str, normalize: str | None, n_components: int | None, clusterer: Any,
    rule: str | None, measure: str, method: str, parts: tuple[int, ...], n_repeats: int, strict: bool,
    n_jobs: int | None, units: str, progress: bool | None,
) -> _Clustering:
    """Cluster the feature sides with ``seed`` (PCA, KMeans and the correction's partitions), count
    the joint and correct it."""
    from pidkit import pid

    y_axis, t_features, s_features = inputs
    (t_arr, t_is_labels, disc_t), (s_arr, s_is_labels, disc_s) = sides
    make = {
        "n_components": n_components,
        "n_clusters": n_clusters,
        "normalize": normalize,
        "random_state": seed,
        "clusterer": clusterer,
    }
    t_codes, disc_t, t_set = _discretize_side(
        t_arr, t_is_labels, disc_t, feature_names(t_features), "t_features", make)
    s_codes, disc_s, s_set = _discretize_side(
        s_arr, s_is_labels, disc_s, feature_names(s_features), "s_features", make)
    for side_set in (t_set, s_set):
        if rule and side_set["kind"] == "clustered" and side_set["fitted"] != "reused":
            side_set["n_clusters_rule"] = rule

    t_axis, s_axis = axis_labels(t_features, t_codes), axis_labels(s_features, s_codes)
    # The partitions and resamples take the samples by position, not cell by cell, so that the
    # numbers do not depend on how the labels or clusters are named; the table is counted from
    # the samples' cells, encoded once.
    joint, sample_cells = encoded_samples(y_axis, t_axis, s_axis)
    t_set["n_values"], s_set["n_values"] = int(joint.p.shape[1]), int(joint.p.shape[2])
    bias = plugin_bias(joint.counts, units)
    _record_caps(joint.p, joint.n_samples, t_set, s_set, units=units, method=method, subsamples=parts,
                 clusterer=clusterer, bias_now=bias["i_yts"])
    named = ((1, "t_features", t_set), (2, "s_features", s_set))
    fixed = {  # the sides n_clusters does not set, for check_sample_size's fixes
        "label_sides": {axis: name for axis, name, side in named if side["kind"] == "labels"},
        "reused_sides": {axis: name for axis, name, side in named if side.get("fitted") == "reused"},
    }
    if clusterer is not None:
        check_clusterer_size(joint.counts.shape, joint.n_samples, method, parts, clusterer, t_set, s_set,
                              fixed)
    else:  # here, not in correct_counts, whose messages name its own argument, method
        check_sample_size(joint.counts.shape, joint.n_samples, method=method, subsamples=parts, **fixed)
    check_partition_sides(measure, joint.p.shape, {"t_features": t_set, "s_features": s_set})
    try:  # the full sample, then the correction's subsamples (a subsample's polytope can be larger)
        result = pid(joint.p, measure=measure, units=units, strict=strict)
        fix = correct_counts(
            joint.counts, method=method, measure=measure, units=units, subsamples=parts,
            n_repeats=n_repeats, random_state=seed, strict=strict, n_jobs=n_jobs, plugin=result,
            sample_cells=sample_cells, progress=progress,
        )
    except TooManyVertices as exc:
        raise exc.without_the_option(_fewer_values(joint.p.shape)) from None
    bias["uni_at_kink"] = unique_kink_bias(joint.counts, result.uni_t, result.uni_s, units)
    return _Clustering(joint, sample_cells, (disc_t, disc_s), (t_set, s_set), result, fix, bias)


@hints_unknown_keywords
def pid_from_representations(
    y: Any,
    t_features: Any,
    s_features: Any,
    *,
    measure: str = "broja",
    estimator: str = "discrete",
    bias_correction: str = "auto",
    subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
    n_repeats: int = DEFAULT_REPEATS,
    n_components: int | None = 10,
    n_clusters: int | str = "auto",
    normalize: str | None = "l2",
    clusterer: Any = None,
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    discretizers: Sequence[Discretizer | Projector | None] | None = None,
    cluster_seeds: int = 1,
    bootstrap: int = 0,
    confidence: float = 0.95,
    ci_method: str = "auto",
    n_jobs: int | None = None,
    units: str = "bits",
    strict: bool = True,
    progress: bool | None = None,
) -> RepresentationPID:
    """Bias-corrected PID of labels ``y`` with respect to teacher and student representations.

    ``estimator="discrete"`` (default): each feature matrix is discretised separately
    (:class:`Discretizer`: L2 row normalisation -> PCA -> KMeans, a seeded scikit-learn Pipeline),
    the joint ``p[y, t, s]`` of (label, teacher cluster, student cluster) is counted with
    :func:`pidkit.joint_from_samples`, decomposed with :func:`pidkit.pid`, and its sampling bias
    corrected (:func:`correct_counts`). 1-D integer, boolean or string arrays are taken as discrete
    labels and used unchanged.

    ``estimator="gaussian"``: the same normalisation and PCA (:class:`Projector`), no clustering;
    the label is one-hot encoded in C - 1 columns (so are sources given as 1-D labels), and
    :func:`pidkit.gaussian_pid_from_samples` decomposes the sample covariance with the exact
    Wishart correction of its informations. It measures linearly decodable information (see
    ``docs/estimate.md``, "The Gaussian estimator").

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Target class labels (at least two classes): ints, strings, hashable objects, or floats
        holding whole numbers, but not numbers beside strings (``5`` and ``"5"``: a ValueError).
        A continuous target must be discretised first (``np.digitize``).
    t_features, s_features : array_like of shape (n_samples, n_features) or (n_samples, ...), or
        1-D integer labels
        Teacher and student representations on the same samples, in the same order. Trailing axes
        are flattened (a batch of C x H x W maps can be passed as it is). Samples are paired by
        position; pandas objects among ``y``, ``t_features`` and ``s_features`` must share one
        index (a ValueError otherwise, so that a shuffled Series is not paired wrongly).
    measure : str, default="broja"
        PID measure, passed to :func:`pidkit.pid` (the Gaussian estimator is BROJA only).
    estimator : {"discrete", "gaussian"}, default="discrete"
        How the PID is estimated from samples: ``"discrete"`` clusters, counts and decomposes;
        ``"gaussian"`` decomposes a Gaussian model of the principal components.
    bias_correction : str, default="auto"
        One of ``"auto"``, ``"eb-extrapolation-kink"``, ``"eb-extrapolation"``,
        ``"extrapolation"``, ``"wishart"`` and ``"none"``. ``"auto"`` is
        ``"eb-extrapolation-kink"`` for the discrete estimator and ``"wishart"`` for the
        Gaussian one. Discrete: see :mod:`pidkit.estimate.correction`. Gaussian: ``"wishart"``
        removes the exact finite-sample bias of the informations and corrects the channels (see
        :mod:`pidkit.gaussian.samples`). ``"none"`` reports the plug-in.
    subsamples : sequence of int, default=(2, 4)
        Discrete: the sample is cut into this many parts for the extrapolation.
    n_repeats : int, default=8
        Discrete: random partitions per subsample size.
    n_components : int or None, default=10
        Principal components kept per side (``None``: no PCA). For the Gaussian estimator these
        are its dimensions: ``n_samples`` must exceed ``C - 1 + d_t + d_s + 1``, and the estimate is
        most reliable with that total well below ``n_samples``.
    normalize, clusterer
        As in :class:`Discretizer` (``clusterer``: discrete only).
    n_clusters : int or "auto", default="auto"
        Discrete: clusters per side fitted here; ``"auto"`` applies :func:`clusters_for_samples`
        (at most 10, the RID paper's number) to the sample size, the number of labels and
        ``subsamples``, and records the rule in ``settings`` (a ValueError when even 2 clusters are
        too many for the bias correction): 6 for 450 samples of 10 labels, 10 from 1000; with the
        other side given as labels or reused, its number of values counts (``other_values``). With a
        ``clusterer`` its own number applies, and with both sides reused from ``discretizers``
        theirs: ``"auto"`` and 10 mean "not set", another number must equal it. The Gaussian
        estimator accepts ``"auto"`` and 10 (and ignores them).
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Seed of PCA, KMeans, the subsample partitions and the bootstrap. ``None`` draws one and
        records it in ``settings``. Partitions and resamples are drawn as positions of the
        samples, so renaming the labels of ``y`` or of a side given as labels gives the same
        numbers (to the solver's rounding).
    discretizers : pair of (Discretizer, Projector or None) or None, default=None
        Fitted (teacher, student) pipelines to reuse instead of fitting new ones (their own
        settings then apply and are recorded): :class:`Discretizer` for the discrete estimator,
        :class:`Projector` for the Gaussian one; ``None`` entries are fitted on these samples.
    cluster_seeds : int, default=1
        Discrete: cluster the features with this many seeds (``random_state``, then seeds drawn
        from it: ``settings["cluster_seed_values"]``) and report the mean of their corrected
        estimates, with each quantity's sd over the seeds in ``settings["cluster_seed_sd"]``;
        ``p``, ``counts``, ``pid`` and ``discretizers`` are the first seed's. Bootstrap replicate
        ``i`` resamples the ``i % k``-th clustering, so the intervals carry the seed's variance,
        which the default's leave out. It costs k clusterings and corrections; measured 90 %
        coverage and spread for k = 1, 3, 5 are in docs/estimate.md. A ``clusterer`` the seeds
        cannot reach (its own ``random_state`` set, or none) is refused for k > 1.
    bootstrap : int, default=0
        Number of bootstrap replicates; ``0`` computes no intervals, ``1`` is an error (one
        replicate has no spread). Discrete: each replicate resamples the samples by position
        (their counts are a multinomial resample of the joint's) and goes through the same
        correction (with one random partition per subsample size).
        Gaussian: each replicate resamples the rows (of the fitted components) and is estimated
        the same way.
    confidence : float, default=0.95
        Nominal coverage of the intervals, in (0, 1).
    ci_method : {"auto", "centred", "basic", "percentile"}, default="auto"
        How replicates become intervals around the corrected estimate; see
        :func:`bootstrap_intervals` and ``docs/estimate.md`` for the measured coverage of each.
        ``"auto"``: ``"centred"`` for a bias-corrected estimate (it covered best), ``"basic"`` for
        ``bias_correction="none"``; ``settings["ci_method"]`` records the one used. Both ends
        are clipped at 0, but a corrected value below 0 is its interval's lower end (it is not
        left below its interval). The discrete intervals of Red, the unique informations and Syn also
        cover the values under an n**-1/2 bias of the union information (``correction.kink``),
        which the samples cannot rule out.
    n_jobs : int or None, default=None
        joblib workers for the subsample solves and the bootstrap (``None``: the active
        ``joblib.parallel_config``, else 1). The numbers do not depend on it or on the backend.
    units : {"bits", "nats"}, default="bits"
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the full sample's solve is not certified. With
        ``False`` the result carries the solver's ``status`` instead (and uncertified subsample or
        replicate solves are left out and counted), so a caller such as a training loop need not
        redo the discretisation.
    progress : bool or None, default=None
        A progress bar of the bootstrap replicates, and of the correction's subsample solves
        (:func:`correct_counts`), each removed when done. ``None``: where a person watches (a
        terminal or a Jupyter notebook), once they have taken more than a second.

    Returns
    -------
    RepresentationPID
        Corrected atoms and informations, the plug-in values, the correction, settings and
        intervals (and for the discrete estimator the joint and its plug-in PID).

    Warns
    -----
    PluginBiasWarning
        With ``bias_correction="none"``, when the expected plug-in bias of I(Y;T,S) is more than
        10 % of its estimate and more than 5e-4 bits (``BIAS_WARNING_FLOOR``); else, for the
        discrete estimator, when both plug-in unique informations are within 2.5 standard errors of
        I(Y;T) - I(Y;S) of 0, as at a kink, and ``bias["uni_at_kink"]``, the bias each is then
        expected to have at least, exceeds that floor
        (:func:`~pidkit.estimate.bias_warning.unique_kink_bias`).
    ScaleDroppedWarning
        Where ``normalize="l2"`` dropped row lengths of a side that tell the labels apart.

    Examples
    --------
    >>> from pidkit.estimate import pid_from_representations
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> centres = np.array([[0.0] * 8, [6.0] * 8])
    >>> t = centres[y] + rng.normal(size=(2000, 8))      # teacher knows y
    >>> s = rng.normal(size=(2000, 8))                   # student knows nothing
    >>> res = pid_from_representations(y, t, s, n_components=2, n_clusters=2, normalize=None)
    >>> round(res.uni_t, 2), round(res.red, 2) + 0.0, res.n_samples   # + 0.0: no "-0.0"
    (1.0, 0.0, 2000)
    >>> g = pid_from_representations(y, t, s, estimator="gaussian", n_components=2, normalize=None)
    >>> g.settings["dims"], round(g.uni_t, 1), round(g.red, 2)
    ([1, 2, 2], 3.1, 0.0)

    The Gaussian model's 3.1 bits exceed H(Y) = 1 bit: it measures how well a linear readout
    separates the classes (a signal-to-noise ratio), not Shannon bits of the label.
    """

    check_units(units)
    check_option(estimator, "estimator", ESTIMATORS)
    method = resolve_bias_correction(bias_correction, estimator)
    parts = check_subsamples(subsamples)
    n_repeats = check_partition_repeats(n_repeats)
    if n_components is not None:  # a bool is told what it counts; the rest read as check_projection's
        check_int(n_components, "n_components", minimum=1, alternative="None (no PCA)", meaning=(
            "the number of principal components kept per side, e.g. n_components=10"))
    check_projection(n_components, normalize, "auto")
    n_clusters = check_n_clusters(n_clusters)
    n_boot = check_replicates(bootstrap, "bootstrap", zero_allowed=True)
    confidence = check_confidence(confidence)
    ci_method = resolve_ci_method(ci_method, corrected=method != "none")
    check_n_jobs(n_jobs)
    seed = check_seed(random_state)
    check_progress(progress)
    k_seeds = check_cluster_seeds(cluster_seeds, estimator)
    if estimator == "gaussian":
        check_discrete_only_options(measure, clusterer, n_clusters, parts, n_repeats)
    kind = Projector if estimator == "gaussian" else Discretizer
    disc_t, disc_s = check_discretizers(discretizers, kind, n_clusters)

    y_arr = check_labels(y)
    t_arr, t_is_labels = labels_or_features(t_features, "t_features")
    s_arr, s_is_labels = labels_or_features(s_features, "s_features")
    n = y_arr.shape[0]
    check_one_row_per_sample(n, t_arr, s_arr, t_features, s_features)
    check_same_index({"y": y, "t_features": t_features, "s_features": s_features})
    check_one_feature_side(t_features, t_arr, t_is_labels, disc_t, normalize, "t_features")
    check_one_feature_side(s_features, s_arr, s_is_labels, disc_s, normalize, "s_features")
    check_not_ids(y_arr, "y")
    y_axis = axis_labels(y, y_arr)
    if estimator == "gaussian":
        gaussian_result = gaussian_representation_pid(
            y_axis, (t_arr, t_is_labels, disc_t, feature_names(t_features)),
            (s_arr, s_is_labels, disc_s, feature_names(s_features)), method=method,
            make={"n_components": n_components, "normalize": normalize, "random_state": seed},
            bootstrap=n_boot, confidence=confidence, ci_method=ci_method, seed=seed, n_jobs=n_jobs,
            units=units, strict=strict, progress=progress,
        )
        gaussian_result.settings["versions"] = _versions()
        return gaussian_result

    classes = np.array(list(dict.fromkeys(y_arr.tolist())), dtype=object)  # labels need not sort
    check_two_classes(classes, "y", "discrete")
    n_labels = int(classes.size)
    rule = None
    sides = ((t_arr, t_is_labels, disc_t), (s_arr, s_is_labels, disc_s))
    fixed_sides = [(arr, disc) for arr, is_labels, disc in sides if is_labels or disc is not None]
    if n_clusters == "auto" and (clusterer is not None or len(fixed_sides) == 2):
        # "not set": the clusterer's own number applies, or no side is clustered here (labels, or
        # reused discretizers), so the sample-size rule sets nothing and must not refuse the call
        n_clusters = DEFAULT_CLUSTERS
    elif n_clusters == "auto":
        n_clusters, rule = _auto_clusters(n, n_labels, parts,
                                          _fixed_values(*fixed_sides[0]) if fixed_sides else None)
        try:
            check_sample_size((n_labels, n_clusters, n_clusters), n, method=method, subsamples=parts)
        except ValueError as exc:
            raise ValueError(
                f"n_clusters='auto' found no number of clusters that bias_correction={method!r} "
                f"accepts with {n} samples of {n_labels} labels (its smallest, 2, is too many): {exc}"
            ) from None
    check_something_clustered(k_seeds, len(fixed_sides) < 2)
    check_seeds_change_clusters(k_seeds, clusterer)
    seeds = cluster_seed_values(seed, k_seeds)
    runs = [_one_clustering(
        (y_axis, t_features, s_features), sides, seed_j, n_clusters=n_clusters, normalize=normalize,
        n_components=n_components, clusterer=clusterer, rule=rule, measure=measure, method=method,
        parts=parts, n_repeats=n_repeats, strict=strict, n_jobs=n_jobs, units=units, progress=progress)
        for seed_j in seeds]
    joint, _, (disc_t, disc_s), (t_set, s_set), result, _, bias = runs[0]
    fix = mean_correction([run.correction for run in runs])
    if k_seeds > 1:
        bias = {name: float(np.mean([run.bias[name] for run in runs])) for name in bias}
    fewer_values = _fewer_values(joint.p.shape)
    codes = runs[0].cells.rows  # each sample's (y, t, s): the first seed's clusters
    warn_dropped_scale(
        codes[:, 0], {"t_features": (t_arr, t_set, codes[:, 1]), "s_features": (s_arr, s_set, codes[:, 2])},
        {"t_features": fix.corrected["i_yt"], "s_features": fix.corrected["i_ys"]}, "within its clusters",
        units)

    bias_warning = None
    if method == "none":
        cells = f"{math.prod(joint.p.shape)} cells"
        bias_warning = bias_warning_text(bias, fix.plugin["i_yts"], joint.n_samples, cells, units,
                                         unique=(fix.plugin["uni_t"], fix.plugin["uni_s"]))
        if bias_warning:
            warnings.warn(bias_warning, PluginBiasWarning, stacklevel=user_stacklevel())

    intervals = samples = None
    n_failed = 0
    if n_boot > 0:
        statistics = [PIDStatistic(
            run.joint.counts, method=method, measure=measure, units=units, subsamples=parts,
            n_repeats=_BOOT_REPEATS, sample_cells=run.cells,
        ) for run in runs]
        try:
            boot = cycled_replicates(statistics, n_boot, seeds, n_jobs=n_jobs, progress=progress)
        except TooManyVertices as exc:  # a replicate's polytope can be larger than the full sample's
            raise exc.without_the_option(fewer_values) from None
        n_failed = int(np.isnan(boot[:, 0]).sum())
        samples = replicate_columns(boot)
        estimate = [fix.corrected[name] for name in QUANTITIES]
        reference = [fix.plugin[name] for name in QUANTITIES]
        alternative = [fix.kink_corrected[name] for name in QUANTITIES]
        spans = bootstrap_intervals(
            boot, estimate, reference, confidence=confidence, method=ci_method, lower=0.0,
            alternative=alternative,
        )
        intervals = dict(zip(QUANTITIES, _reach_the_estimate(spans, estimate), strict=True))

    settings = {
        "estimator": estimator,
        "measure": measure,
        "units": units,
        "n_samples": int(joint.n_samples),
        "random_state": seed,
        "bias_correction": method,
        "subsamples": list(parts),
        "n_repeats": n_repeats,
        "strict": bool(strict),
        "y": {"kind": "labels", "n_values": int(joint.p.shape[0])},
        "t": t_set,
        "s": s_set,
        "bootstrap": n_boot,
        "bootstrap_failed": n_failed,
        "bootstrap_partitions": _BOOT_REPEATS if n_boot and method != "none" else 0,
        "confidence": float(confidence),
        "ci_method": ci_method,
        "cluster_seeds": k_seeds,
        "versions": _versions(),
    }
    if k_seeds > 1:
        settings["cluster_seed_values"] = seeds
        settings["cluster_seed_sd"] = seed_spread([run.correction for run in runs])
    return RepresentationPID(
        pid=result,
        p=joint.p,
        counts=joint.counts,
        labels=joint.labels,
        n_samples=int(joint.n_samples),
        settings=settings,
        correction=fix,
        bias=bias,
        bias_warning=bias_warning,
        intervals=intervals,
        bootstrap_samples=samples,
        discretizers=(disc_t, disc_s),
    )


def _reach_the_estimate(spans: list[tuple[float, float]], estimate: list[float]) -> list[tuple[float, float]]:
    """Intervals clipped at 0 whose lower end reaches down to a corrected value below 0.

    The quantities cannot be negative, so clipping an interval at 0 never drops the truth; but
    the corrected values are not clipped (``correction.negative`` names those below 0), and an
    interval starting at 0 would leave its own estimate out. Stretching it down to the estimate
    adds only values below 0: the coverage is that of the clipped interval.
    """
    return [(min(lo, est) if est < 0 else lo, hi) for (lo, hi), est in zip(spans, estimate, strict=True)]


def _versions() -> dict[str, str]:
    from sklearn import __version__ as sklearn_version

    return {"numpy": np.__version__, "scikit-learn": sklearn_version}
