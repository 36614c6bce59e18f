"""Refusals of the joint checks that a command line words its own way: the first cell of a joint
that holds text (or a bool among numbers, or nothing: ``None``, a JSON ``null``), a joint of a
dtype that holds no numbers, what to do with an array of more than three axes (a stack of joints,
or one joint of more than two sources), and with the record that holds a joint (an
:class:`~pidkit.EmpiricalJoint`).
:mod:`pidkit._validate` gives them to Python callers; the ``pidkit`` command builds the same from
what it read, with the advice a shell user can follow.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = [
    "TO_NUMBERS",
    "axes_reading",
    "bool_cell_refusal",
    "first_bool_cell",
    "first_missing_cell",
    "first_text_cell",
    "holder_refusal",
    "missing_cell_refusal",
    "more_axes_advice",
    "one_number_advice",
    "sources_advice",
    "sources_axes",
    "text_as_number",
    "text_cell_refusal",
]

TO_NUMBERS = "Convert it with np.asarray(..., dtype=float)."
"""The last sentence of the refusal of a joint whose dtype holds no real numbers (bool, complex,
dates)."""

ONE_NUMBER_FIX = ("Build it from samples with pidkit.joint_from_samples(y, t, s), or start from a worked one "
                  "in pidkit.examples (pidkit.examples.and_() is the joint of Y = T AND S).")
"""The last sentence of the refusal of one number passed as a joint (:func:`one_number_advice`),
which the command line replaces with its own."""

_SHOWN_CHARACTERS = 40
"""How much of a text cell a refusal shows."""


def first_text_cell(p: Any) -> tuple[tuple[int, ...], str | bytes] | None:
    """The index and value of the first cell of ``p`` that holds text (a ``str`` or ``bytes``),
    in row-major order; ``None`` where none does.

    Nested sequences are searched as given, not as numpy converts them: one string among numbers
    turns the whole converted array into text. An array of a text dtype holds text in every cell,
    so its first cell is the answer.

    Parameters
    ----------
    p : array_like
        A joint as a caller passed it: an array, or nested lists or tuples.

    Returns
    -------
    tuple or None
        ``(index, text)``, the index a tuple of ints.

    Examples
    --------
    >>> first_text_cell([[[0.25, 0.25]], [[0.25, "0.25"]]])
    ((1, 0, 1), '0.25')
    >>> first_text_cell(np.full((2, 2, 2), "a")), first_text_cell([[[0.5, 0.5]]])
    (((0, 0, 0), 'a'), None)
    """
    return _first_cell(p, (str, bytes), "US")


def first_bool_cell(p: Any) -> tuple[tuple[int, ...], bool | np.bool_] | None:
    """The index and value of the first cell of ``p`` that holds a bool (Python's or NumPy's), in
    row-major order; ``None`` where none does.

    Nested sequences are searched as given: numpy reads ``[True, 0.5]`` as ``[1.0, 0.5]``, so the
    converted array no longer shows the bool. An array of the bool dtype holds one in every cell.

    Parameters
    ----------
    p : array_like
        A joint as a caller passed it: nested lists or tuples, or an object array.

    Returns
    -------
    tuple or None
        ``(index, value)``, the index a tuple of ints.

    Examples
    --------
    >>> first_bool_cell([[[0.5, 0.25]], [[0.25, True]]])
    ((1, 0, 1), True)
    >>> first_bool_cell([[[1, 0]]]), first_bool_cell(np.array([[0.5, False]], dtype=object))
    (None, ((0, 1), False))
    """
    return _first_cell(p, (bool, np.bool_), "b")


def first_missing_cell(p: Any) -> tuple[tuple[int, ...], None] | None:
    """The index of the first cell of ``p`` that holds ``None`` (a missing value; a JSON ``null``
    reads as one), in row-major order, with that ``None``; ``None`` where no cell does.

    Parameters
    ----------
    p : array_like
        A joint as a caller passed it: nested lists or tuples, or an object array.

    Returns
    -------
    tuple or None
        ``(index, None)``, the index a tuple of ints.

    Examples
    --------
    >>> first_missing_cell([[[0.5, None], [0.25, 0.25]]]), first_missing_cell([[[0.5, 0.5]]])
    (((0, 0, 1), None), None)
    """
    return _first_cell(p, (type(None),), "")


def missing_cell_refusal(name: str, where: tuple[int, ...], *, masses: bool = True, shown: str = "None",
                         fix: str = "") -> str:
    """The refusal of an array ``name`` whose cell ``where`` holds nothing (``shown``: ``None``, or
    ``null`` as a .json file writes it), ending with what to write there, ``fix``: by default a
    Python caller's, for a joint of masses or (not ``masses``) any array of numbers.

    Examples
    --------
    >>> print(missing_cell_refusal("p_yts", (0, 0, 1)))
    p_yts must be an array of real numbers; p_yts[0, 0, 1] is None: the cell is missing. Write the
    probability it holds as a number: 0 for a mass that is zero (or a count, with normalize=True).
    >>> print(missing_cell_refusal("cov", (0, 1), masses=False))
    cov must be an array of real numbers; cov[0, 1] is None: the entry is missing. Write the number
    it stands for (estimate it first if it is unknown).
    """
    if not fix:
        fix = ("Write the probability it holds as a number: 0 for a mass that is zero (or a count, "
               "with normalize=True)" if masses else
               "Write the number it stands for (estimate it first if it is unknown)")
    return (f"{name} must be an array of real numbers; {name}[{', '.join(map(str, where))}] is "
            f"{shown}: the {'cell' if masses else 'entry'} is missing. {fix}.")


_NESTED = (list, tuple, np.ndarray)


def _first_cell(p: Any, types: tuple[type, ...], kinds: str) -> tuple[tuple[int, ...], Any] | None:
    """The index and value of the first cell of ``p``, in row-major order, that is an instance of
    ``types``, or the first cell of an array whose dtype kind is one of ``kinds`` (every cell of it
    is one); ``None`` where none is. A row of plain cells is scanned in one loop, so a joint of a
    million cells in nested lists takes a fraction of a second."""
    wanted_or_nested = (*types, *_NESTED)
    stack: list[tuple[tuple[int, ...], Any]] = [((), p)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, types):
            return where, value
        if isinstance(value, np.ndarray) and value.dtype != object:
            if value.dtype.kind in kinds and value.size:
                first = (0,) * value.ndim
                return (*where, *first), value[first].item()
            continue  # cells of another kind: refused (or read) by the dtype check, not here
        if isinstance(value, np.ndarray) and value.ndim == 0:
            stack.append((where, value.item()))
        elif isinstance(value, _NESTED):
            for i, item in enumerate(value):
                if not isinstance(item, wanted_or_nested):
                    continue
                if isinstance(item, types):
                    return (*where, i), item
                stack += [((*where, j), value[j]) for j in reversed(range(i, len(value)))]
                break  # a nested row from here on: searched cell by cell
    return None


def bool_cell_refusal(name: str, where: tuple[int, ...], value: bool | np.bool_, *, masses: bool = True,
                      shown: str = "", fix: str = "") -> str:
    """The refusal of an array ``name`` whose cell ``where`` holds the bool ``value`` among numbers,
    ending with what to do, ``fix``: by default a Python caller's, for a joint of masses or (not
    ``masses``) any array of numbers. ``shown`` is how the caller wrote the bool (``"true"`` in a
    .json file), else Python's ``True``/``False``.

    Examples
    --------
    >>> print(bool_cell_refusal("p_yts", (0, 0, 1), True))
    p_yts must be an array of real numbers; p_yts[0, 0, 1] is the bool True, which numpy would read
    as 1.0; write the probability it stands for as a number (or a count, with normalize=True).
    >>> print(bool_cell_refusal("cov", (1, 1), False, masses=False))
    cov must be an array of real numbers; cov[1, 1] is the bool False, which numpy would read as 0.0;
    write the number it stands for.
    """
    shown = shown or repr(bool(value))
    if not fix:
        fix = ("write the probability it stands for as a number (or a count, with normalize=True)"
               if masses else "write the number it stands for")
    return (f"{name} must be an array of real numbers; {name}[{', '.join(map(str, where))}] is the "
            f"bool {shown}, which numpy would read as {float(value)!r}; {fix}.")


def text_as_number(text: str | bytes) -> float | None:
    """The finite number that ``text`` spells (``"0.25"``, ``b"1e-3"``), else ``None``.

    Examples
    --------
    >>> text_as_number(" 0.25"), text_as_number("a"), text_as_number("nan")
    (0.25, None, None)
    """
    try:
        number = float(text)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def text_cell_refusal(
    name: str, where: tuple[int, ...], text: str | bytes, fix: Callable[[str | bytes], str]
) -> str:
    """The refusal of a joint ``name`` whose cell ``where`` holds ``text``, ending with what to do,
    ``fix(text)``; the text is shown as JSON and Python write it (at most 40 characters).

    Examples
    --------
    >>> text_cell_refusal("p_yts", (1, 0, 1), "0.25", lambda text: "write it as a number")
    'p_yts must be an array of real numbers; p_yts[1, 0, 1] is the text "0.25"; write it as a number.'
    """
    cut = text[:_SHOWN_CHARACTERS]
    shown = json.dumps(cut, ensure_ascii=False) if isinstance(cut, str) else repr(cut)
    more = "..." if len(text) > _SHOWN_CHARACTERS else ""
    return (f"{name} must be an array of real numbers; {name}[{', '.join(map(str, where))}] is the "
            f"text {shown}{more}; {fix(text)}.")


def axes_reading(p: np.ndarray) -> str:
    """How an array of more than three axes reads, judged by its totals: ``"one"`` (4-D with a
    first axis of 1: one joint ``p[0]``), ``"stack"`` (4-D, each ``p[k]`` sums to 1: joints
    ``p[k, y, t, s]``), ``"sources"`` (not a stack, and the whole sums to 1: one joint
    ``p[y, x1, x2, ...]`` of a target and ``p.ndim - 1`` sources), ``"either"`` (4-D, neither: counts,
    say, which could be one table or a stack of them); ``""`` for three axes or fewer, or more than
    four that do not sum to 1.

    Examples
    --------
    >>> stack = np.stack([np.full((2, 2, 2), 1 / 8)] * 3)
    >>> axes_reading(stack), axes_reading(stack / 3), axes_reading(stack * 8), axes_reading(stack[:1])
    ('stack', 'sources', 'either', 'one')
    >>> axes_reading(np.full((2, 2, 2, 2, 2), 1 / 32)), axes_reading(np.ones((2, 2, 2)))
    ('sources', '')
    """
    if p.ndim < 4:
        return ""
    whole_sums_to_one = math.isclose(float(p.sum()), 1.0, abs_tol=_READING_TOLERANCE)
    if p.ndim > 4:
        return "sources" if whole_sums_to_one else ""
    if p.shape[0] == 1:
        return "one"
    if np.allclose(p.sum(axis=(1, 2, 3)), 1.0, rtol=0.0, atol=_READING_TOLERANCE):
        return "stack"
    return "sources" if whole_sums_to_one else "either"


_READING_TOLERANCE = 1e-6
"""How far from 1 a total may be for :func:`axes_reading` to count it as 1: looser than a joint's
own check, as it only chooses which advice to give (a stack saved as float32 still reads as one)."""


def sources_advice(sources: int, joint: str, *, python: str = "") -> str:
    """What to do with one joint ``p[y, x1, ..., xn]`` of a target and ``sources`` sources, written
    in code as ``joint``: the calls of pidkit that take any number of sources, and dit's lattice.
    ``python`` goes before the calls (``"in Python, "`` on the command line).

    Examples
    --------
    >>> print(sources_advice(3, "p"))
    pidkit decomposes a target and two sources. For all 3 sources, pidkit.i_gh(p) and pidkit.i_prec(p)
    give their redundancy, and dit the full lattice of atoms:
    dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis(p, 0, -1))) (dit puts the target last).
    """
    return (f"pidkit decomposes a target and two sources. For all {sources} sources, {python}"
            f"pidkit.i_gh({joint}) and pidkit.i_prec({joint}) give their redundancy, and dit the full "
            f"lattice of atoms: dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis({joint}, 0, -1))) "
            "(dit puts the target last).")


def sources_axes(sources: int) -> str:
    """The axes of a joint of a target and ``sources`` sources, as code indexes it.

    Examples
    --------
    >>> sources_axes(3), sources_axes(5)
    ('y, x1, x2, x3', 'y, x1, ..., x5')
    """
    names = [f"x{i}" for i in range(1, sources + 1)]
    return "y, " + ", ".join(names if sources <= 3 else [names[0], "...", names[-1]])


def more_axes_advice(p: np.ndarray, name: str) -> str:
    """The sentence that :func:`~pidkit._validate.check_joint` gives as the fix in its refusal of
    ``p``, an array of more than three axes, as :func:`axes_reading` reads it: a stack of joints
    ``p[k, y, t, s]`` is told to pass each ``p[k]`` (in place of reshaping it); one joint of a target
    and more than two sources, which sums to 1 as a whole, where a pidkit can take them
    (:func:`sources_advice`); a 4-D array that is neither, both. ``""`` for any other array.

    Parameters
    ----------
    p : numpy.ndarray
        The refused array, of real numbers.
    name : str
        The argument's name, as the refusal gives it.

    Returns
    -------
    str
        The sentence, starting with a space, or ``""``.

    Examples
    --------
    >>> print(more_axes_advice(np.full((1, 2, 2, 2), 1 / 8), "p_yts"))
     It holds one joint: pass p_yts[0].
    >>> print(more_axes_advice(np.full((2, 2, 2, 2), 1 / 8), "p_yts"))
     For a stack of 2 joints p[k, y, t, s], pass each p[k] (for BROJA, pidkit.bertschinger_batch(stack) \
solves the whole stack).
    >>> print(more_axes_advice(np.full((2, 2, 2, 2), 1 / 16), "p_yts"))
     It sums to 1 as a whole, not in each p_yts[k], so it reads as one joint p_yts[y, x1, x2, x3] of a \
target and 3 sources, not a stack of joints: pidkit decomposes a target and two sources. For all 3 \
sources, pidkit.i_gh(p_yts) and pidkit.i_prec(p_yts) give their redundancy, and dit the \
full lattice of atoms: dit.pid.PID_WB(dit.Distribution.from_ndarray(np.moveaxis(p_yts, 0, -1))) \
(dit puts the target last).
    >>> more_axes_advice(np.ones((2, 2)), "p_yts"), more_axes_advice(np.array(0.5), "p_yts")
    ('', '')
    """
    reading = axes_reading(p)
    if not reading:  # fewer than four axes (a 0-D array has no first axis to count), or no reading
        return ""
    sources = p.ndim - 1
    stack = (f"For a stack of {p.shape[0]} joints p[k, y, t, s], pass each p[k] (for BROJA, "
             "pidkit.bertschinger_batch(stack) solves the whole stack).")
    joint = f"one joint {name}[{sources_axes(sources)}] of a target and {sources} sources"
    if reading == "one":
        return f" It holds one joint: pass {name}[0]."
    if reading == "stack":
        return f" {stack}"
    if reading == "sources":
        return (f" It sums to 1 as a whole, not in each {name}[k], so it reads as {joint}, not a stack "
                f"of joints: {sources_advice(sources, name)}")
    if reading == "either":
        return f" {stack} If it is {joint}: {sources_advice(sources, name)}"
    return ""


def one_number_advice(p: np.ndarray, name: str) -> str:
    """The sentence that :func:`~pidkit._validate.check_joint` gives as the fix in its refusal of
    ``p``, an array of fewer than three axes that holds one number (a NumPy scalar, a 0-D array, an
    array of one cell): what a joint is, and where one comes from, as no reshaping of one number
    makes one worth decomposing. ``""`` for any other array, whose refusal says to reshape it.

    Parameters
    ----------
    p : numpy.ndarray
        The refused array, of real numbers.
    name : str
        The argument's name, as the refusal gives it.

    Returns
    -------
    str
        The sentence, starting with a space, or ``""``.

    Examples
    --------
    >>> print(one_number_advice(np.array(0.5), "p_yts"))
     It holds one number, 0.5, not a joint: a joint is a table holding, for every y, t and s, the \
probability p_yts[y, t, s] that the target is y, the teacher t and the student s together. Build it \
from samples with pidkit.joint_from_samples(y, t, s), or start from a worked one in pidkit.examples \
(pidkit.examples.and_() is the joint of Y = T AND S).
    >>> one_number_advice(np.ones(8), "p_yts"), one_number_advice(np.ones((1, 1, 1)), "p_yts")
    ('', '')
    """
    if p.size != 1 or p.ndim >= 3:
        return ""
    return (f" It holds one number, {p.item():.6g}, not a joint: a joint is a table holding, for every y, "
            f"t and s, the probability {name}[y, t, s] that the target is y, the teacher t and the student "
            f"s together. {ONE_NUMBER_FIX}")


def holder_refusal(holder: tuple[Any, ...], name: str) -> str:
    """The refusal of a named tuple ``holder`` with a field ``p`` (an :class:`~pidkit.EmpiricalJoint`)
    given as the joint ``name``. A joint counted from samples (it has ``counts``, and ``n_samples``
    above 0 where it has that field) is pointed first at the route that corrects the bias of its
    sampling, then at the plug-in's route that warns of that bias, and only last at ``.p``, whose
    atoms are the same plug-in's with no sample count to warn from; any other holder is told to pass
    its ``.p``.

    Parameters
    ----------
    holder : tuple
        The named tuple given, with ``"p"`` among its ``_fields``.
    name : str
        The argument's name, as the refusal gives it.

    Returns
    -------
    str
        The refusal.

    Examples
    --------
    >>> import pidkit
    >>> print(holder_refusal(pidkit.joint_from_samples([0, 1], [0, 1], [1, 0]), "p_yts"))
    p_yts must be an array, not the EmpiricalJoint that holds one. For its bias-corrected atoms use
    pidkit.estimate.correct_counts(joint.counts); for the plug-in's, pass joint.counts with
    normalize=True, which warns where their bias is a sizeable share of them (joint.p gives them
    without that warning).
    >>> from collections import namedtuple
    >>> holder_refusal(namedtuple("Table", "p labels")(np.ones((2, 2, 2)) / 8, {}), "p_yts")
    'p_yts must be an array, not the Table that holds one; pass its .p attribute.'
    """
    held = f"{name} must be an array, not the {type(holder).__name__} that holds one"
    fields = getattr(holder, "_fields", ())
    counted = "counts" in fields and ("n_samples" not in fields or getattr(holder, "n_samples", None) != 0)
    if not counted:  # not from samples (joint_from_dit's holds no counts): its .p is the joint
        return f"{held}; pass its .p attribute."
    return (f"{held}. For its bias-corrected atoms use pidkit.estimate.correct_counts(joint.counts); for "
            "the plug-in's, pass joint.counts with normalize=True, which warns where their bias is a "
            "sizeable share of them (joint.p gives them without that warning).")
