"""The measures of the family with a closed form or a finite search: MMI, I_wedge, H(Y∧T∧S), Q = f(T).

Each ``*_value`` function takes a validated joint ``p[y, t, s]`` and returns a
:class:`~pidkit.redundancy.value.MeasureValue` in nats.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .. import _status
from ..measures import cmi_nats, entropy_nats
from .value import MeasureValue

MAX_PARTITION_SYMBOLS = 9
"""Largest source alphabet whose set partitions are enumerated (Bell(9) = 21147 partitions)."""

_ZERO_CMI_NATS = 1e-12
"""A conditional mutual information below this counts as 0 in the Q = f(T) reading."""


def mmi_value(p: np.ndarray) -> MeasureValue:
    """Minimum mutual information min(I(Y;T), I(Y;S)) of ``p[y, t, s]``."""
    value = min(cmi_nats(p, "y", "t"), cmi_nats(p, "y", "s"))
    return MeasureValue(value, _status.EXACT, "min(I(Y;T), I(Y;S))", "closed-form")


def components(n_left: int, n_right: int, edges: np.ndarray) -> np.ndarray:
    """Connected-component label of every node of a bipartite graph (left nodes first).

    ``edges`` is the ``(n_left, n_right)`` boolean adjacency matrix.
    """
    rows, cols = np.nonzero(edges)
    graph = coo_matrix((np.ones(rows.size), (rows, cols + n_left)), shape=(n_left + n_right,) * 2)
    return connected_components(graph, directed=False)[1]


def wedge_value(p: np.ndarray) -> MeasureValue:
    """I_wedge = I(Y; T∧S) of ``p[y, t, s]``, T∧S the Gács–Körner common part of T and S."""
    p_ts = p.sum(axis=0)
    label = components(p_ts.shape[0], p_ts.shape[1], p_ts > 0)[: p_ts.shape[0]]
    n_w = int(label.max()) + 1
    p_yw = np.zeros((p.shape[0], n_w, 1))
    np.add.at(p_yw[:, :, 0].T, label, p.sum(axis=2).T)
    value = cmi_nats(p_yw, "y", "t")
    return MeasureValue(
        value,
        _status.EXACT,
        f"I(Y; T∧S) with {n_w} common component(s)",
        "gacs-korner",
        diagnostics={"n_components": n_w},
    )


def target_common_value(p: np.ndarray) -> MeasureValue:
    """H(Y∧T∧S) of ``p[y, t, s]``: Red_∩ read with Q generated from Y alone."""
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    n_y, n_t = p_yt.shape
    edges = np.concatenate([p_yt > 0, p_ys > 0], axis=1)
    label = components(n_y, n_t + p_ys.shape[1], edges)[:n_y]
    p_y = p_yt.sum(axis=1)
    mass = np.bincount(label, weights=p_y)
    value = entropy_nats(mass)
    return MeasureValue(
        value,
        _status.EXACT,
        "H(Y∧T∧S): components of the (Y,T) and (Y,S) supports",
        "union-find",
        diagnostics={"n_components": int(np.count_nonzero(mass))},
    )


def set_partitions(n: int) -> Iterator[np.ndarray]:
    """Every partition of ``range(n)`` as a restricted-growth label array."""
    labels = np.zeros(n, dtype=int)

    def grow(i: int, n_blocks: int) -> Iterator[np.ndarray]:
        if i == n:
            yield labels.copy()
            return
        for block in range(n_blocks + 1):
            labels[i] = block
            yield from grow(i + 1, max(n_blocks, block + 1))

    if n == 0:
        yield labels.copy()
        return
    yield from grow(1, 1)


def _check_partition_size(n: int, what: str) -> None:
    if n > MAX_PARTITION_SYMBOLS:
        raise ValueError(
            f"{what} has {n} symbols of positive mass; enumerating its set partitions is limited "
            f"to {MAX_PARTITION_SYMBOLS} symbols (Bell({MAX_PARTITION_SYMBOLS}) partitions). "
            "Merge symbols first, or bound this reading from both sides: measure='wedge' is at "
            "most it and takes any size; measure='gh' is at least it and has no limit on symbols, "
            "but refuses a joint whose polytope could have more than max_vertices vertices (a "
            "full-support 2x10x10 one, say), where 'prec' and 'broja' bound it from above."
        )


def function_of_source_value(p: np.ndarray, source: str) -> MeasureValue:
    """Red_∩ of ``p[y, t, s]`` read with Q = f(T) (``source="t"``) or Q = f(S) (``source="s"``).

    The best deterministic f over every set partition of the source's symbols of positive mass
    (at most :data:`MAX_PARTITION_SYMBOLS` of them) with I(Y; f(source) | other source) = 0.
    """
    q = p if source == "t" else np.transpose(p, (0, 2, 1))
    used = np.flatnonzero(q.sum(axis=(0, 2)) > 0)
    q = q[:, used, :]
    _check_partition_size(used.size, f"source {source.upper()}")
    best, best_labels, n_checked = 0.0, np.zeros(used.size, dtype=int), 0
    for labels in set_partitions(used.size):
        n_checked += 1
        coarse = np.zeros((q.shape[0], int(labels.max()) + 1, q.shape[2]))
        np.add.at(coarse.transpose(1, 0, 2), labels, q.transpose(1, 0, 2))
        if cmi_nats(coarse, "y", "t", "s") > _ZERO_CMI_NATS:
            continue
        value = cmi_nats(coarse, "y", "t")
        if value > best:
            best, best_labels = value, labels
    return MeasureValue(
        best,
        _status.EXACT,
        f"max I(Y; f({source.upper()})) over {n_checked} set partitions with "
        f"I(Y; f({source.upper()}) | {'S' if source == 't' else 'T'}) = 0",
        "set-partitions",
        diagnostics={
            "partitions": n_checked,
            "argmax": dict(zip(used.tolist(), best_labels.tolist(), strict=True)),
        },
    )
