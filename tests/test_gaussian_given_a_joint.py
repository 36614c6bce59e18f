"""gaussian_pid given the EmpiricalJoint of joint_from_samples was told to "pass its .p attribute",
which is a discrete joint p[y, t, s], no covariance (the next call failed on its shape): it is now
told what the joint is and which function decomposes it."""

import pytest

import pidkit


def test_gaussian_pid_sends_a_discrete_joint_to_pid():
    joint = pidkit.joint_from_samples([0, 1, 1, 0], [0, 1, 1, 1], [1, 0, 1, 0])
    with pytest.raises(TypeError) as refusal:
        pidkit.gaussian_pid(joint, dims=(1, 1, 1))
    assert str(refusal.value) == (
        "cov must be an array of numbers; got an EmpiricalJoint, which holds a discrete joint "
        "p[y, t, s], no covariance: decompose that with pidkit.pid(joint.p)."
    )
    assert pidkit.pid(joint.p).i_yts == pytest.approx(pidkit.mutual_information(joint.p, "y", "ts"))
