"""The mixture LP behind I_GH and I_prec: proposed in floating point, solved in exact arithmetic.

Given the vertices ``v`` of a polytope K (:func:`pidkit._polytope.vertices`), a cost ``c_v`` per
vertex and a point ``p`` of K, the LP is

    minimise  sum_v mu_v c_v   subject to   sum_v mu_v v = p,   mu >= 0.

Every vertex and ``p`` lie in K's affine hull, so the equalities reduce exactly to ``k + 1``
rows: ``sum_v mu_v = 1`` and ``sum_v mu_v z_v = z_p`` on K's ``k`` free coordinates. HiGHS solves
that LP in floating point, scaled (rows by the target, columns by the largest weight each vertex
can carry), and only *proposes* its support. The answer comes from an exact rational simplex over a
growing subset of the columns (column generation): the proposed columns first, then any column whose
reduced cost is negative. Reduced costs are screened in floating point with a rigorous round-off
bound and confirmed exactly, so the final basis is exactly feasible and exactly optimal for the
given costs: the mixture reproduces ``p`` exactly and the certified gap is 0. Masses spread over
hundreds of orders of magnitude or nearly deterministic joints, where HiGHS alone declares the LP
infeasible, are solved the same way; HiGHS's proposal only saves pivots.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from . import _status
from ._polytope import Polytope

MAX_EXACT_PIVOTS = 20_000
"""Pivots the exact simplex may take (over all rounds) before the LP is reported as failed."""

_HIGHS_OPTIONS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}


class MixtureSolution(NamedTuple):
    """The optimal mixture of vertices: the minimum, the weights and the certificate.

    ``value`` is the cost of ``weights``, an exactly feasible mixture (its weights rounded to
    float), and ``gap`` the distance from ``value`` down to a certified lower bound on the minimum.
    A failed solve has ``status`` :data:`pidkit._status.FAILED`, ``value`` NaN and ``gap`` infinity.
    """

    value: float
    weights: np.ndarray
    status: str
    message: str
    gap: float


def min_mixture(costs: np.ndarray, polytope: Polytope, target: Sequence[Fraction]) -> MixtureSolution:
    """Minimise ``costs @ mu`` over mixtures ``mu >= 0`` of the polytope's vertices equal to ``target``.

    Parameters
    ----------
    costs : numpy.ndarray of shape (n_vertices,)
        The finite cost of each vertex.
    polytope : Polytope
        The vertices, with their exact free coordinates.
    target : sequence of Fraction
        The point of the polytope to express, exactly, in full coordinates.

    Returns
    -------
    MixtureSolution
        ``status`` exact (gap 0: the minimum for ``costs`` in rational arithmetic), or failed past
        :data:`MAX_EXACT_PIVOTS`.
    """
    columns = [[Fraction(1), *vertex] for vertex in polytope.free_exact]
    b_exact = [Fraction(1)] + [Fraction(target[f]) for f in polytope.free]
    a_float = np.vstack([np.ones(len(polytope.points)), polytope.points[:, polytope.free].T])
    proposal, proposed_by = _highs_proposal(costs, a_float, b_exact, polytope, target)
    master = _Master(b_exact, columns, a_float)
    for v in proposal:
        master.add(v)
    solved = master.solve(costs)
    if solved is None:
        return MixtureSolution(
            math.nan,
            np.zeros(costs.size),
            _status.FAILED,
            f"the exact simplex ran past {MAX_EXACT_PIVOTS} pivots ({proposed_by})",
            math.inf,
        )
    weights = np.zeros(costs.size)
    for v, weight in solved.items():
        weights[v] = float(weight)
    value = float(sum((w * Fraction(float(costs[v])) for v, w in solved.items()), Fraction(0)))
    message = (
        f"exact rational simplex, {master.pivots} pivots over {len(master.cols)} of "
        f"{costs.size} columns; {proposed_by}"
    )
    return MixtureSolution(value, weights, _status.EXACT, message, 0.0)


def _highs_proposal(
    costs: np.ndarray, a: np.ndarray, b_exact: list[Fraction], polytope: Polytope, target: Sequence[Fraction]
) -> tuple[list[int], str]:
    """HiGHS's support of the scaled float LP, largest weights first (empty if HiGHS fails)."""
    from scipy.optimize import linprog  # here, not on import pidkit (0.2 s, in every worker too)

    b = np.array([float(v) for v in b_exact])
    _, exponent = np.frexp(np.where(b > 0, b, 1.0))  # rows scaled by a power of two of their target
    reach = _reach(polytope.points, np.array([float(v) for v in target]))
    res = linprog(
        costs * reach,
        A_eq=np.ldexp(a, -exponent[:, None]) * reach,
        b_eq=np.ldexp(b, -exponent),
        bounds=(0, None),
        method="highs-ds",
        options=_HIGHS_OPTIONS,
    )
    if res.status != 0 or res.x is None:
        return [], f"HiGHS proposed nothing ({res.message.strip()})"
    support = [int(v) for v in np.argsort(-res.x, kind="stable") if res.x[v] > 0]
    return support, f"HiGHS proposed {len(support)}"


def _reach(points: np.ndarray, target: np.ndarray) -> np.ndarray:
    """The largest weight each vertex can carry in a mixture equal to ``target`` (at most 1).

    Coordinates are non-negative, so ``mu_v * v <= target`` in every coordinate. Scaling each
    column by this bound balances the float LP however widely the masses are spread.
    """
    with np.errstate(divide="ignore"):
        ratios = np.where(points > 0, target / np.where(points > 0, points, 1.0), np.inf)
    reach = ratios.min(axis=1)
    return np.where(np.isfinite(reach) & (reach > 0), np.minimum(reach, 1.0), 1.0)


class _Master:
    """An exact revised simplex over a growing subset of the columns (the restricted master).

    It holds ``B^-1`` (``binv``) and ``B^-1 b`` (``rhs``) in rationals; basic variables are column
    indices ``v >= 0`` or artificials ``-1 - i``. Entering columns are chosen by their reduced cost
    in floating point (Dantzig's rule) and confirmed exactly; after as many degenerate pivots in a row
    as there are rows, Bland's rule takes over until the objective moves, so the method cannot cycle.
    """

    def __init__(self, b_exact: list[Fraction], columns: list[list[Fraction]], a_float: np.ndarray) -> None:
        n_rows = len(b_exact)
        self.columns = columns
        self.a_float = a_float
        self.cols: list[int] = []
        self.in_master: set[int] = set()
        self.binv = [[Fraction(int(i == k)) for k in range(n_rows)] for i in range(n_rows)]
        self.rhs = list(b_exact)
        self.basis = [-1 - i for i in range(n_rows)]
        self.pivots = 0

    def add(self, v: int) -> None:
        """Bring column ``v`` into the master."""
        if v not in self.in_master:
            self.cols.append(v)
            self.in_master.add(v)

    def duals(self, cost_of: Callable[[int], Fraction]) -> list[Fraction]:
        """The simplex multipliers ``y = c_B B^-1``."""
        basic = [(cost_of(b), inv) for b, inv in zip(self.basis, self.binv, strict=True)]
        return [
            sum((c * inv[k] for c, inv in basic if c and inv[k]), Fraction(0)) for k in range(len(self.rhs))
        ]

    def solve(self, costs: np.ndarray) -> dict[int, Fraction] | None:
        """Phase 1 then phase 2 with column generation; the optimal weights, or None past the cap."""
        exact_costs: dict[int, Fraction] = {}

        def phase_two(v: int) -> Fraction:
            if v < 0:
                return Fraction(0)
            if v not in exact_costs:
                exact_costs[v] = Fraction(float(costs[v]))
            return exact_costs[v]

        def phase_one(v: int) -> Fraction:
            return Fraction(int(v < 0))

        for cost_of, float_costs in ((phase_one, np.zeros(costs.size)), (phase_two, costs)):
            while True:
                if not self._optimise(cost_of, float_costs, phase_two_rules=cost_of is phase_two):
                    return None
                if cost_of is phase_one and all(
                    r == 0 for b, r in zip(self.basis, self.rhs, strict=True) if b < 0
                ):
                    break
                y = self.duals(cost_of)
                outside = np.array([v for v in range(costs.size) if v not in self.in_master], dtype=int)
                improving = (
                    v for v in self._unsure(y, float_costs, outside)
                    if _reduced_cost(cost_of(v), y, self.columns[v]) < 0
                )
                entering = list(itertools.islice(improving, len(y)))
                if not entering:
                    if cost_of is phase_one:
                        raise ValueError("internal error: the mixture LP is infeasible in exact arithmetic.")
                    return {b: r for b, r in zip(self.basis, self.rhs, strict=True) if b >= 0 and r}
                for v in entering:
                    self.add(v)
        raise AssertionError("unreachable")

    def _unsure(self, y: list[Fraction], float_costs: np.ndarray, pool: np.ndarray) -> list[int]:
        """The columns of ``pool`` whose reduced cost may be negative, most negative first.

        A column is left out only when its reduced cost in floating point exceeds a rigorous bound
        on the round-off; NaN and infinity (multipliers beyond float range) keep it in.
        """
        if pool.size == 0:
            return []
        y_float = np.array([_to_float(v) for v in y])
        a = self.a_float[:, pool]
        eps = np.finfo(float).eps
        with np.errstate(over="ignore", invalid="ignore"):
            reduced = float_costs[pool] - y_float @ a
            slack = 4 * (len(y) + 2) * eps * (np.abs(y_float) @ np.abs(a) + np.abs(float_costs[pool]))
        unsure = ~(np.isfinite(slack) & (reduced > slack))
        order = np.argsort(np.where(unsure, reduced, np.inf), kind="stable")
        return [int(pool[j]) for j in order if unsure[j]]

    def _optimise(
        self, cost_of: Callable[[int], Fraction], float_costs: np.ndarray, *, phase_two_rules: bool
    ) -> bool:
        """Optimise over the master's columns; False once the pivot cap is reached."""
        degenerate_run = 0
        while self.pivots < MAX_EXACT_PIVOTS:
            y = self.duals(cost_of)
            basic = set(self.basis)
            pool = np.array([v for v in self.cols if v not in basic], dtype=int)
            order = self._unsure(y, float_costs, pool)
            if degenerate_run >= len(self.rhs):
                order.sort()  # Bland's rule
            entering = next(
                (v for v in order if _reduced_cost(cost_of(v), y, self.columns[v]) < 0), None
            )
            if entering is None:
                return True
            a_e = [(k, x) for k, x in enumerate(self.columns[entering]) if x]
            direction = [sum((inv[k] * x for k, x in a_e if inv[k]), Fraction(0)) for inv in self.binv]
            row = self._leaving(direction, phase_two_rules)
            degenerate_run = degenerate_run + 1 if self.rhs[row] == 0 else 0
            self._pivot(row, direction, entering)
        return False

    def _leaving(self, direction: list[Fraction], phase_two_rules: bool) -> int:
        """The ratio test (ties by Bland's rule); in phase 2 a zero-level artificial leaves first."""
        best: tuple[Fraction, int, int] | None = None
        for i, (entry, rhs, b) in enumerate(zip(direction, self.rhs, self.basis, strict=True)):
            if phase_two_rules and b < 0 and entry != 0:
                return i  # an artificial at level 0 must not move off it
            if entry > 0:
                key = (rhs / entry, b, i)
                if best is None or key[:2] < best[:2]:
                    best = key
        if best is None:
            raise ValueError("internal error: the mixture LP is unbounded.")
        return best[2]

    def _pivot(self, i: int, direction: list[Fraction], entering: int) -> None:
        lead = direction[i]
        self.binv[i] = [x / lead for x in self.binv[i]]
        self.rhs[i] /= lead
        for r, factor in enumerate(direction):
            if r != i and factor:
                self.binv[r] = _minus_multiple(self.binv[r], factor, self.binv[i])
                self.rhs[r] -= factor * self.rhs[i]
        self.basis[i] = entering
        self.pivots += 1


def _to_float(value: Fraction) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.copysign(math.inf, value)


def _reduced_cost(cost: Fraction, y: list[Fraction], column: list[Fraction]) -> Fraction:
    return cost - sum((yk * x for yk, x in zip(y, column, strict=True) if yk and x), Fraction(0))


def _minus_multiple(row: list[Fraction], factor: Fraction, pivot_row: list[Fraction]) -> list[Fraction]:
    return [x - factor * y if y else x for x, y in zip(row, pivot_row, strict=True)]
