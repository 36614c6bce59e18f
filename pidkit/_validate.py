"""One place that checks and normalises the probability mass functions every entry point takes."""

from __future__ import annotations

from typing import Any

import numpy as np

SUM_TOLERANCE = 1e-9
"""How far the total mass may be from 1 before ``normalize=True`` is required."""


def _is_dit_distribution(obj: Any) -> bool:
    return type(obj).__module__.split(".")[0] == "dit"


def check_pmf(p: Any, *, name: str = "p", normalize: bool = False) -> np.ndarray:
    """Validate a probability mass function of any shape and return it as float64 summing to 1.

    Parameters
    ----------
    p : array_like
        Non-negative, finite masses.
    name : str, default="p"
        The argument's name, used in error messages.
    normalize : bool, default=False
        Rescale ``p`` to sum to 1 instead of rejecting a total off 1 by more than 1e-9.

    Returns
    -------
    numpy.ndarray
        A float64 copy of ``p`` that sums to 1.

    Raises
    ------
    TypeError
        If ``p`` is not numeric.
    ValueError
        If ``p`` is empty, contains NaN or infinity or negative mass, has total mass 0, or sums to a
        value other than 1 while ``normalize`` is False.

    Examples
    --------
    >>> check_pmf([1, 1, 2], normalize=True)
    array([0.25, 0.25, 0.5 ])
    """
    if _is_dit_distribution(p):
        raise TypeError(
            f"{name} is a dit Distribution; convert it first with "
            "pidkit.joint_from_dit(d, target=..., sources=...)."
        )
    try:
        arr = np.asarray(p)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of numbers; could not convert it: {exc}") from exc
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {arr.dtype} "
            f"(type {type(p).__name__}). Convert it with np.asarray(..., dtype=float)."
        )
    if arr.size == 0:
        raise ValueError(
            f"{name} is empty (shape {arr.shape}); every axis needs at least one entry."
        )
    arr = arr.astype(np.float64, copy=True)
    if np.isnan(arr).any():
        raise ValueError(
            f"{name} contains NaN at index {_first(np.isnan(arr))}; masses must be finite."
        )
    if np.isinf(arr).any():
        raise ValueError(
            f"{name} contains infinity at index {_first(np.isinf(arr))}; masses must be finite."
        )
    if (arr < 0).any():
        where = np.unravel_index(np.argmin(arr), arr.shape)
        raise ValueError(
            f"{name} has negative mass: {float(arr[where])!r} at index {tuple(int(i) for i in where)}; "
            "a probability mass function must be non-negative."
        )
    total = float(arr.sum())
    if total <= 0:
        raise ValueError(f"{name} has total mass 0; it must sum to 1.")
    if abs(total - 1.0) > SUM_TOLERANCE and not normalize:
        raise ValueError(
            f"{name} sums to {total!r}, not 1 (off by {abs(total - 1.0):.3g} > {SUM_TOLERANCE:g}). "
            "Pass normalize=True to rescale it, or fix the input."
        )
    return arr / total


def check_joint(p_yts: Any, *, name: str = "p_yts", normalize: bool = False) -> np.ndarray:
    """Validate a joint pmf indexed ``p[y, t, s]`` (target, teacher, student).

    Symbols of zero mass are allowed; solvers drop them internally and report results on the
    full shape.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
        The joint distribution of the target Y and the two sources T and S.
    name : str, default="p_yts"
        The argument's name, used in error messages.
    normalize : bool, default=False
        Rescale to sum 1 instead of rejecting a total off 1 by more than 1e-9.

    Returns
    -------
    numpy.ndarray of shape (n_y, n_t, n_s)
        A float64 copy summing to 1.

    Raises
    ------
    TypeError, ValueError
        As :func:`check_pmf`, and ``ValueError`` if ``p_yts`` is not 3-D or has an empty axis.

    Examples
    --------
    >>> check_joint(np.full((2, 2, 2), 0.125)).shape
    (2, 2, 2)
    """
    if not _is_dit_distribution(p_yts):
        shape = np.shape(p_yts) if not isinstance(p_yts, (str, bytes)) else ()
        if len(shape) != 3:
            raise ValueError(
                f"{name} must be a 3-D array indexed {name}[y, t, s] (target, teacher, student); "
                f"got {len(shape)}-D with shape {shape}. Reshape it, or build it from samples with "
                "pidkit.joint_from_samples(y, t, s)."
            )
        if 0 in shape:
            raise ValueError(
                f"{name} has an empty axis (shape {shape}); each of Y, T and S needs at least "
                "one symbol."
            )
    return check_pmf(p_yts, name=name, normalize=normalize)


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
        If ``cov`` is not numeric or ``dims`` is not a sequence of integers.
    ValueError
        If ``cov`` is not a non-empty square matrix, contains NaN or infinity, is not symmetric
        (to 1e-8 of its largest entry), has an eigenvalue below ``-n * 1000 * eps`` times its largest
        one (``eps`` of the input's float type), or if ``dims`` has a block below 1 or does not add
        up to ``n``.

    Examples
    --------
    >>> check_covariance([[2.0, 1.0], [1.0, 2.0]], dims=(1, 1))
    array([[2., 1.],
           [1., 2.]])
    """
    try:
        arr = np.asarray(cov)
    except Exception as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of numbers; could not convert it: {exc}") from exc
    if arr.dtype == bool or not (
        np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
    ):
        raise TypeError(
            f"{name} must be an array of real numbers; got dtype {arr.dtype} "
            f"(type {type(cov).__name__}). Convert it with np.asarray(..., dtype=float)."
        )
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1] or arr.size == 0:
        raise ValueError(
            f"{name} must be a non-empty square 2-D matrix (the covariance of the stacked vector); "
            f"got shape {arr.shape}."
        )
    eps = float(np.finfo(arr.dtype).eps) if np.issubdtype(arr.dtype, np.floating) else 2.0**-52
    arr = arr.astype(np.float64, copy=True)
    for bad, what in ((np.isnan(arr), "NaN"), (np.isinf(arr), "infinity")):
        if bad.any():
            raise ValueError(f"{name} contains {what} at index {_first(bad)}; entries must be finite.")
    if dims is not None:
        if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__"):
            raise TypeError(
                f"{dims_name} must be a sequence of block sizes such as (d_y, d_t, d_s); got {dims!r}."
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
            raise ValueError(
                f"{dims_name} = {sizes} adds up to {sum(sizes)}, but {name} is "
                f"{arr.shape[0]} x {arr.shape[0]}; the block sizes must add up to the matrix size."
            )
    scale = float(np.abs(arr).max())
    asymmetry = np.abs(arr - arr.T)
    if asymmetry.max() > 1e-8 * scale:
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

