"""Griffith & Ho's I_GH, exactly: vertices of the polytope K of admissible p(y, x | q), then one LP.

Symbols of a source whose slices of p are proportional are merged first (I_GH does not change),
and split back in the optimal Q joint the answer carries. Where the sources' supports split p into
blocks that share no symbol of any source (their common part B, as I_wedge's T∧S), K is the convex
hull of the blocks' polytopes and the LP splits with it: I_GH(p) = I(Y; B) + sum_b p(b) I_GH(p | b),
each block enumerated alone, so the cost is exponential in the largest block, not in the whole.

The enumeration's cost is predicted before it starts from McMullen's bound on the vertices of the
largest block's polytope (:func:`pidkit._polytope.vertex_bound`); past ``max_vertices`` the joint
is refused with the alternatives (:mod:`pidkit.redundancy.vertex_limit`), instead of running for
hours or out of memory, and from its support alone where no symbols merge, before the exact joint.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import _polytope, _status
from ..measures import entropy_nats
from .bounds import lp_shortcut
from .value import MeasureValue
from .vertex_limit import MAX_VERTICES, refuse_if_too_large, rows_may_be_proportional
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


class _Block(NamedTuple):
    """One block's polytope, before its enumeration: the merged exact joint and K's description."""

    p: np.ndarray
    exact: np.ndarray
    unmerge: list[tuple[int, np.ndarray, np.ndarray]]
    cells: np.ndarray
    rows: list[list[int]]
    rhs: list[int]
    target: list[Fraction]


def common_blocks(p: np.ndarray) -> np.ndarray:
    """The block of every cell of p[y, x1, ..., xn]: cells that share a symbol of some source are
    in one block (-1 for cells of zero mass). With two sources the blocks are T∧S's values."""
    cells = np.argwhere(p > 0)
    offsets = np.concatenate([[0], np.cumsum(p.shape[1:])])
    nodes = cells[:, 1:] + offsets[:-1]  # each source symbol a node of its own
    first = np.repeat(nodes[:, 0], nodes.shape[1])
    graph = coo_matrix((np.ones(first.size), (first, nodes.ravel())), shape=(offsets[-1],) * 2)
    label = connected_components(graph, directed=False)[1]
    block = np.full(p.shape, -1)
    block[tuple(cells.T)] = np.unique(label[nodes[:, 0]], return_inverse=True)[1]
    return block


def _block(p: np.ndarray) -> _Block:
    """The merged joint of ``p`` and its polytope K, not yet enumerated."""
    exact, unmerge = exact_joint(p), []
    for axis in range(1, p.ndim):
        exact, group, share = _merge_proportional(exact, axis)
        unmerge.append((axis, group, share))
    return _Block(p, exact, unmerge, *gh_polytope(exact))


def _size(support: np.ndarray) -> tuple[int, int]:
    """Facets and (at least the) dimension of K for a joint of this support (True where p > 0), for
    McMullen's bound on its vertices.

    K's equalities are one row per pair (x_i, y) of positive mass and the normalisation; the rows
    of one symbol x_i sum to zero, so the rank is at most the rows less the symbols, and the
    dimension at least the cells less that (equal on random joints, where nothing else ties the
    rows). Counted from the support, not eliminated: instant at any size, where exact elimination
    takes minutes.
    """
    rows, symbols = 1, 0
    for axis in range(1, support.ndim):
        pairs = support.any(axis=tuple(a for a in range(1, support.ndim) if a != axis))
        rows += int(np.count_nonzero(pairs))
        symbols += int(np.count_nonzero(pairs.any(axis=0)))
    facets = int(np.count_nonzero(support))
    return facets, max(facets - (rows - symbols), 0)


def _refuse_before_exact_arithmetic(p: np.ndarray, parts: list[np.ndarray], max_vertices: int | None) -> None:
    """Refuse p from its blocks' ``parts`` (those no bound settles) by their supports alone, before
    the exact joint and :func:`gh_polytope`'s rows are built (10.5 s of CPU at 40x40x40), where no
    two symbols of a source can be merged (:func:`_merge_proportional`): then the merged joint is
    the joint and its size is the support's. Merging only shrinks K (fewer facets, a lower dimension,
    and no more facets beyond the dimension), so where symbols may merge the exact check decides."""
    if max_vertices is None or any(
        rows_may_be_proportional(np.moveaxis(part, axis, 0).reshape(part.shape[axis], -1))
        for part in parts for axis in range(1, part.ndim)
    ):
        return
    refuse_if_too_large("gh", p.shape, [_size(part > 0) for part in parts], max_vertices)


def _enumerated(block: _Block, progress: bool | None) -> MeasureValue:
    """I_GH of the block's joint from the vertices of its K, with the optimal joint p(q, y, x);
    ``progress`` as :func:`pidkit._polytope.vertices` takes it."""
    cells, p = block.cells, block.p
    polytope = _polytope.vertices(
        block.rows, block.rhs, len(cells), measure="gh",
        eliminate_first=np.argsort(-np.array(block.target), kind="stable"), progress=progress,
        minute_bound=MAX_VERTICES["gh"],
    )
    m_y = np.zeros((len(polytope.points), p.shape[0]))
    np.add.at(m_y.T, cells[:, 0], polytope.points.T)
    value = vertex_lp_value(p.sum(axis=tuple(range(1, p.ndim))), entropy_rows(m_y), polytope, block.target)
    weights = value.diagnostics.pop("weights") if value.diagnostics is not None else None
    if value.diagnostics is not None and weights is not None and value.status != _status.FAILED:
        used = np.flatnonzero(weights)
        joint = np.zeros((used.size, *block.exact.shape))
        for k, v in enumerate(used):
            joint[(k, *cells.T)] = weights[v] * polytope.points[v]
        for axis, group, share in block.unmerge:  # split merged symbols back in proportion to their mass
            joint = np.take(joint, group, axis=axis + 1) * share.reshape(
                [-1 if a == axis + 1 else 1 for a in range(joint.ndim)]
            )
        value.diagnostics["q_joint"] = joint
    return value


def _combined(
    p: np.ndarray, parts: list[np.ndarray], masses: np.ndarray, values: list[MeasureValue]
) -> MeasureValue:
    """I_GH(p) = I(Y; B) + sum_b p(b) I_GH(p | b) from the blocks' answers; Q = (B, Q_b).

    ``parts`` holds p conditioned on each block, ``masses`` p(b), ``values`` I_GH(p | b).
    """
    statuses = {value.status for value in values}
    status = next(s for s in (_status.FAILED, _status.OPTIMAL_INACCURATE, _status.OPTIMAL, _status.EXACT)
                  if s in statuses)
    sources = tuple(range(1, p.ndim))
    i_yb = entropy_nats(p.sum(axis=sources)) - sum(
        m * entropy_nats(part.sum(axis=sources)) for m, part in zip(masses, parts, strict=True)
    )
    diagnostics: dict[str, Any] = {
        "n_blocks": len(values),
        "n_vertices": sum(int((value.diagnostics or {}).get("n_vertices", 1)) for value in values),
    }
    joints = [(value.diagnostics or {}).get("q_joint") for value in values]
    if all(joint is not None for joint in joints):
        diagnostics["q_joint"] = np.concatenate([m * joint for m, joint in zip(masses, joints, strict=True)])
        diagnostics["q_size"] = len(diagnostics["q_joint"])
    return MeasureValue(
        max(i_yb, 0.0) + sum(m * value.nats for m, value in zip(masses, values, strict=True)),
        status,
        f"I(Y; B) + sum_b p(b) I_GH(p | b) over the {len(values)} blocks B the sources split p into: "
        + "; ".join(value.message for value in values),
        "blocks+" + "+".join(sorted({value.method for value in values})),
        gap_nats=sum(m * value.gap_nats for m, value in zip(masses, values, strict=True)),
        solver=next((value.solver for value in values if value.solver), None),
        diagnostics=diagnostics,
    )


def _conditionals(p: np.ndarray) -> list[np.ndarray]:
    """p conditioned on each of its blocks (:func:`common_blocks`), in the blocks' order."""
    block = common_blocks(p)
    return [np.where(block == b, p, 0.0) / p[block == b].sum() for b in range(int(block.max()) + 1)]


def gh_value(
    p: np.ndarray, *, max_vertices: int | None = MAX_VERTICES["gh"], progress: bool | None = None
) -> MeasureValue:
    """I_GH for p[y, x1, ..., xn] (n >= 2 sources), with the optimal joint p(q, y, x) in diagnostics.

    Raises :class:`~pidkit.redundancy.vertex_limit.TooManyVertices` (a ``ValueError``) before any
    enumeration where McMullen's bound on the vertices of the largest block's polytope exceeds
    ``max_vertices`` (None: no limit); where no two symbols of a source can merge, from the supports
    alone, before any exact arithmetic. ``progress`` shows a long enumeration's time
    (:func:`pidkit._polytope.vertices`).
    """
    _polytope.require_cdd("gh")
    shortcut = lp_shortcut(p, "gh")
    if shortcut is not None:
        return shortcut
    parts = _conditionals(p)
    if len(parts) == 1:
        _refuse_before_exact_arithmetic(p, [p], max_vertices)
        block = _block(p)
        refuse_if_too_large("gh", p.shape, [_size(block.exact > 0)], max_vertices)
        return _enumerated(block, progress)
    shortcuts = [lp_shortcut(part, "gh") for part in parts]
    _refuse_before_exact_arithmetic(
        p, [part for part, shortcut in zip(parts, shortcuts, strict=True) if shortcut is None], max_vertices)
    answers = [_block(part) if shortcut is None else shortcut
               for part, shortcut in zip(parts, shortcuts, strict=True)]
    refuse_if_too_large("gh", p.shape, [_size(a.exact > 0) for a in answers if isinstance(a, _Block)],
                        max_vertices)
    values = [_enumerated(a, progress) if isinstance(a, _Block) else a for a in answers]
    return _combined(p, parts, np.array([p[part > 0].sum() for part in parts]), values)
