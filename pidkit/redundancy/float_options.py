"""The options of :func:`pidkit.pid` that the functions returning Red as a float do not take.

:func:`pidkit.redundancy` and the functions of one measure (:func:`pidkit.i_gh`, ...) return a
float, which cannot carry a status or a gap; ``strict=False`` (the best effort of a solver that did
not certify its answer) and the solver options of ``"broja"`` (``tol``, ``method``, ``solver``)
belong to :func:`pidkit.pid`, whose result has them. Python's own refusal of such an option
("got an unexpected keyword argument 'strict'") names no way out; :func:`refuses_result_options`
names it: ``pidkit.pid(p, measure=..., strict=False).red``.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from .._names import did_you_mean
from .dispatch import MEASURES
from .pid_options import pid_options

__all__ = ["refuses_result_options"]

_Parameters = ParamSpec("_Parameters")
_Returned = TypeVar("_Returned")


def refuses_result_options(
    measure_of: Callable[[dict[str, Any]], str],
) -> Callable[[Callable[_Parameters, _Returned]], Callable[_Parameters, _Returned]]:
    """Wrap a function that returns Red as a float so that an option it does not take is refused by
    name, with the call of :func:`pidkit.pid` that takes it where there is one.

    The wrapped function keeps its signature (for ``inspect.signature``, the documentation and a
    type checker, which flags the option before the call runs).

    Parameters
    ----------
    measure_of : callable
        The measure (a name of :data:`pidkit.REDUNDANCY_MEASURES`) that a call computes, from the
        call's keyword arguments.

    Returns
    -------
    callable
        The decorator.

    Examples
    --------
    >>> import pidkit
    >>> pidkit.i_mmi(pidkit.examples.and_(), strict=False)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: i_mmi takes no option 'strict'; ... use pidkit.pid(p, measure='mmi', strict=False), ...
    """

    def decorate(function: Callable[_Parameters, _Returned]) -> Callable[_Parameters, _Returned]:
        accepted = tuple(
            name for name, parameter in inspect.signature(function).parameters.items()
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        )

        @functools.wraps(function)
        def refusing(*args: _Parameters.args, **kwargs: _Parameters.kwargs) -> _Returned:
            for name in kwargs:
                if name not in accepted:
                    raise TypeError(_refusal(function.__name__, name, accepted, measure_of(kwargs)))
            return function(*args, **kwargs)

        return refusing

    return decorate


def _refusal(function: str, name: str, accepted: tuple[str, ...], measure: Any) -> str:
    """The message refusing option ``name`` of ``function``, whose call computes ``measure``; one
    that points to no call of :func:`pidkit.pid` where ``measure`` is none of
    :data:`~pidkit.redundancy.MEASURES` (``source='x'``: the function refuses it once the option
    is gone, naming what the user typed, not the measure made of it)."""
    message = f"{function} takes no option {name!r}; its options are {', '.join(accepted)}."
    if not isinstance(measure, str) or measure not in MEASURES:
        return message + did_you_mean(name, accepted)
    if name == "strict":
        return (
            f"{message} It returns Red as a float, which cannot carry the status of an answer that "
            f"is not certified: for the best effort and its status use pidkit.pid(p, "
            f"measure={measure!r}, strict=False), whose result has .red and .status."
        )
    if name in pid_options(measure):
        return (
            f"{message} pidkit.pid(p, measure={measure!r}, {name}=...) takes it: read .red of its "
            "result."
        )
    return message + did_you_mean(name, accepted)
