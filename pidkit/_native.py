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

The Newton system couples H (block-diagonal over y: the Hessian of the matrix-scaling problem
for fixed K) with B, the Jacobian of M. It is reduced in one of two ways, whichever is cheaper:
to the multipliers d_K of the (t, s) pairs, (B^T H^{-1} B + diag(g / K)) d_K = ..., which only
inverts H's (|T|+|S|)-sized blocks and is the more robust form; or, when |Y| is small next to
|T| and |S|, to the (y, s) multipliers via the (lambda, lambda) blocks (block-diagonal over t),
keeping d_K as an unknown on the pairs heading for M = 1 so that no huge weight K / g is
inverted. Past about 6e8 flops (e.g. 30 x 30 x 30) the pair system is solved matrix-free by
conjugate gradients instead (block-Jacobi preconditioner: one |S| x |S| block per t; the
corrector's solve starts from the predictor's): memory stays a few copies of p plus |Y| blocks
of size (|T|+|S|)^2. Steps are damped by a fraction-to-the-boundary rule and a trust region on the
exponents. Once the duality measure is small, the primal point q = K a b is projected exactly
onto the marginal constraints by Sinkhorn sweeps (all y at once), also with the pairs the
interior point marks inactive set to zero, and the certified gap f(q) - D(lambda, mu) is computed
from that feasible point, with an allowance for rounding.

Joints whose marginals p(y,t), p(y,s) all are positive and whose pair system is dense go first
through :mod:`pidkit._native_batch`, the same method vectorised over a stack of joints (here a
stack of one; :func:`pidkit.bertschinger_batch` stacks joints of one shape), with a cheaper
elimination of the pair system; the general solver below takes the other joints and any that the
stacked one does not certify.

BLAS runs on one thread (threadpoolctl): the systems are small, and oversubscribed machines make
threaded BLAS many times slower.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import numpy as np
import scipy.linalg

__all__ = ["NativeSolution", "dual_bound", "objective", "solve_native"]

_FRACTION_TO_BOUNDARY = 0.995
_MAX_EXPONENT_STEP = 4.0
_ROUNDING = 1e-14
_SPLIT = 1e4
_DENSE_FLOPS = 6e8
_CG_FORCING = 1e-2


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
    return float(np.sum(q[positive] * np.log(q[positive] / np.broadcast_to(q_ts, q.shape)[positive])))


def dual_bound(log_a: np.ndarray, log_b: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray) -> float:
    """The weak-duality lower bound D(log a, log b) on the optimal value, in nats.

    ``log_a[y, t]`` and ``log_b[y, s]`` are any finite multipliers; entries where ``p_yt``
    (resp. ``p_ys``) is 0 are ignored (a, b are 0 there).
    """
    mt, ms = p_yt > 0, p_ys > 0
    log_a = np.where(mt, log_a, -np.inf)
    log_b = np.where(ms, log_b, -np.inf)
    shift_a = np.max(log_a, axis=0)
    shift_b = np.max(log_b, axis=0)
    shift_a[~np.isfinite(shift_a)] = 0.0
    shift_b[~np.isfinite(shift_b)] = 0.0
    m = np.exp(log_a - shift_a).T @ np.exp(log_b - shift_b)  # M(t,s) e^{-shift_a[t] - shift_b[s]}
    with np.errstate(divide="ignore"):
        log_m = np.log(m) + shift_a[:, None] + shift_b[None, :]
    value = np.sum(np.where(mt, log_a, 0.0) * p_yt) + np.sum(np.where(ms, log_b, 0.0) * p_ys)
    return float(value - np.max(log_m))


_controller = None


def _single_blas_thread():
    """Run BLAS on one thread: the Newton systems are small enough that threading them mostly
    adds synchronisation, and on a shared or oversubscribed machine (or inside worker processes)
    multi-threaded BLAS is many times slower."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # an optional speed-up; results are identical without it
            return contextlib.nullcontext()
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="blas")


def solve_native(
    p: np.ndarray, *, tol_nats: float = 1e-9 * np.log(2.0), max_iter: int = 100
) -> NativeSolution:
    """Solve the BROJA program for a validated joint ``p[y, t, s]`` (float64, sums to 1).

    Parameters
    ----------
    p : numpy.ndarray of shape (n_y, n_t, n_s)
        Nonnegative joint pmf indexed target, teacher, student; symbols of zero mass allowed.
    tol_nats : float, default=1e-9 bits
        Certified optimality gap to reach, in nats.
    max_iter : int, default=100
        Maximum interior-point iterations.

    Returns
    -------
    NativeSolution
        The primal point, its value, a dual lower bound and the certified gap (nats).

    Examples
    --------
    >>> import numpy as np
    >>> p = np.zeros((2, 2, 2))
    >>> for t in (0, 1):
    ...     for s in (0, 1):
    ...         p[t & s, t, s] = 0.25
    >>> sol = solve_native(p)
    >>> sol.converged, round(float(-sol.objective_nats / np.log(2)), 6)
    (True, 0.5)
    """
    keep = tuple(np.flatnonzero(p.sum(axis=other) > 0) for other in ((1, 2), (0, 2), (0, 1)))
    core = p[np.ix_(*keep)]
    swap = core.shape[2] > core.shape[1]  # so that |S| <= |T|: the (y, s) reduction is smaller
    if swap:
        core = core.transpose(0, 2, 1)
    # Joints with full-support marginals and a dense pair system: the stacked solver, a stack of
    # one (imported here: it builds on this module).
    from ._native_batch import batch_eligible, solve_stack

    with _single_blas_thread():
        sol = None
        if batch_eligible(core):
            sol = solve_stack(core[None], tol_nats=tol_nats, max_iter=max_iter)[0]
        if sol is None:
            sol = _Solver(core, tol_nats=tol_nats, max_iter=max_iter).run()
    q_core = sol.q.transpose(0, 2, 1) if swap else sol.q
    q = np.zeros_like(p)
    q[np.ix_(*keep)] = q_core
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
    """One interior-point solve. Arrays are laid out t-major: ``e[t, y, s]``, ``lam[t, y]``."""

    def __init__(self, p: np.ndarray, *, tol_nats: float, max_iter: int) -> None:
        self.p = p  # [y, t, s], no empty symbols
        self.tol = tol_nats
        self.max_iter = max_iter
        self.p_ty = p.sum(axis=2).T.copy()
        self.p_ys = p.sum(axis=1)
        self.mt = self.p_ty > 0  # (t, y)
        self.ms = self.p_ys > 0  # (y, s)
        self.cells = self.mt[:, :, None] & self.ms[None, :, :]  # (t, y, s)
        self.active = self.cells.any(axis=1)  # (t, s): pairs that carry a constraint
        self.n_active = int(self.active.sum())

    def scaling(self, lam: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """e[t, y, s] = a(y,t) b(y,s), zero off the support."""
        a = np.where(self.mt, np.exp(lam), 0.0)
        b = np.where(self.ms, np.exp(mu), 0.0)
        return a[:, :, None] * b[None, :, :]

    # ------------------------------------------------------------------ certificate
    def certify(self, q, lam, mu, nit: int, why: str, inactive=None) -> NativeSolution:
        """Fit q's marginals exactly, then compare f(q) with the best dual bound at hand.

        ``inactive[t, s]`` marks pairs the interior point has identified as carrying no mass
        (slack larger than multiplier); q with those cells set to 0 is tried as well, since
        Sinkhorn converges slowly towards cells that should vanish.
        """
        p_yt = self.p_ty.T
        bound = dual_bound(lam.T, mu, p_yt, self.p_ys)
        candidates = [q]
        if inactive is not None and inactive.any():
            candidates.insert(0, q * ~inactive[:, None, :])
        best = None
        for point in candidates:
            fitted, lam_fit, mu_fit, residual = self.project(point, lam, mu)
            if not np.isfinite(fitted).all():
                continue
            bound = max(bound, dual_bound(lam_fit.T, mu_fit, p_yt, self.p_ys))
            key = (residual > 1e-12, objective(fitted.transpose(1, 0, 2)))
            if best is None or key < best[0]:
                best = (key, fitted, residual)
            if not key[0] and key[1] - bound + self._rounding(key[1], bound) <= self.tol:
                break  # certified already; the other candidate cannot be needed
        if best is None:
            message = f"{why}; no finite primal point"
            return NativeSolution(
                q.transpose(1, 0, 2), np.inf, bound, np.inf, nit, False, message, np.inf
            )
        (_, value), fitted, residual = best
        gap = max(value - bound, 0.0) + self._rounding(value, bound)
        converged = bool(gap <= self.tol and residual <= 1e-12)
        message = f"{why}; certified gap {gap:.3g} nats after {nit} iterations"
        return NativeSolution(
            fitted.transpose(1, 0, 2), value, bound, gap, nit, converged, message, residual
        )

    @staticmethod
    def _rounding(value: float, bound: float) -> float:
        """Both numbers are sums of many rounded terms: the certified gap includes that error."""
        return _ROUNDING * (1.0 + abs(value) + abs(bound))

    def project(self, q, lam, mu, sweeps: int = 200):
        """Sinkhorn sweeps (every y at once) making q's (y,t) and (y,s) marginals exact.

        Returns the fitted q, the multipliers moved by the same scalings, and the largest
        remaining marginal residual.
        """
        q = np.where(self.cells, np.maximum(q, 1e-300), 0.0)
        scale_t = np.ones_like(self.p_ty)
        scale_s = np.ones_like(self.p_ys)
        residual = np.inf
        for _ in range(sweeps):
            row = q.sum(axis=2)
            step = np.divide(self.p_ty, row, out=np.ones_like(row), where=self.mt)
            q *= step[:, :, None]
            scale_t *= step
            col = q.sum(axis=0)
            step = np.divide(self.p_ys, col, out=np.ones_like(col), where=self.ms)
            q *= step[None, :, :]
            scale_s *= step
            residual = float(np.abs(q.sum(axis=2) - self.p_ty).max())
            if residual <= 1e-15:
                break
        with np.errstate(divide="ignore"):
            return q, lam + np.log(scale_t), mu + np.log(scale_s), residual

    # ------------------------------------------------------------------ closed forms
    def closed_form(self) -> NativeSolution | None:
        """|T| = 1 or |S| = 1 leave only q = p feasible; |Y| = 1 makes every q optimal (f = 0)."""
        n_y, n_t, n_s = self.p.shape
        if min(n_y, n_t, n_s) > 1:
            return None
        q = self.p.transpose(1, 0, 2).copy()
        with np.errstate(divide="ignore"):
            if n_t == 1:
                lam = np.zeros((n_t, n_y))
                mu = np.log(self.p_ys / self.p_ys.sum(axis=0))
            else:
                lam = np.log(self.p_ty / self.p_ty.sum(axis=1, keepdims=True))
                mu = np.zeros((n_y, n_s))
        lam = np.where(self.mt, lam, 0.0)
        mu = np.where(self.ms, mu, 0.0)
        return self.certify(q, lam, mu, 0, "closed form")

    # ------------------------------------------------------------------ interior point
    def system(self, *args):
        """The Newton system of this joint's shape, in its cheapest form."""
        return _newton_system_class(self.p.shape)(*args)

    def run(self) -> NativeSolution:
        found = self.closed_form()
        if found is not None:
            return found
        mt, ms, active, n_active = self.mt, self.ms, self.active, self.n_active
        p_ty, p_ys = self.p_ty, self.p_ys
        # Start at the conditionally independent coupling q0 = p(y,t) p(y,s) / p(y), which is
        # feasible: q0 = K a b with a = p(y|t), b = p(y|s) / (p(y) c), K = c p(t) p(s), and c
        # chosen so that max M = 1/2.
        p_t, p_s, p_y = p_ty.sum(axis=1), p_ys.sum(axis=0), p_ys.sum(axis=1)
        a = p_ty / p_t[:, None]
        b = p_ys / p_s[None, :] / p_y[:, None]
        c = 2.0 * float(np.max(a @ b))
        with np.errstate(divide="ignore"):
            lam = np.where(mt, np.log(a), 0.0)
            mu = np.where(ms, np.log(b / c), 0.0)
        e = self.scaling(lam, mu)
        m = e.sum(axis=1)
        g = np.where(active, 1.0 - m, 1.0)
        kk = np.where(active, c * np.outer(p_t, p_s), 0.0)
        reason = "iteration limit reached"
        best: NativeSolution | None = None
        nit = 0
        while True:
            q = kk[:, None, :] * e
            r_t = p_ty - q.sum(axis=2)
            r_s = p_ys - q.sum(axis=0)
            r_g = np.where(active, 1.0 - m - g, 0.0)
            comp = kk * g
            mu_avg = comp.sum() / n_active
            if mu_avg * n_active < 0.1 * self.tol:
                cand = self.certify(q, lam, mu, nit, "interior point converged", g > kk)
                if best is None or cand.gap_nats < best.gap_nats:
                    best = cand
                if cand.converged or mu_avg * n_active < 1e-20:
                    break
            if nit >= self.max_iter:
                break
            try:
                system = self.system(q, e, kk, g, mt, ms, active)
            except (np.linalg.LinAlgError, ValueError):
                reason = "Newton system numerically singular"
                break
            nit += 1
            # Mehrotra predictor-corrector.
            d_lam, d_mu, d_kk, d_g = system.direction(r_t, r_s, r_g, -comp, kk, g)
            alpha = min(_max_step(kk, d_kk), _max_step(g, d_g), 1.0)
            mu_aff = np.sum((kk + alpha * d_kk) * (g + alpha * d_g) * active) / n_active
            sigma = min((max(mu_aff, 0.0) / mu_avg) ** 3, 1.0)
            target = np.where(active, sigma * mu_avg - comp - d_kk * d_g, 0.0)
            d_lam, d_mu, d_kk, d_g = system.direction(r_t, r_s, r_g, target, kk, g)
            # Fraction to the boundary, and a trust region on the exponents lambda + mu so that
            # one step cannot overflow exp(). No backtracking on the nonlinear residuals: on
            # nearly deterministic joints it stalls the method, while full steps converge.
            largest = np.max(np.abs(d_lam)) + np.max(np.abs(d_mu))
            alpha = min(
                1.0,
                _FRACTION_TO_BOUNDARY * _max_step(kk, d_kk),
                _FRACTION_TO_BOUNDARY * _max_step(g, d_g),
                _MAX_EXPONENT_STEP / largest if largest > 0 else np.inf,
            )
            lam = lam + alpha * d_lam
            mu = mu + alpha * d_mu
            kk = kk + alpha * d_kk
            g = g + alpha * d_g
            e = self.scaling(lam, mu)
            m = e.sum(axis=1)
            if not (np.isfinite(m).all() and np.isfinite(kk).all()):
                reason = "interior point diverged"
                break
        if best is None or not best.converged:
            cand = self.certify(kk[:, None, :] * e, lam, mu, nit, reason, g > kk)
            if best is None or cand.gap_nats < best.gap_nats:
                best = cand
        return best


def _newton_system_class(shape: tuple[int, int, int]) -> type:
    """Reduce to the (t, s) pairs unless that costs several times the (y, s) reduction; solve
    matrix-free when even the cheaper dense reduction would be too big.

    Flop estimates of forming the reduced matrix: (|T||S|)^2 |Y| (|T|+|S|) for the pairs and
    (|Y||S|)^2 |T||Y| for the (y, s) multipliers. The pair form is preferred at equal cost: it
    never inverts the large weights K / g and has proved the more robust on degenerate joints.
    """
    n_y, n_t, n_s = shape
    pairs = (n_t * n_s) ** 2 * n_y * (n_t + n_s)
    multipliers = (n_y * n_s) ** 2 * n_t * n_y
    dense = _PairNewtonSystem if pairs <= 3 * multipliers else _NewtonSystem
    if (pairs if dense is _PairNewtonSystem else multipliers) > _DENSE_FLOPS:
        return _IterativePairSystem
    return dense


def _cholesky(a: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor(s) of unit-diagonal SPD matrices, adding a ridge if rounding hurts."""
    for ridge in (0.0, 1e-13, 1e-10, 1e-7, 1e-4):
        try:
            if ridge:
                a = a + ridge * np.eye(a.shape[-1])
            return np.linalg.cholesky(a)
        except np.linalg.LinAlgError:
            continue
    raise np.linalg.LinAlgError("Newton matrix is not positive definite")


def _max_step(x: np.ndarray, dx: np.ndarray) -> float:
    """Largest alpha with x + alpha dx >= 0 (inf if dx >= 0 everywhere)."""
    neg = dx < 0
    if not neg.any():
        return np.inf
    return float(np.min(-x[neg] / dx[neg]))


class _NewtonSystem:
    """The Newton system of one interior-point iteration, factorised.

    Layout t-major: ``e[t, y, s]``. Pairs (t, s) are split by the usual active-set guess: those
    with K > g ("active", heading for M = 1) keep their multiplier step d_K as an unknown, the
    others have it eliminated, giving weights w = K / g <= 1 there. Eliminating the large weights
    of active pairs instead would make the matrix ill-conditioned (w ~ 1 / duality measure) and
    the Schur complement would cancel catastrophically. So we factorise

        A0 = H + B_I diag(w_I) B_I^T        (lambda, mu): H block-diagonal over y

    by eliminating the (lambda, lambda) block (block-diagonal over t, |Y| x |Y| blocks) and
    factorising the Schur complement over the (y, s) multipliers, and then the small, positive
    definite system B_A^T A0^{-1} B_A + diag(g_A / K_A) over the active pairs.
    """

    def __init__(self, q, e, kk, g, mt, ms, constrained):
        n_t, n_y, n_s = q.shape
        self.n = (n_t, n_y, n_s)
        self.e = e
        self.constrained = constrained
        self.act = constrained & (kk > _SPLIT * g)
        self.inact = constrained & ~self.act
        w = np.where(self.inact, kk / g, 0.0)
        f = e * np.sqrt(w)[:, None, :]
        idx = np.arange(n_y)
        blocks = f @ f.transpose(0, 2, 1)
        blocks[:, idx, idx] += np.where(mt, q.sum(axis=2), 1.0)
        scale_t = np.sqrt(blocks[:, idx, idx])
        chol = _cholesky(blocks / (scale_t[:, :, None] * scale_t[:, None, :]))
        self.inv_chol = np.linalg.inv(chol) / scale_t[:, None, :]  # blocks^-1 = X^T X
        coupling = f[:, :, None, :] * f[:, None, :, :]  # (t, y, z, s)
        coupling[:, idx, idx, :] += q
        self.coupling = coupling.reshape(n_t * n_y, n_y * n_s)
        x = (self.inv_chol @ coupling.reshape(n_t, n_y, n_y * n_s)).reshape(n_t * n_y, n_y * n_s)
        schur = -(x.T @ x)
        schur4 = schur.reshape(n_y, n_s, n_y, n_s)
        sidx = np.arange(n_s)
        ft = f.transpose(2, 1, 0)  # (s, y, t)
        schur4[:, sidx, :, sidx] += ft @ ft.transpose(0, 2, 1)
        q_ys = q.sum(axis=0)
        schur4[idx, sidx[:, None], idx, sidx[:, None]] += q_ys.T
        # Gauge: (lambda(y,.) + c, mu(y,.) - c) changes nothing; pin it with a ridge on the
        # scale of the matrix-scaling Hessian.
        scale = float(np.mean(q_ys[ms])) if ms.any() else 1.0
        msf = ms.astype(float)
        schur4[idx, :, idx, :] += scale * (msf[:, :, None] * msf[:, None, :])
        off = ~ms.reshape(-1)
        schur[off, off] = 1.0
        if not np.isfinite(schur).all():
            raise np.linalg.LinAlgError("non-finite Newton matrix")
        self.scale_mu = np.sqrt(np.maximum(np.diagonal(schur), np.finfo(float).tiny))
        self.factor = _cholesky(schur / np.outer(self.scale_mu, self.scale_mu))
        # Active pairs: X = A0^{-1} B_A and the system over them.
        self.t_act, self.s_act = np.nonzero(self.act)
        n_act = self.t_act.size
        if n_act:
            cols = np.arange(n_act)
            e_act = e[self.t_act, :, self.s_act]  # (n_act, y)
            b_t = np.zeros((n_t, n_y, n_act))
            b_t[self.t_act, :, cols] = e_act
            b_s = np.zeros((n_y, n_s, n_act))
            b_s[:, self.s_act, cols] = e_act.T
            self.x_t, self.x_s = self.solve_base(b_t, b_s)
            small = self.transpose_b(self.x_t, self.x_s)
            small[cols, cols] += g[self.act] / kk[self.act]
            self.scale_act = np.sqrt(np.diagonal(small).copy())
            self.factor_act = _cholesky(small / np.outer(self.scale_act, self.scale_act))

    def transpose_b(self, z_t, z_s):
        """B_A^T z for z = (z_t[t, y, k], z_s[y, s, k]): rows are the active pairs."""
        e_act = self.e[self.t_act, :, self.s_act]  # (n_act, y)
        return np.einsum("ay,ayk->ak", e_act, z_t[self.t_act] + z_s[:, self.s_act].swapaxes(0, 1))

    def solve_base(self, rhs_t, rhs_s):
        """A0^{-1} applied to right-hand sides rhs_t[t, y, k], rhs_s[y, s, k]."""
        n_t, n_y, n_s = self.n
        k = rhs_t.shape[-1]
        x_t = self.inv_chol @ rhs_t
        x_t = np.swapaxes(self.inv_chol, 1, 2) @ x_t
        rhs_mu = rhs_s.reshape(n_y * n_s, k) - self.coupling.T @ x_t.reshape(n_t * n_y, k)
        scale = self.scale_mu[:, None]
        d_mu = scipy.linalg.cho_solve((self.factor, True), rhs_mu / scale, check_finite=False)
        d_mu /= scale
        tmp = rhs_t - (self.coupling @ d_mu).reshape(n_t, n_y, k)
        d_lam = np.swapaxes(self.inv_chol, 1, 2) @ (self.inv_chol @ tmp)
        return d_lam, d_mu.reshape(n_y, n_s, k)

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kk, d_g).

        Solves H d + B d_kk = r, B^T d + d_g = r_g, g d_kk + kk d_g = target (linearised).
        """
        e = self.e
        h = np.where(self.inact, (target - kk * r_g) / g, 0.0)
        rhs_t = r_t - (e @ h[:, :, None])[:, :, 0]
        rhs_s = r_s - np.sum(e * h[:, None, :], axis=0)
        d_lam, d_mu = self.solve_base(rhs_t[:, :, None], rhs_s[:, :, None])
        d_kk_act = None
        if self.t_act.size:
            rhs_act = (r_g - target / np.where(self.act, kk, 1.0))[self.act]
            rhs = self.transpose_b(d_lam, d_mu)[:, 0] - rhs_act
            d_kk_act = (
                scipy.linalg.cho_solve(
                    (self.factor_act, True), rhs / self.scale_act, check_finite=False
                )
                / self.scale_act
            )
            d_lam = d_lam - self.x_t @ d_kk_act[:, None]
            d_mu = d_mu - self.x_s @ d_kk_act[:, None]
        d_lam, d_mu = d_lam[:, :, 0], d_mu[:, :, 0]
        d_m = np.sum((d_lam[:, :, None] + d_mu[None, :, :]) * e, axis=1)
        d_g = np.where(self.constrained, r_g - d_m, 0.0)
        d_kk = np.where(self.inact, (target - kk * d_g) / g, 0.0)
        if d_kk_act is not None:
            d_kk[self.act] = d_kk_act
        return d_lam, d_mu, d_kk, d_g


class _PairNewtonSystem:
    """The same Newton system reduced to the multipliers d_K of the (t, s) pairs.

    Eliminating (lambda, mu) needs only H, block-diagonal over y with (|T|+|S|)-sized blocks
    (the matrix-scaling Hessian of each y's slice q[y]), so no large weight is ever inverted:

        (B^T H^{-1} B + diag(g / K)) d_K = B^T H^{-1} r - r_g + target / K.

    Cheapest when |T||S| is small next to |Y||S| (many targets, few teacher/student symbols).
    """

    def __init__(self, q, e, kk, g, mt, ms, constrained):
        n_t, n_y, n_s = q.shape
        n = n_t + n_s
        self.n = (n_t, n_y, n_s)
        self.e = e
        self.constrained = constrained
        h = np.zeros((n_y, n, n))
        diag = np.concatenate([np.where(mt, q.sum(axis=2), 1.0).T, np.where(ms, q.sum(axis=0), 1.0)],
                              axis=1)  # (y, n)
        h[:, np.arange(n), np.arange(n)] = diag
        slab = q.transpose(1, 0, 2)  # (y, t, s)
        h[:, :n_t, n_t:] = slab
        h[:, n_t:, :n_t] = slab.transpose(0, 2, 1)
        gauge = np.concatenate([mt.T.astype(float), -ms.astype(float)], axis=1)  # (y, n)
        ridge = np.mean(np.where(gauge != 0, diag, 0.0), axis=1) * (gauge != 0).any(axis=1)
        h += ridge[:, None, None] * gauge[:, :, None] * gauge[:, None, :]
        scale = np.sqrt(diag)
        chol = _cholesky(h / (scale[:, :, None] * scale[:, None, :]))
        self.linv = np.linalg.inv(chol) / scale[:, None, :]  # H_y^{-1} = linv^T linv
        ey = e.transpose(1, 0, 2)  # (y, t, s)
        z = (self.linv[:, :, :n_t, None] + self.linv[:, :, None, n_t:]) * ey[:, None, :, :]
        self.z = z.reshape(n_y * n, n_t * n_s)  # stacked L_y^{-1} B_y
        small = self.z.T @ self.z
        cells = np.arange(n_t * n_s)
        small[cells, cells] += np.where(constrained, g / np.where(constrained, kk, 1.0), 1.0).reshape(-1)
        if not np.isfinite(small).all():
            raise np.linalg.LinAlgError("non-finite Newton matrix")
        self.scale_k = np.sqrt(np.diagonal(small).copy())
        self.factor = _cholesky(small / np.outer(self.scale_k, self.scale_k))

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kk, d_g); see :meth:`_NewtonSystem.direction`."""
        n_t, n_y, n_s = self.n
        r_y = np.concatenate([r_t.T, r_s], axis=1)  # (y, n)
        u = (self.linv @ r_y[:, :, None]).reshape(-1)
        safe_kk = np.where(self.constrained, kk, 1.0)
        rhs = np.where(self.constrained, (u @ self.z).reshape(n_t, n_s) - r_g + target / safe_kk, 0.0)
        d_kk = scipy.linalg.cho_solve(
            (self.factor, True), rhs.reshape(-1) / self.scale_k, check_finite=False
        ) / self.scale_k
        v = (u - self.z @ d_kk).reshape(n_y, n_t + n_s, 1)
        d_y = (np.swapaxes(self.linv, 1, 2) @ v)[:, :, 0]
        d_lam, d_mu = d_y[:, :n_t].T, d_y[:, n_t:]
        d_m = np.sum((d_lam[:, :, None] + d_mu[None, :, :]) * self.e, axis=1)
        d_g = np.where(self.constrained, r_g - d_m, 0.0)
        return d_lam, d_mu, np.where(self.constrained, d_kk.reshape(n_t, n_s), 0.0), d_g


class _IterativePairSystem:
    """The (t, s)-pair reduction of :class:`_PairNewtonSystem`, solved matrix-free by conjugate
    gradients preconditioned with the pair matrix's |S| x |S| diagonal blocks (one per t), for
    joints too large for a dense reduced matrix.

    Memory: a few arrays of the joint's size plus the |Y| blocks of H ((|T|+|S|)^2 each) and the
    |T| preconditioner blocks (|S|^2 each).
    The conjugate-gradient tolerance follows the duality measure (inexact Newton).
    """

    def __init__(self, q, e, kk, g, mt, ms, constrained):
        n_t, n_y, n_s = q.shape
        n = n_t + n_s
        self.n = (n_t, n_y, n_s)
        self.e = e
        self.constrained = constrained
        h = np.zeros((n_y, n, n))
        diag = np.concatenate(
            [np.where(mt, q.sum(axis=2), 1.0).T, np.where(ms, q.sum(axis=0), 1.0)], axis=1
        )
        h[:, np.arange(n), np.arange(n)] = diag
        h[:, :n_t, n_t:] = q.transpose(1, 0, 2)
        h[:, n_t:, :n_t] = q.transpose(1, 2, 0)
        gauge = np.concatenate([mt.T.astype(float), -ms.astype(float)], axis=1)
        ridge = np.mean(np.where(gauge != 0, diag, 0.0), axis=1) * (gauge != 0).any(axis=1)
        h += ridge[:, None, None] * gauge[:, :, None] * gauge[:, None, :]
        scale = np.sqrt(diag)
        chol = _cholesky(h / (scale[:, :, None] * scale[:, None, :]))
        linv = np.linalg.inv(chol) / scale[:, None, :]
        self.g_inv = np.swapaxes(linv, 1, 2) @ linv  # H_y^{-1}, (y, n, n)
        self.d = np.where(constrained, g / np.where(constrained, kk, 1.0), 1.0)
        if not np.isfinite(self.g_inv).all():
            raise np.linalg.LinAlgError("non-finite Newton matrix")
        # Block-Jacobi preconditioner: the |S| x |S| diagonal block of each t, i.e.
        # sum_y e(t,y,s) e(t,y,s') (G_tt + G_ts' + G_st + G_ss') + diag(g / K), inverted through
        # its Cholesky factor. The three-operand einsum loops in C: no (t, y, s, s') intermediate.
        g_tt = np.diagonal(self.g_inv[:, :n_t, :n_t], axis1=1, axis2=2)  # (y, t)
        g_ts = self.g_inv[:, :n_t, n_t:].transpose(1, 0, 2)  # (t, y, s)
        blocks = e.transpose(0, 2, 1) @ (e * g_tt.T[:, :, None])
        cross = e.transpose(0, 2, 1) @ (e * g_ts)
        blocks += cross + cross.transpose(0, 2, 1)
        blocks += np.einsum("tys,tyu,ysu->tsu", e, e, self.g_inv[:, n_t:, n_t:])
        cells = np.arange(n_s)
        blocks[:, cells, cells] += self.d
        if not np.isfinite(blocks).all():
            raise np.linalg.LinAlgError("non-finite Newton matrix")
        scale = np.sqrt(np.diagonal(blocks, axis1=1, axis2=2))
        linv = np.linalg.inv(_cholesky(blocks / (scale[:, :, None] * scale[:, None, :])))
        linv /= scale[:, None, :]
        self.block_inv = np.swapaxes(linv, 1, 2) @ linv  # (t, s, s)
        # Inexact Newton: solve as accurately as the duality measure warrants.
        measure = float(np.sum(np.where(constrained, kk * g, 0.0)))
        self.rtol = min(max(_CG_FORCING * measure, 1e-12), 1e-3)
        self.previous = None  # the last solution: the corrector's solve starts from the predictor's

    def _b(self, v):
        """B v for v[t, s]: per y the stacked (t) and (s) sums, shape (y, n)."""
        by_t = (self.e @ v[:, :, None])[:, :, 0].T
        return np.concatenate([by_t, np.einsum("tys,ts->ys", self.e, v)], axis=1)

    def _bt(self, z):
        """B^T z for z[y, n]: shape (t, s)."""
        n_t = self.n[0]
        by_t = (z[:, :n_t].T[:, None, :] @ self.e)[:, 0, :]
        return by_t + np.einsum("tys,ys->ts", self.e, z[:, n_t:])

    def _h_inv(self, z):
        return (self.g_inv @ z[:, :, None])[:, :, 0]

    def _matvec(self, v):
        return self._bt(self._h_inv(self._b(v))) + self.d * v

    def _precondition(self, r):
        return (self.block_inv @ r[:, :, None])[:, :, 0]

    def _cg(self, rhs, max_iter=2000):
        if self.previous is None:
            x = np.zeros_like(rhs)
            r = rhs.copy()
        else:
            x = self.previous.copy()
            r = rhs - self._matvec(x)
        z = self._precondition(r)
        p = z.copy()
        rz = np.sum(r * z)
        target = self.rtol * np.sqrt(np.sum(rhs**2))
        for _ in range(max_iter):
            if np.sqrt(np.sum(r**2)) <= target:
                break
            ap = self._matvec(p)
            alpha = rz / np.sum(p * ap)
            x += alpha * p
            r -= alpha * ap
            z = self._precondition(r)
            rz_new = np.sum(r * z)
            p = z + (rz_new / rz) * p
            rz = rz_new
        self.previous = x
        return x

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kk, d_g); see :meth:`_NewtonSystem.direction`."""
        n_t = self.n[0]
        u = self._h_inv(np.concatenate([r_t.T, r_s], axis=1))
        safe_kk = np.where(self.constrained, kk, 1.0)
        rhs = np.where(self.constrained, self._bt(u) - r_g + target / safe_kk, 0.0)
        d_kk = np.where(self.constrained, self._cg(rhs), 0.0)
        d_y = u - self._h_inv(self._b(d_kk))
        d_lam, d_mu = d_y[:, :n_t].T, d_y[:, n_t:]
        d_m = np.sum((d_lam[:, :, None] + d_mu[None, :, :]) * self.e, axis=1)
        d_g = np.where(self.constrained, r_g - d_m, 0.0)
        return d_lam, d_mu, d_kk, d_g
