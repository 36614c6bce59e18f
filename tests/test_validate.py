import numpy as np
import pytest

import pidkit
from pidkit._validate import check_joint

GOOD = np.full((2, 2, 2), 0.125)


@pytest.mark.parametrize(
    ("value", "error", "match"),
    [
        (np.full((2, 2), 0.25), ValueError, r"p_yts must be a 3-D array .* got 2-D with shape \(2, 2\)"),
        (np.ones((2, 2, 2, 1)) / 8, ValueError, "got 4-D"),
        (np.zeros((2, 0, 2)), ValueError, "p_yts has an empty axis"),
        (np.array([[["a", "b"]]]), TypeError, "p_yts must be an array of real numbers; got dtype <U1"),
        (np.full((2, 2, 2), 0.125 + 0j), TypeError, "real numbers; got dtype complex128"),
        (np.where(np.eye(2)[None].repeat(2, 0) > 0, np.nan, 0.25), ValueError, "p_yts contains NaN at index"),
        (np.where(np.eye(2)[None].repeat(2, 0) > 0, np.inf, 0.1), ValueError, "p_yts contains infinity"),
        (
            GOOD + np.array([0.2, -0.2]).reshape(2, 1, 1),
            ValueError,
            r"negative mass: -0.075\d* at index \(1, 0, 0\)",
        ),
        (np.zeros((2, 2, 2)), ValueError, "total mass 0"),
        (GOOD * 0.9, ValueError, r"p_yts sums to 0.9.*Pass normalize=True"),
        (GOOD.astype(bool), TypeError, "dtype bool"),
    ],
)
def test_bad_joint_is_rejected_with_a_named_message(value, error, match):
    with pytest.raises(error, match=match):
        check_joint(value)
    with pytest.raises(error, match=match):
        pidkit.bertschinger(value)


def test_sum_within_1e9_is_accepted_and_renormalised():
    p = check_joint(GOOD * (1 + 5e-10))
    assert p.sum() == pytest.approx(1.0, abs=1e-15)


def test_sum_off_by_more_is_accepted_with_normalize():
    p = check_joint(GOOD * 3, normalize=True)
    np.testing.assert_allclose(p, GOOD)
    assert pidkit.bertschinger(GOOD * 3, normalize=True).red == pytest.approx(0.0, abs=1e-9)


def test_integer_counts_are_numbers():
    counts = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])
    assert pidkit.bertschinger(counts, normalize=True).syn == pytest.approx(1.0, abs=1e-9)


def test_nested_lists_are_accepted():
    assert check_joint(GOOD.tolist()).shape == (2, 2, 2)


def test_dit_distribution_needs_a_named_target():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    with pytest.raises(TypeError, match="p_yts is a dit Distribution: name its target"):
        pidkit.pid(d)
    with pytest.raises(TypeError, match=r"joint_from_dit\(d, target=..."):
        pidkit.bertschinger(d)
    assert pidkit.pid(d, target=2, sources=[0, 1]).syn == pytest.approx(1.0, abs=1e-9)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="units must be 'bits' or 'nats'; got 'bans'"):
        pidkit.bertschinger(GOOD, units="bans")
    with pytest.raises(ValueError, match="method must be one of"):
        pidkit.bertschinger(GOOD, method="magic")
    with pytest.raises(ValueError, match="solver must be None or a cvxpy solver"):
        pidkit.bertschinger(GOOD, solver="NOPE")
    with pytest.raises(ValueError, match="tol must be a positive number of bits"):
        pidkit.bertschinger(GOOD, tol=-1)
    with pytest.raises(ValueError, match="measure must be one of"):
        pidkit.pid(GOOD, measure="nope")
    with pytest.raises(TypeError, match="unexpected keyword"):
        pidkit.pid(GOOD, colour="red")
