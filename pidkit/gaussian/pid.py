"""``gaussian_pid``: the Bertschinger (BROJA) decomposition of a jointly Gaussian (Y, T, S)."""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _status
from .._blas import blas_threads
from .._names import check_choice
from .._result import PIDResult, result_from_redundancy
from .._units import check_units, from_nats, gap_exceeds_tol, to_nats, tol_to_pass, warn_of_loose_tol
from .._validate import check_covariance, check_flag, check_tol
from .closed_form import solve_closed_form
from .cvxpy_reference import MAX_SIZE, solve_cvxpy
from .program import clip_to_ball, evaluate, evaluate_inside
from .reduce import EIG_RTOL, ReducedSystem, reduce_covariance

DEFAULT_TOL_BITS = 1e-9
"""Default certified gap, in bits."""
_COMBINE = ("pass such variables combined (e.g. their difference, computed from the samples, in "
            "place of one of them)")
"""The fix the two collinearity parts of an uncertified gap's message share."""
NEAR_NOISELESS = "is nearly a noiseless linear function of Y"
"""What an uncertified gap's message says of a source whose near-deterministic relation to Y makes
the rounding of its information exceed ``tol`` (callers may add their own advice after it)."""
ACCEPT_WITH_TOL = "{pass_tol} to accept it"
"""The advice after ``NEAR_NOISELESS``, which a caller without a ``tol`` replaces."""
MEASURE = "gaussian-broja"
METHODS = ("auto", "native", "cvxpy")


@dataclass(frozen=True)
class UnionSolution:
    """The union information of a reduced system, however it was found, with its certificate."""

    union_nats: float
    gap_nats: float
    sigma: np.ndarray
    method: str
    solver: str | None
    message: str
    nit: int | None = None
    diagnostics: dict[str, Any] = field(default_factory=dict)


def check_options(method: Any, tol: Any, units: Any, strict: Any) -> float:
    """Validate ``method``, ``tol`` (bits), ``units`` and ``strict``; return ``tol`` in nats."""
    check_choice(method, METHODS, name="method")
    check_units(units)
    check_flag(strict, name="strict")
    return to_nats(check_tol(tol), "bits")


def check_dims(dims: Any, name: str = "cov") -> None:
    """Raise ``ValueError`` unless ``dims`` has three entries (their values are checked with the
    covariance, called ``name`` in the message)."""
    if isinstance(dims, (str, bytes)) or not hasattr(dims, "__len__") or len(dims) != 3:
        raise ValueError(
            f"dims must be the three block sizes (d_y, d_t, d_s) of {name}'s stacked vector "
            f"[Y, T, S]; got {dims!r}."
        )


def gaussian_pid(
    cov: ArrayLike,
    dims: tuple[int, int, int],
    *,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
    strict: bool = True,
    method: str = "auto",
) -> PIDResult:
    """Bertschinger et al. (2014) PID of a jointly Gaussian target Y and sources T, S.

    The Gaussian version of the BROJA program: the union information ``U`` is the minimum of
    I_Q(Y;T,S) over the Gaussian Q with the (Y,T) and (Y,S) marginals of ``cov``. A jointly Gaussian
    Q is optimal among all Q with those marginals (Zhao et al., NeurIPS 2025), so this is the BROJA
    PID of the Gaussian itself. Then ``Red = I(Y;T) + I(Y;S) - U``, ``Uni_T = U - I(Y;S)``,
    ``Uni_S = U - I(Y;T)`` and ``Syn = I(Y;T,S) - U``.

    The optimum has a closed form (derived in :mod:`pidkit.gaussian.closed_form`): with ``mu_i``
    the eigenvalues of Cov(Y|T) Cov(Y|S)^-1, ``Uni_S = 1/2 sum max(0, log mu_i)`` and
    ``Uni_T = 1/2 sum max(0, -log mu_i)``. For a scalar target this is the MMI decomposition, and
    for Blackwell-ordered sources (Y -> T -> S) all information of the weaker source is redundant.

    Parameters
    ----------
    cov : array_like of shape (d_y + d_t + d_s, d_y + d_t + d_s)
        Covariance of the stacked vector [Y, T, S]: target first, then teacher, then student.
        Singular matrices are reduced to their informative subspace (constant, duplicated or
        collinear variables drop out); a source that determines part of Y exactly (infinite
        information) is refused.
    dims : tuple of int
        ``(d_y, d_t, d_s)``, the block sizes, each at least 1.
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-9
        The certified gap, in bits, below which the answer counts as ``"optimal"``: an absolute
        bound, whatever ``units`` is; one loose for ``cov`` is warned of (see Warns).
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the answer is not certified within ``tol``; with False,
        return it with status ``"optimal_inaccurate"``.
    method : {"auto", "native", "cvxpy"}, default="auto"
        ``"native"``: the closed form, certified by evaluating the program at the optimal coupling
        and its Lagrange dual at the matching multipliers (fast at any size). ``"cvxpy"``: the
        reference log-det SDP on the unreduced whitened channels (small systems only; its certificate
        is first order, about 1e-6 bits, so ask for ``tol`` around 1e-5; an uncertified answer's
        message gives the ``tol`` that certifies it). ``"auto"``: the native method.

    Returns
    -------
    PIDResult
        Measure ``"gaussian-broja"``. ``gap`` bounds the error of every atom (in ``units``). ``q``
        is the covariance of the optimal coupling Q* in the input's coordinates (same shape as
        ``cov``; its (Y,T) and (Y,S) blocks equal the input's). ``diagnostics["sigma"]`` is the
        optimal coupling of the reduced, whitened noises (``r_t x r_s``, singular values <= 1),
        ``diagnostics["ratios"]`` the eigenvalues ``mu``, ``diagnostics["ranks"]`` the whitened
        dimensions of Y, T, S and (T, S), ``diagnostics["collinear_nats"]`` the bound (part
        of ``gap``) on what directions dropped as collinear may carry, and
        ``diagnostics["conditioning_nats"]`` (part of ``gap``) the rounding that nearly collinear
        kept directions amplify.

    Raises
    ------
    ValueError, TypeError
        For an invalid ``cov`` (not square, symmetric, positive semi-definite or finite), ``dims``
        (not three sizes >= 1 adding up to the size of ``cov``) or option; and when a source
        determines a linear function of Y exactly.
    SolverError
        If ``strict`` and the certified gap exceeds ``tol``: e.g. for a source that is nearly a
        noiseless linear function of Y (``1 - rho^2`` ~ 1e-6 for a canonical correlation rho),
        whose information float64 resolves only to about ``4 eps / (1 - rho^2)`` nats; the gap
        counts that rounding, and the message names the source and the ``tol`` that certifies
        the answer.

    Warns
    -----
    UserWarning
        When Y has zero variance (a constant target: every atom is 0), which usually means that
        the blocks of ``cov`` are not in the order [Y, T, S]; and where ``tol`` is loose for
        ``cov``, as :func:`pidkit.bertschinger` warns (above 1e-6 bits and at least 1 % of its
        I(Y;T,S)): ``"optimal"`` then vouches only for a gap that large.

    Examples
    --------
    Y scalar, T = Y + noise, S = T + more noise (a degraded channel Y -> T -> S): all of I(Y;S)
    is redundant and nothing is synergistic.

    >>> import numpy as np, pidkit
    >>> cov = np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 2.0], [1.0, 2.0, 5.0]])
    >>> r = pidkit.gaussian_pid(cov, dims=(1, 1, 1))
    >>> round(r.red, 6), round(r.uni_t, 6), r.uni_s, r.syn, r.status
    (0.160964, 0.339036, 0.0, 0.0, 'optimal')
    """
    check_dims(dims)
    tol_nats = check_options(method, tol, units, strict)
    started = time.perf_counter()
    with blas_threads(1):
        c = check_covariance(cov, dims=dims)
        dims = (int(dims[0]), int(dims[1]), int(dims[2]))
        system = reduce_covariance(c, dims)
        if system.ranks[0] == 0:
            warnings.warn(
                f"cov gives Y zero variance (its first {dims[0]} x {dims[0]} block is 0): a constant "
                "target carries no information, so every atom is 0. If Y is not the first block, "
                "reorder cov: dims = (d_y, d_t, d_s) are the sizes of [Y, T, S] in that order.",
                UserWarning,
                stacklevel=2,
            )
        solution = solve_union(system, method)
        q = system.coupling_covariance(c, solution.sigma, dims)
    answer = assemble_result(
        system,
        solution,
        q=q,
        dims=dims,
        units=units,
        tol_nats=tol_nats,
        strict=strict,
        seconds=time.perf_counter() - started,
    )
    warn_of_loose_tol(tol_nats, [answer.i_yts], [answer.gap], units, default_bits=DEFAULT_TOL_BITS)
    return answer


def solve_union(system: ReducedSystem, method: str) -> UnionSolution:
    """The union information of a reduced system by ``method`` (``"auto"`` is ``"native"``)."""
    if method == "cvxpy":
        return _solve_by_cvxpy(system)
    started = time.perf_counter()
    solution = solve_closed_form(system.h_t, system.h_s)
    return UnionSolution(
        union_nats=solution.union_nats,
        gap_nats=solution.gap_nats,
        sigma=solution.sigma,
        method="native",
        solver="pidkit-closed-form",
        message="closed form, certified by the program's value and the max-det dual",
        diagnostics={
            "ratios": solution.ratios,
            "lower_bound_nats": solution.lower_nats,
            "upper_bound_nats": solution.upper_nats,
            "solve_seconds": time.perf_counter() - started,
        },
    )


def _solve_by_cvxpy(system: ReducedSystem) -> UnionSolution:
    rank_y, rank_t, rank_s, _ = system.ranks
    if rank_y + rank_t + rank_s > MAX_SIZE:
        raise ValueError(
            f"method='cvxpy' is the small-system reference: its LMI would be {rank_y + rank_t + rank_s} "
            f"wide (whitened d_y + d_t + d_s), above {MAX_SIZE}. Use method='native'."
        )
    answer = solve_cvxpy(system.u_t @ system.h_t, system.u_s @ system.h_s)
    message = answer.message
    sigma = np.zeros((system.h_t.shape[0], system.h_s.shape[0]))
    if answer.sigma is None:
        message += "; reporting the conditionally independent coupling (Sigma = 0) instead"
    else:
        sigma = clip_to_ball(system.u_t.T @ answer.sigma @ system.u_s)
    point = evaluate_inside(sigma, system.h_t, system.h_s)
    if point is None:  # the solver's coupling is degenerate: certify the independent one instead
        message += "; its coupling is degenerate, reporting Sigma = 0 instead"
        point = evaluate(np.zeros_like(sigma), system.h_t, system.h_s)
        assert point is not None  # N(0) = I is positive definite
    return UnionSolution(
        union_nats=point.value,
        gap_nats=point.gap,
        sigma=point.sigma,
        method="cvxpy",
        solver=answer.solver,
        message=message,
        nit=answer.nit,
        diagnostics=dict(answer.diagnostics),
    )


def _near_noiseless(system: ReducedSystem, gap_nats: float, units: str) -> str:
    """The part of an uncertified gap's message for channels that nearly determine Y: the gap is
    mostly the rounding of their informations (``system.rounding_nats``), not the solver's."""
    closest = {}
    for letter, h in (("T", system.h_t), ("S", system.h_s)):
        # H's singular values are rho / sqrt(1 - rho^2), so 1 - rho^2 = 1 / (1 + value^2)
        values = np.linalg.svd(h, compute_uv=False) if h.size else np.zeros(1)
        closest[letter] = 1.0 / (1.0 + float(values.max()) ** 2)
    letter = min(closest, key=closest.__getitem__)
    information = system.i_yt if letter == "T" else system.i_ys
    return (
        f", of which up to {from_nats(system.rounding_nats, units):.3g} {units} is the rounding of "
        f"the informations themselves: {letter} {NEAR_NOISELESS} (1 - rho^2 = "
        f"{closest[letter]:.2g} for its canonical correlation rho with Y; I(Y;{letter}) = "
        f"{from_nats(information, units):.4g} {units}), and float64 resolves such an information "
        "only to about 4 eps / (1 - rho^2) nats. The answer is right within this gap: "
        f"{ACCEPT_WITH_TOL.format(pass_tol=tol_to_pass(gap_nats, 'the gap'))}, or add "
        "noise to (or reduce, e.g. by PCA) the variables that nearly determine Y"
    )


def assemble_result(
    system: ReducedSystem,
    solution: UnionSolution,
    *,
    q: np.ndarray | None,
    dims: tuple[int, int, int],
    units: str,
    tol_nats: float,
    strict: bool,
    seconds: float,
    informations: tuple[float, float, float] | None = None,
    extra: dict[str, Any] | None = None,
    conditioning: bool = True,
) -> PIDResult:
    """The :class:`PIDResult` of a solved system (``informations`` overrides the system's own).

    The gap counts the bound on what directions dropped as collinear carry that the reduction
    counts (``system.counted_collinear_nats``: all of it for a given covariance, only what
    exceeds sampling noise for a sample covariance) and, with ``conditioning``, the rounding that
    nearly collinear kept directions amplify (``system.conditioning_nats``). The decomposition of
    a given covariance counts that rounding; an estimate from samples does not (it is far below
    the sampling error of the informations).
    """
    i_yt, i_ys, i_yts = informations or (system.i_yt, system.i_ys, system.i_yts)
    collinear_nats = system.counted_collinear_nats
    conditioning_nats = system.conditioning_nats if conditioning else 0.0
    gap = (solution.gap_nats + system.dropped_nats + system.rounding_nats + collinear_nats
           + conditioning_nats)
    status, message = _status.OPTIMAL, solution.message
    if not gap <= tol_nats:
        status = _status.OPTIMAL_INACCURATE
        message += f"; {gap_exceeds_tol(gap, tol_nats, units)}"
        if collinear_nats > tol_nats:
            amount = (f"up to {from_nats(collinear_nats, units):.3g} {units}"
                      if math.isfinite(collinear_nats) else "an unbounded part")
            message += (
                f", of which {amount} is information "
                "that nearly collinear variables may carry in the direction where they differ, "
                "which was dropped for its numerically zero variance (below "
                f"{EIG_RTOL:g} of the largest in its block): {_COMBINE}"
            )
        elif system.rounding_nats >= max(gap / 2, conditioning_nats):
            message += _near_noiseless(system, gap, units)
        elif conditioning_nats > tol_nats:
            message += (
                f", of which up to {from_nats(conditioning_nats, units):.3g} {units} is rounding "
                "that nearly collinear variables amplify (their difference carries information "
                f"but has a tiny variance, so float64 resolves it poorly): {_COMBINE}"
            )
        elif solution.method == "cvxpy":
            message += (", within the first-order accuracy of the cvxpy reference's certificate: "
                        f"{tol_to_pass(gap, 'the gap')}")
    diagnostics = {
        **solution.diagnostics,
        "sigma": solution.sigma,
        "ranks": system.ranks,
        "reduction": system.path,
        "dropped_nats": system.dropped_nats,
        "collinear_nats": system.collinear_nats,
        "conditioning_nats": system.conditioning_nats,
        "information_rounding_nats": system.rounding_nats,
        "seconds": seconds,
        **(extra or {}),
    }
    return result_from_redundancy(
        (math.nan, i_yt, i_ys, i_yts),  # H(Y) is not used
        i_yt + i_ys - solution.union_nats,
        problem=f"dims {tuple(dims)}",
        units=units,
        measure=MEASURE,
        status=status,
        message=message,
        method=solution.method,
        solver=solution.solver,
        gap_nats=gap,
        q=q,
        nit=solution.nit,
        diagnostics=diagnostics,
        nonnegative=True,
        tol_nats=max(tol_nats, gap),
        strict=strict,
    )
