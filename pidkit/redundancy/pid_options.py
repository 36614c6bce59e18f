"""The function :func:`pidkit.pid` calls for each measure, and the keyword options it passes on.

``"broja"`` is :func:`pidkit.bertschinger`; every other measure is
:func:`~pidkit.redundancy.pid_from_measure` with its name. :func:`pidkit.pid` refuses an option
that the measure's function does not take, and the functions returning Red as a float point to
the call of ``pid`` that takes one of these options; both read the options here. The options that
only the vertex-enumerating measures take are judged here for every measure
(:func:`measure_options`).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from .._result import PIDResult
from ..bertschinger import bertschinger
from .dispatch import MEASURES, check_progress_option, pid_from_measure
from .vertex_limit import VERTEX_MEASURES, check_vertex_option

PID_FUNCTIONS: dict[str, Callable[..., PIDResult]] = {
    name: partial(pid_from_measure, measure=name) for name in MEASURES
}
PID_FUNCTIONS["broja"] = bertschinger
_PID_OWN_ARGUMENTS = ("measure", "target", "sources")
"""Keywords that :func:`pidkit.pid` takes itself (the measure, a dit Distribution's variables, which
it converts before calling the measure's function), so never options it passes on."""
_VERTEX_OPTIONS = {"max_vertices": check_vertex_option, "progress": check_progress_option}
"""The options of :func:`~pidkit.redundancy.pid_from_measure` that only its vertex-enumerating
measures take, each with the check that :func:`pidkit.redundancy` applies to it for every measure."""


@functools.cache
def pid_options(measure: str) -> tuple[str, ...]:
    """The keyword options the measure's function takes (what :func:`pidkit.pid` passes on).

    Read once per measure (a signature costs 10-20 us, and ``pid`` runs in loops).
    ``pid_from_measure`` serves every measure but ``"broja"``: its ``max_vertices`` and
    ``progress`` belong to those that enumerate vertices.

    Parameters
    ----------
    measure : str
        A name of :data:`~pidkit.redundancy.MEASURES` (checked by the caller).

    Returns
    -------
    tuple of str
        The options, in the order of the function's signature.

    Examples
    --------
    >>> pid_options("mmi")
    ('units', 'normalize', 'strict')
    >>> pid_options("broja")
    ('units', 'method', 'solver', 'tol', 'normalize', 'strict')
    """
    parameters = inspect.signature(PID_FUNCTIONS[measure]).parameters.values()
    return tuple(
        prm.name for prm in parameters
        if prm.kind is prm.KEYWORD_ONLY and prm.name not in _PID_OWN_ARGUMENTS
        and (prm.name not in _VERTEX_OPTIONS or measure in VERTEX_MEASURES)
    )


def measure_options(measure: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """``options`` of :func:`pidkit.pid` as the measure's function takes them: for a measure that
    enumerates no vertices, ``max_vertices`` and ``progress`` at their defaults are dropped, and set
    to anything else refused, by the checks :func:`pidkit.redundancy` runs (one rule, one wording).
    Any other option is left as it is, for the caller to judge against :func:`pid_options`.

    Parameters
    ----------
    measure : str
        A name of :data:`~pidkit.redundancy.MEASURES` (checked by the caller).
    options : mapping of str to object
        The keyword options given to :func:`pidkit.pid`.

    Returns
    -------
    dict of str to object
        The options to pass on.

    Raises
    ------
    TypeError
        ``max_vertices`` or ``progress`` set for a measure that enumerates no vertices.

    Examples
    --------
    >>> measure_options("mmi", {"units": "nats", "max_vertices": "auto", "progress": None})
    {'units': 'nats'}
    >>> measure_options("gh", {"max_vertices": 10, "progress": False})
    {'max_vertices': 10, 'progress': False}
    >>> measure_options("broja", {"max_vertices": 10})
    Traceback (most recent call last):
    ...
    TypeError: max_vertices applies to measure='gh' and measure='prec' only (their vertex enumeration); \
measure='broja' takes none. Drop max_vertices.
    """
    if measure in VERTEX_MEASURES:
        return dict(options)
    for name, check in _VERTEX_OPTIONS.items():
        if name in options:
            check(measure, options[name])
    return {name: value for name, value in options.items() if name not in _VERTEX_OPTIONS}
