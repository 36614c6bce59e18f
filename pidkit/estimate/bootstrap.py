"""Bootstrap of the PID of discrete samples: the statistic of a resample, and plug-in intervals.

:class:`PIDStatistic` is the statistic of this package: a resample of a joint's samples (drawn by
position where the samples' cells are known, else as a multinomial of the counts), decomposed and
bias-corrected exactly as the full sample was. Replicates and intervals come from
the estimator-independent machinery of :mod:`pidkit.resampling`.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np

from pidkit._errors import SolverError
from pidkit._names import check_choice
from pidkit._progress import check_progress
from pidkit._settings import (
    check_confidence,
    check_n_jobs,
    check_partition_repeats,
    check_replicates,
    check_seed,
)
from pidkit._units import check_units
from pidkit.redundancy import MEASURES
from pidkit.redundancy.vertex_limit import TooManyVertices
from pidkit.resampling import bootstrap_intervals, bootstrap_replicates, replicate_columns, resolve_ci_method
from pidkit.samples import SampleCells, encoded_samples

from .._arrays import check_same_index
from .._labels import axis_labels
from .bias_warning import PluginBiasWarning, bias_warning_text, plugin_bias, unique_kink_bias
from .correction import (
    DEFAULT_SUBSAMPLES,
    QUANTITIES,
    check_bias_correction,
    check_subsamples,
    correct_counts,
)
from .inputs import check_counts, check_labels, check_sample_cells

__all__ = ["PIDStatistic", "bootstrap"]

_Parameters = ParamSpec("_Parameters")

_INTERVAL_WORDS = {
    "basic": "These basic intervals, 2 x the estimate less the replicates' quantiles, are moved down "
             "from the plug-in by the part of its bias the resamples show, so they can leave out both "
             "the estimate and the truth.",
    "percentile": "These percentile intervals, the replicates' own quantiles, add the part of the bias "
                  "the resamples show on top of the plug-in's, so they can leave out both the estimate "
                  "and the truth.",
    "centred": "These centred intervals are around the plug-in and do not cover its bias.",
}
"""What :func:`bootstrap`'s intervals are, by ``ci_method``, in its :class:`PluginBiasWarning`: why
they can leave out the estimate (the replicates are plug-ins of resamples, biased further up) and
the truth (the resamples show only part of the plug-in's bias where the table is sparse)."""


class PIDStatistic:
    """The statistic of a bootstrap of a PID from counts: resample, decompose, correct.

    ``PIDStatistic(counts, ...)(rng)`` resamples the n samples of ``counts`` with replacement,
    runs :func:`pidkit.estimate.correct_counts` on the resample with the given settings and returns
    the corrected ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts`` (NaN if a solve was not certified).
    With ``sample_cells`` the resample is n positions of the samples drawn at random, counted and
    corrected in the order drawn, so that relabelling any variable (which permutes the table's
    axes) gives the same replicates, to the solver's rounding. Without it the resample is a
    multinomial draw of the cell counts (the same distribution), which depends on the order of
    the cells: renaming labels then changes the replicates at a fixed seed.

    Parameters
    ----------
    counts : numpy.ndarray of int, shape (n_y, n_t, n_s)
        Sample counts of the full sample.
    method, measure, units, subsamples, n_repeats, sample_cells
        As in :func:`pidkit.estimate.correct_counts` (here ``method="none"`` and
        ``n_repeats=1`` by default); checked here, so that a bad one is refused before any
        replicate runs, not by the first replicate in a worker.

    Examples
    --------
    :func:`bootstrap` and :func:`pidkit.estimate.pid_from_representations` build one; with
    :func:`pidkit.resampling.bootstrap_replicates` it gives replicates of your own. Y = T xor S
    for two fair coins, 400 samples (Syn = 1 bit):

    >>> import numpy as np
    >>> from pidkit import joint_from_samples
    >>> from pidkit.estimate import PIDStatistic
    >>> from pidkit.resampling import bootstrap_replicates
    >>> rng = np.random.default_rng(0)
    >>> t, s = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    >>> statistic = PIDStatistic(joint_from_samples(t ^ s, t, s).counts)
    >>> statistic(np.random.default_rng(1)).round(3)     # red, uni_t, uni_s, syn, i_yt, i_ys, i_yts
    array([0.   , 0.   , 0.003, 0.994, 0.   , 0.004, 0.997])
    >>> reps = bootstrap_replicates(statistic, 50)
    >>> reps.shape, round(float(reps[:, 3].min()), 3), round(float(reps[:, 3].max()), 3)
    ((50, 7), 0.957, 0.999)
    """

    def __init__(
        self,
        counts: np.ndarray,
        *,
        method: str = "none",
        measure: str = "broja",
        units: str = "bits",
        subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
        n_repeats: int = 1,
        sample_cells: Any = None,
    ) -> None:
        self.counts = check_counts(counts, "counts", "(n_y, n_t, n_s)")
        self.cells = None if sample_cells is None else check_sample_cells(sample_cells, self.counts)
        self.method = check_bias_correction(method, name="method")
        self.measure = check_choice(measure, MEASURES, name="measure")
        self.units = check_units(units)
        self.subsamples = check_subsamples(subsamples)
        self.n_repeats = check_partition_repeats(n_repeats)

    def __call__(self, rng: np.random.Generator) -> np.ndarray:
        """Corrected quantities of one resample (NaN where a solve failed).

        Parameters
        ----------
        rng : numpy.random.Generator
            Draws the resample and seeds its correction's partitions.

        Returns
        -------
        numpy.ndarray of shape (7,)
            ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts`` of the resample, in ``units``; all NaN
            when a solve was not certified.
        """
        n = int(self.counts.sum())
        drawn_cells = None
        draw: np.ndarray
        if self.cells is None:
            draw = rng.multinomial(n, self.counts.ravel() / n).reshape(self.counts.shape)
        else:  # the resample's table is counted from its cells, once
            drawn_cells = SampleCells(self.cells[rng.integers(n, size=n)], self.counts.shape)
            draw = drawn_cells.counts
        try:
            fix = correct_counts(
                draw,
                method=self.method,
                measure=self.measure,
                units=self.units,
                subsamples=self.subsamples,
                n_repeats=self.n_repeats,
                random_state=int(rng.integers(2**32)),
                n_jobs=1,
                sample_cells=drawn_cells,
                progress=False,  # the replicates have their own bar
            )
        except SolverError:
            return np.full(len(QUANTITIES), np.nan)
        return np.array([fix.corrected[name] for name in QUANTITIES])


def _count_named_n_boot(
    function: Callable[_Parameters, dict[str, Any]],
) -> Callable[_Parameters, dict[str, Any]]:
    """:func:`bootstrap`, refusing its count passed as ``bootstrap=B``, the estimators' spelling,
    with its own name: Python's refusal ("got an unexpected keyword argument 'bootstrap'") names
    neither."""

    @functools.wraps(function)
    def refusing(*args: _Parameters.args, **kwargs: _Parameters.kwargs) -> dict[str, Any]:
        if "bootstrap" in kwargs:
            raise TypeError(
                f"bootstrap takes its number of resamples as n_boot, as bootstrap_replicates does: "
                f"pass n_boot={kwargs['bootstrap']!r}, not bootstrap={kwargs['bootstrap']!r}. "
                "bootstrap=B is how pid_from_representations and gaussian_pid_from_samples, whose "
                "intervals are off by default, turn them on."
            )
        return function(*args, **kwargs)

    return refusing


@_count_named_n_boot
def bootstrap(
    y: Any,
    t: Any,
    s: Any,
    *,
    n_boot: int = 1000,
    measure: str = "broja",
    confidence: float = 0.95,
    ci_method: str = "basic",
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    n_jobs: int | None = None,
    units: str = "bits",
    progress: bool | None = None,
) -> dict[str, Any]:
    """Bootstrap intervals of the plug-in PID atoms of discrete samples ``(y, t, s)``.

    Rows are resampled with replacement ``n_boot`` times (drawn as positions of the samples, so
    that relabelling any variable gives the same intervals, to the solver's rounding) and every
    replicate is decomposed, uncorrected. The estimate is the plug-in; the default basic interval,
    ``2 x estimate`` less the replicates' quantiles, is moved from it by the bias the resamples add
    to the plug-in (the bootstrap's estimate of its bias), so it is roughly a bootstrap
    bias-corrected interval beside a plug-in that is not corrected, and can leave that estimate
    out (:func:`bootstrap_intervals`). For bias-corrected estimates with centred intervals around
    them, use :func:`pidkit.estimate.pid_from_representations` (labels are accepted there as they
    are) with ``bootstrap=B``. Where the plug-in's expected bias is a sizeable share of it (a sparse
    table: many cells for the samples), the resamples show only part of that bias, and the
    intervals can leave out both the estimate and the truth on every draw, so this warns.

    Parameters
    ----------
    y, t, s : array_like of shape (n_samples,)
        Discrete labels (e.g. cluster ids), one per sample, paired by position (pandas Series
        among them must share one index).
    n_boot : int, default=1000
        The number of resamples, as :func:`pidkit.resampling.bootstrap_replicates` names it (the
        estimators' ``bootstrap=B`` is refused here, naming ``n_boot``).
    measure : str, default="broja"
    confidence : float, default=0.95
    ci_method : {"basic", "centred", "percentile", "auto"}, default="basic"
        See :func:`bootstrap_intervals`. ``"auto"`` (the default of the other estimators) is
        ``"basic"`` here, the interval of a plug-in estimate.
    random_state : int, numpy.random.Generator, RandomState or None, default=0
    n_jobs : int or None, default=None
        joblib workers; the numbers do not depend on it.
    units : {"bits", "nats"}, default="bits"
    progress : bool or None, default=None
        A progress bar of the replicates on stderr (removed when done). ``None``: where a person
        watches (a terminal or a Jupyter notebook), once they have taken more than a second; see
        :func:`pidkit.resampling.bootstrap_replicates`.

    Returns
    -------
    dict
        ``"estimate"``: the PIDResult of the full sample; ``"intervals"``: quantity -> (low, high)
        for ``red, uni_t, uni_s, syn, i_yt, i_ys, i_yts``; ``"samples"``: quantity -> replicates
        (NaN where a solve failed); ``"n_failed"``; ``"random_state"``; ``"confidence"``;
        ``"ci_method"``.

    Warns
    -----
    PluginBiasWarning
        When the expected first-order plug-in bias of I(Y;T,S) is more than 10 % of its plug-in
        estimate and more than 5e-4 bits, or else when both plug-in unique informations are near
        enough 0 to be at a kink, where each is expected to be biased by more than 5e-4 bits (the
        rules and words of :func:`pidkit.estimate.pid_from_representations` with
        ``bias_correction="none"``, :data:`~pidkit.estimate.bias_warning.BIAS_WARNING_FLOOR`,
        :func:`~pidkit.estimate.bias_warning.unique_kink_bias`). Its last sentences say what the
        ``ci_method``'s intervals are, and why they can leave out both the estimate and the truth
        (basic: moved from the plug-in by the part of its bias the resamples show; percentile:
        that part added on top of it; centred: around it), and name the corrected route,
        ``pid_from_representations(y, t, s, bootstrap=B)``.

    Examples
    --------
    >>> from pidkit.estimate import bootstrap
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t = rng.integers(0, 2, 500)
    >>> s = rng.integers(0, 2, 500)
    >>> out = bootstrap(t ^ s, t, s, n_boot=20)   # PluginBiasWarning: both Uni at a kink (below)
    >>> lo, hi = out["intervals"]["syn"]
    >>> bool(0.95 < lo <= 1.0 <= hi)
    True

    Both unique informations of XOR are 0, a kink of the BROJA optimum, so the plug-in's are biased
    like n**-1/2: its Uni(Y:S\\T) of 0.0056 bits is all bias, and the warning names it
    (:func:`~pidkit.estimate.bias_warning.unique_kink_bias`):

    >>> round(out["estimate"].uni_s, 4)
    0.0056

    Independent labels of 10 values each, 1,000 samples over 1,000 cells: every atom is 0, but the
    plug-in's bias is most of its estimate, and the intervals exclude both 0 and the plug-in Syn of
    0.652 bits:

    >>> import warnings
    >>> from pidkit.estimate import PluginBiasWarning
    >>> y, t, s = np.random.default_rng(0).integers(0, 10, (3, 1000))
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always", PluginBiasWarning)
    ...     out = bootstrap(y, t, s, n_boot=20)
    >>> round(out["estimate"].syn, 3), [round(float(end), 2) for end in out["intervals"]["syn"]]
    (0.652, [0.26, 0.36])
    >>> print(caught[0].message)
    the expected plug-in bias of I(Y;T,S) with 1000 samples over 1000 cells is 0.681 bits, 92% of \
the estimate 0.742 bits, so the atoms are likely overestimated. These basic intervals, 2 x the \
estimate less the replicates' quantiles, are moved down from the plug-in by the part of its bias \
the resamples show, so they can leave out both the estimate and the truth. For bias-corrected \
atoms with centred intervals around them, use pidkit.estimate.pid_from_representations(y, t, s, \
bootstrap=20), which takes labels as they are; or count more samples.
    """
    from pidkit import pid
    from pidkit._units import check_units

    check_units(units)
    n_boot = check_replicates(n_boot, "n_boot", zero_allowed=False)
    confidence = check_confidence(confidence)
    ci_method = resolve_ci_method(ci_method, corrected=False)
    check_n_jobs(n_jobs)
    seed = check_seed(random_state)
    check_progress(progress)
    y_axis = axis_labels(y, check_labels(y))  # a categorical keeps its order
    t, s = (list(v) if hasattr(v, "__next__") else v for v in (t, s))  # read twice: encoding and index check
    joint, sample_cells = encoded_samples(y_axis, t, s)
    check_same_index({"y": y, "t": t, "s": s})
    try:  # the full sample, then its replicates (a resample's polytope can be larger)
        result = pid(joint.p, measure=measure, units=units)
        bias = {**plugin_bias(joint.counts, units),
                "uni_at_kink": unique_kink_bias(joint.counts, result.uni_t, result.uni_s, units)}
        bias_warning = bias_warning_text(
            bias, result.i_yts, joint.n_samples, f"{math.prod(joint.p.shape)} cells", units,
            advice=f"{_INTERVAL_WORDS[ci_method]} For bias-corrected atoms with centred intervals "
                   "around them, use pidkit.estimate."
                   f"pid_from_representations(y, t, s, bootstrap={n_boot}), which takes labels as "
                   "they are; or count more samples.",
            unique=(result.uni_t, result.uni_s),
        )
        if bias_warning:  # before the replicates, which can take minutes
            warnings.warn(bias_warning, PluginBiasWarning, stacklevel=3)  # past _count_named_n_boot
        statistic = PIDStatistic(joint.counts, method="none", measure=measure, units=units,
                                 sample_cells=sample_cells)
        boot = bootstrap_replicates(statistic, n_boot, random_state=seed, n_jobs=n_jobs, progress=progress)
    except TooManyVertices as exc:  # pid's max_vertices is not an option here: say what is
        raise exc.without_the_option("or merge rare values of t and s") from None
    estimate = [getattr(result, name) for name in QUANTITIES]
    intervals = bootstrap_intervals(
        boot, estimate, estimate, confidence=confidence, method=ci_method, lower=0.0
    )
    return {
        "estimate": result,
        "intervals": dict(zip(QUANTITIES, intervals, strict=True)),
        "samples": replicate_columns(boot),
        "n_failed": int(np.isnan(boot[:, 0]).sum()),
        "random_state": seed,
        "confidence": float(confidence),
        "ci_method": ci_method,
    }
