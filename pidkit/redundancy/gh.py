"""Griffith & Ho's I_GH, exactly: vertices of the polytope K of admissible p(y, x | q), then one LP.

Symbols of a source whose slices of p are proportional are merged first (I_GH does not change),
and split back in the optimal Q joint the answer carries.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .. import _polytope, _status
from .bounds import lp_shortcut
from .value import MeasureValue
from .vertex_lp import entropy_rows, exact_joint, vertex_lp_value


def _merge_proportional(exact: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge the symbols of ``axis`` whose slices of ``exact`` are proportional (exactly).

    Such symbols are copies of one another as far as the rest of the joint is concerned, and
    I_GH and I_prec do not change when they are merged. Returns the merged joint, the merged
    index of every original symbol, and each symbol's share of its merged symbol's mass.
    """
    slices = np.moveaxis(exact, axis, 0).reshape(exact.shape[axis], -1)
    keys: dict[tuple[int, ...], int] = {}
    group = np.empty(exact.shape[axis], dtype=int)
    for x, row in enumerate(slices.tolist()):
        divisor = math.gcd(*row) or 1
        group[x] = keys.setdefault(tuple(v // divisor for v in row), len(keys))
    if len(keys) == exact.shape[axis]:
        return exact, np.arange(exact.shape[axis]), np.ones(exact.shape[axis])
    merged = np.zeros((len(keys), slices.shape[1]), dtype=object)
    for x, g in enumerate(group):
        merged[g] += slices[x]
    mass = np.array([float(sum(row)) for row in slices.tolist()])
    group_mass = np.array([float(sum(row)) for row in merged.tolist()])
    share = np.divide(mass, group_mass[group], out=np.zeros_like(mass), where=group_mass[group] > 0)
    shape = (len(keys), *np.delete(exact.shape, axis))
    return np.moveaxis(merged.reshape(shape), 0, axis), group, share


def gh_polytope(exact: np.ndarray) -> tuple[np.ndarray, list[list[int]], list[int], list[Fraction]]:
    """The cells of supp p, K's equalities ``rows @ r = rhs`` (integer coefficients), and p on them.

    ``exact`` holds integers proportional to p (:func:`~pidkit.redundancy.vertex_lp.exact_joint`).
    """
    cells = np.argwhere(exact > 0)
    masses = [int(m) for m in exact[tuple(cells.T)]]
    total = sum(masses)
    rows: list[list[int]] = [[1] * len(cells)]
    rhs = [1]
    y_of = cells[:, 0].tolist()
    for axis in range(1, exact.ndim):
        x_of = cells[:, axis].tolist()
        p_x: dict[int, int] = {}
        p_xy: dict[tuple[int, int], int] = {}
        for x, y, m in zip(x_of, y_of, masses, strict=True):
            p_x[x] = p_x.get(x, 0) + m
            p_xy[x, y] = p_xy.get((x, y), 0) + m
        # r(x, y) p(x) = r(x) p(x, y): the conditional of Y given this source is p's.
        for (x, y), m_xy in p_xy.items():
            rows.append(
                [
                    (p_x[x] if yc == y else 0) - m_xy if xc == x else 0
                    for xc, yc in zip(x_of, y_of, strict=True)
                ]
            )
            rhs.append(0)
    return cells, rows, rhs, [Fraction(m, total) for m in masses]


def gh_value(p: np.ndarray) -> MeasureValue:
    """I_GH for p[y, x1, ..., xn] (n >= 2 sources), with the optimal joint p(q, y, x) in diagnostics."""
    _polytope.require_cdd("gh")
    shortcut = lp_shortcut(p, "gh")
    if shortcut is not None:
        return shortcut
    exact, unmerge = exact_joint(p), []
    for axis in range(1, p.ndim):
        exact, group, share = _merge_proportional(exact, axis)
        unmerge.append((axis, group, share))
    cells, rows, rhs, target = gh_polytope(exact)
    polytope = _polytope.vertices(
        rows, rhs, len(cells), measure="gh", eliminate_first=np.argsort(-np.array(target), kind="stable")
    )
    m_y = np.zeros((len(polytope.points), p.shape[0]))
    np.add.at(m_y.T, cells[:, 0], polytope.points.T)
    value = vertex_lp_value(p.sum(axis=tuple(range(1, p.ndim))), entropy_rows(m_y), polytope, target)
    weights = value.diagnostics.pop("weights") if value.diagnostics is not None else None
    if weights is not None and value.status != _status.FAILED:
        used = np.flatnonzero(weights)
        joint = np.zeros((used.size, *exact.shape))
        for k, v in enumerate(used):
            joint[(k, *cells.T)] = weights[v] * polytope.points[v]
        for axis, group, share in unmerge:  # split merged symbols back in proportion to their mass
            joint = np.take(joint, group, axis=axis + 1) * share.reshape(
                [-1 if a == axis + 1 else 1 for a in range(joint.ndim)]
            )
        value.diagnostics["q_joint"] = joint
    return value
