"""Argument checks of the estimate package's data: labels, feature matrices (numpy, pandas or
tensors), the pairing of pandas inputs, count tables, the cells of their samples and numbers of
bootstrap replicates.

Every check raises ``TypeError`` for the wrong kind and ``ValueError`` for a wrong value, with a
message that names the argument, says what was expected and what was received. The checks of
options shared with the rest of pidkit (ints, seeds, confidence levels, joblib workers, choices)
live in :mod:`pidkit._settings`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._arrays import (
    as_numpy_code,
    check_not_sparse,
    converted,
    method_fix,
    numbers_to_numpy,
    what_it_holds,
)
from .._labels import (
    check_label_values,
    check_missing_labels,
    check_nulls,
    check_whole_labels,
    label_array,
    labels_shape_error,
    near_whole,
    non_integer_floats,
)
from .._pandas_tables import pandas_table_advice
from ..samples import SampleCells, encoded_samples

__all__ = [
    "cells_of_samples",
    "check_counts",
    "check_features",
    "check_labels",
    "check_not_ids",
    "check_not_torch_data",
    "check_sample_cells",
    "check_two_classes",
    "labels_or_features",
]


def _check_finite(arr: np.ndarray, name: str) -> None:
    # Summing in float64 is exact for detecting NaN/inf in float32 data and allocates nothing large;
    # a float64 sum can overflow for huge finite values, so a non-finite sum is re-checked in full.
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(arr, dtype=np.float64)
    if np.isfinite(total):
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


def check_not_torch_data(x: Any, name: str, holds: str) -> None:
    """Refuse a torch ``DataLoader`` or ``Dataset`` ``x`` passed as argument ``name``, which
    should hold ``holds`` (``"features"``, ``"labels"``), with how to pass its values.

    numpy reads a ``DataLoader`` as one object and lists a ``Dataset``'s samples (tuples of
    tensors), so they were refused as "an array of Python objects" with a fix that failed in turn
    (``np.asarray(t_features, dtype=float)``), labels as "ragged" or as sample ids, and a
    ``TensorDataset(features, labels)`` as an inhomogeneous array. Known by the module of its
    class or of a class it derives from (torch is no dependency of pidkit): a ``Dataset`` class of
    your own is one too.

    Examples
    --------
    >>> check_not_torch_data(np.ones((2, 3)), "t_features", "features") is None
    True
    """
    kind = type(x)
    if not any(base.__module__.startswith("torch.utils.data") for base in kind.__mro__):
        return
    if hasattr(x, "batch_size") and hasattr(x, "dataset"):  # a DataLoader
        raise TypeError(
            f"{name} is a torch {kind.__name__}, which yields batches; pass its {holds} as one "
            "array or tensor with a row per sample: collect the labels and both networks' "
            "features in one pass over the loader, then join each with torch.cat (a loader that "
            "shuffles gives another order on every pass, which would pair the samples wrongly)."
        )
    tensors = getattr(x, "tensors", None)
    if not isinstance(tensors, tuple):
        fix = "the array or tensor it reads them from"
    elif len(tensors) == 1:
        fix = f"{name}.tensors[0]"
    else:
        fix = f"{name}.tensors[i], the one of its {len(tensors)} tensors that holds them"
    raise TypeError(
        f"{name} is a torch {kind.__name__}, whose items are samples (tuples of tensors), not "
        f"{holds}; pass its {holds} as one array or tensor with a row per sample: {fix}."
    )


def _as_array(x: Any, name: str, what: str) -> np.ndarray:
    """``x`` as a numpy array, read by :func:`pidkit._arrays.numbers_to_numpy` (DataFrames by their
    columns' dtypes, masked values and polars' nulls of numbers refused, pandas' NA as NaN). A
    scipy sparse matrix is refused with the way to densify it
    (:func:`pidkit._arrays.check_not_sparse`), a torch ``DataLoader`` or ``Dataset`` with the way
    to pass its values (:func:`check_not_torch_data`). ``what`` says what ``x`` should be,
    for the message when it cannot be converted at all.
    """
    check_not_sparse(x, name)
    check_not_torch_data(x, name, "features")
    return numbers_to_numpy(x, name, "every input", what)


def check_features(x: Any, name: str, *, labels_allowed: bool = False) -> np.ndarray:
    """Return ``x`` as a finite float matrix (n_samples, n_features); trailing axes are flattened.

    float32 stays float32 (wide layer outputs are large; bfloat16 tensors become float32), and so
    do booleans and integers of 8 or 16 bits (uint8 pixels, quantised activations), which float32
    holds exactly, in half the memory of float64; float64 and wider integers become float64.
    ``labels_allowed``: the caller takes 1-D integer arrays as labels, so the error for a 1-D
    float array mentions that route.

    Examples
    --------
    >>> [str(check_features(np.ones((2, 3), dtype), "X").dtype) for dtype in (np.uint8, np.int16, np.int64)]
    ['float32', 'float32', 'float64']
    """
    return _feature_matrix(x, _as_array(x, name, "an array of numbers"), name, labels_allowed)


def _feature_matrix(x: Any, arr: np.ndarray, name: str, labels_allowed: bool) -> np.ndarray:
    """:func:`check_features` of ``x`` read as ``arr``."""
    kind = arr.dtype.kind
    if kind not in "fiub":
        raise TypeError(
            f"{name} must be a numeric feature matrix; got {what_it_holds(x, arr, name)} Discrete labels "
            "must be a 1-D array, continuous features an (n_samples, n_features) float array."
        )
    if arr.ndim < 2:
        fractional = non_integer_floats(arr.reshape(-1))
        # astype(int) truncates: class ids off by a rounding error (2.9999999999999996) need rint
        rounded = fractional.size and near_whole(fractional)
        as_ints = (f"np.rint({as_numpy_code(x, name)}).astype(int)" if rounded
                   else method_fix(x, name, "astype(int)"))
        labels = (
            f"; if it already holds discrete labels pass them as integers ({as_ints}) and "
            "they are used as they are, without clustering" if labels_allowed else ""
        )
        raise ValueError(
            f"{name} must be a feature matrix of shape (n_samples, n_features); got a {arr.ndim}-D "
            f"array of shape {arr.shape}. If it is one continuous feature per sample use "
            f"{method_fix(x, name, 'reshape(-1, 1)')} with normalize=None (L2 normalisation of a single "
            f"feature keeps only its sign){labels}."
        )
    if arr.shape[0] == 0 or arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); it needs samples and features.")
    arr = arr.reshape(arr.shape[0], -1)
    if arr.dtype.itemsize <= 2 or (kind == "f" and arr.dtype.itemsize == 4):
        arr = arr.astype(np.float32, copy=False)  # exact: float32 holds every 16-bit integer
    else:
        arr = arr.astype(np.float64, copy=False)
    _check_finite(arr, name)
    return arr


def labels_or_features(x: Any, name: str) -> tuple[np.ndarray, bool]:
    """Return (array, is_labels): 1-D integer/bool/string/object/datetime arrays are labels,
    checked as :func:`check_labels` checks them (nulls, missing, complex or unhashable labels
    refused; an object array holding non-integer floats too), the rest features. A list that
    numpy reads as strings is read as :func:`pidkit._labels.label_array` reads ``y``: its labels
    keep their types, so that a mix of numbers and strings is refused as in ``y``."""
    arr = _as_array(x, name, "an array")
    if arr.ndim == 1 and arr.dtype.kind in "US" and isinstance(x, (list, tuple)):
        arr = label_array(x, name)  # numpy reads a list's labels by str(): 1.0 beside "1", str enums
    if arr.ndim == 1 and arr.dtype.kind in "iubUSOmM":
        if arr.size == 0:
            raise ValueError(f"{name} is empty; it needs one label per sample.")
        check_nulls(x, arr, name)
        check_label_values(arr, name)
        check_whole_labels(arr, name, x, unrounded_fix=(  # an object array: 1-D floats are features
            "Labels given in place of a representation are used as they are, without clustering; "
            "pass features as a matrix of shape (n_samples, n_features), which is clustered."))
        return arr, True
    if arr.ndim == 1 and arr.dtype.kind == "f" and np.isnan(arr).any():
        check_missing_labels(arr, name)  # e.g. pandas Int64 labels with NA: floats with NaN
    return _feature_matrix(x, arr, name, labels_allowed=True), False


def check_labels(y: Any, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-D array of class labels: ints, bools, strings, hashable objects, or
    floats holding whole numbers (``1.0``); no complex number, NaN, infinity or missing value
    (NaN, NA, NaT), as :func:`pidkit._labels.check_label_values` refuses them; non-integer floats
    refused as every entry point refuses them (:func:`pidkit._labels.check_whole_labels`).
    Read as :func:`pidkit._labels.label_array` reads them (masked labels, sets and dicts refused)."""
    check_not_torch_data(y, name, "labels")
    arr = label_array(y, name)
    if arr.ndim != 1:
        raise labels_shape_error(y, arr.shape, name)
    if arr.size == 0:
        raise ValueError(f"{name} is empty; it needs one label per sample.")
    check_label_values(arr, name)
    check_whole_labels(arr, name, y)
    return arr


def check_two_classes(classes: np.ndarray, name: str, estimator: str) -> None:
    """Refuse a target of one class (``classes``: its distinct values): it carries no information."""
    if classes.size < 2:
        raise ValueError(
            f"{name} holds a single value ({classes.tolist()[0]!r}); the {estimator} estimator needs "
            "at least two classes (a constant carries no information)."
        )


def check_counts(counts: Any, name: str, shape: str) -> np.ndarray:
    """Return ``counts`` as an int64 array of sample counts with ``shape.count(",") + 1`` axes.

    Integers, and floats holding whole numbers (``np.histogramdd`` counts in floats) are counts;
    a table of probabilities, negative, NaN or infinite entries, and a table without samples are a
    ValueError naming ``name`` (``shape`` names its axes in the message, e.g. ``"(n_y, n_t, n_s)"``).
    """
    if isinstance(counts, tuple) and "counts" in getattr(counts, "_fields", ()):  # an EmpiricalJoint
        raise TypeError(
            f"{name} must be an array, not the {type(counts).__name__} that holds one; pass its "
            ".counts attribute."
        )
    arr = converted(counts, name, "an array of sample counts")
    ndim = shape.count(",") + 1
    what = f"{name} must be a {ndim}-D array of sample counts of shape {shape}"
    if arr.ndim != ndim or arr.dtype.kind not in "iubf":
        advice = pandas_table_advice(counts, name) if ndim == 3 and arr.ndim != ndim else ""
        raise ValueError(f"{what}; got shape {arr.shape}, dtype {arr.dtype}.{advice}")
    if arr.dtype.kind == "f":
        if not np.isfinite(arr).all():
            raise ValueError(f"{what}; it contains NaN or infinity.")
        fractional = arr[arr != np.round(arr)]
        if fractional.size:
            hint = (
                " It sums to 1, so it looks like probabilities: pass the counts they came from "
                "(joint_from_samples(...).counts, or np.rint(p * n_samples).astype(int))."
                if np.isclose(arr.sum(), 1.0) else ""
            )
            raise ValueError(
                f"{what}; it holds {fractional.size} non-integer value(s) (e.g. {fractional[0]:.6g}).{hint}"
            )
    negative = int((arr < 0).sum())
    if negative:
        raise ValueError(f"{what}; it holds {negative} negative value(s).")
    if arr.sum() == 0:
        dit_advice = (" pidkit.joint_from_dit(...).counts is such a table: a dit distribution holds "
                      "probabilities, not counts. Decompose its .p with pidkit.pid, or count samples with "
                      "pidkit.joint_from_samples(y, t, s)." if ndim == 3 else "")
        raise ValueError(f"{what}; every count is 0: no samples were counted.{dit_advice}")
    return arr.astype(np.int64)


def check_sample_cells(sample_cells: Any, counts: np.ndarray, name: str = "sample_cells") -> np.ndarray:
    """Return the flat index into ``counts.ravel()`` of each sample's cell, in the samples' order.

    ``sample_cells`` holds one row ``(y, t, s)`` of indices into the checked count table ``counts``
    per sample, in the order the samples were given. Checked in this order, each mistake naming
    ``name``: the shape ``(n_samples, 3)`` (a ValueError), the dtype, ints (a TypeError), each
    index inside ``counts``' axis and the rows counting to ``counts`` (ValueErrors).
    A ``pidkit.samples.SampleCells`` (what :func:`pidkit.estimate.pid_from_representations`
    passes) holds the table its cells count to, so it is only compared with ``counts``, not
    counted again.

    Examples
    --------
    >>> import numpy as np
    >>> counts = np.array([[[1, 0], [0, 2]]])
    >>> check_sample_cells([[0, 1, 1], [0, 0, 0], [0, 1, 1]], counts).tolist()
    [3, 0, 3]
    >>> check_sample_cells([[0, 1, 1], [0, 0, 0], [0, 0, 0]], counts)
    Traceback (most recent call last):
    ...
    ValueError: sample_cells must hold the cells of the samples counts was counted from; it puts 2 \
samples in cell (0, 0, 0), where counts holds 1. ...
    """
    if isinstance(sample_cells, SampleCells):
        held = sample_cells.counts
        if held.shape != counts.shape:
            raise ValueError(
                f"{name} must hold the cells of the samples counts was counted from; its table has "
                f"shape {held.shape}, counts {counts.shape}. {_SAMPLE_CELLS_FIX}"
            )
        if not np.array_equal(held, counts):
            raise _mismatch_error(held, counts, name)
        return sample_cells.index
    arr = converted(sample_cells, name, "an array of cell indices")
    n = int(counts.sum())
    what = (f"{name} must hold one row (y, t, s) of indices into counts per sample, shape "
            f"({n}, 3) for the {n} samples counts holds")
    if arr.shape != (n, 3):
        raise ValueError(f"{what}; got shape {arr.shape}.")
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what}, as ints; got dtype {arr.dtype}.")
    for axis, (column, size) in enumerate(zip(arr.T, counts.shape, strict=True)):
        outside = (column < 0) | (column >= size)
        if outside.any():
            row = int(np.flatnonzero(outside)[0])
            raise ValueError(f"{what}; row {row} has index {int(column[row])} on axis {axis}, where "
                             f"counts has {size} values (indices 0 to {size - 1}).")
    cells = np.ravel_multi_index(tuple(arr.T.astype(np.intp)), counts.shape)
    held = np.bincount(cells, minlength=counts.size).reshape(counts.shape)
    if not np.array_equal(held, counts):
        raise _mismatch_error(held, counts, name)
    return cells


_SAMPLE_CELLS_FIX = (
    "Pass each sample's (y, t, s) indices on counts' axes, in the order the samples were given "
    "(pidkit.estimate.pid_from_representations does this for labels), or None to draw from the "
    "count table."
)


def _mismatch_error(held: np.ndarray, counts: np.ndarray, name: str) -> ValueError:
    """The refusal of sample cells counting to ``held``, a table of ``counts``' shape that
    differs from it, naming the first cell where they differ."""
    first = int(np.flatnonzero(held.ravel() != counts.ravel())[0])
    cell = tuple(int(i) for i in np.unravel_index(first, counts.shape))
    return ValueError(
        f"{name} must hold the cells of the samples counts was counted from; it puts "
        f"{int(held.ravel()[first])} samples in cell {cell}, where counts holds "
        f"{int(counts.ravel()[first])}. {_SAMPLE_CELLS_FIX}"
    )


def cells_of_samples(y: Any, t: Any, s: Any) -> np.ndarray:
    """Each sample's ``(y, t, s)`` indices into ``joint_from_samples(y, t, s).counts``, in the
    samples' order: shape ``(n_samples, 3)``, the ``rows`` of the cells of
    ``pidkit.samples.encoded_samples``, so that the rows count to its table.

    Examples
    --------
    >>> cells_of_samples(["b", "a", "b"], [1, 0, 0], [True, True, False]).tolist()
    [[1, 1, 1], [0, 0, 1], [1, 0, 0]]
    """
    return encoded_samples(y, t, s)[1].rows


def check_not_ids(labels: np.ndarray, name: str) -> None:
    """Refuse 1-D ``labels`` (hashable: :func:`check_labels`) holding a different value for every
    sample (3 samples or more): a sample id or a continuous target, not a class label, under
    which every source would seem to carry all the information there is."""
    n = labels.shape[0]
    if n >= 3 and len(set(labels.tolist())) == n:
        raise ValueError(
            f"{name} has a different value for each of its {n} samples, so it is no class label "
            "(each sample would be a class of its own, and any source would seem to determine it): "
            "is it a sample id or a continuous target? Pass the class labels, or discretise a "
            f"continuous target first, e.g. np.digitize({name}, np.quantile({name}, [0.25, 0.5, 0.75]))."
        )
