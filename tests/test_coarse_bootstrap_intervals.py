"""Intervals of too few bootstrap replicates for their confidence (t-412 M4): the repr says so,
with the B that fits, and no below-zero verdict is read from them.

Before: bootstrap=2 printed a "95% centred interval" (95 % of the distance between two replicates)
and "red, i_ys corrected below 0: indistinguishable from 0 at n = 300" drawn from it.
"""

import numpy as np
import pytest

from pidkit.below_zero import below_zero_verdicts, coarse_interval_note, fewest_replicates
from pidkit.estimate import pid_from_representations
from pidkit.gaussian import gaussian_pid_from_samples


def test_fewest_replicates_is_where_the_range_is_expected_to_hold_the_confidence():
    # The range of B draws holds (B - 1) / (B + 1) of their distribution on average.
    for confidence, fewest in ((0.95, 39), (0.99, 199), (0.999, 1999), (0.5, 3)):
        assert fewest_replicates(confidence) == fewest
        assert (fewest - 2) / fewest < confidence <= (fewest - 1) / (fewest + 1) + 1e-12
    # that closed form against a simulation: the mean range of 39 uniform draws
    draws = np.random.default_rng(0).random((40_000, 39))
    assert np.ptp(draws, axis=1).mean() == pytest.approx(38 / 40, abs=0.001)


def test_verdicts_at_the_boundary():
    intervals = {"syn": (-0.147, 0.0), "uni_s": (-0.02, 0.013)}
    kwargs = dict(measure="broja", intervals=intervals, ci_method="centred", confidence=0.95)
    assert below_zero_verdicts(["uni_s", "syn"], n_boot=38, **kwargs) == {
        "uni_s": "not judged", "syn": "not judged"}
    assert below_zero_verdicts(["uni_s", "syn"], n_boot=39, **kwargs) == {
        "uni_s": "noise", "syn": "overshoot"}
    assert coarse_interval_note(38, 0.95).startswith("note: the 95% intervals are too coarse to read: B=38")
    assert coarse_interval_note(39, 0.95) is None
    assert "pass bootstrap=2000 (at least 1999)" in coarse_interval_note(10, 0.999)


@pytest.fixture(scope="module")
def student_of_noise():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 300)
    return y, np.eye(3)[y] * 2 + rng.normal(size=(300, 3)), rng.normal(size=(300, 4))


def test_representation_repr_at_the_boundary(student_of_noise):
    # at confidence 0.5 the floor is 3 replicates: 2 are too few, 3 are enough
    coarse = pid_from_representations(*student_of_noise, bootstrap=2, confidence=0.5, progress=False)
    enough = pid_from_representations(*student_of_noise, bootstrap=3, confidence=0.5, progress=False)
    assert coarse.correction.negative == enough.correction.negative == ("red", "i_ys")
    text = repr(coarse)
    assert "note: the 50% intervals are too coarse to read: B=2 replicates, fewer than the 3" in text
    assert "indistinguishable" not in text and "whole 50% interval" not in text
    assert "red, i_ys corrected below 0 (-0.007161, -0.006967 bits; not clipped), not judged" in text
    text = repr(enough)
    assert "too coarse" not in text and "not judged" not in text
    assert "indistinguishable from 0" in text or "whole 50% interval" in text


def test_gaussian_repr_notes_coarse_intervals():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    args = x[:, :1], x[:, 1:2] + x[:, :1], x[:, 2:]
    assert "too coarse" in repr(gaussian_pid_from_samples(*args, bootstrap=2))
    assert "too coarse" not in repr(gaussian_pid_from_samples(*args, bootstrap=3, confidence=0.5))
