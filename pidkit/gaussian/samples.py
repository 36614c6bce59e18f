"""Gaussian PID estimated from samples, with the exact finite-sample bias of log-det entropies removed.

**Informations.** With n samples the sample covariance (divided by ``N = n - 1``) of a d-dimensional
Gaussian block is ``W / N`` with ``W ~ Wishart_d(N, C)``, so exactly (Cai, Liang & Zhou 2015)

    E[log det(W / N)] - log det C = sum_{k=1..d} psi((N - k + 1) / 2) + d log(2 / N) =: b_d(N),

whatever C is. A Gaussian mutual information is a sum of three log-determinants, so
``I(A;B) = 1/2 [log det C_A + log det C_B - log det C_AB]`` has the plug-in bias
``1/2 [b_dA + b_dB - b_(dA+dB)] > 0`` exactly, and subtracting it makes I(Y;T), I(Y;S) and
I(Y;T,S) unbiased (dimensions are the whitened ranks of the blocks).

**Union information.** U is a minimum over couplings, so no exact correction exists (its bias has
a non-smooth part where the sources tie). pidkit corrects the *channels* instead and solves the
same program on them. A plug-in regression of Y on T shrinks the residual covariance Cov(Y|T), and
with it ``(I + J_t)^-1``, by a factor that is (to first order) the same in every direction; so
``I + J_t`` is scaled by the scalar ``c_t <= 1`` (negative directions clipped to zero information)
that makes ``1/2 log det(I + J_t)`` equal the unbiased I(Y;T), and likewise for S. Then U, Red and
the unique informations come from the Gaussian PID of the corrected channels: every atom is
non-negative, the pairwise identities hold with the unbiased informations, and for a scalar target
it is exactly the MMI decomposition of the corrected informations. Correcting U by the bias of
I(Y;T,S) instead over-corrects whenever one source dominates (it treats all d_t + d_s source
dimensions as used). Synergy is the corrected I(Y;T,S) minus U, floored at 0 (the floor raises the
reported I(Y;T,S) to U and is noted in the diagnostics).

**Tied sources.** Where T and S are about equally informative, the corrected Red and Syn are biased
low, though the informations are not: with every atom >= 0, ``Red <= min(I(Y;T), I(Y;S))``, and the
minimum of two unbiased noisy estimates of equal values falls short by about 0.4 times the standard
deviation of their difference (Clark's expected minimum; more for a vector Y). No correction that
keeps the atoms >= 0 and the identities can remove it; there the plug-in's upward bias happens to
offset it, and the bootstrap intervals are the thing to read (measured in docs/performance.md).

**A discrete label.** For a class label with C values, pass it one-hot encoded in C - 1 columns
(any C - 1; the result does not depend on which is dropped, and a full one-hot block is reduced
to C - 1 automatically). The Gaussian model then measures what is *linearly* decodable: I(Y;T) is
``-1/2 sum log(1 - rho_k^2)`` over the canonical correlations between the class indicators and the
features, i.e. the quantities of linear discriminant analysis. It equals the mutual information
of the Gaussian with the same covariance, not the label's Shannon information: it is not bounded by
H(Y) and is neither an upper nor a lower bound on the true I(Y;T) in general.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import resampling
from .._blas import blas_threads
from .._errors import SolverError
from .._keyword_hints import hints_unknown_keywords
from .._progress import check_progress
from .._settings import check_confidence, check_int, check_n_jobs, check_replicates, check_seed
from .._units import from_nats, to_nats, warn_of_loose_tol
from .._validate import check_covariance, check_flag
from .bias import corrected_channel, information_bias
from .estimate_result import GaussianPIDEstimate, as_estimate
from .pid import (
    DEFAULT_TOL_BITS,
    assemble_result,
    check_dims,
    check_options,
    solve_union,
)
from .reduce import ReducedSystem, reduce_covariance
from .sample_inputs import SAMPLES, TRANSPOSE, have, paired_samples
from .sample_notes import FAILURE_CAUSES, failure_counts, indicator_entropy


def check_correction_flag(bias_correction: Any) -> bool:
    """``bias_correction`` of the Gaussian estimates as a bool; a name of
    :func:`pidkit.estimate.pid_from_representations`' corrections is told which bool it is here.

    Examples
    --------
    >>> check_correction_flag(False)
    False
    >>> check_correction_flag("none")
    Traceback (most recent call last):
    ...
    TypeError: bias_correction must be True or False; got 'none' (str). ... False for the plug-in ('none').
    """
    if isinstance(bias_correction, str):
        raise TypeError(
            f"bias_correction must be True or False; got {bias_correction!r} (str). The names "
            "'auto', 'wishart' and 'none' are those of pidkit.estimate.pid_from_representations"
            "(..., estimator='gaussian'); here pass True for the Wishart correction ('auto', "
            "'wishart') or False for the plug-in ('none')."
        )
    return check_flag(bias_correction, name="bias_correction")


def column_scales(data: np.ndarray) -> np.ndarray:
    """A power of two per column that brings its largest absolute value into [1, 2).

    Dividing by it is exact and leaves the Gaussian PID unchanged (an invertible map of each
    variable), while keeping the sample covariance clear of overflow (data around 1e200) and
    underflow (data around 1e-200, whose covariance would otherwise round to 0). All-zero
    columns keep the scale 1.

    Examples
    --------
    >>> column_scales(np.array([[3.0, -0.75, 0.0], [1e300, 0.1, 0.0]])) / [2.0**996, 1, 1]
    array([1. , 0.5, 1. ])
    """
    peak = np.abs(data).max(axis=0)
    _, exponent = np.frexp(peak)
    return np.where(peak > 0, np.ldexp(1.0, exponent - 1), 1.0)


def min_samples(dims: tuple[int, ...]) -> int:
    """The fewest samples the Gaussian estimate accepts for blocks of ``dims`` dimensions: the
    unbiased sample covariance and its Wishart correction need n - 1 > d_y + d_t + d_s.

    Examples
    --------
    >>> min_samples((1, 3, 2))
    8
    """
    return sum(dims) + 2


@hints_unknown_keywords
def gaussian_pid_from_samples(
    y: ArrayLike,
    t: ArrayLike,
    s: ArrayLike,
    *,
    bias_correction: bool = True,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
    strict: bool = True,
    method: str = "auto",
    bootstrap: int = 0,
    confidence: float = 0.95,
    ci_method: str = "auto",
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
) -> GaussianPIDEstimate:
    """Gaussian PID of samples of (Y, T, S), with the finite-sample bias removed.

    Fits the sample covariance and decomposes it with :func:`pidkit.gaussian_pid`. With
    ``bias_correction`` the three mutual informations are made exactly unbiased under the Gaussian
    model and the union information is computed on correspondingly corrected channels (see
    :mod:`pidkit.gaussian.samples`). With ``bootstrap=B`` the rows are resampled B times and every
    replicate is estimated the same way, giving intervals around the estimate (as in
    :func:`pidkit.estimate.pid_from_representations`, through :mod:`pidkit.resampling`).

    Parameters
    ----------
    y, t, s : array_like of shape (n_samples,) or (n_samples, d)
        Target, teacher and student, one row per sample: numpy arrays, pandas objects or
        tensors (torch tensors are detached and moved to the CPU). A class label goes in one-hot encoded
        with C - 1 columns; the Gaussian model then measures linearly decodable information (see
        the notes of :mod:`pidkit.gaussian.samples`). Rows are paired by position; pandas objects
        among them must share one index (a ValueError otherwise, so that a shuffled Series is not
        paired wrongly).
    bias_correction : bool, default=True
        Remove the exact Wishart bias of the plug-in informations (and correct the channels). The
        informations are then unbiased, and the atoms several times less biased than the plug-in
        ones where one source dominates; where T and S are about equally informative, Red and Syn
        come out biased low by about 0.4 times the standard deviation of ``i_yt - i_ys`` (more
        for a vector Y), more than the plug-in's: read them with ``bootstrap=B`` intervals there
        (see the notes of :mod:`pidkit.gaussian.samples`).
    units, tol, strict, method
        As for :func:`pidkit.gaussian_pid`.
    bootstrap : int, default=0
        Bootstrap replicates (rows resampled with replacement, each replicate estimated with the
        same settings; one that fails is left out and counted); 0 computes no intervals. An
        estimate returned uncertified (``strict=False``) holds its replicates to twice its own
        gap where that exceeds ``tol``.
    confidence : float, default=0.95
        Nominal coverage of the intervals.
    ci_method : {"auto", "centred", "basic", "percentile"}, default="auto"
        How replicates become intervals; see :func:`pidkit.resampling.bootstrap_intervals`
        (``"basic"`` and ``"percentile"`` measure deviations from the plug-in estimate).
        ``"auto"``: ``"centred"`` with ``bias_correction``, ``"basic"`` without. Both ends are
        clipped at 0.
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Seed of the bootstrap (``None`` draws one and records it).
    n_jobs : int or None, default=None
        joblib workers for the replicates; the numbers do not depend on it or on the backend.
    progress : bool or None, default=None
        A progress bar of the bootstrap replicates on stderr (removed when done). ``None``: where
        a person watches (a terminal or a Jupyter notebook), once they have taken more than a
        second; see :func:`pidkit.resampling.bootstrap_replicates`.

    Returns
    -------
    GaussianPIDEstimate
        A :class:`~pidkit.PIDResult` whose ``repr`` says it is an estimate: from how many samples,
        how corrected, the plug-in value beside each corrected one and the intervals. As
        :func:`pidkit.gaussian_pid`; ``diagnostics`` adds ``n_samples``, the ``plug_in``
        informations and atoms, the subtracted ``biases``, the channel factors, the blocks'
        ``dims`` and, where ``y`` is a block of 0/1 class indicators, the classes' ``label_entropy``
        H(Y) (the repr notes informations above it, and fewer than 5 samples per dimension:
        :mod:`pidkit.gaussian.sample_notes`). ``q`` is the
        optimal coupling of the sample covariance without correction, None with it (the
        decomposition itself is computed with every column scaled by a power of two, so data
        around 1e-200 or 1e200 are fine; only entries of ``q`` beyond float64's range come out
        as 0 or inf). With
        ``bootstrap > 0``, ``diagnostics["intervals"]`` maps ``red, uni_t, uni_s, syn, i_yt,
        i_ys, i_yts`` to ``(low, high)`` and ``diagnostics["bootstrap"]`` holds ``n_boot``,
        ``n_failed``, ``failures`` (how many of them each cause explains:
        :data:`~pidkit.gaussian.sample_notes.FAILURE_CAUSES`; the repr notes them), the fewest
        and most ``distinct_rows`` of a resample, ``confidence``, ``ci_method``,
        ``random_state`` and the ``replicates`` (``n_boot x 7``, in that order; NaN rows failed).

    Raises
    ------
    ValueError, TypeError
        For arrays that are not numeric, not finite, of different lengths, pandas objects with
        different indexes, or too few samples (``n`` must exceed ``d_y + d_t + d_s + 1``), and
        for a constant ``y`` (it carries no information).
    SolverError
        If ``strict`` and the answer is not certified within ``tol``: e.g. for columns so nearly
        collinear that the direction where they differ was dropped, while it correlates with the
        other side beyond sampling noise (see the notes); the message says to pass such columns
        combined. ``strict=False`` returns the answer with status ``"optimal_inaccurate"`` and
        that bound in ``gap``.

    Warns
    -----
    UserWarning
        When ``y`` is one column of more than two whole numbers (integers or floats), each
        taken by two samples or more on average: class codes read as numbers; and where ``tol``
        is loose for the estimate, as :func:`pidkit.gaussian_pid` warns (once: not for the
        bootstrap's replicates).

    Notes
    -----
    Columns of a block whose correlation matrix has an eigenvalue below 1e-12 of the largest
    (duplicated, constant or rank-deficient features) are reduced to the block's rank, as
    :func:`pidkit.gaussian_pid` does. What each dropped direction could carry is bounded by
    ``-1/2 sum log(1 - s_i^2 / (1 - rho_max^2))`` nats, ``s_i`` its sample correlations with
    the other side (``diagnostics["collinear_nats"]``). Sampling noise alone gives ``s_i`` of
    order ``1 / sqrt(n)`` (float32 rounding of rank-deficient features, say), so that bound
    counts in ``gap`` only where Bartlett's test rejects independence at level 1e-6: where
    ``-(n - 1 - (k + m + 1) / 2) sum log(1 - s_i^2)`` (k dropped directions, m whitened columns
    on the other side) exceeds the chi-squared quantile with ``k m`` degrees of freedom (24 for
    ``k m = 1``). Directions within that noise carry at most about that quantile over
    ``2 n (1 - rho_max^2)`` nats. A duplicated or constant column gives a bound of order eps at
    most and is dropped silently; ``T = (z, z + 1e-6 (Y + noise))`` with n = 2000 (the
    difference holds all of T's information) gives 0.93 bits and is refused. A difference at
    float64's resolution of the covariance (``z + 1e-9 (Y + noise)`` in that example) cannot be
    told from rounding noise this way: compute such differences from the samples and pass them
    as columns.

    Examples
    --------
    >>> import numpy as np, pidkit
    >>> rng = np.random.default_rng(0)
    >>> y = rng.standard_normal(20_000)
    >>> t = y + rng.standard_normal(20_000)
    >>> s = t + 2 * rng.standard_normal(20_000)      # a degraded copy of T: no unique info in S
    >>> r = pidkit.gaussian_pid_from_samples(y, t, s)
    >>> round(r.red, 2), round(r.uni_t, 2), round(r.uni_s, 2), round(r.syn, 2)
    (0.13, 0.36, 0.0, 0.0)
    >>> r = pidkit.gaussian_pid_from_samples(y[:500], t[:500], s[:500], bootstrap=200)
    >>> lo, hi = r.diagnostics["intervals"]["i_yt"]     # truth: 0.5 bits
    >>> bool(lo < 0.5 < hi), r.diagnostics["bootstrap"]["n_failed"]
    (True, 0)
    """
    bias_correction = check_correction_flag(bias_correction)
    n_boot = check_replicates(bootstrap, "bootstrap", zero_allowed=True)
    confidence = check_confidence(confidence)
    ci_method = resampling.resolve_ci_method(ci_method, corrected=bias_correction)
    check_n_jobs(n_jobs)
    seed = check_seed(random_state)
    check_progress(progress)
    arrays = paired_samples(y, t, s)
    dims = tuple(a.shape[1] for a in arrays)
    n = arrays[0].shape[0]
    if n == 0:  # no rows: nothing to transpose
        raise ValueError(f"{SAMPLES} hold no samples (0 rows); the sample covariance needs n > "
                         f"{sum(dims) + 1} rows, one per sample.")
    if n < min_samples(dims):
        wide = [name for name, d in zip("yts", dims, strict=True) if d > n]
        transposed = f" {have(wide)} more columns than rows: {TRANSPOSE}" if wide else ""
        raise ValueError(
            f"too few samples: n = {n} rows for d_y + d_t + d_s = {sum(dims)} dimensions; the "
            f"sample covariance needs n > {sum(dims) + 1}. Reduce the features first (e.g. PCA) "
            f"or collect more samples.{transposed}"
        )
    data = np.hstack(arrays)
    scales = column_scales(data)
    data = data / scales
    with blas_threads(1):
        cov = np.cov(data, rowvar=False)
        result = _estimate(cov, dims, n, bias_correction, units, tol, strict, method, name=SAMPLES)
    _warn_of_loose_tol(tol, result)
    if result.q is not None:
        with np.errstate(over="ignore", under="ignore"):
            result = dataclasses.replace(result, q=result.q * scales[:, None] * scales)
    notes: dict[str, Any] = {"dims": list(dims)}  # for the repr's notes (sample_notes)
    if (h_y := indicator_entropy(arrays[0], units)) is not None:
        notes["label_entropy"] = h_y
    result = dataclasses.replace(result, diagnostics={**result.diagnostics, **notes})
    if n_boot == 0:
        return result
    statistic = GaussianStatistic(
        data, dims, bias_correction=bias_correction, units=units,
        tol=replicate_tol(tol, result), method=method, with_failure_causes=True,
    )
    replicates, distinct_rows, causes = np.hsplit(resampling.bootstrap_replicates(
        statistic, n_boot, random_state=seed, n_jobs=n_jobs, progress=progress
    ), [len(resampling.QUANTITIES), len(resampling.QUANTITIES) + 1])
    plug_in = result.diagnostics.get("plug_in") or {q: getattr(result, q) for q in resampling.QUANTITIES}
    spans = resampling.bootstrap_intervals(
        replicates,
        [getattr(result, q) for q in resampling.QUANTITIES],
        [plug_in[q] for q in resampling.QUANTITIES],
        confidence=confidence,
        method=ci_method,
        lower=0.0,
    )
    rank_y, _, _, rank_ts = result.diagnostics["ranks"]
    whitened_dimensions = rank_y + rank_ts
    boot = {
        "n_boot": n_boot,
        "n_failed": int(np.isnan(replicates[:, 0]).sum()),
        "failures": failure_counts(distinct_rows[:, 0], causes[:, 0], whitened_dimensions),
        "distinct_rows": (int(distinct_rows.min()), int(distinct_rows.max())),
        "confidence": float(confidence),
        "ci_method": ci_method,
        "random_state": seed,
        "replicates": np.ascontiguousarray(replicates),
    }
    intervals = dict(zip(resampling.QUANTITIES, spans, strict=True))
    diagnostics = {**result.diagnostics, "intervals": intervals, "bootstrap": boot}
    return dataclasses.replace(result, diagnostics=diagnostics)


def replicate_tol(tol: float, result: GaussianPIDEstimate) -> float:
    """The ``tol`` (bits) of the bootstrap replicates: ``tol``, or, for an estimate returned
    uncertified (``strict=False``), twice the estimate's own gap if larger.

    Replicates resample the same data, so their gaps are of the estimate's size: features that
    nearly determine Y leave each one a gap of float64's rounding of the informations, and
    holding the replicates to a ``tol`` their estimate did not meet would fail every one. Their
    spread, which the intervals measure, is far wider than such gaps.
    """
    if result.success or not np.isfinite(result.gap):
        return tol
    return max(tol, 2.0 * from_nats(to_nats(result.gap, result.units), "bits"))


class GaussianStatistic:
    """The statistic of a bootstrap of the Gaussian PID: resample rows, estimate as the sample was.

    ``GaussianStatistic(data, dims, ...)(rng)`` draws ``n`` rows of ``data`` with replacement,
    forms their covariance and returns ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts`` of
    :func:`estimate_from_covariance` with the given settings (NaN when a replicate cannot be
    estimated: an uncertified solve, or a resample in which a source determines part of Y, as
    one of k distinct rows does for k <= d_y + d_t + d_s; 0 for a resample that drew a single
    value of y). ``with_failure_causes`` appends the resample's distinct rows and 0, or the index
    in ``FAILURE_CAUSES`` of what failed (:func:`~pidkit.gaussian.sample_notes.failure_counts`).

    Parameters
    ----------
    data : numpy.ndarray of shape (n_samples, d_y + d_t + d_s)
        The samples of the stacked vector [Y, T, S].
    dims : tuple of int
    bias_correction, units, tol, method
        As in :func:`gaussian_pid_from_samples`.
    with_failure_causes : bool, default=False
        Return 9 numbers: the seven, the resample's distinct rows and why it failed (0: it did not).
    """

    def __init__(
        self,
        data: np.ndarray,
        dims: tuple[int, int, int],
        *,
        bias_correction: bool = True,
        units: str = "bits",
        tol: float = DEFAULT_TOL_BITS,
        method: str = "auto",
        with_failure_causes: bool = False,
    ) -> None:
        self.with_failure_causes = with_failure_causes
        self.data = np.asarray(data, dtype=np.float64)
        self.dims = (int(dims[0]), int(dims[1]), int(dims[2]))
        self.bias_correction = bias_correction
        self.units = units
        self.tol = tol
        self.method = method

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        """The seven quantities of one resample of the rows (NaN where it could not be estimated),
        then, ``with_failure_causes``, its distinct rows and why it failed."""
        n = self.data.shape[0]
        rows = rng.integers(0, n, n)
        values, cause = np.full(len(resampling.QUANTITIES), np.nan), 0
        try:
            with blas_threads(1):
                cov = np.cov(self.data[rows], rowvar=False)
                r = _estimate(
                    cov, self.dims, n, self.bias_correction, self.units, self.tol, True, self.method,
                    replicate=True,
                )
            values = np.array([getattr(r, q) for q in resampling.QUANTITIES])
        except SolverError:
            cause = FAILURE_CAUSES.index("uncertified")
        except ValueError:
            cause = FAILURE_CAUSES.index("determined")
        if not self.with_failure_causes:
            return values
        return np.append(values, [np.count_nonzero(np.bincount(rows, minlength=n)), cause])


@hints_unknown_keywords
def estimate_from_covariance(
    sample_cov: ArrayLike,
    dims: tuple[int, int, int],
    *,
    n_samples: int,
    bias_correction: bool = True,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
    strict: bool = True,
    method: str = "auto",
) -> GaussianPIDEstimate:
    """Gaussian PID estimate from a sample covariance (divided by ``n_samples - 1``) of [Y, T, S].

    The entry point of :func:`gaussian_pid_from_samples` once the covariance is formed: for a
    covariance accumulated over batches, or one saved without its samples.

    Parameters
    ----------
    sample_cov : array_like of shape (d_y + d_t + d_s, d_y + d_t + d_s)
        Sample covariance of the stacked [Y, T, S] (``np.cov`` of the samples, with the mean
        subtracted and divided by ``n_samples - 1``).
    dims : tuple of 3 int
        ``(d_y, d_t, d_s)``, the sizes of the three blocks, in that order.
    n_samples : int
        Number of samples behind ``sample_cov``: more than 1 plus the whitened dimensions of Y
        and of [T, S] (``d_y + d_t + d_s + 1`` when no block has collinear columns), with or
        without the bias correction, which depends on it.
    bias_correction : bool, default=True
        Remove the exact Wishart bias of the plug-in informations (and correct the channels).
    units, tol, strict, method
        As for :func:`pidkit.gaussian_pid`.

    Returns
    -------
    GaussianPIDEstimate
        As :func:`gaussian_pid_from_samples` without ``bootstrap``.

    Raises
    ------
    ValueError, TypeError
        For a ``sample_cov`` or ``dims`` that do not fit, or too few ``n_samples``.
    SolverError
        If ``strict`` and the answer is not certified within ``tol``.

    Warns
    -----
    UserWarning
        Where ``tol`` is loose for the estimate, as :func:`pidkit.gaussian_pid` warns.

    Examples
    --------
    The covariance of Y, T = Y + noise and S = T + 2 noise, as if estimated from 100 samples:

    >>> import numpy as np
    >>> from pidkit.gaussian import estimate_from_covariance
    >>> cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 6.0]])
    >>> r = estimate_from_covariance(cov, (1, 1, 1), n_samples=100)
    >>> round(r.i_yt, 4), round(r.diagnostics["plug_in"]["i_yt"], 4)    # corrected, plug-in
    (0.4926, 0.5)
    >>> r = estimate_from_covariance(cov, (1, 1, 1), n_samples=100, bias_correction=False)
    >>> round(r.red, 4), round(r.uni_t, 4), r.uni_s, r.syn
    (0.1315, 0.3685, 0.0, 0.0)
    """
    n_samples = check_int(n_samples, "n_samples", minimum=2, meaning=(
        "the number of samples sample_cov was estimated from, e.g. n_samples=1000"))
    check_dims(dims, name="sample_cov")
    with blas_threads(1):
        result = _estimate(sample_cov, dims, n_samples, bias_correction, units, tol, strict, method)
    _warn_of_loose_tol(tol, result)
    return result


def _warn_of_loose_tol(tol: float, result: GaussianPIDEstimate) -> None:
    """Warn where ``tol`` (bits, checked by the estimate) is loose for the estimate ``result``, as
    :func:`pidkit.gaussian_pid` does (the bootstrap's replicates, which :func:`replicate_tol` may
    loosen, are not warned of)."""
    warn_of_loose_tol(to_nats(tol, "bits"), [result.i_yts], [result.gap], result.units,
                      default_bits=DEFAULT_TOL_BITS)


def _estimate(
    sample_cov: ArrayLike,
    dims: tuple[int, int, int],
    n_samples: int,
    bias_correction: bool,
    units: str,
    tol: float,
    strict: bool,
    method: str,
    name: str = "sample_cov",
    replicate: bool = False,
) -> GaussianPIDEstimate:
    """:func:`estimate_from_covariance` after its own checks; ``name`` is what errors call the
    covariance's source. A ``replicate`` (a bootstrap resample's) keeps only the atoms: a target
    of zero variance is then an estimate of 0 like any (a resample that drew a single value of y;
    refused otherwise), and the collinearity bounds, which the estimate itself has checked, are
    skipped."""
    c = check_covariance(sample_cov, dims=dims, name=name)
    dims = (int(dims[0]), int(dims[1]), int(dims[2]))
    tol_nats = check_options(method, tol, units, strict)
    bias_correction = check_correction_flag(bias_correction)
    started = time.perf_counter()
    system = reduce_covariance(c, dims, name=name, bounds=not replicate, n_samples=int(n_samples))
    dof = int(n_samples) - 1
    rank_y, rank_t, rank_s, rank_ts = system.ranks
    if rank_y == 0 and not replicate:
        what = (
            "y is constant (every column holds a single value)" if name == SAMPLES
            else f"{name} gives Y zero variance (its first {dims[0]} x {dims[0]} block is 0)"
        )
        raise ValueError(
            f"{what}: a constant target carries no information, so every atom would be 0. Pass a "
            "target that varies across the samples (pidkit.estimate refuses a single-class y alike)."
        )
    if dof <= rank_y + rank_ts:
        raise ValueError(
            f"n_samples = {n_samples} is too small for whitened dimensions d_y = {rank_y}, "
            f"d_t + d_s = {rank_ts}: the estimate needs n_samples > {rank_y + rank_ts + 1}, with or "
            "without the bias correction."
        )
    plug_in = solve_union(system, method)
    extra: dict[str, Any] = {"n_samples": int(n_samples)}
    if not bias_correction:
        return as_estimate(assemble_result(
            system,
            plug_in,
            q=system.coupling_covariance(c, plug_in.sigma, dims),
            dims=dims,
            units=units,
            tol_nats=tol_nats,
            strict=strict,
            seconds=time.perf_counter() - started,
            extra=extra,
            conditioning=False,
        ))
    biases = {
        "i_yt": information_bias(rank_y, rank_t, dof),
        "i_ys": information_bias(rank_y, rank_s, dof),
        "i_yts": information_bias(rank_y, rank_ts, dof),
    }
    i_yt = max(system.i_yt - biases["i_yt"], 0.0)
    i_ys = max(system.i_ys - biases["i_ys"], 0.0)
    i_yts = max(system.i_yts - biases["i_yts"], 0.0)
    h_t, factor_t = corrected_channel(system.h_t, i_yt)
    h_s, factor_s = corrected_channel(system.h_s, i_ys)
    corrected = solve_union(dataclasses.replace(system, h_t=h_t, h_s=h_s), method)
    if corrected.union_nats > i_yts:
        extra["synergy_floored"] = True
        i_yts = corrected.union_nats
    extra.update(
        biases={k: from_nats(v, units) for k, v in biases.items()},
        channel_factors=(factor_t, factor_s),
        plug_in=_plug_in_summary(system, plug_in.union_nats, units),
    )
    return as_estimate(assemble_result(
        system,
        corrected,
        q=None,
        dims=dims,
        units=units,
        tol_nats=tol_nats,
        strict=strict,
        seconds=time.perf_counter() - started,
        informations=(i_yt, i_ys, i_yts),
        extra=extra,
        conditioning=False,
    ))


def _plug_in_summary(system: ReducedSystem, union_nats: float, units: str) -> dict[str, float]:
    atoms = {
        "red": system.i_yt + system.i_ys - union_nats,
        "uni_t": union_nats - system.i_ys,
        "uni_s": union_nats - system.i_yt,
        "syn": system.i_yts - union_nats,
        "i_yt": system.i_yt,
        "i_ys": system.i_ys,
        "i_yts": system.i_yts,
    }
    return {k: from_nats(v, units) for k, v in atoms.items()}
