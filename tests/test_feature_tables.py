"""Features as notebooks hold them: a polars DataFrame (its non-numeric columns named, as a
pandas DataFrame's are) and a generator (named, with the fix), in the estimators and the
Gaussian PID alike."""

import re

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations
from pidkit.estimate.inputs import check_features
from pidkit.gaussian import gaussian_pid_from_samples


class _Dtype:
    """A polars dtype: no numpy ``kind``; ``is_numeric()`` (False for Boolean) and its name."""

    def __init__(self, name, numeric):
        self._name, self._numeric = name, numeric

    def is_numeric(self):
        return self._numeric

    def __str__(self):
        return self._name


FLOAT, INT, BOOL = _Dtype("Float64", True), _Dtype("Int64", True), _Dtype("Boolean", False)
STRING, WHEN = _Dtype("String", False), _Dtype("Datetime(time_unit='us', time_zone=None)", False)


class _Frame:
    """What pidkit reads of a polars DataFrame, as polars 2.1 gives it: ``columns``, ``dtypes``,
    ``to_numpy`` and ``np.asarray``: an object array beside strings, dates turned into numbers."""

    def __init__(self, values, dtypes):
        self._values = np.asarray(values, dtype=object if STRING in dtypes else float)
        self.columns = [f"c{i}" for i in range(len(dtypes))]
        self.dtypes = dtypes

    def to_numpy(self):
        return self._values

    def __array__(self, dtype=None, copy=None):
        return self._values


def _data(n=60):
    rng = np.random.default_rng(5)
    y = rng.integers(0, 2, n)
    return y, np.c_[y + rng.normal(size=n), rng.normal(size=n)], rng.normal(size=(n, 2))


def _estimators(x):
    y, _, s = _data()
    return [
        lambda: check_features(x, "t_features"),
        lambda: pid_from_representations(y, x, s, bias_correction="none"),
        lambda: pid_from_representations(y, x, s, estimator="gaussian"),
    ]


@pytest.mark.parametrize(("dtypes", "named"), [
    ([FLOAT, STRING], "'c1' (String)"),
    ([WHEN, FLOAT], "'c0' (Datetime(time_unit='us', time_zone=None))"),
])
def test_a_polars_frame_with_other_columns_is_refused_naming_them(dtypes, named):
    # was "t_features must be a numeric feature matrix; got dtype object" for a String column, and
    # a Datetime column was read as numbers, without a word
    y, t, _ = _data()
    frame = _Frame(t, dtypes)
    message = ("{name} is a DataFrame with 1 non-numeric column(s): " + named + "; features must be "
               "numbers. Select the numeric columns ({name}.select(pl.selectors.numeric())) or encode "
               "the others as numbers first.")
    for estimate in _estimators(frame):
        with pytest.raises(TypeError, match="^" + re.escape(message.format(name="t_features")) + "$"):
            estimate()
    with pytest.raises(TypeError, match="^" + re.escape(message.format(name="t")) + "$"):
        gaussian_pid_from_samples(y.astype(float), frame, t[:, 0])


@pytest.mark.filterwarnings("ignore::pidkit.estimate.PluginBiasWarning")
def test_a_numeric_polars_frame_gives_the_estimate_of_its_array():
    y, t, s = _data()
    frame = _Frame(t, [FLOAT, INT])
    np.testing.assert_array_equal(check_features(frame, "t_features"), t)
    ref = pid_from_representations(y, t, s, bias_correction="none", random_state=0)
    res = pid_from_representations(y, frame, s, bias_correction="none", random_state=0)
    assert (res.red, res.syn) == pytest.approx((ref.red, ref.syn), abs=1e-12)
    assert gaussian_pid_from_samples(y, _Frame(t, [FLOAT, BOOL]), s).red == pytest.approx(
        gaussian_pid_from_samples(y, t, s).red, abs=1e-12)


def test_features_as_a_generator_are_named_with_the_fix():
    # was "t_features must be a numeric feature matrix; got dtype object" (numpy reads a generator
    # as one object), where the Gaussian PID's samples already said what to do (6f64cc2)
    _, t, _ = _data()
    for estimate in _estimators(row for row in t):
        with pytest.raises(TypeError, match=r"^t_features must be a numeric feature matrix; got a generator, "
                                            r"which numpy reads as one object\. Pass its values: "
                                            r"list\(t_features\)\. Discrete labels must be a 1-D array"):
            estimate()


def test_a_real_polars_frame():
    pl = pytest.importorskip("polars")  # not among the test requirements; the stand-in above is
    y, t, _ = _data()
    frame = pl.DataFrame({"a": t[:, 0], "b": t[:, 1], "name": ["x"] * len(y)})
    with pytest.raises(TypeError, match=r"^t_features is a DataFrame with 1 non-numeric column\(s\): "
                                        r"'name' \(String\); features must be numbers"):
        check_features(frame, "t_features")
    np.testing.assert_array_equal(check_features(frame.select(pl.selectors.numeric()), "t_features"), t)


@pytest.mark.parametrize("side", ["features", "labels"])
def test_masked_features_are_refused_not_read_through_the_mask(side):
    # np.asarray drops the mask: the values underneath were used without a word (as y's masked
    # labels and the Gaussian PID's masked samples are refused)
    y, t, _ = _data()
    values = t if side == "features" else y
    masked = np.ma.masked_array(values, mask=np.arange(values.size).reshape(values.shape) < 2)
    match = (r"^t_features is a masked array with 2 masked value\(s\); the estimate would use the values "
             r"underneath\. Drop the samples with masked values \(the same rows of every input\), or pass "
             r"t_features\.data if the values underneath are right\.$")
    for estimate in _estimators(masked):
        with pytest.raises(ValueError, match=match):
            estimate()
    np.testing.assert_array_equal(check_features(np.ma.masked_array(t), "t_features"), t)  # nothing masked
