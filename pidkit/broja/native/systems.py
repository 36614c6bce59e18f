"""The Newton systems of the interior point, for a stack of joints of one shape.

One interior-point iteration (see :mod:`pidkit.broja.native.ipm`) solves, for the multipliers
x = (d_lam, d_mu), the pair multipliers d_K and the slacks d_g,

    H x + B d_K = r,      B^T x + d_g = r_g,      g d_K + K d_g = target,

where H is block-diagonal over y (H_y = [[R, Q], [Q^T, C]], R = diag q(y,t,.), C = diag q(y,.,s),
Q = q(y,.,.): the Hessian of the matrix-scaling problem of each target symbol) and B maps a pair
(t,s) to the rows (y,t) and (y,s) of its cells with weights e = exp(lam + mu). Three reductions,
chosen by :func:`choose_system` from the shape's cost and memory:

- :class:`DensePairSystem` eliminates x and factorises the (t,s)-pair matrix
  B^T H^+ B + diag(g / K), formed densely for the whole stack at once. No large weight is ever
  inverted, which makes it the robust form; best when |T||S| is small (10x10x10, 100x10x10).
- :class:`NormalSystem` eliminates the pairs and factorises H + B diag(K / g) B^T over the
  multipliers: the (y,t) blocks are |Y| x |Y| per t, so the (y,s) Schur complement is dense of
  order |Y||S|. Best when |Y| is small next to |T| and |S| (2x700x700, 3x1000x1000).
- :class:`MatrixFreePairSystem` solves the pair system by conjugate gradients, preconditioned
  by its |S| x |S| diagonal blocks (one per t): memory a few copies of the joint (30x30x30,
  100x100x100).

Both pair forms eliminate H through :class:`HessianFactor`: with the t-block eliminated first,
H_y^+ = A^T A on the gauge complement, A = [[R^-1/2, 0], [-L^-1 Q^T R^-1, L^-1]] and
L L^T = C - Q^T R^-1 Q + rho 1 1^T (the rank-one term pins the gauge (lam + c, mu - c), which B^T
annihilates). Every system returns d_g from the complementarity row, d_g = (target - g d_K) / K
(pair forms), or d_K = (target - K d_g) / g with d_g from the slack row (multiplier form).

Arrays are laid out y-major with the stack first: ``e[k, y, t, s]``, ``lam[k, y, t]``,
``K[k, t, s]``; the pair variables travel stacked as ``kg[k, 0] = K``, ``kg[k, 1] = g``. Rows of
zero mass (masked) carry unit diagonals and zero right-hand sides, pairs without cells unit
weights; ``failed[k]`` marks joints whose matrices could not be factorised. Sums over an axis of
the cells go through BLAS (:func:`sum_s`, :func:`sum_t`, :func:`sum_y`): for these shapes a
matrix-vector product is several times faster than ``ndarray.sum`` along an inner axis.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from scipy.linalg.lapack import dpotrf, dpotrs, dtrtri

from ..._blas import blas_threads

__all__ = [
    "DensePairSystem",
    "HessianFactor",
    "Masks",
    "MatrixFreePairSystem",
    "NormalSystem",
    "SystemChoice",
    "add_diagonal",
    "cholesky_stack",
    "choose_system",
    "estimates",
    "gauge",
    "lower_inverse",
    "pair_rhs",
    "sum_s",
    "sum_t",
    "sum_y",
]

_CG_FORCING = 1e-2
_CG_MAX_ITER = 3000
_RIDGES = (1e-13, 1e-10, 1e-7, 1e-4)
_DENSE_FLOPS_PER_SECOND = 2e10
"""Rough single-thread rate of the dense factorisations (BLAS-3), for choosing a system."""
_MATRIX_FREE_CELL_SECONDS = 1.7e-7
"""Rough seconds per cell and interior-point iteration of the matrix-free system, per unit of
sqrt(|T||S| / |Y|): conjugate gradients need more products the more pairs share each target
symbol (measured: 30x30x30, 10x100x100, 100x100x100)."""
_DENSE_ALWAYS_SECONDS = 6e8 / _DENSE_FLOPS_PER_SECOND
"""Below this estimate per iteration a dense system is used whatever the matrix-free estimate."""
_PAIR_ALWAYS_SECONDS = 5e7 / _DENSE_FLOPS_PER_SECOND
"""Below this estimate per iteration the dense pair form is used whatever the multiplier form costs."""
_PAIR_PREFERENCE = 3.0
"""The dense pair form is chosen over the multiplier form unless it costs this many times more."""
_FEW_MATRICES = 32
_LARGE_ORDER = 32
""":func:`lower_inverse` calls LAPACK per matrix for at most _FEW_MATRICES matrices or orders
from _LARGE_ORDER (measured: 10 matrices of order 10, 10.5 against 14.6 us; 100 of order 100,
6.7 against 17 ms), and substitutes over the stack otherwise (640 of order 10: 0.41 against
0.95 ms)."""
_THREADED_FLOPS = 5e9
"""A single matrix product this large runs on every core (BLAS-3 at this size gains from threads
even on a busy machine, unlike the factorisations and the many small products)."""

@functools.lru_cache(maxsize=64)
def _ones(n: int) -> np.ndarray:
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


def sum_s(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-1)`` as a matrix-vector product."""
    return a @ _ones(a.shape[-1])


def sum_t(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-2)`` as a vector-matrix product."""
    return _ones(a.shape[-2]) @ a


def sum_y(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a stack ``a[k, y, t, s]``, as one vector-matrix product per joint."""
    n, n_y, n_t, n_s = a.shape
    return (_ones(n_y) @ a.reshape(n, n_y, n_t * n_s)).reshape(n, n_t, n_s)


def add_diagonal(a: np.ndarray, values: np.ndarray | float) -> None:
    """Add ``values`` to the diagonals of a C-contiguous stack of square matrices, in place."""
    n = a.shape[-1]
    a.reshape(*a.shape[:-2], n * n)[..., :: n + 1] += values


@dataclass(frozen=True)
class Masks:
    """Where a stack of joints has mass: ``mt[k, y, t]`` (p(y,t) > 0), ``ms[k, y, s]``,
    ``pairs[k, t, s]`` (some cell), and their counts. ``full`` when every row and pair has mass
    (then no masking is needed)."""

    mt: np.ndarray
    ms: np.ndarray
    pairs: np.ndarray
    n_pairs: np.ndarray
    full: bool

    @classmethod
    def of(cls, p_yt: np.ndarray, p_ys: np.ndarray) -> Masks:
        mt, ms = p_yt > 0, p_ys > 0
        full = bool(mt.all() and ms.all())
        if full:
            pairs = np.ones((p_yt.shape[0], p_yt.shape[2], p_ys.shape[2]), dtype=bool)
        else:
            pairs = (mt[:, :, :, None] & ms[:, :, None, :]).any(axis=1)
        return cls(mt, ms, pairs, pairs.sum(axis=(1, 2)), full)

    def subset(self, keep: np.ndarray) -> Masks:
        return Masks(self.mt[keep], self.ms[keep], self.pairs[keep], self.n_pairs[keep], self.full)


def _cholesky_or_ridge(a: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor of one SPD matrix; ridge retries (scaled to unit diagonal) when
    rounding makes it indefinite; ``None`` if every retry fails."""
    scale = np.sqrt(np.maximum(np.diagonal(a), np.finfo(float).tiny))
    unit = a / np.outer(scale, scale)
    for ridge in _RIDGES:
        try:
            return np.linalg.cholesky(unit + ridge * np.eye(a.shape[0])) * scale[:, None]
        except np.linalg.LinAlgError:
            continue
    return None


def cholesky_stack(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower Cholesky factors of a stack of SPD matrices ``a[..., n, n]``, and which ones failed.

    The stack goes to LAPACK at once; only if that fails is each matrix factorised on its own,
    with ridge retries (a failed one gets an identity factor and is flagged).
    """
    failed = np.zeros(a.shape[:-2], dtype=bool)
    try:
        return np.linalg.cholesky(a), failed
    except np.linalg.LinAlgError:
        flat = a.reshape(-1, *a.shape[-2:])
        factors = np.empty_like(flat)
        for i, block in enumerate(flat):
            factor = _cholesky_or_ridge(block) if np.isfinite(block).all() else None
            if factor is None:
                failed.flat[i] = True
                factor = np.eye(a.shape[-1])
            factors[i] = factor
        return factors.reshape(a.shape), failed


def lower_inverse(factor: np.ndarray) -> np.ndarray:
    """Inverses of a stack of lower-triangular matrices ``factor[..., n, n]``.

    Few or large matrices go to LAPACK's triangular inverse one by one (about twice as fast as a
    general inverse); many small ones are inverted by forward substitution vectorised over the
    stack (n steps), avoiding LAPACK's per-matrix overhead.
    """
    n = factor.shape[-1]
    if factor.size <= _FEW_MATRICES * n * n or n >= _LARGE_ORDER:
        flat = factor.reshape(-1, n, n)
        inverse = np.empty_like(flat)
        for i, matrix in enumerate(flat):
            inverse[i] = dtrtri(matrix, lower=1)[0]
        return inverse.reshape(factor.shape)
    inverse = np.zeros_like(factor)
    pivot = 1.0 / np.diagonal(factor, axis1=-2, axis2=-1)
    for i in range(n):
        row = -np.einsum("...j,...jk->...k", factor[..., i, :i], inverse[..., :i, :])
        row[..., i] += 1.0
        inverse[..., i, :] = row * pivot[..., i, None]
    return inverse


def _upper_factors(matrices: np.ndarray, failed: np.ndarray) -> list[np.ndarray]:
    """Per matrix of a stack, its upper Cholesky factor as LAPACK returns it (ridge retries on
    failure; ``failed`` is updated in place). On one thread, whatever the size: OpenBLAS's
    threaded factorisation measured several times slower than one thread on a busy machine."""
    factors = []
    for i, matrix in enumerate(matrices):
        upper, info = dpotrf(matrix.T, lower=0, clean=0)  # matrix.T: no copy, same matrix
        if info != 0 and not failed[i]:
            lower = _cholesky_or_ridge(matrix) if np.isfinite(matrix).all() else None
            if lower is None:
                failed[i] = True
            else:
                upper = lower.T
        factors.append(upper)
    return factors


def _solve_upper(factors: list[np.ndarray], rhs: np.ndarray) -> np.ndarray:
    """Solve (U^T U) x = rhs[k, n] with each joint's upper factor."""
    if len(factors) == 1:
        return dpotrs(factors[0], rhs[0], lower=0)[0][None]
    out = np.empty_like(rhs)
    for i, upper in enumerate(factors):
        out[i] = dpotrs(upper, rhs[i], lower=0)[0]
    return out


def gauge(d_lam: np.ndarray, d_mu: np.ndarray, masks: Masks) -> tuple[np.ndarray, np.ndarray]:
    """The representative of (d_lam + c, d_mu - c) with sum_t d_lam = sum_s d_mu per y (the
    shift changes nothing else; it keeps the multipliers from drifting)."""
    if masks.full:
        shift = (sum_s(d_mu) - sum_s(d_lam)) / (d_lam.shape[2] + d_mu.shape[2])
        return d_lam + shift[..., None], d_mu - shift[..., None]
    count = masks.mt.sum(axis=2) + masks.ms.sum(axis=2)
    shift = (sum_s(d_mu) - sum_s(d_lam)) / np.maximum(count, 1)
    return d_lam + shift[..., None] * masks.mt, d_mu - shift[..., None] * masks.ms


def pair_rhs(target: np.ndarray, kk: np.ndarray, r_g: np.ndarray, masks: Masks) -> np.ndarray:
    """target / K - r_g, the pair forms' right-hand side from the complementarity and slack rows
    (0 on pairs without cells, where K = 0)."""
    if masks.full:
        return target / kk - r_g
    inv_kk = np.divide(1.0, kk, out=np.zeros_like(kk), where=masks.pairs)
    return target * inv_kk - r_g


def _pair_steps(d_kk: np.ndarray, target: np.ndarray, kk: np.ndarray, g: np.ndarray,
                masks: Masks) -> np.ndarray:
    """The stacked pair step ``d_kg`` (d_K and d_g = (target - g d_K) / K from the
    complementarity row; 0 on pairs without cells)."""
    d_kg = (np.empty if masks.full else np.zeros)((kk.shape[0], 2, *kk.shape[1:]))
    d_kg[:, 0] = d_kk
    np.divide(target - g * d_kk, kk, out=d_kg[:, 1], where=True if masks.full else masks.pairs)
    return d_kg


class HessianFactor:
    """H_y^+ per y, from the t-block eliminated first (see the module docstring).

    Built from q and its row and column sums (``row = sum_s q``, ``col = sum_t q``). Attributes:
    ``inv_row`` (1/R), ``linv`` (L^-1, [k, y, s, s]), ``q_over_r`` (R^-1 Q, [k, y, t, s]),
    ``p`` (P = L^-1 Q^T R^-1, [k, y, s, t]) and ``failed``.
    """

    def __init__(self, q: np.ndarray, row: np.ndarray, col: np.ndarray, masks: Masks) -> None:
        if masks.full:
            pin = (sum_s(col) / q.shape[3])[..., None, None]
        else:
            row = np.where(masks.mt, row, 1.0)
            col = np.where(masks.ms, col, 1.0)
            msf = masks.ms.astype(float)
            rho = sum_s(col * msf) / np.maximum(sum_s(msf), 1.0)
            pin = rho[..., None, None] * (msf[..., :, None] * msf[..., None, :])
        self.inv_row = 1.0 / row
        self.q_over_r = q * self.inv_row[..., None]
        schur = np.swapaxes(q, -1, -2) @ self.q_over_r
        np.subtract(pin, schur, out=schur)
        add_diagonal(schur, col)
        factor, failed = cholesky_stack(schur)
        self.failed = failed.any(axis=1)
        self.linv = lower_inverse(factor)
        self.p = self.linv @ np.swapaxes(self.q_over_r, -1, -2)

    def schur_rhs(self, r_t: np.ndarray, r_s: np.ndarray) -> np.ndarray:
        """u = r_s - Q^T R^-1 r_t, the right-hand side of the s-block once the t-block is
        eliminated."""
        return r_s - (r_t[..., None, :] @ self.q_over_r)[..., 0, :]

    def back(self, r_t: np.ndarray, d_mu: np.ndarray) -> np.ndarray:
        """d_lam = R^-1 (r_t - Q d_mu), the t-block from the s-block's solution."""
        return r_t * self.inv_row - (self.q_over_r @ d_mu[..., None])[..., 0]

    def solve(self, r_t: np.ndarray, r_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """H^+ (r_t, r_s) as (d_lam, d_mu): the Newton step of the matrix scaling towards
        marginals r away."""
        half = (self.linv @ self.schur_rhs(r_t, r_s)[..., None])[..., 0]  # L^-1 u
        d_mu = (half[..., None, :] @ self.linv)[..., 0, :]  # L^-T L^-1 u
        return self.back(r_t, d_mu), d_mu

    def subset(self, keep: np.ndarray) -> HessianFactor:
        out = object.__new__(HessianFactor)
        for name in ("failed", "linv", "inv_row", "q_over_r", "p"):
            setattr(out, name, getattr(self, name)[keep])
        return out


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

    def __init__(self, q, row, col, e, kk, g, masks: Masks) -> None:
        n, n_y, n_t, n_s = q.shape
        self.masks = masks
        self.h = h = HessianFactor(q, row, col, masks)
        self.et = et = np.ascontiguousarray(e.transpose(0, 2, 1, 3))  # [k, t, y, s]
        x = np.empty((n, n_y, n_s, n_t, n_s))  # (k, y, s'', t, s)
        np.subtract(h.linv[:, :, :, None, :], h.p[..., None], out=x)
        x *= e[:, :, None, :, :]
        self.x = x.reshape(n, n_y * n_s, n_t * n_s)
        small = np.swapaxes(self.x, 1, 2) @ self.x
        weighted = et * h.inv_row.transpose(0, 2, 1)[..., None]  # e / R, [k, t, y, s]
        _t_diagonal_blocks(small, n_t, n_s)[...] += np.swapaxes(weighted, -1, -2) @ et
        weights = g / kk if masks.full else np.where(masks.pairs, g / np.where(masks.pairs, kk, 1.0), 1.0)
        add_diagonal(small, weights.reshape(n, -1))
        # LAPACK reports a non-finite matrix as not positive definite: failures are flagged there.
        self.failed = h.failed.copy()
        self.factors = _upper_factors(small, self.failed)

    def subset(self, keep: np.ndarray) -> DensePairSystem:
        out = object.__new__(DensePairSystem)
        out.et, out.x, out.failed = self.et[keep], self.x[keep], self.failed[keep]
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
        rhs += ((r_t * h.inv_row).transpose(0, 2, 1)[:, :, None, :] @ et)[:, :, 0, :]
        rhs += (half.reshape(n, 1, n_y * n_s) @ self.x).reshape(n, n_t, n_s)
        if not self.masks.full:
            rhs = np.where(self.masks.pairs, rhs, 0.0)
        d_kk = _solve_upper(self.factors, rhs.reshape(n, -1)).reshape(n, n_t, n_s)
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

    def __init__(self, q, row, col, e, kk, g, masks: Masks) -> None:
        self.masks = masks
        self.h = h = HessianFactor(q, row, col, masks)
        self.et = et = np.ascontiguousarray(e.transpose(0, 2, 1, 3))  # [k, t, y, s]
        self.es = np.ascontiguousarray(e.transpose(0, 3, 1, 2))  # [k, s, y, t]
        self.d = g / kk if masks.full else np.where(masks.pairs, g / np.where(masks.pairs, kk, 1.0), 1.0)
        # Diagonal blocks of B^T G B with G = H^+ = A^T A:
        #   G_tt = R^-1 + P^T P (its diagonal), G_ts = -P^T L^-1, G_ss = L^-T L^-1.
        g_tt = h.inv_row + (h.p**2).sum(axis=2)  # (k, y, t)
        g_ts = -np.swapaxes(h.p, -1, -2) @ h.linv  # (k, y, t, s)
        g_ss = np.swapaxes(h.linv, -1, -2) @ h.linv  # (k, y, s, s)
        blocks = np.swapaxes(et * g_tt.transpose(0, 2, 1)[..., None], -1, -2) @ et
        cross = np.swapaxes(et, -1, -2) @ (et * g_ts.transpose(0, 2, 1, 3))
        blocks += cross + np.swapaxes(cross, -1, -2)
        blocks += np.einsum("kyts,kytu,kysu->ktsu", e, e, g_ss)
        add_diagonal(blocks, self.d)
        factor, failed = cholesky_stack(blocks)
        linv = lower_inverse(factor)
        self.block_inv = np.swapaxes(linv, -1, -2) @ linv
        self.failed = h.failed | failed.any(axis=1) | ~np.isfinite(self.block_inv).all(axis=(1, 2, 3))
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
        by_s = (self.es @ np.swapaxes(v, 1, 2)[..., None])[..., 0].transpose(0, 2, 1)
        return by_t, by_s

    def _bt(self, z_t, z_s):
        """B^T z: per pair, sum_y e (z_t + z_s)."""
        out = (z_t.transpose(0, 2, 1)[:, :, None, :] @ self.et)[:, :, 0, :]
        out += np.swapaxes((z_s.transpose(0, 2, 1)[:, :, None, :] @ self.es)[:, :, 0, :], 1, 2)
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
            if not going.any():
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
        if not self.masks.full:
            rhs = np.where(self.masks.pairs, rhs, 0.0)
        d_kk = self._cg(rhs)
        z_t, z_s = self.h.solve(*self._b(d_kk))
        return u_t - z_t, u_s - z_s, _pair_steps(d_kk, target, kk, g, self.masks)


class NormalSystem:
    """The multiplier system (H + B diag(K / g) B^T) x = r - B h, h = (target - K r_g) / g.

    Its (y,t) part is block-diagonal over t (|Y| x |Y| blocks A_t = F_t F_t^T + diag R_t, F the
    cells' e sqrt(K / g)) and is eliminated first; the Schur complement over the (y,s)
    multipliers, of order |Y||S|, is factorised densely (the rank-one term rho 1 1^T per y pins
    the gauge). Its coupling is X = A_t^-1/2 C_t with C_t[a, (y', s)] = delta q(y',t,s) +
    f(a,t,s) f(y',t,s), built as L_t^-1[a, y'] q(y',t,s) + (L_t^-1 F_t)[a, s] f(y',t,s). Then
    d_g from the slack row and d_K = (target - K d_g) / g.
    """

    def __init__(self, q, row, col, e, kk, g, masks: Masks) -> None:
        n, n_y, n_t, n_s = q.shape
        self.e, self.masks = e, masks
        weight = kk / g if masks.full else np.where(masks.pairs, kk / g, 0.0)
        ft = np.ascontiguousarray((e * np.sqrt(weight)[:, None]).transpose(0, 2, 1, 3))  # (k, t, y, s)
        if not masks.full:
            row = np.where(masks.mt, row, 1.0)
            col = np.where(masks.ms, col, 1.0)
        a_tt = ft @ np.swapaxes(ft, -1, -2)  # (k, t, y, y)
        add_diagonal(a_tt, row.transpose(0, 2, 1))
        factor, failed = cholesky_stack(a_tt)
        self.linv_t = linv_t = lower_inverse(factor)  # (k, t, y, y)
        qt = q.transpose(0, 2, 1, 3)  # (k, t, y', s)
        u = linv_t @ ft  # (k, t, a, s)
        x = np.empty((n, n_t, n_y, n_y, n_s))  # (k, t, a, y', s), C order
        for a in range(n_y):
            np.multiply(linv_t[:, :, a, :, None], qt, out=x[:, :, a])
            x[:, :, a] += u[:, :, a, None, :] * ft
        self.x = x.reshape(n, n_t * n_y, n_y * n_s)
        del x, u
        threads = None if self.x.size * n_y * n_s > _THREADED_FLOPS else 1
        with blas_threads(threads):
            schur = np.swapaxes(self.x, 1, 2) @ self.x
        np.negative(schur, out=schur)
        schur4 = schur.reshape(n, n_y, n_s, n_y, n_s)
        fs = ft.transpose(0, 3, 2, 1)  # (k, s, y, t)
        a_ss = fs @ np.swapaxes(fs, -1, -2)  # (k, s, y, y)
        ss = np.arange(n_s)
        yy = np.arange(n_y)
        schur4[:, :, ss, :, ss] += a_ss.transpose(1, 0, 2, 3)  # (s, k, y, y')
        schur4[:, yy[:, None], ss, yy[:, None], ss] += col
        msf = masks.ms.astype(float)
        rho = sum_s(col * msf) / np.maximum(sum_s(msf), 1.0)
        for y in range(n_y):  # the gauge pin rho ms ms^T on each y's (s, s') block, in place
            schur4[:, y, :, y, :] += rho[:, y, None, None] * (msf[:, y, :, None] * msf[:, y, None, :])
        self.failed = failed.any(axis=1) | ~np.isfinite(sum_s(sum_s(schur)))
        if self.failed.any():
            schur[self.failed] = np.eye(n_y * n_s)
        self.factors = _upper_factors(schur, self.failed)

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
        if not self.masks.full:
            h = np.where(self.masks.pairs, h, 0.0)
        eh = e * h[:, None]
        rhs_t = r_t - sum_s(eh)
        rhs_s = r_s - sum_t(eh)
        z = (self.linv_t @ rhs_t.transpose(0, 2, 1)[..., None])[..., 0]  # (k, t, y)
        rhs_mu = rhs_s.reshape(n, -1) - (z.reshape(n, 1, -1) @ self.x)[:, 0]
        d_mu = _solve_upper(self.factors, rhs_mu)
        z -= (self.x @ d_mu[..., None]).reshape(n, n_t, n_y)
        d_lam = (z[:, :, None, :] @ self.linv_t)[:, :, 0].transpose(0, 2, 1)
        d_mu = d_mu.reshape(n, n_y, n_s)
        d_kg = np.empty((n, 2, n_t, n_s))
        cell = d_lam[..., None] + d_mu[:, :, None, :]
        cell *= e
        np.subtract(r_g, sum_y(cell), out=d_kg[:, 1])
        np.divide(target - kk * d_kg[:, 1], g, out=d_kg[:, 0])
        if not self.masks.full:
            d_kg *= self.masks.pairs[:, None]
        return d_lam, d_mu, d_kg


@dataclass(frozen=True)
class SystemChoice:
    """A Newton system for a shape, with its cost estimates: seconds per iteration, peak bytes,
    and the bytes of its largest single array (what stacks are chunked by)."""

    system: type
    seconds_per_iteration: float
    bytes: float
    largest: float = 0.0

    @property
    def name(self) -> str:
        return self.system.__name__


def estimates(shape: tuple[int, int, int], n_joints: int = 1) -> list[SystemChoice]:
    """Per Newton system, rough seconds per iteration and peak bytes for ``n_joints`` joints of
    ``shape`` (|S| <= |T|), from flop and array-size counts."""
    n_y, n_t, n_s = shape
    cells = n_y * n_t * n_s
    pairs = n_t * n_s
    base = 16 * cells  # e, q, the residual and direction arrays: about this many doubles
    hessian = n_y * (n_s * n_s + 2 * n_s * n_t)
    pair_flops = pairs**2 * n_y * n_s + pairs**3 / 3
    normal_flops = n_t * n_y * (n_y * n_s) ** 2 + (n_y * n_s) ** 3 / 3
    matrix_free = (cells * _MATRIX_FREE_CELL_SECONDS * np.sqrt(pairs / n_y)
                   + n_t * n_s * n_s * n_y / _DENSE_FLOPS_PER_SECOND)
    out = [
        SystemChoice(DensePairSystem, pair_flops / _DENSE_FLOPS_PER_SECOND,
                     8.0 * (base + hessian + 2 * n_y * n_s * pairs + 2 * pairs**2),
                     8.0 * max(cells, n_y * n_s * pairs, pairs**2)),
        SystemChoice(NormalSystem, normal_flops / _DENSE_FLOPS_PER_SECOND,
                     8.0 * (base + 2 * n_t * n_y * n_y * n_s + 2 * (n_y * n_s) ** 2),
                     8.0 * max(cells, n_t * n_y * n_y * n_s, (n_y * n_s) ** 2)),
        SystemChoice(MatrixFreePairSystem, matrix_free,
                     8.0 * (base + 2 * hessian + 3 * cells + 3 * n_t * n_s * n_s),
                     8.0 * max(cells, n_t * n_s * n_s)),
    ]
    return [
        SystemChoice(c.system, c.seconds_per_iteration * n_joints, c.bytes * n_joints,
                     c.largest * n_joints)
        for c in out
    ]


@functools.lru_cache(maxsize=256)
def choose_system(shape: tuple[int, int, int], *, memory_bytes: float | None = None) -> SystemChoice:
    """The Newton system for joints of ``shape`` (|S| <= |T|): the fastest estimate among those
    that fit in ``memory_bytes``; a dense form while its factorisation is cheap, the pair form
    at equal cost (it is the more robust).

    Raises
    ------
    MemoryError
        If no system fits, with the smallest estimate in the message.
    """
    options = estimates(shape)
    if memory_bytes is not None:
        fitting = [c for c in options if c.bytes <= memory_bytes]
        if not fitting:
            least = min(options, key=lambda c: c.bytes)
            raise MemoryError(
                f"the native solver needs about {least.bytes / 2**30:,.1f} GiB for a "
                f"{'x'.join(map(str, shape))} joint (its smallest Newton system, "
                f"{least.name}), more than the {memory_bytes / 2**30:,.1f} GiB available"
            )
        options = fitting
    by_system = {c.system: c for c in options}
    pair, normal = by_system.get(DensePairSystem), by_system.get(NormalSystem)
    if (
        pair is not None
        and normal is not None
        and pair.seconds_per_iteration > _PAIR_ALWAYS_SECONDS
        and pair.seconds_per_iteration > _PAIR_PREFERENCE * normal.seconds_per_iteration
    ):
        del by_system[DensePairSystem]
    dense = [c for s, c in by_system.items() if s is not MatrixFreePairSystem]
    if dense and min(c.seconds_per_iteration for c in dense) <= _DENSE_ALWAYS_SECONDS:
        return min(dense, key=lambda c: c.system is not DensePairSystem)
    return min(by_system.values(), key=lambda c: c.seconds_per_iteration)
