"""Every corrected value of ``pid_from_representations`` lies within its own bootstrap interval.

The intervals are clipped at 0, the corrected values are not (``correction.negative``): a value
below 0 was reported outside its interval, e.g. ``syn = -0.006 [0.000, 0.002]``. Now such a value
is its interval's lower end, and the clipping at 0 is otherwise unchanged.
"""

from __future__ import annotations

import pytest

from pidkit.estimate import pid_from_representations
from pidkit.resampling import QUANTITIES
from tests.estimate_data import separated_teacher


@pytest.fixture(scope="module")
def small_sample_estimate():
    # The docstring's example with intervals: Red and Syn are 0 and come out slightly below 0
    # after the correction.
    y, t, s = separated_teacher()
    return pid_from_representations(y, t, s, n_components=2, n_clusters=2, normalize=None, bootstrap=40)


def test_every_corrected_value_lies_within_its_interval(small_sample_estimate):
    res = small_sample_estimate
    assert set(res.correction.negative) >= {"red", "syn"}  # the case this is about
    for name in QUANTITIES:
        low, high = res.intervals[name]
        value = getattr(res, name)
        assert low <= value <= high, (name, low, value, high)


def test_a_value_below_0_is_the_lower_end_and_the_rest_stays_clipped_at_0(small_sample_estimate):
    res = small_sample_estimate
    for name in QUANTITIES:
        low, high = res.intervals[name]
        value = getattr(res, name)
        if value < 0:
            assert low == value and high >= 0.0, name
        else:
            assert low >= 0.0, name
    assert res.syn == pytest.approx(-0.001812, abs=1e-6)
    assert res.intervals["syn"] == pytest.approx((-0.001812, 0.006293), abs=1e-6)
    assert "(values are not clipped; their intervals reach down to them)" in " ".join(repr(res).split())
    assert f"[{res.syn:.6f}, " in repr(res)
