"""Bias-corrected PID atoms from the counts of a joint ``p[y, t, s]``.

The four atoms are linear in four informations (THEORY.md §1, for every redundancy measure):

    Red = I(Y;T) + I(Y;S) - I*,   Uni(Y:T\\S) = I* - I(Y;S),
    Uni(Y:S\\T) = I* - I(Y;T),     Syn = I(Y;T,S) - I*,

with I* = I(Y;T) + I(Y;S) - Red the "union information" (for BROJA, the smallest I_Q(Y;T,S) over
the joints Q that keep p's pairwise marginals p(y,t) and p(y,s)). So correcting the four
informations and recombining them gives atoms that satisfy the PID identities with the corrected
informations by construction. The methods differ in how the informations are corrected:

``"none"``
    The plug-in estimate: the PID of the observed frequencies.
``"extrapolation"``
    Strong et al. (1998) quadratic extrapolation in 1/n of all four informations: the sample is cut
    at random into 2 halves and 4 quarters (``subsamples=(2, 4)``), ``n_repeats`` times; the mean
    plug-in value at each size m is fitted by ``a + b/m + c/m**2`` and ``a`` is the estimate.
``"eb-extrapolation"``
    I(Y;T), I(Y;S) and I* by that extrapolation (their tables p(y,t), p(y,s) hold a few samples per
    cell, where it works), and I(Y;T,S) = I(Y;T) + I(Y;S) + (Syn - Red) with the interaction
    information Syn - Red = H(Y|T) + H(Y|S) - H(Y|T,S) - H(Y) from the empirical-Bayes entropies
    of :mod:`pidkit.estimate.dirichlet`, which pool the many sparse rows p(y|t,s) (extrapolation
    alone leaves most of the synergy's bias in place at a few samples per cell). One family for
    all four entropies: their biases partly cancel, and a source with one value adds exactly 0.
``"eb-extrapolation-kink"`` (the default)
    ``"eb-extrapolation"``, then the kink pretest (:func:`~pidkit.estimate.kink.kink_pretest_shift`):
    where the smaller unique information is within ``KINK_PRETEST`` (1.5) times U's correction of
    0, both Uni go halfway to 0, Red and Syn up as much (``BiasCorrection.kink_pretest_shift``).

Where the sample's counts show one side determining the other (each observed value of T with one
value of S, or the other way round: S a coarsening or a copy of T), on values each seen at least
:data:`DETERMINING_MIN_COUNT` times (a rarer value has one partner by chance), the plug-in
I(Y;T,S) of the sample and of every subsample is that side's I(Y;T) or I(Y;S) exactly, and both
correcting methods take the corrected I(Y;T,S) to be that side's corrected information
(:func:`determining_side`). For the measures of :data:`DEPENDENT_SIDE_HAS_NO_UNIQUE` I* is that
information too, so Syn and the dependent side's Uni are exactly 0, as in the plug-in (the
empirical-Bayes interaction information is -I(Y;S) there by one estimator and i_ys by another: a
student identical to its teacher got Syn = -0.0225 bits, and I(Y;T,S) fell below I(Y;T)).

Measured on ten-label, 10 x 10 x 10 joints (``python -m benchmarks.estimate_bias``,
``docs/estimate.md``), the default removes most of the plug-in's bias at n = 450 and 2000 but
where both unique informations are 0 with p(y|t) = p(y|s): that kink of the BROJA optimum biases
I* like n**-1/2, which the extrapolation halves (:func:`kink_fraction`, :attr:`BiasCorrection.kink`);
the pretest of the default removes part of the rest.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
from scipy.special import entr

from pidkit._errors import SolverError
from pidkit._keyword_hints import hints_unknown_keywords
from pidkit._progress import check_progress, progress_bar
from pidkit._result import PIDResult
from pidkit._settings import check_int, check_n_jobs, check_option, check_partition_repeats, check_seed
from pidkit._units import from_nats
from pidkit.below_zero import below_zero, rounding_level
from pidkit.parallel import map_chunks
from pidkit.redundancy.vertex_limit import VERTEX_MEASURES, TooManyVertices
from pidkit.resampling import QUANTITIES

from .correction_result import BiasCorrection
from .determined_side import (
    DEPENDENT_SIDE_HAS_NO_UNIQUE,
    DETERMINING_MIN_COUNT,
    determined_zeros,
    determining_side,
)
from .dirichlet import eb_interaction_information
from .extrapolation import extrapolate, rounding_amplification
from .inputs import check_counts, check_sample_cells
from .kink import kink_pretest_shift, kink_shift, unique_lowered

__all__ = [
    "BIAS_CORRECTIONS",
    "DEFAULT_BIAS_CORRECTION",
    "DEFAULT_REPEATS",
    "DEFAULT_SUBSAMPLES",
    "DEPENDENT_SIDE_HAS_NO_UNIQUE",
    "DETERMINING_MIN_COUNT",
    "QUANTITIES",
    "BiasCorrection",
    "atoms_from_informations",
    "check_bias_correction",
    "check_sample_size",
    "check_subsamples",
    "correct_counts",
    "determined_zeros",
    "determining_side",
    "plugin_quantities",
    "solve_tables",
    "subsample_tables",
]

BIAS_CORRECTIONS = ("none", "extrapolation", "eb-extrapolation", "eb-extrapolation-kink")
"""The accepted values of ``bias_correction``."""
DEFAULT_BIAS_CORRECTION = "eb-extrapolation-kink"
DEFAULT_SUBSAMPLES = (2, 4)
"""Strong et al.'s design: halves and quarters of the sample."""
DEFAULT_REPEATS = 8
"""Random partitions of the sample per subsample size."""
_INFORMATIONS = ("i_yt", "i_ys", "i_yts", "i_star")
"""The informations the extrapolation fits, in the order of :func:`solve_tables`' columns."""
_CHUNK = 16
"""Subsample tables solved per task (one for a vertex measure, whose tables are solved one by one
anyway): fixed, so that the numbers do not depend on n_jobs."""
_MERGE_AXES = "or merge rare teacher and student values (axes 1 and 2 of counts)"
"""What a caller of :func:`correct_counts` can change for a joint too large for gh or prec."""


def check_bias_correction(method: Any, *, name: str = "bias_correction") -> str:
    """Return ``method`` if it is one of :data:`BIAS_CORRECTIONS`, else raise a ValueError naming
    the caller's argument ``name``.

    Examples
    --------
    >>> check_bias_correction("jacknife")
    Traceback (most recent call last):
    ...
    ValueError: bias_correction must be one of ['none', 'extrapolation', ...]; got 'jacknife'.
    >>> check_bias_correction("EB-Extrapolation", name="method")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of [...]; got 'EB-Extrapolation'. Did you mean 'eb-extrapolation'? ...
    >>> check_bias_correction("auto", name="method")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of [...]; got 'auto', a bias_correction of \
pidkit.estimate.pid_from_representations, where it means 'eb-extrapolation-kink' for the discrete \
estimator (counts, as here) and 'wishart' for the Gaussian one. Leave method out for \
'eb-extrapolation-kink', the default.
    """
    if isinstance(method, str) and method in _OF_REPRESENTATIONS:
        raise ValueError(f"{name} must be one of {list(BIAS_CORRECTIONS)}; got {method!r}, a bias_correction "
                         f"of pidkit.estimate.pid_from_representations, where {_OF_REPRESENTATIONS[method]}. "
                         f"Leave {name} out for {DEFAULT_BIAS_CORRECTION!r}, the default.")
    return check_option(method, name, BIAS_CORRECTIONS)


_OF_REPRESENTATIONS = {
    "auto": (f"it means {DEFAULT_BIAS_CORRECTION!r} for the discrete estimator (counts, as here) and "
             "'wishart' for the Gaussian one"),
    "wishart": "it corrects the Gaussian estimator (estimator='gaussian'), not counts",
}
"""What the values of ``pid_from_representations``' ``bias_correction`` that counts do not take
mean there."""


def check_subsamples(subsamples: Any) -> tuple[int, ...]:
    """Return ``subsamples`` (numbers of parts to cut the sample into) as a sorted tuple.

    At least two distinct ints >= 2 are needed: with the full sample they give the three points of
    the quadratic fit.
    """
    if isinstance(subsamples, np.ndarray) and subsamples.ndim == 1:
        subsamples = subsamples.tolist()
    if isinstance(subsamples, (str, bytes)) or not isinstance(subsamples, Sequence):
        raise TypeError(
            f"subsamples must be a sequence of ints >= 2 (parts to cut the sample into), e.g. (2, 4); "
            f"got {subsamples!r}."
        )
    parts = tuple(check_int(k, "subsamples entries", minimum=2) for k in subsamples)
    if len(set(parts)) < 2:
        raise ValueError(
            "subsamples must hold at least two distinct ints >= 2 (e.g. (2, 4): halves and "
            f"quarters), so that a quadratic in 1/n can be fitted; got {subsamples!r}."
        )
    return tuple(sorted(set(parts)))


def atoms_from_informations(
    i_yt: np.ndarray | float, i_ys: np.ndarray | float, i_yts: np.ndarray | float, i_star: np.ndarray | float
) -> dict[str, Any]:
    """The seven quantities from I(Y;T), I(Y;S), I(Y;T,S) and the union information I*.

    Each is a number or an array (numpy, pandas, torch) of them, all in the same units; anything
    else (a string, ``None``, a list) is a ``TypeError`` naming it.

    Examples
    --------
    >>> from pidkit.estimate import atoms_from_informations
    >>> atoms = atoms_from_informations(0.3, 0.2, 1.0, 0.4)
    >>> {name: round(float(value), 12) for name, value in atoms.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'red': 0.1, 'uni_t': 0.2, 'uni_s': 0.1, 'syn': 0.6, 'i_yt': 0.3, 'i_ys': 0.2, 'i_yts': 1.0}
    """
    for name, value in (("i_yt", i_yt), ("i_ys", i_ys), ("i_yts", i_yts), ("i_star", i_star)):
        numeric = isinstance(value, numbers.Real) or hasattr(value, "dtype")
        kind = getattr(getattr(value, "dtype", None), "kind", "f")  # a tensor's dtype has no kind
        if isinstance(value, bool) or not numeric or kind not in "iuf":
            raise TypeError(
                f"{name} must be a number or an array of numbers (an information, in bits or nats); "
                f"got {value!r} ({type(value).__name__})."
            )
    return {
        "red": i_yt + i_ys - i_star,
        "uni_t": i_star - i_ys,
        "uni_s": i_star - i_yt,
        "syn": i_yts - i_star,
        "i_yt": i_yt,
        "i_ys": i_ys,
        "i_yts": i_yts,
    }


def _informations(result: Any) -> np.ndarray:
    """(I(Y;T), I(Y;S), I(Y;T,S), I*) of a PIDResult; NaN for an uncertified one."""
    if not result.success:
        return np.full(4, np.nan)
    return np.array([result.i_yt, result.i_ys, result.i_yts, result.i_yt + result.i_ys - result.red])


def plugin_quantities(result: Any) -> dict[str, float]:
    """The seven quantities of a PIDResult as plain floats."""
    return {name: float(getattr(result, name)) for name in QUANTITIES}


def solve_tables(tables: Sequence[np.ndarray], measure: str, units: str) -> np.ndarray:
    """Informations (I(Y;T), I(Y;S), I(Y;T,S), I*) of the joints of count ``tables``; NaN rows failed."""
    from pidkit import bertschinger_batch, pid

    ps = [t / t.sum() for t in tables]
    results: list[PIDResult | None]  # None: a solve that raised SolverError
    if measure == "broja":
        results = list(bertschinger_batch(ps, units=units, strict=False, progress=False))
    else:
        results = []
        for table, p in zip(tables, ps, strict=True):
            try:
                results.append(pid(p, measure=measure, units=units, strict=False))
            except SolverError:
                results.append(None)
            except TooManyVertices as exc:  # a subsample's polytope can be larger than the sample's
                exc.on_resample(f"a bias-correction subsample of {int(table.sum())} samples")
                raise exc.without_the_option(_MERGE_AXES) from None
    return np.array([np.full(4, np.nan) if r is None else _informations(r) for r in results]).reshape(-1, 4)


def subsample_tables(counts: np.ndarray, parts: Sequence[int], n_repeats: int, seed: int,
                     cells: np.ndarray | None = None) -> list[np.ndarray]:
    """Count tables of the random disjoint subsamples the extrapolation averages over.

    Per repeat, one random permutation of the samples' positions is cut, for each entry ``k`` of
    ``parts``, into ``k`` pieces of ``n // k`` samples, and each piece's cells are counted. The
    tables come in that order: repeat by repeat, part by part, piece by piece.

    ``cells`` is the flat index into ``counts.ravel()`` of each sample's cell, in the order the
    samples were given (as ``check_sample_cells`` returns it); the pieces then hold the
    same samples however the labels are named, and relabelling a variable only permutes the axes of
    every table. Without it the samples are taken cell by cell, in the table's order, so that which
    samples share a piece depends on the order of the cells.

    Examples
    --------
    >>> import numpy as np
    >>> tables = subsample_tables(np.array([[[3, 1], [0, 4]]]), (2, 4), 1, seed=0)
    >>> [int(t.sum()) for t in tables]
    [4, 4, 2, 2, 2, 2]
    """
    if cells is None:
        cells = np.repeat(np.arange(counts.size), counts.ravel())
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5B5A]))
    tables = []
    for _ in range(n_repeats):
        order = cells[rng.permutation(cells.size)]
        for k in parts:
            m = cells.size // k
            for j in range(k):
                piece = order[j * m : (j + 1) * m]
                tables.append(np.bincount(piece, minlength=counts.size).reshape(counts.shape))
    return tables


def _bounds(counts: np.ndarray, units: str) -> dict[str, float]:
    """The most each of the seven quantities can be (THEORY.md §1: four atoms >= 0 summing to
    I(Y;T,S)). An information: ``min(H(Y), H(X))`` of the plug-in entropies. An atom: the bound of
    each information it is part of (Syn: I(Y;T,S)'s; Red: I(Y;T)'s, I(Y;S)'s and I(Y;T,S)'s).
    Not the corrected informations themselves: an atom above one holding it (Syn above I(Y;T,S))
    is another atom of it below 0, which ``negative`` lists already; flagged here too, noisy XOR
    at n = 450 would carry both notes in 5 draws of 6."""
    p = counts / counts.sum()

    def entropy(axes: tuple[int, ...]) -> float:
        return from_nats(float(entr(p.sum(axis=axes)).sum()), units)

    h_y = entropy((1, 2))
    of_t, of_s, of_ts = min(h_y, entropy((0, 2))), min(h_y, entropy((0, 1))), min(h_y, entropy((0,)))
    return {"red": min(of_ts, of_t, of_s), "uni_t": min(of_ts, of_t), "uni_s": min(of_ts, of_s),
            "syn": of_ts, "i_yt": of_t, "i_ys": of_s, "i_yts": of_ts}


def check_sample_size(shape: tuple[int, int, int], n: int, *, method: str,
                      subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
                      label_sides: Mapping[int, str] | None = None,
                      reused_sides: Mapping[int, str] | None = None) -> None:
    """Refuse ``n`` samples counted into a joint of ``shape`` that are too few for ``method``.

    A correcting method needs at least as many samples as cells of the larger pairwise table
    (``n_y * max(n_t, n_s)`` for ``shape = (n_y, n_t, n_s)``), in the whole sample and in the
    smallest subsample (``n`` divided by the largest of ``subsamples``); ``"none"`` needs
    nothing. Callers can check a design before any data are drawn (the trainer checks its audit
    this way). ``n_clusters`` does not apply to a side given as labels (``label_sides``,
    ``{1: "t_features"}``: T) or clustered by a fitted Discretizer passed in ``discretizers``
    (``reused_sides``): the fixes merge those labels, or fit that side afresh, instead.

    Raises
    ------
    ValueError
        Naming the table, the counts and what to change; or for an unknown ``method``.
    TypeError
        For a ``shape`` that is not three ints, an ``n`` that is not a whole number.

    Examples
    --------
    >>> from pidkit.estimate import check_sample_size
    >>> check_sample_size((10, 6, 6), 450, method="eb-extrapolation")  # 450 // 4 >= 60 cells
    >>> check_sample_size((10, 6, 6), 200, method="eb-extrapolation")
    Traceback (most recent call last):
    ...
    ValueError: subsamples=(2, 4) cuts the 200 samples into pieces of 50, fewer than the 60 cells ...
    >>> check_sample_size((2, 2000, 2), 2000, method="eb-extrapolation", label_sides={1: "t"})
    Traceback (most recent call last):
    ...
    ValueError: ... Use t's 2000 distinct labels merged into at most 250 (t is given as labels, so ...
    """
    method = check_bias_correction(method, name="method")
    parts = check_subsamples(subsamples)
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (Sequence, np.ndarray)) or len(shape) != 3:
        raise TypeError(f"shape must be the joint's (n_y, n_t, n_s), three ints >= 1; got {shape!r}.")
    ny, nt, ns = (check_int(size, "shape entries", minimum=1) for size in shape)
    if isinstance(n, (float, np.floating)) and float(n).is_integer():
        n = int(n)  # the sum of float counts holding whole numbers (np.histogramdd's)
    n = check_int(n, "n", minimum=0)
    fixed: dict[int, tuple[str, str]] = {}
    for arg, sides, kind in (("label_sides", label_sides, "given as labels"),
                             ("reused_sides", reused_sides, "reused from discretizers")):
        names = sides.values() if isinstance(sides, Mapping) else ()
        if not isinstance(sides, (Mapping, type(None))) or not set(sides or {}) <= {1, 2} or not all(
            isinstance(name, str) for name in names
        ):
            raise TypeError(f"{arg} must map axes 1 (T) and 2 (S) to the names of sides {kind}, e.g. "
                            f"{{1: 't_features'}}; got {sides!r}.")
        named_twice = set(sides or {}) & set(fixed)
        if named_twice:
            raise ValueError(f"label_sides and reused_sides name axis {min(named_twice)} both: "
                             "a side is given as labels or reused from discretizers, not both.")
        fixed.update({axis: (name, kind) for axis, name in (sides or {}).items()})
    _refuse_few_samples((ny, nt, ns), n, method, parts, name="bias_correction", fixed=fixed)


def _refuse_few_samples(shape: tuple[int, int, int], n: int, method: str, parts: tuple[int, ...],
                        name: str, fixed: Mapping[int, tuple[str, str]]) -> None:
    """:func:`check_sample_size` on checked arguments, named as the caller names them; ``fixed``: axis
    -> (name, "given as labels", "reused from discretizers" or "counted", :func:`correct_counts`')."""
    ny, nt, ns = shape
    cells, which, smallest = ny * max(nt, ns), "p(y,t)" if nt >= ns else "p(y,s)", n // max(parts)
    if method == "none" or smallest >= cells:
        return
    needs = (f"{name}={method!r} needs at least as many samples as cells of the pairwise table "
             f"{which} ({ny} x {max(nt, ns)} = {cells}) in each piece that subsamples={parts!r} cuts "
             f"the sample into, so at least {max(parts)} x {cells} = {max(parts) * cells} samples; "
             f"got {n} samples")
    cuts = (f"subsamples={parts!r} cuts the {n} samples into pieces of {smallest}, fewer than the "
            f"{cells} cells of {which}, so the subsample estimates are meaningless")
    fixes = _sample_size_fixes(shape, n, parts, name, fixed)
    raise ValueError(f"{needs if n < cells else cuts}. Use {fixes}.")


def _fixed_side_fix(side: str, kind: str, values: int, k_fit: int) -> str:
    """How a side that ``n_clusters`` does not set comes down to ``k_fit`` values."""
    if kind == "given as labels":
        return (f"{side}'s {values} distinct labels merged into at most {k_fit} ({side} is given as "
                f"labels, so n_clusters does not apply to it: for labels 0, 1, 2, ... np.minimum({side}, "
                f"{k_fit - 1}) pools the largest, or np.digitize({side}, edges) with {k_fit - 1} "
                f"edge{'s' if k_fit > 2 else ''} bins them; for values on a scale, such as spike counts, "
                f"{side}.reshape(-1, 1) with normalize=None makes them one feature, clustered as features "
                "are)")
    return (f"{side} fitted afresh with at most {k_fit} clusters (its Discretizer from discretizers "
            f"gives {values} values, and n_clusters does not apply to it: pass None for it in "
            f"discretizers, with n_clusters='auto' or at most {k_fit})")


def _sample_size_fixes(shape: tuple[int, int, int], n: int, parts: tuple[int, ...], name: str,
                       fixed: Mapping[int, tuple[str, str]]) -> str:
    """What makes ``n`` samples enough for the pairwise tables of ``shape``, computed from them."""
    ny, k = shape[0], max(shape[1:])
    fixes = []
    k_fit = n // max(parts) // ny  # values per side that the smallest subsample supports
    if k_fit >= 2:
        too_many = [axis for axis in (1, 2) if shape[axis] > k_fit]
        if counted := [a for a in too_many if fixed.get(a, ("", ""))[1] == "counted"]:  # correct_counts'
            merged = [f"at most {k_fit} values per axis of counts (now "
                      f"{' and '.join(f'{fixed[a][0]} {shape[a]}' for a in counted)}: merge values, or "
                      "cluster the features into fewer, before counting)"]
        else:
            merged = [_fixed_side_fix(*fixed[axis], shape[axis], k_fit) for axis in too_many if axis in fixed]
        if any(axis not in fixed for axis in too_many):
            merged.insert(0, f"at most {k_fit} clusters per side (n_clusters={k_fit}; "
                             "pidkit.estimate.clusters_for_samples gives a size that fits)")
        fixes.append(" and ".join(merged))
    most_parts = n // (ny * k)  # the most parts whose pieces still hold a sample per cell
    if 3 <= most_parts < max(parts):
        fixes.append(f"fewer parts (subsamples=(2, {most_parts}))")
    fixes.append(f"at least {max(parts) * ny * k} samples")
    return ", ".join(fixes) + f", or {name}='none' (the plug-in)"


@hints_unknown_keywords
def correct_counts(
    counts: Any,
    *,
    method: str = DEFAULT_BIAS_CORRECTION,
    measure: str = "broja",
    units: str = "bits",
    subsamples: Sequence[int] = DEFAULT_SUBSAMPLES,
    n_repeats: int = DEFAULT_REPEATS,
    random_state: int | np.random.Generator | np.random.RandomState | None = 0,
    strict: bool = True,
    n_jobs: int | None = None,
    plugin: Any = None,
    sample_cells: Any = None,
    progress: bool | None = None,
) -> BiasCorrection:
    """Bias-corrected PID atoms from a count table ``counts[y, t, s]``.

    Parameters
    ----------
    counts : array_like of int, shape (n_y, n_t, n_s)
        Sample counts of (label, teacher value, student value): ints, or floats holding whole
        numbers (``np.histogramdd``'s counts). A table of probabilities is refused: the
        correction needs the number of samples.
    method : str, default="eb-extrapolation-kink"
        One of "none", "extrapolation", "eb-extrapolation" and "eb-extrapolation-kink".
        See the module docstring.
    measure : str, default="broja"
        Redundancy measure, passed to :func:`pidkit.pid`.
    units : {"bits", "nats"}, default="bits"
    subsamples : sequence of int, default=(2, 4)
        Numbers of parts the sample is cut into for the extrapolation (pieces of ``n // k``).
    n_repeats : int, default=8
        Random partitions per entry of ``subsamples``; more repeats average out the partition noise.
    random_state : int, numpy.random.Generator, RandomState or None, default=0
        Seed of the partitions.
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the full sample's solve is not certified. With
        ``False`` an uncertified full-sample solve is used as it is (its status travels in the
        caller's result) and uncertified subsample solves are left out and counted.
    n_jobs : int or None, default=None
        joblib workers for the subsample solves, as joblib counts them: ``None`` takes the active
        ``joblib.parallel_config`` (1 outside one), -1 all cores. The numbers do not depend on it.
    plugin : PIDResult, optional
        The PID of ``counts / n``, when the caller has it already.
    sample_cells : array_like of int, shape (n_samples, 3), optional
        Each sample's ``(y, t, s)`` indices into ``counts``, in the order the samples were given
        (for the counts of ``joint_from_samples(y, t, s)`` of labels that sort,
        ``np.column_stack([np.unique(v, return_inverse=True)[1] for v in (y, t, s)])``). The
        subsamples are then drawn as positions of the samples, and relabelling any variable
        (which permutes the table's axes) gives the same atoms and bias, to the solver's
        rounding (about 1e-15: its sums run in the table's order). Without it the samples
        are taken in the order of the table's cells, so that renaming labels (permuting cells)
        changes the partitions and, within the partition noise, the corrected numbers.
        :func:`pidkit.estimate.pid_from_representations` passes it as a
        ``pidkit.samples.SampleCells``, which holds the table its cells count to, so that it is
        compared with ``counts`` rather than counted again.
    progress : bool or None, default=None
        A progress bar of the subsample solves (``n_repeats * sum(subsamples)`` of them, 48 by
        default), removed when done. ``None``: where a person watches, once they have taken a
        second; what makes them long is ``measure="gh"`` or ``"prec"``, whose solves take seconds
        from a 3x3x3 table on (1.5 s each, 37 s in all, measured on two cores).

    Returns
    -------
    BiasCorrection

    Raises
    ------
    ValueError
        For an unknown method, fewer samples than cells of a pairwise table, subsamples smaller
        than that, or ``sample_cells`` of another shape than ``(n_samples, 3)``, outside
        ``counts``' axes or not counting to ``counts``.
    TypeError
        For ``sample_cells`` that are not ints.

    Examples
    --------
    A fair-coin XOR on two ten-valued inputs with 20 % label noise, 450 samples (1000 cells):

    >>> from pidkit.estimate import correct_counts
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> t, s = rng.integers(0, 10, 450), rng.integers(0, 10, 450)
    >>> y = np.where(rng.random(450) < 0.8, (t + s) % 10, rng.integers(0, 10, 450))
    >>> from pidkit import joint_from_samples
    >>> fix = correct_counts(joint_from_samples(y, t, s).counts)
    >>> fix.subsample_sizes, round(fix.plugin["syn"], 2), round(fix.corrected["syn"], 2)  # truth 2.07
    ((450, 225, 112), 2.5, 2.12)
    """
    from pidkit import pid
    from pidkit._units import check_units

    check_units(units)
    method = check_bias_correction(method, name="method")
    parts = check_subsamples(subsamples)
    n_repeats = check_partition_repeats(n_repeats)
    check_n_jobs(n_jobs)
    check_progress(progress)
    seed = check_seed(random_state)
    counts = check_counts(counts, "counts", "(n_y, n_t, n_s)")
    cells = None if sample_cells is None else check_sample_cells(sample_cells, counts)
    n = int(counts.sum())
    if plugin is None:
        try:
            plugin = pid(counts / n, measure=measure, units=units, strict=strict)
        except TooManyVertices as exc:  # pid's max_vertices is not an option here: say what is
            raise exc.without_the_option(_MERGE_AXES) from None
    plug = plugin_quantities(plugin)
    if method == "none":
        return BiasCorrection(method, plug, dict(plug), {k: 0.0 for k in plug}, (n,), 0,
                              below_zero(plug), 0, units)
    _refuse_few_samples(counts.shape, n, method, parts, "method", {1: ("T", "counted"), 2: ("S", "counted")})

    tables = subsample_tables(counts, parts, n_repeats, seed, cells)
    size = 1 if measure in VERTEX_MEASURES else _CHUNK  # a vertex measure's solve is long: one a task
    chunks = [tables[i : i + size] for i in range(0, len(tables), size)]
    with progress_bar(progress, total=len(tables), desc=f"correct_counts: {measure} solves of subsamples",
                      leave=False) as bar:
        values = np.concatenate(map_chunks(solve_tables, chunks, n_jobs, measure, units, bar=bar), axis=0)
    n_failed = int(np.isnan(values[:, 0]).sum())
    sizes = [n]
    means = [np.array([plug["i_yt"], plug["i_ys"], plug["i_yts"], plug["i_yt"] + plug["i_ys"] - plug["red"]])]
    position = 0
    levels: dict[int, list[np.ndarray]] = {k: [] for k in parts}
    for _ in range(n_repeats):
        for k in parts:
            levels[k].append(values[position : position + k])
            position += k
    for k in parts:
        block = np.concatenate(levels[k], axis=0)
        if np.isnan(block[:, 0]).all():
            if strict:
                raise SolverError(
                    f"no solve of the subsamples of size {n // k} was certified; cannot extrapolate."
                )
            # Best effort: the plug-in, with every failure counted.
            return BiasCorrection(method, plug, dict(plug), {q: 0.0 for q in plug}, (n,), n_repeats,
                                  below_zero(plug), n_failed, units)
        sizes.append(n // k)
        means.append(np.nanmean(block, axis=0))
    i_yt, i_ys, i_yts, i_star = cast("np.ndarray", extrapolate(np.array(means), sizes))  # 2-D: 4 values
    side = determining_side(counts)
    if side is not None:  # the plug-in I(Y;T,S) of every table fitted is that side's information
        i_yts = i_ys if side == "s" else i_yt
        if determined_zeros(side, measure):
            i_star = i_yts
    elif method.startswith("eb-extrapolation"):
        i_yts = i_yt + i_ys + eb_interaction_information(counts, units)
    extrapolated = {k: float(v) for k, v in atoms_from_informations(i_yt, i_ys, i_yts, i_star).items()}
    pretest = kink_pretest_shift(plug, extrapolated) if method == "eb-extrapolation-kink" else 0.0
    corrected = unique_lowered(extrapolated, pretest) if pretest else extrapolated
    bias = {k: plug[k] - corrected[k] for k in QUANTITIES}
    amplification = rounding_amplification(sizes)  # each solve fitted is certified to the tolerance
    negative = below_zero(corrected, plug.values(), amplification=amplification)
    above = tuple(  # not clipped: like a value below 0, read as "at the bound within noise"
        k for k, bound in _bounds(counts, units).items()
        if corrected[k] > bound + rounding_level([corrected[k], plug[k], bound])
    )
    curve = dict(zip(_INFORMATIONS, np.array(means).T.tolist(), strict=True))
    return BiasCorrection(
        method, plug, corrected, bias, tuple(sizes), n_repeats, negative, n_failed, units,
        kink=kink_shift(plug, extrapolated, sizes, pretest), subsample_means=curve, above_bound=above,
        determining_side=side, rounding_amplification=amplification, kink_pretest_shift=pretest,
    )
