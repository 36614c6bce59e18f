"""Advice of the joint checks that a command line words its own way: what to do with a stack of
joints. :func:`pidkit._validate.check_joint` gives it to Python callers; the ``pidkit`` command
finds the same sentence in the refusal, built here from the shape it read, and replaces it with
what a shell user can do.
"""

from __future__ import annotations

__all__ = ["stack_advice"]


def stack_advice(shape: tuple[int, ...], name: str) -> str:
    """The sentence that :func:`~pidkit._validate.check_joint` adds to its refusal of a 4-D
    ``shape``, read as a stack of joints ``p[k, y, t, s]``; ``""`` for any other shape.

    Parameters
    ----------
    shape : tuple of int
        The refused array's shape.
    name : str
        The argument's name, as the refusal gives it.

    Returns
    -------
    str
        The sentence, starting with a space, or ``""``.

    Examples
    --------
    >>> stack_advice((1, 2, 2, 2), "p_yts")
    ' It holds one joint: pass p_yts[0].'
    >>> stack_advice((2, 2), "p_yts")
    ''
    """
    if len(shape) != 4:
        return ""
    if shape[0] == 1:
        return f" It holds one joint: pass {name}[0]."
    return (f" For a stack of {shape[0]} joints p[k, y, t, s], pass each p[k] (for BROJA, "
            "pidkit.bertschinger_batch(stack) solves the whole stack).")
