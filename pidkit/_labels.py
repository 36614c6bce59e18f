"""Sample labels checked and encoded: what a label may be (numbers, strings, tuples, categories),
the missing, infinite, complex, unhashable and non-integer float ones refused (as scikit-learn's
``check_classification_targets`` refuses a continuous target), and each sample's index on its
labels' axis. Shared by :func:`pidkit.joint_from_samples` and the estimators, so that their axes
agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Number
from typing import Any

import numpy as np
from scipy.sparse import issparse

from ._arrays import (
    as_numpy_code,
    batches_hint,
    check_not_lazy,
    null_count,
    null_error,
    to_numpy,
)
from ._label_matrices import labels_shape_error, not_one_axis_error
from ._label_types import check_one_label_type
from ._type_names import type_with_article


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
    saying how many there are and where the first is, and a mix of numbers, strings and bytes
    (:func:`check_one_label_type`). Shared by :func:`pidkit.joint_from_samples` and the
    estimators' label checks.

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
                    f"is {type_with_article(label)}: convert lists and sets to tuples."
                ) from None
        check_one_label_type(labels, name)


def _complex_labels(labels: np.ndarray) -> np.ndarray:
    """The indices of the complex numbers among 1-D ``labels``: those of a complex array with a
    non-zero imaginary part (all when none has one), the complex objects of an object array
    (other kinds hold none)."""
    if labels.dtype.kind == "c":
        imaginary = np.flatnonzero(labels.imag)
        return imaginary if imaginary.size else np.arange(labels.size)
    values = labels.tolist() if labels.dtype.kind == "O" else []
    if not any(issubclass(kind, _COMPLEX) for kind in set(map(type, values))):  # once per type
        return np.empty(0, dtype=np.intp)
    return np.flatnonzero([isinstance(v, _COMPLEX) for v in values])


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)
    except (TypeError, ValueError):  # pandas.NA: its comparisons are NA, whose truth is undefined
        return True


class ContinuousLabelsWarning(UserWarning):
    """Deprecated, to be removed: pidkit no longer warns with it. ``pidkit.ContinuousLabelsWarning``
    still gives it, with a ``FutureWarning``, so that code filtering it runs while it is changed.

    Sample labels holding non-integer floats (a logit, a feature, a continuous target) were
    counted with this warning, each distinct float a label of its own, by
    :func:`pidkit.joint_from_samples` and :func:`pidkit.estimate.bootstrap`, where
    :func:`pidkit.estimate.pid_from_representations` refused them. Every entry point now refuses
    them with a ``ValueError`` (:func:`check_whole_labels`), as scikit-learn's
    ``check_classification_targets`` refuses a continuous target.

    Examples
    --------
    >>> import numpy as np
    >>> import pidkit
    >>> logits = np.array([0.31, -1.2, 2.5, 0.31])  # a teacher's logit, not its class
    >>> pidkit.joint_from_samples([0, 1, 0, 1], logits, [0, 0, 1, 1])
    Traceback (most recent call last):
    ...
    ValueError: t holds 3 distinct non-integer floats (e.g. -1.2); labels must be discrete ...
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


def rounding_fix(name: str, given: Any = None) -> str:
    """The fix for labels ``name`` that :func:`near_whole` takes for class ids off by rounding;
    ``given``, what the user passed as ``name``, makes the code work on it (:func:`as_numpy_code`:
    ``np.rint`` of a tensor gives a tensor, which has no ``astype``); without it, the code is for
    an array or a list.

    Examples
    --------
    >>> rounding_fix("y").endswith("round them: np.rint(y).astype(int).")
    True
    """
    code = name if given is None else as_numpy_code(given, name)
    return (f"They are all within {_ROUNDING:g} of whole numbers: if they are class ids with a "
            f"rounding error, round them: np.rint({code}).astype(int).")


def check_whole_labels(labels: np.ndarray, name: str, given: Any = None, *, unrounded_fix: str = "") -> None:
    """Refuse ``labels`` of argument ``name`` that hold non-integer floats, naming how many
    distinct ones, one of them, and the fix: rounding (``np.rint``) where all are within 1e-6 of
    whole numbers (class ids from a division), else binning (``np.digitize``) or encoding
    (``np.unique(..., return_inverse=True)``). ``given``, what the user passed as ``name``, makes
    the suggested rounding work on it (:func:`rounding_fix`). ``unrounded_fix``, where given,
    replaces the binning and encoding advice: the estimators' labels given in place of a
    representation point to a feature matrix instead. ``y``, the target of every entry point, is
    pointed to the Gaussian estimate, not to the discrete estimator, whose ``y`` holds labels too
    (and which a caller of it would be sent back to); a source to both.

    The policy of scikit-learn's ``check_classification_targets``: whole-number floats (``1.0``,
    ``-0.0``, in float16, 32 or 64) are labels, the same as the ints they equal; any other float
    makes the labels continuous and is refused. Only the distinct labels are read, so the check
    costs nothing per sample. Applied by :func:`encode_labels`, hence by every entry point that
    counts labels, and by the estimators' checks of ``y`` and of labels given in place of a
    representation, so that each words the refusal the same way.

    Examples
    --------
    >>> check_whole_labels(np.array([-0.0, 1.0, 2.0], dtype=np.float32), "y")
    >>> check_whole_labels(np.array([0.0, 0.5]), "y")
    Traceback (most recent call last):
    ...
    ValueError: y holds 1 distinct non-integer floats (e.g. 0.5); labels must be discrete ...
    """
    fractional = non_integer_floats(labels)
    if not fractional.size:
        return
    code = name if given is None else as_numpy_code(given, name)
    if near_whole(fractional):
        fix = rounding_fix(name, given)
    elif unrounded_fix:
        fix = unrounded_fix
    else:
        fix = (f"For a continuous variable, bin it first, e.g. np.digitize({code}, np.quantile({code}, "
               f"[0.25, 0.5, 0.75])) for four classes; if each distinct float is a class, encode them: "
               f"np.unique({code}, return_inverse=True)[1]. "
               + ("For a continuous target, pidkit.gaussian_pid_from_samples takes it as it is, with "
                  "continuous or feature sources." if name == "y" else
                  "For features use pidkit.estimate.pid_from_representations, which clusters them; "
                  "for continuous variables, pidkit.gaussian_pid."))
    raise ValueError(
        f"{name} holds {fractional.size} distinct non-integer floats (e.g. {shown_float(fractional[0])}); "
        f"labels must be discrete (class or cluster indices, whole-number floats, strings), as a "
        f"float feature, logit or target would make a label of each value. {fix}"
    )


# labels that numpy reads by value (a list of them is one np.asarray)
_PLAIN_LABELS = (Number, str, bytes, np.generic, list, np.ndarray)
# the label types a numpy string array of each kind holds as they are (not str subclasses)
_STRINGS: dict[str, set[type]] = {"U": {str, np.str_}, "S": {bytes, np.bytes_}}
_COMPLEX = (complex, np.complexfloating)


def label_array(values: Any, name: str) -> np.ndarray:
    """Sample labels as an array (1-D unless ``values`` is not: the caller checks the shape).

    Tuples and other non-scalar hashables become object labels, and so do lists mixing strings
    with other labels (numpy would turn 0 and "0" into one string), bytes with str (``b"a"`` and
    ``"a"`` into one), which :func:`check_one_label_type` then refuses, and str subclasses (numpy
    reads them by ``str()``: ``class Size(str, Enum)`` members became their class name, cut to one
    letter); tensors and pandas columns are
    converted by their own means, 0-d tensors in a list by value; a scipy.sparse matrix or array
    is densified when 1-D. Refused, with a message naming ``name``: a scipy.sparse input of two
    axes or more (a one-hot matrix, a column: :func:`~pidkit._label_matrices.labels_shape_error`, without
    densifying it), masked arrays with masked labels, nulls of polars or pyarrow columns, polars
    LazyFrames (not collected), strings, sets (no order) and dicts (iteration gives their keys).
    A list mixing complex numbers with others stays objects, so that only the complex ones are
    counted (numpy would make all of them complex). Shared by :func:`pidkit.joint_from_samples` and
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
    if issparse(values):  # iterating one gives its rows, each a sparse matrix, read as one label
        if values.ndim != 1:
            raise labels_shape_error(values, values.shape, name)
        return values.toarray()
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a 1-D sequence of labels; got {type_with_article(values)}.")
    if isinstance(values, (set, frozenset)):
        raise TypeError(
            f"{name} is {type_with_article(values)}, which has no order, but samples are paired by "
            f"position: pass {name}'s labels as a list or array in the order of the samples."
        )
    if isinstance(values, Mapping):
        raise TypeError(
            f"{name} is {type_with_article(values)}, whose iteration gives its keys, not labels: pass "
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
    check_not_lazy(values, name)
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
            batches = batches_hint(values, name)  # batches of labels in a list, the last one shorter
            fix = "Otherwise use" if batches else "Use"
            raise ValueError(
                f"{name} is ragged: some labels are sequences of different lengths.{batches} {fix} "
                "scalar labels, or tuples (hashable labels of any length)."
            ) from exc
        if arr.dtype.kind == "c" and arr.ndim == 1 and not all(issubclass(k, _COMPLEX) for k in kinds):
            return as_objects(seq)  # numpy made every label complex: keep which ones were
        if arr.dtype.kind not in "US" or kinds <= _STRINGS[arr.dtype.kind]:
            return arr
    return as_objects(seq)


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
    """Refuse the missing labels that ``np.asarray`` turns into ``None`` (a label like any other in
    a list or a numpy array) when they are strings or other objects: the nulls of a polars Series
    or pyarrow array ``values`` (their ``null_count``) and the Nones of a pandas object Series or
    Index, which pandas counts as missing (``isna()``), as it does NaN: then every label pandas
    counts as missing is counted, the first named; ``labels`` is ``values`` as read. Numeric
    nulls become NaN, which :func:`check_label_values` refuses. Shared by :func:`label_array` and
    the estimators' check of labels given in place of features.

    Examples
    --------
    >>> check_nulls([None, "a"], np.array([None, "a"], dtype=object), "y")  # a list has no nulls
    """
    if labels.dtype != object or not null_count(values):
        return
    is_none = [label is None for label in labels.tolist()]
    if any(is_none):
        pandas = callable(getattr(values, "isna", None))  # which counts NaN, NA and NaT too
        missing = np.flatnonzero(np.asarray(values.isna()) if pandas else is_none)
        raise null_error(name, missing.size, "missing label(s)", f"at index {missing[0]}", pandas=pandas)


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


def encode_labels(
    values: Any, name: str, n: int | None = None, *, others: Mapping[str, int | None] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Check 1-D sample labels and encode them: each sample's index on the labels' axis, and the axis.

    Non-integer floats are refused (:func:`check_whole_labels`); whole-number floats are labels,
    ``-0.0`` the same as ``0.0``. The axis holds the labels that occur, sorted (``np.unique``'s
    order; objects by ``sorted``, in first-seen order when they cannot be compared). A pandas
    categorical, ordered or not, and a polars Enum keep their categories' order (those that
    occur), as the libraries sort them.
    Shared by :func:`pidkit.joint_from_samples` and the estimators, so that their axes agree.

    Parameters
    ----------
    values : array_like of shape (n_samples,)
        The labels, read by :func:`label_array`.
    name : str
        The argument's name, for the messages.
    n : int, optional
        The number of samples ``values`` must hold (that of the other arguments).
    others : mapping of str to int or None, optional
        The numbers of samples other arguments hold, by name, where known (``None`` where not),
        for the refusal of labels that are not 1-D (:func:`~pidkit._label_matrices.not_one_axis_error`).

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
        raise not_one_axis_error(values, arr, name, others or {})
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"y, t and s must have the same length; {name} has {arr.shape[0]}, not {n}.")
    if arr.size == 0:
        raise ValueError(f"{name} is empty; at least one sample is needed.")
    check_label_values(arr, name)
    codes, labels = _codes_and_axis(values, arr)
    check_whole_labels(labels, name, values)
    return codes, labels


def _codes_and_axis(values: Any, arr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`encode_labels`' codes and axis of checked 1-D labels ``arr``, read from ``values``."""
    category_codes = _category_codes(values, arr)
    if category_codes is not None:  # codes in category order; the labels read from one sample each
        _, first, codes = np.unique(category_codes, return_index=True, return_inverse=True)
        return codes.reshape(-1), arr[first]
    if arr.dtype == object:
        uniques: list[Any] = list(dict.fromkeys(arr.tolist()))  # hashable; comparable or not
        try:  # sorted, as np.unique sorts the other kinds (pandas strings and categories are objects)
            uniques = sorted(uniques)
        except (TypeError, ValueError):  # labels that cannot be compared: first-seen order
            pass
        index = {label: i for i, label in enumerate(uniques)}
        return np.array([index[v] for v in arr.tolist()], dtype=np.intp), as_objects(uniques)
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.reshape(-1), labels


def as_objects(values: list[Any]) -> np.ndarray:
    """``values`` as a 1-D object array, one element each, where ``np.asarray`` would read the
    tuples among them as rows of a 2-D array.

    Examples
    --------
    >>> as_objects([(0, 1), (1, 0)]).shape
    (2,)
    """
    arr = np.empty(len(values), dtype=object)
    for i, value in enumerate(values):
        arr[i] = value
    return arr
