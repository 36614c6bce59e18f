"""The multiplier form of the Newton system: the pairs eliminated, a system in x = (d_lam, d_mu).

:class:`NormalSystem` factorises H + B diag(K / g) B^T over the multipliers: the (y,t) blocks
are |Y| x |Y| per t, so the (y,s) Schur complement is dense of order |Y||S|. Best when |Y| is
small next to |T| and |S| (2x700x700, 3x1000x1000). It returns d_K = (target - K d_g) / g with
d_g from the slack row. Its coupling X and Schur complement live in the loop's
:class:`~pidkit.broja.native.stack.Workspace`, valid until the next system is built from it.
"""

from __future__ import annotations

import numpy as np

from ..._blas import blas_threads
from .stack import (
    Masks,
    Workspace,
    add_diagonal,
    any_true,
    cholesky_stack,
    lower_factors,
    lower_inverse,
    solve_lower,
    sum_s,
    sum_t,
    sum_y,
)

__all__ = ["NormalSystem"]

_THREADED_FLOPS = 5e9
"""A single matrix product this large runs on every core (BLAS-3 at this size gains from threads
even on a busy machine, unlike the factorisations and the many small products)."""


class NormalSystem:
    """The multiplier system (H + B diag(K / g) B^T) x = r - B h, h = (target - K r_g) / g.

    Its (y,t) part is block-diagonal over t (|Y| x |Y| blocks A_t = F_t F_t^T + diag R_t, F the
    cells' e sqrt(K / g)) and is eliminated first; the Schur complement over the (y,s)
    multipliers, of order |Y||S|, is factorised densely (the rank-one term rho 1 1^T per y pins
    the gauge). Its coupling is X = A_t^-1/2 C_t with C_t[a, (y', s)] = delta q(y',t,s) +
    f(a,t,s) f(y',t,s), built as L_t^-1[a, y'] q(y',t,s) + (L_t^-1 F_t)[a, s] f(y',t,s). Then
    d_g from the slack row and d_K = (target - K d_g) / g.
    """

    def __init__(self, q, row, col, e, kk, g, masks: Masks, workspace: Workspace | None = None) -> None:
        n, n_y, n_t, n_s = q.shape
        workspace = Workspace() if workspace is None else workspace
        self.e, self.masks = e, masks
        weight = kk / g if masks.every_pair else np.where(masks.pairs, kk / g, 0.0)
        ft = np.ascontiguousarray((e * np.sqrt(weight)[:, None]).transpose(0, 2, 1, 3))  # (k, t, y, s)
        if not masks.full:
            row = np.where(masks.mt, row, 1.0)
            col = np.where(masks.ms, col, 1.0)
        a_tt = ft @ ft.mT  # (k, t, y, y)
        add_diagonal(a_tt, row.transpose(0, 2, 1))
        factor, failed = cholesky_stack(a_tt)
        self.linv_t = linv_t = lower_inverse(factor)  # (k, t, y, y)
        qt = q.transpose(0, 2, 1, 3)  # (k, t, y', s)
        u = linv_t @ ft  # (k, t, a, s)
        x = workspace.array("x", (n, n_t, n_y, n_y, n_s))  # (k, t, a, y', s), C order
        for a in range(n_y):
            np.multiply(linv_t[:, :, a, :, None], qt, out=x[:, :, a])
            x[:, :, a] += u[:, :, a, None, :] * ft
        self.x = x.reshape(n, n_t * n_y, n_y * n_s)
        del u
        threads = None if self.x.size * n_y * n_s > _THREADED_FLOPS else 1
        with blas_threads(threads):
            schur = np.matmul(self.x.mT, self.x, out=workspace.array("schur", (n, n_y * n_s, n_y * n_s)))
        np.negative(schur, out=schur)
        schur4 = schur.reshape(n, n_y, n_s, n_y, n_s)
        fs = ft.transpose(0, 3, 2, 1)  # (k, s, y, t)
        a_ss = fs @ fs.mT  # (k, s, y, y)
        ss = np.arange(n_s)
        yy = np.arange(n_y)
        schur4[:, :, ss, :, ss] += a_ss.transpose(1, 0, 2, 3)  # (s, k, y, y')
        schur4[:, yy[:, None], ss, yy[:, None], ss] += col
        msf = masks.ms.astype(float)
        rho = sum_s(col * msf) / np.maximum(sum_s(msf), 1.0)
        for y in range(n_y):  # the gauge pin rho ms ms^T on each y's (s, s') block, in place
            schur4[:, y, :, y, :] += rho[:, y, None, None] * (msf[:, y, :, None] * msf[:, y, None, :])
        self.failed = failed.any(axis=1) | ~np.isfinite(sum_s(sum_s(schur)))
        if any_true(self.failed):
            schur[self.failed] = np.eye(n_y * n_s)
        self.factors = lower_factors(schur, self.failed)

    def subset(self, keep: np.ndarray) -> NormalSystem:
        out = object.__new__(NormalSystem)
        out.e, out.linv_t, out.x, out.failed = (
            self.e[keep], self.linv_t[keep], self.x[keep], self.failed[keep]
        )
        out.masks = self.masks.subset(keep)
        out.factors = [f for f, k in zip(self.factors, keep, strict=True) if k]
        return out

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kg); see :meth:`DensePairSystem.direction`."""
        n, n_y, n_t, n_s = self.e.shape
        e = self.e
        h = (target - kk * r_g) / g
        if not self.masks.every_pair:
            h = np.where(self.masks.pairs, h, 0.0)
        eh = e * h[:, None]
        rhs_t = r_t - sum_s(eh)
        rhs_s = r_s - sum_t(eh)
        z = (self.linv_t @ rhs_t.transpose(0, 2, 1)[..., None])[..., 0]  # (k, t, y)
        rhs_mu = rhs_s.reshape(n, -1) - (z.reshape(n, 1, -1) @ self.x)[:, 0]
        d_mu = solve_lower(self.factors, rhs_mu)
        z -= (self.x @ d_mu[..., None]).reshape(n, n_t, n_y)
        d_lam = (z[:, :, None, :] @ self.linv_t)[:, :, 0].transpose(0, 2, 1)
        d_mu = d_mu.reshape(n, n_y, n_s)
        d_kg = np.empty((n, 2, n_t, n_s))
        cell = d_lam[..., None] + d_mu[:, :, None, :]
        cell *= e
        np.subtract(r_g, sum_y(cell), out=d_kg[:, 1])
        np.divide(target - kk * d_kg[:, 1], g, out=d_kg[:, 0])
        if not self.masks.every_pair:
            d_kg *= self.masks.pairs[:, None]
        return d_lam, d_mu, d_kg
