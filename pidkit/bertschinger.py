"""The Bertschinger et al. (2014) unique-information program ("BROJA"), solved as a convex program.

    minimise   f(q) = sum_{y,t,s} q log(q / q(t,s))          (= -H_Q(Y|T,S), in nats)
    subject to q >= 0,  q(y,t) = p(y,t),  q(y,s) = p(y,s)

Variables exist only on the support {p(y,t) > 0 and p(y,s) > 0}. Every answer is certified by
weak duality: for multipliers lambda(y,t), mu(y,s),

    D = sum lambda p(y,t) + sum mu p(y,s) - max_{t,s} log sum_y exp(lambda(y,t) + mu(y,s))

is a lower bound on the optimum, and the primal point, projected to satisfy the marginal
constraints exactly, is an upper bound; their difference is the reported ``gap``.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from . import _status
from ._errors import SolverError
from ._native import NativeSolution, solve_native
from ._native_batch import solve_many
from ._result import PIDResult, result_from_redundancy
from ._units import check_units, from_nats, to_nats
from ._validate import check_joint
from .measures import _informations_nats

if TYPE_CHECKING:
    import cvxpy as cp

DEFAULT_TOL_BITS = 1e-9
"""Default certified optimality gap, in bits."""

_CVXPY_SOLVERS = ("CLARABEL", "ECOS")
_METHODS = ("auto", "cvxpy", "native")
_NATIVE_MAX_ITER = 100
"""Interior-point iterations the native solver may take before ``auto`` falls back to cvxpy."""
_SOLVER_OPTIONS: dict[str, dict[str, Any]] = {
    "CLARABEL": {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "max_iter": 500},
    "ECOS": {"abstol": 1e-10, "reltol": 1e-10, "feastol": 1e-10, "max_iters": 500},
}


def _rank_of_pairs(present: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, int]:
    """Row-major rank of the pair (i, j) of each cell among the ``present`` pairs, and their count."""
    rank = np.cumsum(present.ravel()).reshape(present.shape) - 1
    return rank[i, j], int(present.sum())


@dataclass
class _Support:
    """Index maps of the cells that can carry mass, shared by every solver."""

    shape: tuple[int, int, int]
    y: np.ndarray
    t: np.ndarray
    s: np.ndarray
    yt: np.ndarray  # row of each cell in the list of (y, t) pairs
    ys: np.ndarray  # row of each cell in the list of (y, s) pairs
    ts: np.ndarray  # column group (t, s) of each cell
    n_yt: int
    n_ys: int
    n_ts: int

    @classmethod
    def of(cls, p: np.ndarray) -> _Support:
        p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
        mask = (p_yt[:, :, None] > 0) & (p_ys[:, None, :] > 0)
        y, t, s = np.nonzero(mask)
        yt, n_yt = _rank_of_pairs(mask.any(axis=2), y, t)
        ys, n_ys = _rank_of_pairs(mask.any(axis=1), y, s)
        ts, n_ts = _rank_of_pairs(mask.any(axis=0), t, s)
        return cls(p.shape, y, t, s, yt, ys, ts, n_yt, n_ys, n_ts)

    @property
    def size(self) -> int:
        return self.y.size

    def marginals(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The right-hand sides: p(y,t) and p(y,s) on the rows of the support's pairs."""
        p_yt = np.zeros(self.n_yt)
        p_ys = np.zeros(self.n_ys)
        p_yt[self.yt] = p.sum(axis=2)[self.y, self.t]
        p_ys[self.ys] = p.sum(axis=1)[self.y, self.s]
        return p_yt, p_ys

    def scatter(self, x: np.ndarray) -> np.ndarray:
        q = np.zeros(self.shape)
        q[self.y, self.t, self.s] = x
        return q


@dataclass
class _Solution:
    """What a solver hands back: a primal point on the support and a certified lower bound."""

    x: np.ndarray
    lower_bound: float
    status: str
    message: str
    method: str
    solver: str | None
    nit: int | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)


def objective(x: np.ndarray, support: _Support) -> float:
    """f(q) = sum q log(q / q(t,s)) in nats, for a point on the support."""
    q_ts = np.bincount(support.ts, weights=x, minlength=support.n_ts)[support.ts]
    positive = x > 0
    return float(np.sum(x[positive] * np.log(x[positive] / q_ts[positive])))


def dual_bound(log_a: np.ndarray, log_b: np.ndarray, support: _Support, p_yt, p_ys) -> float:
    """Weak-duality lower bound D for multipliers log a (per (y,t) row), log b (per (y,s) row)."""
    c = log_a[support.yt] + log_b[support.ys]
    shift = c.max()
    column_mass = np.bincount(support.ts, weights=np.exp(c - shift), minlength=support.n_ts)
    return float(log_a @ p_yt + log_b @ p_ys - (np.log(column_mass.max()) + shift))


def project_to_marginals(
    x: np.ndarray, support: _Support, p_yt: np.ndarray, p_ys: np.ndarray, sweeps: int = 50
) -> tuple[np.ndarray, float]:
    """Iterative proportional fitting of ``x`` onto the marginal constraints.

    Returns the projected point and its largest marginal residual.
    """
    x = np.maximum(x, 0.0)
    x = np.where(x > 0, x, 1e-300)
    residual = np.inf
    for _ in range(sweeps):
        x *= (p_yt / np.bincount(support.yt, weights=x, minlength=support.n_yt))[support.yt]
        x *= (p_ys / np.bincount(support.ys, weights=x, minlength=support.n_ys))[support.ys]
        residual = float(
            np.abs(np.bincount(support.yt, weights=x, minlength=support.n_yt) - p_yt).max()
        )
        if residual <= 1e-15:
            break
    return x, residual


@functools.lru_cache(maxsize=64)
def _program(
    support_key: tuple[Any, ...],
) -> tuple[cp.Problem, cp.Variable, cp.Parameter, cp.Parameter]:
    """Build (once per support) the DPP program; re-solves only set the parameters."""
    import cvxpy as cp  # on first use: importing cvxpy costs most of a second

    n, yt, ys, ts, n_yt, n_ys, n_ts = support_key
    yt, ys, ts = (np.frombuffer(a, dtype=np.int64) for a in (yt, ys, ts))
    cells = np.arange(n)
    a_yt = sp.csr_matrix((np.ones(n), (yt, cells)), shape=(n_yt, n))
    a_ys = sp.csr_matrix((np.ones(n), (ys, cells)), shape=(n_ys, n))
    group = sp.csr_matrix((np.ones(n), (ts, cells)), shape=(n_ts, n))
    x = cp.Variable(n, nonneg=True)
    p_yt = cp.Parameter(n_yt, nonneg=True)
    p_ys = cp.Parameter(n_ys, nonneg=True)
    # q(t,s) as its own variable: each cone then reads one entry of it instead of a |Y|-term
    # sum, which keeps the solver's KKT matrix sparse (about 20x faster at 10x10x10).
    q_ts = cp.Variable(n_ts, nonneg=True)
    problem = cp.Problem(
        cp.Minimize(cp.sum(cp.rel_entr(x, group.T @ q_ts))),
        [a_yt @ x == p_yt, a_ys @ x == p_ys, group @ x == q_ts],
    )
    assert problem.is_dcp(dpp=True)
    return problem, x, p_yt, p_ys


def _solve_cvxpy(p: np.ndarray, support: _Support, solvers: tuple[str, ...]) -> _Solution:
    import cvxpy as cp

    key = (
        support.size,
        support.yt.astype(np.int64).tobytes(),
        support.ys.astype(np.int64).tobytes(),
        support.ts.astype(np.int64).tobytes(),
        support.n_yt,
        support.n_ys,
        support.n_ts,
    )
    problem, x, p_yt_param, p_ys_param = _program(key)
    p_yt, p_ys = support.marginals(p)
    p_yt_param.value, p_ys_param.value = p_yt, p_ys
    failures: list[str] = []
    for name in solvers:
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem.solve(solver=name, **_SOLVER_OPTIONS.get(name, {}))
        except (cp.error.SolverError, ValueError, ArithmeticError) as exc:
            failures.append(f"{name}: {exc}")
            continue
        if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or x.value is None:
            failures.append(f"{name}: status {problem.status}")
            continue
        duals = [c.dual_value for c in problem.constraints]
        bounds = [
            dual_bound(sign * duals[0], sign * duals[1], support, p_yt, p_ys)
            for sign in (1.0, -1.0)
        ]
        return _Solution(
            x=np.asarray(x.value, dtype=float),
            lower_bound=max(bounds),
            status=_status.OPTIMAL,
            message=f"solved by cvxpy with {name} (status {problem.status})",
            method="cvxpy",
            solver=name,
            nit=problem.solver_stats.num_iters,
            diagnostics={
                "cvxpy_status": problem.status,
                "solve_seconds": time.perf_counter() - started,
                "failures": failures,
            },
        )
    return _Solution(
        x=np.zeros(support.size),
        lower_bound=-np.inf,
        status=_status.FAILED,
        message="all solvers failed: " + "; ".join(failures),
        method="cvxpy",
        solver=None,
        diagnostics={"failures": failures},
    )


def _native_solution(
    native: NativeSolution, support: _Support, seconds: float, how: str = ""
) -> _Solution:
    """A native solver's answer on ``support``, as every solver hands it back."""
    return _Solution(
        x=native.q[support.y, support.t, support.s],
        lower_bound=native.lower_bound_nats,
        status=_status.OPTIMAL if native.converged else _status.OPTIMAL_INACCURATE,
        message=f"solved by the native interior-point method ({native.message}{how})",
        method="native",
        solver="pidkit-native",
        nit=native.nit,
        diagnostics={"solve_seconds": seconds, "native_gap_nats": native.gap_nats},
    )


def _solve_native(p: np.ndarray, support: _Support, tol_nats: float) -> _Solution:
    started = time.perf_counter()
    native = solve_native(p, tol_nats=tol_nats, max_iter=_NATIVE_MAX_ITER)
    return _native_solution(native, support, time.perf_counter() - started)


@functools.lru_cache(maxsize=32)
def _full_support(shape: tuple[int, int, int]) -> _Support:
    """The support of a joint whose p(y,t) and p(y,s) are all positive: every cell."""
    return _Support.of(np.ones(shape))


def _solve_native_stacked(
    ps: list[np.ndarray], tol_nats: float
) -> list[tuple[_Support, _Solution] | None]:
    """Validated joints solved together where the stacked native solver takes them.

    Returns, per joint, its support and certified solution, or ``None`` where the joint is left to
    the single-joint path (not eligible for stacking, or not certified there).
    """
    started = time.perf_counter()
    natives = solve_many(ps, tol_nats=tol_nats, max_iter=_NATIVE_MAX_ITER)
    seconds = (time.perf_counter() - started) / max(1, len(ps))
    solved: list[tuple[_Support, _Solution] | None] = []
    for p, native in zip(ps, natives, strict=True):
        if native is None:
            solved.append(None)
            continue
        support = _full_support(p.shape)
        solved.append((support, _native_solution(native, support, seconds, "; stacked")))
    return solved


def _check_method(method: str, solver: str | None) -> tuple[str, tuple[str, ...]]:
    if method not in _METHODS:
        raise ValueError(f"method must be one of {list(_METHODS)}; got {method!r}.")
    if method == "native" and solver is not None:
        raise ValueError(
            f"solver names a cvxpy solver and only applies to method='cvxpy' or 'auto'; got "
            f"solver={solver!r} with method='native'. Drop solver, or pick method='cvxpy'."
        )
    if solver is None:
        return method, _CVXPY_SOLVERS
    import cvxpy as cp

    if not isinstance(solver, str) or solver.upper() not in cp.installed_solvers():
        raise ValueError(
            "solver must be None or a cvxpy solver installed here "
            f"{sorted(cp.installed_solvers())}; got {solver!r}."
        )
    return method, (solver.upper(),)


def _check_solver_options(
    units: str, method: str, solver: str | None, tol: float
) -> tuple[str, str, tuple[str, ...], float]:
    """Validated ``units``, ``method``, the cvxpy solvers to try, and ``tol`` in nats."""
    units = check_units(units)
    method, solvers = _check_method(method, solver)
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number of bits; got {tol!r}.")
    return units, method, solvers, to_nats(tol, "bits")


def bertschinger(
    p_yts: ArrayLike,
    *,
    units: str = "bits",
    method: str = "auto",
    solver: str | None = None,
    tol: float = DEFAULT_TOL_BITS,
    normalize: bool = False,
    strict: bool = True,
) -> PIDResult:
    """Bertschinger et al. (2014) partial information decomposition of a joint ``p[y, t, s]``.

    Uni(Y:T\\S) is the minimum of I_Q(Y;T|S) over the joints Q that share p's (Y,T) and (Y,S)
    marginals; Red, Uni(Y:S\\T) and Syn follow from the PID identities.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
        Joint pmf indexed target Y, teacher T, student S. Symbols of zero mass are allowed.
    units : {"bits", "nats"}, default="bits"
    method : {"auto", "native", "cvxpy"}, default="auto"
        How to solve the program. ``"native"`` is pidkit's interior-point solver (no cvxpy in the
        hot path); ``"cvxpy"`` is the reference exponential-cone program; ``"auto"`` runs the
        native solver and falls back to cvxpy when it cannot certify its answer within ``tol``.
    solver : str, optional
        A cvxpy solver name; naming one selects the cvxpy program (with ``"auto"`` too). By
        default Clarabel, with ECOS as the fallback.
    tol : float, default=1e-9
        The optimality gap, in bits, below which the answer counts as certified.
    normalize : bool, default=False
        Rescale ``p_yts`` to sum 1 instead of rejecting a total off 1 by more than 1e-9.
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the answer is not certified; with False, return the
        best effort with its ``status``.

    Returns
    -------
    PIDResult
        ``red, uni_t, uni_s, syn``, the mutual informations, the optimal joint ``q``, ``status``,
        ``solver``, ``gap`` (a certified bound on the error of every atom, in ``units``).

    Raises
    ------
    ValueError, TypeError
        For an invalid ``p_yts`` or option.
    SolverError
        If ``strict`` and no solver certified its answer within ``tol``.

    Examples
    --------
    >>> import pidkit
    >>> r = pidkit.bertschinger(pidkit.examples.and_())
    >>> round(r.red, 6), r.uni_t, r.uni_s, round(r.syn, 6), r.status
    (0.311278, 0.0, 0.0, 0.5, 'optimal')
    """
    p = check_joint(p_yts, normalize=normalize)
    units, method, solvers, tol_nats = _check_solver_options(units, method, solver, tol)
    support = _Support.of(p)
    if method == "cvxpy" or (method == "auto" and solver is not None):
        solution = _solve_cvxpy(p, support, solvers)
    else:
        solution = _solve_native(p, support, tol_nats)
        if method == "auto" and solution.status != _status.OPTIMAL:
            native_message = solution.message
            solution = _solve_cvxpy(p, support, solvers)
            solution.diagnostics["native_fallback"] = native_message
            solution.message += f"; the native solver did not certify ({native_message})"
    return _result(p, support, solution, units=units, tol_nats=tol_nats, strict=strict)


def _result(
    p: np.ndarray,
    support: _Support,
    solution: _Solution,
    *,
    units: str,
    tol_nats: float,
    strict: bool,
) -> PIDResult:
    """Project the primal point, certify it against the dual bound and assemble the atoms."""
    p_yt, p_ys = support.marginals(p)
    diagnostics = dict(solution.diagnostics)
    status, message = solution.status, solution.message
    info = _informations_nats(p)
    if status == _status.FAILED:
        red_nats, gap, q = np.nan, np.inf, None
    else:
        x, residual = project_to_marginals(solution.x, support, p_yt, p_ys)
        value = objective(x, support)
        gap = value - solution.lower_bound
        diagnostics.update(primal=value, dual=solution.lower_bound, marginal_residual=residual)
        if gap > tol_nats or residual > 1e-12:
            status = _status.OPTIMAL_INACCURATE
            message += (
                f"; certified gap {from_nats(gap, units):.3g} {units} exceeds tol "
                f"{from_nats(tol_nats, units):.3g} {units}"
                if gap > tol_nats
                else f"; marginal residual {residual:.3g} after projection"
            )
        uni_t = info.h_y + value - info.i_ys
        red_nats = info.i_yt - uni_t
        q = support.scatter(x)
    return result_from_redundancy(
        p,
        red_nats,
        units=units,
        measure="broja",
        status=status,
        message=message,
        method=solution.method,
        solver=solution.solver,
        gap_nats=gap,
        q=q,
        nit=solution.nit,
        diagnostics=diagnostics,
        nonnegative=True,
        tol_nats=tol_nats,
        strict=strict,
        informations=info,
    )


__all__ = ["DEFAULT_TOL_BITS", "SolverError", "bertschinger"]
