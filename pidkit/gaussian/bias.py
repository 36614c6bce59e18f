"""The exact finite-sample bias of Gaussian log-determinants and informations, and the channel
correction that :func:`~pidkit.gaussian.gaussian_pid_from_samples` builds on them (the reasoning
is in the notes of :mod:`pidkit.gaussian.samples`).
"""

from __future__ import annotations

import numpy as np
import scipy.special as sp

from .._settings import check_int

__all__ = ["corrected_channel", "information_bias", "log_det_bias"]


def log_det_bias(dim: int, dof: int) -> float:
    """Exact bias of the log-determinant of a sample covariance: ``E[log det(W/N)] - log det C``.

    Parameters
    ----------
    dim : int
        Dimension d of the Gaussian block.
    dof : int
        Degrees of freedom N of the Wishart matrix W (``n - 1`` for a covariance with the mean
        subtracted); must exceed ``dim - 1``.

    Raises
    ------
    TypeError, ValueError
        For a ``dim`` that is not an int >= 0, or a ``dof`` that is not an int >= max(dim, 1).

    Examples
    --------
    >>> from pidkit.gaussian import log_det_bias
    >>> round(log_det_bias(1, 10), 6)  # psi(5) + log(1/5)
    -0.10332
    >>> log_det_bias(3, 2)
    Traceback (most recent call last):
    ...
    ValueError: dof must be at least dim = 3: the Wishart matrix of a 3-dimensional block is ... got 2.
    """
    dim, dof = _checked_dof({"dim": dim}, dof)
    return _log_det_bias(dim, dof)


def _log_det_bias(dim: int, dof: int) -> float:
    k = np.arange(1, dim + 1)
    return float(np.sum(sp.digamma((dof - k + 1) / 2.0)) + dim * np.log(2.0 / dof))


def _checked_dof(dims: dict[str, int], dof: int) -> tuple[int, int]:
    """The total of the named dimensions (ints >= 0) and ``dof``, an int at least that total."""
    total = sum(check_int(value, name, minimum=0, meaning=f"the dimension of a Gaussian block, e.g. {name}=3")
                for name, value in dims.items())
    dof = check_int(dof, "dof", minimum=1, meaning=(
        "the Wishart matrix's degrees of freedom, n - 1 for n samples, e.g. dof=99"))
    if dof < total:
        names = " + ".join(dims)
        raise ValueError(
            f"dof must be at least {names} = {total}: the Wishart matrix of a {total}-dimensional "
            f"block is singular with fewer degrees of freedom (n - 1 for n samples); got {dof}."
        )
    return total, dof


def information_bias(dim_a: int, dim_b: int, dof: int) -> float:
    """Exact bias, in nats, of the plug-in Gaussian I(A;B) from a ``dof``-degree sample covariance.

    ``E[plug-in I(A;B)] - I(A;B)`` for jointly Gaussian A and B, whatever their covariance:
    half the sum of the :func:`~pidkit.gaussian.log_det_bias` of the blocks A and B minus that
    of [A, B]. It is what :func:`~pidkit.gaussian.gaussian_pid_from_samples` subtracts with
    ``bias_correction=True``.

    Parameters
    ----------
    dim_a, dim_b : int
        Dimensions of A and B.
    dof : int
        Degrees of freedom of the sample covariance: ``n - 1`` for ``n`` samples with the mean
        subtracted; must exceed ``dim_a + dim_b - 1``.

    Returns
    -------
    float
        The bias in nats (positive: the plug-in overestimates).

    Raises
    ------
    TypeError, ValueError
        For dimensions that are not ints >= 0, or a ``dof`` that is not an int >= max(dim_a +
        dim_b, 1).

    Examples
    --------
    A pair of scalars from 100 samples, and two 8-dimensional features from 1000 samples:

    >>> from pidkit.gaussian import information_bias
    >>> round(information_bias(1, 1, 99), 5)
    0.00513
    >>> import math
    >>> round(information_bias(8, 8, 999) / math.log(2), 4)          # in bits
    0.0466
    """
    total, dof = _checked_dof({"dim_a": dim_a, "dim_b": dim_b}, dof)
    return 0.5 * (_log_det_bias(int(dim_a), dof) + _log_det_bias(int(dim_b), dof) - _log_det_bias(total, dof))


def corrected_channel(h: np.ndarray, information_nats: float) -> tuple[np.ndarray, float]:
    """Scale ``I + J`` (``J = h^T h``) by the ``c <= 1`` that brings its information down to the target.

    ``h`` has orthogonal rows (as :func:`~pidkit.gaussian.reduce.reduce_covariance` returns them),
    so ``J``'s eigenvalues are the squared row norms ``k^2``; the corrected rows are scaled to
    ``sqrt(max(c (1 + k^2) - 1, 0))``. Returns the corrected channel and ``c``.
    """
    k2 = np.sum(h**2, axis=1)
    if k2.size == 0:
        return h, 1.0

    def excess(log_c: float) -> float:
        return 0.5 * float(np.sum(np.maximum(log_c + np.log1p(k2), 0.0))) - information_nats

    low = -float(np.log1p(k2.max()))
    if information_nats <= 0.0:
        log_c = low
    elif excess(0.0) <= 0.0:
        log_c = 0.0
    else:
        from scipy.optimize import brentq  # here, not on import pidkit (0.2 s, in every worker too)

        log_c = brentq(excess, low, 0.0, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    target = np.maximum(np.exp(log_c) * (1.0 + k2) - 1.0, 0.0)
    return h * np.sqrt(target / k2)[:, None], float(np.exp(log_c))
