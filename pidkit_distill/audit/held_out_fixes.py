"""How to hold out more samples, in the words of the report's fixes for an audit capped by
clusters (:func:`pidkit_distill.audit.records.capped_fixes`): the data set's own option for it.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["held_out_fix"]


def held_out_fix(needed: int, data: dict[str, Any] | None = None) -> str:
    """How to hold out ``needed`` samples, for the data set of a run's ``data`` section, or, for
    ``None``, for the built-in data sets that have an option for it (digits, synthetic).

    Examples
    --------
    >>> held_out_fix(1000, {"name": "digits", "options": {"train_fraction": 0.5}})
    'Enlarge it: --data.options test_fraction=0.56 holds out 1,007 of the 1,797 digits (790 left to train).'
    >>> held_out_fix(1_000_000, {"name": "digits", "options": {}})
    'Enlarge it: digits has 1,797 samples in all, fewer than 1,000,000: it cannot hold out that many.'
    >>> held_out_fix(1000, {"name": "synthetic", "options": {"n_test": 500}})
    'Enlarge it: --data.options n_test=1000.'
    >>> print(held_out_fix(1000))                    # doctest: +NORMALIZE_WHITESPACE
    Enlarge it with the data set's option: for digits, --data.options test_fraction=0.56 holds
    out 1,007 of the 1,797 digits (790 left to train); for synthetic, --data.options
    n_test=1000; for a registered data set, its loader's held-out split.
    """
    if data is None:
        return (f"Enlarge it with the data set's option: for digits, {_digits_fix(needed, {})}; "
                f"for synthetic, --data.options n_test={needed}; for a registered data set, its "
                "loader's held-out split.")
    name, options = str(data.get("name", "")).lower(), dict(data.get("options") or {})
    if name == "digits":
        return f"Enlarge it: {_digits_fix(needed, options)}."
    if name == "synthetic":
        return f"Enlarge it: --data.options n_test={needed}."
    if name in ("cifar10", "cifar100"):
        return (f"{name}'s held-out split is its fixed 10,000-sample test set, fewer than "
                f"{needed:,}: it cannot hold out that many.")
    return f"Enlarge it: {needed:,} or more samples in the held-out split of {name}'s loader."


def _digits_fix(needed: int, options: dict[str, Any]) -> str:
    """The ``test_fraction`` of the digits that holds out ``needed`` samples, in words."""
    from pidkit_distill.data import describe_dataset

    keep = {key: value for key, value in options.items() if key != "test_fraction"}
    whole = describe_dataset("digits", **{**keep, "train_fraction": 1.0})
    total = whole.n_train + whole.n_test
    fraction = math.ceil(needed / total * 100) / 100
    try:
        spec = describe_dataset("digits", **{**keep, "train_fraction": 1.0, "test_fraction": fraction})
    except ValueError:
        return (f"digits has {total:,} samples in all, fewer than {needed:,}: it cannot hold out "
                "that many")
    return (f"--data.options test_fraction={fraction:g} holds out {spec.n_test:,} of the "
            f"{total:,} digits ({spec.n_train:,} left to train)")
