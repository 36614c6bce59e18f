"""Three inputs whose messages named the wrong thing: a polars LazyFrame (a query, not values: the
fix is .collect()), a polars frame or Series of Booleans with a null (None, on which the
object-array message's fix fails; a pandas boolean Series with NA is NaN, as in a DataFrame) and
labels mixing numbers with complex ones (numpy makes them all complex)."""

import warnings

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.estimate.inputs import check_features, check_labels
from pidkit.gaussian import gaussian_pid_from_samples


class _LazyFrame:
    """What pidkit meets of a polars LazyFrame, as polars 2.1 gives it: ``collect`` and
    ``collect_schema``; no ``__array__`` or ``to_numpy`` (numpy reads it as one object), and
    iteration refused."""

    def collect(self):
        raise AssertionError("pidkit must not run the user's query")

    def collect_schema(self):
        return {"a": "Float64"}

    def __iter__(self):
        raise TypeError("LazyFrame is not subscriptable (aside from slicing)")


class _BoolDtype:
    """polars' Boolean: no numpy ``kind``; ``is_numeric()`` False."""

    def is_numeric(self):
        return False

    def __str__(self):
        return "Boolean"


class _BoolFrame:
    """A polars DataFrame of two Boolean columns, as polars 2.1 reads it into numpy: booleans, or
    with nulls an object array, None where the value is null."""

    def __init__(self, values):
        self.columns, self.dtypes = ["a", "b"], [_BoolDtype(), _BoolDtype()]
        self._values = np.array(values)  # bool, or object with None among them

    def to_numpy(self):
        return self._values

    def __array__(self, dtype=None, copy=None):
        return self._values


Y, S = np.array([0, 1, 0, 1]), np.ones((4, 2))
# the entry points that read features or samples, each with the name its messages use
FEATURE_ENTRIES = [
    (lambda x: check_features(x, "t_features"), "t_features"),
    (lambda x: pid_from_representations(Y, x, S), "t_features"),
    (lambda x: gaussian_pid_from_samples(Y, x, S), "t"),
]
LAZY = (r"^{0} is a _LazyFrame, a lazy query that holds no values until it is collected: "
        r"pass {0}\.collect\(\)\.$")


@pytest.mark.parametrize(("call", "name"), [
    *FEATURE_ENTRIES,
    (lambda x: pidkit.joint_from_samples(Y, x, Y), "t"),
    (lambda x: check_labels(x), "y"),
])
def test_a_lazy_frame_is_asked_to_be_collected(call, name):
    # features: "got an array of Python objects (dtype object) ... np.asarray(t_features,
    # dtype=float)", which fails too; labels: "must be a 1-D sequence of labels; got _LazyFrame."
    with pytest.raises(TypeError, match=LAZY.format(name)):
        call(_LazyFrame())


NULL = (r"^{} contains 3 missing value\(s\) \(null; the first in row 1\); drop those samples from y, "
        r"t and s alike \(e\.g\. with \.drop_nulls\(\) on the frame\)\.$")


@pytest.mark.parametrize(("call", "name"), FEATURE_ENTRIES)
def test_nulls_in_a_boolean_polars_frame_are_named_as_nulls(call, name):
    # was: "an array of Python objects (dtype object). If they are numbers, convert them:
    # np.asarray(t, dtype=float)", which raises on the None
    frame = _BoolFrame([[True, True], [None, False], [False, None], [None, True]])
    with pytest.raises(ValueError, match=NULL.format(name)):
        call(frame)


SERIES_NULL = (r"^{} contains 2 missing value\(s\) \(null; the first at index 1\); drop those samples "
               r"from y, t and s alike \(e\.g\. with \.drop_nulls\(\) on the frame\)\.$")


class _BoolSeries:
    """A polars Series of dtype Boolean, as polars 2.1 reads it into numpy: booleans, or with nulls
    an object array, None where the value is null; ``null_count()``, no ``columns``."""

    def __init__(self, values):
        self.dtype, self._values = _BoolDtype(), np.array(values)

    def null_count(self):
        return sum(v is None for v in self._values.tolist())

    def to_numpy(self):
        return self._values

    def __array__(self, dtype=None, copy=None):
        return self._values

    def __len__(self):
        return len(self._values)


@pytest.mark.parametrize(("call", "name"), FEATURE_ENTRIES)
def test_nulls_in_a_boolean_polars_series_are_named_as_nulls(call, name):
    # was, for features (check_features, gaussian_pid_from_samples): "an array of Python objects
    # (dtype object). If they are numbers, convert them: np.asarray(t, dtype=float)", which fails
    with pytest.raises(ValueError, match=SERIES_NULL.format(name)):
        call(_BoolSeries([True, None, False, None]))


@pytest.mark.parametrize(("call", "match"), [
    (lambda x: check_features(x.to_frame(), "t_features"), r"^t_features contains 1 NaN and 0 infinite"),
    (lambda x: gaussian_pid_from_samples(Y, x, S), r"^t contains NaN or infinity \(first at sample 1\)"),
])
def test_na_in_a_pandas_boolean_series_is_nan_as_in_a_frame(call, match):
    # gaussian_pid_from_samples said "an array of Python objects ... np.asarray(t, dtype=float)",
    # which fails on pandas.NA; the same column in a DataFrame was NaN, for the finite check
    pd = pytest.importorskip("pandas")
    with pytest.raises(ValueError, match=match):
        call(pd.Series([True, None, False, True], dtype="boolean"))


def test_a_boolean_polars_series_without_nulls_is_still_read():
    y, s = [0.1, 0.7, 0.3, 0.9, 0.2, 0.8], [0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
    bits = [False, True, False, True, False, True]
    read, ref = gaussian_pid_from_samples(y, _BoolSeries(bits), s), gaussian_pid_from_samples(y, bits, s)
    assert (read.i_yt, read.i_yts, read.red) == (ref.i_yt, ref.i_yts, ref.red) and read.i_yt > 0.5


def test_a_boolean_polars_frame_without_nulls_is_still_read():
    frame = _BoolFrame([[True, True], [True, False], [False, True], [False, False]])
    np.testing.assert_array_equal(check_features(frame, "t"), [[1, 1], [1, 0], [0, 1], [0, 0]])


@pytest.mark.parametrize("check", [
    lambda y: pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1]),
    check_labels,
])
@pytest.mark.parametrize(("y", "counted"), [
    ([1, 2j, 1, 2j], r"2 complex number\(s\) \(the first at index 1: 2j\)"),  # was: 4, index 0: (1+0j)
    (np.array([1, 2j, 1, 2j]), r"2 complex number\(s\) \(the first at index 1: 2j\)"),
    ([1, 0j, 1, 2], r"1 complex number\(s\) \(the first at index 1: 0j\)"),
    ((np.int64(1), np.complex64(3j)), r"1 complex number\(s\) \(the first at index 1: 3j\)"),
])
def test_only_the_complex_labels_are_counted(check, y, counted):
    with pytest.raises(TypeError, match=rf"^y contains {counted}; labels must be integers"):
        check(y)


def test_real_polars_lazy_and_null_frames():
    pl = pytest.importorskip("polars")  # not among the test requirements; the stand-ins above are
    t = pl.DataFrame({"a": [0.5, 1.5, 2.5, 3.5], "b": [1.0, 0.0, 1.0, 0.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no PerformanceWarning for resolving its schema (.columns)
        with pytest.raises(TypeError, match=r"^t_features is a LazyFrame, a lazy query .*\.collect\(\)\.$"):
            check_features(t.lazy(), "t_features")
    with pytest.raises(TypeError, match=r"^y is a LazyFrame, .* pass y\.collect\(\)\.$"):
        pidkit.joint_from_samples(pl.DataFrame({"y": [0, 1, 0, 1]}).lazy(), Y, Y)
    bools = pl.DataFrame({"a": [True, None, False, None], "b": [True, False, None, True]})
    with pytest.raises(ValueError, match=NULL.format("t_features")):
        check_features(bools, "t_features")
    np.testing.assert_array_equal(check_features(bools.drop_nulls(), "t"), [[1, 1]])
    with pytest.raises(ValueError, match=SERIES_NULL.format("t")):
        gaussian_pid_from_samples(Y, bools["a"], S)
