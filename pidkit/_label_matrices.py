"""The refusal of labels of two axes or more, with the fix that what they hold calls for.

A column or a row of labels is told how to make it 1-D. A matrix is told by its values: a one-hot
matrix (0 and 1, one 1 a row) to take each row's argmax; class probabilities (rows of values in
[0, 1] summing to 1) to take their argmax if they are soft targets; any other matrix, most often
features passed first in scikit-learn's ``X, y`` order, that ``y``, the labels, is the first
argument. Telling a feature matrix to take its argmax gave labels that ran and meant nothing.
:func:`labels_shape_error` words the estimators' refusal, :func:`not_one_axis_error`
:func:`pidkit.joint_from_samples`'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
from scipy.sparse import issparse

from ._arrays import batches_hint, column_fix, method_fix, to_numpy

__all__ = ["labels_shape_error", "matrix_kind", "not_one_axis_error"]

MatrixKind = Literal["one-hot", "probabilities", "other"]
"""What :func:`matrix_kind` finds a matrix given as labels to hold."""

_SUM_TOLERANCE = 1e-4
"""How far from 1 a row of class probabilities may sum (float32 softmax rows are off by ~1e-7)."""


def matrix_kind(values: Any) -> MatrixKind:
    """What a matrix given as labels holds: ``"one-hot"`` (numbers 0 and 1, one 1 a row),
    ``"probabilities"`` (numbers in [0, 1] whose rows sum to 1, as a softmax gives) or
    ``"other"`` (features, or anything not of two axes of at least two rows and two columns: one
    row is as much one sample's features). A scipy.sparse matrix or array is read from its stored
    values and row sums, without densifying it.

    Parameters
    ----------
    values : numpy.ndarray or scipy.sparse matrix or array
        The labels as read.

    Returns
    -------
    str

    Examples
    --------
    >>> matrix_kind(np.eye(3)[[0, 2, 1, 0]]), matrix_kind(np.array([[0.9, 0.1], [0.3, 0.7]]))
    ('one-hot', 'probabilities')
    >>> matrix_kind(np.array([[0.5, -1.2], [2.0, 0.3]]))
    'other'
    """
    shape = getattr(values, "shape", ())
    kind = getattr(getattr(values, "dtype", None), "kind", "")
    if len(shape) != 2 or min(shape) < 2 or kind not in "biuf":
        return "other"
    entries = values.data if issparse(values) else values
    if not np.isfinite(entries).all():
        return "other"
    row_sums = np.asarray(values.sum(axis=1)).ravel()
    if np.isin(entries, (0, 1)).all() and (row_sums == 1).all():
        return "one-hot"
    if ((entries >= 0) & (entries <= 1)).all() and np.allclose(row_sums, 1, rtol=0, atol=_SUM_TOLERANCE):
        return "probabilities"
    return "other"


def _read_matrix(given: Any) -> Any:
    """``given`` as an array to read its values from (a scipy.sparse one as it is), else ``None``:
    a one-shot iterator was read already, and what cannot be read says nothing."""
    if issparse(given):
        return given
    if hasattr(given, "__next__"):
        return None
    try:
        return to_numpy(given)
    except (TypeError, ValueError):
        return None


def _features_fix(name: str) -> str:
    """The fix told to a matrix passed as labels ``name`` that is neither one-hot nor class
    probabilities: most often features passed first, in scikit-learn's ``X, y`` order."""
    if name == "y":
        return ("y, the labels, is the first argument, before the features (not scikit-learn's X, y "
                "order): pid_from_representations(y, t_features, s_features).")
    return ("For feature matrices use pidkit.estimate.pid_from_representations(y, t_features, "
            "s_features), which discretises them.")


def labels_shape_error(given: Any, shape: tuple[int, ...], name: str) -> ValueError:
    """The error for labels ``given``, passed as argument ``name``, of ``shape``, which is not 1-D:
    a column or a row of labels is told code that makes it 1-D and works on what was passed
    (:func:`~pidkit._arrays.column_fix`, :func:`~pidkit._arrays.method_fix`: a scipy.sparse one's
    own reduction, which does not densify a large one-hot matrix); a matrix is told the fix its
    values call for (:func:`matrix_kind`). Shared by :func:`pidkit._labels.label_array` and
    :func:`pidkit.estimate.inputs.check_labels`.

    Parameters
    ----------
    given : object
        The labels as passed.
    shape : tuple of int
        Their shape, of other than one axis.
    name : str
        The argument's name, for the message.

    Returns
    -------
    ValueError

    Examples
    --------
    >>> from scipy.sparse import csr_array
    >>> print(labels_shape_error(csr_array(np.eye(3)[[0, 2, 1, 0, 2]]), (5, 3), "y"))
    y must be a 1-D array of labels, one per sample; got shape (5, 3). For one-hot targets pass \
np.asarray(y.argmax(axis=1)).ravel().
    >>> print(labels_shape_error(np.ones((4, 6)) / 3, (4, 6), "y"))
    y must be a 1-D array of labels, one per sample; got shape (4, 6). y, the labels, is the first \
argument, before the features (not scikit-learn's X, y order): pid_from_representations(y, \
t_features, s_features).
    """
    if len(shape) == 2 and shape[1] == 1:
        hint = f"For a column of labels pass {column_fix(given, name)}."
    elif len(shape) == 2 and shape[0] == 1:  # the labels of shape[1] samples, not one one-hot row
        hint = f"For a row of labels pass {method_fix(given, name, 'ravel()')}."
    elif len(shape) == 2:  # a few batches of labels of one size stack into rows too (one-hot: many)
        batches = batches_hint(given, name) if shape[0] < shape[1] else ""
        argmax = method_fix(given, name, "argmax(axis=1)")
        kind = matrix_kind(_read_matrix(given))
        if kind == "one-hot":
            fix = f"For one-hot targets pass {argmax}."
        elif kind == "probabilities":
            fix = (f"For class probabilities (soft targets) pass {argmax}, each sample's likeliest "
                   f"class. {_features_fix(name)}")
        else:  # batches of labels are told only to join them
            fix = "" if batches else _features_fix(name)
        hint = f"{batches} {fix}".strip()
    else:
        hint = "Pass one label per sample."
    return ValueError(f"{name} must be a 1-D array of labels, one per sample; got shape {shape}. {hint}")


def not_one_axis_error(
    given: Any, arr: np.ndarray, name: str, others: Mapping[str, int | None]
) -> ValueError:
    """The refusal of labels ``given``, passed as argument ``name`` and read as ``arr``, which is
    not 1-D, by :func:`pidkit._labels.encode_labels`: a column is told to ravel it
    (:func:`~pidkit._arrays.column_fix`), and so is a row of ``k`` labels where an argument among
    ``others`` (its name -> the number of samples it holds, ``None`` where unknown) holds ``k``
    samples; a one-hot matrix (:func:`matrix_kind`) is told to take each row's argmax; anything
    else, one sample's features among them, is pointed to the estimator of features.

    Examples
    --------
    >>> print(not_one_axis_error([[0, 1, 1]], np.array([[0, 1, 1]]), "y", {"t": 3, "s": 3}))
    y must be 1-D (one label per sample); got shape (1, 3). y is one row of 3 labels, as t and s \
hold 3 samples: pass np.asarray(y).ravel().
    """
    shape = arr.shape
    shown_by = [other for other, count in others.items() if len(shape) == 2 and count == shape[1]]
    if shape[1:] == (1,):
        fix = f"For a column of labels pass {column_fix(given, name)}."
    elif shape[0] == 1 and shown_by:  # the labels of all samples in a row, not one sample's features
        holds = f"{' and '.join(shown_by)} hold{'' if len(shown_by) > 1 else 's'} {shape[1]} samples"
        ravel = method_fix(given, name, "ravel()")
        fix = f"{name} is one row of {shape[1]} labels, as {holds}: pass {ravel}."
    elif matrix_kind(arr) == "one-hot":
        fix = (f"{name} is one-hot (one 1 a row): pass each sample's class, "
               f"{method_fix(given, name, 'argmax(axis=1)')}.")
    else:
        fix = "For feature matrices use pidkit.estimate.pid_from_representations, which discretises them."
    return ValueError(f"{name} must be 1-D (one label per sample); got shape {shape}. {fix}")
