"""The Gaussian union information in closed form, with a primal-dual certificate (the native method).

Notation as in :mod:`pidkit.gaussian.program`: whitened Y, reduced channels ``H_t``, ``H_s``,
``J_t = H_t^T H_t`` and ``J_s = H_s^T H_s`` (Fisher informations), and the posterior covariances
``C_t = Cov(Y|T) = (I + J_t)^-1``, ``C_s = Cov(Y|S) = (I + J_s)^-1``.

**Theorem.** With ``mu_1..mu_d`` the eigenvalues of ``C_t C_s^-1`` (the generalized eigenvalues of
``(I + J_s, I + J_t)``, i.e. ratios of posterior variances in a basis that diagonalises both),

    U       = I(Y;T) + 1/2 sum_i max(0,  log mu_i) = I(Y;S) + 1/2 sum_i max(0, -log mu_i),
    Uni_S   = 1/2 sum_i max(0,  log mu_i),     Uni_T = 1/2 sum_i max(0, -log mu_i).

*Proof.* (1) Any Gaussian coupling Q has I_Q(Y;T,S) = 1/2 log det(I + F_Q) with F_Q = H^T N^-1 H the
Fisher information of (T, S), and F_Q >= J_t, F_Q >= J_s (a pair is at least as informative as
either member). (2) Conversely, for any F >= J_t, J_s let Z be the channel with Fisher information
F; T and S are Gaussian garblings of Z (Blackwell), so Y -> Z -> (T, S) with T, S independent given Z
is a coupling with I_Q(Y;T,S) <= I(Y;Z) = 1/2 log det(I + F). Hence
U = min { 1/2 log det(I + F) : F >= J_t, F >= J_s }, and with P = (I + F)^-1,

    U = -1/2 max { log det P : 0 < P <= C_t, P <= C_s },

the largest centred ellipsoid inside two ellipsoids: a convex (max-det) program. (3) In coordinates
where C_t = I and C_s = diag(1/mu) (a congruence, which shifts log det P by a constant), every
feasible P has P_ii <= min(1, 1/mu_i), and by Hadamard's inequality det P <= prod P_ii, attained by
the diagonal P. The optimal coupling is the one of (2) with F* = P*^-1 - I; its noise cross-covariance
is ``Sigma* = H_t F*^+ H_s^T``. (Scalar targets give U = max(I(Y;T), I(Y;S)), the MMI
decomposition; Blackwell-ordered channels give U = the larger information.)

**Certificate.** The answer is checked numerically, not trusted: the Sigma program of
:mod:`pidkit.gaussian.program` is evaluated at the explicit coupling ``(1 - eps) Sigma*`` (an upper
bound on U: any feasible coupling is), and the Lagrange dual of the max-det program,

    max log det P  <=  g(W_t, W_s) = tr(W_t C_t) + tr(W_s C_s) - log det(W_t + W_s) - d,
                                     for all W_t, W_s >= 0,

is evaluated at the multipliers complementary slackness gives (a lower bound -g/2 on U, valid by
step (1)). The reported ``gap`` is the width of the interval spanned by both bounds and the closed
form, plus an allowance for rounding (eps ||I + F*|| per dimension).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl

from .program import evaluate_inside, rounding_allowance

PINV_RTOL = 1e-13
"""Eigenvalues of F* below this fraction of the largest are treated as zero in F*^+."""


@dataclass(frozen=True)
class ClosedFormSolution:
    """The union information, its certified bounds and the optimal coupling.

    Attributes
    ----------
    union_nats : float
        U in nats, from the closed form.
    lower_nats, upper_nats : float
        The dual lower bound and the value of an explicit coupling.
    gap_nats : float
        The width of the smallest interval holding the bounds and U, plus a rounding allowance: a
        bound on the error of U.
    sigma : numpy.ndarray of shape (r_t, r_s)
        The optimal coupling Cov_Q(n_t, n_s) of the reduced noises.
    ratios : numpy.ndarray of shape (d,)
        ``mu``: the eigenvalues of Cov(Y|T) Cov(Y|S)^-1, ascending.
    """

    union_nats: float
    lower_nats: float
    upper_nats: float
    gap_nats: float
    sigma: np.ndarray
    ratios: np.ndarray


def _sym(a: np.ndarray) -> np.ndarray:
    return (a + a.T) / 2


def _log_det(a: np.ndarray) -> float:
    return 2.0 * float(np.sum(np.log(np.diag(sl.cholesky(a, lower=True, check_finite=False)))))


def solve_closed_form(h_t: np.ndarray, h_s: np.ndarray) -> ClosedFormSolution:
    """The union information of the reduced channels ``h_t`` (r_t x d) and ``h_s`` (r_s x d)."""
    d = h_t.shape[1]
    sigma_shape = (h_t.shape[0], h_s.shape[0])
    if d == 0:
        return ClosedFormSolution(0.0, 0.0, 0.0, 0.0, np.zeros(sigma_shape), np.zeros(0))
    j_t, j_s = h_t.T @ h_t, h_s.T @ h_s
    lam_t, e_t = np.linalg.eigh(j_t)
    a_t = 1.0 + np.maximum(lam_t, 0.0)
    root_inv = (e_t / np.sqrt(a_t)) @ e_t.T  # (I + J_t)^-1/2 = C_t^1/2
    root = (e_t * np.sqrt(a_t)) @ e_t.T  # (I + J_t)^1/2
    mu, v = np.linalg.eigh(_sym(root_inv @ (np.eye(d) + j_s) @ root_inv))
    union = 0.5 * float(np.sum(np.log(a_t)) + np.sum(np.log(np.maximum(mu, 1.0))))
    # F* = P*^-1 - I = J_t + (I + J_t)^1/2 V diag((mu - 1)+) V^T (I + J_t)^1/2, without cancellation.
    excess = (root @ v) * np.sqrt(np.maximum(mu - 1.0, 0.0))
    fisher_inverse, fisher_norm = _pinv_psd(_sym(j_t + excess @ excess.T))
    # ||Sigma*|| <= 1 in exact arithmetic; evaluate_inside's shrink absorbs rounding beyond 1.
    sigma = h_t @ fisher_inverse @ h_s.T
    point = evaluate_inside(sigma, h_t, h_s, certify=False)
    upper = float("inf") if point is None else point.value
    lower = _lower_bound(root @ v, mu, j_t, j_s)
    return ClosedFormSolution(
        union_nats=union,
        lower_nats=lower,
        upper_nats=upper,
        gap_nats=max(upper, union) - min(lower, union) + rounding_allowance(d, fisher_norm),
        sigma=sigma,
        ratios=mu,
    )


def _pinv_psd(a: np.ndarray) -> tuple[np.ndarray, float]:
    """Pseudo-inverse of a positive semi-definite matrix, and its largest eigenvalue."""
    values, vectors = np.linalg.eigh(a)
    largest = max(float(values[-1]), 0.0)
    keep = values > PINV_RTOL * largest
    return (vectors[:, keep] / values[keep]) @ vectors[:, keep].T, largest


def _lower_bound(basis: np.ndarray, mu: np.ndarray, j_t: np.ndarray, j_s: np.ndarray) -> float:
    """-g/2 at the complementary multipliers W = basis diag(w) basis^T (basis = C_t^-1/2 V).

    Where mu_i <= 1 the constraint P <= C_t is active (weight 1), elsewhere P <= C_s (weight mu_i).
    """
    d = mu.size
    w_t = basis * np.sqrt(np.where(mu <= 1.0, 1.0, 0.0))
    w_s = basis * np.sqrt(np.where(mu > 1.0, mu, 0.0))
    eye = np.eye(d)
    c_t = sl.cho_solve(sl.cho_factor(eye + j_t, lower=True), eye)
    c_s = sl.cho_solve(sl.cho_factor(eye + j_s, lower=True), eye)
    dual = (
        float(np.sum((w_t.T @ c_t) * w_t.T))
        + float(np.sum((w_s.T @ c_s) * w_s.T))
        - _log_det(_sym(w_t @ w_t.T + w_s @ w_s.T))
        - d
    )
    return -0.5 * dual
