"""One place that checks and normalises the probability mass functions every entry point takes."""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Sequence
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



def check_tol(tol: Any, *, name: str = "tol") -> float:
    """Return ``tol`` as a float if it is a positive, finite real number (a tolerance in bits).

    Examples
    --------
    >>> check_tol(1e-6)
    1e-06
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


def check_flag(value: Any, *, name: str) -> bool:
    """Return ``value`` as a bool if it is one (Python or NumPy bool), else raise ``TypeError``.

    Examples
    --------
    >>> check_flag(np.True_, name="strict")
    True
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise TypeError(f"{name} must be True or False; got {value!r} ({type(value).__name__}).")


def check_choice(value: Any, choices: Sequence[str], *, name: str) -> str:
    """Return ``value`` if it is one of the strings ``choices``, else raise naming the choices.

    Examples
    --------
    >>> check_choice("auto", ("auto", "native"), name="method")
    'auto'
    """
    if len(choices) == 2:
        listed = f"{choices[0]!r} or {choices[1]!r}"
    else:
        listed = f"one of {list(choices)}"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {listed}; got {value!r} ({type(value).__name__}).")
    if value not in choices:
        close = difflib.get_close_matches(value, choices, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"{name} must be {listed}; got {value!r}.{hint}")
    return value


def available_memory() -> int:
    """Bytes of memory the operating system can give this process now without swapping."""
    import psutil

    return int(psutil.virtual_memory().available)
