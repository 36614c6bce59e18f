"""correct_counts and PIDStatistic given the EmpiricalJoint that joint_from_samples returns say to
pass its .counts, as pid says to pass its .p: they said 'row 1 is a single number where row 0 has
3 value(s)', numpy's reading of the named tuple's fields."""

import numpy as np
import pytest

import pidkit
from pidkit.estimate import PIDStatistic, correct_counts


def _joint():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    return pidkit.joint_from_samples(y, (y + rng.integers(0, 2, 300)) % 3, rng.integers(0, 2, 300))


@pytest.mark.parametrize("call", [correct_counts, PIDStatistic])
def test_an_empirical_joint_is_told_to_pass_its_counts(call):
    joint = _joint()
    with pytest.raises(TypeError) as refusal:
        call(joint)
    assert str(refusal.value) == (
        "counts must be an array, not the EmpiricalJoint that holds one; pass its .counts attribute."
    )
    assert correct_counts(joint.counts).plugin["i_yt"] == pytest.approx(
        pidkit.mutual_information(joint.p, "y", "t"), abs=1e-12)
