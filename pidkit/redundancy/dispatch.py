"""One entry point over the family: the measure's solver, its answer checked, then Red or the four atoms.

:func:`solve` runs the solver a measure name selects and checks the answer against the bounds every
measure obeys; :func:`certified` turns a certified answer into a float and anything else into a
:class:`pidkit.SolverError`. :func:`pid_from_measure` is the public face; the functions returning
Red as a float (:func:`~pidkit.redundancy`, :func:`~pidkit.redundancy.i_gh`, ...) are in
:mod:`~pidkit.redundancy.measure_functions`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _status
from .._count_tables import warn_of_rescaled_counts
from .._errors import SolverError
from .._names import check_choice
from .._progress import check_progress
from .._result import PIDResult, result_from_redundancy
from .._units import check_units, from_nats, to_nats
from .._validate import check_flag, check_joint
from ..measures import informations_nats
from .bounds import LP_TOL_BITS, source_informations
from .closed_form import function_of_source_value, mmi_value, target_common_value, wedge_value
from .gh import gh_value
from .measure_names import measure_name_advice
from .prec import prec_value
from .value import MeasureValue
from .vertex_limit import VERTEX_MEASURES, check_vertex_option


def _broja(p: np.ndarray) -> MeasureValue:
    from ..bertschinger import bertschinger

    res = bertschinger(p, units="nats", strict=False)
    return MeasureValue(
        res.red,
        res.status,
        res.message,
        res.method,
        gap_nats=res.gap,
        solver=res.solver,
        diagnostics=dict(res.diagnostics),
    )


_SOLVERS: dict[str, Callable[[np.ndarray], MeasureValue]] = {
    "broja": _broja,
    "wedge": wedge_value,
    "gh": gh_value,
    "prec": prec_value,
    "mmi": mmi_value,
    "gh-target-only": target_common_value,
    "gh-function-of-t": lambda p: function_of_source_value(p, "t"),
    "gh-function-of-s": lambda p: function_of_source_value(p, "s"),
}
MEASURES: tuple[str, ...] = tuple(_SOLVERS)
"""The measure names :func:`~pidkit.redundancy` and :func:`pidkit.pid` accept."""

NONNEGATIVE_MEASURES = frozenset({"broja", "mmi"})
"""Measures whose four derived atoms are non-negative by theorem (the others can give Syn < 0)."""


def check_measure(measure: Any) -> str:
    """Return ``measure`` if it is one of :data:`MEASURES`; otherwise raise, saying which of them a
    name from the literature is (``"blackwell"`` is ``"prec"``), or that dit computes a measure
    pidkit does not (``"imin"``), or else the closest name."""
    advice = measure_name_advice(measure) if isinstance(measure, str) and measure not in MEASURES else ""
    if advice:
        raise ValueError(f"measure must be one of {list(MEASURES)}; got {measure!r}. {advice}")
    return check_choice(measure, MEASURES, name="measure")


def check_progress_option(measure: str, progress: Any) -> bool | None:
    """``progress`` checked (:func:`pidkit._progress.check_progress`); a ``TypeError`` if it is set
    (True or False) for a measure that enumerates no vertices, which shows no bar. ``None``, the
    default, passes for every measure, as ``max_vertices="auto"`` does
    (:func:`~pidkit.redundancy.vertex_limit.check_vertex_option`). :func:`pidkit.pid` and
    :func:`~pidkit.redundancy` both judge ``progress`` here, so they refuse it in one wording.

    Examples
    --------
    >>> check_progress_option("gh", True), check_progress_option("mmi", None)
    (True, None)
    >>> check_progress_option("mmi", False)
    Traceback (most recent call last):
    ...
    TypeError: progress applies to measure='gh' and measure='prec' only (their vertex enumeration); \
measure='mmi' shows none. Drop progress.
    """
    progress = check_progress(progress)
    if progress is not None and measure not in VERTEX_MEASURES:
        raise TypeError("progress applies to measure='gh' and measure='prec' only (their vertex "
                        f"enumeration); measure={measure!r} shows none. Drop progress.")
    return progress


def solve(
    measure: str, p: np.ndarray, *, max_vertices: int | None, progress: bool | None = None
) -> MeasureValue:
    """Run the measure's solver and check the invariants before its answer counts as a success.

    Red and its gap must be finite, and 0 <= Red <= min_i I(Y; X_i) (every measure here lies in
    that range, within the certified gap); anything else is a failure with the reason.
    ``max_vertices`` (checked, an int or None) is passed to ``"gh"`` and ``"prec"``
    (:mod:`pidkit.redundancy.vertex_limit`), with ``progress`` (checked), which shows the time of a
    long vertex enumeration (:func:`pidkit._polytope.vertices`).
    """
    options = {"max_vertices": max_vertices, "progress": progress} if measure in VERTEX_MEASURES else {}
    value = _SOLVERS[measure](p, **options)
    if value.status == _status.FAILED:
        return value
    if not (math.isfinite(value.nats) and math.isfinite(value.gap_nats)):
        return value._replace(
            status=_status.FAILED,
            message=f"{value.message}; the solver returned a non-finite Red ({value.nats!r}, gap "
            f"{value.gap_nats!r} nats), which is not an answer",
        )
    upper = min(source_informations(p))
    slack = max(value.gap_nats, to_nats(LP_TOL_BITS, "bits"))
    if value.status in _status.CERTIFIED and not -slack <= value.nats <= upper + slack:
        return value._replace(
            status=_status.OPTIMAL_INACCURATE,
            message=f"{value.message}; Red = {value.nats!r} nats lies outside [0, min_i I(Y;X_i) = "
            f"{upper!r}] by more than the certified gap",
        )
    return value


def certified(value: MeasureValue, measure: str, units: str) -> float:
    """Red of ``value`` in ``units`` if its status is certified; otherwise :class:`pidkit.SolverError`."""
    if value.status not in _status.CERTIFIED:
        raise SolverError(
            f"{measure}: the answer is not certified (status {value.status!r}, gap "
            f"{from_nats(value.gap_nats, units):.3g} {units}): {value.message}."
        )
    return from_nats(value.nats, units)


def pid_from_measure(
    p_yts: ArrayLike,
    *,
    measure: str,
    units: str = "bits",
    normalize: bool = False,
    strict: bool = True,
    max_vertices: int | str | None = "auto",
    progress: bool | None = None,
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
    max_vertices : int, None or "auto", default="auto"
        ``"gh"`` and ``"prec"`` only: the largest polytope they enumerate, as in :func:`~pidkit.redundancy`.
    progress : bool or None, default=None
        ``"gh"`` and ``"prec"`` only: a bar of the time of a vertex enumeration that can take seconds
        or more (cddlib reports no progress of its own; the bar names McMullen's bound on the
        vertices). True: at once; False: never; None: where a person watches (a terminal, a
        notebook), once it has taken a second.

    Returns
    -------
    PIDResult
        For ``"gh"``, ``diagnostics["q_joint"]`` is the optimal joint p(q, y, t, s), shape
        ``(|Q|, n_y, n_t, n_s)``; ``diagnostics["n_vertices"]`` the number of vertices of K.

    Warns
    -----
    pidkit.estimate.PluginBiasWarning
        With ``normalize=True`` on counts (every cell a whole number, more than 1 in all), where the
        expected first-order plug-in bias of I(Y;T,S) exceeds a tenth of its estimate and 5e-4 bits, as
        :func:`pidkit.pid` warns: the atoms are the plug-in's, likely overestimated.

    Examples
    --------
    >>> from pidkit.redundancy import pid_from_measure
    >>> import pidkit
    >>> r = pid_from_measure(pidkit.examples.and_(), measure="mmi")
    >>> round(r.red, 6), round(r.syn, 6)
    (0.311278, 0.5)
    """
    p = check_joint(p_yts, normalize=normalize)
    units = check_units(units)
    measure = check_measure(measure)
    strict = check_flag(strict, name="strict")
    max_vertices = check_vertex_option(measure, max_vertices)
    progress = check_progress_option(measure, progress)
    answer = _decomposition(p, measure, units, strict, max_vertices, progress)
    if normalize:  # after the solve: the kink rule reads the plug-in's unique informations
        warn_of_rescaled_counts(p_yts, p, units, unique=(answer.uni_t, answer.uni_s))
    return answer


def _decomposition(p: np.ndarray, measure: str, units: str, strict: bool, max_vertices: Any,
                   progress: Any) -> PIDResult:
    """:func:`pid_from_measure`'s result for the validated joint ``p`` and options."""
    if measure == "broja":
        from ..bertschinger import bertschinger

        return bertschinger(p, units=units, strict=strict)
    value = solve(measure, p, max_vertices=max_vertices, progress=progress)
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
        nonnegative=measure in NONNEGATIVE_MEASURES,
        tol_nats=max(value.gap_nats, to_nats(LP_TOL_BITS, "bits")),
        strict=strict,
    )
