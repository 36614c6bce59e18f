"""What a new user's slips on the core API get (walk t-412 L5, L6, L12): a refusal in the words of
the call made, with the call that fixes it, and no information measure printed below 0.

- ``mutual_information(p, "y", "y")`` spoke of a ``given`` argument it does not have;
- ``pid(d, target=2, sources=[0, 0])`` silently decomposed T = S;
- ``joint_from_samples(df)`` gave Python's bare "missing 2 required positional arguments";
- ``i_target_common`` of a random joint returned -3.2e-16 bits (an entropy of masses summing to a
  hair above 1).
"""

from __future__ import annotations

import math
import re
import warnings

import numpy as np
import pytest

import pidkit


def binary_entropy(x: float) -> float:
    return -x * math.log2(x) - (1 - x) * math.log2(1 - x)


def test_mutual_information_of_a_variable_with_itself_names_a_and_b_and_points_to_the_entropy():
    p = pidkit.examples.and_()
    with pytest.raises(ValueError) as caught:
        pidkit.mutual_information(p, "y", "y")
    assert str(caught.value) == (
        "a and b must not share variables; got 'y' and 'y'. I(A;A) is the entropy of A: "
        "pidkit.entropy(p, 'y')."
    )
    assert "given" not in str(caught.value)
    assert pidkit.entropy(p, "y") == pytest.approx(binary_entropy(0.25), abs=1e-12)  # the fix's value


def test_mutual_information_of_overlapping_groups_says_which_variable_to_drop():
    with pytest.raises(ValueError, match=re.escape("got 'y' and 'ty'. Drop 'y' from one of them.")):
        pidkit.mutual_information(pidkit.examples.and_(), "y", "ty")


def test_conditional_mutual_information_still_names_given():
    message = "a, b and given must not share variables; got 'y', 't', 't'."
    with pytest.raises(ValueError, match=re.escape(message)):
        pidkit.conditional_mutual_information(pidkit.examples.and_(), "y", "t", "t")


def test_i_target_common_of_a_connected_joint_is_exactly_zero_not_below():
    q = np.random.default_rng(0).dirichlet(np.ones(18)).reshape(2, 3, 3)  # full support: one component
    assert pidkit.i_target_common(q) == 0.0  # H of a single component; was -3.2e-16
    assert pidkit.redundancy(q, measure="gh-target-only") == 0.0


def test_the_same_dit_source_twice_warns_with_the_fix_and_decomposes_t_equal_s():
    dit = pytest.importorskip("dit")
    d = dit.Distribution(["000", "011", "101", "111"], [0.25] * 4)  # X2 = X0 or X1
    with pytest.warns(UserWarning, match=re.escape(
            "sources=[0, 0] name the same variable(s) twice, so T = S and the PID is all redundancy "
            "(Red = I(Y;T), the other atoms 0). If that was a typo, name two different sources, "
            "e.g. sources=[0, 1].")) as caught:
        r = pidkit.pid(d, target=2, sources=[0, 0])
    assert caught[0].filename == __file__  # the warning names the user's line
    # Y = X0 or X1 with X0 alone as T and S: I(Y;X0) = H(Y) - H(Y|X0) = h(1/4) - 1/2 bits.
    assert r.red == pytest.approx(binary_entropy(0.25) - 0.5, abs=1e-9)
    assert (r.uni_t, r.uni_s, r.syn) == (0.0, 0.0, 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pidkit.pid(d, target=2, sources=[0, 1])  # two different sources: no warning


def test_a_dataframe_of_samples_passed_alone_gets_the_call_with_its_columns():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    table = pd.DataFrame(rng.integers(0, 3, (60, 3)), columns=["y", "t", "s"])
    with pytest.raises(TypeError) as caught:
        pidkit.joint_from_samples(table)
    assert str(caught.value) == (
        "joint_from_samples takes the three aligned label arrays y, t and s; got only y, a table "
        "with columns ['y', 't', 's']. Pass its columns: pidkit.joint_from_samples(table['y'], "
        "table['t'], table['s'])."
    )
    fixed = pidkit.joint_from_samples(table["y"], table["t"], table["s"])
    counts = np.zeros((3, 3, 3), dtype=int)
    np.add.at(counts, tuple(table.to_numpy().T), 1)  # the counts by hand
    assert np.array_equal(fixed.counts, counts)


@pytest.mark.parametrize(("shape", "call", "split"), [
    ((40, 3), "*samples.T", lambda samples: samples.T),
    ((3, 40), "*samples", lambda samples: samples),
])
def test_an_array_of_samples_passed_alone_gets_the_call_that_splits_it(shape, call, split):
    samples = np.random.default_rng(2).integers(0, 2, shape)
    with pytest.raises(TypeError, match=re.escape(f"an array of shape {shape}.")) as caught:
        pidkit.joint_from_samples(samples)
    assert str(caught.value).endswith(f"pidkit.joint_from_samples({call}).")
    assert pidkit.joint_from_samples(*split(samples)).n_samples == 40  # the call the message gives


def test_one_label_array_alone_is_told_to_pass_all_three():
    with pytest.raises(TypeError, match=re.escape(
            "got only y. Pass all three, each with one label per sample: "
            "pidkit.joint_from_samples(y, t, s).")):
        pidkit.joint_from_samples([0, 1, 1])
