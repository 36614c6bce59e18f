"""PID of learned representations: features -> clusters -> joint counts -> bias-corrected PID.

The RID paper (Appendix C, following Liang et al. 2024) audits a teacher/student pair by flattening
each layer's activations on a held-out set, projecting them to a few principal components,
clustering them with KMeans and counting the joint ``p[y, t, s]`` of (label, teacher cluster,
student cluster). :func:`pid_from_representations` makes that one seeded call that corrects the
plug-in's sampling bias, reports every setting it used, and (optionally) bootstrap intervals
around the corrected estimate.

Arrays index as ``p[y, t, s]``: target first, then teacher, then student.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pidkit._result import PIDResult
from pidkit._units import check_units, from_nats
from pidkit._validate import check_confidence, check_int, check_n_jobs, check_option, check_seed
from pidkit.resampling import CI_METHODS, bootstrap_intervals, bootstrap_replicates

from .bootstrap import PIDStatistic
from .correction import (
    DEFAULT_BIAS_CORRECTION,
    DEFAULT_SUBSAMPLES,
    QUANTITIES,
    BiasCorrection,
    check_bias_correction,
    check_subsamples,
    correct_counts,
)
from .discretize import Discretizer, clusters_for_samples
from .inputs import check_labels, labels_or_features
from .project import NORMALIZE_OPTIONS

__all__ = [
    "BIAS_WARNING_RATIO",
    "ESTIMATORS",
    "PluginBiasWarning",
    "RepresentationPID",
    "pid_from_representations",
]

BIAS_WARNING_RATIO = 0.1
"""Warn when the expected plug-in bias of I(Y;T,S) exceeds this fraction of its estimate."""
ESTIMATORS = ("discrete",)
"""How the PID is estimated from the samples: ``"discrete"`` clusters and counts."""
_BOOT_REPEATS = 1
"""Random partitions per subsample size inside each bootstrap replicate (see ``bootstrap``)."""


class PluginBiasWarning(UserWarning):
    """The sample is too small for the plug-in estimate of the joint information to be trusted."""


@dataclass(frozen=True, eq=False)
class RepresentationPID:
    """PID of (labels, teacher features, student features) with everything needed to trust it.

    The atoms (``red``, ``uni_t``, ``uni_s``, ``syn``) and informations (``i_yt``, ``i_ys``,
    ``i_yts``) are the bias-corrected values (``correction.method``; equal to the plug-in for
    ``"none"``). They satisfy the PID identities with each other; they are not clipped at 0, and
    ``correction.negative`` names any that came out below 0 (indistinguishable from 0 at this n).

    Attributes
    ----------
    pid : PIDResult
        The plug-in decomposition of the empirical joint ``p`` (atoms, informations, solver status).
    p : numpy.ndarray
        The empirical joint ``p[y, t, s]``.
    counts : numpy.ndarray of int
        Sample counts behind ``p`` (``p = counts / n_samples``).
    labels : dict of str to numpy.ndarray
        For ``"y"``, ``"t"``, ``"s"``: the original label (or cluster id) of every index of ``p``.
    n_samples : int
    settings : dict
        Every setting used: estimator, measure, units, seed, bias correction, bootstrap, and per
        variable how it was discretised (features, components, clusters and the rule that chose
        their number, normalisation, seed, explained variance).
    correction : BiasCorrection
        Method, plug-in and corrected values, the estimated bias of each, subsample sizes.
    bias : dict of str to float
        First-order expected plug-in bias (``(|A|-1)(|B|-1) / (2 n)`` nats) of ``i_yt``, ``i_ys``
        and ``i_yts``, in ``units``, and ``"ratio"`` = bias of ``i_yts`` / plug-in ``i_yts``.
    bias_warning : str or None
        With ``bias_correction="none"``: the warning text when ``bias["ratio"] >
        BIAS_WARNING_RATIO``.
    intervals : dict of str to (float, float) or None
        Bootstrap intervals around the corrected values (``settings["ci_method"]``), when
        ``bootstrap > 0``; those of the four atoms stretch by ``correction.kink`` towards the
        values under an n**-1/2 bias of the union information (``correction.kink_corrected``).
    bootstrap_samples : dict of str to numpy.ndarray or None
        The (corrected) replicates behind ``intervals``; NaN where a solve failed.
    discretizers : tuple of (Discretizer or None, Discretizer or None)
        The fitted teacher and student discretizers (``None`` for a side given as labels); pass them
        back as ``discretizers=`` to reuse the same clusters on other features.
    """

    pid: PIDResult
    p: np.ndarray
    counts: np.ndarray
    labels: dict[str, np.ndarray]
    n_samples: int
    settings: dict[str, Any]
    correction: BiasCorrection
    bias: dict[str, float]
    bias_warning: str | None = None
    intervals: dict[str, tuple[float, float]] | None = None
    bootstrap_samples: dict[str, np.ndarray] | None = field(default=None, repr=False)
    discretizers: tuple[Discretizer | None, Discretizer | None] = (None, None)

    @property
    def red(self) -> float:
        """Red(Y:T,S), corrected."""
        return self.correction.corrected["red"]

    @property
    def uni_t(self) -> float:
        """Uni(Y:T\\S), corrected."""
        return self.correction.corrected["uni_t"]

    @property
    def uni_s(self) -> float:
        """Uni(Y:S\\T), corrected."""
        return self.correction.corrected["uni_s"]

    @property
    def syn(self) -> float:
        """Syn(Y:T,S), corrected."""
        return self.correction.corrected["syn"]

    @property
    def i_yt(self) -> float:
        """I(Y;T), corrected."""
        return self.correction.corrected["i_yt"]

    @property
    def i_ys(self) -> float:
        """I(Y;S), corrected."""
        return self.correction.corrected["i_ys"]

    @property
    def i_yts(self) -> float:
        """I(Y;T,S), corrected."""
        return self.correction.corrected["i_yts"]

    @property
    def plugin(self) -> dict[str, float]:
        """The plug-in values of the seven quantities."""
        return self.correction.plugin

    @property
    def units(self) -> str:
        """Units of every number in this result."""
        return self.pid.units

    @property
    def status(self) -> str:
        """Status of the full sample's solve (``"optimal"`` when certified)."""
        return self.pid.status

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: corrected numbers, plug-in, correction, settings, intervals."""
        out: dict[str, Any] = {name: float(self.correction.corrected[name]) for name in QUANTITIES}
        out.update(
            units=self.pid.units,
            measure=self.pid.measure,
            status=self.pid.status,
            n_samples=self.n_samples,
            shape=list(self.p.shape),
            plugin=self.correction.plugin,
            bias_correction=self.correction.to_dict(),
            settings=self.settings,
            bias=self.bias,
            bias_warning=self.bias_warning,
            intervals=self.intervals,
            p=self.p,
            counts=self.counts,
            labels=self.labels,
            pid=self.pid.to_dict(),
        )
        return _jsonable(out)

    def __repr__(self) -> str:
        u = self.pid.units
        fix = self.correction
        shape = "x".join(str(k) for k in self.p.shape)
        lines = [
            f"RepresentationPID({self.pid.measure}, n={self.n_samples}, |Y|x|T|x|S| = {shape}, "
            f"status={self.pid.status}, bias_correction={fix.method})"
        ]
        head = f"  {'atom':<8} {'value':>10} {'plug-in':>10}"
        if self.intervals is not None:
            head += f"   {self.settings['confidence']:.0%} {self.settings['ci_method']} interval"
        lines.append(f"{head}   ({u})")
        for name in QUANTITIES:
            row = f"  {name:<8} {fix.corrected[name]:>10.6f} {fix.plugin[name]:>10.6f}"
            if self.intervals is not None:
                lo, hi = self.intervals[name]
                row += f"   [{lo:.6f}, {hi:.6f}]"
            lines.append(row)
        if fix.method != "none":
            lines.append(f"  subsample sizes {list(fix.subsample_sizes)} x {fix.n_repeats} partitions")
        if fix.kink > 0:
            which = "the intervals" if self.intervals is not None else "intervals (bootstrap=B)"
            lines.append(
                f"  kink: under an n^-1/2 bias (both Uni at 0 with equal channels) Uni would be "
                f"{fix.kink:.4g} {u} lower, Red and Syn {fix.kink:.4g} {u} higher; {which} include that"
            )
        if fix.negative:
            lines.append(
                f"  note: {', '.join(fix.negative)} corrected below 0: indistinguishable from 0 at "
                f"n = {self.n_samples} (values are not clipped)"
            )
        lines.append(
            f"  first-order plug-in bias of i_yts ~ {self.bias['i_yts']:.4g} {u} "
            f"({self.bias['ratio']:.1%} of the plug-in)"
        )
        for side in ("t", "s"):
            lines.append(f"  {side.upper()}: {_describe(self.settings[side])}")
        if self.bias_warning:
            lines.append(f"  warning: {self.bias_warning}")
        return "\n".join(lines)


def _describe(setting: dict[str, Any]) -> str:
    if setting["kind"] == "labels":
        return f"labels as given ({setting['n_values']} values)"
    pca = "no PCA" if setting["n_components"] is None else f"PCA {setting['n_components']}"
    rule = f", {setting['n_clusters_rule']}" if setting.get("n_clusters_rule") else ""
    return (
        f"{setting['n_features']} features -> {setting['normalize']} -> {pca} -> "
        f"{setting['clusterer']} {setting['n_clusters']}{rule} (seed {setting['random_state']}, "
        f"{setting['n_values']} clusters used)"
    )


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _plugin_bias(shape: tuple[int, ...], n_samples: int, units: str) -> dict[str, float]:
    ny, nt, ns = shape

    def bias(a: int, b: int) -> float:
        return from_nats((a - 1) * (b - 1) / (2.0 * n_samples), units)

    return {"i_yt": bias(ny, nt), "i_ys": bias(ny, ns), "i_yts": bias(ny, nt * ns)}


def _check_discretizers(discretizers: Any) -> tuple[Discretizer | None, Discretizer | None]:
    if discretizers is None:
        return None, None
    if not isinstance(discretizers, (tuple, list)) or len(discretizers) != 2:
        raise TypeError(
            "discretizers must be None or a pair (teacher, student) of fitted Discretizer or None, "
            f"e.g. a previous result's .discretizers; got {discretizers!r}."
        )
    for side, d in zip(("teacher", "student"), discretizers, strict=True):
        if d is None:
            continue
        if not isinstance(d, Discretizer):
            raise TypeError(
                f"discretizers: the {side} entry must be a Discretizer or None; got {type(d).__name__}."
            )
        if not hasattr(d, "pipeline_"):
            raise ValueError(f"discretizers: the {side} Discretizer is not fitted; call fit first.")
    return discretizers[0], discretizers[1]


def _discretize_side(
    arr: np.ndarray, is_labels: bool, disc: Discretizer | None, name: str, make: dict[str, Any]
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
        return disc.predict_named(arr, name), disc, {**disc.settings(), "fitted": "reused"}
    disc = Discretizer(**make).fit_named(arr, name)
    return disc.labels_, disc, {**disc.settings(), "fitted": "on these samples"}


def _check_n_clusters(n_clusters: Any) -> int | str:
    if isinstance(n_clusters, str):
        if n_clusters != "auto":
            raise ValueError(f"n_clusters must be an int >= 2 or 'auto'; got {n_clusters!r}.")
        return n_clusters
    return check_int(n_clusters, "n_clusters", minimum=2)


def pid_from_representations(
    y: Any,
    t_features: Any,
    s_features: Any,
    *,
    measure: str = "broja",
    estimator: str = "discrete",
    bias_correction: str = DEFAULT_BIAS_CORRECTION,
    subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
    n_repeats: int = 8,
    n_components: int | None = 10,
    n_clusters: int | str = 10,
    normalize: str | None = "l2",
    clusterer: Any = None,
    random_state: int | None = 0,
    discretizers: Sequence[Discretizer | None] | None = None,
    bootstrap: int = 0,
    confidence: float = 0.95,
    ci_method: str = "basic",
    n_jobs: int | None = None,
    units: str = "bits",
    strict: bool = True,
) -> RepresentationPID:
    """Bias-corrected PID of labels ``y`` with respect to teacher and student representations.

    Each feature matrix is discretised separately (:class:`Discretizer`: L2 row normalisation ->
    PCA -> KMeans, a seeded scikit-learn Pipeline), the joint ``p[y, t, s]`` of (label, teacher
    cluster, student cluster) is counted with :func:`pidkit.joint_from_samples`, decomposed with
    :func:`pidkit.pid`, and its sampling bias corrected (:func:`correct_counts`). 1-D integer,
    boolean or string arrays are taken as discrete labels and used unchanged.

    Parameters
    ----------
    y : array_like of shape (n_samples,)
        Target labels.
    t_features, s_features : array_like of shape (n_samples, n_features) or (n_samples, ...), or
        1-D integer labels
        Teacher and student representations on the same samples, in the same order. Trailing axes
        are flattened (a batch of C x H x W maps can be passed as it is).
    measure : str, default="broja"
        PID measure, passed to :func:`pidkit.pid`.
    estimator : {"discrete"}, default="discrete"
        How the PID is estimated from samples: ``"discrete"`` clusters, counts and decomposes.
    bias_correction : {"eb-extrapolation", "extrapolation", "none"}, default="eb-extrapolation"
        See :mod:`pidkit.estimate.correction`; ``"none"`` reports the plug-in.
    subsamples : sequence of int, default=(2, 4)
        The sample is cut into this many parts for the extrapolation (halves and quarters).
    n_repeats : int, default=8
        Random partitions per subsample size.
    n_components, normalize, clusterer
        Discretisation settings of both sides, as in :class:`Discretizer`.
    n_clusters : int or "auto", default=10
        Clusters per side; ``"auto"`` applies :func:`clusters_for_samples` (at most 10) to the
        sample size and the number of labels, and records the rule in ``settings``.
    random_state : int or None, default=0
        Seed of PCA, KMeans, the subsample partitions and the bootstrap. ``None`` draws one and
        records it in ``settings``.
    discretizers : pair of (Discretizer or None) or None, default=None
        Fitted (teacher, student) discretizers to reuse instead of fitting new ones (their own
        settings then apply and are recorded); ``None`` entries are fitted on these samples.
    bootstrap : int, default=0
        Number of bootstrap replicates; ``0`` computes no intervals. Each replicate is a
        multinomial resample of the counts that goes through the same correction (with one random
        partition per subsample size), so the intervals describe the corrected estimator.
    confidence : float, default=0.95
        Nominal coverage of the intervals, in (0, 1).
    ci_method : {"basic", "percentile"}, default="basic"
        How replicates become intervals around the corrected estimate; see
        :func:`bootstrap_intervals`. Both ends are clipped at 0. The intervals of Red, the unique
        informations and Syn also cover the values under an n**-1/2 bias of the union
        information (``correction.kink``), which the samples cannot rule out.
    n_jobs : int or None, default=None
        joblib workers for the subsample solves and the bootstrap (``None``: the active
        ``joblib.parallel_config``, else 1). The numbers do not depend on it or on the backend.
    units : {"bits", "nats"}, default="bits"
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the full sample's solve is not certified. With
        ``False`` the result carries the solver's ``status`` instead (and uncertified subsample or
        replicate solves are left out and counted), so a caller such as a training loop need not
        redo the discretisation.

    Returns
    -------
    RepresentationPID
        Corrected atoms and informations, the plug-in PID, the joint, the correction, settings and
        intervals.

    Warns
    -----
    PluginBiasWarning
        With ``bias_correction="none"``, when the expected plug-in bias of I(Y;T,S),
        ``(|Y|-1)(|T||S|-1) / (2 n)`` nats, is more than 10 % of its estimate.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 2000)
    >>> centres = np.array([[0.0] * 8, [6.0] * 8])
    >>> t = centres[y] + rng.normal(size=(2000, 8))      # teacher knows y
    >>> s = rng.normal(size=(2000, 8))                   # student knows nothing
    >>> res = pid_from_representations(y, t, s, n_components=2, n_clusters=2, normalize=None)
    >>> round(res.uni_t, 2), round(res.red, 2), res.n_samples
    (1.0, 0.0, 2000)
    """
    from pidkit import joint_from_samples, pid

    check_units(units)
    check_option(estimator, "estimator", ESTIMATORS)
    method = check_bias_correction(bias_correction)
    parts = check_subsamples(subsamples)
    n_repeats = check_int(n_repeats, "n_repeats", minimum=1)
    check_option(normalize, "normalize", NORMALIZE_OPTIONS)
    if n_components is not None:
        check_int(n_components, "n_components", minimum=1)
    n_clusters = _check_n_clusters(n_clusters)
    n_boot = check_int(bootstrap, "bootstrap", minimum=0)
    check_confidence(confidence)
    check_option(ci_method, "ci_method", CI_METHODS)
    check_n_jobs(n_jobs)
    seed = check_seed(random_state)
    disc_t, disc_s = _check_discretizers(discretizers)

    y_arr = check_labels(y)
    t_arr, t_is_labels = labels_or_features(t_features, "t_features")
    s_arr, s_is_labels = labels_or_features(s_features, "s_features")
    n = y_arr.shape[0]
    if t_arr.shape[0] != n or s_arr.shape[0] != n:
        raise ValueError(
            "y, t_features and s_features must have one row per sample, in the same order; got "
            f"{n}, {t_arr.shape[0]} and {s_arr.shape[0]} rows."
        )

    rule = None
    if n_clusters == "auto":
        n_labels = len(np.unique(y_arr))
        n_clusters = clusters_for_samples(n, n_labels)
        rule = f"clusters_for_samples(n_samples={n}, n_labels={n_labels}) = {n_clusters}"
    make = {
        "n_components": n_components,
        "n_clusters": n_clusters,
        "normalize": normalize,
        "random_state": seed,
        "clusterer": clusterer,
    }
    t_codes, disc_t, t_set = _discretize_side(t_arr, t_is_labels, disc_t, "t_features", make)
    s_codes, disc_s, s_set = _discretize_side(s_arr, s_is_labels, disc_s, "s_features", make)
    for side_set in (t_set, s_set):
        if side_set["kind"] == "clustered" and side_set["fitted"] != "reused":
            side_set["n_clusters_rule"] = rule

    joint = joint_from_samples(y_arr, t_codes, s_codes)
    t_set["n_values"], s_set["n_values"] = int(joint.p.shape[1]), int(joint.p.shape[2])
    result = pid(joint.p, measure=measure, units=units, strict=strict)
    fix = correct_counts(
        joint.counts,
        method=method,
        measure=measure,
        units=units,
        subsamples=parts,
        n_repeats=n_repeats,
        random_state=seed,
        strict=strict,
        n_jobs=n_jobs,
        plugin=result,
    )

    bias = _plugin_bias(joint.p.shape, joint.n_samples, units)
    bias["ratio"] = bias["i_yts"] / result.i_yts if result.i_yts > 0 else math.inf
    bias_warning = None
    if method == "none" and bias["ratio"] > BIAS_WARNING_RATIO:
        bias_warning = (
            f"the expected plug-in bias of I(Y;T,S) with {joint.n_samples} samples over "
            f"{math.prod(joint.p.shape)} cells is {bias['i_yts']:.3g} {units}, "
            f"{bias['ratio']:.0%} of the estimate {result.i_yts:.3g} {units}, so the atoms are "
            "likely overestimated. Use a bias correction (bias_correction="
            f"{DEFAULT_BIAS_CORRECTION!r}), more samples or fewer clusters."
        )
        warnings.warn(bias_warning, PluginBiasWarning, stacklevel=2)

    intervals = samples = None
    n_failed = 0
    if n_boot > 0:
        statistic = PIDStatistic(
            joint.counts, method=method, measure=measure, units=units, subsamples=parts,
            n_repeats=_BOOT_REPEATS,
        )
        boot = bootstrap_replicates(statistic, n_boot, random_state=seed, n_jobs=n_jobs)
        n_failed = int(np.isnan(boot[:, 0]).sum())
        samples = {name: boot[:, i] for i, name in enumerate(QUANTITIES)}
        estimate = [fix.corrected[name] for name in QUANTITIES]
        reference = [fix.plugin[name] for name in QUANTITIES]
        alternative = [fix.kink_corrected[name] for name in QUANTITIES]
        spans = bootstrap_intervals(
            boot, estimate, reference, confidence=confidence, method=ci_method, lower=0.0,
            alternative=alternative,
        )
        intervals = dict(zip(QUANTITIES, spans, strict=True))

    from sklearn import __version__ as sklearn_version

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
        "versions": {"numpy": np.__version__, "scikit-learn": sklearn_version},
    }
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
