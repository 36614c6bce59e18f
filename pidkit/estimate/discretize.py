"""Continuous features -> cluster ids, with a scikit-learn Pipeline.

The RID paper (Appendix C, after Liang et al. 2024) L2-normalises each representation's rows,
projects them to 10 principal components and clusters them with KMeans. :class:`Discretizer` does
exactly that with scikit-learn's own components, chained in a :class:`sklearn.pipeline.Pipeline`
(``scale -> normalize -> pca -> cluster``), seeded, picklable and reusable on a later epoch's
features; :func:`discretize` is its one-call form. How many clusters to use is
:mod:`pidkit.estimate.cluster_count`'s rule; a user's own clusterer is checked and seeded by
:mod:`pidkit.estimate.clusterers`.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClusterMixin
from threadpoolctl import threadpool_limits

from pidkit._blas import blas_threads
from pidkit._caller import user_stacklevel
from pidkit._keyword_hints import hints_unknown_keywords
from pidkit._settings import check_int, check_seed

from .clusterers import (
    check_clusterer,
    declared_clusters,
    fixed_seed_text,
    one_cluster_text,
    seeded_clusterer,
)
from .distinct_rows import constant_rows_text, few_distinct_rows, rows_all_equal
from .fitted_inputs import check_feature_names, check_fitted, check_fitted_input, feature_names
from .inputs import check_features
from .project import check_one_feature, check_projection, projection_steps

__all__ = ["Discretizer", "FewDistinctRowsWarning", "discretize"]

_THREADED_ENTRIES = 2**24
"""Features with at least this many entries (samples times features) are projected and clustered
with BLAS on every core; smaller ones on one thread, since a threaded BLAS wakes its threads for
any size: PCA to 10 components of 450 x 2048 features took 0.33 s threaded and 0.023 s on one
thread (two cores, load 0.4-2)."""


def _blas_limit(entries: int) -> int | None:
    """BLAS's thread count for projecting and clustering features of ``entries`` entries."""
    return None if entries >= _THREADED_ENTRIES else 1


class FewDistinctRowsWarning(UserWarning):
    """A side has fewer distinct rows than clusters: each distinct row is one cluster; or only one
    (a dead layer): then it carries no information (also from the Gaussian estimator).

    Its own category, so that a caller that records ``settings["distinct_rows"]`` (a training
    loop's audit, every few epochs) can filter it by class instead of by its text.

    Examples
    --------
    Binary features (thresholded ReLU units) of 3 columns have at most 8 distinct rows, fewer
    than the 10 clusters asked for:

    >>> import warnings
    >>> import numpy as np
    >>> from pidkit.estimate import FewDistinctRowsWarning, pid_from_representations
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200)
    >>> t = (rng.normal(size=(200, 3)) > 0).astype(float)
    >>> s = rng.normal(size=(200, 4))
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", FewDistinctRowsWarning)
    ...     pid_from_representations(y, t, s, n_clusters=10)
    Traceback (most recent call last):
    ...
    pidkit.estimate.FewDistinctRowsWarning: t_features has only 8 distinct rows after \
the L2 normalisation, fewer than n_clusters=10: each distinct row is one cluster, ...
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore", FewDistinctRowsWarning)   # recorded in settings
    ...     res = pid_from_representations(y, t, s, n_clusters=10)
    >>> res.settings["t"]["distinct_rows"], res.shape
    (8, [2, 8, 10])
    """

    __module__ = "pidkit.estimate"  # where users import it from: messages and pickles name it


class Discretizer(ClusterMixin, BaseEstimator):
    """Cluster the rows of a feature matrix: a seeded scikit-learn Pipeline, fitted once, reusable.

    ``fit`` builds and fits ``pipeline_``, a :class:`sklearn.pipeline.Pipeline` of

    1. ``scale``: :class:`PowerOfTwoScaler` (exact; keeps 1e-200 and 1e200 features finite),
    2. ``normalize``: :class:`sklearn.preprocessing.Normalizer` (``normalize="l2"``, the paper's
       row normalisation) or ``"passthrough"``,
    3. ``pca``: seeded :class:`sklearn.decomposition.PCA`, or where PCA is skipped a centring
       (``StandardScaler(with_std=False)``: KMeans' ``predict`` does not centre, and lost what
       varies under a large offset),
    4. ``cluster``: seeded :class:`sklearn.cluster.KMeans`, or a clone of ``clusterer``.

    ``predict`` maps new rows (a later epoch's features, the same samples in another order) through
    the fitted pipeline. The object follows scikit-learn's conventions (``__init__`` only stores,
    ``get_params``/``set_params``/``clone`` work, fitted attributes end in ``_``) and pickles.

    Parameters
    ----------
    n_components : int or None, default=10
        Principal components kept before clustering; ``None`` skips PCA. Clipped to the number of
        features and samples (recorded in ``n_components_``); PCA is skipped when it would keep
        every feature (the clusters do not change under a rotation).
    n_clusters : int, default=10
        KMeans clusters, i.e. the size of the discrete alphabet (at least 2; for a number that
        suits the sample size see :func:`clusters_for_samples`, which
        :func:`~pidkit.estimate.pid_from_representations` applies by default). With a
        ``clusterer`` its own setting applies: leave ``n_clusters`` at 10 ("not set") or pass the
        clusterer's own ``n_clusters``/``n_components``; another number is a ValueError.
    normalize : {"l2", None}, default="l2"
        ``"l2"`` scales every row to unit Euclidean norm before PCA, as the paper's code does.
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Seed of the randomized PCA and of the clusterer. ``None`` draws one at ``fit`` and records
        it in ``random_state_``.
    n_init : int, default=10
        KMeans restarts (k-means++); the run with the lowest inertia is kept.
    svd_solver : {"auto", "randomized", "full"}, default="auto"
        PCA solver; ``"auto"`` is the exact SVD when both dimensions are at most 500 or the smaller
        one at most 64 (for little more time there), and the seeded randomized SVD otherwise
        (8k-32k wide layer outputs).
    clusterer : object or None, default=None
        An instance of any clusterer with ``fit_predict`` (``MiniBatchKMeans``,
        ``GaussianMixture``, a ``Pipeline`` ending in one, ...) to use instead of KMeans. One without
        ``predict`` (``AgglomerativeClustering``, ``DBSCAN``, ``HDBSCAN``, ``SpectralClustering``)
        labels the rows it is fitted on, and :meth:`predict` then raises a TypeError. A
        scikit-learn estimator (one with ``get_params``) is cloned, and every ``random_state``
        parameter in it, nested ones (``kmeans__random_state``) included, that is left at
        ``None`` is set to the seed; any other object is deep-copied and used as it is (not
        seeded: its own randomness applies). A clusterer that puts every row in one cluster, or
        labels every row -1 (noise: DBSCAN with too small an ``eps``), gives a UserWarning that names
        the side and the setting to change: that side would take one value and carry no information.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
        The fitted pipeline.
    clusterer_ : estimator
        Its last step (the fitted KMeans or clusterer).
    pca_ : sklearn.decomposition.PCA or None
        The fitted PCA, ``None`` when skipped.
    labels_ : numpy.ndarray of int
        Cluster id of every training row.
    n_features_in_, n_samples_fit_ : int
        Shape of the training matrix (after flattening trailing axes).
    feature_names_in_ : numpy.ndarray of str
        Column names of a training DataFrame whose names are all strings (absent otherwise);
        :meth:`predict` refuses a DataFrame with other columns or another order.
    dtype_ : numpy.dtype
        dtype of the training matrix (float32 or float64); :meth:`predict` casts its input to it.
    n_components_ : int or None
        Principal components actually used.
    n_clusters_ : int
        Clusters the clusterer was set to make: ``n_clusters``, the ``clusterer``'s own
        ``n_clusters`` or ``n_components``, else the number of distinct labels it found; 1 when
        every row is the same (``rows_equal_``).
    rows_equal_ : bool
        Every training row was the same after the scaling and normalisation: then PCA is skipped
        and a single cluster is used (whatever ``n_clusters`` or ``clusterer`` say), so that
        rounding noise is not clustered.
    distinct_rows_ : int or None
        Number of distinct training rows (after the scaling and normalisation) when there were
        fewer than the clusters asked for (``n_clusters``, or the ``clusterer``'s own number) but
        more than one: then PCA is skipped and each distinct row is one cluster (a ``KMeans``
        started at them, which :meth:`predict` uses), with a :class:`FewDistinctRowsWarning` (a
        UserWarning); ``None`` otherwise.
    svd_solver_ : str or None
        PCA solver actually used.
    random_state_ : int
        Seed actually used.
    explained_variance_ratio_ : float or None
        Fraction of the (normalised) variance the components keep.
    inertia_ : float or None
        Inertia of the clusterer on the rows it was fitted on (``None`` for clusterers without
        one): the training rows after the PCA, or the distinct rows when ``distinct_rows_`` is set,
        each its own centre, so 0.0 (the rounding spread around them is not summed).

    Notes
    -----
    KMeans runs on one OpenMP thread: it only sees ``n_components`` columns, so it is fast anyway,
    and its chunked multi-threaded sums would make the clusters depend on the machine's core count.
    ``predict`` runs the pipeline's transformers and then ``clusterer_.predict``, so a clusterer
    that scikit-learn cannot check for fitted attributes still works; a clusterer without
    ``predict`` cannot map new rows, and ``predict`` says so.

    Examples
    --------
    >>> from pidkit.estimate import Discretizer
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = np.concatenate([rng.normal(0, 1, (50, 20)), rng.normal(8, 1, (50, 20))])
    >>> disc = Discretizer(n_components=2, n_clusters=2, normalize=None).fit(X)
    >>> len(set(disc.labels_[:50])), len(set(disc.labels_[50:])), bool(disc.labels_[0] != disc.labels_[-1])
    (1, 1, True)
    >>> huge = Discretizer(n_components=2, n_clusters=2, normalize=None).fit(X * 1e200)
    >>> bool((huge.labels_ == disc.labels_).all())
    True
    >>> list(disc.pipeline_.named_steps)
    ['scale', 'normalize', 'pca', 'cluster']
    """

    @hints_unknown_keywords
    def __init__(
        self,
        n_components: int | None = 10,
        n_clusters: int = 10,
        *,
        normalize: str | None = "l2",
        random_state: int | np.random.Generator | np.random.RandomState | None = 0,
        n_init: int = 10,
        svd_solver: str = "auto",
        clusterer: Any = None,
    ) -> None:
        self.n_components = n_components
        self.n_clusters = n_clusters
        self.normalize = normalize
        self.random_state = random_state
        self.n_init = n_init
        self.svd_solver = svd_solver
        self.clusterer = clusterer

    def _check_params(self) -> None:
        check_projection(self.n_components, self.normalize, self.svd_solver)
        if isinstance(self.n_clusters, str) and self.n_clusters == "auto":  # pid_from_representations'
            raise TypeError(
                "n_clusters='auto' is pid_from_representations' rule, which needs the number of labels; "
                "a Discretizer never sees them. Pass an int, e.g. n_clusters=clusters_for_samples("
                "n_samples, n_labels)."
            )
        check_int(self.n_clusters, "n_clusters", minimum=2, meaning=(
            "the number of clusters KMeans cuts the features into, e.g. n_clusters=8"))
        check_int(self.n_init, "n_init", minimum=1, meaning=(
            "the number of KMeans restarts, the best one kept, e.g. n_init=10"))
        if self.clusterer is not None:
            check_clusterer(self.clusterer, self.n_clusters)

    def _cluster_step(self, seed: int) -> Any:
        from sklearn.cluster import KMeans

        if self.clusterer is None:
            return KMeans(n_clusters=self.n_clusters, init="k-means++", n_init=self.n_init, random_state=seed)
        return seeded_clusterer(self.clusterer, seed)

    def fit(self, X: Any, y: Any = None) -> Discretizer:
        """Fit the pipeline on ``X`` (n_samples, n_features, ...); return ``self``.

        Trailing axes beyond the second are flattened, so a batch of (C, H, W) maps can be passed
        directly. float32 input stays float32.
        """
        return self.fit_named(X, "X")

    def fit_named(self, X: Any, name: str, names: np.ndarray | None = None) -> Discretizer:
        """:meth:`fit`, with ``name`` used for ``X`` in error messages (e.g. ``"t_features"``);
        ``names``: the column names of the DataFrame ``X`` was read from, if it is an array now."""
        from sklearn.cluster import KMeans
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        self._check_params()
        names = feature_names(X) if names is None else names
        given, X = X, check_features(X, name)
        check_one_feature(X.shape[1], self.normalize, name, given)
        n_samples, n_features = X.shape
        what, wanted = (
            ("n_clusters", self.n_clusters) if self.clusterer is None
            else declared_clusters(self.clusterer) or (None, None)
        )
        if wanted is not None and n_samples < wanted:
            owner = "" if self.clusterer is None else f"the clusterer {type(self.clusterer).__name__}'s "
            raise ValueError(
                f"{owner}{what}={wanted} is more than the {n_samples} samples in {name}; "
                "pass more samples or fewer clusters."
            )
        seed = check_seed(self.random_state)
        (scale, normalize, pca), n_components, solver = projection_steps(
            n_samples, n_features, n_components=self.n_components, normalize=self.normalize,
            svd_solver=self.svd_solver, seed=seed, name=name,
        )
        head = Pipeline([scale, normalize])
        rows = head.fit_transform(X)
        # Rows that are all the same where PCA and the clusterer see them (after the scaling and the
        # L2 normalisation, so also rows that differ only in scale) are one point: one cluster, no
        # information. PCA would turn them into rounding noise (~1e-15) that any clusterer splits
        # into clusters that count as information. All-zero features take this path too.
        # Fewer distinct rows than clusters (mostly-zero ReLU features, binary ones): the same noise
        # made KMeans split identical rows between clusters. Each distinct row is one cluster.
        # Equal means equal up to the rounding of the scaling and normalisation (rows_all_equal);
        # distinct means further apart than KMeans resolves (few_distinct_rows). One distinct row
        # whose rows are not all equal (a large offset shared by every row) goes to the PCA, which
        # centres it away.
        distinct = few_distinct_rows(rows, max(wanted or 2, 2))
        rows_equal = distinct is not None and len(distinct) == 1 and rows_all_equal(rows)
        distinct = None if distinct is None or len(distinct) == 1 or wanted is None else distinct
        if rows_equal or distinct is not None:
            pca, n_components, solver = ("pca", "passthrough"), None, None
        # Without PCA (it would keep every feature, n_components=None, or the paths above) the pca
        # step centres the rows, as PCA's scores are: KMeans centres them for fit but not for
        # predict, whose |x|^2 - 2 x.c + |c|^2 loses what varies under a large offset (float32
        # features 1000 + 0.01 noise: predict relabelled 676 of the 800 training rows). On the mean
        # of the first 1,024 rows: any point amid the rows does, and StandardScaler's fit on all of
        # them held a float copy of the matrix (655 MB at 20,000 x 8,192 float32).
        centre = isinstance(pca[1], str)
        if centre:
            pca = ("pca", StandardScaler(with_std=False, copy=False).fit(rows[:1024]))
        if rows_equal:
            cluster = KMeans(n_clusters=1, n_init=1, random_state=seed)
            warnings.warn(constant_rows_text(name, self.normalize == "l2", "one cluster, one value in the "
                                             "joint p[y, t, s]"), FewDistinctRowsWarning,
                          stacklevel=user_stacklevel())
        elif distinct is not None:
            distinct = pca[1].transform(distinct)
            cluster = KMeans(n_clusters=len(distinct), init=distinct, n_init=1, random_state=seed)
            where = " after the L2 normalisation" if self.normalize == "l2" else ""
            owner = unused = ""
            if self.clusterer is not None:
                kind = type(self.clusterer).__name__
                owner = f" of the clusterer {kind}"
                unused = f"; {kind} is not used, a KMeans centred on those rows is"
            warnings.warn(
                f"{name} has only {len(distinct)} distinct rows{where}, fewer than {what}={wanted}"
                f"{owner}: each distinct row is one cluster, so it takes {len(distinct)} values in the "
                f"joint p[y, t, s] (PCA skipped{unused}). Features that are mostly zero (ReLU) or "
                "binary have few distinct rows; the PID is that of these values.",
                FewDistinctRowsWarning, stacklevel=user_stacklevel(),
            )
        else:
            cluster = self._cluster_step(seed)
        # The warnings are caught under the caller's filters (an "ignore" by text or module applies
        # to scikit-learn's own warning) and given again, their text led by the argument's name.
        with blas_threads(_blas_limit(X.size)), threadpool_limits(limits=1, user_api="openmp"), \
                warnings.catch_warnings(record=True) as caught:
            scores = pca[1].transform(rows) if centre else pca[1].fit_transform(rows)
            # Step by step, not Pipeline.fit_predict: that also demands a fit method of the clusterer.
            if distinct is not None:  # centred on the distinct rows: fitted on them, one pass to label
                labels = cluster.fit(distinct).predict(scores)
            else:
                labels = cluster.fit_predict(scores)
        for w in caught:  # scikit-learn's (KMeans: fewer distinct rows than clusters), naming the side
            warnings.warn_explicit(f"{name}: {w.message}", w.category, w.filename, w.lineno)
        if not rows_equal and len(np.unique(labels)) == 1:  # DBSCAN's eps too small: every row noise
            first = int(np.asarray(labels)[0])
            warnings.warn(one_cluster_text(name, n_samples, cluster, first, self.clusterer is None),
                          UserWarning, stacklevel=user_stacklevel())

        self.pipeline_ = Pipeline([*head.steps, pca, ("cluster", cluster)])
        self.clusterer_ = cluster
        self.pca_ = None if centre else pca[1]
        self.n_features_in_ = n_features
        check_feature_names(self, names, name, reset=True)
        self.n_samples_fit_ = n_samples
        self.dtype_ = X.dtype
        self.n_components_ = n_components
        self.svd_solver_ = solver
        self.random_state_ = seed
        self.rows_equal_ = rows_equal
        self.distinct_rows_ = None if distinct is None else len(distinct)
        self.explained_variance_ratio_ = (
            None if self.pca_ is None else float(np.sum(self.pca_.explained_variance_ratio_))
        )
        self.labels_ = np.asarray(labels).astype(np.intp)
        declared = declared_clusters(cluster)
        self.n_clusters_ = declared[1] if declared else len(np.unique(self.labels_))
        inertia = getattr(self.clusterer_, "inertia_", None)
        self.inertia_ = None if inertia is None else float(inertia)
        return self

    def predict(self, X: Any) -> np.ndarray:
        """Cluster id of every row of ``X`` under the fitted pipeline."""
        return self.predict_named(X, "X")

    def predict_named(self, X: Any, name: str, names: np.ndarray | None = None) -> np.ndarray:
        """:meth:`predict`, with ``name`` used for ``X`` in error messages (``names`` as in
        :meth:`fit_named`)."""
        if hasattr(self, "clusterer_") and not hasattr(self.clusterer_, "predict"):
            kind = type(self.clusterer_).__name__
            raise TypeError(
                f"This Discretizer's clusterer {kind} has no predict: it labels only the rows it was "
                f"fitted on, so it cannot map {name}. Fit a new Discretizer on {name} (in "
                "pid_from_representations: None for that side of discretizers=), or use a clusterer "
                "with predict (KMeans, MiniBatchKMeans, GaussianMixture, Birch) to reuse the clusters."
            )
        X = check_fitted_input(self, X, name, "fit(X) (or use discretize(X))", names=names)
        with blas_threads(_blas_limit(X.size)), threadpool_limits(limits=1, user_api="openmp"):
            return np.asarray(self.clusterer_.predict(self.pipeline_[:-1].transform(X))).astype(np.intp)

    def __getattr__(self, name: str) -> Any:
        """Only missing attributes get here: ``transform`` (removed) and ``fit_transform`` say what
        replaces them."""
        if name in ("transform", "fit_transform"):
            ids = "predict(X)" if name == "transform" else "fit_predict(X)"
            raise AttributeError(
                f"Discretizer has no {name}: it returned the cluster ids, which is {ids} "
                f"(a scikit-learn clusterer's {name} means distances). Call {ids} instead; in a "
                "Pipeline a Discretizer is the last step (pipeline.fit_predict(X))."
            )
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def fit_predict(self, X: Any, y: Any = None, **kwargs: Any) -> np.ndarray:
        """Fit on ``X`` and return its cluster ids (``fit(X).labels_``)."""
        return self.fit(X).labels_

    def _clustered_as_set(self) -> bool:
        # False when the rows were too few distinct points to cluster (rows_equal_, distinct_rows_).
        return not self.rows_equal_ and getattr(self, "distinct_rows_", None) is None

    def settings(self) -> dict[str, Any]:
        """JSON-ready description of the fitted pipeline (what a record needs to be traced back)."""
        check_fitted(self)
        return {
            "kind": "clustered",
            "n_features": int(self.n_features_in_),
            "normalize": self.normalize,
            "n_components_requested": self.n_components,
            "n_components": self.n_components_,
            "svd_solver": self.svd_solver_,
            "explained_variance_ratio": self.explained_variance_ratio_,
            "clusterer": type(self.clusterer_).__name__,
            "n_clusters": int(self.n_clusters_),
            "n_init": self.n_init if self.clusterer is None and self._clustered_as_set() else None,
            "rows_equal": self.rows_equal_,
            "distinct_rows": getattr(self, "distinct_rows_", None),
            "random_state": self.random_state_,
            # why the clusterer ignores random_state_ (its own seed, or none), None where it takes it
            "fixed_seed": None if self.clusterer is None else fixed_seed_text(self.clusterer),
        }


@hints_unknown_keywords
def discretize(
    X: Any,
    n_components: int | None = 10,
    n_clusters: int = 10,
    *,
    normalize: str | None = "l2",
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    n_init: int = 10,
    svd_solver: str = "auto",
    clusterer: Any = None,
) -> tuple[np.ndarray, Discretizer]:
    """Cluster the rows of a feature matrix into discrete values; return ``(labels, discretizer)``.

    L2-normalise every row, project to ``n_components`` principal components and run seeded KMeans
    (the paper's Appendix C pipeline, made reproducible); see :class:`Discretizer`.

    Parameters
    ----------
    X : array_like of shape (n_samples, n_features) or (n_samples, ...)
        Features, one row per sample; trailing axes are flattened. float32 stays float32.
    n_components, n_clusters, normalize, random_state, n_init, svd_solver, clusterer
        As in :class:`Discretizer`.

    Returns
    -------
    labels : numpy.ndarray of int, shape (n_samples,)
    discretizer : Discretizer
        Fitted; ``discretizer.predict(X_new)`` maps new samples to the same clusters.

    Examples
    --------
    >>> from pidkit.estimate import discretize
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 64)).astype(np.float32)
    >>> labels, disc = discretize(X, n_components=5, n_clusters=4)
    >>> labels.shape, sorted(set(labels.tolist())), disc.n_components_
    ((200,), [0, 1, 2, 3], 5)
    >>> bool((discretize(X, n_components=5, n_clusters=4)[0] == labels).all())
    True
    """
    disc = Discretizer(
        n_components,
        n_clusters,
        normalize=normalize,
        random_state=random_state,
        n_init=n_init,
        svd_solver=svd_solver,
        clusterer=clusterer,
    ).fit(X)
    return disc.labels_, disc
