"""The Bertschinger et al. (2014) program ("BROJA"): support, objective, dual bound, certificate.

THEORY.md §1, in nats::

    minimise   f(q) = sum_{y,t,s} q log(q / q(t,s))          (= -H_Q(Y|T,S))
    subject to q >= 0,  q(y,t) = p(y,t),  q(y,s) = p(y,s)

Support. Only the cells with p(y,t) > 0 and p(y,s) > 0 can carry mass; the constraints couple the
cells of a (y,t) row, of a (y,s) row, and the objective those of a (t,s) pair.

Duality. For multipliers lambda(y,t), mu(y,s) put M(t,s) = sum_y exp(lambda(y,t) + mu(y,s)), the
sum over the cells of the support. Because f is positively homogeneous, every (lambda, mu) gives
the weak-duality lower bound

    D(lambda, mu) = <lambda, p(y,t)> + <mu, p(y,s)> - m log max_{t,s} M(t,s)      (m = total mass)

and at an optimum q(y,t,s) = K(t,s) exp(lambda(y,t) + mu(y,s)) with K(t,s) = q(t,s), M = 1
wherever K > 0.

Certificate. A candidate point is made feasible by iterative proportional fitting (Sinkhorn
sweeps, :func:`project`), which also moves the multipliers; f of the fitted point is an upper
bound, D a lower bound, and their difference plus an allowance for rounding bounds the error of
f (:func:`certify`).

Every function takes a stack of joints: arrays with leading axes before (y, t, s). Arrays are
laid out ``q[..., y, t, s]``, ``lam[..., y, t]``, ``mu[..., y, s]``, ``p_yt[..., y, t]``,
``p_ys[..., y, s]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "MARGINAL_TOLERANCE",
    "SMALLEST_ALLOWANCE",
    "Certificate",
    "Solution",
    "at_rounding_floor",
    "balanced_bound",
    "below_rounding",
    "certify",
    "closed_form",
    "closed_form_multipliers",
    "dual_bound",
    "entropy_terms",
    "marginals",
    "objective",
    "project",
    "rounding_allowance",
]

MARGINAL_TOLERANCE = 1e-12
"""Largest marginal residual (absolute, joints of mass 1) of a point called feasible."""
SMALLEST_ALLOWANCE = 1e-14
"""The smallest rounding allowance a certificate can have, in nats (:func:`rounding_allowance` of
a zero value and bound): no tolerance below it can ever be certified."""
_SINKHORN_SWEEPS = 200
_SINKHORN_TARGET = 1e-15
_FLOOR = 1e-300


def marginals(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The right-hand sides p(y,t) and p(y,s) of joints ``p[..., y, t, s]``."""
    return p.sum(axis=-1), p.sum(axis=-2)


def entropy_terms(x: np.ndarray, x_pair: np.ndarray) -> np.ndarray:
    """The terms x log(x / x_pair) of f, 0 where x = 0; safe for subnormal masses."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x > 0, x * (np.log(x) - np.log(x_pair)), 0.0)


def objective(q: np.ndarray) -> np.ndarray:
    """f(q) = sum q log(q / q(t,s)) in nats, per joint of the stack ``q[..., y, t, s] >= 0``."""
    return entropy_terms(q, q.sum(axis=-3, keepdims=True)).sum(axis=(-3, -2, -1))


def dual_bound(lam: np.ndarray, mu: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray) -> np.ndarray:
    """The weak-duality lower bound D(lam, mu) on the optimum, in nats, per joint.

    Entries of ``lam`` (``mu``) where ``p_yt`` (``p_ys``) is 0 are ignored: those rows carry no
    cells. The total mass is ``p_yt.sum()``; M is evaluated with shifted exponents, so any finite
    multipliers work, however large.

    Examples
    --------
    >>> p = np.full((2, 2, 2), 1 / 8)
    >>> p_yt, p_ys = marginals(p)
    >>> float(dual_bound(np.zeros((2, 2)), np.zeros((2, 2)), p_yt, p_ys))  # -log 2: H(Y|T,S) <= 1 bit
    -0.693147...
    """
    empty = _empty_rows(p_yt, p_ys)
    return _bound(lam, mu, p_yt, p_ys, empty, _log_pair_sums(lam, mu, empty))


def balanced_bound(lam: np.ndarray, mu: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Multipliers shifted per t and per s, and their bound D, at least the bound of ``lam, mu``.

    Adding a(t) to lam(., t) and b(s) to mu(., s) multiplies M(t,s) by exp(a(t) + b(s)) and moves
    the linear part of D by sum a p(t) + sum b p(s). Shifting every row of log M to maximum 0,
    then every column, leaves max M = 1 and pays the mass-weighted mean of the rows' largest
    excesses instead of the largest excess of all: where a few pairs end slightly above M = 1 (an
    interior point's last iterates, any solver's rounded duals) the bound rises by most of that
    excess. Rows first or columns first, whichever raises the bound more (each leaves a point no
    single row or column shift improves); rows or columns without cells keep their multipliers.

    Returns
    -------
    lam, mu : numpy.ndarray
        The shifted multipliers.
    bound : numpy.ndarray
        Their D (evaluated as :func:`dual_bound` does).

    Examples
    --------
    >>> p = np.full((2, 2, 2), 1 / 8)
    >>> p_yt, p_ys = marginals(p)
    >>> lam, mu = np.zeros((2, 2)), np.array([[0.1, 0.0], [0.1, 0.0]])  # column s=0 has M > 1
    >>> round(float(dual_bound(lam, mu, p_yt, p_ys)), 6)  # pays the excess 0.1 on all the mass
    -0.743147
    >>> lam_b, mu_b, bound = balanced_bound(lam, mu, p_yt, p_ys)
    >>> round(float(bound), 6), round(float(dual_bound(lam_b, mu_b, p_yt, p_ys)), 6)  # -log 2
    (-0.693147, -0.693147)
    """
    empty = _empty_rows(p_yt, p_ys)
    log_m = _log_pair_sums(lam, mu, empty)
    rows = _to_zero_max(log_m, -1)  # rows first, then columns
    cols = _to_zero_max(log_m + rows[..., None], -2)
    cols_first = _to_zero_max(log_m, -2)
    rows_then = _to_zero_max(log_m + cols_first[..., None, :], -1)
    p_t, p_s = p_yt.sum(axis=-2), p_ys.sum(axis=-2)
    pick = ((rows_then - rows) * p_t).sum(axis=-1) + ((cols_first - cols) * p_s).sum(axis=-1) > 0
    if np.count_nonzero(pick):
        rows = np.where(pick[..., None], rows_then, rows)
        cols = np.where(pick[..., None], cols_first, cols)
    log_m += rows[..., None]
    log_m += cols[..., None, :]
    lam, mu = lam + rows[..., None, :], mu + cols[..., None, :]
    return lam, mu, _bound(lam, mu, p_yt, p_ys, empty, log_m)


def _to_zero_max(log_m: np.ndarray, axis: int) -> np.ndarray:
    """Minus the maximum of ``log_m`` along ``axis``, 0 where the line has no finite entry."""
    top = log_m.max(axis=axis)
    return np.where(np.isfinite(top), -top, 0.0)


def _empty_rows(p_yt: np.ndarray, p_ys: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """The masks of the (y,t) and (y,s) rows without mass, or ``None`` where every row has mass."""
    mt, ms = p_yt > 0, p_ys > 0
    return None if np.count_nonzero(mt) == mt.size and np.count_nonzero(ms) == ms.size else (~mt, ~ms)


def _bound(lam, mu, p_yt, p_ys, empty, log_m) -> np.ndarray:
    """D = <lam, p(y,t)> + <mu, p(y,s)> - mass * max log M, over the rows with mass."""
    if empty is not None:
        lam, mu = np.where(empty[0], 0.0, lam), np.where(empty[1], 0.0, mu)
    linear = (lam * p_yt).sum(axis=(-2, -1)) + (mu * p_ys).sum(axis=(-2, -1))
    return linear - p_yt.sum(axis=(-2, -1)) * log_m.max(axis=(-2, -1))


def _log_pair_sums(lam: np.ndarray, mu: np.ndarray, empty: tuple[np.ndarray, np.ndarray] | None
                   ) -> np.ndarray:
    """log M(t,s) per joint, -inf on pairs without cells (rows in ``empty`` carry none);
    exponents are shifted so that any finite multipliers work, however large."""
    log_a = lam if empty is None else np.where(empty[0], -np.inf, lam)
    log_b = mu if empty is None else np.where(empty[1], -np.inf, mu)
    shift_a = log_a.max(axis=-2, keepdims=True)
    shift_b = log_b.max(axis=-2, keepdims=True)
    shift_a = np.where(np.isfinite(shift_a), shift_a, 0.0)
    shift_b = np.where(np.isfinite(shift_b), shift_b, 0.0)
    m = np.exp(log_a - shift_a).mT @ np.exp(log_b - shift_b)
    with np.errstate(divide="ignore"):
        return np.log(m) + shift_a.mT + shift_b


def rounding_allowance(value: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """Both numbers are sums of many rounded terms: the certified gap includes this much."""
    return SMALLEST_ALLOWANCE * (1.0 + np.abs(value) + np.abs(bound))


def below_rounding(tol_nats: float, value: np.ndarray | float, bound: np.ndarray | float) -> np.ndarray:
    """Whether ``tol_nats`` is below the rounding allowance of a certificate with this value and
    bound: then no point near it can be certified within ``tol_nats``, by any solver (near the
    optimum the value and bound, hence the allowance, hardly move).

    Examples
    --------
    >>> bool(below_rounding(1e-14, np.float64(-2.0), np.float64(-2.0)))  # allowance 5e-14 nats
    True
    >>> bool(below_rounding(1e-9, np.float64(-2.0), np.float64(-2.0)))
    False
    """
    return rounding_allowance(value, bound) > tol_nats


def at_rounding_floor(tol_nats: float, value: np.ndarray | float, bound: np.ndarray | float,
                      gap: np.ndarray | float, residual: np.ndarray | float) -> np.ndarray:
    """Whether a feasible certificate (``residual`` within :data:`MARGINAL_TOLERANCE`) that
    missed ``tol_nats`` has gone as far as any can: ``tol_nats`` is below its rounding allowance
    (:func:`below_rounding`) and its gap is within twice the allowance (f - D is down to the
    rounding itself), so more iterations or another solver cannot certify it.

    Examples
    --------
    >>> value, bound = np.float64(-2.0), np.float64(-2.0)  # allowance 5e-14 nats
    >>> bool(at_rounding_floor(1e-14, value, bound, np.float64(6e-14), np.float64(0.0)))
    True
    >>> bool(at_rounding_floor(1e-14, value, bound, np.float64(1e-12), np.float64(0.0)))  # f - D can fall
    False
    """
    allowance = rounding_allowance(value, bound)
    return (tol_nats < allowance) & (gap <= 2.0 * allowance) & (residual <= MARGINAL_TOLERANCE)


def project(
    q: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sinkhorn sweeps making the (y,t) and (y,s) marginals of ``q`` those of the joint.

    Cells off the support are set to 0 and cells on it raised to at least 1e-300, so that every
    row can be fitted. The multipliers of a point q = K exp(lam + mu) move by the logarithms of
    the row scalings.

    Returns
    -------
    q : numpy.ndarray
        The fitted points.
    shift_t, shift_s : numpy.ndarray
        log of the scalings applied to the (y,t) and (y,s) rows (0 on empty rows).
    residual : numpy.ndarray
        Per joint, the largest absolute marginal residual left.
    """
    mt, ms = p_yt > 0, p_ys > 0
    # Masks are tested by counting: np.count_nonzero takes 0.3 us against 1.2 us for the
    # Python wrapper of ndarray.all/any, and a certificate tests about a dozen.
    if np.count_nonzero(mt) == mt.size and np.count_nonzero(ms) == ms.size:
        q = np.maximum(q, _FLOOR)
    else:
        q = np.where(mt[..., :, None] & ms[..., None, :], np.maximum(q, _FLOOR), 0.0)
    axes = (-2, -1)
    row = q.sum(axis=-1)
    # Both marginals at the start (after a sweep only the rows can be off).
    residual = np.maximum(np.abs(row - p_yt).max(axis=axes), np.abs(q.sum(axis=-2) - p_ys).max(axis=axes))
    if np.count_nonzero(residual <= _SINKHORN_TARGET) == residual.size:
        return q, np.zeros_like(p_yt), np.zeros_like(p_ys), residual
    scale_t = np.ones_like(p_yt)
    scale_s = np.ones_like(p_ys)
    for _ in range(_SINKHORN_SWEEPS):
        step = np.divide(p_yt, row, out=np.ones_like(row), where=mt)
        q *= step[..., None]
        scale_t *= step
        col = q.sum(axis=-2)
        step = np.divide(p_ys, col, out=np.ones_like(col), where=ms)
        q *= step[..., None, :]
        scale_s *= step
        row = q.sum(axis=-1)
        residual = np.abs(row - p_yt).max(axis=axes)
        if (residual <= _SINKHORN_TARGET).all():
            break
    with np.errstate(divide="ignore"):
        return q, np.log(scale_t), np.log(scale_s), residual


@dataclass(frozen=True)
class Certificate:
    """A certified point for each joint of a stack; all values in nats.

    Attributes
    ----------
    q : numpy.ndarray
        Feasible points ``q[k, y, t, s]`` (marginals within ``residual``).
    lam, mu : numpy.ndarray
        The multipliers whose dual bound is ``bound``.
    value : numpy.ndarray
        f(q), an upper bound on the optimum.
    bound : numpy.ndarray
        D(lam, mu), a lower bound on the optimum.
    gap : numpy.ndarray
        ``value - bound`` plus the rounding allowance: a bound on the error of ``value``.
    residual : numpy.ndarray
        Largest absolute marginal residual of ``q``.
    certified : numpy.ndarray of bool
        ``gap <= tol`` and ``residual <= MARGINAL_TOLERANCE`` and everything finite.
    """

    q: np.ndarray
    lam: np.ndarray
    mu: np.ndarray
    value: np.ndarray
    bound: np.ndarray
    gap: np.ndarray
    residual: np.ndarray
    certified: np.ndarray


def certify(
    q: np.ndarray,
    lam: np.ndarray,
    mu: np.ndarray,
    p_yt: np.ndarray,
    p_ys: np.ndarray,
    *,
    tol_nats: float,
    inactive: np.ndarray | None = None,
) -> Certificate:
    """Fit each candidate ``q[k, y, t, s]`` to the marginals and bound its error by duality.

    ``inactive[k, t, s]`` marks pairs the solver believes carry no mass; q with those pairs set
    to 0 is tried first (Sinkhorn converges slowly towards cells that should vanish), then q
    itself where that did not certify. The best point (feasible first, then the lowest value)
    and the best bound found are kept.
    """
    lam, mu, bound = balanced_bound(lam, mu, p_yt, p_ys)
    if inactive is None or not np.count_nonzero(inactive):
        return _certificate(*_trial(q, lam, mu, p_yt, p_ys, bound), tol_nats)
    k = q.shape[0]
    best_lam, best_mu = lam.copy(), mu.copy()
    best_q = np.zeros_like(q)
    best_value = np.full(k, np.inf)
    best_residual = np.full(k, np.inf)
    todo = np.ones(k, dtype=bool)
    for rows, zero_inactive in ((np.flatnonzero(inactive.any(axis=(1, 2))), True), (None, False)):
        rows = np.flatnonzero(todo) if rows is None else rows[todo[rows]]
        if rows.size == 0:
            continue
        point = q[rows] * ~inactive[rows, None] if zero_inactive else q[rows]
        fitted, lam_fit, mu_fit, value, fit_bound, residual = _trial(
            point, lam[rows], mu[rows], p_yt[rows], p_ys[rows], bound[rows])
        raise_bound = fit_bound > bound[rows]
        chosen = rows[raise_bound]
        bound[chosen] = fit_bound[raise_bound]
        best_lam[chosen], best_mu[chosen] = lam_fit[raise_bound], mu_fit[raise_bound]
        feasible = residual <= MARGINAL_TOLERANCE
        was_feasible = best_residual[rows] <= MARGINAL_TOLERANCE
        better = np.isfinite(value) & (
            (feasible & ~was_feasible) | ((feasible == was_feasible) & (value < best_value[rows]))
        )
        chosen = rows[better]
        best_q[chosen] = fitted[better]
        best_value[chosen] = value[better]
        best_residual[chosen] = residual[better]
        with np.errstate(invalid="ignore"):
            gap = best_value[rows] - bound[rows] + rounding_allowance(best_value[rows], bound[rows])
        todo[rows[(best_residual[rows] <= MARGINAL_TOLERANCE) & (gap <= tol_nats)]] = False
    return _certificate(best_q, best_lam, best_mu, best_value, bound, best_residual, tol_nats)


def _trial(
    point: np.ndarray, lam: np.ndarray, mu: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray, bound: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``point`` projected onto the marginals and evaluated: (q, lam, mu, value, bound,
    residual), with the multipliers and bound the better of the given ones and the projection's
    (value inf where the projection is not finite)."""
    fitted, shift_t, shift_s, residual = project(point, p_yt, p_ys)
    moved = bool(np.count_nonzero(shift_t) or np.count_nonzero(shift_s))
    lam_fit, mu_fit = (lam + shift_t, mu + shift_s) if moved else (lam, mu)
    finite = np.isfinite(fitted).all(axis=(1, 2, 3)) & np.isfinite(residual)
    finite &= np.isfinite(lam_fit).all(axis=(1, 2)) | ~(p_yt > 0).any(axis=(1, 2))
    with np.errstate(invalid="ignore", over="ignore"):
        if np.count_nonzero(finite) == finite.size:
            value = objective(fitted)
        else:  # a point that is not finite is none: q 0, value and residual inf
            fitted = np.where(finite[:, None, None, None], fitted, 0.0)
            value = np.where(finite, objective(fitted), np.inf)
            residual = np.where(finite, residual, np.inf)
        if not moved:  # nothing was fitted: the multipliers and their bound are the given ones
            return fitted, lam, mu, value, bound, residual
        lam_fit, mu_fit, fit_bound = balanced_bound(lam_fit, mu_fit, p_yt, p_ys)
        fit_bound = np.where(finite, fit_bound, -np.inf)
    raise_bound = fit_bound > bound
    pick = raise_bound[:, None, None]
    return (fitted, np.where(pick, lam_fit, lam), np.where(pick, mu_fit, mu), value,
            np.where(raise_bound, fit_bound, bound), residual)


def _certificate(q, lam, mu, value, bound, residual, tol_nats) -> Certificate:
    """The :class:`Certificate` of evaluated points: the gap and whether it certifies."""
    with np.errstate(invalid="ignore"):
        gap = np.maximum(value - bound, 0.0) + rounding_allowance(value, bound)
    gap = np.where(np.isfinite(gap), gap, np.inf)
    certified = (gap <= tol_nats) & (residual <= MARGINAL_TOLERANCE) & np.isfinite(bound)
    return Certificate(q, lam, mu, value, bound, gap, residual, certified)


@dataclass(frozen=True)
class Solution:
    """A solver's certified answer for one joint, in nats (what every solver path returns).

    Attributes
    ----------
    q : numpy.ndarray
        The feasible point ``q[y, t, s]``.
    lam, mu : numpy.ndarray or None
        Multipliers ``lam[y, t]``, ``mu[y, s]`` whose dual bound is ``bound`` (``None`` for a
        failed solve).
    value, bound, gap, residual : float
        f(q), the dual lower bound, the certified gap and the largest marginal residual.
    certified : bool
        Whether ``gap <= tol`` with feasible marginals.
    nit : int or None
        Solver iterations.
    message : str
        What happened, in words.
    method : str
        ``"native"``, ``"cvxpy"`` or ``"closed form"``.
    solver : str or None
        The numerical solver (``"pidkit-native"``, ``"CLARABEL"``, ...).
    """

    q: np.ndarray
    lam: np.ndarray | None
    mu: np.ndarray | None
    value: float
    bound: float
    gap: float
    residual: float
    certified: bool
    nit: int | None
    message: str
    method: str
    solver: str | None


def closed_form(p: np.ndarray) -> Solution:
    """The answer for a joint with one symbol on some axis: q = p, exactly (gap 0); the
    multipliers of :func:`closed_form_multipliers` prove it (their bound equals f(p) up to
    rounding).

    Examples
    --------
    >>> p = np.full((2, 1, 3), 1 / 6)  # |T| = 1: Delta_P = {p}
    >>> sol = closed_form(p)
    >>> sol.certified, round(float(sol.value), 12)  # f(p) = -H(Y|S) = -log 2
    (True, -0.69314718056)
    """
    lam, mu = closed_form_multipliers(p)
    value = float(objective(p))
    return Solution(p, lam, mu, value, value, 0.0, 0.0, True, 0, "closed form", "closed form", None)


def closed_form_multipliers(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Optimal multipliers of a joint with a single symbol on some axis (q = p is optimal).

    |T| = 1 or |S| = 1 leaves q = p the only feasible point, and |Y| = 1 makes f = 0 everywhere.
    lam = log p(y|t) with mu = 0 (|S| = 1), or lam = 0 with mu = log p(y|s), make the dual bound
    equal f(p) exactly.
    """
    p_yt, p_ys = marginals(p)
    with np.errstate(divide="ignore", invalid="ignore"):
        if p.shape[-1] == 1:
            lam = np.log(p_yt / p_yt.sum(axis=-2, keepdims=True))
            mu = np.zeros_like(p_ys)
        else:
            lam = np.zeros_like(p_yt)
            mu = np.log(p_ys / p_ys.sum(axis=-2, keepdims=True))
    return np.where(p_yt > 0, lam, 0.0), np.where(p_ys > 0, mu, 0.0)
