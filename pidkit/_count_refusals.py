"""The words of a refusal of a joint whose total is not 1, where its cells are counts of samples.

A joint of counts refused for its total is told that it looks like counts, and which route
corrects the plug-in's bias (:func:`total_advice`; the command's words: :func:`counts_advice`).
It imports only numpy: :mod:`pidkit._validate` reads it, and :mod:`pidkit._count_tables`, which
warns of a rescaled joint's plug-in bias, reads the measures, which read ``_validate``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "MOST_COUNTED", "RESCALE_ADVICE", "counted_cells", "counted_joint_advice", "counts_advice",
    "total_advice", "whole_numbers",
]

RESCALE_ADVICE = "Pass normalize=True to rescale it"
"""The library's advice for a joint whose total is not 1."""


MOST_COUNTED = 2.0**53
"""The largest total of counts that float64 cells hold exactly; whole numbers beyond it (cells of
1e300) are a joint scaled up, not samples counted, and are not judged as counts."""


def counted_joint_advice(name: str) -> str:
    """What the refusal of the total of a joint ``name`` whose cells are counts of samples advises: the
    route that corrects the plug-in's bias first, then ``normalize=True``, the plug-in.

    Examples
    --------
    >>> print(counted_joint_advice("p_yts"))
    Its cells are whole numbers, so it looks like counts of samples: pidkit.estimate.correct_counts(p_yts)
    gives their bias-corrected atoms, and normalize=True rescales them into probabilities, whose atoms
    are the plug-in estimate (biased by the sampling); otherwise fix the input.
    """
    return ("Its cells are whole numbers, so it looks like counts of samples: "
            f"pidkit.estimate.correct_counts({name}) gives their bias-corrected atoms, and normalize=True "
            "rescales them into probabilities, whose atoms are the plug-in estimate (biased by the "
            "sampling); otherwise fix the input.")


def total_advice(cells: np.ndarray, name: str, *, joint: bool) -> str:
    """The last sentence of the refusal of ``cells``, the argument ``name``, whose total is not 1:
    :func:`counted_joint_advice` where they are a joint p[y, t, s] (``joint``) of counts (every cell a
    whole number, their total above 1 and at most :data:`MOST_COUNTED`), else :data:`RESCALE_ADVICE`.

    Examples
    --------
    >>> total_advice(np.array([[[3.0, 1.0]]]), "p_yts", joint=True)[:60]
    'Its cells are whole numbers, so it looks like counts of samp'
    >>> total_advice(np.array([[[1.5, 0.5]]]), "p_yts", joint=True)
    'Pass normalize=True to rescale it, or fix the input.'
    """
    if joint and counted_cells(cells) is not None:
        return counted_joint_advice(name)
    return f"{RESCALE_ADVICE}, or fix the input."


_CLI_COUNTED_JOINT_ADVICE = ("Its cells are whole numbers, so it looks like counts of samples: pass "
                             "--normalize to rescale them into probabilities, whose atoms are the plug-in "
                             "estimate (biased by the sampling: in Python, pidkit.estimate.correct_counts of "
                             "the loaded counts gives bias-corrected atoms), or fix the input.")
"""What the command says of a joint of counts refused for its total, for :func:`counted_joint_advice`."""


def counts_advice(advice: str, joint: Any) -> str:
    """``advice``, the library's refusal of the total of ``joint`` (as read, named ``p_yts``), in
    the words of the command line where every cell of it is a whole number: that it looks like
    counts, which ``--normalize`` rescales into the plug-in estimate (and, where the library said so,
    that :func:`pidkit.estimate.correct_counts` corrects its bias)."""
    if (counted := counted_joint_advice("p_yts")) in advice:
        return advice.replace(counted, _CLI_COUNTED_JOINT_ADVICE)
    if RESCALE_ADVICE not in advice:  # before reading the cells: a refused joint may not convert, or fit
        return advice
    if not whole_numbers(joint):
        return advice
    return advice.replace(RESCALE_ADVICE, "Its cells are whole numbers, so it looks like counts: pass "
                                          "--normalize to rescale them into probabilities")


def whole_numbers(joint: Any) -> bool:
    """Whether every cell of ``joint`` (as read) is a whole number, as counts are."""
    cells = np.asarray(joint, dtype=float)
    return bool((cells == np.round(cells)).all())


def counted_cells(joint: Any) -> np.ndarray | None:
    """``joint`` as int64 counts where every cell is a whole number and they sum to more than 1 and
    at most :data:`MOST_COUNTED` (the one rule of the warnings); else None."""
    cells = np.asarray(joint, dtype=float)
    with np.errstate(over="ignore"):  # cells of 1e308, scaled probabilities: their total is inf
        total = cells.sum()
    if not 1 < total <= MOST_COUNTED or not whole_numbers(cells):
        return None
    return cells.astype(np.int64)
