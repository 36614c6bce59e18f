"""Labels as people hold them: polars Enum columns (their axis in the Enum's order, their nulls
missing), complex numbers (no labels, by one rule in joint_from_samples and the estimators), None
in a pandas object column (missing, as pandas counts it) and dates given in place of a
representation (labels, as y takes them)."""

import numpy as np
import pytest

import pidkit
from pidkit.estimate import pid_from_representations
from pidkit.estimate.inputs import check_labels

SIZES = ["low", "mid", "high"]  # the Enum's order, not the sorted one (high, low, mid)


class _EnumDtype:
    """``polars.Enum(SIZES)``: its fixed categories, in their order, as ``dtype.categories``."""

    def __init__(self, categories):
        self.categories = np.array(categories, dtype=object)


class _EnumSeries:
    """What pidkit reads of a polars Series of dtype Enum, as polars 2.1 gives it: ``dtype``,
    ``np.asarray`` (an object array of the labels, None where a value is null) and
    ``null_count()``. No ``cat.codes``: that is pandas'."""

    def __init__(self, labels, categories):
        self.dtype = _EnumDtype(categories)
        self._labels = np.array(labels, dtype=object)

    def __array__(self, dtype=None, copy=None):
        return self._labels

    def __len__(self):
        return len(self._labels)

    def null_count(self):
        return sum(label is None for label in self._labels)


class _StringSeries(_EnumSeries):
    """A polars Series of dtype String: no categories (its labels are sorted), None for a null."""

    def __init__(self, labels):
        super().__init__(labels, [])
        self.dtype = "String"


def _codes():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 3, 60)
    return y, (y + rng.integers(0, 2, 60)) % 3, rng.integers(0, 2, 60)


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_a_polars_enum_axis_follows_its_categories():
    # the labels were read as strings and sorted: the axis was ['high', 'low', 'mid']
    y, t, s = _codes()
    sizes = _EnumSeries(np.array(SIZES, dtype=object)[y], SIZES)
    joint, ref = pidkit.joint_from_samples(sizes, t, s), pidkit.joint_from_samples(y, t, s)
    assert joint.labels["y"].tolist() == SIZES
    np.testing.assert_array_equal(joint.counts, ref.counts)  # y == 0 is "low", the first row
    res = pid_from_representations(sizes, t, s, bias_correction="none")
    assert res.labels["y"].tolist() == SIZES
    np.testing.assert_array_equal(res.counts, ref.counts)
    unused = _EnumSeries(["high", "low", "high", "low"], SIZES)  # only the categories that occur
    joint = pidkit.joint_from_samples(unused, [0, 1, 0, 1], [0, 0, 1, 1])
    assert joint.labels["y"].tolist() == ["low", "high"]


def test_a_real_polars_enum_and_categorical():
    pl = pytest.importorskip("polars")  # not among the test requirements; the stand-in above is
    y, t, s = _codes()
    sizes = pl.Series("size", np.array(SIZES)[y], dtype=pl.Enum(SIZES))
    joint, ref = pidkit.joint_from_samples(sizes, t, s), pidkit.joint_from_samples(y, t, s)
    assert joint.labels["y"].tolist() == SIZES
    np.testing.assert_array_equal(joint.counts, ref.counts)
    loose = pl.Series("size", np.array(SIZES)[y], dtype=pl.Categorical)  # no fixed order: sorted
    assert pidkit.joint_from_samples(loose, t, s).labels["y"].tolist() == ["high", "low", "mid"]
    with pytest.raises(ValueError, match=r"^y contains 1 missing label\(s\) \(null; the first at index 1\)"):
        pidkit.joint_from_samples(pl.Series(["a", None, "b"]), [0, 1, 1], [0, 1, 0])


@pytest.mark.parametrize("check", [
    lambda y: pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1]),
    check_labels,
])
def test_nulls_are_missing_labels_not_a_label_none(check):
    # np.asarray gives None for a null string, which was counted as a label of its own
    with pytest.raises(ValueError, match=r"^y contains 1 missing label\(s\) \(null; the first at index 2\); "
                                         r"drop those samples from y, t and s alike"):
        check(_EnumSeries(["low", "high", None, "low"], SIZES))


@pytest.mark.parametrize("check", [
    lambda y: pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1]),
    check_labels,
    lambda y: pid_from_representations(y, np.ones((4, 2)), np.ones((4, 2))),
])
@pytest.mark.parametrize(("y", "match"), [
    (np.array([1, 2, 1, 2], dtype=complex),
     r"^y contains 4 complex number\(s\) \(the first at index 0: \(1\+0j\)\); labels must be integers, "
     r"strings or other hashable class labels\. Their imaginary parts are all 0: pass np\.real\(y\)"),
    (np.array(["a", 2j, "a", 1], dtype=object),
     r"^y contains 1 complex number\(s\) \(the first at index 1: 2j\); labels must be integers, strings "
     r"or other hashable class labels\. Pass class or cluster indices; for continuous variables use "
     r"pidkit\.gaussian_pid\.$"),
])
def test_complex_labels_are_refused_by_one_rule(check, y, match):
    # joint_from_samples counted them; check_labels said "must hold integer or hashable labels",
    # though complex numbers are hashable, and let an object array of them through
    with pytest.raises(TypeError, match=match):
        check(y)


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
@pytest.mark.parametrize(("t", "error", "match"), [
    # a null string of a polars/pyarrow column was None, counted as a label of its own (t's axis
    # was ['high', 'low', 'mid', None]); a null of an Enum was refused as "t contains ..."
    (_StringSeries(["low", "high", None] + ["low", "high"] * 15 + ["mid"]), ValueError,
     r"^t_features contains 1 missing label\(s\) \(null; the first at index 2\); drop those samples"),
    (_EnumSeries(["low", "high", None] + ["low", "high"] * 15 + ["mid"], SIZES), ValueError,
     r"^t_features contains 1 missing label\(s\) \(null; the first at index 2\); drop those samples"),
    # was "t contains 1 complex number(s) ...": a name the caller never used
    (np.array([0, 1, 2j] + [0, 1] * 15 + [2], dtype=object), TypeError,
     r"^t_features contains 1 complex number\(s\) \(the first at index 2: 2j\)"),
])
def test_labels_in_place_of_a_representation_are_checked_as_labels(t, error, match):
    y = np.tile([0, 1], 17)
    with pytest.raises(error, match=match):
        pid_from_representations(y, t, np.random.default_rng(0).normal(size=(34, 2)), bias_correction="none")


class _OneColumnFrame:
    """``df.select("y")`` of polars: a DataFrame of one column, with ``to_series()`` (no ``ravel``
    and no ``iloc``); ``np.asarray`` gives shape (n, 1)."""

    def __init__(self, labels):
        self._labels = np.asarray(labels)[:, None]

    def __array__(self, dtype=None, copy=None):
        return self._labels

    def to_series(self):
        return self._labels[:, 0]


@pytest.mark.parametrize(("check", "start"), [
    (check_labels, r"^y must be a 1-D array of labels, one per sample; got shape \(4, 1\)\. "),
    (lambda y: pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1]),
     r"^y must be 1-D \(one label per sample\); got shape \(4, 1\)\. "),
])
@pytest.mark.parametrize(("y", "fix"), [
    (_OneColumnFrame(["a", "b", "a", "b"]), r"y\.to_series\(\)"),  # was y.ravel(): no such method
    (np.array([[0], [1], [0], [1]]), r"y\.ravel\(\)"),  # joint_from_samples: "For feature matrices use ..."
])
def test_a_column_of_labels_is_named_with_the_way_to_make_it_1d(check, start, y, fix):
    with pytest.raises(ValueError, match=start + r"For a column of labels pass " + fix + r"\.$"):
        check(y)


PANDAS_NONE = (r"^{} contains {} missing label\(s\) \(None, NaN, NA or NaT, which pandas counts as missing; "
               r"the first at index {}\); drop those samples from y, t and s alike \(e\.g\. with "
               r"\.dropna\(\) on the frame\)\.$")
_S = np.random.default_rng(0).normal(size=(34, 2))
_Y = np.tile([0, 1], 17)


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
@pytest.mark.parametrize(("call", "name"), [
    (lambda y: pidkit.joint_from_samples(y, _Y, _Y), "y"),
    (lambda y: pidkit.joint_from_samples(_Y, y, _Y), "t"),
    (check_labels, "y"),
    (lambda y: pidkit.estimate.bootstrap(y, _Y, _Y, n_boot=2), "y"),
    (lambda y: pid_from_representations(y, _S, _S, bias_correction="none"), "y"),
    (lambda y: pid_from_representations(y, _S, _S, estimator="gaussian"), "y"),
    (lambda t: pid_from_representations(_Y, t, _S, bias_correction="none"), "t_features"),
])
@pytest.mark.parametrize("holder", ["Series", "Index"])
def test_none_in_a_pandas_object_column_is_a_missing_label(call, name, holder):
    # pandas counts None as missing (isna()), as it does NaN, which was refused; None was counted
    # as a label of its own: y's axis was ['a', 'b', None] and every entry point went on
    pd = pytest.importorskip("pandas")
    labels = np.array(["a", "b"], dtype=object)[_Y]
    labels[2] = None
    with pytest.raises(ValueError, match=PANDAS_NONE.format(name, 1, 2)):
        call(getattr(pd, holder)(labels, dtype=object))


@pytest.mark.parametrize("missing", [float("nan"), "NA", "NaT"])
@pytest.mark.parametrize("holder", ["Series", "Index"])
def test_none_among_other_missing_labels_of_pandas_counts_them_all(missing, holder):
    # a NaN (NA, NaT) at index 1 before the None at index 2: was "1 missing label(s) (None, ...;
    # the first at index 2)", the one None only, where pandas (and .dropna()) counts both
    pd = pytest.importorskip("pandas")
    labels = np.array(["a", "b"], dtype=object)[_Y]
    labels[1], labels[2] = {"NA": pd.NA, "NaT": pd.NaT}.get(missing, missing), None
    with pytest.raises(ValueError, match=PANDAS_NONE.format("y", 2, 1)):
        check_labels(getattr(pd, holder)(labels, dtype=object))


def test_none_stays_a_label_outside_pandas():
    # a list or numpy array has no notion of missing: None is a label like any other there (in
    # first-seen order: it cannot be sorted with strings)
    pd = pytest.importorskip("pandas")

    def axis(y):
        return pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1]).labels["y"].tolist()

    y = ["a", None, "b", None]
    assert axis(y) == axis(np.array(y, dtype=object)) == ["a", None, "b"]
    assert axis(pd.Series(["a", "c", "b", "c"], dtype=object)) == ["a", "b", "c"]  # no None: as before


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_datetime_labels_in_place_of_a_representation_are_labels():
    # 1-D dates as t were "t_features must be a numeric feature matrix; got dtype datetime64[D].
    # Discrete labels must be a 1-D array": they were one, and y (or joint_from_samples) took them
    days = np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")
    res = pid_from_representations(_Y, days[_Y], _S, bias_correction="none")
    ref = pid_from_representations(_Y, _Y, _S, bias_correction="none")
    assert res.labels["t"].tolist() == days.tolist()
    np.testing.assert_array_equal(res.counts, ref.counts)
    missing = days[_Y].copy()
    missing[3] = np.datetime64("NaT")
    with pytest.raises(ValueError, match=r"^t_features contains 1 missing label\(s\) \(NaN, NA or NaT; the "
                                         r"first at index 3\)"):
        pid_from_representations(_Y, missing, _S, bias_correction="none")


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_a_list_of_labels_in_place_of_a_representation_keeps_their_types_as_y_does():
    # numpy reads a list's labels by str(): members of a `class Size(str, Enum)` given as t were
    # all 'S' (the class name cut to one letter), one label, so I(Y;T) = 0 bits for a T that names
    # Y; and 1.0 beside "1" became '1.0' and '1', two labels, where the same list as y is refused
    import enum

    class Size(str, enum.Enum):
        LARGE = "l"
        SMALL = "s"

    ref = pid_from_representations(_Y, _Y, _S, bias_correction="none")
    sizes = pid_from_representations(_Y, [Size.LARGE if v else Size.SMALL for v in _Y], _S,
                                     bias_correction="none")
    assert sizes.labels["t"].tolist() == [Size.LARGE, Size.SMALL]  # sorted by value: "l" < "s"
    np.testing.assert_array_equal(sizes.counts[:, ::-1], ref.counts)
    assert sizes.plugin["i_yt"] == pytest.approx(1.0)
    strings = pid_from_representations(_Y, tuple(str(v) for v in _Y), _S, bias_correction="none")
    np.testing.assert_array_equal(strings.counts, ref.counts)  # strings alone: as before
    mixed = [float(v) if i % 4 < 2 else str(v) for i, v in enumerate(_Y)]  # 0.0, 1.0, '0', '1', ...
    with pytest.raises(ValueError, match=r"^t_features mixes label types, numbers and strings \(0\.0 at "
                                         r"index 0, '0' at index 2\): "):
        pid_from_representations(_Y, mixed, _S, bias_correction="none")


def test_a_mix_of_numpy_integers_and_strings_shows_the_integers_as_numbers():
    # labels taken from a numpy array beside strings were shown as numpy writes its scalars:
    # "(np.int64(2) at index 0, '0' at index 4)"
    mixed = [*np.asarray(_Y)[:4], *(str(v) for v in _Y[4:])]
    with pytest.raises(ValueError, match=rf"^y mixes label types, numbers and strings \({int(_Y[0])} at "
                                         r"index 0, '\d' at index 4\): "):
        pid_from_representations(mixed, _Y, _S, bias_correction="none")
