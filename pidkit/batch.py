"""Many decompositions at once: :func:`bertschinger_batch` (in :mod:`pidkit.broja`) solves them,
:func:`to_frame` makes a pandas table of their results."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ._result import RECORD_FIELDS
from ._type_names import type_with_article
from .broja import bertschinger_batch
from .resampling import QUANTITIES

if TYPE_CHECKING:
    import pandas

__all__ = ["bertschinger_batch", "to_frame"]

NUMBER_COLUMNS = (*QUANTITIES, "gap", "nit", "n_samples")
"""The columns of :func:`to_frame` that hold numbers: float64 (NaN where a result has none),
or int64 where every result has a whole number."""


def to_frame(results: Iterable[Any] | Mapping[Any, Any]) -> pandas.DataFrame:
    """A pandas DataFrame with a row per result: its ``to_dict()`` record, numbers as numbers.

    ``pd.DataFrame([r.to_dict() for r in results])`` reads JSON records, where a missing number
    is ``None``: a column that is ``None`` in every row (the gaps of a batch that all failed, the
    iterations of closed-form solves) became an object column of ``None``. Here the seven
    quantities, ``gap``, ``nit`` and ``n_samples`` are float64 columns with NaN (int64 when every
    value is a whole number), and an infinite gap stays ``inf``.

    Parameters
    ----------
    results : iterable or mapping of PIDResult or RepresentationPID
        Results of :func:`pidkit.bertschinger_batch`, :func:`pidkit.pid`,
        :func:`pidkit.estimate.pid_from_representations`, ... (anything with ``to_dict()``). The
        keys of a dict, or the index of a pandas Series, become the frame's index.

    Returns
    -------
    pandas.DataFrame
        One row per result, the columns of ``to_dict()`` in its order.

    Raises
    ------
    ImportError
        pandas is not installed (it is not a dependency of pidkit).
    TypeError
        ``results`` is one result, or holds something without ``to_dict()``.

    Examples
    --------
    >>> import pidkit
    >>> results = pidkit.bertschinger_batch([pidkit.examples.and_(), pidkit.examples.xor()])
    >>> frame = pidkit.to_frame(results)
    >>> frame[["red", "syn", "gap"]].dtypes.tolist()
    [dtype('float64'), dtype('float64'), dtype('float64')]
    >>> frame["syn"].round(3).tolist()
    [0.5, 1.0]
    >>> pidkit.to_frame(dict(zip(["and", "xor"], results)))["syn"].round(3).to_dict()
    {'and': 0.5, 'xor': 1.0}

    No results give a frame of no rows with the columns of a :class:`~pidkit.PIDResult`'s:

    >>> empty = pidkit.to_frame([])
    >>> len(empty[empty.success]), empty["syn"].dtype
    (0, dtype('float64'))
    """
    try:
        import pandas as pd
    except ImportError:
        message = "to_frame needs pandas, which pidkit does not install: pip install pandas"
        raise ImportError(message) from None
    if not isinstance(results, Iterable):
        raise TypeError(
            f"results must be an iterable of results (a list of PIDResult, ...); got "
            f"{type(results).__name__}. For one result pass [result]."
        )
    if isinstance(results, Mapping):
        index = pd.Index(list(results.keys()))
        results = list(results.values())
    elif isinstance(results, pd.Series):
        index, results = results.index, results.tolist()
    else:
        results = list(results)
        index = pd.RangeIndex(len(results))
    for key, result in zip(index, results, strict=True):
        if not callable(getattr(type(result), "to_dict", None)):
            raise TypeError(
                f"results[{key!r}] is {type_with_article(result)}, not a result with to_dict() (a "
                "PIDResult or RepresentationPID): pass the results of pidkit's decompositions."
            )
    if not results:  # the columns a filter such as frame[frame.success] needs, typed
        return pd.DataFrame({column: pd.Series(dtype=_empty_dtype(column)) for column in RECORD_FIELDS},
                            index=index)
    rows = [result.to_dict() for result in results]
    frame = pd.DataFrame(rows, index=index)
    for column in NUMBER_COLUMNS:
        if column not in frame.columns:
            continue
        values = [getattr(r, column) if column in row else None for r, row in zip(results, rows, strict=True)]
        if all(isinstance(v, (int, np.integer)) for v in values):
            continue  # pandas made it int64 already
        frame[column] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return frame


def _empty_dtype(column: str) -> str:
    """The dtype of ``column`` in a frame of no results: float64 for numbers, bool for success."""
    return "float64" if column in NUMBER_COLUMNS else "bool" if column == "success" else "object"
