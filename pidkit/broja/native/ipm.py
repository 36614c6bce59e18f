"""The native interior-point method for the BROJA program, vectorised over a stack of joints.

It works on the Lagrange dual of :mod:`pidkit.broja.program`: the variables are the multipliers
(lambda, mu), the pair multipliers K > 0 and the slacks g = 1 - M > 0. Each iteration takes a
Mehrotra predictor-corrector Newton step on the perturbed optimality conditions

    sum_s K a b = p(y,t),   sum_t K a b = p(y,s),   M + g = 1,   K g = sigma * mean(K g)

(a = exp(lambda), b = exp(mu)), with the Newton system of :mod:`pidkit.broja.native.systems`
chosen for the shape. Steps are damped by a fraction-to-the-boundary rule and a trust region on
the exponents (no backtracking: on nearly deterministic joints it stalls the method). It starts
from the conditionally independent coupling q0 = p(y,t) p(y,s) / p(y), which is feasible:
q0 = K a b with a = p(y|t), b = p(y|s) / (p(y) c), K = c p(t) p(s), c chosen so that max M = 1/2.

Every array carries a leading joint axis; step lengths, centring and stopping are per joint, and a
joint leaves the stack once certified (:func:`pidkit.broja.program.certify`), so each follows
the iterates it would follow alone. Rows and pairs without mass are masked (unit diagonals, zero
steps); a stack whose rows all have mass runs without masks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..program import Certificate, certify, marginals
from .systems import DensePairSystem, Masks, MatrixFreePairSystem, NormalSystem

__all__ = ["Outcome", "interior_point"]

_FRACTION_TO_BOUNDARY = 0.995
_MAX_EXPONENT_STEP = 4.0
_STALLED = 1e-20
_FLOOR = 1e-2
"""Share of tol the duality measure is centred at, at least."""
_SECOND_ORDER_STEP = 0.1
"""Largest exponent change of the predictor for which the corrector takes second-order terms."""
_CORRECTORS = {DensePairSystem: 0, NormalSystem: 6, MatrixFreePairSystem: 0}
"""Centrality-corrector rounds per iteration: where the factorisation dominates the cost of an
iteration (the multiplier system), extra solves are nearly free."""
"""A duality measure this small without a certificate means the iterates can do no better."""


@dataclass(frozen=True)
class Outcome:
    """What :func:`interior_point` returns for a stack: the certificate of each joint, the
    iterations it took, and what happened, in words."""

    certificate: Certificate
    nit: np.ndarray
    messages: list[str]


def _max_step(x: np.ndarray, dx: np.ndarray) -> np.ndarray:
    """Per joint, the largest alpha with x + alpha dx >= 0 for x >= 0 (inf where dx >= 0
    everywhere). Runs under the loop's errstate: x / 0 is inf, 0 / 0 a NaN that fmin skips."""
    ratio = x / np.maximum(-dx, 0.0)
    return np.fmin.reduce(ratio.reshape(ratio.shape[0], -1), axis=1, initial=np.inf)


def _scaling(lam, mu, masks: Masks):
    """e[k, y, t, s] = exp(lam(y,t) + mu(y,s)) on the cells, 0 elsewhere."""
    a, b = np.exp(lam), np.exp(mu)
    if not masks.full:
        a = a * masks.mt
        b = b * masks.ms
    return a[..., None] * b[:, :, None, :]


class _Results:
    """Per joint of the stack, its certificate once it leaves, as stacked arrays at the end."""

    def __init__(self, n: int) -> None:
        self.parts: list[tuple[np.ndarray, Certificate]] = []
        self.nit = np.zeros(n, dtype=int)
        self.messages = [""] * n

    def add(self, rows: np.ndarray, cert: Certificate, nit: int, why: str) -> None:
        self.parts.append((rows, cert))
        self.nit[rows] = nit
        for row, gap in zip(rows.tolist(), cert.gap.tolist(), strict=True):
            self.messages[row] = f"{why}; certified gap {gap:.3g} nats after {nit} iterations"

    def stacked(self) -> Outcome:
        order = np.concatenate([rows for rows, _ in self.parts])
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        fields = {
            name: np.concatenate([getattr(c, name) for _, c in self.parts])[inverse]
            for name in Certificate.__dataclass_fields__
        }
        return Outcome(Certificate(**fields), self.nit, self.messages)


def interior_point(ps: np.ndarray, *, system: type, tol_nats: float, max_iter: int) -> Outcome:
    """Solve joints ``ps[k, y, t, s]`` of one shape together.

    Parameters
    ----------
    ps : numpy.ndarray of shape (k, n_y, n_t, n_s)
        Joints of mass 1 with no symbol of zero mass and at least two symbols per axis.
    system : type
        The Newton system class (:func:`pidkit.broja.native.systems.choose_system`).
    tol_nats : float
        Certified optimality gap to reach.
    max_iter : int
        Interior-point iterations allowed per joint.

    Returns
    -------
    Outcome
        Per joint, the best certificate found (``certified`` says whether it reached
        ``tol_nats``), the iterations taken and a message.
    """
    # One errstate for the whole loop: divisions by zero and their NaN are expected where pairs or
    # directions vanish (each is masked), and divergence is caught by explicit finiteness checks.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _iterate(ps, system=system, tol_nats=tol_nats, max_iter=max_iter)


def _iterate(ps: np.ndarray, *, system: type, tol_nats: float, max_iter: int) -> Outcome:
    """The loop of :func:`interior_point` (under its errstate)."""
    n = ps.shape[0]
    p_yt, p_ys = marginals(ps)
    masks = Masks.of(p_yt, p_ys)
    results = _Results(n)
    p_t, p_s, p_y = p_yt.sum(axis=1), p_ys.sum(axis=1), p_ys.sum(axis=2)
    a = p_yt / p_t[:, None, :]
    b = p_ys / p_s[:, None, :] / p_y[:, :, None]
    c = 2.0 * (a.transpose(0, 2, 1) @ b).max(axis=(1, 2))
    lam = np.log(a)
    mu = np.log(b / c[:, None, None])
    kk = c[:, None, None] * p_t[:, :, None] * p_s[:, None, :]
    if not masks.full:
        lam = np.where(masks.mt, lam, 0.0)
        mu = np.where(masks.ms, mu, 0.0)
        kk = np.where(masks.pairs, kk, 0.0)
    e = _scaling(lam, mu, masks)
    g = 1.0 - e.sum(axis=1)  # 1 on pairs without cells, where M = 0
    # The weighted central path through the start: K g = sigma * mean(K g) * w, w the start's
    # complementarity products (mean 1). Pairs of very different masses then each keep their own
    # scale instead of being pulled to the average (which, for a pair of mass 1e-15 next to pairs
    # of mass 0.1, asks for a change by orders of magnitude in one step).
    comp = kk * g
    weight = comp * (masks.n_pairs / comp.sum(axis=(1, 2)))[:, None, None]
    # The iterate and the joint's data, row k for the joint index[k] of ps.
    it = {"index": np.arange(n), "lam": lam, "mu": mu, "kk": kk, "g": g, "weight": weight,
          "e": e, "p_yt": p_yt, "p_ys": p_ys, "n_pairs": masks.n_pairs.astype(float), "masks": masks}
    nit = 0
    why = "iteration limit reached"
    while it["index"].size:
        lam, mu, kk, g, e = it["lam"], it["mu"], it["kk"], it["g"], it["e"]
        q = kk[:, None] * e
        comp = kk * g
        measure = comp.sum(axis=(1, 2))
        r_t = it["p_yt"] - q.sum(axis=3)
        r_s = it["p_ys"] - q.sum(axis=2)
        r_g = 1.0 - e.sum(axis=1) - g
        # Certify once the duality measure and the residuals are small enough for the gap to be
        # within tol (the multipliers' bound loses about max |r_g|).
        near = measure < 0.5 * tol_nats
        if near.any():
            near &= np.maximum(np.abs(r_g).max(axis=(1, 2)), np.maximum(
                np.abs(r_t).max(axis=(1, 2)), np.abs(r_s).max(axis=(1, 2)))) < 0.5 * tol_nats
        if near.any():
            rows = np.flatnonzero(near)
            cert = certify(q[rows], lam[rows], mu[rows], it["p_yt"][rows], it["p_ys"][rows],
                           tol_nats=tol_nats, inactive=(g > kk)[rows])
            stalled = measure[rows] < _STALLED
            for done, words in ((cert.certified, "interior point converged"),
                                (~cert.certified & stalled, "interior point stalled")):
                if done.any():
                    results.add(it["index"][rows[done]], _rows(cert, done), nit, words)
            leave = np.zeros(near.size, dtype=bool)
            leave[rows[cert.certified | stalled]] = True
            if leave.any():
                it = _keep(it, ~leave)
                masks = it["masks"]
                q, comp, measure = q[~leave], comp[~leave], measure[~leave]
                r_t, r_s, r_g = r_t[~leave], r_s[~leave], r_g[~leave]
                lam, mu, kk, g, e = it["lam"], it["mu"], it["kk"], it["g"], it["e"]
                if not it["index"].size:
                    break
        if nit >= max_iter:
            break
        newton = system(q, e, kk, g, masks)
        if newton.failed.any():
            rows = np.flatnonzero(newton.failed)
            cert = certify(q[rows], lam[rows], mu[rows], it["p_yt"][rows], it["p_ys"][rows],
                           tol_nats=tol_nats, inactive=(g > kk)[rows])
            results.add(it["index"][rows], cert, nit, "Newton system numerically singular")
            keep = ~newton.failed
            it, newton = _keep(it, keep), newton.subset(keep)
            masks = it["masks"]
            q, comp, measure = q[keep], comp[keep], measure[keep]
            r_t, r_s, r_g = r_t[keep], r_s[keep], r_g[keep]
            lam, mu, kk, g, e = it["lam"], it["mu"], it["kk"], it["g"], it["e"]
            if not it["index"].size:
                break
        nit += 1
        n_pairs = it["n_pairs"]
        mu_avg = measure / n_pairs
        d_lam, d_mu, d_kk, d_g = newton.direction(r_t, r_s, r_g, -comp, kk, g)
        alpha = np.minimum(np.minimum(_max_step(kk, d_kk), _max_step(g, d_g)), 1.0)[:, None, None]
        mu_aff = ((kk + alpha * d_kk) * (g + alpha * d_g)).sum(axis=(1, 2)) / n_pairs
        sigma = np.minimum((np.maximum(mu_aff, 0.0) / mu_avg) ** 3, 1.0)
        # Complementarity below 1% of tol buys nothing but ill-conditioning: centre at that floor
        # and let the remaining iterations work on feasibility.
        centre = np.maximum(sigma * mu_avg, np.minimum(mu_avg, _FLOOR * tol_nats / n_pairs))
        target = centre[:, None, None] * it["weight"] - comp - d_kk * d_g
        # The corrector also takes the second-order terms of q = K exp(lambda + mu) and of M
        # along the predictor (as Mehrotra's takes d_K d_g): without them each long step leaves
        # a marginal residual of the order of the step's square.
        # Only where the predictor moves every exponent by little (the expansion holds there).
        cell = d_lam[..., None] + d_mu[:, :, None, :]
        small = (np.abs(cell).max(axis=(1, 2, 3)) < _SECOND_ORDER_STEP)[:, None, None]
        if small.any():
            curved = e * cell * cell
            second = e * d_kk[:, None] * cell + 0.5 * kk[:, None] * curved
            r_t = np.where(small, r_t - second.sum(axis=3), r_t)
            r_s = np.where(small, r_s - second.sum(axis=2), r_s)
            r_g = np.where(small, r_g - 0.5 * curved.sum(axis=1), r_g)
        d_lam, d_mu, d_kk, d_g = newton.direction(r_t, r_s, r_g, target, kk, g)
        if _CORRECTORS[system]:
            d_lam, d_mu, d_kk, d_g = _centrality_correctors(
                newton, (r_t, r_s, r_g), target, kk, g, (d_lam, d_mu, d_kk, d_g),
                centre[:, None, None] * it["weight"], _CORRECTORS[system])
        largest = np.abs(d_lam).max(axis=(1, 2)) + np.abs(d_mu).max(axis=(1, 2))
        trust = np.where(largest > 0, _MAX_EXPONENT_STEP / largest, np.inf)
        boundary = _FRACTION_TO_BOUNDARY * np.minimum(_max_step(kk, d_kk), _max_step(g, d_g))
        step = np.minimum(np.minimum(boundary, trust), 1.0)[:, None, None]
        it["lam"] = lam = lam + step * d_lam
        it["mu"] = mu = mu + step * d_mu
        it["kk"] = kk = kk + step * d_kk
        g = g + step * d_g
        it["e"] = e = _scaling(lam, mu, masks)
        # M is exponential in the multipliers, so a long step leaves M + g != 1. Where the pair is
        # inactive (g > K) and the slack the new M leaves is at least half of g, take that slack:
        # it removes the nonlinear residual at no cost to complementarity (K is the small factor).
        slack = 1.0 - e.sum(axis=1)
        it["g"] = np.where((g > kk) & (slack > 0.5 * g), slack, g)
        finite = np.isfinite(it["e"]).all(axis=(1, 2, 3)) & np.isfinite(it["kk"]).all(axis=(1, 2))
        if not finite.all():
            rows = np.flatnonzero(~finite)
            results.add(it["index"][rows], _failure(it["p_yt"][rows], it["p_ys"][rows], tol_nats),
                        nit, "interior point diverged")
            it = _keep(it, finite)
            masks = it["masks"]
    if it["index"].size:
        q = it["kk"][:, None] * it["e"]
        cert = certify(q, it["lam"], it["mu"], it["p_yt"], it["p_ys"], tol_nats=tol_nats,
                       inactive=it["g"] > it["kk"])
        for done, words in ((cert.certified, "interior point converged"), (~cert.certified, why)):
            if done.any():
                results.add(it["index"][done], _rows(cert, done), nit, words)
    return results.stacked()


def _centrality_correctors(newton, residuals, target, kk, g, direction, centred, rounds):
    """Gondzio's centrality correctors: ask the step for pairs whose complementarity products
    would leave [0.1, 10] x their centred value at a longer step to move back into that box,
    keeping a corrected direction only where it lengthens the step. Each round is one more
    solve with the factorised system (cheap where factorising dominates)."""
    d_lam, d_mu, d_kk, d_g = direction
    alpha = np.minimum(np.minimum(_max_step(kk, d_kk), _max_step(g, d_g)), 1.0)
    for _ in range(rounds):
        trying = alpha < 0.9
        if not trying.any():
            break
        longer = np.minimum(alpha + 0.2, 1.0)[:, None, None]
        products = (kk + longer * d_kk) * (g + longer * d_g)
        low, high = 0.1 * centred, 10.0 * centred
        push = np.where(products < low, low - products,
                        np.where(products > high, np.maximum(high - products, -high), 0.0))
        push = np.where(trying[:, None, None], push, 0.0)
        target = target + push
        c_lam, c_mu, c_kk, c_g = newton.direction(*residuals, target, kk, g)
        c_alpha = np.minimum(np.minimum(_max_step(kk, c_kk), _max_step(g, c_g)), 1.0)
        better = trying & (c_alpha >= alpha + 0.02)
        if not better.any():
            break
        pick = better[:, None, None]
        d_lam, d_mu = np.where(pick, c_lam, d_lam), np.where(pick, c_mu, d_mu)
        d_kk, d_g = np.where(pick, c_kk, d_kk), np.where(pick, c_g, d_g)
        alpha = np.where(better, c_alpha, alpha)
        target = np.where(pick, target, target - push)
    return d_lam, d_mu, d_kk, d_g


def _keep(it: dict, keep: np.ndarray) -> dict:
    """The iterate restricted to the joints ``keep`` marks."""
    return {name: v.subset(keep) if isinstance(v, Masks) else v[keep] for name, v in it.items()}


def _rows(cert: Certificate, keep: np.ndarray) -> Certificate:
    return Certificate(**{name: getattr(cert, name)[keep] for name in Certificate.__dataclass_fields__})


def _failure(p_yt, p_ys, tol_nats) -> Certificate:
    """The certificate of the conditionally independent coupling, for joints whose iterates
    diverged: a feasible point with an honest (large) gap."""
    p_y = p_yt.sum(axis=2)
    q0 = np.nan_to_num(p_yt[..., None] * p_ys[:, :, None, :] / p_y[:, :, None, None])
    zeros_t, zeros_s = np.zeros_like(p_yt), np.zeros_like(p_ys)
    return certify(q0, zeros_t, zeros_s, p_yt, p_ys, tol_nats=tol_nats)
