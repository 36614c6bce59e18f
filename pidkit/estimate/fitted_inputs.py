"""Checks of what a fitted Projector or Discretizer is given later: fitted, width, column names, dtype.

A fitted :class:`pidkit.estimate.Projector` or :class:`pidkit.estimate.Discretizer` maps a later
epoch's features through the pipeline it was fitted on. These checks refuse what it cannot map as
it was fitted: an estimator not fitted yet, another number of features, a DataFrame with other
columns or another order (as scikit-learn's ``feature_names_in_`` does), and values its fitted
dtype cannot hold.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.exceptions import NotFittedError

from pidkit._caller import user_stacklevel

from .inputs import check_features

__all__ = ["check_feature_names", "check_fitted", "check_fitted_input", "feature_names"]


def check_fitted(estimator: Any, first: str = "fit(X)") -> None:
    """Raise scikit-learn's ``NotFittedError`` (a ValueError) when ``estimator`` (a Projector or
    Discretizer) is not fitted; ``first`` says what to call."""
    if not hasattr(estimator, "pipeline_"):
        raise NotFittedError(f"This {type(estimator).__name__} is not fitted yet; call {first} first.")


def feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame-like ``X`` as scikit-learn keeps them (``feature_names_in_``,
    an object array) when every one is a string, else ``None`` (arrays; integer column labels).

    Examples
    --------
    >>> feature_names(np.ones((3, 2))) is None  # pandas.DataFrame({"a": ..., "b": ...}): ['a', 'b']
    True
    """
    columns = getattr(X, "columns", None)
    if columns is None or not hasattr(X, "to_numpy"):
        return None
    names = np.asarray(list(columns), dtype=object)
    return names if names.size and all(isinstance(column, str) for column in names) else None


def check_feature_names(estimator: Any, names: np.ndarray | None, name: str, *, reset: bool) -> None:
    """Record (``reset=True``, at fit) or check ``names``, the column names of ``name``, as
    scikit-learn does with ``feature_names_in_``.

    Columns given in another order or under other names than at fit are a ValueError (the
    features would be paired with the wrong components silently); names on one side only are a
    UserWarning, as in scikit-learn.
    """
    kind = type(estimator).__name__
    if reset:
        if names is None:
            estimator.__dict__.pop("feature_names_in_", None)
        else:
            estimator.feature_names_in_ = names
        return
    fitted = getattr(estimator, "feature_names_in_", None)
    if fitted is None and names is not None:
        warnings.warn(f"{name} has feature names, but {kind} was fitted without feature names",
                      UserWarning, stacklevel=user_stacklevel())
    elif fitted is not None and names is None:
        warnings.warn(f"{name} does not have valid feature names, but {kind} was fitted with feature "
                      "names", UserWarning, stacklevel=user_stacklevel())
    elif fitted is not None and names is not None and not np.array_equal(fitted, names):
        fitted_set, given_set = set(fitted), set(names)
        unseen = [column for column in names if column not in fitted_set]
        missing = [column for column in fitted if column not in given_set]
        if not unseen and not missing:
            what = "the same columns in another order"
        else:
            shown = [f"{label} {columns[:5]}{' ...' if len(columns) > 5 else ''}"
                     for label, columns in (("columns not seen at fit", unseen),
                                            ("none of the fitted columns", missing)) if columns]
            what = " and ".join(shown)
        raise ValueError(
            f"The feature names should match those that were passed during fit: {name} has {what}. "
            f"Select the columns the {kind} was fitted on, in that order: "
            f"{name}[{kind.lower()}.feature_names_in_], {kind.lower()} being the fitted {kind}."
        )


def check_fitted_input(
    estimator: Any, X: Any, name: str, first: str = "fit(X)", names: np.ndarray | None = None
) -> np.ndarray:
    """``X`` checked as features for the fitted ``estimator`` (a Projector or Discretizer).

    Raises ``NotFittedError`` when ``estimator`` is not fitted (:func:`check_fitted`), and a
    ValueError naming ``name`` when it was fitted on another number of features or other column
    names (:func:`check_feature_names`; ``names`` are ``X``'s when it is already an array, else
    read from ``X``). ``X`` is cast to the dtype the estimator was fitted on (``dtype_``): KMeans
    refuses float64 rows once fitted on float32, and the reverse.
    """
    kind = type(estimator).__name__
    check_fitted(estimator, first)
    names = feature_names(X) if names is None else names
    X = check_features(X, name)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"{name} has {X.shape[1]} features, but {kind} is expecting {estimator.n_features_in_} "
            "features as input (the width it was fitted on); pass features of the same layer "
            "(flattened the same way)."
        )
    check_feature_names(estimator, names, name, reset=False)
    with np.errstate(over="ignore"):  # X is finite: only a narrowing cast can make an inf, said below
        cast = X.astype(getattr(estimator, "dtype_", X.dtype), copy=False)  # fitted before dtype_: as is
    if cast.dtype.itemsize < X.dtype.itemsize and not np.isfinite(cast).all():  # not what rounds to the max
        raise ValueError(
            f"{name} holds values up to {np.abs(X).max():.3g}, beyond {cast.dtype} (at most "
            f"{np.finfo(cast.dtype).max:.3g}), the dtype this {kind} was fitted on; cast to it they would be "
            "infinite. Fit it afresh on these features (in pid_from_representations: None for that side of "
            "discretizers=)."
        )
    return cast
