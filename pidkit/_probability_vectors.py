"""A probability vector given to a function that takes no ``normalize`` (the examples): a total
other than 1 is told to divide by it, not to pass ``normalize=True``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._count_refusals import RESCALE_ADVICE
from ._validate import check_pmf

__all__ = ["probability_vector"]


def probability_vector(value: Any, name: str) -> np.ndarray:
    """``value``, the argument ``name``, checked as a 1-D probability vector summing to 1.

    Examples
    --------
    >>> probability_vector([0.25, 0.75], "p_z")
    array([0.25, 0.75])
    >>> probability_vector((0.5, 0.6), "p_z")
    Traceback (most recent call last):
    ...
    ValueError: p_z sums to 1.1 (off by 0.1), not 1 (allowed: within 1e-09). Pass it divided by its \
total (e.g. p_z=np.divide(w, np.sum(w)) for weights w), or fix the input.
    """
    try:
        vector = check_pmf(value, name=name)
    except ValueError as exc:
        fix = f"Pass it divided by its total (e.g. {name}=np.divide(w, np.sum(w)) for weights w)"
        raise ValueError(str(exc).replace(RESCALE_ADVICE, fix)) from None
    if vector.ndim != 1:
        raise ValueError(f"{name} must be a 1-D probability vector; got {vector.ndim}-D with shape "
                         f"{vector.shape}.")
    return vector
