"""The native interior-point method for the BROJA program, vectorised over a stack of joints.

It works on the Lagrange dual of :mod:`pidkit.broja.program`: the variables are the multipliers
(lambda, mu), the pair multipliers K > 0 and the slacks g = 1 - M > 0. Each iteration takes a
Mehrotra predictor-corrector Newton step on the perturbed optimality conditions

    sum_s K a b = p(y,t),   sum_t K a b = p(y,s),   M + g = 1,   K g = sigma * mean(K g)

(a = exp(lambda), b = exp(mu)), with the Newton system :mod:`pidkit.broja.native.choice` picks
for the shape. Steps are damped by a fraction-to-the-boundary rule and a trust region on
the exponents (no backtracking: on nearly deterministic joints it stalls the method). It starts
from the conditionally independent coupling q0 = p(y,t) p(y,s) / p(y), which is feasible:
q0 = K a b with a = alpha(t) p(y|t), b = beta(s) p(y|s) / p(y), K = p(t) p(s) / (alpha beta),
for any alpha, beta > 0 with M = alpha beta m <= 1 (m(t,s) = sum_y p(y|t) p(y|s) / p(y)). The
start's duality measure sum K g is sum p(t) p(s) / (alpha beta) - 1, so alpha and beta are made
as large as the bound allows: alpha(t) brings its row's largest M to :data:`_START_MAX_M`, then
beta(s) its column's, each at most :data:`_START_SCALE_SPREAD` times the one scale that brings
the largest M of all to it.

Every array carries a leading joint axis; step lengths, centring and stopping are per joint, and a
joint leaves the stack once certified, so each follows the iterates it would follow alone. Rows
and pairs without mass are masked (unit diagonals, zero steps); a stack whose rows all have mass
runs without masks. K and g travel stacked as ``kg[k, 0]`` and ``kg[k, 1]`` (one array for the
step-to-the-boundary rule and the update).

Certificate: once the duality measure and an estimate of the certificate's gap (the measure's
share spent on the pairs, plus what pairs with M > 1 cost the balanced multipliers of
:func:`pidkit.broja.program.balanced_bound`) are below tol, the iterate is projected onto the
marginals by one Newton step of the matrix scaling (:meth:`HessianFactor.solve`, where its factor
is cheap), which leaves residuals of the order of rounding, and
:func:`pidkit.broja.program.certify` bounds its error; where that does not certify, ``certify``
runs its Sinkhorn projection from the unpolished iterate. No certificate's gap falls below its
float64 rounding allowance (:func:`pidkit.broja.program.rounding_allowance`): with a tol under it
a joint leaves uncertified once its gap is down to twice the allowance, instead of iterating to
the limit.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
from scipy.special import xlogy

from ..program import SMALLEST_ALLOWANCE, Certificate, at_rounding_floor, certify
from .hessian import HessianFactor, gauge
from .normal_system import NormalSystem
from .pair_systems import DensePairSystem, MatrixFreePairSystem
from .stack import Masks, Workspace, all_true, any_true, sum_s, sum_t, sum_y

__all__ = ["Outcome", "interior_point"]

_FRACTION_TO_BOUNDARY = 0.995
"""Fraction of the step to the boundary taken; once the predictor is nearly unblocked (affine
step above :data:`_ENDGAME`), 1 - (mean K g) where that is larger: the last steps then shrink
the duality measure by more (about 0.2 iterations fewer at 10x10x10, 1.3 at 2x2x2). Not for the
systems that follow the cautious rule below."""
_ENDGAME = 0.9
_MAX_EXPONENT_STEP = 4.0
"""The trust region's radius at the start: no exponent moves by more in one step."""
_PATIENCE = 10
"""Every this many iterations, a joint whose duality measure plus largest residual has not
halved since the last check has its trust region halved. On 12,000 joints whose masses spread
over up to 300 orders of magnitude, the 17 that cycled to 200 iterations uncertified fell to 4
(and the 63 that took 100 or more to 58); everyday joints halve it every iteration or two, so
their steps never change."""
_LIFT = 0.1
"""Centring, per pair, at least this times the largest marginal residual of a joint that stalls
with residuals far above its duality measure (:func:`_check_progress`): of 1,500 joints of
2-4 x 20-50 x 20-50 from five families, those left uncertified (all spread over 100 orders of
magnitude) fell from 13 to 8 (with 1 instead of 0.1: 9), with the same iterations on the
other families."""
_STALLED = 1e-20
"""A duality measure this small without a certificate means the iterates can do no better."""
_FLOOR = 1e-2
"""Share of tol the duality measure is centred at, at least."""
_SECOND_ORDER_STEP = 0.1
"""Largest exponent change of the predictor for which the corrector takes second-order terms."""
_START_MAX_M = 0.99
"""Largest M of each row and column at the start. The nearer this is to 1, the nearer the start
is to the central path's end: with one scale for all pairs, 0.9 saved about one iteration in ten
against 0.5 (10x10x10 Dirichlet joints), and 0.99 (with the fraction to the boundary below)
another 0.4 of 8.9 there, 0.3 of 5.7 at 2x2x2, 1.0 of 7.5 at 100x10x10 (0.999 is no better);
scaling each row and column (below) then saved 0.13 more at 10x10x10."""
_START_SCALE_SPREAD = 2.0
"""Largest factor between a row's or column's start scale and the common one. Unbounded, the
scaling left more joints uncertified whose masses spread over up to 300 orders of magnitude
(the extremes test's family; 4 of 1500 against 1 with the common scale); bounded by 2, 20 of
12,000 such joints against 19 (by 4: 25), with the same iterations on everyday joints."""
_BLOCKED = 0.8
_CAUTIOUS = 0.9
"""Fraction to the boundary after a blocked predictor (affine step at most _BLOCKED), for the
joints the multiplier system solves (|Y| small next to |T| and |S|). Many of their pairs end with
both K and g near 0, a few pairs block each predictor, and long steps then leave products far
from their centred values, so the next predictor is blocked again; stopping further from the
boundary keeps them centred (3x400x400: 59 -> 50 iterations, 3x300x300: 34 -> 32). On the pair
systems' joints it costs iterations (10x10x10: 8.6 -> 9.4), so it is not used there."""
_CORRECTORS: dict[type, int] = {DensePairSystem: 0, NormalSystem: 6, MatrixFreePairSystem: 0}
"""Centrality-corrector rounds per iteration: where the factorisation dominates the cost of an
iteration (the multiplier system), extra solves are nearly free."""
_SIGMA_POWER: dict[type, int] = {DensePairSystem: 3, NormalSystem: 6, MatrixFreePairSystem: 3}
"""Mehrotra's centring parameter is (affine measure / measure) to this power. The multiplier
system's correctors keep its pairs centred, so it can afford the smaller parameters of a higher
power: 6 instead of Mehrotra's 3 took 10-17 % fewer iterations there (2x700x700 14 -> 12,
3x100x100 23 -> 19; 1,500 joints of 2-4 x 20-50 x 20-50 from five families 19.1 -> 17.4 on
average, with 13 uncertified against 14, all spread over 100 orders of magnitude); on the pair
systems a higher power costs iterations (30x30x30 8.1 -> 8.3, 50x50x10 7.8 -> 8.0)."""
_AT_ROUNDING_FLOOR = "stopped at the rounding floor (tol is below the certificate's rounding allowance)"
"""Why a joint left uncertified with its gap down to the allowance (no solver can do better)."""
_POLISH_MAX_S = 256
"""The final Newton projection runs when |S| is at most this (its factor costs |Y||T||S|^2
flops, less than Sinkhorn's sweeps there); larger joints go to Sinkhorn directly."""


@dataclass(frozen=True)
class Outcome:
    """What :func:`interior_point` returns for a stack: the certificate of each joint, the
    iterations it took, and what happened, in words."""

    certificate: Certificate
    nit: np.ndarray
    messages: list[str]


def _max_step(x: np.ndarray, dx: np.ndarray, cap: float = np.inf) -> np.ndarray:
    """Per joint, the largest alpha <= ``cap`` with x + alpha dx >= 0 for x >= 0 (``cap`` where
    dx >= 0 everywhere). Runs under the loop's errstate: x / 0 is inf, 0 / 0 a NaN that fmin
    skips."""
    ratio = x / np.maximum(-dx, 0.0)
    return np.fmin.reduce(ratio.reshape(ratio.shape[0], -1), axis=1, initial=cap)


def _scaling(lam, mu, masks: Masks):
    """e[k, y, t, s] = exp(lam(y,t) + mu(y,s)) on the cells, 0 elsewhere."""
    a, b = np.exp(lam), np.exp(mu)
    if not masks.full:
        a *= masks.mt_f
        b *= masks.ms_f
    return a[..., None] * b[:, :, None, :]


def _start(p_yt: np.ndarray, p_ys: np.ndarray, p_t: np.ndarray, p_s: np.ndarray, masks: Masks):
    """The conditionally independent coupling as (lam, mu, kg, e) (see the module docstring), from
    the marginals p(y,t), p(y,s), p(t) and p(s)."""
    p_y = sum_s(p_ys)
    a = p_yt / p_t[:, None, :]
    b = p_ys / p_s[:, None, :] / p_y[:, :, None]
    m = a.mT @ b  # M(t,s) of (a, b)
    top = m.max(axis=(1, 2))[:, None]
    alpha = _START_MAX_M / np.maximum(m.max(axis=2), top / _START_SCALE_SPREAD)
    beta = _START_MAX_M / np.maximum((m * alpha[:, :, None]).max(axis=1),
                                     _START_MAX_M / _START_SCALE_SPREAD)
    lam = np.log(a * alpha[:, None, :])
    mu = np.log(b * beta[:, None, :])
    kg = np.empty((p_yt.shape[0], 2, p_yt.shape[2], p_ys.shape[2]))
    np.divide(p_t[:, :, None] / alpha[:, :, None], beta[:, None, :] / p_s[:, None, :], out=kg[:, 0])
    if not masks.full:
        lam = np.where(masks.mt, lam, 0.0)
        mu = np.where(masks.ms, mu, 0.0)
        kg[:, 0] *= masks.pairs
    e = _scaling(lam, mu, masks)
    kg[:, 1] = 1.0 - sum_y(e)  # 1 on pairs without cells, where M = 0
    return lam, mu, kg, e


class _Results:
    """Per joint of the stack, its certificate once it leaves, as stacked arrays at the end."""

    def __init__(self, n: int) -> None:
        self.parts: list[tuple[np.ndarray, Certificate]] = []
        self.nit = np.zeros(n, dtype=int)
        self.messages = [""] * n

    def add(self, rows: np.ndarray, cert: Certificate, nit: int, why: str) -> None:
        self.parts.append((rows, cert))
        self.nit[rows] = nit
        # The gap is the result's own field, in the caller's units; the message says how it ended.
        for row in rows.tolist():
            self.messages[row] = f"{why} after {nit} iterations"

    def stacked(self) -> Outcome:
        if len(self.parts) == 1 and (self.parts[0][0] == np.arange(self.nit.size)).all():
            return Outcome(self.parts[0][1], self.nit, self.messages)
        order = np.concatenate([rows for rows, _ in self.parts])
        inverse = np.empty_like(order)
        inverse[order] = np.arange(order.size)
        return Outcome(
            Certificate(**{
                f.name: np.concatenate([getattr(c, f.name) for _, c in self.parts])[inverse]
                for f in fields(Certificate)
            }),
            self.nit, self.messages,
        )


def interior_point(ps: np.ndarray, *, system: type, tol_nats: float, max_iter: int) -> Outcome:
    """Solve joints ``ps[k, y, t, s]`` of one shape together.

    Parameters
    ----------
    ps : numpy.ndarray of shape (k, n_y, n_t, n_s)
        Joints of mass 1 with no symbol of zero mass and at least two symbols per axis.
    system : type
        The Newton system class (:func:`pidkit.broja.native.choice.choose_system`).
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
    p_yt, p_ys = sum_s(ps), sum_t(ps)
    p_t, p_s = sum_t(p_yt), sum_t(p_ys)
    masks = Masks.of(p_yt, p_ys)
    results = _Results(n)
    lam, mu, kg, e = _start(p_yt, p_ys, p_t, p_s, masks)
    # The weighted central path through the start: K g = sigma * mean(K g) * w, w the start's
    # complementarity products (mean 1). Pairs of very different masses then each keep their own
    # scale instead of being pulled to the average (which, for a pair of mass 1e-15 next to pairs
    # of mass 0.1, asks for a change by orders of magnitude in one step).
    comp = kg[:, 0] * kg[:, 1]
    weight = comp * (masks.n_pairs / comp.sum(axis=(1, 2)))[:, None, None]
    # The iterate and the joint's data, row k for the joint index[k] of ps.
    it = {"index": np.arange(n), "lam": lam, "mu": mu, "kg": kg, "slack": kg[:, 1].copy(),
          "weight": weight, "e": e, "p_yt": p_yt, "p_ys": p_ys,
          "n_pairs": masks.n_pairs.astype(float), "floor": _FLOOR * tol_nats / masks.n_pairs,
          "p_t": p_t, "p_s": p_s,
          "retry": np.zeros(n, dtype=int), "lift": np.zeros(n), "fails": np.zeros(n, dtype=int),
          "masks": masks, "radius": np.full(n, _MAX_EXPONENT_STEP), "merit": np.full(n, np.inf)}
    # The Newton systems' large arrays, reused from one iteration to the next (a stack of 26
    # 10x10x10 joints otherwise takes its 2 MB X and pair matrix from fresh pages every iteration).
    workspace = Workspace()
    polish = ps.shape[3] <= _POLISH_MAX_S
    corrections = _CORRECTORS[system]
    power = _SIGMA_POWER[system]
    cautious = system is NormalSystem
    # No certificate's gap falls below its rounding allowance: with a tol under it, attempts start
    # at the allowance and the loop stops once the gap reaches it (see the certificate below).
    attempt_below = max(tol_nats, SMALLEST_ALLOWANCE)
    nit = 0
    while True:
        lam, mu, kg, e = it["lam"], it["mu"], it["kg"], it["e"]
        kk, g = kg[:, 0], kg[:, 1]
        q = kk[:, None] * e
        row, col = sum_s(q), sum_t(q)
        r_t, r_s, r_g = it["p_yt"] - row, it["p_ys"] - col, it["slack"] - g
        comp = kk * g
        # The loop reduces with the ufuncs themselves: ndarray.sum and .max go through a Python
        # wrapper (numpy's _methods) first.
        measure = np.add.reduce(comp, axis=(1, 2))
        # Certify once the duality measure and the estimated gap are within tol; after a failed
        # attempt, wait twice as many iterations as before the next one (a joint whose estimate
        # stays below tol while its certificate does not would otherwise pay one every iteration).
        # Each test runs only where the one before passed (most iterations stop at the first).
        near = measure < attempt_below
        if any_true(near):
            near &= it["retry"] <= nit
        if any_true(near):
            near &= _gap_estimate(it) < attempt_below
        if any_true(near):
            rows = np.flatnonzero(near)
            cert = _certificate(it, rows, q, row, col, r_t, r_s, tol_nats, polish)
            if rows.size == near.size and all_true(cert.certified):  # the whole stack leaves at once
                results.add(it["index"], cert, nit, "interior point converged")
                return results.stacked()
            stalled = ~cert.certified & (measure[rows] < _STALLED)
            # tol below the allowance: certifying is impossible; stop once the gap is down to it.
            floor = ~cert.certified & ~stalled & at_rounding_floor(
                tol_nats, cert.value, cert.bound, cert.gap, cert.residual)
            failed = rows[~cert.certified]
            it["retry"][failed] = nit + 2 ** np.minimum(it["fails"][failed], 30)
            it["fails"][failed] += 1
            for done, words in ((cert.certified, "interior point converged"),
                                (stalled, "interior point stalled"),
                                (floor, _AT_ROUNDING_FLOOR)):
                if any_true(done):
                    results.add(it["index"][rows[done]], _rows(cert, done), nit, words)
            leave = np.zeros(near.size, dtype=bool)
            leave[rows[cert.certified | stalled | floor]] = True
            if all_true(leave):
                return results.stacked()
            if any_true(leave):
                keep = ~leave
                it = _keep(it, keep)
                lam, mu, kg, e = it["lam"], it["mu"], it["kg"], it["e"]
                kk, g = kg[:, 0], kg[:, 1]
                q, row, col, comp, measure = q[keep], row[keep], col[keep], comp[keep], measure[keep]
                r_t, r_s, r_g = r_t[keep], r_s[keep], r_g[keep]
        if nit >= max_iter:
            break
        if nit % _PATIENCE == 0:
            _check_progress(it, measure, r_t, r_s, r_g)
        masks = it["masks"]
        newton = system(q, row, col, e, kk, g, masks, workspace)
        if any_true(newton.failed):
            rows = np.flatnonzero(newton.failed)
            cert = certify(q[rows], lam[rows], mu[rows], it["p_yt"][rows], it["p_ys"][rows],
                           tol_nats=tol_nats, inactive=(g > kk)[rows])
            results.add(it["index"][rows], cert, nit, "Newton system numerically singular")
            keep = ~newton.failed
            it, newton = _keep(it, keep), newton.subset(keep)
            if not it["index"].size:
                break
            masks = it["masks"]
            lam, mu, kg, e = it["lam"], it["mu"], it["kg"], it["e"]
            kk, g = kg[:, 0], kg[:, 1]
            comp, measure = comp[keep], measure[keep]
            r_t, r_s, r_g = r_t[keep], r_s[keep], r_g[keep]
        nit += 1
        n_pairs = it["n_pairs"]
        mu_avg = measure / n_pairs
        d_lam, d_mu, d_kg = newton.direction(r_t, r_s, r_g, -comp, kk, g)
        alpha_aff = _max_step(kg, d_kg, 1.0)
        trial = kg + alpha_aff[:, None, None, None] * d_kg
        mu_aff = np.add.reduce(trial[:, 0] * trial[:, 1], axis=(1, 2)) / n_pairs
        sigma = np.minimum((np.maximum(mu_aff, 0.0) / mu_avg) ** power, 1.0)
        # Complementarity below 1% of tol buys nothing but ill-conditioning: centre at that floor
        # and let the remaining iterations work on feasibility.
        centre = np.maximum(np.maximum(sigma * mu_avg, np.minimum(mu_avg, it["floor"])), it["lift"])
        centred = centre[:, None, None] * it["weight"]
        target = centred - comp - d_kg[:, 0] * d_kg[:, 1]
        r_t, r_s, r_g = _second_order(r_t, r_s, r_g, e, kk, d_lam, d_mu, d_kg[:, 0])
        d_lam, d_mu, d_kg = newton.direction(r_t, r_s, r_g, target, kk, g)
        if corrections:
            d_lam, d_mu, d_kg = _centrality_correctors(
                newton, (r_t, r_s, r_g), target, kg, (d_lam, d_mu, d_kg), centred, corrections)
        d_lam, d_mu = gauge(d_lam, d_mu, masks)
        # The trust region: no exponent moves by more than the joint's radius (_MAX_EXPONENT_STEP,
        # halved where the joint stalls; inf, or NaN that fmin skips, where the direction is 0).
        largest = (np.maximum.reduce(np.abs(d_lam), axis=(1, 2))
                   + np.maximum.reduce(np.abs(d_mu), axis=(1, 2)))
        if cautious:
            boundary = np.where(alpha_aff > _BLOCKED, _FRACTION_TO_BOUNDARY, _CAUTIOUS)
        else:
            boundary = np.where(alpha_aff > _ENDGAME, np.maximum(_FRACTION_TO_BOUNDARY, 1.0 - mu_avg),
                                _FRACTION_TO_BOUNDARY)
        step = np.fmin(np.minimum(boundary * _max_step(kg, d_kg), 1.0),
                       it["radius"] / largest)
        it["lam"] = lam = lam + step[:, None, None] * d_lam
        it["mu"] = mu = mu + step[:, None, None] * d_mu
        it["kg"] = kg = kg + step[:, None, None, None] * d_kg
        it["e"] = e = _scaling(lam, mu, masks)
        # M is exponential in the multipliers, so a long step leaves M + g != 1. Where the pair is
        # inactive (g > K) and the slack the new M leaves is at least half of g, take that slack:
        # it removes the nonlinear residual at no cost to complementarity (K is the small factor).
        it["slack"] = slack = 1.0 - sum_y(e)
        kk, g = kg[:, 0], kg[:, 1]
        np.copyto(g, slack, where=(g > kk) & (slack > 0.5 * g))
        # NaN and inf reach the sums
        finite = np.isfinite(np.add.reduce(slack, axis=(1, 2)) + np.add.reduce(kk, axis=(1, 2)))
        if not all_true(finite):
            rows = np.flatnonzero(~finite)
            results.add(it["index"][rows], _failure(it["p_yt"][rows], it["p_ys"][rows], tol_nats),
                        nit, "interior point diverged")
            it = _keep(it, finite)
            if not it["index"].size:
                break
    if it["index"].size:
        kg = it["kg"]
        q = kg[:, 0, None] * it["e"]
        cert = certify(q, it["lam"], it["mu"], it["p_yt"], it["p_ys"], tol_nats=tol_nats,
                       inactive=kg[:, 1] > kg[:, 0])
        for done, words in ((cert.certified, "interior point converged"),
                            (~cert.certified, "iteration limit reached")):
            if any_true(done):
                results.add(it["index"][done], _rows(cert, done), nit, words)
    return results.stacked()


def _gap_estimate(it: dict) -> np.ndarray:
    """Per joint, about the gap the certificate will find: f(q) - D is sum Q (-log M) over the
    pairs (Q = K M, up to terms in the marginal residuals that the projection cancels), plus what
    the balanced multipliers (:func:`pidkit.broja.program.balanced_bound`) lose to pairs with M > 1:
    at most each row's largest excess weighted by its mass, or each column's."""
    kk, m = it["kg"][:, 0], 1.0 - it["slack"]
    spent = -sum_s(sum_s(kk * xlogy(m, m)))
    excess = np.maximum(m - 1.0, 0.0)
    loss = np.minimum(sum_s(it["p_t"] * excess.max(axis=2)), sum_s(it["p_s"] * excess.max(axis=1)))
    return spent + loss


def _check_progress(it: dict, measure, r_t, r_s, r_g) -> None:
    """Every :data:`_PATIENCE` iterations: where a joint's duality measure plus largest residual
    has not halved since the last check, halve its trust region, and where its marginal residuals
    are then more than 100 times its duality measure, centre it at least at :data:`_LIFT` times
    that residual until the next check.

    Full Newton steps on the exponential M can cycle (joints whose masses spread over hundreds of
    orders of magnitude: the same residuals every other iteration until the limit); a shorter step
    breaks the cycle. And a joint can reach the centring floor with rows it cannot fill (their
    cells all on pairs with M = 1 and K near 0: the marginal residual stays put at every step);
    centring it higher gives those pairs slack again."""
    marginal = np.maximum(np.abs(r_t).max(axis=(1, 2)), np.abs(r_s).max(axis=(1, 2)))
    merit = measure + np.maximum(marginal, np.abs(r_g).max(axis=(1, 2)))
    stalled = merit > 0.5 * it["merit"]
    if any_true(stalled):
        it["radius"] = np.where(stalled, 0.5 * it["radius"], it["radius"])
    it["lift"] = np.where(stalled & (marginal > 100.0 * measure), _LIFT * marginal / it["n_pairs"], 0.0)
    it["merit"] = merit


def _second_order(r_t, r_s, r_g, e, kk, d_lam, d_mu, d_kk):
    """The corrector's residuals with the second-order terms of q = K exp(lambda + mu) and of M
    along the predictor (as Mehrotra's target takes d_K d_g): without them each long step leaves
    a marginal residual of the order of the step's square. Only for joints whose predictor moves
    every exponent by little (where the expansion holds)."""
    cell = d_lam[..., None] + d_mu[:, :, None, :]
    small = np.maximum.reduce(np.abs(cell), axis=(1, 2, 3)) < _SECOND_ORDER_STEP
    n_small = np.count_nonzero(small)
    if not n_small:
        return r_t, r_s, r_g
    curved = e * cell  # e c, then e c^2
    second = kk[:, None] * cell
    second *= 0.5
    second += d_kk[:, None]
    second *= curved  # e c (d_K + K c / 2)
    curved *= cell
    if n_small == small.size:
        return r_t - sum_s(second), r_s - sum_t(second), r_g - 0.5 * sum_y(curved)
    pick = small[:, None, None]
    return (np.where(pick, r_t - sum_s(second), r_t), np.where(pick, r_s - sum_t(second), r_s),
            np.where(pick, r_g - 0.5 * sum_y(curved), r_g))


def _certificate(it, rows, q, row, col, r_t, r_s, tol_nats, polish) -> Certificate:
    """The certificate of the joints ``rows`` of the stack: their iterate projected by one Newton
    step of the matrix scaling (its residuals drop to rounding, so the projection in
    :func:`certify` has nothing left to do) where ``polish``; where that does not certify, or
    without ``polish``, ``certify`` projects the iterate itself (Sinkhorn)."""
    everyone = rows.size == it["index"].size
    lam, mu, kg, p_yt, p_ys = (it[name] if everyone else it[name][rows]
                               for name in ("lam", "mu", "kg", "p_yt", "p_ys"))
    q, row, col, r_t, r_s = (a if everyone else a[rows] for a in (q, row, col, r_t, r_s))
    inactive = kg[:, 1] > kg[:, 0]
    if not polish:
        return certify(q, lam, mu, p_yt, p_ys, tol_nats=tol_nats, inactive=inactive)
    masks = it["masks"] if everyone else it["masks"].subset(rows)
    d_lam, d_mu = HessianFactor(q, row, col, masks).solve(r_t, r_s)
    polished = kg[:, 0, None] * _scaling(lam + d_lam, mu + d_mu, masks)
    cert = certify(polished, lam, mu, p_yt, p_ys, tol_nats=tol_nats)
    again = ~cert.certified
    if not any_true(again):
        return cert
    retry = certify(q[again], lam[again], mu[again], p_yt[again], p_ys[again],
                    tol_nats=tol_nats, inactive=inactive[again])
    merged = {}
    for f in fields(Certificate):
        value = getattr(cert, f.name).copy()
        value[again] = getattr(retry, f.name)
        merged[f.name] = value
    return replace(cert, **merged)


def _centrality_correctors(newton, residuals, target, kg, direction, centred, rounds):
    """Gondzio's centrality correctors: ask the step for pairs whose complementarity products
    would leave [0.1, 10] x their centred value at a longer step to move back into that box,
    keeping a corrected direction only where it lengthens the step. Each round is one more
    solve with the factorised system (cheap where factorising dominates)."""
    d_lam, d_mu, d_kg = direction
    kk, g = kg[:, 0], kg[:, 1]
    alpha = _max_step(kg, d_kg, 1.0)
    for _ in range(rounds):
        trying = alpha < 0.9
        if not any_true(trying):
            break
        trial = kg + np.minimum(alpha + 0.2, 1.0)[:, None, None, None] * d_kg
        products = trial[:, 0] * trial[:, 1]
        low, high = 0.1 * centred, 10.0 * centred
        push = np.where(products < low, low - products,
                        np.where(products > high, np.maximum(high - products, -high), 0.0))
        push = np.where(trying[:, None, None], push, 0.0)
        target = target + push
        c_lam, c_mu, c_kg = newton.direction(*residuals, target, kk, g)
        c_alpha = _max_step(kg, c_kg, 1.0)
        better = trying & (c_alpha >= alpha + 0.02)
        if not any_true(better):
            break
        pick = better[:, None, None]
        d_lam, d_mu = np.where(pick, c_lam, d_lam), np.where(pick, c_mu, d_mu)
        d_kg = np.where(pick[..., None], c_kg, d_kg)
        alpha = np.where(better, c_alpha, alpha)
        target = np.where(pick, target, target - push)
    return d_lam, d_mu, d_kg


def _keep(it: dict, keep: np.ndarray) -> dict:
    """The iterate restricted to the joints ``keep`` marks."""
    return {name: v.subset(keep) if isinstance(v, Masks) else v[keep] for name, v in it.items()}


def _rows(cert: Certificate, keep: np.ndarray) -> Certificate:
    if all_true(keep):
        return cert
    return Certificate(**{f.name: getattr(cert, f.name)[keep] for f in fields(Certificate)})


def _failure(p_yt, p_ys, tol_nats) -> Certificate:
    """The certificate of the conditionally independent coupling, for joints whose iterates
    diverged: a feasible point with an honest (large) gap."""
    p_y = p_yt.sum(axis=2)
    q0 = np.nan_to_num(p_yt[..., None] * p_ys[:, :, None, :] / p_y[:, :, None, None])
    zeros_t, zeros_s = np.zeros_like(p_yt), np.zeros_like(p_ys)
    return certify(q0, zeros_t, zeros_s, p_yt, p_ys, tol_nats=tol_nats)
