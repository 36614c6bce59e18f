"""The Gaussian union-information program, its value at a coupling, and the certificate of that value.

After whitening Y and reducing the sources (see :mod:`pidkit.gaussian.reduce`), the channels are
``T = H_t Y + n_t`` and ``S = H_s Y + n_s`` with Cov(Y) = Cov(n_t) = Cov(n_s) = I. A joint Gaussian
Q with the same (Y,T) and (Y,S) marginals is fixed by the noise cross-covariance
``Sigma = Cov_Q(n_t, n_s)``, which is feasible exactly when ``||Sigma||_2 <= 1``. With
``H = [H_t; H_s]``, ``N = [[I, Sigma], [Sigma^T, I]]`` and ``G = H H^T + N = Cov_Q(T, S)``,

    Cov_Q(Y | T, S) = I - H^T G^-1 H,     I_Q(Y; T, S) = -1/2 log det Cov_Q(Y | T, S),

and the union information is ``U = min over ||Sigma|| <= 1 of I_Q(Y; T, S)``. Equivalently one
maximises ``p(Sigma) = log det(I - H^T G(Sigma)^-1 H)``, which is concave: ``N -> -H^T (HH^T + N)^-1 H``
is operator concave and log det is concave and monotone. Its gradient is
``grad p = 2 B`` with ``B = [A S^-1 A^T]_ts``, ``A = G^-1 H`` (the regression of Y on (T, S) under Q)
and ``S = Cov_Q(Y | T, S)``.

**Certificate.** Write the program as: maximise log det S_Y subject to
``[[I - S_Y, H^T], [H, H H^T + N(Sigma)]] >= 0`` and ``N(Sigma) >= 0``. Its Lagrange dual, with
multipliers ``Z >= 0`` for the first constraint and ``W >= 0`` for the second, is: minimise
``-log det Z_11 - d + tr Z_11 + 2 <Z_12, H^T> + tr(Z_22 (H H^T + I)) + tr W`` subject to
``(Z_22 + W)_ts = 0``. At any feasible Sigma, the multipliers that complementary slackness
suggests, ``Z = [I; -A] S^-1 [I; -A]^T`` and the cheapest ``W`` with the required off-diagonal block
(trace ``2 ||B||_*``, the nuclear norm), are dual feasible, and their dual value exceeds the primal
``log det S`` by ``2 (||B||_* - <B, Sigma>)``. Hence, in nats,

    U(Sigma) - gap  <=  U*  <=  U(Sigma),      gap = ||B||_* - <B, Sigma>,

which is also the Frank-Wolfe gap of the concave ``p`` over the spectral-norm ball. Every atom of the
PID is U plus constants, so ``gap`` bounds the error of every atom. An allowance for the rounding of
the log-determinant is added to it.

This program is what the cvxpy reference solves (:mod:`pidkit.gaussian.cvxpy_reference`); the
native path has its optimum in closed form (:mod:`pidkit.gaussian.closed_form`) and uses
:func:`evaluate` for the upper half of its certificate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl

_EPS = float(np.finfo(float).eps)
SHRINK = (1e-13, 1e-11, 1e-9, 1e-7)
"""Factors tried, in order, by :func:`evaluate_inside` to move a coupling strictly inside the ball."""


@dataclass(frozen=True)
class Point:
    """The program evaluated at one feasible coupling ``sigma``.

    Attributes
    ----------
    sigma : numpy.ndarray of shape (r_t, r_s)
        The noise cross-covariance Cov_Q(n_t, n_s).
    value : float
        I_Q(Y; T, S) in nats: an upper bound on the union information.
    gap : float
        ``value`` minus a dual lower bound on the union information, plus a rounding allowance.
    grad : numpy.ndarray of shape (r_t, r_s)
        ``B``: half the gradient of log det Cov_Q(Y|T,S) with respect to ``sigma``.
    """

    sigma: np.ndarray
    value: float
    gap: float
    grad: np.ndarray


def spectral_norm(sigma: np.ndarray) -> float:
    """Largest singular value (0 for an empty matrix)."""
    return float(np.linalg.norm(sigma, 2)) if sigma.size else 0.0


def clip_to_ball(sigma: np.ndarray) -> np.ndarray:
    """``sigma`` with its singular values clipped to at most 1 (a feasible coupling)."""
    if sigma.size == 0 or spectral_norm(sigma) <= 1.0:
        return sigma
    u, values, vt = np.linalg.svd(sigma, full_matrices=False)
    return (u * np.minimum(values, 1.0)) @ vt


def evaluate(
    sigma: np.ndarray, h_t: np.ndarray, h_s: np.ndarray, *, certify: bool = True
) -> Point | None:
    """The value, gradient and certificate at a coupling strictly inside the unit ball.

    With ``certify=False`` only ``value`` is computed (``gap`` is NaN, ``grad`` empty).

    Computed as ``1/2 log det(I + H^T N^-1 H)`` (no cancellation, also when the information is
    large). Returns None when ``N(sigma)`` is not numerically positive definite: shrink a boundary
    coupling first (``(1 - eps) * sigma``; by concavity this raises the value by at most
    ``eps * (I(Y;T) + I(Y;S))``).
    """
    r_t, d = h_t.shape
    r_s = h_s.shape[0]
    if d == 0:
        return Point(sigma, 0.0, 0.0, np.zeros_like(sigma))
    n = np.eye(r_t + r_s)
    n[:r_t, r_t:] = sigma
    n[r_t:, :r_t] = sigma.T
    h = np.vstack([h_t, h_s])
    try:
        l_n = sl.cholesky(n, lower=True, check_finite=False)
        y = sl.solve_triangular(l_n, h, lower=True, check_finite=False)
        fisher = y.T @ y  # H^T N^-1 H: the Fisher information of (T, S) about Y under Q
        l_a = sl.cholesky(np.eye(d) + fisher, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    value = float(np.sum(np.log(np.diag(l_a))))
    if not certify:
        return Point(sigma, value, float("nan"), np.zeros((0, 0)))
    # B = [N^-1 H (I + F)^-1 H^T N^-1]_ts, the gradient of log det Cov_Q(Y|T,S) over 2.
    z = sl.solve_triangular(l_a, sl.solve_triangular(l_n, y, lower=True, trans="T").T, lower=True)
    b = z[:, :r_t].T @ z[:, r_t:]
    gap = float(np.linalg.svd(b, compute_uv=False).sum() - np.sum(b * sigma)) if b.size else 0.0
    return Point(
        sigma=sigma,
        value=value,
        gap=max(gap, 0.0) + rounding_allowance(d, spectral_norm(fisher)),
        grad=b,
    )


def evaluate_inside(
    sigma: np.ndarray, h_t: np.ndarray, h_s: np.ndarray, *, certify: bool = True
) -> Point | None:
    """:func:`evaluate` at ``(1 - shrink) * sigma`` for the first :data:`SHRINK` factor that works.

    Optima often lie on the boundary ``||sigma|| = 1``; shrinking by ``shrink`` raises the value by
    at most ``shrink * (I(Y;T) + I(Y;S))`` (concavity), and the point stays a valid upper bound.
    None if no factor gives a positive definite ``N``.
    """
    for shrink in SHRINK:
        point = evaluate((1.0 - shrink) * sigma, h_t, h_s, certify=certify)
        if point is not None:
            return point
    return None


def rounding_allowance(d: int, fisher_norm: float) -> float:
    """Allowance for rounding in ``1/2 log det(I + F)``: eps ||I + F|| per eigenvalue (Weyl)."""
    return _EPS * d * (1.0 + fisher_norm)
