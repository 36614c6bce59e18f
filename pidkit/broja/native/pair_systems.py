"""The pair forms of the Newton system: x = (d_lam, d_mu) eliminated, a system in the (t,s) pairs.

Both eliminate H through :class:`~pidkit.broja.native.hessian.HessianFactor` and solve
B^T H^+ B + diag(g / K) for d_K, then take d_g = (target - g d_K) / K from the complementarity
row:

- :class:`DensePairSystem` forms that pair matrix densely for the whole stack at once and
  factorises it. No large weight is ever inverted, which makes it the robust form; best when
  |T||S| is small (10x10x10, 100x10x10).
- :class:`MatrixFreePairSystem` solves it by conjugate gradients, preconditioned by its
  |S| x |S| diagonal blocks (one per t): memory a few copies of the joint (30x30x30,
  100x100x100).

The pair variables travel stacked as ``kg[k, 0] = K``, ``kg[k, 1] = g``. Both take their largest
arrays (X and the pair matrix; the t- and s-major copies of e) from the loop's
:class:`~pidkit.broja.native.stack.Workspace`, valid until the next system is built from it.
"""

from __future__ import annotations

import numpy as np

from .hessian import HessianFactor
from .stack import (
    Masks,
    Workspace,
    add_diagonal,
    any_true,
    inverse_cholesky,
    lower_factors,
    solve_lower,
    sum_s,
)

__all__ = ["DensePairSystem", "MatrixFreePairSystem", "pair_rhs"]

_CG_FORCING = 1e-2
_CG_MAX_ITER = 3000


def pair_rhs(target: np.ndarray, kk: np.ndarray, r_g: np.ndarray, masks: Masks) -> np.ndarray:
    """target / K - r_g, the pair forms' right-hand side from the complementarity and slack rows
    (0 on pairs without cells, where K = 0)."""
    if masks.every_pair:
        return target / kk - r_g
    inv_kk = np.divide(1.0, kk, out=np.zeros_like(kk), where=masks.pairs)
    return target * inv_kk - r_g


def _pair_steps(d_kk: np.ndarray, target: np.ndarray, kk: np.ndarray, g: np.ndarray,
                masks: Masks) -> np.ndarray:
    """The stacked pair step ``d_kg`` (d_K and d_g = (target - g d_K) / K from the
    complementarity row; 0 on pairs without cells)."""
    d_kg = (np.empty if masks.every_pair else np.zeros)((kk.shape[0], 2, *kk.shape[1:]))
    d_kg[:, 0] = d_kk
    np.divide(target - g * d_kk, kk, out=d_kg[:, 1], where=True if masks.every_pair else masks.pairs)
    return d_kg


def _pair_diagonal(kk: np.ndarray, g: np.ndarray, masks: Masks) -> np.ndarray:
    """g / K, the pair system's diagonal (1 on pairs without cells, where K = 0)."""
    if masks.every_pair:
        return g / kk
    return np.where(masks.pairs, g / np.where(masks.pairs, kk, 1.0), 1.0)


def _t_diagonal_blocks(pair_matrix: np.ndarray, n_t: int, n_s: int) -> np.ndarray:
    """A writable view of the |S| x |S| blocks (t, t) of C-contiguous pair matrices
    ``[k, (t,s), (t',s')]``, shaped [k, t, s, s']."""
    item = pair_matrix.itemsize
    order = n_t * n_s
    return np.ndarray((pair_matrix.shape[0], n_t, n_s, n_s), pair_matrix.dtype, pair_matrix, 0,
                      (pair_matrix.strides[0], item * n_s * (order + 1), item * order, item))


class DensePairSystem:
    """The (t,s)-pair matrix B^T H^+ B + diag(g / K), formed densely and factorised per joint.

    With H eliminated through :class:`HessianFactor`, B^T H^+ B = (block-diagonal part, one
    |S| x |S| block per t: sum_y e e' / R) + X^T X, X of |Y||S| rows:
    X[(y,s''),(t,s)] = (L^-1[s'',s] - P[s'',t]) e[y,t,s]. A direction is then
    d_K = G^-1 (target / K - r_g + B^T H^+ r), d_mu = L^-T (L^-1 u - X d_K) and
    d_lam = R^-1 (r_t - E d_K) - R^-1 Q d_mu, with u as in :meth:`HessianFactor.schur_rhs`.
    """

    def __init__(self, q, row, col, e, kk, g, masks: Masks, workspace: Workspace | None = None) -> None:
        n, n_y, n_t, n_s = q.shape
        workspace = Workspace() if workspace is None else workspace
        self.masks = masks
        self.h = h = HessianFactor(q, row, col, masks)
        self.et = et = np.ascontiguousarray(e.transpose(0, 2, 1, 3))  # [k, t, y, s]
        x = workspace.array("x", (n, n_y, n_s, n_t, n_s))  # (k, y, s'', t, s)
        np.subtract(h.linv[:, :, :, None, :], h.coupling()[..., None], out=x)
        x *= e[:, :, None, :, :]
        self.x = x.reshape(n, n_y * n_s, n_t * n_s)
        # One array for both operands: numpy's matmul then makes it a symmetric rank-k update.
        small = np.matmul(self.x.mT, self.x, out=workspace.array("pair matrix", (n, n_t * n_s, n_t * n_s)))
        self.weighted = weighted = et * h.inv_row.transpose(0, 2, 1)[..., None]  # e / R, [k, t, y, s]
        _t_diagonal_blocks(small, n_t, n_s)[...] += weighted.mT @ et
        weights = _pair_diagonal(kk, g, masks)
        add_diagonal(small, weights.reshape(n, -1))
        # LAPACK reports a non-finite matrix as not positive definite: failures are flagged there.
        self.failed = h.failed.copy()
        self.factors = lower_factors(small, self.failed)

    def subset(self, keep: np.ndarray) -> DensePairSystem:
        out = object.__new__(DensePairSystem)
        out.et, out.weighted = self.et[keep], self.weighted[keep]
        out.x, out.failed = self.x[keep], self.failed[keep]
        out.masks, out.h = self.masks.subset(keep), self.h.subset(keep)
        out.factors = [f for f, k in zip(self.factors, keep, strict=True) if k]
        return out

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kg) for the residuals r_t, r_s, r_g and the
        complementarity target (K d_g + g d_K = target); ``d_kg`` stacks d_K and d_g."""
        n, n_t, n_y, n_s = self.et.shape
        h, et = self.h, self.et
        half = (h.linv @ h.schur_rhs(r_t, r_s)[..., None])[..., 0]  # L^-1 u, [k, y, s]
        rhs = pair_rhs(target, kk, r_g, self.masks)
        rhs += (r_t.transpose(0, 2, 1)[:, :, None, :] @ self.weighted)[:, :, 0, :]
        rhs += (half.reshape(n, 1, n_y * n_s) @ self.x).reshape(n, n_t, n_s)
        if not self.masks.every_pair:
            rhs = np.where(self.masks.pairs, rhs, 0.0)
        d_kk = solve_lower(self.factors, rhs.reshape(n, -1)).reshape(n, n_t, n_s)
        half -= (self.x @ d_kk.reshape(n, -1, 1)).reshape(n, n_y, n_s)
        d_mu = (half[..., None, :] @ h.linv)[..., 0, :]
        r_t = r_t - (et @ d_kk[..., None])[..., 0].transpose(0, 2, 1)
        return h.back(r_t, d_mu), d_mu, _pair_steps(d_kk, target, kk, g, self.masks)


class MatrixFreePairSystem:
    """The pair system of :class:`DensePairSystem` solved by preconditioned conjugate gradients.

    Each product with B^T H^+ B is a few batched matrix-vector products over the cells (with
    copies of e laid out t-major and s-major) plus the per-y triangular solves; the block-Jacobi
    preconditioner holds one |S| x |S| block per t. The tolerance follows the duality measure
    (inexact Newton) and the corrector's solve starts from the predictor's.
    """

    def __init__(self, q, row, col, e, kk, g, masks: Masks, workspace: Workspace | None = None) -> None:
        n, n_y, n_t, n_s = q.shape
        workspace = Workspace() if workspace is None else workspace
        self.masks = masks
        self.h = h = HessianFactor(q, row, col, masks)
        self.et = et = workspace.array("e by t", (n, n_t, n_y, n_s))
        np.copyto(et, e.transpose(0, 2, 1, 3))
        self.es = workspace.array("e by s", (n, n_s, n_y, n_t))
        np.copyto(self.es, e.transpose(0, 3, 1, 2))
        self.d = _pair_diagonal(kk, g, masks)
        # Diagonal blocks of B^T G B with G = H^+ = A^T A:
        #   G_tt = R^-1 + P^T P (its diagonal), G_ts = -P^T L^-1, G_ss = L^-T L^-1.
        p = h.coupling()
        g_tt = h.inv_row + (p**2).sum(axis=2)  # (k, y, t)
        g_ts = -p.mT @ h.linv  # (k, y, t, s)
        g_ss = h.linv.mT @ h.linv  # (k, y, s, s)
        blocks = (et * g_tt.transpose(0, 2, 1)[..., None]).mT @ et
        cross = et.mT @ (et * g_ts.transpose(0, 2, 1, 3))
        blocks += cross + cross.mT
        blocks += np.einsum("kyts,kytu,kysu->ktsu", e, e, g_ss)
        add_diagonal(blocks, self.d)
        linv, failed = inverse_cholesky(blocks)
        self.block_inv = linv.mT @ linv
        self.failed = h.failed | failed | ~np.isfinite(self.block_inv).all(axis=(1, 2, 3))
        measure = sum_s(sum_s(np.where(masks.pairs, kk * g, 0.0)))
        self.rtol = np.clip(_CG_FORCING * measure, 1e-12, 1e-3)
        self.previous = None

    def subset(self, keep: np.ndarray) -> MatrixFreePairSystem:
        out = object.__new__(MatrixFreePairSystem)
        for name in ("et", "es", "d", "block_inv", "failed", "rtol"):
            setattr(out, name, getattr(self, name)[keep])
        out.masks, out.h = self.masks.subset(keep), self.h.subset(keep)
        out.previous = None if self.previous is None else self.previous[keep]
        return out

    def _b(self, v):
        """B v as (by_t, by_s): per row, sum over its cells of e v."""
        by_t = (self.et @ v[..., None])[..., 0].transpose(0, 2, 1)
        by_s = (self.es @ v.mT[..., None])[..., 0].transpose(0, 2, 1)
        return by_t, by_s

    def _bt(self, z_t, z_s):
        """B^T z: per pair, sum_y e (z_t + z_s)."""
        out = (z_t.transpose(0, 2, 1)[:, :, None, :] @ self.et)[:, :, 0, :]
        out += (z_s.transpose(0, 2, 1)[:, :, None, :] @ self.es)[:, :, 0, :].mT
        return out

    def _matvec(self, v):
        return self._bt(*self.h.solve(*self._b(v))) + self.d * v

    def _precondition(self, r):
        return (self.block_inv @ r[..., None])[..., 0]

    def _cg(self, rhs):
        if self.previous is None:
            x = np.zeros_like(rhs)
            r = rhs.copy()
        else:
            x = self.previous.copy()
            r = rhs - self._matvec(x)
        z = self._precondition(r)
        p = z.copy()
        rz = sum_s(sum_s(r * z))
        target = self.rtol * np.sqrt(sum_s(sum_s(rhs * rhs)))
        for _ in range(_CG_MAX_ITER):
            going = np.sqrt(sum_s(sum_s(r * r))) > target
            if not any_true(going):
                break
            ap = self._matvec(p)
            curvature = sum_s(sum_s(p * ap))
            alpha = np.where(going, rz / np.where(curvature > 0, curvature, 1.0), 0.0)
            x += alpha[:, None, None] * p
            r -= alpha[:, None, None] * ap
            z = self._precondition(r)
            rz_new = sum_s(sum_s(r * z))
            beta = np.where(going, rz_new / np.where(rz != 0, rz, 1.0), 0.0)
            p = z + beta[:, None, None] * p
            rz = rz_new
        self.previous = x
        return x

    def direction(self, r_t, r_s, r_g, target, kk, g):
        """Newton step (d_lam, d_mu, d_kg); see :meth:`DensePairSystem.direction`."""
        u_t, u_s = self.h.solve(r_t, r_s)
        rhs = pair_rhs(target, kk, r_g, self.masks)
        rhs += self._bt(u_t, u_s)
        if not self.masks.every_pair:
            rhs = np.where(self.masks.pairs, rhs, 0.0)
        d_kk = self._cg(rhs)
        z_t, z_s = self.h.solve(*self._b(d_kk))
        return u_t - z_t, u_s - z_s, _pair_steps(d_kk, target, kk, g, self.masks)
