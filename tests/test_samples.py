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
        ([0.5, np.nan], [0, 1], [0, 1], ValueError, "y contains NaN"),
        ([0, 1], [{1}, {2}], [0, 1], TypeError, "t labels must be hashable"),
    ],
)
def test_bad_samples_are_rejected(y, t, s, error, match):
    with pytest.raises(error, match=match):
        pidkit.joint_from_samples(y, t, s)


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
