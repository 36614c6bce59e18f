"""The refusal of positional arguments after the joint, for every public function that takes one.

:func:`pidkit.pid`, :func:`pidkit.bertschinger`, :func:`pidkit.redundancy`, the functions of one
measure (:func:`pidkit.i_mmi`, ...) and :func:`pidkit.co_information` take the joint ``p[y, t, s]``
positionally and their options by keyword. Python's own refusal of more positional arguments
("takes 1 positional argument but 3 were given") says neither what they most likely were (samples
y, t, s, or an option) nor the call to make instead; :func:`one_positional_joint` says both.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ._units import check_units

__all__ = ["one_positional_joint"]

_Parameters = ParamSpec("_Parameters")
_Returned = TypeVar("_Returned")

_SOURCE_NAMES = ("t", "s")
"""A string after the joint that is one of these, given to a function taking ``source``, was meant
as ``source``."""


def one_positional_joint(function: Callable[_Parameters, _Returned]) -> Callable[_Parameters, _Returned]:
    """``function``, whose only positional argument is a joint, refusing more positional arguments
    with what they most likely were (samples y, t, s, or an option) and the call to make instead.

    The signature stays ``function``'s (:func:`functools.wraps`), its options keyword-only. Apply it
    outermost, above any other decorator, so that the refusal names the function users call.

    Parameters
    ----------
    function : callable
        A function of one positional argument, the joint, and keyword-only options.

    Returns
    -------
    callable
        ``function``, refusing a second positional argument with a ``TypeError`` that names the
        call to make.

    Examples
    --------
    >>> import pidkit
    >>> pidkit.i_mmi(pidkit.examples.and_(), "nats")
    Traceback (most recent call last):
    ...
    TypeError: i_mmi takes one positional argument, the joint p[y, t, s]; got 2. Pass the units by \
keyword: pidkit.i_mmi(p, units='nats').
    """
    keywords = tuple(
        name for name, parameter in inspect.signature(function).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
    )

    @functools.wraps(function)
    def refusing(*args: _Parameters.args, **kwargs: _Parameters.kwargs) -> _Returned:
        if len(args) > 1:
            raise TypeError(_extra_positional_refusal(_called_as(refusing), keywords, args))
        return function(*args, **kwargs)

    return refusing


def _called_as(function: Callable[..., Any]) -> str:
    """How users call ``function``: ``pidkit.<name>`` where pidkit exports it, else by its module
    (``pidkit.measures.informations``)."""
    name = function.__name__
    exported = getattr(sys.modules.get("pidkit"), name, None) is function
    return f"pidkit.{name}" if exported else f"{function.__module__}.{name}"


def _extra_positional_refusal(called_as: str, keywords: tuple[str, ...], args: tuple[Any, ...]) -> str:
    """The message refusing the positional arguments ``args`` (more than one) of the function
    called as ``called_as``, whose keyword-only options are ``keywords``."""
    name = called_as.rpartition(".")[2]
    given = f"{name} takes one positional argument, the joint p[y, t, s]; got {len(args)}."
    if len(args) == 2 and isinstance(args[1], str):
        keyword = next((option for option, applies in (
            ("units", _names_units(args[1])),
            ("source", "source" in keywords and args[1] in _SOURCE_NAMES),
            ("measure", "measure" in keywords),
        ) if applies), None)
        if keyword is not None:
            return f"{given} Pass the {keyword} by keyword: {called_as}(p, {keyword}={args[1]!r})."
        return f"{given} Options go by keyword; its options are {', '.join(keywords)}."
    example = "measure='mmi', units='nats'" if "measure" in keywords else "units='nats'"
    return (
        f"{given} For aligned samples of labels y, t, s, count their joint first: "
        f"{called_as}(pidkit.joint_from_samples(y, t, s).p). Options go by keyword ({example}). "
        "That joint is the plug-in estimate, which overestimates information where the samples are "
        "few for its cells; pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected "
        "atoms."
    )


def _names_units(value: str) -> bool:
    """Whether ``value`` is the name of a unit (``"bits"``, ``"nats"``)."""
    try:
        check_units(value)
    except ValueError:
        return False
    return True
