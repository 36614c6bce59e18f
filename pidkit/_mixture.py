"""The mixture LP behind I_GH and I_prec: solved in floating point, certified in exact arithmetic.

Given the vertices ``v`` of a polytope K (:func:`pidkit._polytope.vertices`), a cost ``c_v`` per
vertex and a point ``p`` of K, the LP is

    minimise  sum_v mu_v c_v   subject to   sum_v mu_v v = p,   mu >= 0.

Every vertex and ``p`` lie in K's affine hull, so the equalities reduce exactly to ``k + 1``
rows: ``sum_v mu_v = 1`` and ``sum_v mu_v z_v = z_p`` on K's ``k`` free coordinates (no redundant
rows for round-off to make inconsistent). HiGHS solves that LP with every row scaled by a power of
two. Its answer is then certified rather than trusted:

* the primal: HiGHS's basis is re-solved in exact rational arithmetic, so the mixture is exactly
  feasible and its cost a true upper bound on the minimum;
* the dual: any multipliers ``lam`` give the lower bound ``lam @ b - max_v (lam @ a_v - c_v)``
  (valid because every feasible ``mu`` sums to 1), evaluated with an allowance for round-off.

Where HiGHS fails or its basis is not exactly feasible (masses spread over hundreds of orders of
magnitude, nearly deterministic joints), an exact rational simplex warm-started from the best basis
found finishes the job; its optimum is exact for the given costs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import NamedTuple

import numpy as np
from scipy.optimize import linprog

from . import _status
from ._polytope import Polytope, row_reduce

MAX_EXACT_PIVOTS = 5000
"""Pivots the exact simplex may take before the LP is reported as failed."""

_HIGHS_ATTEMPTS = (
    ("highs-ds", {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}),
    ("highs-ipm", {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}),
)


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


def min_mixture(
    costs: np.ndarray, polytope: Polytope, target: Sequence[Fraction], *, tol: float
) -> MixtureSolution:
    """Minimise ``costs @ mu`` over mixtures ``mu >= 0`` of the polytope's vertices equal to ``target``.

    Parameters
    ----------
    costs : numpy.ndarray of shape (n_vertices,)
        The finite cost of each vertex.
    polytope : Polytope
        The vertices, with their exact free coordinates.
    target : sequence of Fraction
        The point of the polytope to express, exactly, in full coordinates.
    tol : float
        A certified gap at or below this ends the search; above it the exact simplex is tried.

    Returns
    -------
    MixtureSolution
    """
    a_exact = [[Fraction(1)] * len(polytope.free_exact)]
    a_exact += [[vertex[j] for vertex in polytope.free_exact] for j in range(len(polytope.free))]
    b_exact = [Fraction(1)] + [Fraction(target[f]) for f in polytope.free]
    a, b = _equilibrated(
        np.vstack([np.ones(len(polytope.points)), polytope.points[:, polytope.free].T]),
        np.array([float(v) for v in b_exact]),
    )
    notes: list[str] = []
    best: tuple[MixtureSolution, list[int]] | None = None
    for method, options in _HIGHS_ATTEMPTS:
        res = linprog(costs, A_eq=a, b_eq=b, bounds=(0, None), method=method, options=options)
        if res.status != 0 or res.x is None:
            notes.append(f"{method}: {res.message.strip()}")
            continue
        order = [int(v) for v in np.argsort(-res.x, kind="stable") if res.x[v] > 0]
        basic = _exact_basic_solution(a_exact, b_exact, order)
        if basic is None:
            notes.append(f"{method}: its basis is not feasible in exact arithmetic")
            continue
        basis, mu = basic
        duals = [np.asarray(res.eqlin.marginals, dtype=float), _basis_duals(a, costs, basis)]
        lower = max(_dual_bound(lam, a, b, costs) for lam in duals)
        solution = _solution(mu, costs, lower, f"HiGHS {method}, basis re-solved exactly")
        if best is None or solution.gap < best[0].gap:
            best = (solution, basis)
        if solution.gap <= tol:
            return solution
    exact = _exact_simplex(costs, a_exact, b_exact, best[1] if best else None)
    if exact is not None:
        mu, lower_exact = exact
        return _solution(mu, costs, float(lower_exact), "exact rational simplex")
    past_cap = f"exact simplex ran past {MAX_EXACT_PIVOTS} pivots"
    if best is not None:
        return best[0]._replace(message=f"{best[0].message}; {past_cap}")
    notes.append(past_cap)
    return MixtureSolution(math.nan, np.zeros(costs.size), _status.FAILED, "; ".join(notes), math.inf)


def _equilibrated(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows scaled by powers of two (exactly) so each row's largest entry lies in [0.5, 1)."""
    peak = np.maximum(np.max(np.abs(a), axis=1), np.abs(b))
    _, exponent = np.frexp(np.where(peak > 0, peak, 1.0))
    return np.ldexp(a, -exponent[:, None]), np.ldexp(b, -exponent)


def _exact_basic_solution(
    a_exact: list[list[Fraction]], b_exact: list[Fraction], order: list[int]
) -> tuple[list[int], dict[int, Fraction]] | None:
    """The basic solution on the first independent columns of ``order``, if exactly feasible."""
    augmented = [[row[v] for v in order] + [rhs] for row, rhs in zip(a_exact, b_exact, strict=True)]
    reduced, pivots, consistent = row_reduce(augmented, len(order))
    if not consistent:
        return None
    mu = {order[col]: row[-1] for row, col in zip(reduced, pivots, strict=True)}
    if any(value < 0 for value in mu.values()):
        return None
    return [order[col] for col in pivots], mu


def _basis_duals(a: np.ndarray, costs: np.ndarray, basis: list[int]) -> np.ndarray:
    """Simplex multipliers of ``basis``: the least-squares solution of ``a[:, basis].T @ lam = c``."""
    return np.linalg.lstsq(a[:, basis].T, costs[basis], rcond=None)[0]


def _dual_bound(lam: np.ndarray, a: np.ndarray, b: np.ndarray, costs: np.ndarray) -> float:
    """A lower bound on the minimum from any multipliers, less an allowance for float round-off."""
    if lam.shape != b.shape or not np.isfinite(lam).all():
        return -math.inf
    reduced = lam @ a - costs
    bound = float(lam @ b - reduced.max())
    scale = float(np.abs(lam) @ np.abs(b) + (np.abs(lam) @ np.abs(a)).max() + np.abs(costs).max())
    return bound - 4 * (b.size + 2) * np.finfo(float).eps * scale


def _solution(mu: dict[int, Fraction], costs: np.ndarray, lower: float, how: str) -> MixtureSolution:
    weights = np.zeros(costs.size)
    for v, weight in mu.items():
        weights[v] = float(weight)
    value = float(sum((weight * Fraction(float(costs[v])) for v, weight in mu.items()), Fraction(0)))
    return MixtureSolution(value, weights, _status.OPTIMAL, how, max(value - lower, 0.0))


def _exact_simplex(
    costs: np.ndarray, a_exact: list[list[Fraction]], b_exact: list[Fraction], warm: list[int] | None
) -> tuple[dict[int, Fraction], Fraction] | None:
    """The exact optimum (basic solution and value) for the float costs taken as exact rationals.

    A tableau over Fractions with one artificial column per row (its block holds the basis
    inverse); Bland's rule, so degenerate pivots cannot cycle. The warm basis, if it is exactly
    feasible, replaces phase 1. Returns None past :data:`MAX_EXACT_PIVOTS` pivots.
    """
    n_rows, n_cols = len(a_exact), len(a_exact[0])
    if any(v < 0 for v in b_exact):
        raise ValueError("internal error: the mixture LP's right-hand side must be non-negative.")
    tableau = [
        row[:] + [Fraction(int(i == j)) for j in range(n_rows)] + [rhs]
        for i, (row, rhs) in enumerate(zip(a_exact, b_exact, strict=True))
    ]
    basis = [n_cols + i for i in range(n_rows)]
    pivots = [0]
    if not (warm and _install_basis(tableau, basis, warm, n_cols)):
        tableau = [
            row[:] + [Fraction(int(i == j)) for j in range(n_rows)] + [rhs]
            for i, (row, rhs) in enumerate(zip(a_exact, b_exact, strict=True))
        ]
        basis = [n_cols + i for i in range(n_rows)]
        phase_one = [Fraction(0)] * n_cols + [Fraction(1)] * n_rows
        if not _optimise(tableau, basis, phase_one, n_cols, pivots):
            return None
        if any(b >= n_cols and tableau[i][-1] != 0 for i, b in enumerate(basis)):
            raise ValueError("internal error: the mixture LP is infeasible in exact arithmetic.")
    _drive_out_artificials(tableau, basis, n_cols)
    cost = [Fraction(float(c)) for c in costs] + [Fraction(0)] * n_rows
    if not _optimise(tableau, basis, cost, n_cols, pivots):
        return None
    mu = {b: tableau[i][-1] for i, b in enumerate(basis) if b < n_cols and tableau[i][-1] != 0}
    value = sum((cost[b] * tableau[i][-1] for i, b in enumerate(basis)), Fraction(0))
    return mu, value


def _pivot(tableau: list[list[Fraction]], row: int, col: int) -> None:
    lead = tableau[row][col]
    tableau[row] = [v / lead for v in tableau[row]]
    pivot_row = tableau[row]
    for i, other in enumerate(tableau):
        factor = other[col]
        if i != row and factor != 0:
            tableau[i] = [x - factor * y if y else x for x, y in zip(other, pivot_row, strict=True)]


def _install_basis(tableau: list[list[Fraction]], basis: list[int], warm: list[int], n_cols: int) -> bool:
    """Pivot the warm columns in; True if the resulting basic solution is exactly feasible."""
    for col in warm:
        row = next(
            (i for i, b in enumerate(basis) if b >= n_cols and tableau[i][col] != 0), None
        )
        if row is None:
            return False
        _pivot(tableau, row, col)
        basis[row] = col
    return all(row[-1] >= 0 for row in tableau) and all(
        tableau[i][-1] == 0 for i, b in enumerate(basis) if b >= n_cols
    )


def _drive_out_artificials(tableau: list[list[Fraction]], basis: list[int], n_cols: int) -> None:
    """Replace artificials basic at level 0 by real columns (degenerate pivots) where possible."""
    for i, b in enumerate(basis):
        if b >= n_cols:
            col = next((j for j in range(n_cols) if tableau[i][j] != 0), None)
            if col is not None:  # otherwise the row is redundant and stays inert
                _pivot(tableau, i, col)
                basis[i] = col


def _optimise(
    tableau: list[list[Fraction]], basis: list[int], cost: list[Fraction], n_enter: int, pivots: list[int]
) -> bool:
    """Primal simplex by Bland's rule over the first ``n_enter`` columns; False past the pivot cap."""
    while pivots[0] < MAX_EXACT_PIVOTS:
        in_basis = set(basis)
        basic_cost = [cost[b] for b in basis]
        entering = None
        for j in range(n_enter):
            if j in in_basis:
                continue
            reduced = cost[j] - sum(
                (c * row[j] for c, row in zip(basic_cost, tableau, strict=True) if c and row[j]),
                Fraction(0),
            )
            if reduced < 0:
                entering = j
                break
        if entering is None:
            return True
        leave, best = None, None
        for i, row in enumerate(tableau):
            if row[entering] > 0:
                ratio = row[-1] / row[entering]
                if best is None or ratio < best or (ratio == best and basis[i] < basis[leave]):
                    leave, best = i, ratio
        if leave is None:
            raise ValueError("internal error: the mixture LP is unbounded.")
        _pivot(tableau, leave, entering)
        basis[leave] = entering
        pivots[0] += 1
    return False
