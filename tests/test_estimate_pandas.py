"""``pidkit.estimate`` with pandas inputs, as a notebook user passes them.

pandas is not a dependency of pidkit: the inputs are read through ``np.asarray`` and duck-typed
attributes (``index``, ``dtypes``, ``to_numpy``), and these tests are skipped without pandas.
"""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import pid_from_representations

pd = pytest.importorskip("pandas")

N = 300


def _data(seed: int = 3):
    """Three labels; the teacher's blobs sit at the label's centre, the student is noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, N)
    t = rng.normal(0.0, 6.0, (3, 5))[y] + rng.normal(size=(N, 5))
    s = rng.normal(size=(N, 4))
    return y, t, s


def _pid(y, t, s, **options):
    return pid_from_representations(y, t, s, n_clusters=3, normalize=None, **options)


def test_series_and_frames_with_one_index_give_the_numpy_result():
    y, t, s = _data()
    index = pd.Index(np.arange(N) * 7 + 1000)  # not 0..n-1, but the same on all three
    res = _pid(pd.Series(y, index=index), pd.DataFrame(t, index=index), pd.DataFrame(s, index=index))
    ref = _pid(y, t, s)
    np.testing.assert_array_equal(res.counts, ref.counts)
    assert res.red == ref.red and res.uni_t == ref.uni_t


def test_pandas_objects_with_different_indexes_are_refused_not_paired_by_position():
    # y filtered and shuffled in pandas keeps its index; a DataFrame built from the features has
    # 0..n-1. Paired by position the label of sample perm[i] met the features of sample i: before
    # this check the teacher's I(Y;T) of about log2(3) bits silently came out near 0.
    y, t, s = _data()
    perm = np.random.default_rng(0).permutation(N)
    y_shuffled = pd.Series(y, index=np.arange(N))[perm]
    t_frame = pd.DataFrame(t)
    with pytest.raises(ValueError, match=(
        rf"^y and t_features are pandas objects with different indexes \(at position 0: {perm[0]} and "
        r"0\); samples are paired by position, not by index, so they would be paired wrongly\. Align "
        r"them first, e\.g\. t_features = t_features\.loc\[y\.index\], or, if the rows are already in "
        r"the same order, drop the indexes with \.reset_index\(drop=True\) or pass \.to_numpy\(\)\.$"
    )):
        _pid(y_shuffled, t_frame, s)
    with pytest.raises(ValueError, match=r"^t_features and s_features are pandas objects"):
        _pid(y, t_frame, pd.DataFrame(s, index=np.arange(N) + 1))
    with pytest.raises(ValueError, match=r"^y and t_features are pandas objects"):
        pid_from_representations(y_shuffled, t_frame, s, estimator="gaussian")
    # The fix the message gives pairs every label with its own sample.
    aligned = _pid(y_shuffled, t_frame.loc[y_shuffled.index], s[perm])
    ref = _pid(y[perm], t[perm], s[perm])
    np.testing.assert_array_equal(aligned.counts, ref.counts)
    assert aligned.i_yt > 1.5  # log2(3) = 1.585: the teacher's blobs are the labels
    # Only pandas objects carry an index: a Series beside numpy arrays is taken by position.
    by_position = _pid(y_shuffled, t[perm], s[perm])
    np.testing.assert_array_equal(by_position.counts, ref.counts)


def test_nullable_numeric_columns_are_features_and_their_na_is_reported_as_nan():
    # pandas' nullable dtypes become an object array under np.asarray: before, a Float64 frame
    # was refused with "must be a numeric feature matrix; got dtype object".
    y, t, s = _data()
    frame = pd.DataFrame(t).astype("Float64")
    frame[5] = pd.array((t[:, 0] > 0).astype(int), dtype="Int64")  # an Int64 column beside them
    res = _pid(y, frame, s)
    ref = _pid(y, np.column_stack([t, t[:, 0] > 0]), s)
    np.testing.assert_array_equal(res.counts, ref.counts)
    frame.iloc[7, 2] = pd.NA
    with pytest.raises(ValueError, match=r"^t_features contains 1 NaN and 0 infinite value\(s\), in 1 "
                                         r"row\(s\) \(first row 7\)"):
        _pid(y, frame, s)


def test_a_bool_column_beside_float_ones_is_a_feature():
    # pandas gives an object array for float and numpy bool columns together (numpy would give
    # floats): such a frame was refused with "must be a numeric feature matrix; got dtype object".
    y, t, s = _data()
    frame = pd.DataFrame(t)
    frame["positive"] = t[:, 0] > 0
    res = _pid(y, frame, s)
    ref = _pid(y, np.column_stack([t, t[:, 0] > 0]), s)
    np.testing.assert_array_equal(res.counts, ref.counts)
    assert res.settings["t"]["n_features"] == 6


def test_non_numeric_columns_are_named():
    y, t, _ = _data()
    frame = pd.DataFrame(t, columns=[f"f{i}" for i in range(5)])
    frame["name"] = "x"
    frame["kind"] = pd.Categorical(np.where(y == 0, "a", "b"))
    with pytest.raises(TypeError, match=(
        r"^s_features is a DataFrame with 2 non-numeric column\(s\): 'name' \(\w+\), 'kind' "
        r"\(category\); features must be numbers\. Select the numeric columns "
        r"\(s_features\.select_dtypes\('number'\)\) or encode the others as numbers first\.$"
    )):
        _pid(y, t, frame)
    res = _pid(y, t, frame.select_dtypes("number"))  # the fix the message gives
    np.testing.assert_array_equal(res.counts, _pid(y, t, t).counts)


def test_a_one_column_frame_of_labels_gets_a_pandas_hint():
    y, t, s = _data()
    column = pd.DataFrame({"label": y})
    with pytest.raises(ValueError, match=r"\(300, 1\)\. For a column of labels pass y\.iloc\[:, 0\]\.$"):
        _pid(column, t, s)
    np.testing.assert_array_equal(_pid(column.iloc[:, 0], t, s).counts, _pid(y, t, s).counts)


def test_nullable_int_labels_with_na_are_missing_labels_with_their_position():
    # np.asarray turns an Int64 Series with NA into floats with NaN. Before, y got "contains NaN or
    # infinity" (no count, no position) and labels in place of t_features got the 1-D float
    # message, whose hint (t_features.astype(int)) would have turned NA into a label.
    y, t, s = _data()
    with_na = pd.Series(y, dtype="Int64")
    with_na[[4, 11]] = pd.NA
    missing = r"contains 2 missing label\(s\) \(NaN, NA or NaT; the first at index 4\); drop those"
    with pytest.raises(ValueError, match=rf"^y {missing}"):
        _pid(with_na, t, s)
    with pytest.raises(ValueError, match=rf"^t_features {missing}"):
        _pid(y, with_na, s)
    res = _pid(y, pd.Series(y, dtype="Int64"), s)  # without NA they are labels, used as given
    assert res.settings["t"] == {"kind": "labels", "n_values": 3}


def test_the_plugin_bootstrap_refuses_series_with_different_indexes_too():
    # bootstrap(y, t, s) of discrete labels paired a shuffled y Series with t and s by position:
    # the synergy of y = t xor s came out 0.001 bits instead of 1.
    from pidkit.estimate import bootstrap

    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 2, N), rng.integers(0, 2, N)
    y = pd.Series(t ^ s)
    assert bootstrap(y, pd.Series(t), pd.Series(s), n_boot=5)["estimate"].syn > 0.99
    perm = rng.permutation(N)
    differ = rf"^y and t are pandas objects with different indexes \(at position 0: {perm[0]} and 0\)"
    with pytest.raises(ValueError, match=differ):
        bootstrap(y[perm], pd.Series(t), pd.Series(s), n_boot=5)


def test_results_go_into_dataframes_as_the_docs_say():
    y, t, s = _data()
    results = [_pid(y, t, s, bootstrap=2, random_state=seed) for seed in (0, 1)]
    table = pd.DataFrame([r.to_dict() for r in results])
    assert list(table.columns[:7]) == ["red", "uni_t", "uni_s", "syn", "i_yt", "i_ys", "i_yts"]
    assert table["uni_t"].tolist() == [r.uni_t for r in results]
    intervals = pd.DataFrame(results[0].intervals, index=["low", "high"]).T
    assert intervals.loc["red", "high"] == results[0].intervals["red"][1]


def test_an_ordered_categorical_target_keeps_its_order_in_both_estimators():
    # the estimators read labels as arrays, which lost the categories: res.labels["y"] was
    # ['high', 'low', 'mid'] for categories low < mid < high, unlike joint_from_samples
    y, t, s = _data()
    names = np.array(["low", "mid", "high"])
    sizes = pd.Series(pd.Categorical(names[y], categories=["low", "mid", "high"], ordered=True))
    res = _pid(sizes, t, s)
    ref = _pid(y, t, s)
    assert res.labels["y"].tolist() == ["low", "mid", "high"]
    np.testing.assert_array_equal(res.counts, ref.counts)  # y == 0 is "low", the first row
    gauss = pid_from_representations(sizes, t, s, estimator="gaussian", n_components=2)
    assert gauss.labels["y"].tolist() == ["low", "mid", "high"]


def test_the_plugin_bootstrap_counts_a_categorical_target_in_its_categories_order():
    # bootstrap(y, t, s) read y through check_labels, an array without the categories: its axis
    # was sorted (high, low, mid), so the same seed drew other replicates than for the codes
    # 0, 1, 2 of low < mid < high, unlike a categorical t or s, which kept its order
    from pidkit.estimate import bootstrap

    rng = np.random.default_rng(5)
    y = rng.integers(0, 3, 200)
    t, s = (y + rng.integers(0, 2, 200)) % 3, rng.integers(0, 2, 200)
    sizes = pd.Series(pd.Categorical(np.array(["low", "mid", "high"])[y],
                                     categories=["low", "mid", "high"], ordered=True))
    res, ref = bootstrap(sizes, t, s, n_boot=8), bootstrap(y, t, s, n_boot=8)
    np.testing.assert_array_equal(res["samples"]["i_yt"], ref["samples"]["i_yt"])
    assert res["intervals"] == ref["intervals"]
