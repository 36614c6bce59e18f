"""The Hessian of the matrix-scaling problem per target symbol, eliminated for the Newton systems.

H is block-diagonal over y: H_y = [[R, Q], [Q^T, C]], R = diag q(y,t,.), C = diag q(y,.,s),
Q = q(y,.,.). :class:`HessianFactor` eliminates it with the t-block first: H_y^+ = A^T A on the
gauge complement, A = [[R^-1/2, 0], [-L^-1 Q^T R^-1, L^-1]] and
L L^T = C - Q^T R^-1 Q + rho 1 1^T (the rank-one term pins the gauge (lam + c, mu - c), which B^T
annihilates; :func:`gauge` picks the representative the interior point keeps).
"""

from __future__ import annotations

import numpy as np

from .stack import Masks, add_diagonal, inverse_cholesky, sum_s

__all__ = ["HessianFactor", "gauge"]


def gauge(d_lam: np.ndarray, d_mu: np.ndarray, masks: Masks) -> tuple[np.ndarray, np.ndarray]:
    """The representative of (d_lam + c, d_mu - c) with sum_t d_lam = sum_s d_mu per y (the
    shift changes nothing else; it keeps the multipliers from drifting)."""
    if masks.full:
        shift = (sum_s(d_mu) - sum_s(d_lam)) / (d_lam.shape[2] + d_mu.shape[2])
        return d_lam + shift[..., None], d_mu - shift[..., None]
    shift = (sum_s(d_mu) - sum_s(d_lam)) / masks.rows_per_target
    return d_lam + shift[..., None] * masks.mt_f, d_mu - shift[..., None] * masks.ms_f


class HessianFactor:
    """H_y^+ per y, from the t-block eliminated first (see the module docstring).

    Built from q and its row and column sums (``row = sum_s q``, ``col = sum_t q``). Attributes:
    ``inv_row`` (1/R), ``linv`` (L^-1, [k, y, s, s]), ``q_over_r`` (R^-1 Q, [k, y, t, s]) and
    ``failed``; :meth:`coupling` forms P = L^-1 Q^T R^-1 for the pair systems, which alone use it.
    """

    def __init__(self, q: np.ndarray, row: np.ndarray, col: np.ndarray, masks: Masks) -> None:
        if masks.full:
            pin = (sum_s(col) / q.shape[3])[..., None, None]
        else:
            row = np.where(masks.mt, row, 1.0)
            col = np.where(masks.ms, col, 1.0)
            rho = sum_s(col * masks.ms_f) / masks.ms_count
            pin = rho[..., None, None] * masks.ms_pin
        self.inv_row = 1.0 / row
        self.q_over_r = q * self.inv_row[..., None]
        schur = q.mT @ self.q_over_r
        np.subtract(pin, schur, out=schur)
        add_diagonal(schur, col)
        self.linv, self.failed = inverse_cholesky(schur)

    def coupling(self) -> np.ndarray:
        """P = L^-1 Q^T R^-1, [k, y, s, t] (A's lower-left block is -P). Formed on request (a
        batched product as large as q): the Newton projection of the certificate solves without
        it."""
        return self.linv @ self.q_over_r.mT

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
        for name in ("failed", "linv", "inv_row", "q_over_r"):
            setattr(out, name, getattr(self, name)[keep])
        return out
