"""The inputs people have, samples and dit distributions, turned into a joint ``p[y, t, s]``."""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Mapping, Sequence
from numbers import Number
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from ._caller import user_stacklevel
from ._validate import check_pmf, is_dit_distribution


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array; tensors of array libraries (torch, jax) are detached and moved to
    host, bfloat16 ones as float32 (numpy has no bfloat16; float32 holds every such value exactly).

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
    return np.asarray(x)


def dataframe_to_numpy(x: Any, name: str) -> np.ndarray | None:
    """A DataFrame ``x`` (pandas or polars) as a numpy array read by its columns' dtypes; ``None``
    when ``x`` is not one (duck-typed: ``columns``, ``to_numpy`` and ``dtypes`` that
    :func:`_numeric_column` knows; neither library is a dependency).

    Columns that are all numeric give their common numpy type (bool columns beside float ones:
    floats, where pandas gives an object array); with pandas' nullable ``Int64``/``Float64``/
    ``boolean`` among them, a float array (NA as NaN, for the caller's finite check to report).
    A polars frame is converted by its own means (nulls of numbers as NaN). Other columns
    (strings, categories, dates) are a TypeError naming them and the fix, where ``np.asarray``
    would give an object array and a message about its dtype only (or, from polars, dates as
    numbers).

    Examples
    --------
    >>> dataframe_to_numpy(np.ones(2), "t") is None
    True
    """
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
    return np.asarray(x)


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
    if arr.dtype == object and arr.ndim == 0 and hasattr(x, "__next__"):
        return f"a {type(x).__name__}, which numpy reads as one object. Pass its values: list({name})."
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


def check_missing_labels(labels: np.ndarray, name: str) -> None:
    """Refuse an object array of labels holding NaN, ``pandas.NA`` or NaT (values not equal to
    themselves: a Python NaN would also hash as a label of its own, one per sample), and a
    datetime64 or timedelta64 array holding NaT.

    Examples
    --------
    >>> check_missing_labels(np.array(["a", None, 1], dtype=object), "y")  # None is a label
    >>> check_missing_labels(np.array(["a", float("nan")], dtype=object), "y")
    Traceback (most recent call last):
    ...
    ValueError: y contains 1 missing label(s) (NaN, NA or NaT; the first at index 1); drop ...
    """
    if labels.dtype.kind in "mM":  # tolist() would turn NaT into None, a label like any other
        missing = np.flatnonzero(np.isnat(labels)).tolist()
    else:
        missing = [i for i, value in enumerate(labels.tolist())
                   if not isinstance(value, (str, bytes, tuple)) and _is_missing(value)]
    if missing:
        raise ValueError(
            f"{name} contains {len(missing)} missing label(s) (NaN, NA or NaT; the first at index "
            f"{missing[0]}); drop those samples from y, t and s alike."
        )


def check_label_values(labels: np.ndarray, name: str) -> None:
    """Refuse complex numbers (a TypeError: no class label, whatever their imaginary part),
    missing (NaN, NA, NaT), infinite and unhashable values in a 1-D array of labels,
    saying how many there are and where the first is. Shared by :func:`joint_from_samples` and
    the estimators' label checks.

    Examples
    --------
    >>> check_label_values(np.array([0.0, 1.0, np.inf]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y contains 1 infinite value(s) (the first at index 2); labels must be finite.
    """
    complex_at = _complex_labels(labels)
    if complex_at.size:
        values = labels[complex_at].astype(complex)
        fix = (f"Their imaginary parts are all 0: pass np.real({name}) if the real parts are the labels."
               if not values.imag.any() else
               "Pass class or cluster indices; for continuous variables use pidkit.gaussian_pid.")
        raise TypeError(
            f"{name} contains {complex_at.size} complex number(s) (the first at index "
            f"{int(complex_at[0])}: {complex(values[0])}); labels must be integers, strings or other "
            f"hashable class labels. {fix}"
        )
    if labels.dtype.kind == "f":
        if np.isnan(labels).any():
            check_missing_labels(labels, name)  # pandas Int64 labels with NA arrive as floats with NaN
        infinite = np.flatnonzero(np.isinf(labels))
        if infinite.size:
            raise ValueError(
                f"{name} contains {infinite.size} infinite value(s) (the first at index "
                f"{int(infinite[0])}); labels must be finite."
            )
    if labels.dtype.kind in "OmM":
        check_missing_labels(labels, name)
    if labels.dtype.kind == "O":
        for i, label in enumerate(labels.tolist()):
            try:
                hash(label)
            except TypeError:
                raise TypeError(
                    f"{name} labels must be hashable (numbers, strings, tuples); the one at index {i} "
                    f"is a {type(label).__name__}: convert lists and sets to tuples."
                ) from None


def _complex_labels(labels: np.ndarray) -> np.ndarray:
    """The indices of the complex numbers among 1-D ``labels``: all of a complex array, the
    complex objects of an object array (other kinds hold none)."""
    if labels.dtype.kind == "c":
        return np.arange(labels.size)
    values = labels.tolist() if labels.dtype.kind == "O" else []
    complex_types = (complex, np.complexfloating)
    if not any(issubclass(kind, complex_types) for kind in set(map(type, values))):  # once per type
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero([isinstance(v, complex_types) for v in values])


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA: its comparisons are NA, whose truth is undefined
        return True


class ContinuousLabelsWarning(UserWarning):
    """Sample labels that look continuous (non-integer floats), where discrete labels belong.

    :func:`pidkit.joint_from_samples` and :func:`pidkit.estimate.bootstrap` count each distinct
    value as a label of its own, so a logit or feature column passed as labels makes a joint with
    one label per sample. The warning names the argument and the fix; whole-number floats
    (``0.0``, ``1.0``) are labels and do not warn. Its own category, to be filtered by class.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import pidkit
    >>> logits = np.array([0.31, -1.2, 2.5, 0.31])  # a teacher's logit, not its class
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", pidkit.ContinuousLabelsWarning)
    ...     pidkit.joint_from_samples([0, 1, 0, 1], logits, [0, 0, 1, 1])
    Traceback (most recent call last):
    ...
    pidkit.ContinuousLabelsWarning: t holds 3 distinct non-integer floats in 4 samples \
(e.g. -1.2); each distinct value is counted as a label of its own, ...
    """

    __module__ = "pidkit"  # where users import it from: messages and pickles name it


# Non-integer floats all this close to whole numbers are taken for class ids with a rounding error.
_ROUNDING = 1e-6


def non_integer_floats(labels: np.ndarray) -> np.ndarray:
    """The distinct non-integer floats among finite 1-D ``labels``, sorted: all of a float array,
    or the floats in an object array (other kinds hold none).

    Examples
    --------
    >>> non_integer_floats(np.array([0.0, 2.5, 1.0, 2.5])).tolist()
    [2.5]
    >>> non_integer_floats(np.array(["a", 0.25, 3], dtype=object)).tolist()
    [0.25]
    """
    return np.unique(_fractional(labels))


def _fractional(labels: np.ndarray) -> np.ndarray:
    """The non-integer floats among ``labels``, in their order, repeats kept."""
    if labels.dtype.kind == "f":
        values = labels
    elif labels.dtype.kind == "O":
        values = np.array([v for v in labels.tolist() if isinstance(v, (float, np.floating))], dtype=float)
    else:
        return np.empty(0)
    return values[values != np.round(values)]


def shown_float(value: float) -> str:
    """``value`` in 6 digits, or in full where 6 digits would show a whole number.

    Examples
    --------
    >>> shown_float(0.123456789), shown_float(0.3 / 0.1)
    ('0.123457', '2.9999999999999996')
    """
    short = f"{value:.6g}"
    return short if float(short) != np.rint(value) else repr(float(value))


def near_whole(fractional: np.ndarray) -> bool:
    """Whether non-integer floats are all within 1e-6 of whole numbers: class ids with a rounding
    error (from a division), to be rounded, not binned or encoded as labels of their own.

    Examples
    --------
    >>> near_whole(np.array([0.3 / 0.1])), near_whole(np.array([0.5]))
    (True, False)
    """
    return bool(np.abs(fractional - np.rint(fractional)).max() <= _ROUNDING)


def rounding_fix(name: str) -> str:
    """The fix for labels ``name`` that :func:`near_whole` takes for class ids off by rounding.

    Examples
    --------
    >>> rounding_fix("y").endswith("round them: np.rint(y).astype(int).")
    True
    """
    return (f"They are all within {_ROUNDING:g} of whole numbers: if they are class ids with a "
            f"rounding error, round them: np.rint({name}).astype(int).")


def warn_continuous_labels(distinct: dict[str, np.ndarray], n_samples: int) -> None:
    """Warn once (:class:`ContinuousLabelsWarning`) when the distinct labels of any argument
    (its name -> its distinct labels, as counted) hold non-integer floats.

    They are counted as they are, each distinct float a label of its own, as scikit-learn's
    clustering metrics do (and warn); whole-number floats (``0.0``, ``1.0``) are labels without a
    warning. Floats within 1e-6 of whole numbers (class ids from a division) warn too, naming
    rounding as the fix. Only the distinct labels are read, so the check costs nothing per sample.
    The warning points at the first caller outside pidkit.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_continuous_labels({"t": np.array([0.0, 1.0])}, 4)
    >>> caught
    []
    """
    found = {name: _fractional(values) for name, values in distinct.items()}  # distinct already
    found = {name: f for name, f in found.items() if f.size}
    if not found:
        return
    held = ", ".join(
        f"{name} holds {f.size} distinct non-integer floats in {n_samples} samples (e.g. {shown_float(f[0])})"
        for name, f in found.items()
    )
    name = next(iter(found))
    if all(near_whole(f) for f in found.values()):
        fix = rounding_fix(name)
    else:
        fix = ("Pass discrete labels (class or cluster indices, e.g. a teacher's argmax); for features "
               "use pidkit.estimate.pid_from_representations, which clusters them; for continuous "
               "variables use pidkit.gaussian_pid. If the floats are labels, encode them as integers: "
               f"np.unique({name}, return_inverse=True)[1].")
    warnings.warn(
        f"{held}; each distinct value is counted as a label of its own, so a feature, logit or other "
        f"continuous value makes a joint whose PID means little. {fix}",
        ContinuousLabelsWarning,
        stacklevel=user_stacklevel(),
    )


class EmpiricalJoint(NamedTuple):
    """A joint pmf counted from samples.

    Attributes
    ----------
    p : numpy.ndarray of shape (n_y, n_t, n_s)
        Relative frequencies indexed ``p[y, t, s]``.
    labels : dict of str to numpy.ndarray
        ``labels["y"][i]`` is the original label of index ``i`` on the Y axis (likewise "t", "s").
    counts : numpy.ndarray of int
        The counts behind ``p``.
    n_samples : int
        Number of samples counted (``counts.sum()``).

    Examples
    --------
    Made by :func:`joint_from_samples`; ``p`` is what :func:`pidkit.pid` takes, ``labels`` map its
    indices back to the labels counted:

    >>> import pidkit
    >>> joint = pidkit.joint_from_samples(["cat", "dog", "dog", "cat"], [0, 1, 1, 1], [0, 0, 1, 1])
    >>> joint.labels["y"].tolist(), joint.counts[:, 1, :].tolist(), joint.n_samples
    (['cat', 'dog'], [[0, 1], [1, 1]], 4)
    >>> round(pidkit.pid(joint.p).i_yt, 6)          # I(Y;T) in bits
    0.311278
    """

    p: np.ndarray
    labels: dict[str, np.ndarray]
    counts: np.ndarray
    n_samples: int


# labels that numpy reads by value (a list of them is one np.asarray)
_PLAIN_LABELS = (Number, str, bytes, np.generic, list, np.ndarray)
# the label types a numpy string array of each kind holds as they are (not str subclasses)
_STRINGS: dict[str, set[type]] = {"U": {str, np.str_}, "S": {bytes, np.bytes_}}


def label_array(values: Any, name: str) -> np.ndarray:
    """Sample labels as an array (1-D unless ``values`` is not: the caller checks the shape).

    Tuples and other non-scalar hashables become object labels, and so do lists mixing strings
    with other labels (numpy would turn 0 and "0" into one string), bytes with str (``b"a"`` and
    ``"a"`` into one) and str subclasses (numpy reads them by ``str()``: ``class Size(str, Enum)``
    members became their class name, cut to one letter); tensors and pandas columns are
    converted by their own means, 0-d tensors in a list by value. Refused, with a message naming
    ``name``: masked arrays with masked labels, nulls of polars or pyarrow columns, strings, sets
    (no order) and dicts (iteration gives their keys). Shared by :func:`joint_from_samples` and
    the estimators' label checks.

    Examples
    --------
    >>> label_array((v for v in [0, "0", 1]), "y").tolist()
    [0, '0', 1]
    """
    if isinstance(values, np.ma.MaskedArray):
        n_masked = int(np.ma.count_masked(values))
        if n_masked:
            raise ValueError(
                f"{name} is a masked array with {n_masked} masked label(s); pidkit does not guess "
                "what a masked sample means. Drop those samples from y, t and s alike (e.g. "
                "keep = ~np.ma.getmaskarray(y) & ...), or fill them with a label of their own."
            )
        return values.data
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D sequence of labels; got a {type(values).__name__}.")
    if isinstance(values, (set, frozenset)):
        raise TypeError(
            f"{name} is a {type(values).__name__}, which has no order, but samples are paired by "
            f"position: pass {name}'s labels as a list or array in the order of the samples."
        )
    if isinstance(values, Mapping):
        raise TypeError(
            f"{name} is a {type(values).__name__}, whose iteration gives its keys, not labels: pass "
            f"list({name}.values()) if its values are the labels in the order of the samples."
        )
    if not isinstance(values, np.ndarray) and (hasattr(values, "__array__") or hasattr(values, "detach")):
        try:  # tensors, pandas columns: their own conversion, not one object per element
            arr = to_numpy(values)
        except Exception as exc:
            raise TypeError(f"{name} must be a 1-D sequence of labels; could not convert it: {exc}") from exc
        check_nulls(values, arr, name)
        return arr
    if isinstance(values, np.ndarray):
        return values
    try:
        seq = list(values)
    except TypeError as exc:
        raise TypeError(f"{name} must be a 1-D sequence of labels; got {type(values).__name__}.") from exc
    kinds = set(map(type, seq))  # the labels' types, checked once each, not once per label
    if not _plain(kinds):  # tensors among them (0-d ones from a loop of argmax()) hash by identity
        seq = [to_numpy(v) if hasattr(v, "detach") and hasattr(v, "cpu") else v for v in seq]
        kinds = set(map(type, seq))
    if _plain(kinds):
        try:
            arr = np.asarray(seq)
        except ValueError as exc:
            raise ValueError(
                f"{name} is ragged: some labels are sequences of different lengths. Use scalar "
                "labels, or tuples (hashable labels of any length)."
            ) from exc
        if arr.dtype.kind not in "US" or kinds <= _STRINGS[arr.dtype.kind]:
            return arr
    return _as_objects(seq)


def _plain(kinds: set[type]) -> bool:
    """Whether labels of these types are all read by value by ``np.asarray``."""
    return all(issubclass(kind, _PLAIN_LABELS) for kind in kinds)


def is_categorical(values: Any) -> bool:
    """Whether ``values`` is a pandas categorical (a Series of dtype ``category``, a Categorical or
    a CategoricalIndex) or a polars ``Enum`` Series, whose labels are ordered by its categories
    (duck-typed: neither library is a dependency). A polars ``Categorical`` has no fixed order
    of its own (its ``dtype.categories`` is no list): its labels are sorted as any others.

    Examples
    --------
    >>> is_categorical(np.array(["low", "high"]))
    False
    """
    return hasattr(getattr(getattr(values, "dtype", None), "categories", None), "__len__")


def _category_codes(values: Any, labels: np.ndarray) -> np.ndarray | None:
    """Each sample's index into the categories of ``values`` (:func:`is_categorical`), else
    ``None``; ``labels`` are its labels as :func:`label_array` read them. A pandas categorical
    has them as its codes; a polars Enum's are its labels' positions in ``dtype.categories``
    (its physical codes are an implementation detail, not to be relied on)."""
    if not is_categorical(values):
        return None
    codes = getattr(getattr(values, "cat", values), "codes", None)
    if codes is not None:
        return np.asarray(codes)
    position = {label: i for i, label in enumerate(to_numpy(values.dtype.categories).tolist())}
    return np.array([position[label] for label in labels.tolist()], dtype=np.intp)


def check_nulls(values: Any, labels: np.ndarray, name: str) -> None:
    """Refuse the nulls of a polars Series or pyarrow array ``values`` (their ``null_count``),
    missing labels that ``np.asarray`` turns into ``None`` (a label like any other in a list)
    when they are strings; ``labels`` is ``values`` as read. Numeric nulls become NaN, which
    :func:`check_label_values` refuses. Shared by :func:`label_array` and the estimators'
    check of labels given in place of features.

    Examples
    --------
    >>> check_nulls([None, "a"], np.array([None, "a"], dtype=object), "y")  # a list has no nulls
    """
    nulls = getattr(values, "null_count", 0)
    nulls = nulls() if callable(nulls) else nulls
    if not isinstance(nulls, int) or nulls == 0 or labels.dtype != object:
        return
    missing = [i for i, label in enumerate(labels.tolist()) if label is None]
    if missing:
        raise ValueError(
            f"{name} contains {len(missing)} missing label(s) (null; the first at index {missing[0]}); "
            "drop those samples from y, t and s alike (e.g. with .drop_nulls() on the frame)."
        )


def axis_labels(given: Any, labels: np.ndarray) -> Any:
    """What to count for the labels ``labels`` checked from ``given``: a pandas categorical
    or a polars Enum itself, whose axis keeps its categories' order (:func:`encode_labels`; it is
    no one-shot iterator, so it reads again), else ``labels``.

    Examples
    --------
    >>> axis_labels(iter([1, 0]), np.array([1, 0])).tolist()
    [1, 0]
    """
    return given if is_categorical(given) else labels


def column_fix(given: Any, name: str) -> str:
    """How to pass ``given``, labels held as one column (shape ``(n_samples, 1)``), as 1-D labels:
    ``.iloc[:, 0]`` of a pandas DataFrame, ``.to_series()`` of a polars one, else ``.ravel()``
    (arrays, tensors). Shared by :func:`encode_labels` and the estimators' label checks.

    Examples
    --------
    >>> column_fix(np.zeros((3, 1)), "y")
    'y.ravel()'
    """
    if hasattr(given, "iloc"):
        return f"{name}.iloc[:, 0]"
    return f"{name}.to_series()" if hasattr(given, "to_series") else f"{name}.ravel()"


def encode_labels(values: Any, name: str, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Check 1-D sample labels and encode them: each sample's index on the labels' axis, and the axis.

    The axis holds the labels that occur, sorted (``np.unique``'s order; objects by ``sorted``, in
    first-seen order when they cannot be compared). A pandas categorical, ordered or not, and a
    polars Enum keep their categories' order (those that occur), as the libraries sort them.
    Shared by :func:`joint_from_samples` and the estimators, so that their axes agree.

    Parameters
    ----------
    values : array_like of shape (n_samples,)
        The labels, read by :func:`label_array`.
    name : str
        The argument's name, for the messages.
    n : int, optional
        The number of samples ``values`` must hold (that of the other arguments).

    Returns
    -------
    codes : numpy.ndarray of intp, shape (n_samples,)
    labels : numpy.ndarray
        ``labels[codes[i]]`` is the label of sample ``i``.

    Examples
    --------
    >>> codes, labels = encode_labels(["low", "high", "low"], "y")
    >>> codes.tolist(), labels.tolist()
    ([1, 0, 1], ['high', 'low'])

    ``pd.Categorical(["low", "high", "low"], categories=["low", "mid", "high"])`` gives codes
    ``[0, 1, 0]`` and labels ``['low', 'high']`` (not run here: pandas is no dependency).
    """
    arr = label_array(values, name)
    if arr.ndim != 1:
        fix = (f"For a column of labels pass {column_fix(values, name)}." if arr.shape[1:] == (1,) else
               "For feature matrices use pidkit.estimate.pid_from_representations, which discretises them.")
        raise ValueError(f"{name} must be 1-D (one label per sample); got shape {arr.shape}. {fix}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"y, t and s must have the same length; {name} has {arr.shape[0]}, not {n}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one sample is needed.")
    check_label_values(arr, name)
    category_codes = _category_codes(values, arr)
    if category_codes is not None:  # codes in category order; the labels read from one sample each
        _, first, codes = np.unique(category_codes, return_index=True, return_inverse=True)
        return codes.reshape(-1), arr[first]
    if arr.dtype == object:
        uniques: list[Hashable] = list(dict.fromkeys(arr.tolist()))
        try:  # sorted, as np.unique sorts the other kinds (pandas strings and categories are objects)
            uniques = sorted(uniques)
        except (TypeError, ValueError):  # labels that cannot be compared: first-seen order
            pass
        index = {label: i for i, label in enumerate(uniques)}
        codes = np.array([index[v] for v in arr.tolist()], dtype=np.intp)
        return codes, _as_objects(uniques)
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.reshape(-1), labels


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


def joint_from_samples(y: ArrayLike, t: ArrayLike, s: ArrayLike) -> EmpiricalJoint:
    """Count the joint ``p[y, t, s]`` of three aligned sequences of discrete labels.

    Labels may be integers or any hashable objects; each axis of ``p`` lists the labels that
    occur, in sorted order (first-seen order for labels that cannot be sorted); the axis of a
    pandas categorical or a polars Enum follows its categories' order.

    Parameters
    ----------
    y, t, s : array_like of shape (n_samples,)
        Target, teacher and student labels of the same samples.

    Returns
    -------
    EmpiricalJoint
        ``(p, labels, counts, n_samples)``.

    Examples
    --------
    >>> from pidkit import joint_from_samples
    >>> joint = joint_from_samples([0, 1, 1, 0], ["a", "b", "a", "b"], [0, 0, 1, 1])
    >>> joint.p.shape, joint.n_samples, joint.labels["t"].tolist()
    ((2, 2, 2), 4, ['a', 'b'])
    """
    y_codes, y_labels = encode_labels(y, "y")
    t_codes, t_labels = encode_labels(t, "t", y_codes.size)
    s_codes, s_labels = encode_labels(s, "s", y_codes.size)
    check_same_index({"y": y, "t": t, "s": s})
    n = int(y_codes.size)
    labels = {"y": y_labels, "t": t_labels, "s": s_labels}
    warn_continuous_labels(labels, n)
    counts = np.zeros((y_labels.size, t_labels.size, s_labels.size), dtype=np.int64)
    np.add.at(counts, (y_codes, t_codes, s_codes), 1)
    return EmpiricalJoint(counts / n, labels, counts, n)


def joint_from_dit(
    d: Any, *, target: int | Sequence[int], sources: Sequence[int | Sequence[int]]
) -> EmpiricalJoint:
    """Convert a ``dit.Distribution`` into a joint ``p[y, t, s]``.

    Parameters
    ----------
    d : dit.Distribution
    target : int or sequence of int
        Index (or indices) of the random variables forming Y.
    sources : sequence of two ints or sequences of int
        The variables forming T and S, in that order.

    Returns
    -------
    EmpiricalJoint
        ``counts`` is None-like (zeros) and ``n_samples`` is 0: the masses come from ``d``.

    Examples
    --------
    >>> from pidkit import joint_from_dit
    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    >>> joint_from_dit(d, target=2, sources=[0, 1]).p.shape
    (2, 2, 2)
    """
    if not is_dit_distribution(d):
        raise TypeError(f"d must be a dit Distribution; got {type(d).__name__}.")
    if d.is_log():  # log-probabilities would be read as (negative) masses
        d = d.copy(base="linear")
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence) or len(sources) != 2:
        raise ValueError(f"sources must name exactly two variables (T, S); got {sources!r}.")

    def as_tuple(v: int | Sequence[int], name: str) -> tuple[int, ...]:
        group = (v,) if isinstance(v, (int, np.integer)) else v
        if (isinstance(group, (str, bytes)) or not isinstance(group, Sequence)
                or any(isinstance(i, bool) or not isinstance(i, (int, np.integer)) for i in group)):
            raise TypeError(
                f"{name} must be a variable's index or a sequence of indices (ints); got {v!r}. "
                "dit variables are named by position: target=2 is the third."
            )
        return tuple(int(i) for i in group)

    groups = [as_tuple(target, "target"), as_tuple(sources[0], "sources[0]"),
              as_tuple(sources[1], "sources[1]")]
    n_vars = len(d.outcomes[0])
    for group in groups:
        if not group or any(not 0 <= i < n_vars for i in group):
            raise ValueError(
                f"target and sources must index the distribution's {n_vars} variables; got {group}."
            )
    keys = [[tuple(o[i] for i in group) for o in d.outcomes] for group in groups]
    codes_labels = [encode_labels(_as_objects(k), name) for k, name in zip(keys, "yts", strict=True)]
    shape = tuple(labels.size for _, labels in codes_labels)
    p = np.zeros(shape)
    np.add.at(p, tuple(codes for codes, _ in codes_labels), np.asarray(d.pmf, dtype=float))
    labels = {name: lab for name, (_, lab) in zip("yts", codes_labels, strict=True)}
    return EmpiricalJoint(check_pmf(p, name="d", normalize=True), labels, np.zeros(shape, dtype=np.int64), 0)


def _as_objects(values: list[Any]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        arr[i] = value
    return arr
