"""How ``pidkit decompose`` words the library's refusal of a joint it read from a file or from
standard input: the file named first, the joint named ``p`` (as the command's help writes
``p[y][t][s]``) rather than the library's argument ``p_yts``, and the library's advice in Python
(``normalize=True``, ``pidkit.bertschinger_batch(p_yts)``) replaced by what a user of the command
line does instead (``--normalize``, a file per joint, the Python line that saves one)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._count_refusals import counts_advice
from ._joint_advice import (
    ONE_NUMBER_FIX,
    TO_NUMBERS,
    axes_reading,
    bool_cell_refusal,
    first_bool_cell,
    first_missing_cell,
    first_text_cell,
    missing_cell_refusal,
    more_axes_advice,
    sources_advice,
    sources_axes,
    text_as_number,
    text_cell_refusal,
)
from ._joint_input import STDIN, STDIN_NAME, npy_target, one_joint_advice, samples_advice
from ._validate import dtype_advice
from .command_line import one_line
from .redundancy.vertex_limit import TooManyVertices


def joint_refusal(exc: TypeError | ValueError, joint: Any, path: str | None) -> str:
    """The one-line refusal of ``joint``, which the library refused with ``exc``, as ``pidkit
    decompose`` reports it: after the name of the file at ``path`` (:data:`STDIN` for standard
    input, None for a named example, which the command's words fit as they are).

    Parameters
    ----------
    exc : TypeError or ValueError
        The library's refusal of the joint.
    joint : numpy.ndarray or list
        The joint as read: a .npy array or the JSON's nested list.
    path : str or None
        The joint's file as given on the command line, :data:`STDIN`, or None.

    Returns
    -------
    str
        The refusal, e.g. ``"joint.npy: the joint sums to 0.5 ... Pass --normalize to rescale it, ..."``.

    Examples
    --------
    >>> import pidkit
    >>> half = np.full((2, 2, 2), 1 / 16)
    >>> try:
    ...     pidkit.pid(half)
    ... except ValueError as exc:
    ...     print(joint_refusal(exc, half, "half.npy"))
    half.npy: the joint sums to 0.5 (off by 0.5), not 1 (allowed: within 1e-09). Pass --normalize to \
rescale it, or fix the input.
    """
    source = STDIN_NAME if path == STDIN else path
    save_to = npy_target(source or "")
    # The library's advice names its keywords; here the same settings are options.
    advice = (exc.explain(_cli_max_vertices, spell_measure=spell_measure())
              if isinstance(exc, TooManyVertices) else one_line(exc))
    text = first_text_cell(joint) if isinstance(exc, TypeError) and path is not None else None
    if text is not None:
        advice = text_cell_refusal("p_yts", *text, fix=_text_fix(isinstance(joint, np.ndarray), save_to))
    elif isinstance(exc, TypeError) and isinstance(joint, list) and np.asarray(joint).dtype != np.bool_:
        advice = _json_null_refusal(joint, advice) or _json_bool_refusal(joint, advice)
    if path is not None:
        advice = _with_more_axes_advice(advice, joint, path)
        advice = advice.replace(*_to_numbers(joint, save_to))
    advice = counts_advice(advice, joint)
    for python, shell in _cli_advice(save_to):
        advice = advice.replace(python, shell)
    return f"{source}: {_joint_named(advice)}" if source is not None else _joint_named(advice)


def corrected_route(loaded: str) -> Callable[[np.ndarray], str]:
    """How to get bias-corrected atoms from counts that Python reads as ``loaded``: the call of
    pidkit.estimate.correct_counts that accepts them (its default subsamples, else fewer parts),
    or, where none does, to count more samples.

    Examples
    --------
    >>> corrected_route("np.load('counts.npy')")(np.full((2, 2, 2), 50))
    "For bias-corrected atoms, in Python: pidkit.estimate.correct_counts(np.load('counts.npy')); or \
count more samples."
    """

    def route(counts: np.ndarray) -> str:
        from .estimate.correction import DEFAULT_BIAS_CORRECTION, DEFAULT_SUBSAMPLES, check_sample_size
        n, default = int(counts.sum()), DEFAULT_SUBSAMPLES
        for parts in (default, *((2, most) for most in range(max(default) - 1, 2, -1))):
            try:
                check_sample_size(counts.shape, n, method=DEFAULT_BIAS_CORRECTION, subsamples=parts)
            except ValueError:
                continue
            fewer = ("", "") if parts == default else (f", subsamples={parts}", f" (its default subsamples="
                                                       f"{default} cut these {n} samples too finely)")
            return (f"For bias-corrected atoms, in Python: pidkit.estimate.correct_counts({loaded}{fewer[0]})"
                    f"{fewer[1]}; or count more samples.")
        return (f"For bias-corrected atoms, count more samples: these {n} are too few for "
                "pidkit.estimate.correct_counts on this table.")

    return route


def _cli_advice(save_to: str) -> tuple[tuple[str, str], ...]:
    """The library's advice in Python, and what a user of the command line does instead, whose
    joint Python saves to ``save_to`` (``FILE``, or ``sys.stdout.buffer`` for a piped joint)."""
    save = ("Save one joint with three axes (a .npy array of shape (n_y, n_t, n_s), or a .json list "
            f"nested three deep, p[y][t][s]); {samples_advice(save_to)}")
    return (
        ("Pass normalize=True", "Pass --normalize"),
        ("pass np.clip(p_yts, 0, None)", "save np.clip(p, 0, None) in its place"),
        ("Reshape it, or build it from samples with pidkit.joint_from_samples(y, t, s).", f"{save}."),
        (ONE_NUMBER_FIX, f"{save}; or decompose a worked one: pidkit decompose --example and."),
    )


_JOINT_IN_CODE = re.compile(r"(?<=\()p_yts\b|\bp_yts(?=\[)")
"""The library's name of the joint argument in code: a call's argument (``np.clip(p_yts, ...``) or
indexed (``p_yts[0, 0, 1]``)."""
_JOINT_IN_WORDS = re.compile(r"\bp_yts\b")
"""The library's name of the joint argument anywhere else, in words (``p_yts sums to 4.0``)."""


def _joint_named(advice: str) -> str:
    """``advice`` from the library, which names its joint argument ``p_yts``, as this command names
    the joint it read (its file's name comes before): ``p`` in code and indices (``p[0, 0, 1]``, as
    the command's help writes ``p[y][t][s]``), ``the joint`` in words. A Python caller's messages
    keep naming ``p_yts``, the argument it passed.

    Examples
    --------
    >>> _joint_named("p_yts has negative mass at p_yts[0, 1, 0]; fix how p_yts was computed.")
    'the joint has negative mass at p[0, 1, 0]; fix how the joint was computed.'
    >>> _joint_named("save np.clip(p_yts, 0, None)")
    'save np.clip(p, 0, None)'
    """
    return _JOINT_IN_WORDS.sub("the joint", _JOINT_IN_CODE.sub("p", advice))


def _to_numbers(joint: Any, save_to: str) -> tuple[str, str]:
    """The library's advice for a joint of a dtype that holds no real numbers, read from a .npy
    array or from JSON (which can only be of true and false), and what a user of this command does
    instead: save the array's numbers (its real part, the field of its records that holds them) to
    ``save_to`` or write numbers."""
    if not isinstance(joint, np.ndarray):
        return TO_NUMBERS, ("Write numbers in its cells, not true or false: probabilities, or counts with "
                            "--normalize.")
    dtype = joint.dtype
    if dtype.names:
        first = dtype.names[0]
        fields, python = (f"the field {first!r}", "in Python:") if len(dtype.names) == 1 else (
            f"the one of its fields {', '.join(map(repr, dtype.names))} that holds the joint",
            f"in Python, for the field {first!r}:")
        return dtype_advice(dtype, "p_yts"), (f"Its cells are records, not numbers: save {fields} in its "
                                              f"place ({python} np.save({save_to}, p[{first!r}])).")
    numbers = "Save real numbers in it: probabilities, or counts with --normalize"
    if dtype.kind == "V":
        return dtype_advice(dtype, "p_yts"), f"Its cells are raw bytes (numpy's void dtype). {numbers}."
    python = (f"np.save({save_to}, p.real), if the imaginary parts are rounding noise" if dtype.kind == "c"
              else f"np.save({save_to}, p.astype(float))")
    return TO_NUMBERS, f"{numbers} (in Python: {python})."


def _text_fix(npy: bool, save_to: str) -> Callable[[str | bytes], str]:
    """What a user of this command does about a text cell of a joint read from a .npy array
    (``npy``, saved again to ``save_to``) or from JSON, given the text (a number in quotes, or a
    label)."""

    def fix(text: str | bytes) -> str:
        number = text_as_number(text)
        if number is not None:
            return (f"save the joint as numbers (in Python: np.save({save_to}, p.astype(float)))" if npy
                    else f"write it without quotes ({number!r})")
        numbers = "a joint p[y][t][s] holds only numbers (probabilities, or counts with --normalize)"
        return f"{numbers}; {samples_advice(save_to)}" if npy else numbers

    return fix


def _json_null_refusal(joint: list[Any], advice: str) -> str:
    """The refusal of a .json joint with a null among its cells, named as the file writes it and
    with what to write instead; ``""`` where the library refused another cell (``advice``)."""
    cell = first_missing_cell(joint)
    if cell is None or advice != missing_cell_refusal("p_yts", cell[0]):
        return ""
    return missing_cell_refusal("p_yts", cell[0], shown="null", fix=(
        "Write the probability it holds as a number: 0 for a mass that is zero (or a count, with "
        "--normalize)"))


def _json_bool_refusal(joint: list[Any], advice: str) -> str:
    """The refusal of a .json joint with a true or false among its numbers, named as the file
    writes it and with what to write instead; ``advice`` where it holds no bool."""
    cell = first_bool_cell(joint)
    if cell is None:
        return advice
    return bool_cell_refusal("p_yts", *cell, shown=json.dumps(bool(cell[1])), fix=(
        "write the probability it stands for as a number, not true or false (or a count, with --normalize)"))


def _with_more_axes_advice(advice: str, joint: Any, path: str) -> str:
    """``advice`` with the library's advice for an array of more than three axes (pass each
    ``p[k]`` of a stack, or the stack to ``pidkit.bertschinger_batch``; the calls that take a joint
    of more sources) replaced by what a user of this command does with the file at ``path``, which
    holds ``joint``: save each joint of a stack to a file of its own (pipe each, for a stack piped
    into standard input), or load a joint of more sources in Python."""
    try:
        numbers = np.asarray(joint)
    except ValueError:  # a ragged .json list: refused as ragged, never for its axes
        return advice
    if numbers.dtype.kind not in "fiu":  # refused for its cells, never for its axes
        return advice
    library = more_axes_advice(numbers, "p_yts")
    if not library:
        return advice
    reading = axes_reading(numbers)
    npy = Path(path).suffix.lower() == ".npy"
    load = f"np.load({path!r})" if npy else f"json.loads(Path({path!r}).read_text())"
    load = "p" if path == STDIN else load
    sources = numbers.ndim - 1
    joint_of_sources = f"one joint p[{sources_axes(sources)}] of a target and {sources} sources"
    more_sources = sources_advice(sources, load, python="in Python, ")
    if reading == "sources":
        own = (f" It sums to 1 as a whole, not in each p[k], so it reads as {joint_of_sources}, not a stack "
               f"of joints: {more_sources}")
    else:
        own = _stack_of_files(numbers.shape[0], path, load, npy)
        if reading == "either":
            own += f" If it is {joint_of_sources}: {more_sources}"
    return advice.replace(library, own)


def _stack_of_files(joints: int, path: str, load: str, npy: bool) -> str:
    """What a user of this command does with a stack of ``joints`` joints in the file at ``path``
    (a .npy array where ``npy``, else .json), which Python reads as ``load``."""
    if path == STDIN:
        return _piped_stack_advice(joints)
    if joints == 1:
        return (f" It holds one joint, p[0]: save it alone (in Python: np.save('joint.npy', {load}[0])) "
                "and decompose that file." if npy else
                " It holds one joint, p[0]: delete the file's first '[' and last ']' and decompose it again.")
    save = ("np.save(f'joint{k}.npy', joint)" if npy else
            "Path(f'joint{k}.json').write_text(json.dumps(joint))")
    each = one_joint_advice("p[k]", load, piped=False, files=f"joint*.{'npy' if npy else 'json'}",
                            python=f" (in Python: for k, joint in enumerate({load}): {save})")
    return f" For a stack of {joints} joints p[k, y, t, s]: {each}."


def _piped_stack_advice(joints: int) -> str:
    """What a user of this command does with a stack of ``joints`` joints piped into it."""
    if joints == 1:
        return " It holds one joint, p[0]: pipe p[0] alone."
    return f" For a stack of {joints} joints p[k, y, t, s]: {one_joint_advice('p[k]', 'p', piped=True)}."


def _cli_max_vertices(max_vertices: int | None) -> str:
    """``max_vertices`` as this command takes it, for the refusal of a joint too large for it."""
    return "--max-vertices none" if max_vertices is None else f"--max-vertices {max_vertices}"


def spell_measure(option: str = "--measure") -> Callable[[str, bool], str]:
    """How the refusal of a joint too large for a measure (``TooManyVertices.explain``) names the
    measures on this command line: the first as ``option`` takes it, ``--measure gh``, and the
    others it lists after one as words, as ``--help`` lists them. ``option`` names the measure
    where the user did not choose it (``pidkit check theorem-4.1`` solves every measure of its chain).

    Examples
    --------
    >>> spell = spell_measure()
    >>> spell("gh", True), spell("wedge", False), spell_measure("measure")("gh", True)
    ('--measure gh', 'wedge', 'measure gh')
    """
    return lambda measure, first: f"{option} {measure}" if first else measure
