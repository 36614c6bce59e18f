"""pidkit's own solver for the Gaussian union-information program: a barrier Newton method.

It maximises ``phi_mu(Sigma) = p(Sigma) + mu log det N(Sigma)`` (``p`` from
:mod:`pidkit.gaussian.program`; the log-det barrier keeps ``||Sigma|| < 1``) by damped Newton steps,
lowering ``mu`` geometrically while the Newton decrement is small, and stops when the certificate
of :func:`pidkit.gaussian.program.evaluate` is within the tolerance. The optimum may lie on the
boundary (noises of T and S perfectly correlated in some direction, e.g. identical channels); the
barrier path approaches it from inside, and the certificate stays valid.

The Newton system is dense in the ``r_t * r_s`` entries of Sigma, with ``r_t, r_s <= dim Y`` after
the reduction. Its matrix is built without cancellation: the second derivative of ``p`` in a
direction X is ``-tr(P E R E)`` with ``E = [[0, X], [X^T, 0]]``, ``P = 2 G^-1 + M`` and ``R = M``
(``M = N^-1 - G^-1`` is computed directly as ``A S^-1 A^T``, never as that difference), and the
barrier adds ``-mu tr(N^-1 E N^-1 E)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sl

from .program import Point, evaluate

MAX_ITER = 200
"""Newton steps before the solver gives up."""
MU_START = 0.1
MU_FACTOR = 0.1
"""How the barrier weight falls each time the Newton decrement is below :data:`CENTERED`."""
CENTERED = 0.5


@dataclass(frozen=True)
class NativeSolution:
    """The native solver's answer: the last point, and whether its certificate met the tolerance."""

    point: Point
    nit: int
    converged: bool
    message: str


def quadratic_form_matrix(p: np.ndarray, r: np.ndarray, r_t: int) -> np.ndarray:
    """The matrix K with ``vec(X)^T K vec(X) = tr(P E R E)``, ``E = [[0, X], [X^T, 0]]``, row-major vec.

    ``P`` and ``R`` are symmetric of size ``r_t + r_s``; the result has size ``r_t r_s``.
    """
    p_tt, p_ss, p_ts = p[:r_t, :r_t], p[r_t:, r_t:], p[:r_t, r_t:]
    r_tt, r_ss, r_ts = r[:r_t, :r_t], r[r_t:, r_t:], r[:r_t, r_t:]
    size = p_ts.size
    k = np.kron(p_tt, r_ss) + np.kron(r_tt, p_ss)
    k += np.einsum("cd,ab->cbad", r_ts, p_ts).reshape(size, size)
    k += np.einsum("cd,ab->cbad", p_ts, r_ts).reshape(size, size)
    return (k + k.T) / 2


def _barrier(sigma: np.ndarray) -> tuple[float, np.ndarray] | None:
    """log det N(sigma) and N^-1, or None outside the open unit ball."""
    r_t, r_s = sigma.shape
    n = np.eye(r_t + r_s)
    n[:r_t, r_t:] = sigma
    n[r_t:, :r_t] = sigma.T
    try:
        low = sl.cholesky(n, lower=True, check_finite=False)
    except np.linalg.LinAlgError:
        return None
    return 2.0 * float(np.sum(np.log(np.diag(low)))), sl.cho_solve((low, True), np.eye(r_t + r_s))


def _newton_direction(matrix: np.ndarray, gradient: np.ndarray) -> np.ndarray:
    try:
        return sl.cho_solve(sl.cho_factor(matrix, check_finite=False), gradient, check_finite=False)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(matrix, gradient, rcond=None)[0]


def solve_native(
    h_t: np.ndarray,
    h_s: np.ndarray,
    *,
    tol_nats: float,
    max_iter: int = MAX_ITER,
) -> NativeSolution:
    """Minimise I_Q(Y;T,S) over couplings of the reduced channels ``h_t``, ``h_s``.

    Returns the last iterate with its certificate; ``converged`` when ``point.gap <= tol_nats``.
    """
    r_t, r_s = h_t.shape[0], h_s.shape[0]
    sigma = np.zeros((r_t, r_s))
    point = evaluate(sigma, h_t, h_s)
    if point is None:
        raise ArithmeticError("the independent coupling has a singular Cov(Y | T, S)")
    if point.gap <= tol_nats:
        return NativeSolution(point, 0, True, "certified at the independent coupling")
    mu, mu_floor = MU_START, 1e-3 * tol_nats / max(1, min(r_t, r_s))
    barrier = _barrier(sigma)
    for nit in range(1, max_iter + 1):
        log_det_n, n_inv = barrier
        gradient = 2.0 * (point.grad + mu * n_inv[:r_t, r_t:]).ravel()
        matrix = quadratic_form_matrix(2.0 * point.g_inv + point.m, point.m, r_t)
        matrix += mu * quadratic_form_matrix(n_inv, n_inv, r_t)
        step = _newton_direction(matrix, gradient)
        decrement = float(gradient @ step)
        phi = -2.0 * point.value + mu * log_det_n
        alpha, accepted = 1.0, None
        while alpha > 1e-12:
            trial = sigma + alpha * step.reshape(r_t, r_s)
            trial_barrier = _barrier(trial)
            trial_point = evaluate(trial, h_t, h_s) if trial_barrier is not None else None
            if trial_point is not None:
                trial_phi = -2.0 * trial_point.value + mu * trial_barrier[0]
                slack = 1e-13 * (1.0 + abs(phi))
                if trial_phi >= phi + 0.25 * alpha * decrement - slack:
                    accepted = trial, trial_point, trial_barrier
                    break
            alpha *= 0.5
        if accepted is None:
            return NativeSolution(
                point, nit, False, f"line search failed at barrier weight {mu:.1e} (gap {point.gap:.2e} nats)"
            )
        sigma, point, barrier = accepted
        if point.gap <= tol_nats:
            return NativeSolution(point, nit, True, f"certified after {nit} Newton steps")
        if decrement <= CENTERED:
            mu = max(mu * MU_FACTOR, mu_floor)
    return NativeSolution(
        point, max_iter, False, f"no certificate within {max_iter} Newton steps (gap {point.gap:.2e} nats)"
    )
