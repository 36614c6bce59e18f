"""Bootstrap replicates of any statistic, and intervals from them: shared by every estimator.

:func:`bootstrap_replicates` runs a "statistic of a resample" (a callable that draws its own
resample from the generator it is given and returns a vector) ``n_boot`` times, each replicate with
its own child seed, through joblib (:func:`pidkit.parallel.map_chunks`);
:func:`bootstrap_intervals` turns the replicates into intervals around an estimate. The discrete
estimator (:class:`pidkit.estimate.PIDStatistic`) and the Gaussian one
(:func:`pidkit.gaussian_pid_from_samples`) pass their own statistics. This module imports only
numpy (joblib when replicates run), so ``import pidkit`` stays light.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pidkit._validate import check_confidence, check_int, check_n_jobs, check_option, check_seed
from pidkit.parallel import map_chunks

__all__ = ["CI_METHODS", "bootstrap_intervals", "bootstrap_replicates"]

CI_METHODS = ("basic", "percentile")
"""Interval methods of :func:`bootstrap_intervals`."""
_CHUNK = 8
"""Replicates per joblib task: fixed, so that the numbers do not depend on n_jobs or the backend."""
_BOOT_STREAM = 0xB0075


def _run_chunk(
    seeds: list[np.random.SeedSequence], statistic: Callable[[np.random.Generator], Any]
) -> np.ndarray:
    return np.array([np.asarray(statistic(np.random.default_rng(seq)), dtype=np.float64) for seq in seeds])


def bootstrap_replicates(
    statistic: Callable[[np.random.Generator], Any],
    n_boot: int,
    *,
    random_state: int | None = 0,
    n_jobs: int | None = None,
) -> np.ndarray:
    """Evaluate ``statistic(rng)`` for ``n_boot`` independent child generators of ``random_state``.

    Parameters
    ----------
    statistic : callable
        ``statistic(rng) -> 1-D array``: draws one resample with ``rng`` and returns the numbers of
        interest (NaN where it could not compute them). It must pickle for process backends (a
        module-level function or an instance of a module-level class).
    n_boot : int
        Number of replicates.
    random_state : int or None, default=0
        Root seed; replicate ``i`` gets the ``i``-th child of it, so the numbers do not depend on
        ``n_jobs``, the backend or the chunking.
    n_jobs : int or None, default=None
        joblib workers (``None``: the active ``joblib.parallel_config``, else 1).

    Returns
    -------
    numpy.ndarray of shape (n_boot, k)

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> reps = bootstrap_replicates(lambda rng: [rng.choice(x, x.size).mean()], 200)
    >>> reps.shape, bool(3.5 < reps.mean() < 5.5)
    ((200, 1), True)
    """
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    check_n_jobs(n_jobs)
    seed = check_seed(random_state)
    seeds = np.random.SeedSequence([seed, _BOOT_STREAM]).spawn(n_boot)
    chunks = [seeds[i : i + _CHUNK] for i in range(0, n_boot, _CHUNK)]
    parts = map_chunks(_run_chunk, chunks, n_jobs, statistic)
    return np.concatenate([p.reshape(len(c), -1) for p, c in zip(parts, chunks, strict=True)], axis=0)


def bootstrap_intervals(
    replicates: np.ndarray,
    estimate: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
    method: str = "basic",
    lower: float | None = None,
    alternative: Sequence[float] | np.ndarray | None = None,
) -> list[tuple[float, float]]:
    """Bootstrap intervals of each column around ``estimate`` (and ``alternative``).

    The deviations ``d = replicate - reference`` of the replicates from ``reference``, the
    statistic's value on the observed sample (the functional at the empirical distribution), stand
    in for the estimator's error. With ``q_lo``, ``q_hi`` their ``(1 -/+ confidence) / 2``
    quantiles:

    * ``"basic"``: ``[estimate - q_hi, estimate - q_lo]``;
    * ``"percentile"``: ``[estimate + q_lo, estimate + q_hi]``.

    For a plug-in estimator (``estimate == reference``) these are the textbook basic interval
    ``[2 x - q_hi*, 2 x - q_lo*]`` and percentile interval ``[q_lo*, q_hi*]`` of the replicates.
    For a bias-corrected estimator whose replicates are corrected the same way, they are centred
    on the corrected estimate instead of on the plug-in.

    Parameters
    ----------
    replicates : numpy.ndarray of shape (n_boot, k)
        NaN entries (failed replicates) are left out, column by column.
    estimate, reference : sequence of float, length k
    confidence : float, default=0.95
    method : {"basic", "percentile"}, default="basic"
    lower : float or None, default=None
        Clip both ends at this value (0 for quantities that cannot be negative).
    alternative : sequence of float, length k, optional
        A second estimate that the data cannot tell from ``estimate`` (another model of the bias,
        e.g. :attr:`pidkit.estimate.BiasCorrection.kink_corrected`). Each interval is then the
        union of the intervals around both, made from the same deviations.

    Returns
    -------
    list of (float, float)
        One interval per column; ``(nan, nan)`` where every replicate failed.

    Examples
    --------
    >>> import numpy as np
    >>> reps = np.array([[0.9], [1.0], [1.1], [1.2], [1.3]])
    >>> bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method="percentile")
    [(0.9, 1.1)]
    >>> bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method="basic")
    [(0.9, 1.1)]
    >>> (lo, hi), = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, alternative=[0.8])
    >>> round(lo, 6), hi
    (0.7, 1.1)
    """
    confidence = check_confidence(confidence)
    check_option(method, "ci_method", CI_METHODS)
    replicates = np.asarray(replicates, dtype=np.float64)
    alpha = (1.0 - confidence) / 2.0
    others = estimate if alternative is None else alternative
    out = []
    for j, (est, ref, other) in enumerate(zip(estimate, reference, others, strict=True)):
        col = replicates[:, j]
        col = col[~np.isnan(col)]
        if col.size == 0 or not math.isfinite(est):
            out.append((math.nan, math.nan))
            continue
        q_lo, q_hi = np.quantile(col - ref, [alpha, 1.0 - alpha])
        centres = (min(est, other), max(est, other))
        if method == "basic":
            lo, hi = centres[0] - q_hi, centres[1] - q_lo
        else:
            lo, hi = centres[0] + q_lo, centres[1] + q_hi
        if lower is not None:
            lo, hi = max(lo, lower), max(hi, lower)
        out.append((float(lo), float(hi)))
    return out
