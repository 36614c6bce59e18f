"""A native, certified solver for the Bertschinger et al. (2014) convex program.

The program (THEORY.md §1), in nats::

    minimise   f(q) = sum_{y,t,s} q log(q / q(t,s))            (= -H_Q(Y|T,S))
    subject to q >= 0,  q(y,t) = p(y,t),  q(y,s) = p(y,s)

Duality. For multipliers lambda(y,t), mu(y,s) (on the supports of p(y,t), p(y,s)) put
a = exp(lambda), b = exp(mu) and M(t,s) = sum_y a(y,t) b(y,s). Because f is positively
homogeneous, the Lagrange dual is

    maximise   <lambda, p_yt> + <mu, p_ys>   subject to   M(t,s) <= 1 for every (t,s),

and since shifting lambda by a constant shifts the objective by that constant and M by its
exponential, every (lambda, mu) gives the lower bound

    D(lambda, mu) = <lambda, p_yt> + <mu, p_ys> - log max_{t,s} M(t,s).

At an optimum q(y,t,s) = K(t,s) a(y,t) b(y,s) with K(t,s) = q(t,s) >= 0 the multiplier of the
constraint M(t,s) <= 1, and K(t,s) (1 - M(t,s)) = 0.

Algorithm. A primal-dual interior-point method on that dual: the variables are (lambda, mu) and
K > 0 with the slack g = 1 - M > 0; each iteration takes a Mehrotra predictor-corrector Newton step
on the perturbed conditions

    sum_s K a b = p(y,t),   sum_t K a b = p(y,s),   K g = sigma * mean(K g).

The Newton system in (lambda, mu) is H + B diag(K / g) B^T, with H block-diagonal over y (the
Hessian of the matrix-scaling problem for fixed K) and B the Jacobian of M. Its (lambda, lambda)
block is block-diagonal over t (|Y| x |Y| blocks), so the system is reduced to a dense Schur
complement over the (y, s) multipliers (or over (y, t), whichever is smaller) and solved by
Cholesky. Once the duality measure is small, the primal point q = K a b is projected exactly onto
the marginal constraints by a few Sinkhorn sweeps (done for all y at once) and the certified gap
f(q) - D(lambda, mu) is computed from that feasible point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg

__all__ = ["NativeSolution", "dual_bound", "objective", "solve_native"]

_FRACTION_TO_BOUNDARY = 0.995


@dataclass(frozen=True)
class NativeSolution:
    """What :func:`solve_native` returns; all values in nats.

    Attributes
    ----------
    q : numpy.ndarray
        The primal point, same shape as ``p``, satisfying the marginal constraints to rounding.
    objective_nats : float
        f(q) = -H_Q(Y|T,S) at ``q``.
    lower_bound_nats : float
        A dual lower bound D on the optimal value.
    gap_nats : float
        ``objective_nats - lower_bound_nats`` (>= 0): a certified bound on the error of f(q).
    nit : int
        Interior-point iterations taken.
    converged : bool
        Whether ``gap_nats <= tol_nats`` and the marginals hold.
    message : str
        What happened, in words.
    marginal_residual : float
        Largest absolute marginal residual of ``q``.
    """

    q: np.ndarray
    objective_nats: float
    lower_bound_nats: float
    gap_nats: float
    nit: int
    converged: bool
    message: str
    marginal_residual: float


def objective(q: np.ndarray) -> float:
    """f(q) = sum q log(q / q(t,s)) in nats, for a nonnegative array ``q[y, t, s]``."""
    q_ts = q.sum(axis=0)
    positive = q > 0
    ratio = np.ones_like(q)
    np.divide(q, q_ts[None], out=ratio, where=positive)
    return float(np.sum(q[positive] * np.log(ratio[positive])))


def dual_bound(
    log_a: np.ndarray, log_b: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray
) -> float:
    """The weak-duality lower bound D for ``log_a[y, t]`` and ``log_b[y, s]``, in nats.

    Entries where ``p_yt`` (resp. ``p_ys``) is 0 are ignored (a, b are taken as 0 there).
    """
    mt, ms = p_yt > 0, p_ys > 0
    shift_a = np.max(log_a, axis=0, where=mt, initial=-np.inf)
    shift_b = np.max(log_b, axis=0, where=ms, initial=-np.inf)
    shift_a = np.where(np.isfinite(shift_a), shift_a, 0.0)
    shift_b = np.where(np.isfinite(shift_b), shift_b, 0.0)
    a = np.where(mt, np.exp(np.where(mt, log_a, 0.0) - shift_a), 0.0)
    b = np.where(ms, np.exp(np.where(ms, log_b, 0.0) - shift_b), 0.0)
    m = a.T @ b  # M(t,s) * exp(-shift_a[t] - shift_b[s])
    with np.errstate(divide="ignore"):
        log_m = np.log(m) + shift_a[:, None] + shift_b[None, :]
    value = np.sum(np.where(mt, log_a, 0.0) * p_yt) + np.sum(np.where(ms, log_b, 0.0) * p_ys)
    return float(value - np.max(log_m))


def _drop_empty(p: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    keep = tuple(np.flatnonzero(p.sum(axis=other) > 0) for other in ((1, 2), (0, 2), (0, 1)))
    return p[np.ix_(*keep)], keep


def solve_native(
    p: np.ndarray, *, tol_nats: float = 1e-9 * np.log(2), max_iter: int = 200
) -> NativeSolution:
    """Solve the BROJA program for a validated joint ``p[y, t, s]`` (float64, sums to 1).

    Parameters
    ----------
    p : numpy.ndarray of shape (n_y, n_t, n_s)
        Nonnegative joint pmf indexed target, teacher, student; symbols of zero mass allowed.
    tol_nats : float, default=1e-9 bits
        Certified optimality gap to reach, in nats.
    max_iter : int, default=200
        Maximum interior-point iterations.

    Returns
    -------
    NativeSolution
        The primal point, its value, a dual lower bound and the certified gap.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.zeros((2, 2, 2))
    >>> for t in (0, 1):
    ...     for s in (0, 1):
    ...         p[t ^ s, t, s] = 0.25
    >>> sol = solve_native(p)
    >>> sol.converged, round(-sol.objective_nats, 9)
    (True, 0.0)
    """
    p_small, keep = _drop_empty(p)
    solver = _Solver(p_small, tol_nats=tol_nats, max_iter=max_iter)
    sol = solver.run()
    q = np.zeros_like(p)
    q[np.ix_(*keep)] = sol.q
    return NativeSolution(
        q=q,
        objective_nats=sol.objective_nats,
        lower_bound_nats=sol.lower_bound_nats,
        gap_nats=sol.gap_nats,
        nit=sol.nit,
        converged=sol.converged,
        message=sol.message,
        marginal_residual=sol.marginal_residual,
    )


class _Solver:
    """State of one interior-point solve on a joint with no empty symbols."""

    def __init__(self, p: np.ndarray, *, tol_nats: float, max_iter: int) -> None:
        self.p = p
        self.tol = tol_nats
        self.max_iter = max_iter
        self.p_yt = p.sum(axis=2)
        self.p_ys = p.sum(axis=1)
        self.mt = self.p_yt > 0
        self.ms = self.p_ys > 0
        self.cells = self.mt[:, :, None] & self.ms[:, None, :]
        self.active = self.cells.any(axis=0)  # (t, s) pairs that carry a constraint

    # ----------------------------------------------------------------- certificate
    def certify(self, q: np.ndarray, log_a: np.ndarray, log_b: np.ndarray, nit: int, why: str):
        """Project ``q`` onto the marginals, compute f(q) and the best dual bound."""
        q, la, lb, residual = self.project(q, log_a, log_b)
        value = objective(q)
        bound = max(
            dual_bound(log_a, log_b, self.p_yt, self.p_ys),
            dual_bound(la, lb, self.p_yt, self.p_ys),
        )
        gap = max(value - bound, 0.0)
        converged = gap <= self.tol and residual <= 1e-12
        message = f"{why}; certified gap {gap:.3g} nats after {nit} iterations"
        return NativeSolution(q, value, bound, gap, nit, converged, message, residual)

    def project(self, q, log_a, log_b, sweeps: int = 100):
        """Sinkhorn sweeps (all y at once) fitting q's (y,t) and (y,s) marginals exactly."""
        q = np.where(self.cells, np.maximum(q, 1e-300), 0.0)
        la = np.where(self.mt, log_a, 0.0)
        lb = np.where(self.ms, log_b, 0.0)
        residual = np.inf
        for _ in range(sweeps):
            row = q.sum(axis=2)
            scale = np.divide(self.p_yt, row, out=np.ones_like(row), where=self.mt)
            q *= scale[:, :, None]
            la += np.log(scale)
            col = q.sum(axis=1)
            scale = np.divide(self.p_ys, col, out=np.ones_like(col), where=self.ms)
            q *= scale[:, None, :]
            lb += np.log(scale)
            residual = float(np.abs(q.sum(axis=2) - self.p_yt).max())
            if residual <= 1e-16:
                break
        return q, la, lb, residual

    # ----------------------------------------------------------------- trivial cases
    def trivial(self) -> NativeSolution | None:
        p = self.p
        n_y, n_t, n_s = p.shape
        if n_y == 1 or n_t == 1 or n_s == 1:
            # Delta_P = {p} when |T| = 1 or |S| = 1; f = 0 when |Y| = 1.
            if n_t == 1:
                log_a = np.zeros((n_y, 1))
                with np.errstate(divide="ignore"):
                    log_b = np.log(self.p_ys / self.p_ys.sum(axis=0, keepdims=True))
            else:
                with np.errstate(divide="ignore"):
                    log_a = np.log(self.p_yt / self.p_yt.sum(axis=0, keepdims=True))
                log_b = np.zeros((n_y, n_s))
            return self.certify(p.copy(), log_a, log_b, 0, "closed form")
        return None

    # ----------------------------------------------------------------- interior point
    def run(self) -> NativeSolution:
        found = self.trivial()
        if found is not None:
            return found
        p_yt, p_ys, mt, ms, active = self.p_yt, self.p_ys, self.mt, self.ms, self.active
        n_y, n_t, n_s = self.p.shape
        n_active = int(active.sum())
        # Start: a = sqrt(p(y|t)) / 2, b = sqrt(p(y|s)) so that M <= 1/2 (Bhattacharyya).
        with np.errstate(divide="ignore"):
            lam = np.where(mt, 0.5 * np.log(p_yt / p_yt.sum(0)) - np.log(2.0), 0.0)
            mu = np.where(ms, 0.5 * np.log(p_ys / p_ys.sum(0)), 0.0)
        p_t, p_s = p_yt.sum(0), p_ys.sum(0)
        kk = np.where(active, np.outer(p_t, p_s), 0.0)
        kk = np.where(active, kk / kk.sum(), 0.0)
        best: NativeSolution | None = None
        nit = 0
        while nit < self.max_iter:
            a = np.where(mt, np.exp(lam), 0.0)
            b = np.where(ms, np.exp(mu), 0.0)
            e = a[:, :, None] * b[:, None, :]
            m = e.sum(axis=0)
            g = np.where(active, 1.0 - m, 1.0)
            q = kk[None] * e
            r_t = p_yt - q.sum(axis=2)
            r_s = p_ys - q.sum(axis=1)
            comp = kk * g
            mu_avg = comp.sum() / n_active
            feas = max(np.abs(r_t).max(), np.abs(r_s).max())
            if mu_avg * n_active < 0.1 * self.tol and feas < 1e-10:
                cand = self.certify(q, lam, mu, nit, "interior point converged")
                if best is None or cand.gap_nats < best.gap_nats:
                    best = cand
                if cand.converged or mu_avg * n_active < 1e-16:
                    break
            nit += 1
            w = np.where(active, kk / g, 0.0)
            system = _NewtonSystem(q, e, w, mt, ms)
            # Predictor (affine scaling).
            d_lam, d_mu, d_kk = system.direction(r_t, r_s, -comp, kk, g, e)
            d_g = -np.einsum("yts,yt->ts", e, d_lam) - np.einsum("yts,ys->ts", e, d_mu)
            alpha = min(_max_step(kk, d_kk, active), _max_step(g, d_g, active), 1.0)
            mu_aff = np.sum((kk + alpha * d_kk) * (g + alpha * d_g) * active) / n_active
            sigma = min((max(mu_aff, 0.0) / mu_avg) ** 3, 1.0)
            # Corrector.
            target = sigma * mu_avg - comp - d_kk * d_g
            d_lam, d_mu, d_kk = system.direction(r_t, r_s, np.where(active, target, 0.0), kk, g, e)
            lam, mu, kk = self.step(lam, mu, kk, d_lam, d_mu, d_kk, e)
        if best is None:
            a = np.where(mt, np.exp(lam), 0.0)
            b = np.where(ms, np.exp(mu), 0.0)
            q = kk[None] * a[:, :, None] * b[:, None, :]
            best = self.certify(q, lam, mu, nit, "iteration limit reached")
        return best

    def step(self, lam, mu, kk, d_lam, d_mu, d_kk, e):
        active = self.active
        alpha = min(1.0, _FRACTION_TO_BOUNDARY * _max_step(kk, d_kk, active, 1.0))
        d_c = d_lam[:, :, None] + d_mu[:, None, :]
        m_old = e.sum(axis=0)
        g_old = np.where(active, 1.0 - m_old, 1.0)
        for _ in range(60):
            m_new = np.sum(e * np.exp(alpha * d_c), axis=0)
            g_new = 1.0 - m_new
            if np.all(g_new[active] >= (1.0 - _FRACTION_TO_BOUNDARY) * g_old[active]):
                break
            alpha *= 0.5
        return (
            np.where(self.mt, lam + alpha * d_lam, 0.0),
            np.where(self.ms, mu + alpha * d_mu, 0.0),
            np.where(active, kk + alpha * d_kk, 0.0),
        )


def _max_step(x, dx, mask, fraction=1.0):
    """Largest alpha with x + alpha dx >= 0 on ``mask`` (inf if dx >= 0 there)."""
    neg = mask & (dx < 0)
    if not neg.any():
        return np.inf
    return float(fraction * np.min(-x[neg] / dx[neg]))


class _NewtonSystem:
    """Factorised Newton matrix H + B diag(w) B^T in the variables (lambda, mu)."""

    def __init__(self, q, e, w, mt, ms):
        n_y, n_t, n_s = q.shape
        self.mt, self.ms = mt, ms
        self.e, self.w = e, w
        f = e * np.sqrt(w)[None]  # (y, t, s)
        q_yt = q.sum(axis=2)
        q_ys = q.sum(axis=1)
        # lambda-lambda blocks, one per t: diag(q_yt[:, t]) + F_t F_t^T.
        blocks = np.einsum("yts,zts->tyz", f, f)
        diag = np.where(mt, q_yt, 1.0).T  # (t, y)
        idx = np.arange(n_y)
        blocks[:, idx, idx] += diag
        blocks[~mt.T] = 0.0
        blocks.transpose(0, 2, 1)[~mt.T] = 0.0
        blocks[:, idx, idx] = np.where(mt.T, blocks[:, idx, idx], 1.0)
        self.chol_t = np.linalg.cholesky(blocks)
        # lambda-mu coupling, per t: C_t[y, (z, s)] = delta_yz q[y,t,s] + f[y,t,s] f[z,t,s].
        coupling = np.einsum("yts,zts->tyzs", f, f)
        coupling[:, idx, idx, :] += q.transpose(1, 0, 2)
        coupling = coupling.reshape(n_t, n_y, n_y * n_s)
        self.coupling = coupling
        x = _chol_solve(self.chol_t, coupling)  # (t, y, (z, s))
        schur = -np.einsum("tyi,tyj->ij", coupling, x)
        # mu-mu blocks, one per s: diag(q_ys[:, s]) + F_s F_s^T.
        mm = np.einsum("yts,zts->syz", f, f)
        mm[:, idx, idx] += q_ys.T
        schur4 = schur.reshape(n_y, n_s, n_y, n_s)
        for s in range(n_s):
            schur4[:, s, :, s] += mm[s]
        # Gauge: (lambda(y,.) + c, mu(y,.) - c) leaves everything unchanged; pin it with a ridge.
        scale = float(np.mean(np.abs(np.diagonal(schur)))) or 1.0
        gauge = ms.astype(float)
        schur4 += scale * np.einsum("ys,zr->yszr", np.eye(n_y)[:, :, None] * gauge[None], gauge)[
            :, :, :, :
        ].sum(axis=1, keepdims=False).reshape(n_y, 1, n_y, n_s)[:, :, :, :] * 0 if False else 0.0
        schur4 += scale * (np.eye(n_y)[:, None, :, None] * gauge[:, :, None, None] * gauge[None, None])
        flat = schur4.reshape(n_y * n_s, n_y * n_s)
        off = ~ms.reshape(-1)
        flat[off, :] = 0.0
        flat[:, off] = 0.0
        flat[off, off] = 1.0
        self.schur = scipy.linalg.cho_factor(flat, lower=True, check_finite=False)

    def direction(self, r_t, r_s, target, kk, g, e):
        """Solve for (d_lam, d_mu, d_kk) given residuals and complementarity target."""
        mt, ms = self.mt, self.ms
        n_y, n_t, n_s = e.shape
        # d_kk = (target + kk * dM) / g, dM = B^T d; stationarity: H d + B d_kk = r.
        h = np.where(self.w > 0, target / g, 0.0)  # (t, s)
        rhs_t = np.where(mt, r_t - np.einsum("yts,ts->yt", e, h), 0.0)
        rhs_s = np.where(ms, r_s - np.einsum("yts,ts->ys", e, h), 0.0)
        x_t = _chol_solve(self.chol_t, rhs_t.T[:, :, None])[:, :, 0]  # (t, y)
        rhs_mu = rhs_s.reshape(-1) - np.einsum("tyi,ty->i", self.coupling, x_t)
        rhs_mu[~ms.reshape(-1)] = 0.0
        d_mu = scipy.linalg.cho_solve(self.schur, rhs_mu, check_finite=False).reshape(n_y, n_s)
        d_mu = np.where(ms, d_mu, 0.0)
        tmp = rhs_t.T - np.einsum("tyi,i->ty", self.coupling, d_mu.reshape(-1))
        d_lam = _chol_solve(self.chol_t, tmp[:, :, None])[:, :, 0].T
        d_lam = np.where(mt, d_lam, 0.0)
        d_m = np.einsum("yts,yt->ts", e, d_lam) + np.einsum("yts,ys->ts", e, d_mu)
        d_kk = np.where(self.w > 0, (target + kk * d_m) / g, 0.0)
        return d_lam, d_mu, d_kk


def _chol_solve(chol: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """Solve L L^T x = rhs for a stack of lower Cholesky factors."""
    y = np.linalg.solve(chol, rhs)
    return np.linalg.solve(np.swapaxes(chol, -1, -2), y)
