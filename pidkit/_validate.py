"""The one place that checks the data callers pass in: joints, pmfs, covariances, tolerances, flags
and sizes (the memory a joint needs is estimated here and checked against what is free by
:mod:`pidkit._memory`; the settings of a computation, such as seeds and counts, are checked in
:mod:`pidkit._settings`).

Every entry point (the solvers, the redundancy measures, the batch, the Shannon measures, the CLI)
validates through these functions, so a mistake gets the same clear message wherever it is made:
a ``TypeError`` for the wrong kind of value, a ``ValueError`` for a wrong value, each naming the
argument, what was wrong and how to fix it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ._arrays import check_not_sparse, ragged_row_text
from ._joint_advice import (
    TO_NUMBERS,
    bool_cell_refusal,
    first_bool_cell,
    first_text_cell,
    holder_refusal,
    missing_cell_refusal,
    more_axes_advice,
    one_number_advice,
    text_as_number,
    text_cell_refusal,
)
from ._memory import ALWAYS_FITS_BYTES, check_memory
from ._pandas_tables import pandas_table_advice
from ._type_names import type_with_article

SUM_TOLERANCE = 1e-9
"""How far the total mass of a float64 input may be from 1 before ``normalize=True`` is required.

Inputs of a less precise float type (float32, float16) get a tolerance scaled to their precision,
``SUM_TOLERANCE`` or ``16 * eps * log2(n_cells + 1)``, whichever is larger."""

NEGATIVE_MASS_ULPS = 16
"""How many units in the last place of the total mass a negative cell of a float input may be
below 0 and still be read as rounding noise, i.e. as 0: a cell computed as ``1 - p.sum()`` holds
-2.2e-16 where the exact value is 0. Integers are exact, so no negative integer passes."""

WORKING_COPIES = 3
"""Float64 copies of a joint that validation and the Shannon measures hold at once (the size check)."""

__all__ = [
    "NEGATIVE_MASS_ULPS",
    "SUM_TOLERANCE",
    "WORKING_COPIES",
    "check_covariance",
    "check_flag",
    "check_joint",
    "check_pmf",
    "check_sources_joint",
    "check_tol",
    "dtype_advice",
    "is_dit_distribution",
    "type_with_article",
]


def is_dit_distribution(obj: Any) -> bool:
    """True when ``obj`` is a ``dit`` distribution (checked without importing dit)."""
    return type(obj).__module__.split(".")[0] == "dit"


def check_flag(value: Any, *, name: str) -> bool:
    """Return ``value`` as a bool if it is one (Python or NumPy bool), else raise ``TypeError``.

    Strings such as ``"no"`` and integers such as ``1`` are refused: ``bool("no")`` is True.

    Examples
    --------
    >>> import numpy as np
    >>> from pidkit.utils import check_flag
    >>> check_flag(np.True_, name="strict")
    True
    >>> check_flag("no", name="strict")
    Traceback (most recent call last):
    ...
    TypeError: strict must be True or False; got 'no' (str).
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")


def check_tol(tol: Any, *, name: str = "tol") -> float:
    """Return ``tol`` as a float if it is a positive, finite real number (a tolerance in bits).

    Raises ``TypeError`` for a bool, a string, ``None`` or a complex number, ``ValueError`` for zero,
    a negative value, NaN or infinity.

    Examples
    --------
    >>> check_tol(1e-6)
    1e-06
    >>> check_tol(True)
    Traceback (most recent call last):
    ...
    TypeError: tol must be a positive number of bits (a finite real, e.g. 1e-9); got True (bool).
    """
    if isinstance(tol, (bool, np.bool_)) or not isinstance(tol, numbers.Real):
        raise TypeError(
            f"{name} must be a positive number of bits (a finite real, e.g. 1e-9); "
            f"got {tol!r} ({type(tol).__name__})."
        )
    value = float(tol)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(
            f"{name} must be a positive number of bits (a finite real, e.g. 1e-9); got {tol!r}."
        )
    return value


def check_pmf(p: Any, *, name: str = "p", normalize: bool = False, joint: bool = False) -> np.ndarray:
    """Validate a probability mass function of any shape and return it as float64 summing to 1.

    Parameters
    ----------
    p : array_like
        Non-negative, finite masses: a NumPy array of integers or floats, nested lists of numbers,
        or anything :func:`numpy.asarray` turns into one. Masked arrays are accepted only when
        nothing is masked (pass ``p.filled(0)`` to treat masked cells as zero mass).
    name : str, default="p"
        The argument's name, used in error messages.
    normalize : bool, default=False
        Rescale ``p`` to sum to 1 instead of rejecting a total off 1 by more than
        :data:`SUM_TOLERANCE`. Large totals are rescaled by the largest mass first, so masses near
        the float64 maximum (1e308) do not overflow.
    joint : bool, default=False
        Whether ``p`` is a joint p[y, t, s]: a total of counts is refused naming the route that
        corrects their plug-in bias, :func:`pidkit.estimate.correct_counts`.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``p`` that sums to 1.

    Raises
    ------
    TypeError
        If ``p`` is not an array of real numbers (strings, objects, complex, bool), or
        ``normalize`` is not a bool.
    ValueError
        If ``p`` is ragged, masked, empty, too large for the available memory, contains NaN or
        infinity or negative mass (beyond rounding: see below), has total mass 0, or sums to a
        value other than 1 while ``normalize`` is False.

    Notes
    -----
    A negative float mass within :data:`NEGATIVE_MASS_ULPS` units in the last place of the total
    (``16 * eps * total``, 3.6e-15 of a float64 total) is rounding noise, e.g. the -2.2e-16 of a
    cell set to ``1 - p.sum()`` whose exact value is 0: it is read as 0, as a total within
    :data:`SUM_TOLERANCE` of 1 is read as 1. Any other negative is refused, whatever
    ``normalize``.

    Examples
    --------
    >>> check_pmf([1, 1, 2], normalize=True)
    array([0.25, 0.25, 0.5 ])
    >>> check_pmf([1e308, 1e308], normalize=True)   # the total overflows float64; the answer does not
    array([0.5, 0.5])
    >>> check_pmf([0.5, 0.5, -2.2e-16]).tolist()   # a rounding error below 0 is read as 0
    [0.5, 0.5, 0.0]
    """
    normalize = check_flag(normalize, name="normalize")
    arr = _as_real_array(p, name)
    if arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); every axis needs at least one entry.")
    check_memory(
        WORKING_COPIES * 8.0 * arr.size,
        name=name,
        what=f"holding its {arr.size:.3g} cells (shape {arr.shape}) as float64",
    )
    input_dtype = arr.dtype
    arr = _to_float64(arr)
    finite = np.isfinite(arr)
    if not finite.all():
        where = _first(~finite)
        kind = "NaN" if np.isnan(arr[where]) else "infinity"
        raise ValueError(f"{name} contains {kind} at index {where}; masses must be finite.")
    peak = float(arr.max())
    rescaled = peak > 0 and not _sum_is_safe(peak, arr.size)
    if rescaled:
        arr /= peak  # rescale before summing: no overflow, and no precision lost in subnormals
    if float(arr.min()) < 0:
        _zero_rounding_negatives(arr, input_dtype, name, scale=peak if rescaled else 1.0)
    if peak == 0:
        raise ValueError(
            f"{name} has total mass 0: every cell is 0, so it is no distribution and normalising "
            "cannot make one; pass probabilities that sum to 1, or counts with at least one above 0."
        )
    total = float(arr.sum())
    allowed = _sum_tolerance(input_dtype, arr.size)
    # A rescaled joint's total is below 1e-270 or above 1e300: never within tolerance of 1.
    if not normalize and (rescaled or abs(total - 1.0) > allowed):
        reported = f"about 10**{math.log10(total) + math.log10(peak):.1f}" if rescaled else (
            f"{total!r} (off by {abs(total - 1.0):.3g})"
        )
        from ._count_refusals import total_advice
        raise ValueError(f"{name} sums to {reported}, not 1 (allowed: within {allowed:g}). "
                         + total_advice(arr, name, joint=joint and not rescaled))
    arr /= total
    return arr


def check_joint(p: Any, *, name: str = "p_yts", normalize: bool = False) -> np.ndarray:
    """Validate a joint pmf indexed ``p[y, t, s]`` (target, teacher, student).

    Symbols of zero mass are allowed; solvers drop them internally and report results on the
    full shape.

    Parameters
    ----------
    p : array_like of shape (n_y, n_t, n_s)
        The joint distribution of the target Y and the two sources T and S.
    name : str, default="p_yts"
        The argument's name, used in error messages.
    normalize : bool, default=False
        Rescale to sum 1 instead of rejecting a total off 1 by more than :data:`SUM_TOLERANCE`.

    Returns
    -------
    numpy.ndarray of shape (n_y, n_t, n_s)
        A float64 copy summing to 1.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_pmf`, and ``ValueError`` if ``p`` is not 3-D or has an empty axis.

    Examples
    --------
    >>> check_joint(np.full((2, 2, 2), 0.125)).shape
    (2, 2, 2)
    >>> check_joint([[[0.5, 0.5]], [[0.5]]])
    Traceback (most recent call last):
    ...
    ValueError: p_yts is ragged: ...
    """
    if type(p) is np.ndarray and p.dtype == np.float64 and p.ndim == 3 and normalize is False and (
            0 < WORKING_COPIES * 8 * p.size <= ALWAYS_FITS_BYTES):
        # The usual joint, checked at once (check_memory passes this size): cells in [0, 1 + tol],
        # so neither NaN nor infinity, sum without overflow, and a total within tol of 1 needs no
        # rescaling; anything else takes check_pmf's path, to its refusal or repair.
        arr = np.array(p, dtype=np.float64, copy=True)
        allowed = _sum_tolerance(arr.dtype, arr.size)
        if float(arr.min()) >= 0 and float(arr.max()) <= 1.0 + allowed:
            total = float(arr.sum())
            if abs(total - 1.0) <= allowed:
                arr /= total
                return arr
    arr = _as_real_array(p, name)
    if arr.ndim != 3:
        # A stack of joints, a joint of more sources, one number: each is told what it is, not to reshape it.
        fix = (more_axes_advice(arr, name) or pandas_table_advice(p, name) or one_number_advice(arr, name)
               ).lstrip() or "Reshape it, or build it from samples with pidkit.joint_from_samples(y, t, s)."
        raise ValueError(
            f"{name} must be a 3-D array indexed {name}[y, t, s] (target, teacher, student); "
            f"got {arr.ndim}-D with shape {arr.shape}. {fix}"
        )
    _check_no_empty_axis(arr, name)
    return check_pmf(arr, name=name, normalize=normalize, joint=True)


def check_sources_joint(p: Any, *, name: str = "p", normalize: bool = False) -> np.ndarray:
    """Validate a joint pmf ``p[y, x1, x2, ...]`` of a target and two or more sources.

    As :func:`check_joint`, for any number of source axes (at least two).

    Examples
    --------
    >>> check_sources_joint(np.full((2, 2, 2, 2), 1 / 16)).shape
    (2, 2, 2, 2)
    """
    arr = _as_real_array(p, name)
    if arr.ndim < 3:
        raise ValueError(
            f"{name} must have a target axis and at least two source axes, indexed "
            f"{name}[y, x1, x2, ...]; got {arr.ndim}-D with shape {arr.shape}."
        )
    _check_no_empty_axis(arr, name)
    return check_pmf(arr, name=name, normalize=normalize, joint=arr.ndim == 3)


def _check_no_empty_axis(arr: np.ndarray, name: str) -> None:
    if 0 in arr.shape:
        raise ValueError(
            f"{name} has an empty axis (shape {arr.shape}); the target and every source need at "
            "least one symbol."
        )


def _as_real_array(p: Any, name: str, *, masses: bool = True) -> np.ndarray:
    """``p`` as an array of integers or reals (any precision), without copying a valid array;
    ``masses`` says whether its entries are masses (what a masked cell's advice can offer)."""
    if is_dit_distribution(p):
        raise TypeError(
            f"{name} is a dit Distribution, which this function does not take. pidkit.pid, "
            "pidkit.bertschinger, pidkit.redundancy, its measures (pidkit.i_gh, ...) and the "
            "Shannon measures (pidkit.mutual_information, pidkit.entropy, ...) take d as it is, "
            "with its target: pidkit.pid(d, target=2). Elsewhere pass its joint p[y, t, s], "
            "pidkit.joint_from_dit(d, target=..., sources=...).p."
        )
    if isinstance(p, (str, bytes)):
        raise TypeError(f"{name} must be an array of numbers; got {type_with_article(p)} {p!r:.40}.")
    if isinstance(p, tuple) and hasattr(p, "_fields") and "p" in p._fields:  # e.g. an EmpiricalJoint
        raise TypeError(
            holder_refusal(p, name) if masses else
            f"{name} must be an array of numbers; got {type_with_article(p)}, which holds a discrete "
            "joint p[y, t, s], no covariance: decompose that with pidkit.pid(joint.p)."
        )
    if isinstance(p, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(p))
        if n_masked:
            raise ValueError(
                f"{name} is a masked array with {n_masked} masked cell(s); pidkit does not guess "
                + (f"what a masked mass means. Pass {name}.filled(0) to treat them as zero mass, or "
                   f"{name}.data to use the values underneath." if masses else
                   f"what a masked entry means. Estimate the missing entries first, or pass "
                   f"{name}.data to use the values underneath.")
            )
        p = p.data
    try:
        arr = np.asarray(p)
    except ValueError as exc:  # ragged nested sequences
        where = ragged_row_text(p, name, indexed=True)
        raise ValueError(
            f"{name} is ragged: its nested sequences have different lengths"
            f"{f' ({where})' if where else ''}, so it is not an array. Every row needs the same "
            "number of entries (pad missing cells with 0)."
        ) from exc
    except Exception as exc:  # objects numpy cannot read at all
        raise TypeError(
            f"{name} must be an array of numbers; could not convert {type(p).__name__}: {exc}"
        ) from exc
    if arr.dtype == object:
        return _object_to_float(arr, name, masses)
    # numpy reads a bool among numbers as 1.0 or 0.0; only nested sequences can hold one unseen
    cell = first_bool_cell(p) if arr.dtype.kind in "iuf" and not isinstance(p, np.ndarray) else None
    if cell is not None:
        raise TypeError(bool_cell_refusal(name, *cell, masses=masses))
    text = first_text_cell(p) if arr.dtype.kind in "US" else None
    if text is not None:  # numpy made every cell text: name the cell that was
        raise TypeError(text_cell_refusal(name, *text, fix=_text_fix(name, masses)))
    if arr.dtype == np.bool_ or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        kind = "" if isinstance(p, np.ndarray) else f" (type {type(p).__name__})"  # memmap: no news
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {arr.dtype}{kind}. "
            f"{dtype_advice(arr.dtype, name)}"
        )
    return arr


def dtype_advice(dtype: np.dtype, name: str) -> str:
    """The last sentence of the refusal of the array ``name`` whose ``dtype`` holds no real
    numbers: convert bools, complex numbers or dates (:data:`~pidkit._joint_advice.TO_NUMBERS`),
    pass the field of records that holds the numbers (which no conversion finds), or build raw
    bytes from numbers.

    Examples
    --------
    >>> dtype_advice(np.dtype(bool), "p_yts")
    'Convert it with np.asarray(..., dtype=float).'
    >>> dtype_advice(np.dtype([("p", float), ("n", int)]), "p_yts")
    "Its cells are records of the fields 'p', 'n', not numbers: pass the field that holds the \
numbers, such as p_yts['p']."
    """
    if dtype.names:
        first = f"{name}[{dtype.names[0]!r}]"
        if len(dtype.names) == 1:
            return f"Its cells are records of one field, {dtype.names[0]!r}, not numbers: pass {first}."
        return (f"Its cells are records of the fields {', '.join(map(repr, dtype.names))}, not numbers: pass "
                f"the field that holds the numbers, such as {first}.")
    if dtype.kind == "V":
        return (f"Its cells are raw bytes (numpy's void dtype), which hold no numbers: build {name} from "
                "numbers.")
    return TO_NUMBERS


def _text_fix(name: str, masses: bool) -> Callable[[str | bytes], str]:
    """What a caller does about a text cell of ``name``, given the text (a number, or a label)."""

    def fix(text: str | bytes) -> str:
        if text_as_number(text) is not None:
            return f"convert {name} to numbers, e.g. np.asarray({name}, dtype=float)"
        if masses:
            return ("a distribution holds probabilities or counts, not labels: count labels into "
                    "a joint with pidkit.joint_from_samples(y, t, s)")
        return f"{name} holds only numbers"

    return fix


def _object_to_float(arr: np.ndarray, name: str, masses: bool) -> np.ndarray:
    """An object array of real numbers (Python ints, floats, Fractions) as float64."""
    if arr.ndim == 0:
        raise TypeError(
            f"{name} must be an array of real numbers; got {type(arr.item()).__name__} "
            f"{arr.item()!r:.40}."
        )
    out = np.empty(arr.shape, dtype=np.float64)
    for index, value in np.ndenumerate(arr):
        if isinstance(value, (str, bytes)):
            raise TypeError(text_cell_refusal(name, index, value, fix=_text_fix(name, masses)))
        if isinstance(value, (bool, np.bool_)):
            raise TypeError(bool_cell_refusal(name, index, value, masses=masses))
        if value is None:
            raise TypeError(missing_cell_refusal(name, index, masses=masses))
        if not isinstance(value, numbers.Real):
            raise TypeError(
                f"{name} must be an array of real numbers; {name}[{', '.join(map(str, index))}] "
                f"is {value!r:.40} ({type(value).__name__})."
            )
        try:
            out[index] = float(value)
        except OverflowError as exc:
            raise ValueError(
                f"{name}[{', '.join(map(str, index))}] is too large for float64; divide {name} by "
                "its largest entry first."
            ) from exc
    return out


def _to_float64(arr: np.ndarray) -> np.ndarray:
    """A float64 copy; wider floats are rescaled by their peak first so they do not overflow."""
    if np.issubdtype(arr.dtype, np.floating) and np.finfo(arr.dtype).max > np.finfo(np.float64).max:
        peak = np.max(np.abs(arr[np.isfinite(arr)]), initial=0)
        if peak > np.finfo(np.float64).max:
            arr = arr / peak
    return np.array(arr, dtype=np.float64, copy=True)


_HUGE = np.finfo(np.float64).max / 4
_TINY = np.finfo(np.float64).tiny * 2**60


def _sum_is_safe(peak: float, size: int) -> bool:
    """Whether ``size`` masses of at most ``peak`` sum in float64 without overflow or subnormals."""
    return bool(_TINY <= peak <= _HUGE / size)


def _sum_tolerance(dtype: np.dtype, size: int) -> float:
    if dtype.kind == "f":  # a float type (np.issubdtype(dtype, np.floating), in a third of the time)
        eps = float(np.finfo(dtype).eps)
        return max(SUM_TOLERANCE, 16 * eps * math.log2(size + 1))
    return SUM_TOLERANCE


def _zero_rounding_negatives(arr: np.ndarray, dtype: np.dtype, name: str, *, scale: float) -> None:
    """Set to 0, in place, the negative cells of ``arr`` within :data:`NEGATIVE_MASS_ULPS` units in the
    last place (of the input's float type) of the total positive mass; refuse any other negative,
    naming the most negative cell (as given: ``arr`` was divided by ``scale``), its size against
    the total and the fix."""
    positive = float(arr[arr > 0].sum())
    eps = float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.floating) else 0.0
    negative = arr < 0
    where = np.unravel_index(np.argmin(arr), arr.shape)
    lowest = float(arr[where])
    if -lowest <= NEGATIVE_MASS_ULPS * eps * positive:
        arr[negative] = 0.0
        return
    count = int(negative.sum())
    cells = f"the most negative of {count} negative cells" if count > 1 else "the only negative cell"
    size = (f"{-lowest / positive:.3g} times the total positive mass" if positive > 0
            else "no cell holds positive mass")
    ulps = NEGATIVE_MASS_ULPS
    fix = (
        f"Negatives within rounding, {ulps} * eps = {ulps * eps:.3g} times the total, are read as 0;"
        " for larger rounding errors (a cell computed as 1 - the sum of the others) "
        f"pass np.clip({name}, 0, None), otherwise fix how {name} was computed."
        if eps else f"Integers hold no rounding error: fix how {name} was computed."
    )
    raise ValueError(
        f"{name} has negative mass: {lowest * scale!r} at index {tuple(int(i) for i in where)} ({cells}; "
        f"{size}); a probability mass function must be non-negative. {fix}"
    )


def _first(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def check_covariance(
    cov: Any, *, dims: Any = None, name: str = "cov", dims_name: str = "dims"
) -> np.ndarray:
    """Validate a covariance matrix (symmetric, positive semi-definite, finite) and its blocks.

    Parameters
    ----------
    cov : array_like of shape (n, n)
        The covariance matrix. Singular (semi-definite) matrices are accepted.
    dims : sequence of int, optional
        Sizes of consecutive diagonal blocks (e.g. ``(d_y, d_t, d_s)``); each must be at least 1 and
        they must add up to ``n``.
    name, dims_name : str, default="cov", "dims"
        The arguments' names, used in error messages.

    Returns
    -------
    numpy.ndarray of shape (n, n)
        A float64, exactly symmetric copy.

    Raises
    ------
    TypeError
        If ``cov`` is not numeric (a scipy sparse matrix is told to pass ``cov.toarray()``) or
        ``dims`` is not a sequence of integers.
    ValueError
        If ``cov`` is not a non-empty square matrix, contains NaN or infinity, is not symmetric
        (to ``max(1e-8, 100 * eps)`` of its largest entry), has an eigenvalue below
        ``-n * 1000 * eps`` times its largest one (``eps`` of the input's float type), or if
        ``dims`` has a block below 1 or does not add up to ``n``.

    Examples
    --------
    >>> check_covariance([[2.0, 1.0], [1.0, 2.0]], dims=(1, 1))
    array([[2., 1.],
           [1., 2.]])
    """

    check_not_sparse(cov, name, "covariance matrices")
    arr = _as_real_array(cov, name, masses=False)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        samples = (" It looks like samples X, one row each: pass their covariance, np.cov(X, rowvar=False) "
                   "(X.cov() for a DataFrame), or the samples to pidkit.gaussian_pid_from_samples(y, t, s)."
                   if arr.ndim == 2 and arr.shape[0] > arr.shape[1] > 0 else "")
        raise ValueError(
            f"{name} must be a non-empty square 2-D matrix (the covariance of the stacked vector); "
            f"got shape {arr.shape}.{samples}"
        )
    eps = float(np.finfo(arr.dtype).eps) if np.issubdtype(arr.dtype, np.floating) else 2.0**-52
    arr = arr.astype(np.float64, copy=True)
    for bad, what in ((np.isnan(arr), "NaN"), (np.isinf(arr), "infinity")):
        if bad.any():
            raise ValueError(f"{name} contains {what} at index {_first(bad)}; entries must be finite: "
                             "compute it from samples without NaN or infinity (drop or impute those first).")
    if dims is not None:
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__"):
            raise TypeError(
                f"{dims_name} must be a sequence of block sizes such as (d_y, d_t, d_s); got {dims!r}."
            )
        flag = next((i for i, d in enumerate(dims) if isinstance(d, (bool, np.bool_))), None)
        if flag is not None:  # numpy would read True as a size of 1
            raise TypeError(
                f"{dims_name} must hold integers, the sizes of Y, T and S (e.g. {dims_name}=(1, 3, 2)); "
                f"{dims_name}[{flag}] is the bool {bool(dims[flag])!r}, not a size; got {dims!r}."
            )
        if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
            raise TypeError(f"{dims_name} must hold integers; got {dims!r}.")
        sizes = tuple(int(d) for d in dims)
        if any(d < 1 for d in sizes):
            raise ValueError(
                f"{dims_name} must hold block sizes of at least 1; got {sizes}. "
                "Every variable needs at least one dimension."
            )
        if sum(sizes) != arr.shape[0]:
            rows = (
                f" If {name} came from np.cov of (n_samples, n_features) data, pass rowvar=False: "
                "np.cov takes rows as variables, so it gave one row per sample."
                if arr.shape[0] > sum(sizes) else ""
            )
            raise ValueError(
                f"{dims_name} = {sizes} adds up to {sum(sizes)}, but {name} is "
                f"{arr.shape[0]} x {arr.shape[0]}; the block sizes must add up to the matrix size.{rows}"
            )
    scale = float(np.abs(arr).max())
    asymmetry = np.abs(arr - arr.T)
    if asymmetry.max() > max(1e-8, 100 * eps) * scale:
        i, j = np.unravel_index(np.argmax(asymmetry), arr.shape)
        raise ValueError(
            f"{name} is not symmetric: {name}[{i}, {j}] = {float(arr[i, j])!r} but {name}[{j}, {i}] = "
            f"{float(arr[j, i])!r}. A covariance matrix is symmetric; if the difference is rounding, pass "
            f"({name} + {name}.T) / 2."
        )
    arr = (arr + arr.T) / 2
    if scale == 0.0:
        return arr
    try:
        np.linalg.cholesky(arr)  # positive definite: the common case, and the cheapest proof
    except np.linalg.LinAlgError:
        eigenvalues = np.linalg.eigvalsh(arr)
        floor = -arr.shape[0] * 1000 * eps * max(float(eigenvalues[-1]), 0.0)
        if eigenvalues[0] < floor or eigenvalues[-1] <= 0:
            raise ValueError(
                f"{name} is not positive semi-definite: its smallest eigenvalue is "
                f"{eigenvalues[0]:.3g} (largest {eigenvalues[-1]:.3g}), so it is not a covariance "
                "matrix. Check how it was computed; to project a nearly valid matrix, clip its "
                "negative eigenvalues to 0."
            ) from None
    return arr
