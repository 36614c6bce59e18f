"""The reference path: the union-information program as a log-det SDP, solved by cvxpy.

    maximise    log det S_Y
    subject to  [[I - S_Y, H^T], [H, H H^T + N(Sigma)]] >= 0,    N(Sigma) = [[I, Sigma], [Sigma^T, I]] >= 0

over S_Y (d x d, symmetric) and Sigma; U = -1/2 log det S_Y*. It is solved on the *unreduced*
whitened channels (every whitened dimension of T and S), so it checks the reduction and the closed
form independently. The program is built once per shape with ``cp.Parameter`` s (DPP) and cached;
threads share the cache, so a solve holds the program's lock from setting its parameters to
reading the answer. The answer is certified like any other:
:func:`pidkit.gaussian.program.evaluate` at the returned coupling (its value and Lagrange-dual gap).
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._cvxpy import solve_first

if TYPE_CHECKING:
    import cvxpy as cp

SOLVERS = ("CLARABEL", "SCS")
SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "max_iter": 500},
    "SCS": {"eps_abs": 1e-10, "eps_rel": 1e-10, "max_iters": 200_000},
}
MAX_SIZE = 120
"""Largest LMI (d + d_t + d_s after whitening) the reference accepts: SDP solvers scale badly."""


@dataclass(frozen=True)
class CvxpySolution:
    """What cvxpy returned: the coupling of the unreduced whitened noises, or None on failure."""

    sigma: np.ndarray | None
    solver: str | None
    message: str
    nit: int | None
    diagnostics: dict[str, Any] = field(default_factory=dict)


@functools.lru_cache(maxsize=16)
def _program(
    d: int, m: int, k: int
) -> tuple[cp.Problem, cp.Variable, cp.Parameter, cp.Parameter, threading.Lock]:
    import cvxpy as cp  # on first use: importing cvxpy costs most of a second

    s_y = cp.Variable((d, d), symmetric=True)
    sigma = cp.Variable((m, k))
    h = cp.Parameter((m + k, d))
    gram = cp.Parameter((m + k, m + k), PSD=True)
    noise = cp.bmat([[np.eye(m), sigma], [sigma.T, np.eye(k)]])
    lmi = cp.bmat([[np.eye(d) - s_y, h.T], [h, gram + noise]])
    # cvxpy wants symbolically symmetric matrices for >>; both are, so symmetrising is a no-op.
    problem = cp.Problem(
        cp.Maximize(cp.log_det(s_y)),
        [(lmi + lmi.T) / 2 >> 0, (noise + noise.T) / 2 >> 0],
    )
    assert problem.is_dcp(dpp=True)  # type: ignore[call-arg]  # cvxpy's compute_once hint drops dpp
    return problem, sigma, h, gram, threading.Lock()


def solve_cvxpy(h_t: np.ndarray, h_s: np.ndarray, solvers: tuple[str, ...] = SOLVERS) -> CvxpySolution:
    """Solve the SDP for whitened channels ``h_t`` (m x d) and ``h_s`` (k x d)."""

    (m, d), k = h_t.shape, h_s.shape[0]
    if d == 0 or m == 0 or k == 0:
        return CvxpySolution(np.zeros((m, k)), None, "nothing to solve (a channel is empty)", 0)
    problem, sigma, h_param, gram_param, lock = _program(d, m, k)
    h = np.vstack([h_t, h_s])
    with lock:
        h_param.value, gram_param.value = h, h @ h.T
        attempt = solve_first(problem, sigma, solvers, SOLVER_OPTIONS)
        failures = list(attempt.failures)
        if attempt.solver is not None:
            return CvxpySolution(
                sigma=np.asarray(sigma.value, dtype=float),
                solver=attempt.solver,
                message=f"solved by cvxpy with {attempt.solver} (status {problem.status})",
                nit=problem.solver_stats.num_iters,
                diagnostics={
                    "cvxpy_status": problem.status,
                    "cvxpy_value_nats": -0.5 * float(problem.value),
                    "solve_seconds": attempt.seconds,
                    "failures": failures,
                },
            )
    message = "all solvers failed: " + "; ".join(failures)
    return CvxpySolution(None, None, message, None, {"failures": failures})
