"""pid(d, target=...) on a dit Distribution took sources (0, 1) whatever the target: with target=0
the target was its own source T (XOR's 1 bit of synergy read as 1 bit unique to T), and with four
variables the third was dropped without a word. The default is now the two variables the target
leaves (a ValueError where not two are), in joint_from_dit too (where sources was required), and
joint_from_dit refuses a source that holds the target."""

import pytest

import pidkit

dit = pytest.importorskip("dit")

XOR = ["000", "011", "101", "110"]  # each variable is the XOR of the other two


@pytest.mark.parametrize("target", [0, 1, 2, [0]])
def test_the_default_sources_are_the_variables_the_target_leaves(target):
    r = pidkit.pid(dit.Distribution(XOR, [0.25] * 4), target=target)
    assert [r.red, r.uni_t, r.uni_s, r.syn] == pytest.approx([0.0, 0.0, 0.0, 1.0], abs=1e-9)


def test_more_than_two_variables_left_must_be_named():
    d = dit.Distribution(["0000", "0111", "1011", "1101"], [0.25] * 4)
    with pytest.raises(ValueError) as refusal:
        pidkit.pid(d, target=3)
    assert str(refusal.value) == (
        "sources: the dit Distribution has 4 variables, and target=3 leaves 3 ([0, 1, 2]), not "
        "two: name the two sources (e.g. sources=[[0, 1], 2] to read variables [0, 1] as T)."
    )
    joint = pidkit.joint_from_dit(dit.Distribution(XOR, [0.25] * 4), target=0)
    assert joint.labels["t"].tolist() == [("0",), ("1",)] and joint.p[0, 1, 1] == 0.25  # T = X1, S = X2
    grouped = pidkit.pid(d, target=3, sources=[[0, 1], 2])
    assert grouped.i_yts == pytest.approx(0.811278, abs=1e-6)
    assert pidkit.pid(d, target=[2, 3]).i_yts == pytest.approx(1.5, abs=1e-9)


def test_a_source_that_holds_the_target_is_refused():
    d = dit.Distribution(XOR, [0.25] * 4)
    with pytest.raises(ValueError, match=r"^target and sources share variable\(s\) \[2\]: "):
        pidkit.joint_from_dit(d, target=2, sources=[0, 2])
    with pytest.raises(ValueError, match=r"share variable\(s\) \[0, 1\]"):
        pidkit.pid(d, target=[0, 1], sources=[(0, 2), 1])
