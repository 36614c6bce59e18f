"""The samples of :func:`pidkit.gaussian_pid_from_samples` read as three float matrices, one row
per sample: numbers only (text, class names and sparse matrices refused with the way to pass them),
finite, paired by position (one number of rows, one pandas index), and a single column of class
codes warned about. Errors that suspect arrays of shape (n_features, n_samples) say which to
transpose, those about samples of more than two axes how to flatten them.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._arrays import (
    batches_hint,
    check_not_sparse,
    check_same_index,
    method_fix,
    numbers_to_numpy,
    what_it_holds,
)
from .._caller import user_stacklevel

SAMPLES = "y, t and s"
"""What the errors of :func:`gaussian_pid_from_samples` call the covariance of its samples."""
TRANSPOSE = "samples are rows, so if each column is a sample, pass the transpose (`.T`)."
"""The end of the errors that suspect arrays of shape (n_features, n_samples)."""


def paired_samples(y: ArrayLike, t: ArrayLike, s: ArrayLike) -> list[np.ndarray]:
    """``y``, ``t`` and ``s`` as finite float64 matrices with one row per sample (a 1-D input is one
    column), checked to have one number of rows and, for pandas objects, one index.

    Examples
    --------
    >>> [a.shape for a in paired_samples([0.0, 1.0, 2.5], np.ones((3, 2)), [[1], [2], [3]])]
    [(3, 1), (3, 2), (3, 1)]
    """
    arrays = [_sample_matrix(x, name) for x, name in ((y, "y"), (t, "t"), (s, "s"))]
    _warn_if_class_codes(arrays[0])
    lengths = [a.shape[0] for a in arrays]
    if len(set(lengths)) != 1:
        flipped, rows = _transposed(arrays)
        hint = f" {have(flipped)} {rows} columns: {TRANSPOSE}" if flipped else ""
        raise ValueError(f"y, t and s must have the same number of samples (rows); got {lengths}.{hint}")
    check_same_index({"y": y, "t": t, "s": s})
    return arrays


def _sample_matrix(x: ArrayLike, name: str) -> np.ndarray:
    if name == "y":
        check_not_sparse(x, name, "samples", "(OneHotEncoder(sparse_output=False) one-hot encodes a "
                                             "label densely.)")
    else:
        check_not_sparse(x, name)
    arr = numbers_to_numpy(x, name, SAMPLES)
    if arr.dtype == bool:
        arr = arr.astype(np.float64)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        held = _text_hint(arr, name) or what_it_holds(x, arr, name)
        raise TypeError(f"{name} must hold real numbers; got {held}")
    shape = arr.shape
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[1] == 0:
        raise ValueError(
            f"{name} must be of shape (n_samples,) or (n_samples, n_features) with at least one "
            f"feature; got shape {shape}.{batches_hint(x, name) or _flatten_hint(x, name, shape)}"
        )
    arr = np.ascontiguousarray(arr, dtype=np.float64)  # pandas gives F order, whose sums round otherwise
    if not np.isfinite(arr).all():
        row = int(np.argwhere(~np.isfinite(arr))[0, 0])
        raise ValueError(f"{name} contains NaN or infinity (first at sample {row}); drop or impute it.")
    return arr


def _flatten_hint(x: Any, name: str, shape: tuple[int, ...]) -> str:
    """The end of the error for samples of more than two axes (a convolutional layer's maps, say),
    else ``""``: pidkit.estimate flattens their trailing axes, the Gaussian PID asks for it."""
    if len(shape) <= 2:
        return ""
    return (
        f" If each sample's {np.prod(shape[1:], dtype=int)} values are its features, flatten them: "
        f"{method_fix(x, name, f'reshape({shape[0]}, -1)')} (pidkit.estimate.pid_from_representations(..., "
        "estimator='gaussian') flattens them and keeps n_components principal components)."
    )


def _text_hint(arr: np.ndarray, name: str) -> str:
    """The end of the error for samples that hold text, else ``""``: numbers written as text (a
    column read from a file as strings) are to be converted, other text (class names, usually)
    one-hot encoded."""
    if not arr.size:
        return ""
    if arr.dtype.kind in "US":
        first = arr.flat[0].item()
    elif arr.dtype == object:
        first = next((v for v in arr.flat if isinstance(v, (str, bytes))), None)
        if first is None:
            return ""
    else:
        return ""
    if _reads_as_numbers(arr):
        return (f"text that reads as numbers (e.g. {first!r}). Convert it: np.asarray({name}, "
                f"dtype=float) ({name}.astype(float) for a pandas column).")
    return (
        f"text (e.g. {first!r}). The Gaussian PID models numbers: pass class labels one-hot in "
        f"C - 1 columns (pidkit.estimate.continuous.one_hot({name}, {name!r})[0]), or pass them as "
        "they are to pidkit.estimate.pid_from_representations(..., estimator='gaussian'), which "
        "encodes them so."
    )


def _reads_as_numbers(arr: np.ndarray) -> bool:
    """Whether every value of ``arr`` converts to a float (``"0.5"``, ``b"7"``, ``3``)."""
    try:
        arr.astype(np.float64)
    except (TypeError, ValueError):
        return False
    return True


def _warn_if_class_codes(y: np.ndarray) -> None:
    """Warn when y is a single column of more than two whole numbers, each taken by two samples
    or more on average: class codes, in any dtype (labels read from a table are often floats,
    0.0, 1.0, 2.0; a continuous y of large values is whole numbers too, but rarely repeats)."""
    if y.shape[1] == 1 and np.array_equal(y, np.round(y)):
        classes = np.unique(y)
        if 2 < classes.size <= y.shape[0] / 2:
            warnings.warn(
                f"y is one column of {classes.size} whole-number values; the Gaussian model reads it "
                "as a number (an ordinal scale), not as classes. For a class label pass it one-hot "
                "encoded in C - 1 columns, e.g. np.eye(C)[y][:, 1:].",
                UserWarning,
                stacklevel=user_stacklevel(),
            )


def have(names: list[str]) -> str:
    """``"t has"``, ``"y and s have"``, ``"y, t and s have"``.

    Examples
    --------
    >>> have(["t"]), have(["y", "t", "s"])
    ('t has', 'y, t and s have')
    """
    if len(names) == 1:
        return f"{names[0]} has"
    return f"{', '.join(names[:-1])} and {names[-1]} have"


def _transposed(arrays: list[np.ndarray]) -> tuple[list[str], int]:
    """The fewest of y, t, s (2-D ``arrays``) whose transposes give all one number of rows, and
    that number; ``([], 0)`` when no transposing does (one row is no sample size: 1-D inputs
    are one column, and transposing them would not help)."""
    best: tuple[list[str], int] = ([], 0)
    for rows in sorted({size for a in arrays for size in a.shape} - {1}):
        if all(rows in a.shape for a in arrays):
            flipped = [name for name, a in zip("yts", arrays, strict=True) if a.shape[0] != rows]
            if not best[0] or len(flipped) < len(best[0]):
                best = (flipped, rows)
    return best
