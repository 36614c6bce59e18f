"""Exact reductions of the BROJA program, made before any solver runs, and the way back.

1. **Negligible masses.** Cells lighter than ``tol * 1e-4 / (150 n)`` (n the number of cells)
   are set aside: p = p' + r. The reduced program is solved for p', and the answer lifted to p
   exactly: q' + r is feasible for p whenever q' is for p', with f(q' + r) <= f(q') (f is
   convex, positively homogeneous and <= 0); the multipliers of rows that only r reaches are
   set so that each of their cells adds at most 1e-30 to M. The certificate is then recomputed
   for p itself, so the reduction can only cost gap, never correctness; its size keeps that
   cost near 1e-4 of ``tol``. Masses down to 1e-300 (or subnormal) thus never reach a solver.
2. **Independent parts.** Cells sharing a (y,t) row, a (y,s) row or a (t,s) pair are coupled;
   the connected components of that graph are independent programs (the optimum is the sum of
   theirs). Each part is solved on its own sub-grid (only the symbols it uses), normalised to
   mass 1: f and the dual bound scale with the mass. A joint whose rows all carry mass, or
   whose targets pairwise share a t row and an s row, is one part, found without building the
   graph.
3. **Closed forms.** A part with one symbol on some axis has q = p as its answer
   (:func:`pidkit.broja.program.closed_form`).

So the cost of a solve follows the support: BROJA_2PID's COPY joint of a 10,000-symbol target
over 400 x 25 sources is 10,000 one-cell parts, solved in closed form.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .program import (
    MARGINAL_TOLERANCE,
    Solution,
    dual_bound,
    entropy_terms,
    marginals,
    rounding_allowance,
)

__all__ = ["Assembled", "Part", "Reduction", "support_cells"]

_NEGLIGIBLE_SHARE = 1e-4
"""Share of the tolerance the negligible-mass reduction may cost."""
_MULTIPLIER_ALLOWANCE = 150.0
"""Gap per unit of set-aside mass the lifting is budgeted (|lambda| + |mu| of the new rows)."""
_NEW_ROW_WEIGHT = 1e-30
"""exp(lambda + mu) of each cell on a row that only the set-aside mass reaches."""
_DIRECT_TARGETS = 256
"""Up to this many targets, :func:`_one_part` tests for a single part directly (a joint with an
empty row but a connected support then skips the graph: 10x10x10, 245 -> 46 us)."""
_GRID_SCAN_CELLS = 2**16
"""Grids up to this size are scanned whole for negligible masses (cheaper than listing the
support's cells, which larger, sparse grids need: COPY's 10^8 cells hold 10^4)."""


@dataclass(frozen=True)
class Part:
    """One independent piece of the program.

    Attributes
    ----------
    p : numpy.ndarray
        The part's joint on its sub-grid, normalised to mass 1 (no symbol without mass).
    mass : float
        Its mass in the joint.
    y, t, s : numpy.ndarray
        Its symbols, as indices into the joint's axes.
    cells : tuple of numpy.ndarray or None
        Local indices of its cells when the sub-grid holds cells of other parts (which are 0 in
        ``p``); ``None`` when every cell of the sub-grid is its own.
    """

    p: np.ndarray
    mass: float
    y: np.ndarray
    t: np.ndarray
    s: np.ndarray
    cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None

    @property
    def closed(self) -> bool:
        """Whether one axis has a single symbol (q = p is the answer)."""
        return min(self.p.shape) == 1


@dataclass(frozen=True)
class Assembled:
    """The whole joint's answer from its parts' (nats); ``certified`` as in
    :class:`pidkit.broja.program.Solution`."""

    q: np.ndarray
    value: float
    bound: float
    gap: float
    residual: float
    certified: bool


class Reduction:
    """The parts of a validated joint ``p[y, t, s]`` (mass 1) and how to put their answers back.

    Examples
    --------
    >>> p = np.zeros((4, 2, 2))
    >>> for t in (0, 1):
    ...     for s in (0, 1):
    ...         p[2 * t + s, t, s] = 0.25  # COPY: Y = (T, S)
    >>> [part.p.shape for part in Reduction(p, tol_nats=1e-9).parts]
    [(1, 1, 1), (1, 1, 1), (1, 1, 1), (1, 1, 1)]
    """

    def __init__(self, p: np.ndarray, *, tol_nats: float) -> None:
        self.p = p
        self.tol_nats = tol_nats
        cut = tol_nats * _NEGLIGIBLE_SHARE / (_MULTIPLIER_ALLOWANCE * p.size)
        if p.size <= _GRID_SCAN_CELLS and float(p.min()) >= cut > 0:  # no cell negligible or empty
            self.set_aside = None
            self.parts = [_whole_grid(p)]
            return
        p_yt, p_ys = marginals(p)
        cells = None
        if p.size <= _GRID_SCAN_CELLS or ((p_yt > 0).all() and (p_ys > 0).all()):
            small = (p > 0) & (p < cut)  # cells off the support are 0: the grid holds only it
            self.set_aside = np.nonzero(small) if small.any() else None
        else:  # only the support can hold mass: scan it, not the grid
            cells = support_cells(p_yt > 0, p_ys > 0)
            assert cells is not None  # a row has no mass (the test above), so there are cells to list
            values = p[cells]
            small = (values > 0) & (values < cut)
            self.set_aside = tuple(c[small] for c in cells) if small.any() else None
        if self.set_aside is None:
            self.parts = _split(p, p_yt, p_ys, cells)
        else:
            kept = p.copy()
            kept[self.set_aside] = 0.0
            self.parts = _split(kept, *marginals(kept))

    def assemble(self, solutions: list[Solution]) -> Assembled:
        """Scale, place and sum the parts' answers; lift them to the set-aside masses."""
        p = self.p
        if len(self.parts) == 1 and self.set_aside is None and self.parts[0].p.shape == p.shape:
            (part,), (sol,) = self.parts, solutions
            q = sol.q if part.mass == 1.0 else part.mass * sol.q
            return Assembled(q, part.mass * sol.value, part.mass * sol.bound, part.mass * sol.gap,
                             part.mass * sol.residual, sol.gap <= self.tol_nats
                             and sol.residual <= MARGINAL_TOLERANCE)
        where, what = [], []
        value = bound = gap = residual = 0.0
        for part, sol in zip(self.parts, solutions, strict=True):
            cells, values = _on_grid(part, sol.q, p.shape)
            where.append(cells)
            what.append(part.mass * values)
            value += part.mass * sol.value
            bound += part.mass * sol.bound
            gap += part.mass * sol.gap
            residual = max(residual, part.mass * sol.residual)
        q = np.zeros(p.shape)  # calloc: only the pages the parts touch are ever written
        q.reshape(-1)[np.concatenate(where)] = np.concatenate(what)
        if self.set_aside is not None:
            value, bound, gap = self._lift(q, value, solutions)
        certified = bool(gap <= self.tol_nats and residual <= MARGINAL_TOLERANCE)
        return Assembled(q, value, bound, gap, residual, certified)

    def _lift(self, q: np.ndarray, value: float, solutions: list[Solution]) -> tuple[float, float, float]:
        """Add the set-aside cells to ``q`` (in place) and certify the result for p itself."""
        if any(sol.lam is None or sol.mu is None for sol in solutions):
            return value, -np.inf, np.inf  # a part's solve failed: no multipliers, so no bound
        p = self.p
        cells = self.set_aside
        assert cells is not None  # assemble lifts only where cells were set aside
        pair_t, pair_s = np.unique(np.stack([cells[1], cells[2]]), axis=1)
        before = q[:, pair_t, pair_s]
        q[cells] += p[cells]
        after = q[:, pair_t, pair_s]
        value += float(
            entropy_terms(after, after.sum(axis=0)).sum() - entropy_terms(before, before.sum(axis=0)).sum()
        )
        lam, mu = self._multipliers(solutions)
        p_yt, p_ys = marginals(p)
        bound = float(dual_bound(lam, mu, p_yt, p_ys))
        gap = max(value - bound, 0.0) + float(rounding_allowance(value, bound))
        return value, bound, gap

    def _multipliers(self, solutions: list[Solution]) -> tuple[np.ndarray, np.ndarray]:
        """The parts' multipliers on the joint's rows, each part shifted so that its max M is 1
        (then the parts' bounds add up), and the rows only set-aside mass reaches filled in."""
        p = self.p
        n_y, n_t, n_s = p.shape
        lam = np.full((n_y, n_t), -np.inf)
        mu = np.full((n_y, n_s), -np.inf)
        for part, sol in zip(self.parts, solutions, strict=True):
            assert sol.lam is not None and sol.mu is not None  # the lift needs each part's multipliers
            p_yt, p_ys = marginals(part.p)
            mt, ms = p_yt > 0, p_ys > 0
            shift = _log_max_m(sol.lam, sol.mu, mt, ms)
            block = lam[np.ix_(part.y, part.t)]
            block[mt] = sol.lam[mt] - shift
            lam[np.ix_(part.y, part.t)] = block
            block = mu[np.ix_(part.y, part.s)]
            block[ms] = sol.mu[ms]
            mu[np.ix_(part.y, part.s)] = block
        p_yt, p_ys = marginals(p)
        new_s = (p_ys > 0) & ~np.isfinite(mu)
        if new_s.any():
            top = np.where(np.isfinite(lam), lam, -np.inf).max(axis=1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)
            mu = np.where(new_s, np.log(_NEW_ROW_WEIGHT) - top, mu)
        new_t = (p_yt > 0) & ~np.isfinite(lam)
        if new_t.any():
            top = np.where(p_ys > 0, mu, -np.inf).max(axis=1, keepdims=True)
            top = np.where(np.isfinite(top), top, 0.0)
            lam = np.where(new_t, np.log(_NEW_ROW_WEIGHT) - top, lam)
        return np.where(np.isfinite(lam), lam, 0.0), np.where(np.isfinite(mu), mu, 0.0)


def _log_max_m(lam: np.ndarray, mu: np.ndarray, mt: np.ndarray, ms: np.ndarray) -> float:
    """log max_{t,s} M(t,s) for multipliers on the rows ``mt``, ``ms`` mark."""
    log_a = np.where(mt, lam, -np.inf)
    log_b = np.where(ms, mu, -np.inf)
    shift_a, shift_b = log_a.max(axis=0), log_b.max(axis=0)
    shift_a = np.where(np.isfinite(shift_a), shift_a, 0.0)
    shift_b = np.where(np.isfinite(shift_b), shift_b, 0.0)
    m = np.exp(log_a - shift_a).T @ np.exp(log_b - shift_b)
    with np.errstate(divide="ignore"):
        return float((np.log(m) + shift_a[:, None] + shift_b[None, :]).max())


def _on_grid(part: Part, q: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """A part's values ``q`` on its sub-grid as flat indices into the joint's grid and values."""
    _, n_t, n_s = shape
    if part.cells is None:
        cells = (part.y[:, None, None] * n_t + part.t[:, None]) * n_s + part.s
        return cells.reshape(-1), q.reshape(-1)
    iy, it, is_ = part.cells
    return (part.y[iy] * n_t + part.t[it]) * n_s + part.s[is_], q[iy, it, is_]


def support_cells(mt: np.ndarray, ms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The cells (y, t, s) with p(y,t) > 0 and p(y,s) > 0, in C order, from the row masks
    ``mt[y, t]`` and ``ms[y, s]`` (each target's rows crossed, without building the grid), or
    ``None`` when every row has mass (the support is then the whole grid)."""
    if mt.all() and ms.all():
        return None
    ty, tt = np.nonzero(mt)
    sy, ss = np.nonzero(ms)
    per_y = np.bincount(sy, minlength=mt.shape[0])  # (y,s) rows of each target
    reps = per_y[ty]  # each (y,t) row meets its target's (y,s) rows
    cy, ct = np.repeat(ty, reps), np.repeat(tt, reps)
    first_s = np.cumsum(per_y) - per_y
    within = np.arange(cy.size) - np.repeat(np.cumsum(reps) - reps, reps)
    return cy, ct, ss[first_s[cy] + within]


def _split(p: np.ndarray, p_yt: np.ndarray, p_ys: np.ndarray,
           cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None) -> list[Part]:
    """The independent parts of the program for ``p`` (any total mass) and its marginals;
    ``cells`` is :func:`support_cells` where the caller has it (computed here only if the
    support graph is needed)."""
    mt, ms = p_yt > 0, p_ys > 0
    y = np.flatnonzero(mt.any(axis=1))
    t = np.flatnonzero(mt.any(axis=0))
    s = np.flatnonzero(ms.any(axis=0))
    grid = (y.size, t.size, s.size) == p.shape
    if _one_part(mt if grid else mt[np.ix_(y, t)], ms if grid else ms[np.ix_(y, s)]):
        sub = p if grid else p[np.ix_(y, t, s)]
        mass = float(sub.sum())
        return [Part(sub / mass if mass != 1.0 else sub, mass, y, t, s, None)]
    if cells is None:
        cells = support_cells(mt, ms)
        assert cells is not None  # every row with mass is one part, returned above
    cy, ct, cs = cells
    n_y, n_t, n_s = p.shape
    row_t = cy * n_t + ct
    row_s = n_y * n_t + cy * n_s + cs
    pair = n_y * (n_t + n_s) + ct * n_s + cs
    n_nodes = n_y * (n_t + n_s) + n_t * n_s
    edges = sp.coo_matrix(
        (np.ones(2 * cy.size), (np.concatenate([row_t, row_t]), np.concatenate([row_s, pair]))),
        shape=(n_nodes, n_nodes),
    ).tocsr()
    _, labels = connected_components(edges, directed=False)
    part_of, n_parts = _relabel(labels[row_t])
    local = [_local_symbols(part_of, symbol, size, n_parts)
             for symbol, size in ((cy, n_y), (ct, n_t), (cs, n_s))]
    order = np.argsort(part_of, kind="stable")
    bounds = np.searchsorted(part_of[order], np.arange(n_parts + 1))
    values = p[cy, ct, cs]
    parts = []
    for j in range(n_parts):
        members = order[bounds[j] : bounds[j + 1]]
        (uy, iy), (ut, it), (us, is_) = ((symbols[start[j] : start[j + 1]], index[members])
                                         for symbols, start, index in local)
        sub = np.zeros((uy.size, ut.size, us.size))
        sub[iy, it, is_] = values[members]
        mass = float(values[members].sum())
        whole = members.size == sub.size
        parts.append(Part(sub / mass, mass, uy, ut, us, None if whole else (iy, it, is_)))
    return parts


def _whole_grid(p: np.ndarray) -> Part:
    """The one part of a joint whose every cell has mass: what :func:`_split` finds for it,
    without the marginals and row masks that show every row has mass."""
    mass = float(p.sum())
    n_y, n_t, n_s = p.shape
    return Part(p / mass if mass != 1.0 else p, mass, np.arange(n_y), np.arange(n_t), np.arange(n_s), None)


def _one_part(mt: np.ndarray, ms: np.ndarray) -> bool:
    """Whether the support of rows ``mt[y, t]``, ``ms[y, s]`` (every target with mass) is one
    part, by a sufficient test that needs no graph: a target's cells couple all its rows, and
    two targets are coupled when they share a t row and an s row (then they share the pair of
    those). Every pair of targets coupled (or every row with mass) is one part. Only for few
    targets (the test costs |Y|^2); otherwise, or when it fails, the graph decides."""
    if mt.all() and ms.all():
        return True
    if mt.shape[0] > _DIRECT_TARGETS:
        return False
    mt_f, ms_f = mt.astype(float), ms.astype(float)
    return bool(((mt_f @ mt_f.T > 0) & (ms_f @ ms_f.T > 0)).all())


def _relabel(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """``labels`` renumbered 0, 1, ... in increasing order, and how many there are."""
    distinct, inverse = np.unique(labels, return_inverse=True)
    return inverse, distinct.size


def _local_symbols(
    part_of: np.ndarray, symbol: np.ndarray, n_symbols: int, n_parts: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For cells of parts ``part_of`` with symbols ``symbol`` on one axis: every part's distinct
    symbols, increasing, concatenated part after part; where each part's run starts (n_parts + 1
    offsets); and each cell's index among its part's symbols. One sort for all parts."""
    distinct, inverse = np.unique(part_of * n_symbols + symbol, return_inverse=True)
    start = np.searchsorted(distinct // n_symbols, np.arange(n_parts + 1))
    return distinct % n_symbols, start, inverse - start[part_of]
