"""Whether a student's held-out accuracy is at chance: the one rule of the demo's table note
(:mod:`pidkit_distill.demo`) and of the report (:mod:`pidkit_distill.report`, ``accuracy.png``).

Chance is the share of the held-out set's most common class: what a student that always
answers that class scores (one that guesses at random scores less). An accuracy is at chance
when it is at most two binomial standard errors above it, both compared in percent to the
tenth of a point, as they are printed: 27.75 % and 27.8 % are both shown 27.8, and both are at
most 27.8 %.

Train counts chance in each epoch's held-out pass
(:func:`~pidkit_distill.training.evaluate`'s ``majority``) and records it in ``metrics.jsonl``
as ``test_majority``, beside ``test_n`` (the number of held-out samples):
:func:`recorded_chance` reads the two from a record. The demo's note and the report read them
there; the report names the runs at chance under its table (:func:`chance_paragraph`) and
draws chance on ``accuracy.png``; a record without ``test_majority`` says nothing of chance.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["at_chance", "chance_ceiling", "chance_paragraph", "chance_words", "recorded_chance",
           "shown_percent"]


def shown_percent(fraction: float) -> float:
    """A held-out accuracy (a fraction) in percent, to the tenth of a point that is printed.

    Examples
    --------
    >>> shown_percent(0.25754), shown_percent(0.875)
    (25.8, 87.5)
    """
    return round(100 * fraction, 1)


def chance_ceiling(chance: float, n_test: int) -> float:
    """The highest held-out accuracy at chance, in percent as printed: two binomial standard
    errors above ``chance`` on ``n_test`` held-out samples.

    Parameters
    ----------
    chance : float
        The held-out share of the most common class, in [0, 1].
    n_test : int
        The number of held-out samples the accuracy is measured on, at least 1.

    Returns
    -------
    float

    Examples
    --------
    >>> chance_ceiling(0.258, 2000)
    27.8
    """
    return shown_percent(chance + 2 * math.sqrt(chance * (1 - chance) / n_test))


def at_chance(accuracy: float, chance: float, n_test: int) -> bool:
    """Whether the held-out ``accuracy`` is at chance: at most :func:`chance_ceiling`, as
    printed.

    Examples
    --------
    >>> at_chance(0.2776, 0.258, 2000), at_chance(0.2786, 0.258, 2000)
    (True, False)
    """
    return shown_percent(accuracy) <= chance_ceiling(chance, n_test)


def chance_words(chance: float, n_test: int) -> str:
    """What at chance means, in the words the demo and the report print.

    Examples
    --------
    >>> chance_words(0.258, 2000)
    'held-out accuracy at most 27.8 %, two standard errors above the 25.8 % of always \
answering the most common class'
    """
    return (f"held-out accuracy at most {chance_ceiling(chance, n_test):.1f} %, two standard "
            f"errors above the {shown_percent(chance):.1f} % of always answering the most "
            "common class")


def recorded_chance(record: dict[str, Any]) -> tuple[float, int] | None:
    """The chance and the number of held-out samples that a metrics record gives
    (``test_majority``, ``test_n``), or ``None`` where it lacks either.

    Examples
    --------
    >>> recorded_chance({"test_acc": 0.3, "test_majority": 0.258, "test_n": 2000})
    (0.258, 2000)
    >>> print(recorded_chance({"test_acc": 0.3, "test_n": 2000}))
    None
    """
    chance, n_test = record.get("test_majority"), record.get("test_n")
    return None if chance is None or n_test is None else (chance, n_test)


def chance_paragraph(last: dict[str, dict[str, Any]]) -> str:
    """The paragraph under the report's table that names the runs whose last held-out accuracy
    is at chance (:func:`at_chance`, from what their record gives: :func:`recorded_chance`),
    or ``""`` where none is.

    Parameters
    ----------
    last : dict of str to dict
        Each run's last metrics record, by the run's name in the table.

    Returns
    -------
    str

    Examples
    --------
    >>> print(chance_paragraph({
    ...     "bas": {"epoch": 3, "test_acc": 0.26, "test_majority": 0.258, "test_n": 2000},
    ...     "rid": {"epoch": 3, "test_acc": 0.81, "test_majority": 0.258, "test_n": 2000}}))
    At chance: bas (26.0 % at epoch 3): held-out accuracy at most 27.8 %, two standard errors \
above the 25.8 % of always answering the most common class. A student at chance has learnt \
nothing the held-out set shows, so its row compares no method: its epochs were too few for its \
method's schedule, or that is its method's outcome; train it longer (run.epochs) to tell which.
    """
    levels: dict[str, list[str]] = {}  # the runs at chance, by what chance is for them
    for name, record in last.items():
        chance = recorded_chance(record)
        if chance is not None and record["test_acc"] is not None and at_chance(
                record["test_acc"], *chance):
            levels.setdefault(chance_words(*chance), []).append(
                f"{name} ({shown_percent(record['test_acc']):.1f} % at epoch {record['epoch']})")
    if not levels:
        return ""
    runs = "; ".join(f"{', '.join(names)}: {words}" for words, names in levels.items())
    return (f"At chance: {runs}. A student at chance has learnt nothing the held-out set shows, "
            "so its row compares no method: its epochs were too few for its method's schedule, "
            "or that is its method's outcome; train it longer (run.epochs) to tell which.")
