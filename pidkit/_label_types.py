"""Labels of one type: numbers, strings and bytes that print alike (``5`` and ``"5"``) are not
mixed in one argument, where they would be counted as different classes. Checked by
:func:`pidkit._labels.check_label_values` for :func:`pidkit.joint_from_samples` and the estimators.
"""

from __future__ import annotations

from numbers import Number
from typing import Any

import numpy as np

# the label types that must not be mixed in one array: each prints like labels of the others
_LABEL_TYPES: dict[str, tuple[type, ...]] = {"numbers": (Number, np.number, np.bool_), "strings": (str,),
                                             "bytes": (bytes,)}
_LOOK_ALIKE = {"numbers": "5", "strings": "'5'", "bytes": "b'5'"}


def check_one_label_type(labels: np.ndarray, name: str) -> None:
    """Refuse a 1-D object array of labels that mixes numbers, strings and bytes (``5`` and
    ``"5"``, ``b"a"`` and ``"a"``): they would be counted as different classes though they print
    alike, as scikit-learn refuses a "Mix of label input types". Other labels (tuples, ``None``,
    enum members) may sit beside any of them; arrays of other kinds hold one type.

    Examples
    --------
    >>> check_one_label_type(np.array([0, (1, 2), None], dtype=object), "y")
    >>> check_one_label_type(np.array([5, 1, "5"], dtype=object), "y")
    Traceback (most recent call last):
    ...
    ValueError: y mixes label types, numbers and strings (5 at index 0, '5' at index 2): ...
    """
    if labels.dtype.kind != "O":
        return
    values = labels.tolist()
    kinds = set(map(type, values))  # once per type, not once per label
    mixed = [group for group, types in _LABEL_TYPES.items() if any(issubclass(k, types) for k in kinds)]
    if len(mixed) < 2:
        return
    firsts = [next(i for i, v in enumerate(values) if isinstance(v, _LABEL_TYPES[group])) for group in mixed]
    shown = ", ".join(f"{_as_python(values[i])!r} at index {i}" for i in firsts)
    alike = " and ".join(_LOOK_ALIKE[group] for group in mixed[:2])
    fixes = ["decode the bytes to str (b.decode())"] if "bytes" in mixed else []
    if "numbers" in mixed:
        fixes.append(_one_type_fix(values, name))
    raise ValueError(
        f"{name} mixes label types, {', '.join(mixed[:-1])} and {mixed[-1]} ({shown}): labels of "
        f"different types are different classes even where they print alike ({alike}). Pass labels "
        f"of one type: {', then '.join(fixes)}."
    )


def _as_python(label: Any) -> Any:
    """A numpy scalar as the Python value it holds (shown ``2``, not ``np.int64(2)``)."""
    return label.item() if isinstance(label, np.generic) else label


def _one_type_fix(values: list[Any], name: str) -> str:
    """How to make ``values``, numbers beside strings, labels of one type. ``astype(str)`` writes a
    whole float as ``'1.0'``, not the ``'1'`` beside it, so where one is among them the message
    says to write those as ints first rather than offer code that keeps them apart."""
    floats = (float(v) for v in values if isinstance(v, (float, np.floating)))
    whole = next((v for v in floats if v.is_integer()), None)
    if whole is None:
        return f"make every label a string, np.asarray({name}).astype(str), or every one a number"
    return (f"make every label a number, or every one a string with the whole floats written as ints "
            f"first (str({whole!r}) is {str(whole)!r}, not {str(int(whole))!r})")
