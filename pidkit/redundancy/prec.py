"""Kolchinsky's Blackwell redundancy I_prec, exactly: vertices of the matched-conditionals polytope, one LP.

Symbols of a source with equal p(y | x) are one symbol to I_prec; the polytope's coordinates are the
masses of each source's distinct conditionals, tied by one equal Y-marginal. Its size grows with the
sources' symbols (not the cells, as I_GH's), and is checked against ``max_vertices`` before the
enumeration (:mod:`pidkit.redundancy.vertex_limit`).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from .. import _polytope
from .bounds import lp_shortcut
from .value import MeasureValue
from .vertex_limit import MAX_VERTICES, refuse_if_too_large, rows_may_be_proportional
from .vertex_lp import entropy_rows, exact_joint, vertex_lp_value

LONG_BOUND = 1_000
"""McMullen's bound from which I_prec's enumeration counts as long (a notice, a bar where a person
watches, Ctrl-C stops it), though its polytope has fewer facets than I_GH's long ones: its exact
coefficients are hundreds of bits (ratios of minors of the joint's 60-bit masses), which is what
cddlib's time goes to. Measured on random joints, 2 cores under load 2-3: 8x8x8 (bound 440) 0.5 s,
10x10x10 (bound 2,730; 1,300-1,600 vertices) 3-5 s, 3 s of it in cddlib."""


def _p_xy(joint: np.ndarray, axis: int) -> np.ndarray:
    """The source ``axis``'s marginal with Y, p[x, y], of a joint p[y, x1, ..., xn] (floats or exact ints)."""
    return np.moveaxis(joint, axis, 0).reshape(joint.shape[axis], joint.shape[0], -1).sum(axis=2)


def _size(coordinates: int, p: np.ndarray) -> tuple[int, int]:
    """Facets and (at least the) dimension of p's polytope of this many ``coordinates`` (the sources'
    distinct conditionals), for McMullen's bound: its equalities are the normalisation and one
    equal Y-marginal per source after the first.

    Examples
    --------
    >>> _size(20, np.ones((10, 10, 10)))  # a random 10x10x10 joint: 20 facets in dimension 9
    (20, 9)
    """
    return coordinates, max(coordinates - 1 - (p.ndim - 2) * p.shape[0], 0)


def prec_value(
    p: np.ndarray, *, max_vertices: int | None = MAX_VERTICES["prec"], progress: bool | None = None
) -> MeasureValue:
    """I_prec for p[y, x1, ..., xn] (n >= 2 sources).

    Raises :class:`~pidkit.redundancy.vertex_limit.TooManyVertices` (a ``ValueError``) before the
    enumeration where McMullen's bound on the polytope's vertices exceeds ``max_vertices`` (None:
    no limit). Its facets are its coordinates; its dimension is at least the coordinates less the
    equalities (equal on random joints, where nothing else ties the rows), counted, not eliminated;
    where no two symbols of a source can share a conditional
    (:func:`~pidkit.redundancy.vertex_limit.rows_may_be_proportional`), from the symbols alone, before
    the exact joint is built (which took 0.9 s of CPU at 40x40x40). ``progress`` shows a long
    enumeration's time (:func:`pidkit._polytope.vertices`), from a bound of :data:`LONG_BOUND`
    vertices (10x10x10 joints).
    """
    _polytope.require_cdd("prec")
    shortcut = lp_shortcut(p, "prec")
    if shortcut is not None:
        return shortcut
    n_y = p.shape[0]
    marginals = [_p_xy(p, axis) for axis in range(1, p.ndim)]
    if max_vertices is not None and not any(rows_may_be_proportional(m) for m in marginals):
        # no two symbols share a conditional: every symbol of positive mass is a coordinate (at once)
        symbols = sum(int(np.count_nonzero(m.sum(axis=1))) for m in marginals)
        refuse_if_too_large("prec", p.shape, [_size(symbols, p)], max_vertices)
    exact = exact_joint(p)  # one exact joint for every source
    total = int(exact.sum())
    blocks = []  # per source: exact p(y|x) of each distinct conditional, exact p(x) of its symbols
    for axis in range(1, p.ndim):
        p_xy = _p_xy(exact, axis)
        merged: dict[tuple[Fraction, ...], int] = {}  # symbols with equal p(y|x) are one symbol
        for row in p_xy.tolist():
            p_x = sum(row)
            if p_x:
                cond = tuple(Fraction(v, p_x) for v in row)
                merged[cond] = merged.get(cond, 0) + p_x
        blocks.append((list(merged), [Fraction(m, total) for m in merged.values()]))
    sizes = [len(b[0]) for b in blocks]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    n = int(offsets[-1])
    rows: list[list[Any]] = [[1] * sizes[0] + [0] * (n - sizes[0])]
    rhs: list[Any] = [1]
    first = blocks[0][0]
    for k in range(1, len(blocks)):
        for y in range(n_y):
            row = [0] * n
            for i, c in enumerate(first):
                row[i] = c[y]
            for i, c in enumerate(blocks[k][0]):
                row[offsets[k] + i] = -c[y]
            rows.append(row)
            rhs.append(0)
    target = [f for b in blocks for f in b[1]]
    refuse_if_too_large("prec", p.shape, [_size(n, p)], max_vertices)
    polytope = _polytope.vertices(
        rows, rhs, n, measure="prec", eliminate_first=np.argsort(-np.array(target), kind="stable"),
        progress=progress, long_bound=LONG_BOUND, minute_bound=MAX_VERTICES["prec"],
    )
    cond_first = np.array([[float(v) for v in c] for c in first])
    m_y = polytope.points[:, : sizes[0]] @ cond_first
    value = vertex_lp_value(p.sum(axis=tuple(range(1, p.ndim))), entropy_rows(m_y), polytope, target)
    if value.diagnostics is not None:
        value.diagnostics.pop("weights")
    return value
