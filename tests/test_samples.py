import numpy as np
import pytest

import pidkit
from pidkit import examples


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
            "t is ragged: some labels are sequences of different lengths",
        ),
        (
            np.array([0, 1, np.nan], dtype=object),
            [0, 1, 1],
            [0, 1, 0],
            ValueError,
            r"y contains 1 missing label\(s\) \(NaN, NA or NaT; the first at index 2\)",
        ),
        (["a", "b", float("nan")], [0, 1, 1], [0, 1, 0], ValueError, "y contains 1 missing label"),
    ],
)
def test_bad_samples_are_rejected(y, t, s, error, match):
    with pytest.raises(error, match=match):
        pidkit.joint_from_samples(y, t, s)


def test_strings_and_numbers_stay_different_labels():
    # numpy alone would read [0, "0"] as two copies of the string "0"
    joint = pidkit.joint_from_samples([0, "0", 1, "1"], [0, 1, 0, 1], [0, 0, 1, 1])
    assert joint.labels["y"].tolist() == [0, "0", 1, "1"]
    assert joint.p.shape == (4, 2, 2)


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
