"""Checks of a computation's settings: counts, seeds, named options, confidence levels, n_jobs.

The checks of the data themselves (joints, covariances, tolerances) are in
:mod:`pidkit._validate`; each error names the argument, what was wrong and how to fix it.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._names import choice_advice

__all__ = [
    "SEED_MAX",
    "check_confidence",
    "check_generator",
    "check_int",
    "check_n_jobs",
    "check_option",
    "check_partition_repeats",
    "check_replicates",
    "check_seed",
]

SEED_MAX = 2**32 - 1
"""Largest accepted ``random_state``."""


def check_int(
    value: Any, name: str, *, minimum: int, alternative: str = "", hint: str = "", meaning: str = ""
) -> int:
    """Return ``value`` as an int >= ``minimum`` (bools are rejected).

    A refusal names ``alternative``, another value the caller accepts (``"'auto'"``), and ends
    with the sentence ``hint``. ``meaning`` says what the number is, with an example (``"the
    number of bootstrap resamples, e.g. bootstrap=200"``), for the refusal of a bool, which
    then says what the number is (``hint`` after it): ``bootstrap=True`` reads as a switch.

    Examples
    --------
    >>> from pidkit.utils import check_int
    >>> check_int(3, "n_clusters", minimum=2)
    3
    >>> check_int(1, "n_clusters", minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: n_clusters must be an int >= 2; got 1.
    >>> check_int(None, "n_clusters", minimum=2, alternative="'auto'", hint="'auto' is the default.")
    Traceback (most recent call last):
    ...
    TypeError: n_clusters must be an int >= 2 or 'auto'; got None (NoneType). 'auto' is the default.
    """
    expected = f"{name} must be an int >= {minimum}" + (f" or {alternative}" if alternative else "")
    hint = f" {hint}" if hint else ""
    if isinstance(value, bool) and meaning:
        raise _bool_refusal(value, expected, meaning, hint)
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{expected}; got {value!r} ({type(value).__name__}).{hint}")
    if value < minimum:
        raise ValueError(f"{expected}; got {value!r}.{hint}")
    return int(value)


def _bool_refusal(value: bool, expected: str, meaning: str, hint: str = "") -> TypeError:
    """The refusal of ``value``, a bool, passed where a number is meant (``bootstrap=True``, a
    switch to the caller): ``expected`` (``"bootstrap must be an int >= 0"``), then ``meaning``,
    what the number is with an example, then ``hint`` (a sentence with its leading space, or "").
    Shared by :func:`check_int` and :func:`check_n_jobs`.

    Examples
    --------
    >>> _bool_refusal(True, "n_boot must be an int >= 2", "the number of resamples, e.g. n_boot=200")
    TypeError('n_boot must be an int >= 2, the number of resamples, e.g. n_boot=200; got True (bool).')
    """
    return TypeError(f"{expected}, {meaning}; got {value!r} (bool).{hint}")


def check_seed(random_state: Any, name: str = "random_state") -> int:
    """Return an int seed, so that the run can be recorded and repeated.

    ``None`` draws a fresh one; a ``numpy.random.Generator`` or ``RandomState`` (as scikit-learn
    accepts) gives one drawn from it, which advances it.

    Examples
    --------
    >>> check_seed(7)
    7
    >>> check_seed(np.random.default_rng(0)) == check_seed(np.random.default_rng(0))
    True
    """
    if random_state is None:
        return int(np.random.SeedSequence().generate_state(1)[0])
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(SEED_MAX, endpoint=True))
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(SEED_MAX + 1, dtype=np.int64))
    expected = f"{name} must be an int in [0, 2**32 - 1], a numpy.random.Generator or RandomState, or None"
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise TypeError(
            f"{expected}; got {random_state!r} ({type(random_state).__name__}). Pass an int for "
            "reproducible results."
        )
    seed = int(random_state)  # exact: an Integral's int is its value
    if not 0 <= seed <= SEED_MAX:
        raise ValueError(f"{expected}; got {random_state!r}.")
    return seed


def check_generator(random_state: Any, name: str = "random_state") -> np.random.Generator:
    """``random_state`` as a Generator to draw from.

    A ``numpy.random.Generator`` comes back as it is, so that draws advance it (one passed to
    several calls gives each different numbers); anything else seeds a new one by
    :func:`check_seed` (an int, None, or a ``RandomState``, which the seed drawn advances), whose
    ``TypeError`` or ``ValueError`` names ``name``.

    Examples
    --------
    >>> float(check_generator(0).random()) == float(np.random.default_rng(0).random())
    True
    >>> rng = np.random.default_rng(0)
    >>> check_generator(rng, "rng") is rng
    True
    """
    if isinstance(random_state, np.random.Generator):
        return random_state
    return np.random.default_rng(check_seed(random_state, name))


def check_option(value: Any, name: str, options: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``options`` (strings, and ``None`` or other objects matched
    by identity), else raise a ValueError listing them, with the advice of
    :func:`pidkit._names.choice_advice` for a string (the closest option, and that options are
    case-sensitive where only the case differs), or, where ``None`` is an option, that ``None``
    (no quotes) turns it off for ``False`` or ``"none"``. Unlike :func:`pidkit._names.check_choice`,
    whose options are strings only, any value is refused with a ValueError.

    Examples
    --------
    >>> check_option("l2", "normalize", ("l2", None))
    'l2'
    >>> check_option("L2", "normalize", ("l2", None))
    Traceback (most recent call last):
    ...
    ValueError: normalize must be one of [...]; got 'L2'. Did you mean 'l2'? Options are case-sensitive.
    >>> check_option(False, "normalize", ("l2", None))
    Traceback (most recent call last):
    ...
    ValueError: normalize must be one of ['l2', None]; got False. None (no quotes) turns it off.
    """
    if not any(value is opt or (isinstance(value, str) and value == opt) for opt in options):
        named = [o for o in options if isinstance(o, str)]
        hint = choice_advice(value, named) if isinstance(value, str) else ""
        off = value is False or value is np.False_ or (isinstance(value, str)
                                                        and value.lower() in ("none", "off", "no"))
        if off and None in options and not hint:
            hint = " None (no quotes) turns it off."
        raise ValueError(f"{name} must be one of {list(options)!r}; got {value!r}.{hint}")
    return value


def check_confidence(confidence: Any) -> float:
    """Return ``confidence`` as a float in (0, 1).

    A numpy float narrower than float64 (``np.float32(0.95)``, whose value is 0.949999988...) is
    read as the shortest decimal that it holds, the one the user wrote, so that the confidence is
    0.95 where it is printed (not 94.999999 %) and compared with 0.95.

    Examples
    --------
    >>> check_confidence(np.float32(0.95)), float(np.float32(0.95))
    (0.95, 0.949999988079071)
    """
    if isinstance(confidence, bool) or not isinstance(confidence, numbers.Real):
        raise TypeError(f"confidence must be a float in (0, 1); got {confidence!r}.")
    if confidence <= 0 or not confidence < 1:  # numbers.Real promises < and <=; a NaN fails
        raise ValueError(f"confidence must be a float in (0, 1), e.g. 0.95; got {confidence!r}.")
    if isinstance(confidence, np.floating) and confidence.dtype.itemsize < 8:
        return float(str(confidence))  # numpy prints the shortest decimal that reads back as it
    return float(confidence)


def check_n_jobs(n_jobs: Any) -> None:
    """Accept joblib's ``n_jobs``: None, a positive int, or a negative int (-1 = all cores)."""
    if n_jobs is None:
        return
    expected = "n_jobs must be None, a positive int, or a negative int (-1 = all cores)"
    if isinstance(n_jobs, bool):
        raise _bool_refusal(n_jobs, expected, "the number of parallel workers, e.g. n_jobs=4")
    if not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"{expected}; got {n_jobs!r} ({type(n_jobs).__name__}).")
    if n_jobs == 0:
        raise ValueError(f"{expected}; got 0. Pass 1 to work in this process.")


def check_partition_repeats(n_repeats: Any) -> int:
    """Return ``n_repeats``, the number of random partitions of the sample per subsample size of
    the extrapolated bias corrections, as an int >= 1; ``n_repeats=True`` is told what it counts.
    Shared by :func:`pidkit.estimate.correct_counts`, :func:`pidkit.estimate.pid_from_representations`
    and their bootstrap's statistic.

    Examples
    --------
    >>> check_partition_repeats(True)
    Traceback (most recent call last):
    ...
    TypeError: n_repeats must be an int >= 1, the number of random partitions of the sample per ...
    """
    return check_int(n_repeats, "n_repeats", minimum=1, meaning=(
        "the number of random partitions of the sample per subsample size, e.g. n_repeats=8"))


def check_replicates(value: Any, name: str, *, zero_allowed: bool) -> int:
    """Return the number of bootstrap replicates ``value``: at least 2, or 0 (no bootstrap) when
    ``zero_allowed``. One replicate has no spread: its "interval" would have zero width.

    Examples
    --------
    >>> check_replicates(200, "bootstrap", zero_allowed=True)
    200
    >>> check_replicates(0, "n_boot", zero_allowed=False)
    Traceback (most recent call last):
    ...
    ValueError: n_boot must be an int >= 2; got 0.
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == 1:
        zero = "0 for no intervals, or " if zero_allowed else ""
        raise ValueError(
            f"{name}=1: one replicate has no spread, so its interval would have zero width; pass "
            f"{zero}at least 2 (a few hundred for 95 % intervals)."
        )
    example = f"{name}=200" + (" (0 for none)" if zero_allowed else "")
    return check_int(value, name, minimum=0 if zero_allowed else 2,
                     meaning=f"the number of bootstrap resamples, e.g. {example}")
