"""Bootstrap replicates of any statistic, and intervals from them: shared by every estimator.

:func:`bootstrap_replicates` runs a "statistic of a resample" (a callable that draws its own
resample from the generator it is given and returns a vector) ``n_boot`` times, each replicate with
its own child seed, through joblib (:func:`pidkit.parallel.map_chunks`);
:func:`bootstrap_intervals` turns the replicates into intervals around an estimate. The discrete
estimator (:class:`pidkit.estimate.PIDStatistic`) and the Gaussian one
(:func:`pidkit.gaussian_pid_from_samples`) pass their own statistics. joblib and tqdm are imported
only when replicates run, so ``import pidkit`` stays light. Long bootstraps show a progress bar
where a person watches (``progress``). A replicate refused for its size by measure='gh' or 'prec'
says which replicate it was (:class:`~pidkit.redundancy.vertex_limit.TooManyVertices`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pidkit._progress import check_progress, progress_bar
from pidkit._settings import check_confidence, check_int, check_n_jobs, check_option, check_seed
from pidkit._type_names import type_with_article
from pidkit.parallel import map_chunks
from pidkit.redundancy.vertex_limit import TooManyVertices

__all__ = [
    "ATOMS",
    "CI_METHODS",
    "DEFAULT_CI_METHOD",
    "INFORMATIONS",
    "QUANTITIES",
    "bootstrap_intervals",
    "bootstrap_replicates",
    "replicate_columns",
    "resolve_ci_method",
]

CI_METHODS = ("centred", "basic", "percentile")
"""Interval methods of :func:`bootstrap_intervals` (the default first)."""
DEFAULT_CI_METHOD = "centred"
"""The interval of a bias-corrected estimate (``ci_method="auto"``; ``"basic"`` for a plug-in one).
Chosen by measured coverage: ``python -m benchmarks.estimate_bias --coverage 40 --draws 20``."""
ATOMS = ("red", "uni_t", "uni_s", "syn")
"""The four atoms of a PID: redundancy, the unique informations of T and of S, synergy."""
INFORMATIONS = ("i_yt", "i_ys", "i_yts")
"""The three mutual informations a PID splits: I(Y;T), I(Y;S) and I(Y;T,S)."""
QUANTITIES = (*ATOMS, *INFORMATIONS)
"""The seven numbers of a PID, in the order every PID bootstrap statistic returns them."""
_CHUNK = 8
"""Replicates per joblib task: fixed, so that the numbers do not depend on n_jobs or the backend."""
_BOOT_STREAM = 0xB0075


_RETURNS = "it must return its numbers as a vector (NaN for those it could not compute)"
"""What the refusals of a statistic's return value ask of it."""


def _replicate_values(value: Any, replicate: int) -> np.ndarray:
    """What the statistic returned for ``replicate``, as a flat float vector; a TypeError naming the
    statistic where it is no vector of numbers (``None``: a ``return`` left out), so that it gives
    neither replicates of NaN nor numpy's words about a float conversion."""
    if value is None:
        raise TypeError(
            f"statistic returned None for bootstrap replicate {replicate}; {_RETURNS}. Does it "
            "end without a return statement?"
        )
    try:
        values = np.asarray(value, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(
            f"statistic returned {type_with_article(value)} for bootstrap replicate "
            f"{replicate} ({value!r:.60}); {_RETURNS}."
        ) from None
    if values.size == 0:
        raise ValueError(f"statistic returned no numbers for bootstrap replicate {replicate}; {_RETURNS}.")
    return values


def _check_widths(widths: Sequence[tuple[int, int]]) -> None:
    """``(replicate, how many numbers it gave)`` for every replicate: all one width, else a
    ValueError naming the first that differs (numpy would say "inhomogeneous shape")."""
    first, k = widths[0]
    for replicate, width in widths:
        if width != k:
            raise ValueError(
                f"statistic returned {k} number(s) for bootstrap replicate {first} but {width} for "
                f"replicate {replicate}; it must return the same quantities, in the same order, "
                "every time (NaN for those it could not compute)."
            )


def _run_chunk(
    seeds: list[np.random.SeedSequence], statistic: Callable[[np.random.Generator], Any]
) -> np.ndarray:
    rows = []
    for seq in seeds:
        replicate = seq.spawn_key[-1]
        try:
            rows.append(_replicate_values(statistic(np.random.default_rng(seq)), replicate))
        except TooManyVertices as exc:  # a resample's polytope can be larger: say which one it was
            exc.on_resample(f"bootstrap replicate {replicate}")
            raise
    _check_widths([(seq.spawn_key[-1], row.size) for seq, row in zip(seeds, rows, strict=True)])
    return np.array(rows)


def bootstrap_replicates(
    statistic: Callable[[np.random.Generator], Any],
    n_boot: int,
    *,
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    n_jobs: int | None = None,
    progress: bool | None = None,
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
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Root seed; replicate ``i`` gets the ``i``-th child of it, so the numbers do not depend on
        ``n_jobs``, the backend or the chunking.
    n_jobs : int or None, default=None
        joblib workers (``None``: the active ``joblib.parallel_config``, else 1).
    progress : bool or None, default=None
        A progress bar of the replicates on stderr (removed when done). ``None``: where a person
        watches (a terminal or a Jupyter notebook, :func:`pidkit._progress.watched`), once the
        replicates have taken more than a second.

    Returns
    -------
    numpy.ndarray of shape (n_boot, k)

    Raises
    ------
    ValueError
        A :class:`~pidkit.redundancy.vertex_limit.TooManyVertices` where a replicate's solve with
        measure='gh' or 'prec' is refused for its size: its message names the replicate. Also
        where ``statistic`` returns no numbers, or different numbers of them for two replicates.
    TypeError
        Where ``statistic`` returns something other than numbers (``None``: a missing ``return``).

    Examples
    --------
    >>> from pidkit.estimate import bootstrap_replicates
    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> reps = bootstrap_replicates(lambda rng: [rng.choice(x, x.size).mean()], 200)
    >>> reps.shape, bool(3.5 < reps.mean() < 5.5)
    ((200, 1), True)
    """
    n_boot = check_int(n_boot, "n_boot", minimum=1)
    check_n_jobs(n_jobs)
    if not callable(statistic):
        raise TypeError(
            "statistic must be a callable taking a numpy.random.Generator and returning a vector "
            f"(e.g. pidkit.estimate.PIDStatistic(counts)); got {type(statistic).__name__}."
        )
    seed = check_seed(random_state)
    check_progress(progress)
    seeds = np.random.SeedSequence([seed, _BOOT_STREAM]).spawn(n_boot)
    chunks = [seeds[i : i + _CHUNK] for i in range(0, n_boot, _CHUNK)]
    with progress_bar(progress, total=n_boot, desc="bootstrap", unit="replicate", leave=False) as bar:
        parts = map_chunks(_run_chunk, chunks, n_jobs, statistic, bar=bar)
    _check_widths([(c[0].spawn_key[-1], p.shape[1]) for p, c in zip(parts, chunks, strict=True)])
    return np.concatenate(parts, axis=0)


def replicate_columns(replicates: Any) -> dict[str, np.ndarray]:
    """The replicates of a PID statistic, one row per replicate and one column per quantity in the
    order of :data:`QUANTITIES` (:func:`bootstrap_replicates`), as each quantity's column.

    Examples
    --------
    >>> from pidkit.resampling import QUANTITIES, replicate_columns
    >>> columns = replicate_columns([[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 1.0],
    ...                              [0.2, 0.1, 0.3, 0.4, 0.5, 0.7, 1.0]])
    >>> columns["red"].tolist(), columns["i_ys"].tolist(), list(columns) == list(QUANTITIES)
    ([0.1, 0.2], [0.6, 0.7], True)
    """
    try:
        table = np.asarray(replicates, dtype=np.float64)
    except (TypeError, ValueError):
        got = type(replicates).__name__
        raise TypeError(f"replicates must be a 2-D array of numbers; got {got}.") from None
    if table.ndim != 2 or table.shape[1] != len(QUANTITIES):
        raise ValueError(
            f"replicates must be of shape (n_boot, {len(QUANTITIES)}), one column for each of "
            f"{', '.join(QUANTITIES)}; got shape {table.shape}."
        )
    return {name: table[:, i] for i, name in enumerate(QUANTITIES)}


def resolve_ci_method(ci_method: Any, corrected: bool) -> str:
    """The interval method ``ci_method`` names; ``"auto"``: by whether the estimate is corrected.

    ``"centred"`` takes the estimate to be unbiased and uses the replicates for the spread only: the
    right model for a bias-corrected estimate, but a plug-in one is biased, and ``"basic"`` (which
    moves the interval by the bias the bootstrap world shows) covers better there. Measured
    coverage of each is in ``docs/estimate.md``.

    Examples
    --------
    >>> from pidkit.resampling import resolve_ci_method
    >>> resolve_ci_method("auto", corrected=True), resolve_ci_method("auto", corrected=False)
    ('centred', 'basic')
    >>> resolve_ci_method("percentile", corrected=True)
    'percentile'
    """
    check_option(ci_method, "ci_method", ("auto", *CI_METHODS))
    if ci_method == "auto":
        return DEFAULT_CI_METHOD if corrected else "basic"
    return ci_method


def _one_per_column(values: Any, name: str, k: int) -> list[float]:
    """``values`` as ``k`` floats, one per column of the replicates, else a ValueError naming it."""
    expected = f"{name} must hold one number per column of replicates, shape ({k},)"
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{expected}; got {values!r}.") from None
    if arr.shape != (k,):
        raise ValueError(f"{expected}; got shape {arr.shape}.")
    return arr.tolist()


def bootstrap_intervals(
    replicates: np.ndarray,
    estimate: Sequence[float] | np.ndarray,
    reference: Sequence[float] | np.ndarray | None = None,
    *,
    confidence: float = 0.95,
    method: str = DEFAULT_CI_METHOD,
    lower: float | None = None,
    alternative: Sequence[float] | np.ndarray | None = None,
) -> list[tuple[float, float]]:
    """Bootstrap intervals of each column around ``estimate`` (and ``alternative``).

    The deviations ``d`` of the replicates from a centre stand in for the estimator's error
    ``estimate - truth``; with ``q_lo``, ``q_hi`` their ``(1 -/+ confidence) / 2`` quantiles:

    * ``"centred"``: ``d = replicate - mean(replicates)``, interval ``[estimate - q_hi, estimate -
      q_lo]``. The bootstrap supplies the spread and skew of the error, not its location: the
      estimate is taken to be unbiased, as a bias-corrected estimate is meant to be, so the
      interval always holds it: ``q_lo`` is at most 0 and ``q_hi`` at least 0. (Replicates piled at
      a bound with a few above it, e.g. a Uni at 0 in 196 of 200 resamples, have both quantiles
      below their mean, and ``[estimate - q_hi, estimate - q_lo]`` would then lie above the
      estimate: a Uni of 0 reported with an interval that leaves 0 out);
    * ``"basic"``: ``d = replicate - reference``, interval ``[estimate - q_hi, estimate - q_lo]``,
      where ``reference`` is the statistic's value on the observed sample (the functional at the
      empirical distribution, the "truth" of the bootstrap world). The interval then also moves
      by the estimator's bias in the bootstrap world;
    * ``"percentile"``: ``d = replicate - reference``, interval ``[estimate + q_lo, estimate +
      q_hi]``.

    For a plug-in estimator (``estimate == reference``) ``"basic"`` and ``"percentile"`` are the
    textbook basic interval ``[2 x - q_hi*, 2 x - q_lo*]`` and percentile interval ``[q_lo*,
    q_hi*]`` of the replicates ``x*``, and ``"centred"`` is the basic interval around ``x`` of the
    replicates shifted to mean ``x`` (no bootstrap bias correction).

    Replicates without spread (all one value: too few of them, or a quantity pinned at a bound in
    every resample, such as a Uni at 0) give ``q_lo = q_hi = 0``, so a ``"centred"`` interval of
    no width, ``[estimate, estimate]``: it says that the resamples never moved, not that the
    estimate is certain. The ``repr`` of a :class:`~pidkit.estimate.RepresentationPID` says so in
    a note.

    Parameters
    ----------
    replicates : numpy.ndarray of shape (n_boot, k)
        NaN entries (failed replicates) are left out, column by column.
    estimate : sequence of float, length k
    reference : sequence of float, length k, optional
        Needed by ``"basic"`` and ``"percentile"``.
    confidence : float, default=0.95
    method : {"centred", "basic", "percentile"}, default="centred"
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

    Raises
    ------
    ValueError
        For an unknown ``method``, ``"basic"`` or ``"percentile"`` without ``reference``, or
        ``replicates`` that are not 2-D or ``estimate``, ``reference`` or ``alternative`` that do
        not hold one number per column of them.
    TypeError
        For ``replicates``, ``estimate``, ``reference`` or ``alternative`` that are not numbers.

    Examples
    --------
    >>> from pidkit.estimate import bootstrap_intervals
    >>> import numpy as np
    >>> reps = np.array([[0.9], [1.0], [1.1], [1.2], [1.3]])
    >>> [(lo, hi)] = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method="percentile")
    >>> round(lo, 6), round(hi, 6)
    (0.9, 1.1)
    >>> [(lo, hi)] = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method="basic")
    >>> round(lo, 6), round(hi, 6)
    (0.9, 1.1)
    >>> [(lo, hi)] = bootstrap_intervals(reps, [1.0], confidence=0.5)   # "centred"
    >>> round(lo, 6), round(hi, 6)              # the replicates' spread, around 1.0
    (0.9, 1.1)
    >>> [(lo, hi)] = bootstrap_intervals(reps, [1.0], [1.1], confidence=0.5, method="basic",
    ...                                  alternative=[0.8])
    >>> round(lo, 6), hi
    (0.7, 1.1)
    """
    confidence = check_confidence(confidence)
    check_option(method, "method", CI_METHODS)
    try:
        replicates = np.asarray(replicates, dtype=np.float64)
    except (TypeError, ValueError):
        got = type(replicates).__name__
        raise TypeError(f"replicates must be a 2-D array of numbers; got {got}.") from None
    if replicates.ndim != 2:
        raise ValueError(
            f"replicates must be a 2-D array of shape (n_boot, k), one column per quantity; got shape "
            f"{replicates.shape}. For one quantity pass replicates.reshape(-1, 1)."
        )
    k = replicates.shape[1]
    estimate = _one_per_column(estimate, "estimate", k)
    if method != "centred" and reference is None:
        raise ValueError(
            f"method={method!r} needs reference, the statistic's value on the observed sample; "
            "pass it, or use method='centred'."
        )
    references = [math.nan] * k if reference is None else _one_per_column(reference, "reference", k)
    if alternative is not None:
        alternative = _one_per_column(alternative, "alternative", k)
    alpha = (1.0 - confidence) / 2.0
    others = estimate if alternative is None else alternative
    out = []
    for j, (est, ref, other) in enumerate(zip(estimate, references, others, strict=True)):
        col = replicates[:, j]
        col = col[~np.isnan(col)]
        if col.size == 0 or not math.isfinite(est):
            out.append((math.nan, math.nan))
            continue
        centre = col.mean() if method == "centred" else ref
        q_lo, q_hi = np.quantile(col - centre, [alpha, 1.0 - alpha])
        if method == "centred":  # the estimate is taken to be unbiased: its interval holds it
            q_lo, q_hi = min(q_lo, 0.0), max(q_hi, 0.0)
        ends = (min(est, other), max(est, other))
        if method == "percentile":
            lo, hi = ends[0] + q_lo, ends[1] + q_hi
        else:
            lo, hi = ends[0] - q_hi, ends[1] - q_lo
        if lower is not None:
            lo, hi = max(lo, lower), max(hi, lower)
        out.append((float(lo), float(hi)))
    return out
