"""The native interior-point method for a stack of same-shape joints, vectorised over the stack.

This is the algorithm of :mod:`pidkit._native` (same starting point, Mehrotra predictor-corrector,
step rules, Sinkhorn projection and certificate) for joints whose marginals p(y,t) and p(y,s) have
full support and whose Newton system is reduced to the (t, s) pairs. Every array carries a leading
joint axis; step lengths, centring and stopping are per joint, and a joint leaves the stack as soon
as it is certified, so each joint follows the iterates it would follow alone. A joint that is not
certified here (a singular system, the iteration limit) is reported as ``None`` and left to the
general single-joint solver.

The pair system is formed with the t-block of each y's matrix-scaling Hessian eliminated first:

    H_y = [[R, Q], [Q^T, C]],   R = diag(q(y,t,.)), C = diag(q(y,.,s)), Q = q(y,.,.),

whose inverse on the gauge complement is A^T A with A = [[R^{-1/2}, 0], [-L^{-1} Q^T R^{-1}, L^{-1}]]
and L L^T = C - Q^T R^{-1} Q + rho 1 1^T (the rank-one term pins the gauge (lambda + c, mu - c)
and does not change B^T H^{-1} B, as B^T (1, -1) = 0). So B^T H^{-1} B is a block-diagonal part
(one |S| x |S| block per t) plus X^T X with X of only |Y||S| rows, half the rows of the plain
(|T|+|S|)-per-y reduction. Arrays are laid out y-major: ``e[k, y, t, s]``, ``lam[k, y, t]``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from scipy.linalg.lapack import dpotrf, dpotrs

from ._native import (
    _FRACTION_TO_BOUNDARY,
    _MAX_EXPONENT_STEP,
    _ROUNDING,
    NativeSolution,
    _cholesky,
    _newton_system_class,
    _PairNewtonSystem,
    _single_blas_thread,
)

__all__ = ["batch_eligible", "solve_many", "solve_stack"]

_CHUNK_DOUBLES = 2**18
"""Joints per chunk are chosen so that the largest intermediate holds about this many doubles
(2 MiB: small chunks keep the intermediates in cache, which measured faster than larger ones)."""
_SINKHORN_SWEEPS = 200


def batch_eligible(p: np.ndarray) -> bool:
    """Whether the stacked solver handles joint ``p[y, t, s]`` (already oriented |S| <= |T|).

    It needs every p(y,t) and p(y,s) positive (so no masks), at least two symbols per variable,
    and a shape for which the dense (t, s)-pair reduction is the chosen Newton system.
    """
    if min(p.shape) < 2 or _newton_system_class(p.shape) is not _PairNewtonSystem:
        return False
    return bool((p.sum(axis=2) > 0).all() and (p.sum(axis=1) > 0).all())


def solve_stack(ps: np.ndarray, *, tol_nats: float, max_iter: int) -> list[NativeSolution | None]:
    """Solve eligible joints ``ps[k, y, t, s]`` (see :func:`batch_eligible`) together.

    Parameters
    ----------
    ps : numpy.ndarray of shape (n, n_y, n_t, n_s)
        Joints of one shape, each with positive p(y,t) and p(y,s) and n_s <= n_t.
    tol_nats : float
        Certified optimality gap to reach, in nats.
    max_iter : int
        Maximum interior-point iterations per joint.

    Returns
    -------
    list of NativeSolution or None
        Per joint, its certified solution, or ``None`` where it could not be certified here.
    """
    n_y, n_t, n_s = ps.shape[1:]
    per_joint = max(n_y * n_s * n_t * n_s, (n_t * n_s) ** 2, n_y * n_t * n_s)
    size = max(1, _CHUNK_DOUBLES // per_joint)
    out: list[NativeSolution | None] = []
    for start in range(0, ps.shape[0], size):
        out.extend(_Stack(ps[start : start + size], tol_nats, max_iter).run())
    return out


def solve_many(
    ps: list[np.ndarray], *, tol_nats: float, max_iter: int
) -> list[NativeSolution | None]:
    """Solve validated joints ``p[y, t, s]`` of any shapes, stacking those of one shape.

    Each joint is oriented so that |S| <= |T| (as :func:`pidkit._native.solve_native` does);
    eligible joints (:func:`batch_eligible`) of one shape go through :func:`solve_stack` together.

    Returns
    -------
    list of NativeSolution or None
        Per joint, its certified solution (``q`` in the joint's own orientation), or ``None``
        where the joint is not eligible or was not certified here.
    """
    groups: dict[tuple[int, ...], list[int]] = {}
    cores = []
    for index, p in enumerate(ps):
        core = p.transpose(0, 2, 1) if p.shape[2] > p.shape[1] else p
        cores.append(core)
        if batch_eligible(core):
            groups.setdefault(core.shape, []).append(index)
    out: list[NativeSolution | None] = [None] * len(ps)
    with _single_blas_thread():
        for members in groups.values():
            stack = np.stack([cores[i] for i in members])
            for index, sol in zip(members, solve_stack(stack, tol_nats=tol_nats, max_iter=max_iter),
                                  strict=True):
                if sol is not None and cores[index] is not ps[index]:
                    sol = replace(sol, q=sol.q.transpose(0, 2, 1))
                out[index] = sol
    return out


def _max_step(x: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Per joint, the largest alpha with x + alpha dx >= 0 (inf where dx >= 0 everywhere)."""
    ratio = np.full(x.shape, -np.inf)
    np.divide(x, dx, out=ratio, where=dx < 0)
    return -ratio.reshape(ratio.shape[0], -1).max(axis=1)


def _lower_inverse(factor: np.ndarray) -> np.ndarray:
    """Inverses of a stack of lower-triangular matrices ``factor[..., n, n]``.

    Small stacks go to LAPACK; large stacks of small matrices are inverted by forward
    substitution vectorised over the stack (n steps), which avoids LAPACK's per-matrix overhead.
    """
    n = factor.shape[-1]
    if factor.size < 64 * n * n:
        return np.linalg.inv(factor)
    inverse = np.zeros_like(factor)
    pivot = 1.0 / np.diagonal(factor, axis1=-2, axis2=-1)
    for i in range(n):
        row = -np.einsum("...j,...jk->...k", factor[..., i, :i], inverse[..., :i, :])
        row[..., i] += 1.0
        inverse[..., i, :] = row * pivot[..., i, None]
    return inverse


def _scaled_cholesky(a: np.ndarray) -> np.ndarray:
    """Lower Cholesky factor of one SPD matrix, scaled to unit diagonal for the ridge retries of
    :func:`pidkit._native._cholesky` (raises ``LinAlgError`` if those fail too)."""
    scale = np.sqrt(np.maximum(np.diagonal(a), np.finfo(float).tiny))
    return _cholesky(a / np.outer(scale, scale)) * scale[:, None]


def _cholesky_stack(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower Cholesky factors of a stack of SPD matrices ``a[..., n, n]``, and which ones failed.

    The whole stack goes to LAPACK at once (Cholesky needs no prior scaling: its rounding is
    invariant under diagonal scaling); only if that fails is each matrix factorised on its own,
    with ridge retries.
    """
    failed = np.zeros(a.shape[:-2], dtype=bool)
    try:
        return np.linalg.cholesky(a), failed
    except np.linalg.LinAlgError:
        flat = a.reshape(-1, *a.shape[-2:])
        factors = np.empty_like(flat)
        for i, block in enumerate(flat):
            try:
                factors[i] = _scaled_cholesky(block)
            except np.linalg.LinAlgError:
                failed.flat[i] = True
                factors[i] = np.eye(a.shape[-1])
        return factors.reshape(a.shape), failed


def dual_bounds(lam: np.ndarray, mu: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray) -> np.ndarray:
    """Per joint, the weak-duality bound D(lam, mu) of :func:`pidkit._native.dual_bound`."""
    shift_a = lam.max(axis=1)  # (k, t)
    shift_b = mu.max(axis=1)  # (k, s)
    m = np.exp(lam - shift_a[:, None, :]).transpose(0, 2, 1) @ np.exp(mu - shift_b[:, None, :])
    with np.errstate(divide="ignore"):
        log_m = np.log(m) + shift_a[:, :, None] + shift_b[:, None, :]
    value = (lam * p_yt).sum(axis=(1, 2)) + (mu * p_ys).sum(axis=(1, 2))
    return value - log_m.max(axis=(1, 2))


def objectives(q: np.ndarray) -> np.ndarray:
    """Per joint, f(q) = sum q log(q / q(t,s)) in nats, for ``q[k, y, t, s] >= 0``."""
    q_ts = q.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(q > 0, q * np.log(q / q_ts), 0.0)
    return terms.sum(axis=(1, 2, 3))


def _rounding(value: np.ndarray, bound: np.ndarray) -> np.ndarray:
    return _ROUNDING * (1.0 + np.abs(value) + np.abs(bound))


class _Stack:
    """One chunk of joints through the interior point; see the module docstring."""

    def __init__(self, ps: np.ndarray, tol: float, max_iter: int) -> None:
        self.ps = ps
        self.tol = tol
        self.max_iter = max_iter
        self.p_yt = ps.sum(axis=3)
        self.p_ys = ps.sum(axis=2)
        self.results: list[NativeSolution | None] = [None] * ps.shape[0]

    # ------------------------------------------------------------------ certificate
    def project(self, q, lam, mu, p_yt, p_ys):
        """Sinkhorn sweeps fitting q's marginals; see :meth:`pidkit._native._Solver.project`."""
        q = np.maximum(q, 1e-300)
        scale_t = np.ones_like(p_yt)
        scale_s = np.ones_like(p_ys)
        row = q.sum(axis=3)
        residual = np.full(q.shape[0], np.inf)
        for _ in range(_SINKHORN_SWEEPS):
            step = p_yt / row
            q *= step[..., None]
            scale_t *= step
            step = p_ys / q.sum(axis=2)
            q *= step[:, :, None, :]
            scale_s *= step
            row = q.sum(axis=3)
            residual = np.abs(row - p_yt).max(axis=(1, 2))
            if not (residual > 1e-15).any():
                break
        with np.errstate(divide="ignore", invalid="ignore"):
            return q, lam + np.log(scale_t), mu + np.log(scale_s), residual

    def certify(self, q, lam, mu, inactive, p_yt, p_ys):
        """Per joint (fitted q, objective, bound, gap, residual, converged), as in the single solver:
        first q with the inactive pairs set to zero, then (where that does not certify) q itself."""
        bound = dual_bounds(lam, mu, p_yt, p_ys)
        best_q = np.empty_like(q)
        best_key = np.full((q.shape[0], 2), np.inf)  # (residual > 1e-12, objective)
        best_res = np.full(q.shape[0], np.inf)
        todo = np.ones(q.shape[0], dtype=bool)
        has_inactive = inactive.any(axis=(1, 2))
        for first in (True, False):
            rows = np.flatnonzero(todo & has_inactive) if first else np.flatnonzero(todo)
            if rows.size == 0:
                continue
            point = q[rows] * ~inactive[rows, None] if first else q[rows]
            fitted, lam_fit, mu_fit, residual = self.project(point, lam[rows], mu[rows],
                                                             p_yt[rows], p_ys[rows])
            finite = np.isfinite(fitted).all(axis=(1, 2, 3))
            with np.errstate(invalid="ignore"):
                bound[rows] = np.maximum(bound[rows], np.where(
                    finite, dual_bounds(lam_fit, mu_fit, p_yt[rows], p_ys[rows]), -np.inf))
            value = np.where(finite, objectives(np.where(np.isfinite(fitted), fitted, 0.0)), np.inf)
            key = np.stack([(residual > 1e-12).astype(float), value], axis=1)
            better = finite & (
                (key[:, 0] < best_key[rows, 0])
                | ((key[:, 0] == best_key[rows, 0]) & (key[:, 1] < best_key[rows, 1]))
            )
            chosen = rows[better]
            best_q[chosen] = fitted[better]
            best_key[chosen] = key[better]
            best_res[chosen] = residual[better]
            done = finite & (key[:, 0] == 0) & (value - bound[rows] + _rounding(value, bound[rows])
                                                <= self.tol)
            todo[rows[done]] = False
        value = best_key[:, 1]
        with np.errstate(invalid="ignore"):
            gap = np.maximum(value - bound, 0.0) + _rounding(value, bound)
        converged = np.isfinite(value) & (gap <= self.tol) & (best_res <= 1e-12)
        return best_q, value, bound, gap, best_res, converged

    # ------------------------------------------------------------------ interior point
    def run(self) -> list[NativeSolution | None]:
        n, _, n_t, n_s = self.ps.shape
        n_pairs = n_t * n_s
        p_yt, p_ys = self.p_yt, self.p_ys
        p_t, p_s, p_y = p_yt.sum(axis=1), p_ys.sum(axis=1), p_ys.sum(axis=2)
        a = p_yt / p_t[:, None, :]
        b = p_ys / p_s[:, None, :] / p_y[:, :, None]
        c = 2.0 * (a.transpose(0, 2, 1) @ b).max(axis=(1, 2))
        lam = np.log(a)
        mu = np.log(b / c[:, None, None])
        e = np.exp(lam)[..., None] * np.exp(mu)[:, :, None, :]
        m = e.sum(axis=1)
        g = 1.0 - m
        kk = c[:, None, None] * p_t[:, :, None] * p_s[:, None, :]
        index = np.arange(n)  # the joints still iterating, as rows of self.ps
        nit = 0
        while index.size:
            q = kk[:, None] * e
            r_t = p_yt - q.sum(axis=3)
            r_s = p_ys - q.sum(axis=2)
            r_g = 1.0 - m - g
            comp = kk * g
            mu_avg = comp.sum(axis=(1, 2)) / n_pairs
            near = mu_avg * n_pairs < 0.1 * self.tol
            leave = np.zeros(index.size, dtype=bool)
            if near.any():
                rows = np.flatnonzero(near)
                fitted, value, bound, gap, res, ok = self.certify(
                    q[rows], lam[rows], mu[rows], (g > kk)[rows], p_yt[rows], p_ys[rows]
                )
                for j in np.flatnonzero(ok):
                    self._finish(index[rows[j]], fitted[j], value[j], bound[j], gap[j], res[j], nit)
                leave[rows[ok]] = True
                leave |= mu_avg * n_pairs < 1e-20  # stalled uncertified: left to the general solver
            if nit >= self.max_iter:
                break
            system = _PairSystem(q, e, kk, g)
            leave |= system.failed
            if leave.any():
                keep = ~leave
                index, lam, mu, kk, g, e, m, q = (x[keep] for x in (index, lam, mu, kk, g, e, m, q))
                p_yt, p_ys, r_t, r_s, r_g, comp, mu_avg = (
                    x[keep] for x in (p_yt, p_ys, r_t, r_s, r_g, comp, mu_avg)
                )
                system = system.subset(keep)
                if not index.size:
                    break
            nit += 1
            d_lam, d_mu, d_kk, d_g = system.direction(r_t, r_s, r_g, -comp, kk, g)
            alpha = np.minimum(np.minimum(_max_step(kk, d_kk), _max_step(g, d_g)), 1.0)[:, None, None]
            mu_aff = ((kk + alpha * d_kk) * (g + alpha * d_g)).sum(axis=(1, 2)) / n_pairs
            sigma = np.minimum((np.maximum(mu_aff, 0.0) / mu_avg) ** 3, 1.0)
            target = (sigma * mu_avg)[:, None, None] - comp - d_kk * d_g
            d_lam, d_mu, d_kk, d_g = system.direction(r_t, r_s, r_g, target, kk, g)
            largest = np.abs(d_lam).max(axis=(1, 2)) + np.abs(d_mu).max(axis=(1, 2))
            with np.errstate(divide="ignore"):
                trust = np.where(largest > 0, _MAX_EXPONENT_STEP / largest, np.inf)
            boundary = _FRACTION_TO_BOUNDARY * np.minimum(_max_step(kk, d_kk), _max_step(g, d_g))
            step = np.minimum(np.minimum(boundary, trust), 1.0)[:, None, None]
            lam = lam + step * d_lam
            mu = mu + step * d_mu
            kk = kk + step * d_kk
            g = g + step * d_g
            e = np.exp(lam)[..., None] * np.exp(mu)[:, :, None, :]
            m = e.sum(axis=1)
            finite = np.isfinite(m).all(axis=(1, 2)) & np.isfinite(kk).all(axis=(1, 2))
            if not finite.all():  # diverged: left to the general solver
                index, lam, mu, kk, g, e, m, p_yt, p_ys = (
                    x[finite] for x in (index, lam, mu, kk, g, e, m, p_yt, p_ys)
                )
        return self.results

    def _finish(self, row, fitted, value, bound, gap, residual, nit) -> None:
        self.results[row] = NativeSolution(
            q=fitted,
            objective_nats=float(value),
            lower_bound_nats=float(bound),
            gap_nats=float(gap),
            nit=nit,
            converged=True,
            message=f"interior point converged; certified gap {gap:.3g} nats after {nit} iterations",
            marginal_residual=float(residual),
        )


class _PairSystem:
    """The (t, s)-pair Newton system of a stack of joints, factorised (see the module docstring).

    ``failed[k]`` marks joints whose matrices could not be factorised.
    """

    def __init__(self, q, e, kk, g):
        n, n_y, n_t, n_s = q.shape
        self.e = e
        row = q.sum(axis=3)  # R: (k, y, t)
        col = q.sum(axis=2)  # C: (k, y, s)
        q_r = q / np.sqrt(row)[..., None]
        # C - Q^T R^-1 Q + rho 1 1^T, rho on the scale of C: (k, y, s, s)
        rho = col.sum(axis=2) / n_s
        schur = rho[..., None, None] - q_r.transpose(0, 1, 3, 2) @ q_r
        diag = np.arange(n_s)
        schur[..., diag, diag] += col
        factor, failed = _cholesky_stack(schur)
        self.linv = _lower_inverse(factor)  # schur^-1 = linv^T linv
        self.q_over_r = q / row[..., None]  # R^-1 Q: (k, y, t, s)
        self.p = self.linv @ self.q_over_r.transpose(0, 1, 3, 2)  # L^-1 Q^T R^-1: (k, y, s, t)
        self.inv_row = 1.0 / row
        self.inv_sqrt_row = np.sqrt(self.inv_row)
        x = np.empty((n, n_y, n_s, n_t, n_s))  # (k, y, s'', t, s)
        np.subtract(self.linv[:, :, :, None, :], self.p[..., None], out=x)
        x *= e[:, :, None, :, :]
        self.x = x.reshape(n, n_y * n_s, n_t * n_s)
        small = self.x.transpose(0, 2, 1) @ self.x
        blocks = (e * self.inv_row[..., None]).transpose(0, 2, 3, 1) @ e.transpose(0, 2, 1, 3)
        tdiag = np.arange(n_t)
        small.reshape(n, n_t, n_s, n_t, n_s)[:, tdiag, :, tdiag, :] += blocks.transpose(1, 0, 2, 3)
        cells = np.arange(n_t * n_s)
        small[:, cells, cells] += (g / kk).reshape(n, -1)
        self.failed = failed.any(axis=1) | ~np.isfinite(small).all(axis=(1, 2))
        self.factor = []  # per joint, the upper factor U (A = U^T U) as LAPACK returns it
        for i, matrix in enumerate(small):
            upper, info = dpotrf(matrix.T, lower=0, clean=0)  # matrix.T: no copy, same matrix
            if info != 0 and not self.failed[i]:
                try:
                    upper = _scaled_cholesky(matrix).T
                except np.linalg.LinAlgError:
                    self.failed[i] = True
            self.factor.append(upper)

    def subset(self, keep: np.ndarray) -> _PairSystem:
        """The same system for the joints ``keep`` marks."""
        out = object.__new__(_PairSystem)
        for name in ("e", "linv", "q_over_r", "p", "inv_row", "inv_sqrt_row", "x", "failed"):
            setattr(out, name, getattr(self, name)[keep])
        out.factor = [f for f, k in zip(self.factor, keep, strict=True) if k]
        return out

    def _solve_pairs(self, rhs: np.ndarray) -> np.ndarray:
        """(B^T H^-1 B + diag(g / K))^-1 rhs for rhs[k, t*s]."""
        out = np.empty_like(rhs)
        for i, upper in enumerate(self.factor):
            out[i] = dpotrs(upper, rhs[i], lower=0)[0]
        return out

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kk, d_g); see :meth:`pidkit._native._NewtonSystem.direction`."""
        n, n_y, n_t, n_s = self.e.shape
        e = self.e
        # A r per y: top = R^-1/2 r_t, bottom = L^-1 r_s - P r_t (P = L^-1 Q^T R^-1).
        top = r_t * self.inv_sqrt_row
        bottom = (self.linv @ r_s[..., None] - self.p @ r_t[..., None])[..., 0]  # (k, y, s)
        rhs = (e * (r_t * self.inv_row)[..., None]).sum(axis=1)
        rhs += (bottom.reshape(n, 1, n_y * n_s) @ self.x).reshape(n, n_t, n_s)
        rhs += target / kk - r_g
        d_kk = self._solve_pairs(rhs.reshape(n, -1)).reshape(n, n_t, n_s)
        # d = A^T (A r - Z d_kk).
        v_top = top - (e * d_kk[:, None]).sum(axis=3) * self.inv_sqrt_row
        v_bottom = bottom - (self.x @ d_kk.reshape(n, -1, 1)).reshape(n, n_y, n_s)
        d_mu = (self.linv.transpose(0, 1, 3, 2) @ v_bottom[..., None])[..., 0]
        d_lam = v_top * self.inv_sqrt_row - (self.q_over_r @ d_mu[..., None])[..., 0]
        # Gauge: the same representative as the single solver's (sum_t d_lam = sum_s d_mu per y).
        shift = (d_mu.sum(axis=2) - d_lam.sum(axis=2)) / (n_t + n_s)
        d_lam = d_lam + shift[..., None]
        d_mu = d_mu - shift[..., None]
        d_m = ((d_lam[..., None] + d_mu[:, :, None, :]) * e).sum(axis=1)
        d_g = r_g - d_m
        return d_lam, d_mu, d_kk, d_g
