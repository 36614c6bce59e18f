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
PID is U plus constants, so ``gap`` bounds the error of every atom. A first-order bound on the
rounding of the log-determinant is added to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl

_EPS = float(np.finfo(float).eps)


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
    g_inv, m : numpy.ndarray of shape (r_t + r_s, r_t + r_s)
        ``G^-1`` and ``M = A S^-1 A^T = N^-1 - G^-1`` (what the Newton step needs).
    """

    sigma: np.ndarray
    value: float
    gap: float
    grad: np.ndarray
    g_inv: np.ndarray
    m: np.ndarray


def spectral_norm(sigma: np.ndarray) -> float:
    """Largest singular value (0 for an empty matrix)."""
    return float(np.linalg.norm(sigma, 2)) if sigma.size else 0.0


def clip_to_ball(sigma: np.ndarray) -> np.ndarray:
    """``sigma`` with its singular values clipped to at most 1 (a feasible coupling)."""
    if sigma.size == 0 or spectral_norm(sigma) <= 1.0:
        return sigma
    u, values, vt = np.linalg.svd(sigma, full_matrices=False)
    return (u * np.minimum(values, 1.0)) @ vt


def evaluate(sigma: np.ndarray, h_t: np.ndarray, h_s: np.ndarray) -> Point | None:
    """The value, gradient and certificate at ``sigma``; None where Q is degenerate.

    ``sigma`` must satisfy ``||sigma||_2 <= 1`` (see :func:`clip_to_ball`). None means that
    Cov_Q(T, S) or Cov_Q(Y | T, S) is numerically singular there (infinite information).
    """
    r_t, d = h_t.shape
    h = np.vstack([h_t, h_s])
    n = h.shape[0]
    if d == 0:
        zero = np.zeros((n, n))
        return Point(sigma, 0.0, 0.0, np.zeros_like(sigma), zero, zero)
    g = h @ h.T
    g[np.diag_indices(n)] += 1.0
    g[:r_t, r_t:] += sigma
    g[r_t:, :r_t] += sigma.T
    try:
        l_g = sl.cholesky(g, lower=True, check_finite=False)
        x = sl.solve_triangular(l_g, h, lower=True, check_finite=False)
        s_y = np.eye(d) - x.T @ x
        l_s = sl.cholesky(s_y, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    a = sl.solve_triangular(l_g, x, lower=True, trans="T", check_finite=False)  # G^-1 H
    z = sl.solve_triangular(l_s, a.T, lower=True, check_finite=False)  # L_S^-1 A^T
    m = z.T @ z
    b = m[:r_t, r_t:]
    gap = float(np.linalg.svd(b, compute_uv=False).sum() - np.sum(b * sigma)) if b.size else 0.0
    l_s_inv = sl.solve_triangular(l_s, np.eye(d), lower=True, check_finite=False)
    rounding = 16 * _EPS * (n + d) * float(np.sum(l_s_inv**2))  # |d log det S| <= tr(S^-1) |dS|
    g_inv = sl.cho_solve((l_g, True), np.eye(n), check_finite=False)
    return Point(
        sigma=sigma,
        value=float(-np.sum(np.log(np.diag(l_s)))),
        gap=max(gap, 0.0) + rounding,
        grad=b,
        g_inv=g_inv,
        m=m,
    )
