"""PID of learned representations: features -> discrete variables -> joint pmf -> PID.

The RID paper (Appendix C, following Liang et al. 2024) audits a teacher/student pair by flattening
each layer's activations on a held-out set, projecting them to a few principal components, clustering
them with KMeans and counting the joint ``p[y, t, s]`` of (label, teacher cluster, student cluster).
This module makes that pipeline one seeded, reproducible call that reports every setting it used,
the sample size, the plug-in bias it cannot remove, and (optionally) bootstrap intervals.

Arrays index as ``p[y, t, s]``: target first, then teacher, then student.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from pidkit._errors import SolverError
from pidkit._result import PIDResult
from pidkit._units import check_units, from_nats
from pidkit.decompose import pid
from pidkit.samples import joint_from_samples

__all__ = [
    "BIAS_WARNING_RATIO",
    "Discretizer",
    "PluginBiasWarning",
    "RepresentationPID",
    "bootstrap",
    "discretize",
    "pid_from_representations",
]

BIAS_WARNING_RATIO = 0.1
"""Warn when the expected plug-in bias of I(Y;T,S) exceeds this fraction of its estimate."""

_NORMALIZE_OPTIONS = ("l2", None)
_CI_METHODS = ("basic", "percentile")
_SVD_SOLVERS = ("auto", "randomized", "full")
_FULL_SVD_MAX_DIM = 500
_ATOMS = ("red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts")
_SEED_MAX = 2**32 - 1


class PluginBiasWarning(UserWarning):
    """The sample is too small for the plug-in estimate of the joint information to be trusted."""


# --------------------------------------------------------------------------------------------------
# argument checks


def _check_int(value: Any, name: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int >= {minimum}; got {value!r} ({type(value).__name__}).")
    if value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}; got {value!r}.")
    return int(value)


def _check_seed(random_state: Any, name: str = "random_state") -> int:
    """Return an int seed; ``None`` draws a fresh one so that the run can still be recorded."""
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, bool) or not isinstance(random_state, Integral):
        raise TypeError(
            f"{name} must be an int in [0, 2**32 - 1] or None; got {random_state!r} "
            f"({type(random_state).__name__}). Pass an int for reproducible results."
        )
    if not 0 <= random_state <= _SEED_MAX:
        raise ValueError(f"{name} must be an int in [0, 2**32 - 1] or None; got {random_state!r}.")
    return int(random_state)


def _check_option(value: Any, name: str, options: Sequence[Any]) -> Any:
    if not any(value is opt or (isinstance(value, str) and value == opt) for opt in options):
        raise ValueError(f"{name} must be one of {list(options)!r}; got {value!r}.")
    return value


def _to_numpy(x: Any) -> np.ndarray:
    # Tensors of array libraries (torch, jax) without importing them: detach and move to host.
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def _check_finite(arr: np.ndarray, name: str) -> None:
    # Summing in float64 is exact for detecting NaN/inf in float32 data and allocates nothing large;
    # a float64 sum can overflow for huge finite values, so a non-finite sum is re-checked in full.
    if np.isfinite(np.sum(arr, dtype=np.float64)):
        return
    bad = ~np.isfinite(arr)
    if not bad.any():
        return
    rows = np.flatnonzero(bad.any(axis=1))
    n_nan = int(np.isnan(arr).sum())
    n_inf = int(bad.sum()) - n_nan
    raise ValueError(
        f"{name} contains {n_nan} NaN and {n_inf} infinite value(s), in {rows.size} row(s) "
        f"(first row {int(rows[0])}); features must be finite. Drop or impute those rows first "
        "(the paper's code silently replaced NaN by 0 with np.nan_to_num)."
    )


def _check_features(x: Any, name: str) -> np.ndarray:
    """Return ``x`` as a finite float matrix (n_samples, n_features); trailing axes are flattened."""
    try:
        arr = _to_numpy(x)
    except Exception as exc:
        raise TypeError(f"{name} must be an array of numbers; could not convert it: {exc}") from exc
    kind = arr.dtype.kind
    if kind not in "fiub":
        raise TypeError(
            f"{name} must be a numeric feature matrix; got dtype {arr.dtype}. Discrete labels must be "
            "a 1-D array, continuous features an (n_samples, n_features) float array."
        )
    if arr.ndim < 2:
        raise ValueError(
            f"{name} must be a feature matrix of shape (n_samples, n_features); got a {arr.ndim}-D "
            f"array of shape {arr.shape}. If it is one continuous feature per sample use "
            f"{name}.reshape(-1, 1); if it already holds discrete labels pass them as integers "
            f"({name}.astype(int)) and they are used as they are, without clustering."
        )
    if arr.shape[0] == 0 or arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs samples and features.")
    arr = arr.reshape(arr.shape[0], -1)
    if kind == "f" and arr.dtype.itemsize < 4:
        arr = arr.astype(np.float32)
    elif kind != "f":
        arr = arr.astype(np.float64)
    _check_finite(arr, name)
    return arr


# --------------------------------------------------------------------------------------------------
# discretisation


class Discretizer:
    """Turn continuous features into cluster ids: L2 row normalisation -> PCA -> KMeans, all seeded.

    Follows the scikit-learn estimator conventions: ``__init__`` only stores the settings, ``fit``
    checks them and computes, fitted attributes end in ``_``. The fitted object is picklable and can
    ``transform`` new samples (for example a later epoch's features) into the same clusters.

    Parameters
    ----------
    n_components : int or None, default=10
        Principal components kept before clustering. ``None`` skips PCA. If the data has fewer
        features (or samples) than this, the smaller number is used and recorded in
        ``n_components_``; when it equals the number of features PCA is skipped (KMeans does not
        change under a rotation).
    n_clusters : int, default=10
        KMeans clusters, i.e. the size of the discrete alphabet (at least 2).
    normalize : {"l2", None}, default="l2"
        ``"l2"`` scales every sample (row) to unit Euclidean norm before PCA, as the paper's code
        does; ``None`` leaves the features as they are.
    random_state : int or None, default=0
        Seed of the randomized PCA and of KMeans. ``None`` draws a fresh seed at ``fit`` and records
        it in ``random_state_``.
    n_init : int, default=10
        KMeans restarts (k-means++ initialisation); the run with the lowest inertia is kept.
        KMeans runs on one thread: it only sees ``n_components`` columns, so it is fast anyway,
        and its chunked multi-threaded sums would make the clusters depend on the machine's core
        count.
    svd_solver : {"auto", "randomized", "full"}, default="auto"
        PCA solver. ``"auto"`` uses the exact ``"full"`` SVD when both dimensions are at most 500
        and the seeded randomized SVD otherwise (8k-32k wide layer outputs).

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen by ``fit`` (after flattening trailing axes).
    n_samples_fit_ : int
        Number of samples seen by ``fit``.
    n_components_ : int or None
        Number of principal components actually used (``None``: no PCA).
    svd_solver_ : str or None
        The PCA solver actually used.
    random_state_ : int
        The seed actually used.
    pca_ : sklearn.decomposition.PCA or None
        The fitted PCA.
    kmeans_ : sklearn.cluster.KMeans
        The fitted KMeans.
    explained_variance_ratio_ : float or None
        Fraction of the (normalised) feature variance kept by the principal components.
    labels_ : numpy.ndarray of int
        Cluster id of every training sample, in ``range(n_clusters)``.
    inertia_ : float
        KMeans inertia (sum of squared distances to the closest centre) on the training samples.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (50, 20)), rng.normal(8, 1, (50, 20))])
    >>> disc = Discretizer(n_components=2, n_clusters=2, normalize=None).fit(X)
    >>> len(set(disc.labels_[:50])), len(set(disc.labels_[50:])), bool(disc.labels_[0] != disc.labels_[-1])
    (1, 1, True)
    >>> bool((disc.transform(X) == disc.labels_).all())
    True
    """

    def __init__(
        self,
        n_components: int | None = 10,
        n_clusters: int = 10,
        *,
        normalize: str | None = "l2",
        random_state: int | None = 0,
        n_init: int = 10,
        svd_solver: str = "auto",
    ) -> None:
        self.n_components = n_components
        self.n_clusters = n_clusters
        self.normalize = normalize
        self.random_state = random_state
        self.n_init = n_init
        self.svd_solver = svd_solver

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"Discretizer({params})"

    def get_params(self) -> dict[str, Any]:
        """Return the constructor settings as a dict."""
        return {
            "n_components": self.n_components,
            "n_clusters": self.n_clusters,
            "normalize": self.normalize,
            "random_state": self.random_state,
            "n_init": self.n_init,
            "svd_solver": self.svd_solver,
        }

    def _validate_params(self) -> None:
        if self.n_components is not None:
            _check_int(self.n_components, "n_components", minimum=1)
        _check_int(self.n_clusters, "n_clusters", minimum=2)
        _check_option(self.normalize, "normalize", _NORMALIZE_OPTIONS)
        _check_int(self.n_init, "n_init", minimum=1)
        _check_option(self.svd_solver, "svd_solver", _SVD_SOLVERS)

    def _normalized(self, X: np.ndarray) -> np.ndarray:
        if self.normalize is None:
            return X
        norms = np.sqrt(np.einsum("ij,ij->i", X, X, dtype=np.float64)).astype(X.dtype)
        norms[norms == 0] = 1
        return X / norms[:, None]

    def fit(self, X: Any) -> Discretizer:
        """Fit normalisation, PCA and KMeans on ``X`` (n_samples, n_features); return ``self``.

        Trailing axes beyond the second are flattened, so a batch of (C, H, W) maps can be passed
        directly. float32 input stays float32.
        """
        return self._fit(X, "X")

    def _fit(self, X: Any, name: str) -> Discretizer:
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA

        self._validate_params()
        X = _check_features(X, name)
        n_samples, n_features = X.shape
        if n_samples < self.n_clusters:
            raise ValueError(
                f"n_clusters={self.n_clusters} is more than the {n_samples} samples in {name}; "
                "pass more samples or fewer clusters."
            )
        seed = _check_seed(self.random_state)
        Z = self._normalized(X)
        n_components = None
        if self.n_components is not None:
            n_components = min(self.n_components, n_features, n_samples)
        pca = None
        solver = None
        explained = None
        if n_components is not None and n_components < n_features:
            solver = self.svd_solver
            if solver == "auto":
                small = max(n_samples, n_features) <= _FULL_SVD_MAX_DIM
                solver = "full" if small else "randomized"
            # Z is our own copy whenever it was normalised, so PCA may centre it in place.
            pca = PCA(
                n_components=n_components,
                svd_solver=solver,
                random_state=seed,
                copy=Z is X,
            )
            Z = pca.fit_transform(Z)
            explained = float(np.sum(pca.explained_variance_ratio_))
        kmeans = KMeans(n_clusters=self.n_clusters, init="k-means++", n_init=self.n_init, random_state=seed)
        with threadpool_limits(limits=1, user_api="openmp"):
            labels = kmeans.fit_predict(Z)

        self.n_features_in_ = n_features
        self.n_samples_fit_ = n_samples
        self.n_components_ = n_components
        self.svd_solver_ = solver
        self.random_state_ = seed
        self.pca_ = pca
        self.kmeans_ = kmeans
        self.explained_variance_ratio_ = explained
        self.labels_ = labels.astype(np.intp)
        self.inertia_ = float(kmeans.inertia_)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Return the cluster id of every row of ``X`` under the fitted normalisation, PCA and KMeans."""
        return self._transform(X, "X")

    def _transform(self, X: Any, name: str) -> np.ndarray:
        if not hasattr(self, "kmeans_"):
            raise ValueError("This Discretizer is not fitted yet; call fit(X) (or use discretize(X)) first.")
        X = _check_features(X, name)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{name} has {X.shape[1]} features per sample but the Discretizer was fitted on "
                f"{self.n_features_in_}; pass features of the same layer (flattened the same way)."
            )
        Z = self._normalized(X)
        if self.pca_ is not None:
            Z = self.pca_.transform(Z)
        Z = Z.astype(self.kmeans_.cluster_centers_.dtype, copy=False)
        with threadpool_limits(limits=1, user_api="openmp"):
            return self.kmeans_.predict(Z).astype(np.intp)

    def fit_transform(self, X: Any) -> np.ndarray:
        """Fit on ``X`` and return its cluster ids (the same as ``fit(X).labels_``)."""
        return self.fit(X).labels_


def discretize(
    X: Any,
    n_components: int | None = 10,
    n_clusters: int = 10,
    *,
    normalize: str | None = "l2",
    random_state: int | None = 0,
    n_init: int = 10,
    svd_solver: str = "auto",
) -> tuple[np.ndarray, Discretizer]:
    """Cluster the rows of a feature matrix into ``n_clusters`` discrete values.

    L2-normalise every row (``normalize="l2"``), project to ``n_components`` principal components
    (seeded randomized PCA for wide inputs) and run seeded KMeans: the paper's Appendix C pipeline,
    made reproducible.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features) or (n_samples, ...)
        Features, one row per sample; trailing axes are flattened. float32 stays float32.
    n_components, n_clusters, normalize, random_state, n_init, svd_solver
        As in :class:`Discretizer`.

    Returns
    -------
    labels : numpy.ndarray of int, shape (n_samples,)
        The cluster id of every sample.
    discretizer : Discretizer
        The fitted discretizer; ``discretizer.transform(X_new)`` maps new samples to the same clusters.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 64)).astype(np.float32)
    >>> labels, disc = discretize(X, n_components=5, n_clusters=4)
    >>> labels.shape, sorted(set(labels.tolist())), disc.n_components_
    ((200,), [0, 1, 2, 3], 5)
    >>> labels2, _ = discretize(X, n_components=5, n_clusters=4)
    >>> bool((labels == labels2).all())
    True
    """
    disc = Discretizer(
        n_components,
        n_clusters,
        normalize=normalize,
        random_state=random_state,
        n_init=n_init,
        svd_solver=svd_solver,
    ).fit(X)
    return disc.labels_, disc


# --------------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)
class RepresentationPID:
    """PID of (labels, teacher features, student features) with everything needed to trust it.

    Attributes
    ----------
    pid : PIDResult
        The decomposition of the empirical joint ``p`` (atoms, mutual informations, solver status).
    p : numpy.ndarray
        The empirical joint ``p[y, t, s]`` that was decomposed.
    counts : numpy.ndarray of int
        Sample counts behind ``p`` (``p = counts / n_samples``).
    labels : dict of str to numpy.ndarray
        For ``"y"``, ``"t"``, ``"s"``: the original label (or cluster id) of every index of ``p``.
    n_samples : int
        Number of samples counted.
    settings : dict
        Every setting used: measure, units, seed, and per variable how it was discretised
        (features, components, clusters, normalisation, seed, explained variance).
    bias : dict of str to float
        First-order expected plug-in bias (Miller-Madow / chi-square mean,
        ``(|A|-1)(|B|-1) / (2 n)`` nats) of ``i_yt``, ``i_ys`` and ``i_yts``, in ``units``, together
        with ``"ratio"`` = bias of ``i_yts`` / estimate of ``i_yts``.
    bias_warning : str or None
        The warning text when ``bias["ratio"] > BIAS_WARNING_RATIO``, else ``None``.
    intervals : dict of str to (float, float) or None
        Bootstrap intervals (``settings["ci_method"]``) of every atom and mutual information, when
        ``bootstrap > 0``.
    bootstrap_samples : dict of str to numpy.ndarray or None
        The bootstrap replicates behind ``intervals`` (NaN where a replicate's solve failed).
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
    bias: dict[str, float]
    bias_warning: str | None = None
    intervals: dict[str, tuple[float, float]] | None = None
    bootstrap_samples: dict[str, np.ndarray] | None = field(default=None, repr=False)
    discretizers: tuple[Discretizer | None, Discretizer | None] = (None, None)

    @property
    def red(self) -> float:
        """Red(Y:T,S)."""
        return self.pid.red

    @property
    def uni_t(self) -> float:
        """Uni(Y:T\\S)."""
        return self.pid.uni_t

    @property
    def uni_s(self) -> float:
        """Uni(Y:S\\T)."""
        return self.pid.uni_s

    @property
    def syn(self) -> float:
        """Syn(Y:T,S)."""
        return self.pid.syn

    @property
    def units(self) -> str:
        """Units of every number in this result."""
        return self.pid.units

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict of the numbers, settings, bias and intervals."""
        out: dict[str, Any] = {name: float(getattr(self.pid, name)) for name in _ATOMS}
        out.update(
            units=self.pid.units,
            measure=self.pid.measure,
            status=self.pid.status,
            n_samples=self.n_samples,
            shape=list(self.p.shape),
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
        shape = "x".join(str(k) for k in self.p.shape)
        head = (
            f"RepresentationPID({self.pid.measure}, n={self.n_samples}, |Y|x|T|x|S| = {shape}, "
            f"status={self.pid.status})"
        )
        conf = self.settings.get("confidence")
        lines = [head]
        if self.intervals is not None:
            method = self.settings["ci_method"]
            lines.append(f"  {'atom':<8} {'value':>10}   {conf:.0%} {method} interval ({u})")
        else:
            lines.append(f"  {'atom':<8} {'value':>10}   ({u})")
        for name in _ATOMS:
            row = f"  {name:<8} {getattr(self.pid, name):>10.6f}"
            if self.intervals is not None:
                lo, hi = self.intervals[name]
                row += f"   [{lo:.6f}, {hi:.6f}]"
            lines.append(row)
        lines.append(
            f"  plug-in bias of i_yts ~ {self.bias['i_yts']:.4g} {u} "
            f"({self.bias['ratio']:.1%} of the estimate)"
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
    return (
        f"{setting['n_features']} features -> {setting['normalize']} -> {pca} -> "
        f"KMeans {setting['n_clusters']} (seed {setting['random_state']}, "
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


# --------------------------------------------------------------------------------------------------
# pipeline


def _plugin_bias(shape: tuple[int, ...], n_samples: int, units: str) -> dict[str, float]:
    ny, nt, ns = shape

    def bias(a: int, b: int) -> float:
        return from_nats((a - 1) * (b - 1) / (2.0 * n_samples), units)

    return {"i_yt": bias(ny, nt), "i_ys": bias(ny, ns), "i_yts": bias(ny, nt * ns)}


def _labels_or_features(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """Return (array, is_labels): 1-D integer/bool/string arrays are labels, the rest features."""
    try:
        arr = _to_numpy(x)
    except Exception as exc:
        raise TypeError(f"{name} must be an array; could not convert it: {exc}") from exc
    if arr.ndim == 1 and arr.dtype.kind in "iubUSO":
        if arr.size == 0:
            raise ValueError(f"{name} is empty; it needs one label per sample.")
        return arr, True
    return _check_features(arr, name), False


def _check_labels(y: Any) -> np.ndarray:
    try:
        arr = _to_numpy(y)
    except Exception as exc:
        raise TypeError(f"y must be a 1-D array of labels; could not convert it: {exc}") from exc
    if arr.ndim != 1:
        raise ValueError(
            f"y must be a 1-D array of labels, one per sample; got shape {arr.shape}. "
            "For one-hot targets pass y.argmax(axis=1)."
        )
    if arr.size == 0:
        raise ValueError("y is empty; it needs one label per sample.")
    if arr.dtype.kind == "f" and not np.isfinite(arr).all():
        raise ValueError("y contains NaN or infinity; labels must be finite.")
    if arr.dtype.kind == "c":
        raise TypeError(f"y must hold integer or hashable labels; got dtype {arr.dtype}.")
    return arr


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
        if not hasattr(d, "kmeans_"):
            raise ValueError(f"discretizers: the {side} Discretizer is not fitted; call fit first.")
    return discretizers[0], discretizers[1]


def _side_settings(disc: Discretizer | None, arr: np.ndarray, reused: bool) -> dict[str, Any]:
    # The number of values actually observed is filled in from the joint's shape.
    if disc is None:
        return {"kind": "labels"}
    return {
        "kind": "clustered",
        "n_features": int(arr.shape[1]),
        "normalize": disc.normalize,
        "n_components_requested": disc.n_components,
        "n_components": disc.n_components_,
        "svd_solver": disc.svd_solver_,
        "explained_variance_ratio": disc.explained_variance_ratio_,
        "n_clusters": disc.n_clusters,
        "n_init": disc.n_init,
        "random_state": disc.random_state_,
        "fitted": "reused" if reused else "on these samples",
    }


def _discretize_side(
    arr: np.ndarray,
    is_labels: bool,
    disc: Discretizer | None,
    name: str,
    make: dict[str, Any],
) -> tuple[np.ndarray, Discretizer | None, dict[str, Any]]:
    if is_labels:
        if disc is not None:
            raise ValueError(
                f"{name} is a 1-D array of labels, which is used as it is, but a Discretizer was "
                f"given for it in discretizers; pass None for that side."
            )
        return arr, None, _side_settings(None, arr, False)
    if disc is not None:
        return disc._transform(arr, name), disc, _side_settings(disc, arr, True)
    disc = Discretizer(**make)._fit(arr, name)
    return disc.labels_, disc, _side_settings(disc, arr, False)


def pid_from_representations(
    y: Any,
    t_features: Any,
    s_features: Any,
    *,
    measure: str = "broja",
    n_components: int | None = 10,
    n_clusters: int = 10,
    normalize: str | None = "l2",
    random_state: int | None = 0,
    discretizers: Sequence[Discretizer | None] | None = None,
    bootstrap: int = 0,
    confidence: float = 0.95,
    ci_method: str = "basic",
    n_jobs: int | None = 1,
    units: str = "bits",
) -> RepresentationPID:
    """PID of labels ``y`` with respect to teacher and student representations.

    Each feature matrix is discretised separately (L2 row normalisation -> PCA -> KMeans, seeded;
    see :class:`Discretizer`), the joint ``p[y, t, s]`` of (label, teacher cluster, student
    cluster) is counted with :func:`pidkit.joint_from_samples`, and :func:`pidkit.pid` decomposes
    it. 1-D integer, boolean or string arrays are taken as discrete labels and used unchanged.

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
    n_components, n_clusters, normalize
        Discretisation settings of both sides, as in :class:`Discretizer`.
    random_state : int or None, default=0
        Seed of PCA, KMeans and the bootstrap. ``None`` draws one and records it in ``settings``.
    discretizers : pair of (Discretizer or None) or None, default=None
        Fitted (teacher, student) discretizers to reuse instead of fitting new ones (their own
        settings then apply and are recorded); ``None`` entries are fitted on these samples.
    bootstrap : int, default=0
        Number of bootstrap replicates; ``0`` computes no intervals.
    confidence : float, default=0.95
        Nominal coverage of the intervals, in (0, 1).
    ci_method : {"basic", "percentile"}, default="basic"
        ``"percentile"``: the quantiles of the replicates. ``"basic"``: the quantiles reflected
        about the estimate, ``[2 x - q_hi, 2 x - q_lo]`` (clipped at 0), which subtracts the
        bootstrap estimate of the plug-in bias; use it when an atom sits at 0 or at its maximum,
        where percentile intervals cannot cover the truth (see ``docs/estimate.md``).
    n_jobs : int or None, default=1
        Parallel workers for the bootstrap (joblib; ``-1`` uses every core). Results do not depend
        on it.
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    RepresentationPID
        Atoms, the joint, the settings, the plug-in bias estimate and warning, and intervals.

    Warns
    -----
    PluginBiasWarning
        When the expected plug-in bias of I(Y;T,S), ``(|Y|-1)(|T||S|-1) / (2 n)`` nats, is more
        than ``BIAS_WARNING_RATIO`` (10 %) of the estimate of I(Y;T,S).

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
    check_units(units)
    _check_option(normalize, "normalize", _NORMALIZE_OPTIONS)
    if n_components is not None:
        _check_int(n_components, "n_components", minimum=1)
    _check_int(n_clusters, "n_clusters", minimum=2)
    n_boot = _check_int(bootstrap, "bootstrap", minimum=0)
    _check_confidence(confidence)
    _check_option(ci_method, "ci_method", _CI_METHODS)
    _check_n_jobs(n_jobs)
    seed = _check_seed(random_state)
    disc_t, disc_s = _check_discretizers(discretizers)

    y_arr = _check_labels(y)
    t_arr, t_is_labels = _labels_or_features(t_features, "t_features")
    s_arr, s_is_labels = _labels_or_features(s_features, "s_features")
    n = y_arr.shape[0]
    if t_arr.shape[0] != n or s_arr.shape[0] != n:
        raise ValueError(
            "y, t_features and s_features must have one row per sample, in the same order; got "
            f"{n}, {t_arr.shape[0]} and {s_arr.shape[0]} rows."
        )

    make = {
        "n_components": n_components,
        "n_clusters": n_clusters,
        "normalize": normalize,
        "random_state": seed,
    }
    t_codes, disc_t, t_set = _discretize_side(t_arr, t_is_labels, disc_t, "t_features", make)
    s_codes, disc_s, s_set = _discretize_side(s_arr, s_is_labels, disc_s, "s_features", make)

    joint = joint_from_samples(y_arr, t_codes, s_codes)
    t_set["n_values"], s_set["n_values"] = int(joint.p.shape[1]), int(joint.p.shape[2])
    result = pid(joint.p, measure=measure, units=units)

    bias = _plugin_bias(joint.p.shape, joint.n_samples, units)
    bias["ratio"] = bias["i_yts"] / result.i_yts if result.i_yts > 0 else math.inf
    bias_warning = None
    if bias["ratio"] > BIAS_WARNING_RATIO:
        bias_warning = (
            f"the expected plug-in bias of I(Y;T,S) with {joint.n_samples} samples over "
            f"{math.prod(joint.p.shape)} cells is {bias['i_yts']:.3g} {units}, "
            f"{bias['ratio']:.0%} of the estimate {result.i_yts:.3g} {units}, so the atoms are "
            "likely overestimated. Use more samples or fewer clusters."
        )
        warnings.warn(bias_warning, PluginBiasWarning, stacklevel=2)

    intervals = samples = None
    n_failed = 0
    if n_boot > 0:
        boot = _bootstrap_joint(joint.counts, n_boot, measure, units, seed, n_jobs)
        n_failed = int(np.isnan(boot[:, 0]).sum())
        samples = {name: boot[:, i] for i, name in enumerate(_ATOMS)}
        estimate = np.array([getattr(result, name) for name in _ATOMS])
        intervals = _intervals(boot, estimate, confidence, ci_method)

    from sklearn import __version__ as sklearn_version

    settings = {
        "measure": measure,
        "units": units,
        "n_samples": int(joint.n_samples),
        "random_state": seed,
        "y": {"kind": "labels", "n_values": int(joint.p.shape[0])},
        "t": t_set,
        "s": s_set,
        "bootstrap": n_boot,
        "bootstrap_failed": n_failed,
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
        bias=bias,
        bias_warning=bias_warning,
        intervals=intervals,
        bootstrap_samples=samples,
        discretizers=(disc_t, disc_s),
    )


# --------------------------------------------------------------------------------------------------
# bootstrap


def _check_confidence(confidence: Any) -> float:
    if isinstance(confidence, bool) or not isinstance(confidence, Real):
        raise TypeError(f"confidence must be a float in (0, 1); got {confidence!r}.")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be a float in (0, 1), e.g. 0.95; got {confidence!r}.")
    return float(confidence)


def _check_n_jobs(n_jobs: Any) -> None:
    if n_jobs is None:
        return
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, Integral) or n_jobs == 0:
        raise ValueError(
            f"n_jobs must be None, a positive int, or a negative int (-1 = all cores); got {n_jobs!r}."
        )


def _replicates(
    counts: np.ndarray,
    seeds: list[np.random.SeedSequence],
    measure: str,
    units: str,
) -> np.ndarray:
    n = int(counts.sum())
    flat = counts.ravel() / n
    out = np.full((len(seeds), len(_ATOMS)), np.nan)
    for i, seq in enumerate(seeds):
        # Resampling n rows with replacement and re-using the fitted discretizers (which act row by
        # row) gives exactly a multinomial draw of the cell counts, so we draw that directly.
        draw = np.random.default_rng(seq).multinomial(n, flat).reshape(counts.shape)
        try:
            res = pid(draw / n, measure=measure, units=units)
        except SolverError:
            continue
        out[i] = [getattr(res, name) for name in _ATOMS]
    return out


def _bootstrap_joint(
    counts: np.ndarray, n_boot: int, measure: str, units: str, seed: int, n_jobs: int | None
) -> np.ndarray:
    from joblib import Parallel, delayed, effective_n_jobs

    # One child seed per replicate: the numbers do not depend on n_jobs or on the chunking.
    seeds = np.random.SeedSequence([seed, 0xB0075]).spawn(n_boot)
    workers = effective_n_jobs(n_jobs)
    if workers == 1:
        return _replicates(counts, seeds, measure, units)
    chunks = [c.tolist() for c in np.array_split(np.array(seeds, dtype=object), workers * 4) if c.size]
    # Processes, not threads: the solvers keep cached problem objects that are not thread-safe.
    parallel = Parallel(n_jobs=n_jobs, backend="loky")
    parts = parallel(delayed(_replicates)(counts, c, measure, units) for c in chunks)
    return np.concatenate(parts, axis=0)


def _intervals(
    boot: np.ndarray, estimate: np.ndarray, confidence: float, method: str
) -> dict[str, tuple[float, float]]:
    alpha = (1.0 - confidence) / 2.0
    out = {}
    for i, name in enumerate(_ATOMS):
        col = boot[:, i]
        col = col[~np.isnan(col)]
        if col.size == 0:
            out[name] = (math.nan, math.nan)
            continue
        lo, hi = np.quantile(col, [alpha, 1.0 - alpha])
        if method == "basic":
            lo, hi = max(2.0 * estimate[i] - hi, 0.0), max(2.0 * estimate[i] - lo, 0.0)
        out[name] = (float(lo), float(hi))
    return out


def bootstrap(
    y: Any,
    t: Any,
    s: Any,
    *,
    n_boot: int = 1000,
    measure: str = "broja",
    confidence: float = 0.95,
    ci_method: str = "basic",
    random_state: int | None = 0,
    n_jobs: int | None = 1,
    units: str = "bits",
) -> dict[str, Any]:
    """Bootstrap intervals of the PID atoms of discrete samples ``(y, t, s)``.

    Rows are resampled with replacement ``n_boot`` times (drawn as a multinomial of the cell
    counts, which is the same distribution) and every replicate is decomposed. Intervals describe
    sampling variability around the plug-in estimate; they do not remove its upward bias.

    Parameters
    ----------
    y, t, s : array_like of shape (n_samples,)
        Discrete labels (e.g. cluster ids from :func:`discretize`), one per sample.
    n_boot : int, default=1000
        Number of replicates (at least 1).
    measure : str, default="broja"
        PID measure, passed to :func:`pidkit.pid`.
    confidence : float, default=0.95
        Nominal coverage of the intervals, in (0, 1).
    ci_method : {"basic", "percentile"}, default="basic"
        As in :func:`pid_from_representations`.
    random_state : int or None, default=0
        Seed of the resampling; the numbers do not depend on ``n_jobs``.
    n_jobs : int or None, default=1
        joblib workers.
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    dict
        ``"estimate"``: the PIDResult of the full sample; ``"intervals"``: atom -> (low, high) for
        ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts``; ``"samples"``: atom -> array of replicates (NaN where
        a solve failed); ``"n_failed"``; ``"random_state"``; ``"confidence"``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = rng.integers(0, 2, 500)
    >>> s = rng.integers(0, 2, 500)
    >>> out = bootstrap(t ^ s, t, s, n_boot=20)
    >>> lo, hi = out["intervals"]["syn"]
    >>> bool(0.95 < lo <= 1.0 <= hi)
    True
    """
    check_units(units)
    n_boot = _check_int(n_boot, "n_boot", minimum=1)
    _check_confidence(confidence)
    _check_option(ci_method, "ci_method", _CI_METHODS)
    _check_n_jobs(n_jobs)
    seed = _check_seed(random_state)
    y_arr = _check_labels(y)
    joint = joint_from_samples(y_arr, t, s)
    result = pid(joint.p, measure=measure, units=units)
    estimate = np.array([getattr(result, name) for name in _ATOMS])
    boot = _bootstrap_joint(joint.counts, n_boot, measure, units, seed, n_jobs)
    return {
        "estimate": result,
        "intervals": _intervals(boot, estimate, confidence, ci_method),
        "samples": {name: boot[:, i] for i, name in enumerate(_ATOMS)},
        "n_failed": int(np.isnan(boot[:, 0]).sum()),
        "random_state": seed,
        "confidence": float(confidence),
        "ci_method": ci_method,
    }
