"""The fix that a refusal of a pandas table of joint cells gives: a Series indexed by three levels
(``value_counts()``, ``groupby([...]).size()``) or a DataFrame of one index level and two column
levels (``pd.crosstab(y, [t, s])``) is the joint in long or wide form, not the array
``p[y, t, s]``. Reshaping its values puts cells in the wrong places (``value_counts`` sorts them by
count, and both leave out combinations never seen), so the fix builds the array from the table's
own level codes. pandas is not imported: the tables are recognised by their attributes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pandas_table_advice"]


def pandas_table_advice(table: Any, name: str) -> str:
    """The sentence that a refusal of ``table`` as a 3-D array ``name`` gives as its fix, where
    ``table`` is a pandas table of joint cells; ``""`` for anything else.

    Parameters
    ----------
    table : object
        What the caller passed as the joint.
    name : str
        The argument's name, as the refusal gives it.

    Returns
    -------
    str
        The sentence, starting with a space, or ``""``.

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.Series([3, 1], index=pd.MultiIndex.from_tuples([(0, 0, 1), (1, 1, 0)]))
    >>> print(pandas_table_advice(cells, "p_yts"))  # doctest: +NORMALIZE_WHITESPACE
     It is a pandas Series of 2 cells indexed by 3 levels (None, None, None), as value_counts()
     or groupby([...]).size() make, whose values are no array p_yts[y, t, s]: reshaping them puts
     cells in the wrong places (value_counts sorts them by count, and combinations never seen are
     missing). Build the array from its index: p = np.zeros(p_yts.index.levshape);
     p[tuple(p_yts.index.codes)] = p_yts.to_numpy(); or count the samples with
     pidkit.joint_from_samples(y, t, s). (p's axes are the levels in their order, each axis's
     labels in the order of p_yts.index.levels, which value_counts leaves unsorted; no atom of the
     PID depends on the order of the labels.)
    >>> pandas_table_advice(pd.Series([0.5, 0.5]), "p_yts")
    ''
    """
    # pandas Indexes (pandas is untyped) or None: _levels is 0 for None, so a branch that
    # needs levels has an Index.
    index: Any = getattr(table, "index", None)
    columns: Any = getattr(table, "columns", None)
    if _levels(index) == 3 and columns is None and hasattr(table, "to_numpy"):
        return (
            f" It is a pandas Series of {len(table)} cells indexed by 3 levels "
            f"{tuple(index.names)}, as value_counts() or groupby([...]).size() make, whose values "
            f"are no array {name}[y, t, s]: reshaping them puts cells in the wrong places "
            "(value_counts sorts them by count, and combinations never seen are missing). Build "
            f"the array from its index: p = np.zeros({name}.index.levshape); "
            f"p[tuple({name}.index.codes)] = {name}.to_numpy(); or count the samples with "
            f"pidkit.joint_from_samples(y, t, s). (p's axes are the levels in their order, each "
            f"axis's labels in the order of {name}.index.levels, which value_counts leaves "
            "unsorted; no atom of the PID depends on the order of the labels.)"
        )
    if _levels(index) == 1 and _levels(columns) == 2 and hasattr(table, "to_numpy"):
        return (
            f" It is a pandas DataFrame with index {index.name!r} and 2 column levels "
            f"{tuple(columns.names)}, as pd.crosstab(y, [t, s]) makes, whose 2-D values are no "
            f"array {name}[y, t, s]: reshaping them puts cells in the wrong places where a "
            "combination of the column levels was never seen (crosstab leaves it out). Build the "
            f"array from its columns' levels: p = np.zeros((len({name}), "
            f"*{name}.columns.levshape)); p[(slice(None), *{name}.columns.codes)] = "
            f"{name}.to_numpy(); or count the samples with pidkit.joint_from_samples(y, t, s). "
            f"(p's labels are in the order of {name}.index and {name}.columns.levels.)"
        )
    return ""


def _levels(labels: Any) -> int:
    """The number of levels of a pandas Index or MultiIndex, 0 for anything else."""
    levels = getattr(labels, "nlevels", 0)
    return levels if isinstance(levels, int) else 0
