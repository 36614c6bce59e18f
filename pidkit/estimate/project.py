"""Features -> a few principal components: the stage the discrete and Gaussian estimators share.

Both estimators of :func:`pidkit.estimate.pid_from_representations` first bring a layer's
activations to a few dimensions the same way: scale exactly by a power of two
(:class:`PowerOfTwoScaler`), optionally L2-normalise every row (the RID paper's choice), and
project on the leading principal components. The discrete estimator then clusters the components
(:class:`pidkit.estimate.Discretizer`); the Gaussian one uses them as they are
(:class:`Projector`). :func:`projection_steps` builds that stage once for both.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from pidkit._settings import check_int, check_option, check_seed

from .._arrays import column_fix
from .distinct_rows import rows_all_equal
from .fitted_inputs import check_feature_names, check_fitted, check_fitted_input, feature_names
from .inputs import check_features
from .scaler import PowerOfTwoScaler

__all__ = [
    "NORMALIZE_OPTIONS",
    "SVD_SOLVERS",
    "Projector",
    "check_one_feature",
    "check_projection",
    "projection_steps",
]

NORMALIZE_OPTIONS = ("l2", None)
"""Row normalisations the projection accepts."""
SVD_SOLVERS = ("auto", "randomized", "full")
"""PCA solvers the projection accepts."""
_FULL_SVD_MAX_DIM = 500
_FULL_SVD_MAX_WIDTH = 64
"""``svd_solver="auto"`` takes the exact SVD when the matrix's smaller side is at most this. There
the randomized SVD's 10 components were 0.05-0.5 rad off the exact ones, and the exact SVD costs
1.2-1.6 times its CPU time (20,000 x 64 float32: 0.07 vs 0.05 s on one core; 100,000 x 64: 0.48 vs
0.31 s); at 128 it costs 2-6 times as much for 0.03-0.05 rad (``docs/estimate.md``)."""


def check_projection(n_components: Any, normalize: Any, svd_solver: Any) -> None:
    """Raise a clear error for projection settings :func:`projection_steps` cannot use."""
    if n_components is not None:
        check_int(n_components, "n_components", minimum=1, alternative="None (no PCA)", meaning=(
            "the number of principal components kept, e.g. n_components=10"))
    check_option(normalize, "normalize", NORMALIZE_OPTIONS)
    check_option(svd_solver, "svd_solver", SVD_SOLVERS)


def check_one_feature(n_features: int, normalize: str | None, name: str, given: Any = None) -> None:
    """Refuse ``normalize="l2"`` for a single feature, which it turns into its sign.

    Parameters
    ----------
    n_features : int
        Features per sample of ``name``.
    normalize : str or None
        The row normalisation asked for.
    name : str
        The argument's name in the message.
    given : object, optional
        What the user passed as ``name`` (a DataFrame, tensor, list...): the message's code for
        passing it as 1-D labels works on it (``column_fix``); without it the
        code is for an array.

    Raises
    ------
    ValueError
        For ``normalize="l2"`` and one feature.

    Examples
    --------
    >>> check_one_feature(2, "l2", "X"), check_one_feature(1, None, "X")
    (None, None)
    """
    if normalize != "l2" or n_features != 1:
        return
    column = f"{name}.ravel()" if given is None else column_fix(given, name)
    raise ValueError(
        f"normalize='l2' scales every row of {name} to unit length, which leaves a single feature "
        "only its sign (+1 or -1); pass normalize=None for one feature per sample. A column of "
        f"discrete labels goes to pid_from_representations 1-D ({column}) and is used as it is."
    )


def projection_steps(
    n_samples: int,
    n_features: int,
    *,
    n_components: int | None,
    normalize: str | None,
    svd_solver: str,
    seed: int,
    name: str = "X",
) -> tuple[list[tuple[str, Any]], int | None, str | None]:
    """The unfitted ``scale -> normalize -> pca`` steps of a scikit-learn Pipeline for this data.

    ``n_components`` is clipped to the number of features and samples; PCA is ``"passthrough"``
    when it would keep every feature (a rotation changes neither the clusters nor a Gaussian
    information) or when ``n_components`` is None. ``svd_solver="auto"`` is the exact SVD when
    both dimensions are at most 500 or the smaller one at most 64 (exact, for little more time
    there), otherwise scikit-learn's seeded randomized SVD.
    ``normalize="l2"`` with a single feature is a ValueError naming ``name``: it would leave only
    the feature's sign.

    Returns
    -------
    steps : list of (str, estimator or "passthrough")
    n_components : int or None
        Components kept (None: no PCA requested).
    svd_solver : str or None
        The PCA solver used (None when PCA is skipped).

    Examples
    --------
    >>> steps, k, solver = projection_steps(100, 64, n_components=5, normalize="l2",
    ...                                     svd_solver="auto", seed=0)
    >>> [name for name, _ in steps], k, solver
    (['scale', 'normalize', 'pca'], 5, 'full')
    >>> [projection_steps(n, d, n_components=10, normalize="l2", svd_solver="auto", seed=0)[2]
    ...  for n, d in ((20_000, 64), (20_000, 512), (10_000, 8192))]
    ['full', 'randomized', 'randomized']
    """
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import Normalizer

    check_one_feature(n_features, normalize, name)
    kept = None if n_components is None else min(n_components, n_features, n_samples)
    pca: Any = "passthrough"
    solver = None
    if kept is not None and kept < n_features:
        solver = svd_solver
        if solver == "auto":
            exact = (max(n_samples, n_features) <= _FULL_SVD_MAX_DIM
                     or min(n_samples, n_features) <= _FULL_SVD_MAX_WIDTH)
            solver = "full" if exact else "randomized"
        pca = PCA(n_components=kept, svd_solver=solver, random_state=seed, copy=False)
    l2 = normalize == "l2"
    # copy=False: the scaler returns a new array, which the normalisation and PCA may overwrite
    # (the caller's features, a memmap say, are only read); their own copies were two more
    # matrices of the features' size.
    steps = [
        ("scale", PowerOfTwoScaler(per_row=l2)),
        ("normalize", Normalizer(copy=False) if l2 else "passthrough"),
        ("pca", pca),
    ]
    return steps, kept, solver


class Projector(TransformerMixin, BaseEstimator):
    """Project the rows of a feature matrix on their leading principal components, reusably.

    The first three steps of :class:`pidkit.estimate.Discretizer` without the clustering: a seeded
    scikit-learn Pipeline ``scale -> normalize -> pca`` (see :func:`projection_steps`). The Gaussian
    estimator of :func:`pidkit.estimate.pid_from_representations` models the components it returns
    as jointly Gaussian with the label. Follows scikit-learn's conventions and pickles.

    Parameters
    ----------
    n_components : int or None, default=10
        Principal components kept; ``None`` keeps the features as they are (only scaled by a power
        of two, and normalised if asked).
    normalize : {"l2", None}, default="l2"
        ``"l2"`` scales every row to unit Euclidean norm before PCA.
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Seed of the randomized PCA; ``None`` draws one at ``fit`` (recorded in ``random_state_``).
    svd_solver : {"auto", "randomized", "full"}, default="auto"
        As in :func:`projection_steps`.

    Attributes
    ----------
    pipeline_ : sklearn.pipeline.Pipeline
    pca_ : sklearn.decomposition.PCA or None
    n_features_in_, n_samples_fit_ : int
    feature_names_in_ : numpy.ndarray of str
        Column names of a training DataFrame whose names are all strings (absent otherwise);
        :meth:`transform` refuses a DataFrame with other columns or another order.
    dtype_ : numpy.dtype
        dtype of the training matrix (float32 or float64); later inputs are cast to it.
    n_components_ : int or None
        Components kept (clipped to the data); ``None`` when no PCA was asked for.
    n_outputs_ : int
        Columns :meth:`transform` returns: ``n_components_``, less the components whose variance
        is rounding noise (see :func:`_keep_numerical_rank`; a layer of lower rank than
        ``n_components``), or the number of features without PCA.
    svd_solver_ : str or None
    random_state_ : int
    explained_variance_ratio_ : float or None
        ``None`` without PCA or when ``rows_equal_`` (no variance to explain).
    rows_equal_ : bool
        Every training row was the same after the scaling and normalisation, up to rounding (a
        dead layer; one direction at several scales): the components are set to 0, so the scores
        of these rows and of any later ones are all 0, and the side carries no information.
    scores_ : numpy.ndarray
        The projected training rows.

    Examples
    --------
    >>> from pidkit.estimate import Projector
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(200, 40))
    >>> proj = Projector(n_components=3, normalize=None).fit(X)
    >>> proj.transform(X).shape, proj.n_outputs_, list(proj.pipeline_.named_steps)
    ((200, 3), 3, ['scale', 'normalize', 'pca'])
    """

    def __init__(
        self,
        n_components: int | None = 10,
        *,
        normalize: str | None = "l2",
        random_state: int | np.random.Generator | np.random.RandomState | None = 0,
        svd_solver: str = "auto",
    ) -> None:
        self.n_components = n_components
        self.normalize = normalize
        self.random_state = random_state
        self.svd_solver = svd_solver

    def fit(self, X: Any, y: Any = None) -> Projector:
        """Fit the pipeline on ``X`` (n_samples, n_features, ...); return ``self``."""
        return self.fit_named(X, "X")

    def fit_named(self, X: Any, name: str, names: np.ndarray | None = None) -> Projector:
        """:meth:`fit`, with ``name`` used for ``X`` in error messages (e.g. ``"t_features"``);
        ``names``: the column names of the DataFrame ``X`` was read from, if it is an array now."""
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import FunctionTransformer

        check_projection(self.n_components, self.normalize, self.svd_solver)
        names = feature_names(X) if names is None else names
        given, X = X, check_features(X, name)
        check_one_feature(X.shape[1], self.normalize, name, given)
        seed = check_seed(self.random_state)
        steps, kept, solver = projection_steps(
            X.shape[0], X.shape[1], n_components=self.n_components, normalize=self.normalize,
            svd_solver=self.svd_solver, seed=seed, name=name,
        )
        head = Pipeline(steps[:2])
        rows = head.fit_transform(X)
        pca = steps[2][1]
        # Every row the same (a dead layer, constant features): the components are 0, and PCA's
        # explained-variance ratio 0/0 was numpy's raw "invalid value encountered in divide".
        # The same up to rounding (one direction at several scales, L2-normalised) too: what varies
        # is rounding noise, which the Gaussian estimator scales to unit variance like any column
        # (1.06 bits of I(Y;S) from one direction scaled 3x for one class). The side is constant,
        # on these rows and on later ones: the components are set to 0 (the features, without PCA).
        rows_equal = rows_all_equal(rows)
        with np.errstate(invalid="ignore") if rows_equal else contextlib.nullcontext():
            self.scores_ = rows if isinstance(pca, str) else pca.fit_transform(rows)
        if rows_equal:
            self.scores_ = np.zeros_like(self.scores_)
            if isinstance(pca, str):
                steps[2] = ("pca", FunctionTransformer(np.zeros_like).fit(rows))
            else:
                pca.components_[:] = 0
        elif not isinstance(pca, str):
            self.scores_ = self.scores_[:, :_keep_numerical_rank(pca, X.shape)]
        self.pipeline_ = Pipeline([*head.steps, steps[2]])
        self.pca_ = None if isinstance(pca, str) else pca
        self.rows_equal_ = rows_equal
        self.n_features_in_ = X.shape[1]
        check_feature_names(self, names, name, reset=True)
        self.n_samples_fit_ = X.shape[0]
        self.dtype_ = X.dtype
        self.n_components_ = kept
        self.n_outputs_ = int(self.scores_.shape[1])
        self.svd_solver_ = solver
        self.random_state_ = seed
        self.explained_variance_ratio_ = (
            None if self.pca_ is None or rows_equal else float(np.sum(self.pca_.explained_variance_ratio_))
        )
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The projected rows of ``X`` under the fitted pipeline."""
        return self.transform_named(X, "X")

    def transform_named(self, X: Any, name: str, names: np.ndarray | None = None) -> np.ndarray:
        """:meth:`transform`, with ``name`` used for ``X`` in error messages (``names`` as in
        :meth:`fit_named`)."""
        X = check_fitted_input(self, X, name, names=names)  # before self.pipeline_ is looked up
        return self.pipeline_.transform(X)

    def settings(self) -> dict[str, Any]:
        """JSON-ready description of the fitted pipeline."""
        check_fitted(self)
        return {
            "kind": "projected",
            "n_features": int(self.n_features_in_),
            "normalize": self.normalize,
            "n_components_requested": self.n_components,
            "n_components": self.n_components_,
            "n_outputs": self.n_outputs_,
            "svd_solver": self.svd_solver_,
            "explained_variance_ratio": self.explained_variance_ratio_,
            "rows_equal": getattr(self, "rows_equal_", False),
            "random_state": self.random_state_,
        }


def _keep_numerical_rank(pca: Any, shape: tuple[int, int]) -> int:
    """Cut the fitted ``pca`` down to its numerically nonzero components; return how many are kept.

    A component counts as zero when its singular value is at most ``sqrt(max(shape)) * eps`` times
    the largest (``eps`` of the PCA's dtype). Features of rank 3 projected on 10 components get 7
    components of rounding noise (variance ~1e-31 of the largest in float64, ~1e-14 in float32);
    the Gaussian estimator scales each of its columns to unit variance, so that noise became 7
    dimensions of unit variance, correlated with the data it was rounded from (0.013 bits more
    I(Y; S) at 5,000 samples). The rule is a compromise, 4-55 times above that noise: rank 3 in
    3,000 x 30, the noise is 1 ``eps`` of the largest singular value for centred columns, 13 for
    columns whose means are 3 times their spread (the centring's rounding), 38-50 at 20,000 rows,
    against 55 and 141 for the rule; larger means leave noise above it. A real component that small
    goes too: in float32 one direction at 2.4e-6 (20 ``eps``) of the largest singular value carried
    0.49 bits of I(Y; S), cut to 0. At 20,000 x 8,192 in float32 the rule drops components under
    3e-10 of the largest variance. The scores keep their leading columns.

    Examples
    --------
    >>> from sklearn.decomposition import PCA
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3)) @ rng.normal(size=(3, 30))
    >>> pca = PCA(n_components=10, svd_solver="full").fit(X)
    >>> _keep_numerical_rank(pca, X.shape), pca.components_.shape, pca.transform(X).shape
    (3, (3, 30), (200, 3))
    """
    sv = pca.singular_values_
    tol = sv[0] * np.sqrt(max(shape)) * np.finfo(pca.components_.dtype).eps
    rank = max(1, int(np.count_nonzero(sv > tol)))
    if rank < len(sv):  # PCA.transform projects on components_ (and whitens by explained_variance_)
        pca.n_components = pca.n_components_ = rank
        for attr in ("components_", "explained_variance_", "explained_variance_ratio_", "singular_values_"):
            setattr(pca, attr, getattr(pca, attr)[:rank])
    return rank
