"""A name checked against the names known for it: :func:`check_choice` refuses one that is not
among them, :func:`closest` finds the known name a misspelt one meant, :func:`did_you_mean` says it
in a message and :func:`choice_advice` adds that options are case-sensitive where only the case
differs. Every refusal of a misspelt option, measure, method or file name in pidkit (and in
pidkit_distill, through :mod:`pidkit.utils`) suggests its fix this way."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

__all__ = ["check_choice", "choice_advice", "closest", "did_you_mean"]

_LEAST_ABBREVIATION = 2
"""The fewest characters of a name that :func:`closest` reads as its abbreviation (one letter
begins too many names to mean one)."""


def check_choice(value: Any, choices: Sequence[str], *, name: str) -> str:
    """Return ``value`` if it is one of the strings ``choices``, else raise naming the choices.

    A ``TypeError`` for a value that is not a string, a ``ValueError`` (suggesting the closest
    choice) for an unknown string. The choices are case-sensitive, as scikit-learn's options are
    and every string option of pidkit's Python API is; a value that differs from a choice only in
    case is told so (the ``pidkit`` command, as shells go, takes its names in any case).

    Examples
    --------
    >>> check_choice("bits", ("bits", "nats"), name="units")
    'bits'
    >>> check_choice("bit", ("bits", "nats"), name="units")
    Traceback (most recent call last):
    ...
    ValueError: units must be 'bits' or 'nats'; got 'bit'. Did you mean 'bits'?
    >>> check_choice("Bits", ("bits", "nats"), name="units")
    Traceback (most recent call last):
    ...
    ValueError: units must be 'bits' or 'nats'; got 'Bits'. Did you mean 'bits'? Options are case-sensitive.
    """
    if len(choices) == 2:
        listed = f"{choices[0]!r} or {choices[1]!r}"
    else:
        listed = f"one of {list(choices)}"
    if not isinstance(value, str):
        raise TypeError(f"{name} must be {listed}; got {value!r} ({type(value).__name__}).")
    if value not in choices:
        raise ValueError(f"{name} must be {listed}; got {value!r}.{choice_advice(value, choices)}")
    return value


def choice_advice(value: str, choices: Sequence[str]) -> str:
    """What to tell the giver of an option ``value`` that is none of ``choices``: the closest
    choice (:func:`did_you_mean`), and, where ``value`` differs from a choice only in case, that
    options are case-sensitive (``"BROJA"`` looks right and is refused). ``""`` when nothing is close.

    Examples
    --------
    >>> choice_advice("NATS", ["bits", "nats"])
    " Did you mean 'nats'? Options are case-sensitive."
    >>> choice_advice("nat", ["bits", "nats"]), choice_advice("colour", ["bits"])
    (" Did you mean 'nats'?", '')
    """
    case_only = value.lower() in {choice.lower() for choice in choices}
    return did_you_mean(value, choices) + (" Options are case-sensitive." if case_only else "")


def closest(name: str, known: Sequence[str]) -> str | None:
    """The known name closest to a misspelt ``name``, or ``None`` when none is close.

    Case does not count (``"BROJA"`` is ``"broja"``). A ``name`` of two characters or more that
    begins known names is read as an abbreviation of one of them, the closest (else the shortest):
    ``"ep"`` is ``"epochs"`` cut short, not ``"help"``, which difflib finds as like it, and
    ``"eb"`` is ``"eb-extrapolation"``, which difflib finds too unlike it. Otherwise the closest
    name by :func:`difflib.get_close_matches`. Every suggestion of pidkit and pidkit_distill, for
    an option of a command (by its name without the dashes), a keyword, a choice or a file,
    follows this rule.

    Examples
    --------
    >>> from pidkit.utils import closest
    >>> closest("BROJA", ["broja", "mmi"]), closest("digits-rid-s1", ["digits-rid-s0", "kd"])
    ('broja', 'digits-rid-s0')
    >>> closest("colour", ["units"]) is None
    True
    >>> closest("eb", ["none", "eb-extrapolation", "eb-extrapolation-kink"])
    'eb-extrapolation'
    >>> closest("ep", ["epochs", "help"]), closest("sol", ["units", "solver", "tol"])
    ('epochs', 'solver')
    """
    by_lower = {k.lower(): k for k in known}
    lowered = name.lower()
    begun = [k for k in by_lower if k.startswith(lowered)] if len(name) >= _LEAST_ABBREVIATION else []
    close = difflib.get_close_matches(lowered, begun or list(by_lower), n=1)
    if close:
        return by_lower[close[0]]
    return by_lower[min(begun, key=len)] if begun else None


def did_you_mean(name: str, known: Sequence[str]) -> str:
    """``" Did you mean 'x'?"`` for the known name :func:`closest` to a misspelt ``name``, or
    ``""``.

    Examples
    --------
    >>> from pidkit.utils import did_you_mean
    >>> did_you_mean("unit", ["units", "normalize"]), did_you_mean("colour", ["units"])
    (" Did you mean 'units'?", '')
    >>> did_you_mean("BROJA", ["broja", "mmi"])
    " Did you mean 'broja'?"
    """
    match = closest(name, known)
    return f" Did you mean {match!r}?" if match is not None else ""
