"""The reference path: the BROJA program as an exponential-cone problem solved through cvxpy.

The variables are the support's cells only (p(y,t) > 0 and p(y,s) > 0), plus q(t,s) as its own
variable so that each cone reads one entry of it instead of a |Y|-term sum (which keeps the
solver's KKT matrix sparse). Every constraint matrix is a sparse incidence matrix, so building the
problem costs time and memory in proportion to the support. Small supports are built once with
``cp.Parameter`` right-hand sides (DPP) and cached, so re-solves only set the parameters; above
:data:`DPP_MAX_CELLS` cells the parameter mapping cvxpy would build grows quadratically
(gigabytes at 40x40x40), so the problem is built with constants instead.

The solver's primal point and dual multipliers are certified like every other answer
(:func:`pidkit.broja.program.certify`). Threads may solve at once: a cached problem is held under
its own lock for the whole solve.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from .._cvxpy import solve_first
from .program import Solution, certify, dual_bound, marginals

__all__ = [
    "DEFAULT_SOLVERS",
    "DPP_MAX_CELLS",
    "bytes_needed",
    "cached_problem",
    "installed_solvers",
    "solve",
]

DEFAULT_SOLVERS = ("CLARABEL", "ECOS")
"""Tried in this order."""
DPP_MAX_CELLS = 4096
"""Largest support built with parameters and cached (above it, with constants)."""
_SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "max_iter": 500},
    "ECOS": {"abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10, "max_iters": 500},
}
_BYTES_PER_CELL = 40_000.0
"""Rough peak memory per support cell of canonicalisation plus a conic solve (measured: the
solver's factorisation fill-in dominates)."""


def installed_solvers() -> list[str]:
    """The cvxpy solvers installed here (imports cvxpy, which takes most of a second)."""
    import cvxpy as cp

    return list(cp.installed_solvers())


def bytes_needed(p: np.ndarray) -> float:
    """Rough peak memory of solving ``p`` through cvxpy: proportional to its support."""
    p_yt, p_ys = marginals(p)
    cells = float(((p_yt > 0)[:, :, None] & (p_ys > 0)[:, None, :]).sum())
    return _BYTES_PER_CELL * cells


class _Cells:
    """Index maps of the support's cells: each cell's (y,t) row, (y,s) row and (t,s) pair."""

    def __init__(self, p: np.ndarray) -> None:
        p_yt, p_ys = marginals(p)
        mask = (p_yt > 0)[:, :, None] & (p_ys > 0)[:, None, :]
        self.y, self.t, self.s = np.nonzero(mask)
        # numpy hints any(axis=k) as a bool or an array: of the 3-D mask it is a 2-D array.
        rows_yt, rows_ys, pairs_ts = (cast("np.ndarray", mask.any(axis=axis)) for axis in (2, 1, 0))
        self.yt, self.n_yt = _ranks(rows_yt, self.y, self.t)
        self.ys, self.n_ys = _ranks(rows_ys, self.y, self.s)
        self.ts, self.n_ts = _ranks(pairs_ts, self.t, self.s)
        self.p_yt = p_yt[mask.any(axis=2)]
        self.p_ys = p_ys[mask.any(axis=1)]

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.y.size, self.yt.tobytes(), self.ys.tobytes(), self.ts.tobytes(),
                self.n_yt, self.n_ys, self.n_ts)


def _ranks(present: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, int]:
    """Row-major rank of the pair (i, j) of each cell among the ``present`` pairs, and their count."""
    rank = np.cumsum(present.ravel()).reshape(present.shape) - 1
    return rank[i, j].astype(np.int64), int(present.sum())


def _build(n: int, yt, ys, ts, n_yt: int, n_ys: int, n_ts: int, rhs_yt, rhs_ys):
    """The problem over the cells; ``rhs_*`` are parameters or constants."""
    import cvxpy as cp  # on first use: importing cvxpy costs most of a second

    cells = np.arange(n)
    a_yt = sp.csr_matrix((np.ones(n), (yt, cells)), shape=(n_yt, n))
    a_ys = sp.csr_matrix((np.ones(n), (ys, cells)), shape=(n_ys, n))
    group = sp.csr_matrix((np.ones(n), (ts, cells)), shape=(n_ts, n))
    x = cp.Variable(n, nonneg=True)
    q_ts = cp.Variable(n_ts, nonneg=True)
    constraints = [a_yt @ x == rhs_yt, a_ys @ x == rhs_ys, group @ x == q_ts]
    return cp.Problem(cp.Minimize(cp.sum(cp.rel_entr(x, group.T @ q_ts))), constraints), x


@functools.lru_cache(maxsize=64)
def cached_problem(key: tuple[Any, ...]):
    """The DPP problem of a support (the key of :class:`_Cells`), built once and cached;
    re-solves only set its parameters. With it comes the lock that a solve holds from setting the
    parameters to reading the solution: threads share the cache, and another thread's parameters
    or Clarabel's solver state must not change in between."""
    import cvxpy as cp

    n, yt, ys, ts, n_yt, n_ys, n_ts = key
    yt, ys, ts = (np.frombuffer(a, dtype=np.int64) for a in (yt, ys, ts))
    rhs_yt = cp.Parameter(n_yt, nonneg=True)
    rhs_ys = cp.Parameter(n_ys, nonneg=True)
    problem, x = _build(n, yt, ys, ts, n_yt, n_ys, n_ts, rhs_yt, rhs_ys)
    assert problem.is_dcp(dpp=True)
    return problem, x, rhs_yt, rhs_ys, threading.Lock()


@contextlib.contextmanager
def _problem(cells: _Cells) -> Iterator[tuple[Any, Any]]:
    """``(problem, x)`` for ``cells``' joint, held for this thread until the block ends: a cached
    one under its lock with the parameters set, a large one built for this call alone."""
    if cells.y.size > DPP_MAX_CELLS:
        yield _build(cells.y.size, cells.yt, cells.ys, cells.ts, cells.n_yt, cells.n_ys, cells.n_ts,
                     cells.p_yt, cells.p_ys)
        return
    problem, x, rhs_yt, rhs_ys, lock = cached_problem(cells.key)
    with lock:
        rhs_yt.value, rhs_ys.value = cells.p_yt, cells.p_ys
        yield problem, x


def solve(p: np.ndarray, *, solvers: tuple[str, ...], tol_nats: float) -> Solution:
    """Solve the program for a joint ``p[y, t, s]`` through cvxpy and certify the answer.

    The first solver in ``solvers`` that returns a solution is used; the message lists the ones
    that failed. A failure of every solver gives a :class:`~pidkit.broja.program.Solution` with
    ``certified=False`` and infinite gap.
    """
    cells = _Cells(p)
    p_yt, p_ys = marginals(p)
    with _problem(cells) as (problem, x):
        attempt = solve_first(problem, x, solvers, _SOLVER_OPTIONS)
        if attempt.solver is None:
            return Solution(
                q=np.zeros_like(p), lam=None, mu=None, value=np.inf, bound=-np.inf, gap=np.inf,
                residual=np.inf, certified=False, nit=None,
                message="every cvxpy solver failed: " + "; ".join(attempt.failures), method="cvxpy",
                solver=None,
            )
        q = np.zeros_like(p)
        q[cells.y, cells.t, cells.s] = np.maximum(np.asarray(x.value, dtype=float), 0.0)
        lam, mu = _multipliers(problem, cells, p.shape, p_yt, p_ys)
        status, nit = problem.status, problem.solver_stats.num_iters
    cert = certify(q[None], lam[None], mu[None], p_yt[None], p_ys[None], tol_nats=tol_nats)
    tried = f"; failed first: {'; '.join(attempt.failures)}" if attempt.failures else ""
    return Solution(
        q=cert.q[0], lam=cert.lam[0], mu=cert.mu[0], value=float(cert.value[0]),
        bound=float(cert.bound[0]), gap=float(cert.gap[0]), residual=float(cert.residual[0]),
        certified=bool(cert.certified[0]), nit=nit,
        message=f"solved by cvxpy with {attempt.solver} (status {status}, "
        f"{attempt.seconds:.3g} s){tried}",
        method="cvxpy", solver=attempt.solver,
    )


def _multipliers(problem, cells: _Cells, shape, p_yt, p_ys) -> tuple[np.ndarray, np.ndarray]:
    """The duals of the marginal constraints as lam[y, t], mu[y, s], with the sign convention
    (cvxpy's is solver-dependent) that gives the better bound."""
    duals = [np.asarray(c.dual_value, dtype=float).reshape(-1) for c in problem.constraints[:2]]
    present_t = np.zeros(shape[:2], dtype=bool)
    present_t[cells.y, cells.t] = True
    present_s = np.zeros((shape[0], shape[2]), dtype=bool)
    present_s[cells.y, cells.s] = True
    best = None
    for sign in (1.0, -1.0):
        lam = np.zeros(shape[:2])
        mu = np.zeros((shape[0], shape[2]))
        lam[present_t] = sign * duals[0]
        mu[present_s] = sign * duals[1]
        bound = float(dual_bound(lam, mu, p_yt, p_ys))
        if best is None or bound > best[0]:
            best = (bound, lam, mu)
    assert best is not None  # set by the first sign
    return best[1], best[2]
