"""The intersection-information family of redundancy measures, computed exactly.

All measures take a joint ``p[y, t, s]`` (target Y, teacher T, student S) and return Red(Y:T,S):

=====================  ==========================================================================
``"broja"``            Bertschinger et al. (2014), via :func:`pidkit.bertschinger` (the default)
``"wedge"``            Griffith et al. (2014) I_wedge = I(Y; T∧S), T∧S the Gács–Körner common part
``"gh"``               Griffith & Ho (2015) I_α, the RID paper's Red_∩ in its standard reading:
                       max I(Y;Q) over p(q|t,s,y) with I(Y;Q|T) = I(Y;Q|S) = 0
``"prec"``             Kolchinsky (2022) Blackwell redundancy I_∩^≺: max I(Y;Q) over p(q|y) that
                       both T and S can produce by a channel
``"mmi"``              min(I(Y;T), I(Y;S))
``"gh-target-only"``   Red_∩ read with Q generated from Y alone: H(Y∧T∧S)
``"gh-function-of-t"`` Red_∩ read with Q = f(T) deterministic (the RID paper's Q = f_t(T))
``"gh-function-of-s"`` the mirror reading Q = f(S)
=====================  ==========================================================================

For two sources they are ordered (``docs/theory.md`` has the proofs)::

    gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi

``"gh"`` and ``"prec"`` are exact: the optimal Q is a mixture of vertices of a polytope, found by
exact rational vertex enumeration (pycddlib in GMP mode, the ``exact`` extra) and one linear program
solved in rational arithmetic (``pidkit/_mixture.py``), so nearly deterministic joints and masses
spread over hundreds of orders of magnitude are answered, not declined. Exact reductions come first:
a one-symbol target or source gives 0, and where I_wedge and I_MMI agree within
``LP_TOL_BITS`` (1e-9 bits) no polytope is built. Every answer is checked before it counts as a success:
finite, and between 0 and min_i I(Y; X_i).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from fractions import Fraction
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import entr

from . import _mixture, _polytope, _status
from ._errors import SolverError
from ._result import PIDResult, result_from_redundancy
from ._units import check_units, from_nats, to_nats
from ._validate import check_choice, check_flag, check_joint, check_sources_joint
from .measures import cmi_nats, entropy_nats, informations_nats

__all__ = [
    "MEASURES",
    "i_function_of_source",
    "i_gh",
    "i_mmi",
    "i_prec",
    "i_target_common",
    "i_wedge",
    "pid_from_measure",
    "redundancy",
]

MAX_PARTITION_SYMBOLS = 9
"""Largest source alphabet whose set partitions are enumerated (Bell(9) = 21147 partitions)."""

LP_TOL_BITS = 1e-9
"""Gap (bits) within which the bounds I_wedge <= Red <= I_MMI settle gh and prec without their LP."""

_ZERO_CMI_NATS = 1e-12
"""A conditional mutual information below this counts as 0 in the Q = f(T) reading."""


class _Value(NamedTuple):
    """A redundancy in nats with the verdict and the numbers that back it."""

    nats: float
    status: str
    message: str
    method: str
    gap_nats: float = 0.0
    solver: str | None = None
    diagnostics: dict[str, Any] | None = None


# --------------------------------------------------------------------------- closed forms


def _mmi(p: np.ndarray) -> _Value:
    value = min(cmi_nats(p, "y", "t"), cmi_nats(p, "y", "s"))
    return _Value(value, _status.EXACT, "min(I(Y;T), I(Y;S))", "closed-form")


def _components(n_left: int, n_right: int, edges: np.ndarray) -> np.ndarray:
    """Connected-component label of every node of a bipartite graph (left nodes first)."""
    rows, cols = np.nonzero(edges)
    graph = coo_matrix((np.ones(rows.size), (rows, cols + n_left)), shape=(n_left + n_right,) * 2)
    return connected_components(graph, directed=False)[1]


def _wedge(p: np.ndarray) -> _Value:
    p_ts = p.sum(axis=0)
    label = _components(p_ts.shape[0], p_ts.shape[1], p_ts > 0)[: p_ts.shape[0]]
    n_w = int(label.max()) + 1
    p_yw = np.zeros((p.shape[0], n_w, 1))
    np.add.at(p_yw[:, :, 0].T, label, p.sum(axis=2).T)
    value = cmi_nats(p_yw, "y", "t")
    return _Value(
        value,
        _status.EXACT,
        f"I(Y; T∧S) with {n_w} common component(s)",
        "gacs-korner",
        diagnostics={"n_components": n_w},
    )


def _target_common(p: np.ndarray) -> _Value:
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    n_y, n_t = p_yt.shape
    edges = np.concatenate([p_yt > 0, p_ys > 0], axis=1)
    label = _components(n_y, n_t + p_ys.shape[1], edges)[:n_y]
    p_y = p_yt.sum(axis=1)
    mass = np.bincount(label, weights=p_y)
    value = entropy_nats(mass)
    return _Value(
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
            "Merge symbols first or use measure='gh', which has no such limit."
        )


def _function_of_source(p: np.ndarray, source: str) -> _Value:
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
    return _Value(
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


# --------------------------------------------------------------------------- exact LP measures


def _entropy_rows(m: np.ndarray) -> np.ndarray:
    return entr(np.clip(m, 0.0, None)).sum(axis=1)


def _source_informations(p: np.ndarray) -> list[float]:
    """I(Y; X_i) in nats for every source axis of p[y, x1, ..., xn]."""
    p_y = p.sum(axis=tuple(range(1, p.ndim)))
    out = []
    for axis in range(1, p.ndim):
        p_yx = p.sum(axis=tuple(a for a in range(1, p.ndim) if a != axis))
        out.append(max(entropy_nats(p_y) + entropy_nats(p_yx.sum(axis=0)) - entropy_nats(p_yx), 0.0))
    return out


def _lp_shortcut(p: np.ndarray, measure: str) -> _Value | None:
    """Red for gh and prec without the polytope where exact reductions or the bounds settle it.

    * A target or a source with a single symbol of positive mass has I(Y;X_i) = 0, and every
      measure of the family lies between 0 and min_i I(Y;X_i): Red = 0 exactly.
    * Two sources: I_wedge <= I_GH <= I_prec <= I_MMI (``docs/theory.md``). Where the outer two
      are within :data:`LP_TOL_BITS`, I_wedge is the answer, certified with that gap; Q = T∧S
      attains it for gh.
    """
    used = [int(np.count_nonzero(p.sum(axis=tuple(a for a in range(p.ndim) if a != axis)) > 0))
            for axis in range(p.ndim)]
    if min(used) == 1:
        which = "Y" if used[0] == 1 else f"source {used[1:].index(1) + 1}"
        diagnostics = {"q_joint": p[None], "q_size": 1} if measure == "gh" else {}
        return _Value(
            0.0,
            _status.EXACT,
            f"{which} has one symbol of positive mass, so I(Y; source) = 0 and Red = 0",
            "reduction",
            diagnostics=diagnostics,
        )
    if p.ndim != 3:
        return None
    upper = min(_source_informations(p))
    wedge = _wedge(p)
    gap = upper - wedge.nats
    if gap > to_nats(LP_TOL_BITS, "bits"):
        return None
    diagnostics: dict[str, Any] = {"n_components": wedge.diagnostics["n_components"]}
    if measure == "gh":
        label = _components(p.shape[1], p.shape[2], p.sum(axis=0) > 0)[: p.shape[1]]
        q_joint = np.stack([p * (label == k)[None, :, None] for k in np.unique(label)])
        diagnostics.update(q_joint=q_joint, q_size=len(q_joint))
    return _Value(
        wedge.nats,
        _status.OPTIMAL,
        "I_wedge <= Red <= min(I(Y;T), I(Y;S)) and the two agree within tolerance",
        "bounds",
        gap_nats=max(gap, 0.0),
        diagnostics=diagnostics,
    )


def _lp_value(
    p_y: np.ndarray, costs: np.ndarray, polytope: _polytope.Polytope, target: list[Fraction]
) -> _Value:
    sol = _mixture.min_mixture(costs, polytope, target)
    n_vertices = len(polytope.points)
    n_used = int(np.count_nonzero(sol.weights))
    message = f"{n_vertices} exact vertices, LP ({sol.message}) mixes {n_used} of them (|Q| = {n_used})"
    return _Value(
        max(entropy_nats(p_y) - sol.value, 0.0),
        sol.status,
        message,
        "vertex-lp",
        gap_nats=sol.gap,
        solver="exact-simplex",
        diagnostics={"n_vertices": n_vertices, "q_size": n_used, "weights": sol.weights},
    )


def _exact_joint(p: np.ndarray) -> np.ndarray:
    """p as an object array of Python ints proportional to it (:func:`_polytope.exact_masses`)."""
    exact = np.zeros(p.shape, dtype=object)
    cells = tuple(np.nonzero(p))
    exact[cells] = _polytope.exact_masses(p[cells])
    return exact


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


def _gh_polytope(exact: np.ndarray) -> tuple[np.ndarray, list[list[int]], list[int], list[Fraction]]:
    """The cells of supp p, K's equalities ``rows @ r = rhs`` (integer coefficients), and p on them.

    ``exact`` holds integers proportional to p (:func:`_exact_joint`).
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


def _gh(p: np.ndarray) -> _Value:
    """I_GH for p[y, x1, ..., xn] (n >= 2 sources)."""
    _polytope.require_cdd("gh")
    shortcut = _lp_shortcut(p, "gh")
    if shortcut is not None:
        return shortcut
    exact, unmerge = _exact_joint(p), []
    for axis in range(1, p.ndim):
        exact, group, share = _merge_proportional(exact, axis)
        unmerge.append((axis, group, share))
    cells, rows, rhs, target = _gh_polytope(exact)
    polytope = _polytope.vertices(
        rows, rhs, len(cells), measure="gh", eliminate_first=np.argsort(-np.array(target), kind="stable")
    )
    m_y = np.zeros((len(polytope.points), p.shape[0]))
    np.add.at(m_y.T, cells[:, 0], polytope.points.T)
    value = _lp_value(p.sum(axis=tuple(range(1, p.ndim))), _entropy_rows(m_y), polytope, target)
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


def _prec(p: np.ndarray) -> _Value:
    """I_prec for p[y, x1, ..., xn] (n >= 2 sources)."""
    _polytope.require_cdd("prec")
    shortcut = _lp_shortcut(p, "prec")
    if shortcut is not None:
        return shortcut
    n_y = p.shape[0]
    exact = _exact_joint(p)  # one exact joint for every source
    total = int(exact.sum())
    blocks = []  # per source: exact p(y|x) of each distinct conditional, exact p(x) of its symbols
    for axis in range(1, p.ndim):
        p_xy = np.moveaxis(exact, axis, 0).reshape(p.shape[axis], n_y, -1).sum(axis=2)
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
    polytope = _polytope.vertices(
        rows, rhs, n, measure="prec", eliminate_first=np.argsort(-np.array(target), kind="stable")
    )
    cond_first = np.array([[float(v) for v in c] for c in first])
    m_y = polytope.points[:, : sizes[0]] @ cond_first
    value = _lp_value(p.sum(axis=tuple(range(1, p.ndim))), _entropy_rows(m_y), polytope, target)
    if value.diagnostics is not None:
        value.diagnostics.pop("weights")
    return value


def _broja(p: np.ndarray) -> _Value:
    from .bertschinger import bertschinger

    res = bertschinger(p, units="nats", strict=False)
    return _Value(
        res.red,
        res.status,
        res.message,
        res.method,
        gap_nats=res.gap,
        solver=res.solver,
        diagnostics=dict(res.diagnostics),
    )


_SOLVERS: dict[str, Callable[[np.ndarray], _Value]] = {
    "broja": _broja,
    "wedge": _wedge,
    "gh": _gh,
    "prec": _prec,
    "mmi": _mmi,
    "gh-target-only": _target_common,
    "gh-function-of-t": lambda p: _function_of_source(p, "t"),
    "gh-function-of-s": lambda p: _function_of_source(p, "s"),
}
MEASURES: tuple[str, ...] = tuple(_SOLVERS)
"""The measure names :func:`redundancy` and :func:`pidkit.pid` accept."""

_NONNEGATIVE = frozenset({"broja", "mmi"})
"""Measures whose four derived atoms are non-negative by theorem (the others can give Syn < 0)."""


def _solve(measure: str, p: np.ndarray) -> _Value:
    """Run the measure's solver and check the invariants before its answer counts as a success.

    Red and its gap must be finite, and 0 <= Red <= min_i I(Y; X_i) (every measure here lies in
    that range, within the certified gap); anything else is a failure with the reason.
    """
    value = _SOLVERS[measure](p)
    if value.status == _status.FAILED:
        return value
    if not (math.isfinite(value.nats) and math.isfinite(value.gap_nats)):
        return value._replace(
            status=_status.FAILED,
            message=f"{value.message}; the solver returned a non-finite Red ({value.nats!r}, gap "
            f"{value.gap_nats!r} nats), which is not an answer",
        )
    upper = min(_source_informations(p))
    slack = max(value.gap_nats, to_nats(LP_TOL_BITS, "bits"))
    if value.status in _status.CERTIFIED and not -slack <= value.nats <= upper + slack:
        return value._replace(
            status=_status.OPTIMAL_INACCURATE,
            message=f"{value.message}; Red = {value.nats!r} nats lies outside [0, min_i I(Y;X_i) = "
            f"{upper!r}] by more than the certified gap",
        )
    return value


def _certified(value: _Value, measure: str, units: str) -> float:
    if value.status not in _status.CERTIFIED:
        raise SolverError(
            f"{measure}: the answer is not certified (status {value.status!r}, gap "
            f"{from_nats(value.gap_nats, units):.3g} {units}): {value.message}."
        )
    return from_nats(value.nats, units)


def redundancy(
    p_yts: ArrayLike, *, measure: str = "broja", units: str = "bits", normalize: bool = False
) -> float:
    """Redundant information Red(Y:T,S) of a joint ``p[y, t, s]`` under the named measure.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
        Joint pmf indexed target Y, teacher T, student S.
    measure : str, default="broja"
        One of :data:`MEASURES`: ``"broja"``, ``"wedge"``, ``"gh"``, ``"prec"``, ``"mmi"``,
        ``"gh-target-only"``, ``"gh-function-of-t"``, ``"gh-function-of-s"`` (see the module
        docstring). ``"gh"`` and ``"prec"`` need the ``exact`` extra (pycddlib).
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale ``p_yts`` to sum 1 instead of rejecting a total off 1 by more than 1e-9.

    Returns
    -------
    float
        Red(Y:T,S) in ``units``.

    Raises
    ------
    ValueError, TypeError
        For an invalid ``p_yts`` or option.
    ImportError
        For ``"gh"`` or ``"prec"`` without pycddlib.
    SolverError
        If a solver could not certify its answer.

    Examples
    --------
    >>> import pidkit
    >>> round(redundancy(pidkit.examples.and_(), measure="gh"), 6)   # 5/2 - (3/2) log2 3
    0.122556
    >>> round(redundancy(pidkit.examples.and_(), measure="prec"), 6)
    0.311278
    """
    p = check_joint(p_yts, normalize=normalize)
    units = check_units(units)
    return _certified(_solve(check_choice(measure, MEASURES, name="measure"), p), measure, units)


def pid_from_measure(
    p_yts: ArrayLike, *, measure: str, units: str = "bits", normalize: bool = False, strict: bool = True
) -> PIDResult:
    """The four-atom decomposition with Red from the named measure (THEORY.md §1 identities).

    Uni(Y:T\\S) = I(Y;T) - Red, Uni(Y:S\\T) = I(Y;S) - Red and
    Syn = I(Y;T,S) - I(Y;T) - I(Y;S) + Red. Every measure here has Red <= min(I(Y;T), I(Y;S)), so
    the unique atoms are non-negative; Syn is non-negative for ``"broja"`` and ``"mmi"`` but can be
    negative for the others (e.g. ``"wedge"`` on imperfect RDN, ``"gh"`` on COPY with correlated
    sources), and is reported as computed.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
    measure : str
        One of :data:`MEASURES`.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` for an uncertified answer instead of returning it.

    Returns
    -------
    PIDResult
        For ``"gh"``, ``diagnostics["q_joint"]`` is the optimal joint p(q, y, t, s), shape
        ``(|Q|, n_y, n_t, n_s)``; ``diagnostics["n_vertices"]`` the number of vertices of K.

    Examples
    --------
    >>> import pidkit
    >>> r = pid_from_measure(pidkit.examples.and_(), measure="mmi")
    >>> round(r.red, 6), round(r.syn, 6)
    (0.311278, 0.5)
    """
    p = check_joint(p_yts, normalize=normalize)
    units = check_units(units)
    measure = check_choice(measure, MEASURES, name="measure")
    strict = check_flag(strict, name="strict")
    if measure == "broja":
        from .bertschinger import bertschinger

        return bertschinger(p, units=units, strict=strict)
    value = _solve(measure, p)
    return result_from_redundancy(
        informations_nats(p),
        value.nats,
        problem=f"joint {'x'.join(map(str, p.shape))}",
        units=units,
        measure=measure,
        status=value.status,
        message=value.message,
        method=value.method,
        solver=value.solver,
        gap_nats=value.gap_nats,
        diagnostics=dict(value.diagnostics or {}),
        nonnegative=measure in _NONNEGATIVE,
        tol_nats=max(value.gap_nats, to_nats(LP_TOL_BITS, "bits")),
        strict=strict,
    )


def i_mmi(p_yts: ArrayLike, *, units: str = "bits", normalize: bool = False) -> float:
    """Minimum mutual information min(I(Y;T), I(Y;S)).

    Examples
    --------
    >>> import pidkit
    >>> i_mmi(pidkit.examples.copy())
    1.0
    """
    return redundancy(p_yts, measure="mmi", units=units, normalize=normalize)


def i_wedge(p_yts: ArrayLike, *, units: str = "bits", normalize: bool = False) -> float:
    """Griffith et al. (2014) I_wedge = I(Y; T∧S), T∧S the Gács–Körner common variable.

    T∧S labels the connected components of the bipartite graph joining t and s when p(t,s) > 0.

    Examples
    --------
    >>> import pidkit
    >>> i_wedge(pidkit.examples.rdn()), i_wedge(pidkit.examples.and_())
    (1.0, 0.0)
    """
    return redundancy(p_yts, measure="wedge", units=units, normalize=normalize)


def i_target_common(p_yts: ArrayLike, *, units: str = "bits", normalize: bool = False) -> float:
    """Red_∩ read with Q generated from Y alone: H(Y∧T∧S) (measure ``"gh-target-only"``).

    With p(t,s,y) p(q|y), I(Y;Q|T) = I(Y;Q|S) = 0 forces p(q|y) to be constant on the connected
    components of the union of the (Y,T) and (Y,S) support graphs, so the maximum of I(Y;Q) is
    the entropy of that component label. It is not self-redundant: T = S = Z with Y a noisy copy
    of Z gives 0.

    Examples
    --------
    >>> import pidkit
    >>> i_target_common(pidkit.examples.rdn())
    1.0
    """
    return redundancy(p_yts, measure="gh-target-only", units=units, normalize=normalize)


def i_function_of_source(
    p_yts: ArrayLike, *, source: str = "t", units: str = "bits", normalize: bool = False
) -> float:
    """Red_∩ read with Q = f(T) deterministic (or Q = f(S) with ``source="s"``).

    The maximum of I(Y; f(T)) over every set partition f of T's symbols of positive mass with
    I(Y; f(T) | S) = 0 (I(Y; f(T) | T) = 0 holds by construction). This is the form the RID
    paper's framework optimises (Q = f_t(T)). Limited to :data:`MAX_PARTITION_SYMBOLS` symbols.

    Examples
    --------
    >>> import pidkit
    >>> p = pidkit.examples.nuisance_teacher(flip=0.1)
    >>> round(i_function_of_source(p), 6)   # f(T) = Z
    0.531004
    """
    source = check_choice(source, ("t", "s"), name="source")
    return redundancy(p_yts, measure=f"gh-function-of-{source}", units=units, normalize=normalize)


def i_gh(p: ArrayLike, *, units: str = "bits", normalize: bool = False) -> float:
    """Griffith & Ho (2015) I_α (the RID paper's Red_∩), exactly, for two or more sources.

    max I(Y;Q) over channels p(q | y, x1, ..., xn) with I(Y;Q|X_i) = 0 for every source, in the one
    joint p(y, x) p(q | y, x). Each conditional p(y, x | q) lies in the polytope K of distributions
    on supp p whose Y-given-X_i conditionals are p's; the optimum mixes at most ``|supp p|`` vertices
    of K. The vertices are enumerated exactly (pycddlib, GMP rationals), the mixture by one LP.

    Parameters
    ----------
    p : array_like of shape (n_y, n_x1, n_x2, ...)
        Joint pmf, target first; ``p[y, t, s]`` for two sources.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False

    Returns
    -------
    float

    Examples
    --------
    >>> import pidkit
    >>> round(i_gh(pidkit.examples.and_()), 6)
    0.122556
    """
    arr = check_sources_joint(p, normalize=normalize)
    units = check_units(units)
    return _certified(_solve("gh", arr), "gh", units)


def i_prec(p: ArrayLike, *, units: str = "bits", normalize: bool = False) -> float:
    """Kolchinsky (2022) Blackwell redundancy I_∩^≺, exactly, for two or more sources.

    max I(Y;Q) over p(q|y) such that every source X_i has a channel κ_i(q|x_i) with
    sum_x κ_i(q|x) p(x|y) = p(q|y). Each q gives one conditional p(x_i | q) per source, all with the
    same Y-marginal; the optimum mixes vertices of that polytope (exact enumeration plus one LP).

    Examples
    --------
    >>> import pidkit
    >>> round(i_prec(pidkit.examples.sum_()), 6)
    0.5
    """
    arr = check_sources_joint(p, normalize=normalize)
    units = check_units(units)
    return _certified(_solve("prec", arr), "prec", units)
