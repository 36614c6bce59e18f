import pickle
import warnings

import numpy as np
import pytest

import pidkit
from pidkit import examples
from pidkit._labels import ContinuousLabelsWarning


def test_counts_match_a_known_joint():
    rng = np.random.default_rng(0)
    t = rng.integers(0, 2, 4000)
    s = rng.integers(0, 2, 4000)
    joint = pidkit.joint_from_samples(t ^ s, t, s)
    assert joint.n_samples == 4000 and joint.counts.sum() == 4000
    np.testing.assert_allclose(joint.p, examples.xor(), atol=0.02)
    assert pidkit.bertschinger(joint.p).syn > 0.99


def test_hashable_labels_keep_their_names():
    joint = pidkit.joint_from_samples(["cat", "dog", "cat"], [(0, 1), (1, 1), (0, 1)], [None, None, 1])
    assert joint.p.shape == (2, 2, 2)
    assert set(joint.labels["y"]) == {"cat", "dog"}
    cat = list(joint.labels["y"]).index("cat")
    assert joint.p[cat].sum() == pytest.approx(2 / 3)


@pytest.mark.parametrize(
    ("y", "t", "s", "error", "match"),
    [
        ([0, 1], [0, 1, 1], [0, 1], ValueError, "same length; t has 3, not 2"),
        ([[0, 1]], [0], [0], ValueError, r"y must be 1-D .* shape \(1, 2\).*pid_from_representations"),
        ([[0, 1, 1]], [0, 1, 1], [0, 1, 0], ValueError,
         r"^y must be 1-D \(one label per sample\); got shape \(1, 3\)\. y is one row of 3 labels, as t and "
         r"s hold 3 samples: pass np\.asarray\(y\)\.ravel\(\)\.$"),
        ([], [], [], ValueError, "y is empty"),
        ([0.5, np.nan], [0, 1], [0, 1], ValueError,
         r"^y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at index 1\)"),
        ([0.5, -np.inf], [0, 1], [0, 1], ValueError,
         r"^y contains 1 infinite value\(s\) \(the first at index 1\); labels must be finite"),
        ([0, 1], [{1}, {2}], [0, 1], TypeError,
         r"^t labels must be hashable \(numbers, strings, tuples\); the one at index 0 is a set"),
        (
            np.ma.masked_array([0, 1, 1], mask=[0, 1, 0]),
            [0, 1, 1],
            [0, 1, 0],
            ValueError,
            r"y is a masked array with 1 masked label",
        ),
        ("abc", [0, 1, 1], [0, 1, 0], TypeError, "y must be a 1-D sequence of labels; got a str"),
        (
            [0, 1],
            [[0, 1], [1]],
            [0, 1],
            ValueError,
            # a lone 'Otherwise' began the fix where no batches were named before it
            r"^t is ragged: some labels are sequences of different lengths\. Use scalar labels, or "
            r"tuples \(hashable labels of any length\)\.$",
        ),
        (
            np.array([0, 1, np.nan], dtype=object),
            [0, 1, 1],
            [0, 1, 0],
            ValueError,
            r"y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at index 2\)",
        ),
        (["a", "b", float("nan")], [0, 1, 1], [0, 1, 0], ValueError, "y contains 1 missing label"),
        (
            np.array(["2024-01-01", "NaT", "2024-01-02"], dtype="datetime64[D]"),
            [0, 1, 1],
            [0, 1, 0],
            ValueError,
            r"^y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at index 1\)",
        ),
        ({0, 1, 2}, [0, 1, 1], [0, 1, 0], TypeError,
         r"^y is a set, which has no order, but samples are paired by position: pass y's labels as a list"),
        ([0, 1, 1], {0: 1, 1: 0, 2: 1}, [0, 1, 0], TypeError,
         r"^t is a dict, whose iteration gives its keys, not labels: pass list\(t\.values\(\)\)"),
    ],
)
def test_bad_samples_are_rejected(y, t, s, error, match):
    with pytest.raises(error, match=match):
        pidkit.joint_from_samples(y, t, s)


def test_a_row_of_labels_is_told_to_ravel_it_where_the_others_show_the_samples():
    # it was told "For feature matrices use pid_from_representations", though t and s hold as many
    # samples as the row holds labels; a y of one sample's features keeps that advice
    y = np.array([0, 1, 1, 0])
    with pytest.raises(ValueError) as refused:
        pidkit.joint_from_samples(y[None, :], y, iter(y))  # an iterator's samples are not counted
    assert str(refused.value) == (
        "y must be 1-D (one label per sample); got shape (1, 4). y is one row of 4 labels, as t holds 4 "
        "samples: pass y.ravel().")
    with pytest.raises(ValueError) as refused:
        pidkit.joint_from_samples(y, y[None, :], y)
    assert str(refused.value).endswith("t is one row of 4 labels, as y holds 4 samples: pass t.ravel().")
    with pytest.raises(ValueError) as refused:
        pidkit.joint_from_samples(y[None, :], [0], [1])
    assert str(refused.value).endswith(
        "(1, 4). For feature matrices use pidkit.estimate.pid_from_representations, which discretises them.")


def test_strings_and_numbers_in_one_list_are_refused_not_merged_or_split():
    # numpy alone would read [0, "0"] as two copies of the string "0"; kept as objects they were
    # two classes that print alike, silently: a 4 x 2 x 2 joint of 2 x 2 x 2 samples
    with pytest.raises(ValueError, match=(
            r"^y mixes label types, numbers and strings \(0 at index 0, '0' at index 1\): labels of "
            r"different types are different classes even where they print alike \(5 and '5'\)\.")):
        pidkit.joint_from_samples([0, "0", 1, "1"], [0, 1, 0, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match=(
            r"^s mixes label types, strings and bytes \('a' at index 1, b'a' at index 0\): .*\('5' and "
            r"b'5'\)\. Pass labels of one type: decode the bytes to str \(b\.decode\(\)\)\.$")):
        pidkit.joint_from_samples([0, 1, 0, 1], [0, 1, 0, 1], [b"a", "a", "b", "b"])
    fixed = np.asarray([0, "0", 1, "1"]).astype(str)  # the message's fix
    as_strings = pidkit.joint_from_samples(fixed, [0, 1, 0, 1], [0, 0, 1, 1])
    assert as_strings.labels["y"].tolist() == ["0", "1"] and as_strings.p.shape == (2, 2, 2)
    others = pidkit.joint_from_samples([1, (0, 1), None, 1], [0, 1, 0, 1], [0, 0, 1, 1])  # no look-alikes
    assert others.labels["y"].tolist() == [1, (0, 1), None]


def test_tensors_are_read_as_arrays_not_as_objects():
    # 0-d tensors hash by identity: read one by one, every sample was a label of its own
    torch = pytest.importorskip("torch")
    t, s = np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1])
    expected = pidkit.joint_from_samples(t ^ s, t, s)
    joint = pidkit.joint_from_samples(
        torch.tensor(t ^ s), torch.tensor(t), torch.tensor(s, dtype=torch.float32)
    )
    np.testing.assert_array_equal(joint.p, expected.p)
    assert joint.labels["y"].tolist() == [0, 1]


def test_joint_from_dit_lists_labels_sorted_with_each_mass_in_its_cell():
    # not symmetric: each outcome's mass must land at (its target, its first source, its second)
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["2ab", "1ab", "1ba", "0bb", "2aa"], [0.1, 0.2, 0.3, 0.15, 0.25])
    joint = pidkit.joint_from_dit(d, target=0, sources=[2, 1])
    assert {k: v.tolist() for k, v in joint.labels.items()} == {
        "y": [("0",), ("1",), ("2",)], "t": [("a",), ("b",)], "s": [("a",), ("b",)]}
    expected = np.zeros((3, 2, 2))
    expected[2, 1, 0], expected[1, 1, 0], expected[1, 0, 1] = 0.1, 0.2, 0.3  # y=var0, t=var2, s=var1
    expected[0, 1, 1], expected[2, 0, 0] = 0.15, 0.25
    np.testing.assert_allclose(joint.p, expected)


def test_joint_from_dit_groups_variables():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["0000", "0101", "1011", "1110"], [0.25] * 4)
    joint = pidkit.joint_from_dit(d, target=3, sources=[(0, 1), 2])
    assert joint.p.shape == (2, 4, 2)
    with pytest.raises(ValueError, match="exactly two variables"):
        pidkit.joint_from_dit(d, target=3, sources=[0])
    with pytest.raises(ValueError, match="index the distribution's 4 variables"):
        pidkit.joint_from_dit(d, target=7, sources=[0, 1])
    with pytest.raises(TypeError, match="must be a dit Distribution"):
        pidkit.joint_from_dit(np.ones(3), target=0, sources=[1, 2])
    with pytest.raises(TypeError, match=r"target must be a variable's index .*; got 'a'"):
        pidkit.joint_from_dit(d, target="a", sources=[0, 1])
    with pytest.raises(TypeError, match=r"sources\[1\] must be a variable's index .*; got 'b'"):
        pidkit.joint_from_dit(d, target=3, sources=[0, "b"])


def test_unmasked_masked_arrays_are_plain_labels():
    y = np.ma.masked_array([0, 1, 1], mask=False)
    np.testing.assert_array_equal(
        pidkit.joint_from_samples(y, [0, 1, 1], [0, 1, 0]).p.sum(axis=(1, 2)), [1 / 3, 2 / 3]
    )


def test_joint_from_dit_reads_log_distributions_as_probabilities():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["000", "011", "101", "110"], [0.1, 0.2, 0.3, 0.4])
    linear = pidkit.joint_from_dit(d, target=2, sources=[0, 1]).p
    logged = pidkit.joint_from_dit(d.copy(base=2), target=2, sources=[0, 1]).p
    np.testing.assert_allclose(logged, linear, atol=1e-15)
    assert linear[0, 0, 0] == pytest.approx(0.1)


def test_pandas_series_with_different_indexes_are_refused():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(0)
    t = pd.Series(rng.integers(0, 2, 200))
    s = pd.Series(rng.integers(0, 2, 200))
    y = t ^ s  # XOR: 1 bit of synergy when the samples are paired right
    shuffled = y.sample(frac=1.0, random_state=1)  # same samples, another order: paired by position
    with pytest.raises(ValueError, match=r"y and t are pandas objects with different indexes .*"
                                         r"t = t\.loc\[y\.index\]"):
        pidkit.joint_from_samples(shuffled, t, s)
    aligned = pidkit.joint_from_samples(shuffled, t.loc[shuffled.index], s.loc[shuffled.index])
    assert pidkit.bertschinger(aligned.p).syn == pytest.approx(1.0, abs=0.02)
    assert pidkit.joint_from_samples(shuffled.to_numpy(), t, s).n_samples == 200  # arrays: by position


def test_continuous_labels_are_refused_naming_the_argument_and_the_fix():
    # a teacher's logit passed where its cluster indices belong made each sample a label of its
    # own, with a warning, where pid_from_representations refused the same floats
    rng = np.random.default_rng(0)
    y, s = rng.integers(0, 2, 500), rng.integers(0, 3, 500)
    with pytest.raises(ValueError) as info:
        pidkit.joint_from_samples(y, rng.random(500), s)
    message = str(info.value)
    assert message.startswith("t holds 500 distinct non-integer floats (e.g. 0.")
    assert "np.digitize(t, np.quantile(t, [0.25, 0.5, 0.75]))" in message
    assert "np.unique(t, return_inverse=True)[1]" in message
    assert "pidkit.estimate.pid_from_representations" in message and "pidkit.gaussian_pid" in message
    with pytest.raises(ValueError, match=r"^y holds 2 distinct non-integer floats \(e\.g\. 0\.5\)"):
        pidkit.joint_from_samples(np.array([0.5, 1.5, 0.5, 2], np.float16), [0, 1, 0, 1], [0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"^s holds 1 distinct non-integer floats \(e\.g\. 0\.25\)"):
        pidkit.joint_from_samples([0, 1, 1], [0, 1, 0], np.array([None, 0.25, 0.25], dtype=object))


def test_float_labels_follow_one_policy_in_every_entry_point():
    # scikit-learn's check_classification_targets: whole floats are the ints they equal, others refused
    from pidkit.estimate import bootstrap, pid_from_representations

    rng = np.random.default_rng(3)
    y, t, s = rng.integers(0, 2, 80), rng.integers(0, 3, 80), rng.integers(0, 2, 80)
    features = rng.normal(size=(80, 3))
    expected = pidkit.joint_from_samples(y, t, s).p
    signed_zero = np.where(np.arange(80) % 2 == 0, -0.0, 0.0) + y  # -0.0 and 0.0: one class
    for whole in (y + 0.0, y.astype(np.float32), signed_zero, [float(v) for v in y]):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            np.testing.assert_array_equal(pidkit.joint_from_samples(whole, t, s).p, expected)
            np.testing.assert_array_equal(pidkit.joint_from_samples(t, whole, s).p,
                                          pidkit.joint_from_samples(t, y, s).p)
    assert pidkit.joint_from_samples(signed_zero, t, s).labels["y"].size == 2
    for fractional in (y + 0.5, (y + 0.1).astype(np.float32), y + np.where(np.arange(80) == 5, 1e-15, 0)):
        for call in (lambda v: pidkit.joint_from_samples(v, t, s),
                     lambda v: pidkit.samples.encoded_samples(y, t, v),
                     lambda v: bootstrap(y, v, s, n_boot=2),
                     lambda v: pid_from_representations(v, features, features[:, :2], n_clusters=3)):
            with pytest.raises(ValueError, match="non-integer"):
                call(fractional)
    with pytest.raises(ValueError, match=r"round them: np\.rint\(y\)\.astype\(int\)\.$"):
        pidkit.joint_from_samples(y + np.where(np.arange(80) == 5, 1e-15, 0), t, s)
    for call in (lambda v: pidkit.joint_from_samples(v, t, s),
                 lambda v: pid_from_representations(v, features, features[:, :2], n_clusters=3)):
        with pytest.raises(ValueError, match=r"^y contains 1 missing label\(s\)"):
            call(np.where(np.arange(80) == 7, np.nan, y))


def test_continuous_tensors_are_refused_and_whole_floats_stay_silent():
    torch = pytest.importorskip("torch")
    t, s = np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1])
    logits = torch.tensor([0.3, -1.2, 2.5, 0.3], requires_grad=True)
    with pytest.raises(ValueError, match=r"^y holds 3 distinct non-integer floats"):
        pidkit.joint_from_samples(logits, t, s)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for whole in ((t ^ s).astype(float), torch.tensor(t ^ s, dtype=torch.float32), [0.0, 1.0, 1.0, 0.0]):
            assert pidkit.joint_from_samples(whole, t, s).p.shape == (2, 2, 2)


def test_bootstrap_refuses_continuous_source_labels():
    from pidkit.estimate import bootstrap

    rng = np.random.default_rng(1)
    y, t = rng.integers(0, 2, 60), rng.integers(0, 2, 60)
    with pytest.raises(ValueError, match=r"^s holds 60 distinct non-integer floats"):
        bootstrap(y, t, rng.normal(size=60), n_boot=2)


def test_class_ids_with_a_rounding_error_are_refused_with_rounding_as_the_fix():
    # class ids from a division (0.3 / 0.1 = 2.9999999999999996) were counted apart from 3.0
    t, s = np.array([0, 1, 2, 3] * 3), np.array([0, 1] * 6)
    ids = np.array([0.0, 0.1, 0.2, 0.3] * 3) / 0.1
    ids[-1] = 3.0  # the same class, computed otherwise
    with pytest.raises(ValueError) as info:
        pidkit.joint_from_samples(ids, t, s)
    message = str(info.value)  # 6 digits would show 3
    assert message.startswith("y holds 1 distinct non-integer floats (e.g. 2.9999999999999996)")
    assert message.endswith(
        "They are all within 1e-06 of whole numbers: if they are class ids with a rounding error, "
        "round them: np.rint(y).astype(int)."
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert pidkit.joint_from_samples(np.rint(ids).astype(int), t, s).p.shape == (4, 4, 2)


def test_lists_of_scalar_tensors_are_labels_by_value():
    # labels collected in a loop (labels.append(logits.argmax())) are 0-d tensors, which hash by
    # identity: read one by one, every sample was a label of its own (a 4 x 2 x 2 joint)
    torch = pytest.importorskip("torch")
    t, s = np.array([0, 1, 0, 1]), np.array([0, 0, 1, 1])
    joint = pidkit.joint_from_samples([torch.tensor(v) for v in t ^ s], t, s)
    np.testing.assert_array_equal(joint.p, pidkit.joint_from_samples(t ^ s, t, s).p)
    assert joint.labels["y"].tolist() == [0, 1]


def test_pandas_strings_and_categories_are_sorted_like_numpy_strings():
    # object arrays (pandas strings, categories) once kept first-seen order, numpy strings sorted:
    # the same labels gave the axes of p in two orders
    pd = pytest.importorskip("pandas")
    y, t, s = ["b", "a", "b", "c"], [0, 1, 0, 1], [0, 0, 1, 1]
    expected = pidkit.joint_from_samples(y, t, s)
    assert expected.labels["y"].tolist() == ["a", "b", "c"]
    for column in (pd.Series(y, dtype="string"), pd.Series(y, dtype=object), pd.Series(y).astype("category")):
        joint = pidkit.joint_from_samples(column, t, s)
        assert joint.labels["y"].tolist() == ["a", "b", "c"]
        np.testing.assert_array_equal(joint.p, expected.p)
    mixed = pidkit.joint_from_samples([1, ("a",), None, 1], t, s)  # not comparable: first-seen order
    assert mixed.labels["y"].tolist() == [1, ("a",), None]


def test_the_continuous_labels_warning_is_deprecated_but_still_imports_for_existing_filters():
    # never emitted since non-integer float labels are refused (2ebdd03): its name warns, as
    # numpy's and scikit-learn's deprecated names do, and has left pidkit's __all__ and dir()
    with pytest.warns(FutureWarning, match=r"^pidkit\.ContinuousLabelsWarning is deprecated and will be "
                                           r"removed: pidkit no longer emits it, as non-integer float "
                                           r"labels are now refused with a ValueError\."):
        assert pidkit.ContinuousLabelsWarning is ContinuousLabelsWarning
    with pytest.warns(FutureWarning, match="ContinuousLabelsWarning is deprecated"):
        from pidkit import ContinuousLabelsWarning as imported
    assert imported is ContinuousLabelsWarning and issubclass(imported, UserWarning)
    assert "ContinuousLabelsWarning" not in pidkit.__all__ and "ContinuousLabelsWarning" not in dir(pidkit)
    with pytest.warns(FutureWarning):  # pickles name it as pidkit's, so that they load where it was
        data = pickle.dumps(ContinuousLabelsWarning("a message"))
        assert b"pidkit._labels" not in data and type(pickle.loads(data)) is ContinuousLabelsWarning


@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize("wrap", ["series", "categorical"])
def test_a_categoricals_axis_follows_its_categories_order(ordered, wrap):
    # sorted() put an ordered Categorical's labels alphabetically: high, low, mid, where pandas
    # (sort_values, the codes) and the user's declaration say low, mid, high. Unordered ones too:
    # pandas sorts those by their categories as well. Categories that do not occur are left out.
    pd = pytest.importorskip("pandas")
    y = pd.Categorical(["low", "high", "mid", "low"], categories=["low", "mid", "high", "huge"],
                       ordered=ordered)
    joint = pidkit.joint_from_samples(pd.Series(y) if wrap == "series" else y, [0, 1, 1, 0], [0, 0, 1, 1])
    assert joint.labels["y"].tolist() == ["low", "mid", "high"]
    expected = np.zeros((3, 2, 2), dtype=np.int64)
    expected[0, 0, 0] = expected[2, 1, 0] = expected[1, 1, 1] = expected[0, 0, 1] = 1  # y, t, s by hand
    np.testing.assert_array_equal(joint.counts, expected)


def test_an_integer_categorical_keeps_its_categories_order_and_its_ints():
    # np.unique sorted its values (2, 10) against the declared order 10 < 2
    pd = pytest.importorskip("pandas")
    t = pd.Categorical([10, 2, 2, 10], categories=[10, 2], ordered=True)
    joint = pidkit.joint_from_samples([0, 1, 1, 0], t, [0, 0, 1, 1])
    assert joint.labels["t"].tolist() == [10, 2]
    assert joint.counts[:, 0, :].tolist() == [[1, 1], [0, 0]]  # t == 10: samples 0 and 3, both y == 0


def test_str_subclasses_stay_labels_of_their_own_and_bytes_beside_str_are_refused():
    # numpy reads strings by str(): members of a `class Size(str, Enum)` became 'S', 'S' (the class
    # name cut to the value's one letter), and b"a" beside "a" one label 'a': a joint of 1 y label,
    # I(Y;T) = 0 bits for a y that T determines. Kept apart, b"a" and "a" were two labels; they are
    # now a mix of label types, refused as 0 and "0" are
    import enum

    class Size(str, enum.Enum):
        SMALL = "s"
        LARGE = "l"

    sizes = [Size.SMALL, Size.LARGE, Size.SMALL, Size.LARGE]
    joint = pidkit.joint_from_samples(sizes, [0, 1, 0, 1], [0, 0, 1, 1])
    assert joint.labels["y"].tolist() == [Size.LARGE, Size.SMALL]  # sorted by value: "l" < "s"
    assert pidkit.pid(joint.p).i_yt == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"^y mixes label types, strings and bytes \('a' at index 0, b'a'"):
        pidkit.joint_from_samples(["a", b"a", "a", b"a"], [0, 1, 0, 1], [0, 0, 1, 1])
    joint = pidkit.joint_from_samples([b"a", b"b", b"a", b"b"], [0, 1, 0, 1], [0, 0, 1, 1])
    assert joint.labels["y"].tolist() == [b"a", b"b"] and joint.p.shape == (2, 2, 2)
    plain = pidkit.joint_from_samples(["b", "a", "b", "a"], [0, 1, 0, 1], [0, 0, 1, 1])
    assert plain.labels["y"].dtype.kind == "U"  # exact str: still one numpy array, not objects


class _PolarsLikeCategorical:
    """The shape of a polars Series of dtype Categorical or Enum: ``dtype.categories`` as pandas'
    categoricals have, and a ``cat`` namespace without ``codes``."""

    def __init__(self, labels: list[str], categories: list[str]) -> None:
        self.labels = labels
        self.dtype = type("Enum", (), {"categories": categories})()
        self.cat = object()

    def __array__(self, dtype=None, copy=None):
        return np.array(self.labels, dtype=object)

    def __len__(self) -> int:
        return len(self.labels)


def test_a_polars_categorical_is_read_by_its_labels():
    # taken for a pandas categorical by its dtype's categories: AttributeError "'CatNameSpace'
    # object has no attribute 'codes'" from inside joint_from_samples
    y = _PolarsLikeCategorical(["low", "high", "low", "mid"], ["low", "mid", "high"])
    joint = pidkit.joint_from_samples(y, [0, 1, 0, 1], [0, 0, 1, 1])
    # its dtype is named Enum: the axis follows the categories, as polars orders an Enum
    assert joint.labels["y"].tolist() == ["low", "mid", "high"]
    assert joint.counts[0].tolist() == [[1, 1], [0, 0]]  # "low": samples 0 and 2, both t == 0


def test_a_joint_prints_as_one_line_of_shape_samples_and_labels():
    # the NamedTuple's own repr printed p and counts in full: 316 lines for a 10 x 10 x 10 joint
    rng = np.random.default_rng(0)
    letters = np.array(list("abcdefghij"))
    joint = pidkit.joint_from_samples(rng.integers(0, 10, 1000), rng.integers(0, 4, 1000),
                                      letters[rng.integers(0, 10, 1000)])
    assert repr(joint) == (
        "EmpiricalJoint(p[y, t, s] of shape 10x4x10 from 1000 samples; labels y [0, 1, 2, ..., 9] (10), "
        "t [0, 1, 2, 3], s ['a', 'b', 'c', ..., 'j'] (10))"
    )
    assert repr(joint._replace(n_samples=0)).startswith(  # as joint_from_dit makes it
        "EmpiricalJoint(p[y, t, s] of shape 10x4x10 from a distribution (no samples); ")
    assert joint.n_samples == 1000 and joint.p.shape == (10, 4, 10)  # the fields are as they were
