"""The function :func:`pidkit.pid` calls for each measure, and the keyword options it passes on.

``"broja"`` is :func:`pidkit.bertschinger`; every other measure is
:func:`~pidkit.redundancy.pid_from_measure` with its name. :func:`pidkit.pid` refuses an option
that the measure's function does not take, and the functions returning Red as a float point to
the call of ``pid`` that takes one of these options; both read the options here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from functools import partial

from .._result import PIDResult
from ..bertschinger import bertschinger
from .dispatch import MEASURES, pid_from_measure
from .vertex_limit import VERTEX_MEASURES

PID_FUNCTIONS: dict[str, Callable[..., PIDResult]] = {
    name: partial(pid_from_measure, measure=name) for name in MEASURES
}
PID_FUNCTIONS["broja"] = bertschinger
_VERTEX_OPTIONS = ("max_vertices", "progress")
"""The options of :func:`~pidkit.redundancy.pid_from_measure` that only its vertex-enumerating
measures take."""


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
        if prm.kind is prm.KEYWORD_ONLY and prm.name != "measure"
        and (prm.name not in _VERTEX_OPTIONS or measure in VERTEX_MEASURES)
    )
