"""Users' arrays and tables read as numpy arrays: tensors, pandas and polars DataFrames, masked
arrays, lists of batches and pandas indexes, with errors that say what a value holds and how to
pass it. Shared by the estimators' features, the Gaussian PID's samples and the labels of
:mod:`pidkit._labels`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import issparse

from ._type_names import type_with_article

RowLength = tuple[tuple[int, ...], int | None]
"""A row of nested sequences and its length: its index (one int per axis) and how many values it
holds (``None`` for a number), as :func:`_ragged_rows` reports it."""


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array; tensors of array libraries (torch, jax) are detached and moved to
    host, bfloat16 ones as float32 (numpy has no bfloat16; float32 holds every such value exactly),
    and so is each tensor of a list or tuple of them (one per sample), which ``np.asarray`` reads
    only when none requires grad and all are on the CPU (the others were refused with torch's
    "Can't call numpy() on Tensor that requires grad").

    Examples
    --------
    >>> to_numpy([1, 2]).tolist()
    [1, 2]
    """
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu()
        if str(x.dtype) == "torch.bfloat16":
            x = x.float()
        x = x.numpy()
    elif isinstance(x, (list, tuple)) and x and all(hasattr(item, "detach") and hasattr(item, "cpu")
                                                     for item in x):
        x = [to_numpy(item) for item in x]
    return np.asarray(x)


def dataframe_to_numpy(x: Any, name: str) -> np.ndarray | None:
    """A DataFrame ``x`` (pandas or polars) as a numpy array read by its columns' dtypes; ``None``
    when ``x`` is not one (duck-typed: ``columns``, ``to_numpy`` and ``dtypes`` that
    :func:`_numeric_column` knows; neither library is a dependency).

    Columns that are all numeric give their common numpy type (bool columns beside float ones:
    floats, where pandas gives an object array); with pandas' nullable ``Int64``/``Float64``/
    ``boolean`` among them, a float array (NA as NaN, for the caller's finite check to report).
    A polars frame is converted by its own means (nulls of numbers as NaN; those of Boolean
    columns, which it leaves as None, a ValueError naming them as nulls). Other columns
    (strings, categories, dates) are a TypeError naming them and the fix, where ``np.asarray``
    would give an object array and a message about its dtype only (or, from polars, dates as
    numbers). A polars LazyFrame is a TypeError asking for ``.collect()``
    (:func:`check_not_lazy`).

    Examples
    --------
    >>> dataframe_to_numpy(np.ones(2), "t") is None
    True
    """
    check_not_lazy(x, name)
    dtypes = list(getattr(x, "dtypes", [])) if hasattr(x, "columns") and hasattr(x, "to_numpy") else []
    numeric = [_numeric_column(dtype) for dtype in dtypes]
    if not dtypes or None in numeric:
        return None
    other = [(column, str(dtype)) for column, dtype, ok in zip(x.columns, dtypes, numeric, strict=True)
             if not ok]
    pandas = all(hasattr(dtype, "kind") for dtype in dtypes)
    if other:
        shown = ", ".join(f"{column!r} ({dtype})" for column, dtype in other[:5])
        more = f" and {len(other) - 5} more" if len(other) > 5 else ""
        select = f"{name}.select_dtypes('number')" if pandas else f"{name}.select(pl.selectors.numeric())"
        raise TypeError(
            f"{name} is a DataFrame with {len(other)} non-numeric column(s): {shown}{more}; "
            f"features must be numbers. Select the numeric columns ({select}) "
            "or encode the others as numbers first."
        )
    if all(isinstance(dtype, np.dtype) for dtype in dtypes):
        return x.to_numpy(dtype=np.result_type(*set(dtypes)))
    if pandas:
        return x.to_numpy(dtype=np.float64, na_value=np.nan)
    arr = np.asarray(x)
    if arr.dtype == object:  # polars' Boolean columns with nulls: None among True and False
        _check_no_nulls(arr, name)
    return arr


def check_not_sparse(x: Any, name: str, what: str = "features", hint: str = "") -> None:
    """Refuse a scipy sparse matrix or array ``x`` with the way to densify it and what that costs
    (``np.asarray`` would wrap it in a 0-d object array). Shared by :mod:`pidkit.estimate`'s
    features and the Gaussian PID's samples; ``what`` names what pidkit needs dense, ``hint`` is a
    sentence added at the end.

    Examples
    --------
    >>> from scipy.sparse import csr_array
    >>> check_not_sparse(csr_array(np.eye(4)), "t")
    Traceback (most recent call last):
    ...
    TypeError: t is a scipy sparse matrix of shape (4, 4) (4 stored values); pidkit needs dense ...
    """
    if issparse(x):
        dense_bytes = int(np.prod(x.shape)) * 8
        end = f" {hint}" if hint else ""
        raise TypeError(
            f"{name} is a scipy sparse matrix of shape {x.shape} ({x.nnz} stored values); pidkit needs "
            f"dense {what}: pass {name}.toarray() ({dense_bytes / 2**20:.1f} MiB as float64).{end}"
        )


def numbers_to_numpy(x: Any, name: str, rows: str, what: str = "an array of numbers") -> np.ndarray:
    """Numbers ``x`` (an array, tensor, list, or a pandas or polars DataFrame or Series) as a numpy
    array, for the caller to check its dtype and shape. Shared by the estimators' features and the
    Gaussian PID's samples.

    A masked array with masked values is refused (:func:`check_unmasked`; ``rows`` names the
    inputs whose rows go together), a DataFrame is read by its columns' dtypes
    (:func:`dataframe_to_numpy`), anything else by :func:`converted` (``what``: what ``x`` should
    be, for its message). A column of numbers or booleans with missing values, which numpy reads as
    objects, is read as in a DataFrame: pandas' (NA in a ``boolean`` Series) as floats with NaN,
    for the caller's finite check to report; polars' and pyarrow's nulls (None) are a ValueError
    naming them as nulls (:func:`null_error`), where the object-array message's fix would fail.

    Examples
    --------
    >>> numbers_to_numpy([[1, 0], [0, 1]], "t", "y, t and s").shape
    (2, 2)
    """
    check_unmasked(x, name, rows)
    table = dataframe_to_numpy(x, name)
    if table is not None:
        return table
    arr = converted(x, name, what)
    dtype = getattr(x, "dtype", None)
    if arr.dtype == object and _numeric_column(dtype):
        if hasattr(dtype, "kind"):  # pandas' nullable booleans: NA among True and False
            return x.to_numpy(dtype=np.float64, na_value=np.nan)
        _check_no_nulls(arr, name)
    return arr


def converted(x: Any, name: str, what: str) -> np.ndarray:
    """:func:`to_numpy` of ``x``, its failure a TypeError saying that ``name`` must be ``what``
    (with :func:`batches_hint` for a list of batches; for other nested lists whose rows differ in
    length, :func:`ragged_row_text` names the first such row, where numpy says "inhomogeneous shape").

    Examples
    --------
    >>> converted([[1.0, 2.0], [3.0]], "t", "an array of numbers")
    Traceback (most recent call last):
    ...
    TypeError: t must be an array of numbers whose rows have one length; row 1 has 1 value(s) where row 0 ...
    """
    try:
        return to_numpy(x)
    except Exception as exc:
        batches = batches_hint(x, name)
        ragged = None if batches else ragged_row_text(x, name)
        if ragged is None:
            raise TypeError(f"{name} must be {what}; could not convert it: {exc}{batches}") from exc
        raise TypeError(
            f"{name} must be {what} whose rows have one length; {ragged}. Give every row the same "
            "number of values (drop the rows that differ, or fill in the values they lack)."
        ) from exc


def ragged_row_text(x: Any, name: str, *, indexed: bool = False) -> str | None:
    """Where nested lists (or tuples) ``x``, passed as argument ``name``, are ragged, in words:
    the first row whose length differs from that of the rows before it at its depth, and the row
    it differs from (``"row 2 has 1 value(s) where row 0 has 2 value(s)"``; ``"t[0][1]"`` for a
    row below the first axis, and for every row with ``indexed``); ``None`` when ``x`` is no list
    or tuple (or is empty), or every row's length matches. Shared by :func:`converted` and the joint's check
    (:func:`pidkit._validate.check_joint`), where numpy says only "inhomogeneous shape".

    Examples
    --------
    >>> ragged_row_text([[1.0, 2.0], [3.0]], "t")
    'row 1 has 1 value(s) where row 0 has 2 value(s)'
    >>> ragged_row_text([[[0.5, 0.5]], [[0.5]]], "p", indexed=True)
    'p[1][0] has 1 value(s) where p[0][0] has 2 value(s)'
    >>> ragged_row_text([[1, 2], [3, 4]], "t") is None
    True
    """
    ragged = _ragged_rows(x, _first_lengths(x)) if isinstance(x, (list, tuple)) and x else None
    if ragged is None:
        return None
    (where, length), (first, first_length) = ragged
    return (f"{_row(name, where, indexed)} {_holds(length)} where {_row(name, first, indexed)} "
            f"{_holds(first_length)}")


def _first_lengths(x: Any) -> list[int | None]:
    """The length every row of nested sequences ``x`` should have at each depth: that of ``x``,
    of ``x[0]``, of ``x[0][0]``..., down to a number (``None``) or an empty row."""
    lengths = [_length(x)]
    while lengths[-1]:
        x = x[0]
        lengths.append(_length(x))
    return lengths


def _ragged_rows(
    x: Any, lengths: list[int | None], where: tuple[int, ...] = ()
) -> tuple[RowLength, RowLength] | None:
    """The first row of nested sequences ``x`` whose length is not that of the first row at its
    depth (``lengths``: :func:`_first_lengths`), as ``((index, length), (first index, first
    length))``, the first index its first sibling's, or, for a first sibling, the first row's at
    that depth (an index a tuple, one int per axis; ``None`` the length of a number); ``None``
    when every row's length matches. Siblings are compared before the rows below them.

    Examples
    --------
    >>> _ragged_rows([[1.0, 2.0], [3.0]], [2, 2, None])
    (((1,), 1), ((0,), 2))
    >>> _ragged_rows([[[1, 2], [3, 4]], [[5, 6], [7]]], [2, 2, 2, None])
    (((1, 1), 1), ((1, 0), 2))
    >>> _ragged_rows([[[1, 2]], [[3]]], [2, 1, 2, None])
    (((1, 0), 1), ((0, 0), 2))
    """
    depth = len(where) + 1
    for i, row in enumerate(x):
        length = _length(row)
        if length != lengths[depth]:
            first = (*where, 0) if i else (0,) * depth
            return ((*where, i), length), (first, lengths[depth])
    if lengths[depth]:
        for i, row in enumerate(x):
            found = _ragged_rows(row, lengths, (*where, i))
            if found is not None:
                return found
    return None


def _length(row: Any) -> int | None:
    """How many values ``row`` holds along its first axis: a list's, a tuple's, an array's or a
    tensor's length; ``None`` for a number (or a string, which numpy reads as one value)."""
    if isinstance(row, (list, tuple)) or len(getattr(row, "shape", ())) >= 1:
        return len(row)
    return None


def _row(name: str, where: tuple[int, ...], indexed: bool) -> str:
    """``"row 1"`` for an index of one axis (unless ``indexed``), ``"t[0][1]"`` for a deeper one."""
    return f"row {where[0]}" if len(where) == 1 and not indexed else name + "".join(f"[{i}]" for i in where)


def _holds(length: int | None) -> str:
    """What a row of ``length`` values holds (``None``: a number)."""
    return "is a single number" if length is None else f"has {length} value(s)"


def _check_no_nulls(arr: np.ndarray, name: str) -> None:
    """Refuse the ``None`` of numbers ``arr`` read from a polars frame or column (its nulls), for
    which the object-array message's fix (``np.asarray(..., dtype=float)``) fails: the first in
    its row of a table, at its index of a column."""
    if arr.ndim == 0 or arr.size == 0:
        return
    nulls = [sum(v is None for v in row) for row in arr.reshape(arr.shape[0], -1).tolist()]
    first = next((i for i, count in enumerate(nulls) if count), None)
    if first is not None:
        where = f"in row {first}" if arr.ndim > 1 else f"at index {first}"
        raise null_error(name, sum(nulls), "missing value(s)", where)


def null_count(x: Any) -> int:
    """How many missing values column ``x`` holds by its own account: pandas' ``isna()`` (None,
    NaN, NA and NaT alike), polars' and pyarrow's ``null_count``; 0 for anything else (a list or a
    numpy array has no nulls: None in it is a value like any other).

    Examples
    --------
    >>> null_count([None, 1.0]), null_count(np.array([None, 1.0]))
    (0, 0)
    """
    if callable(getattr(x, "isna", None)):
        return int(np.count_nonzero(np.asarray(x.isna())))
    nulls = getattr(x, "null_count", 0)
    nulls = nulls() if callable(nulls) else nulls
    return nulls if isinstance(nulls, int) else 0


def null_error(name: str, count: int, what: str, first: str, *, pandas: bool = False) -> ValueError:
    """The error for ``count`` nulls (``what``: "missing label(s)", "missing value(s)") in
    ``name``, the first where ``first`` says; with ``pandas``, what pandas counts as missing (None
    as NaN, NA and NaT). Shared by tables' nulls and :func:`pidkit._labels.check_nulls`.

    Examples
    --------
    >>> null_error("y", 1, "missing label(s)", "at index 2")
    ValueError('y contains 1 missing label(s) (null; the first at index 2); drop those samples ...')
    """
    kind, drop = ("None, NaN, NA or NaT, which pandas counts as missing", ".dropna()") if pandas else (
        "null", ".drop_nulls()")
    return ValueError(
        f"{name} contains {count} {what} ({kind}; the first {first}); "
        f"drop those samples from y, t and s alike (e.g. with {drop} on the frame)."
    )


def check_not_lazy(x: Any, name: str) -> None:
    """Refuse a lazy query (a polars ``LazyFrame``: duck-typed by its ``collect`` and
    ``collect_schema``), which holds no values until collected: numpy would read it as one object.

    Examples
    --------
    >>> check_not_lazy(np.ones(2), "t")  # an array holds its values
    """
    if callable(getattr(x, "collect", None)) and callable(getattr(x, "collect_schema", None)):
        raise TypeError(
            f"{name} is {type_with_article(x)}, a lazy query that holds no values until it is "
            f"collected: pass {name}.collect()."
        )


def _numeric_column(dtype: Any) -> bool | None:
    """Whether a table's column of dtype ``dtype`` holds numbers or booleans: a numpy-style dtype
    (pandas') by its ``kind``, a polars one by ``is_numeric()`` or as ``Boolean``; ``None`` for a
    dtype of neither kind."""
    if hasattr(dtype, "kind"):
        return dtype.kind in "fiub"
    if callable(getattr(dtype, "is_numeric", None)):
        return bool(dtype.is_numeric()) or str(dtype) == "Boolean"
    return None


def check_unmasked(x: Any, name: str, rows: str) -> None:
    """Refuse a masked array ``x`` of numbers with masked values, which ``np.asarray`` would read
    through (its values underneath); ``rows`` names the inputs whose rows go together, for the fix.
    Shared by the estimators' features and the Gaussian PID's samples.

    Examples
    --------
    >>> check_unmasked(np.ma.masked_array([1.0, 2.0], mask=[0, 1]), "t", "y, t and s")
    Traceback (most recent call last):
    ...
    ValueError: t is a masked array with 1 masked value(s); the estimate would use the values ...
    """
    masked = int(np.ma.count_masked(x)) if isinstance(x, np.ma.MaskedArray) else 0
    if masked:
        raise ValueError(
            f"{name} is a masked array with {masked} masked value(s); the estimate would use the "
            f"values underneath. Drop the samples with masked values (the same rows of {rows}), or "
            f"pass {name}.data if the values underneath are right."
        )


def what_it_holds(x: Any, arr: np.ndarray, name: str) -> str:
    """The end of an error for numbers ``x`` (read as ``arr``) that are no real numbers: an
    iterator, which numpy reads as one object, and an object array of Python objects, each with
    its fix; else ``arr``'s dtype. Shared by the estimators' features and the Gaussian PID's
    samples.

    Examples
    --------
    >>> what_it_holds((v for v in [1.0]), np.asarray(iter([1.0])), "t")
    'a generator, which numpy reads as one object. Pass its values: list(t).'
    """
    if x is None:  # numpy reads it as a 0-d object array: "an array of Python objects" misleads
        return f"None. Pass the array itself ({name} may hold a result that was never filled in)."
    if arr.dtype == object and arr.ndim == 0 and hasattr(x, "__next__"):
        return f"{type_with_article(x)}, which numpy reads as one object. Pass its values: list({name})."
    if arr.dtype == object:
        return (f"an array of Python objects (dtype object). If they are numbers, convert them: "
                f"np.asarray({name}, dtype=float) ({name}.astype(float) for a pandas column).")
    return f"dtype {arr.dtype}."


def batches_hint(x: Any, name: str, *, rows: int | None = None) -> str:
    """A sentence for an error about ``x`` when it is a list (or tuple) of batches, else ``""``.

    Features collected batch by batch in a list are the usual slip: numpy stacks batches of one
    size into a 3-D array (one "sample" per batch) and refuses a smaller last batch. ``x`` counts
    as batches when it holds two or more arrays (or tensors) whose shapes differ at most in their
    first axis; with ``rows`` (the number of samples the caller expects), when they have at least
    two axes and ``rows`` rows in all.

    Examples
    --------
    >>> batches_hint([np.ones((128, 4)), np.ones((72, 4))], "t_features")
    ' t_features is a list of 2 arrays of 200 rows in all: if they are batches, pass np.concatenate...'
    >>> batches_hint([np.ones(4), np.ones(4)], "t_features", rows=4)
    ''
    """
    if not isinstance(x, (list, tuple)) or len(x) < 2:
        return ""
    shapes = [tuple(getattr(item, "shape", ())) for item in x]
    min_axes = 1 if rows is None else 2
    if min(len(shape) for shape in shapes) < min_axes or len({shape[1:] for shape in shapes}) > 1:
        return ""
    total = sum(shape[0] for shape in shapes)
    if rows is not None and total != rows:
        return ""
    return (f" {name} is a list of {len(x)} arrays of {total} rows in all: if they are batches, pass "
            f"np.concatenate({name}) (torch.cat for tensors).")


def as_numpy_code(given: Any, name: str) -> str:
    """Code that gives ``given``, passed as argument ``name``, as a numpy array, for a suggested fix
    to call numpy on: ``name`` for a numpy array, ``np.asarray(name)`` for an ``np.matrix`` (whose
    methods keep two axes), ``name.toarray()`` for a scipy.sparse matrix or array,
    ``name.to_numpy()`` for a pandas or polars object, ``name.numpy(force=True)`` for a torch tensor
    (detached, moved to host; a bfloat16 one, which numpy cannot hold, through ``name.float()``),
    else ``np.asarray(name)`` (lists, tuples).

    Examples
    --------
    >>> from scipy.sparse import csr_array
    >>> as_numpy_code(np.zeros(3), "y"), as_numpy_code([0, 1], "y"), as_numpy_code(csr_array([[0, 1]]), "y")
    ('y', 'np.asarray(y)', 'y.toarray()')
    """
    if isinstance(given, np.ndarray) and not isinstance(given, np.matrix):
        return name
    if issparse(given):
        return f"{name}.toarray()"
    if hasattr(given, "to_numpy"):
        return f"{name}.to_numpy()"
    if hasattr(given, "detach") and hasattr(given, "cpu"):  # numpy has no bfloat16: as float32 first
        return f"{name}{'.float()' if str(given.dtype) == 'torch.bfloat16' else ''}.numpy(force=True)"
    return f"np.asarray({name})"


def method_fix(given: Any, name: str, call: str) -> str:
    """Code for a fix that calls numpy's array method or attribute ``call`` (e.g.
    ``"argmax(axis=1)"``) on ``given``, passed as argument ``name``, that works on what was passed:
    on ``given`` itself where it has that method (numpy arrays; tensors for ``ravel``, ``reshape``,
    ``argmax`` and ``T``), else on :func:`as_numpy_code` (pandas and polars objects, whose methods
    of the same names differ or are missing, ``np.matrix``, whose methods keep two axes, lists,
    tensors for ``astype``). A reduction along an axis (a ``call`` with ``axis=``) of a
    scipy.sparse matrix or array is its own, made 1-D (a sparse matrix gives an ``np.matrix``
    column): densifying a large one-hot matrix to reduce it would take n_samples x n_classes.

    Examples
    --------
    >>> method_fix(np.zeros((3, 2)), "y", "argmax(axis=1)"), method_fix([[0, 1]], "y", "argmax(axis=1)")
    ('y.argmax(axis=1)', 'np.asarray(y).argmax(axis=1)')
    """
    if issparse(given) and "axis=" in call:
        return f"np.asarray({name}.{call}).ravel()"
    if (hasattr(given, call.split("(")[0]) and not hasattr(given, "to_numpy")
            and not isinstance(given, np.matrix) and not issparse(given)):
        return f"{name}.{call}"
    return f"{as_numpy_code(given, name)}.{call}"


def column_fix(given: Any, name: str) -> str:
    """How to pass ``given``, labels held as one column (shape ``(n_samples, 1)``), as 1-D labels:
    ``.iloc[:, 0]`` of a pandas DataFrame, ``.to_series()`` of a polars one, else ``.ravel()``
    (:func:`method_fix`: of arrays and tensors, of ``np.asarray`` of a list). Shared by
    :func:`pidkit._labels.encode_labels` and the estimators' label and feature checks.

    Examples
    --------
    >>> column_fix(np.zeros((3, 1)), "y"), column_fix([[0], [1]], "y")
    ('y.ravel()', 'np.asarray(y).ravel()')
    """
    if hasattr(given, "iloc"):
        return f"{name}.iloc[:, 0]"
    return f"{name}.to_series()" if hasattr(given, "to_series") else method_fix(given, name, "ravel()")


def check_same_index(named: dict[str, Any]) -> None:
    """Refuse pandas objects among ``named`` (argument name -> value) whose indexes differ.

    Samples are paired by position, as numpy and scikit-learn do, so a Series and a DataFrame whose
    indexes hold the same samples in different orders (or different samples) would be paired
    wrongly without a sign. Anything with an ``index`` that has ``equals`` counts as pandas;
    arrays, lists and tensors carry no index and are not compared. Call it once the lengths agree.
    """
    indexed = [(name, x.index) for name, x in named.items() if hasattr(getattr(x, "index", None), "equals")]
    for name, index in indexed[1:]:
        first_name, first = indexed[0]
        if index.equals(first):
            continue
        a, b = np.asarray(first, dtype=object), np.asarray(index, dtype=object)
        differ = np.flatnonzero(a != b)
        if differ.size == 0:  # the same labels held in different dtypes (0 and 0.0)
            continue
        k = int(differ[0])
        raise ValueError(
            f"{first_name} and {name} are pandas objects with different indexes (at position {k}: "
            f"{a[k]!r} and {b[k]!r}); samples are paired by position, not by index, so they would "
            f"be paired wrongly. Align them first, e.g. {name} = {name}.loc[{first_name}.index], "
            "or, if the rows are already in the same order, drop the indexes with "
            ".reset_index(drop=True) or pass .to_numpy()."
        )
