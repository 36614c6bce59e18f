"""A pandas table of joint cells (value_counts, groupby size, crosstab) passed as p[y, t, s] is
refused with a fix that builds the array from the table's levels: reshaping its values, which the
plain refusal suggested, puts cells in the wrong places."""

import numpy as np
import pytest

import pidkit
from pidkit.estimate import correct_counts

pd = pytest.importorskip("pandas")


def _samples():
    """Samples where value_counts' order is not the cells' order and one (t, s) pair never occurs."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    t = (y + rng.integers(0, 2, 600)) % 3
    s = np.where(t == 2, 0, rng.integers(0, 2, 600))  # (t, s) = (2, 1) never seen
    return pd.DataFrame({"y": y, "t": t, "s": s})


def _fix_code(message):
    """The statement of the refusal's fix: from 'p = ' to the ';' before 'or count'."""
    return message[message.index("p = "):message.index("; or count")]


def _in_level_order(joint, index):
    """``joint`` (axes labelled 0, 1, ...) with each axis in the order of ``index``'s levels."""
    return joint[np.ix_(*[np.asarray(level) for level in index.levels])]


def test_value_counts_fix_builds_the_joint_that_reshaping_does_not():
    frame = _samples()
    cells = frame.value_counts(normalize=True)
    truth = pidkit.joint_from_samples(frame.y, frame.t, frame.s).p
    with pytest.raises(ValueError) as refusal:
        pidkit.pid(cells)
    message = str(refusal.value)
    assert "got 1-D with shape (10,)" in message
    assert "pandas Series of 10 cells indexed by 3 levels ('y', 't', 's')" in message
    namespace = {"np": np, "p_yts": cells}
    exec(_fix_code(message), namespace)
    assert "in the order of p_yts.index.levels, which value_counts leaves unsorted" in message
    np.testing.assert_allclose(namespace["p"], _in_level_order(truth, cells.index), atol=1e-15)
    built, counted = pidkit.pid(namespace["p"]), pidkit.pid(truth)
    assert [built.red, built.uni_t, built.uni_s, built.syn] == pytest.approx(
        [counted.red, counted.uni_t, counted.uni_s, counted.syn], abs=1e-9)
    assert cells.size != truth.size  # so no reshape of the values is the joint


def test_groupby_size_fix_with_normalize():
    frame = _samples()
    counts = frame.groupby(["y", "t", "s"]).size()
    with pytest.raises(ValueError, match=r"indexed by 3 levels \('y', 't', 's'\)") as refusal:
        pidkit.pid(counts, normalize=True)
    namespace = {"np": np, "p_yts": counts}
    exec(_fix_code(str(refusal.value)), namespace)
    expected = pidkit.joint_from_samples(frame.y, frame.t, frame.s).counts
    np.testing.assert_array_equal(namespace["p"], _in_level_order(expected, counts.index))


def test_crosstab_fix_puts_the_unseen_column_back():
    frame = _samples()
    table = pd.crosstab(frame.y, [frame.t, frame.s], normalize=True)
    assert table.shape == (3, 5)  # one (t, s) column missing
    with pytest.raises(ValueError) as refusal:
        pidkit.pid(table)
    message = str(refusal.value)
    assert "pandas DataFrame with index 'y' and 2 column levels ('t', 's')" in message
    namespace = {"np": np, "p_yts": table}
    exec(_fix_code(message), namespace)
    truth = pidkit.joint_from_samples(frame.y, frame.t, frame.s).p
    np.testing.assert_allclose(namespace["p"], truth, atol=1e-15)
    with pytest.raises(ValueError, match=r"got 2-D with shape \(2, 2\)\. Reshape it") as plain:
        pidkit.pid(pd.DataFrame(np.full((2, 2), 0.25)))  # no levels: the plain advice
    assert "pandas" not in str(plain.value)


def test_counts_of_a_crosstab_are_told_the_same_fix():
    frame = _samples()
    table = pd.crosstab(frame.y, [frame.t, frame.s])
    with pytest.raises(ValueError) as refusal:
        correct_counts(table)
    message = str(refusal.value)
    assert "2 column levels ('t', 's')" in message
    namespace = {"np": np, "counts": table}
    exec(_fix_code(message), namespace)
    expected = pidkit.joint_from_samples(frame.y, frame.t, frame.s).counts
    np.testing.assert_array_equal(namespace["p"], expected)

