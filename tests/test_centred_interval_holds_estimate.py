"""The default ("centred") bootstrap interval holds its own estimate.

Replicates piled at a bound with a few above it (a unique information at 0 in most resamples)
have both quantiles of their deviations below their mean; the interval ``[estimate - q_hi,
estimate - q_lo]`` then lay above the estimate, and a Uni of 0 bits came with the interval
[0.000242, 0.000247]: "significant" unique information of pure noise (walk t-432 H1: 8 of 30
noise sides, `gaussian_pid_from_samples(..., bootstrap=200)`).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pidkit
from pidkit.estimate import bootstrap_intervals


def test_a_value_at_its_bound_in_most_replicates_keeps_its_estimate():
    replicates = np.r_[np.zeros(196), np.full(4, 0.01)].reshape(-1, 1)
    [(lo, hi)] = bootstrap_intervals(replicates, [0.0], lower=0.0)
    assert lo == 0.0  # was 0.0002: the estimate 0 left out
    assert hi == 0.0002  # the deviation of the 196 zeros from the replicates' mean


@settings(max_examples=200, deadline=None)
@given(
    values=st.lists(st.floats(0.0, 1.0), min_size=2, max_size=60),
    estimate=st.floats(0.0, 1.0),
    confidence=st.sampled_from([0.5, 0.9, 0.95, 0.99]),
)
def test_the_centred_interval_always_holds_its_estimate(values, estimate, confidence):
    [(lo, hi)] = bootstrap_intervals(np.array(values)[:, None], [estimate],
                                     confidence=confidence, lower=0.0)
    assert lo <= estimate <= hi


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(-1.0, 1.0), min_size=5, max_size=60))
def test_where_the_quantiles_straddle_the_mean_nothing_changes(values):
    # The textbook "centred" interval: [estimate - q_hi, estimate - q_lo] of d = x* - mean(x*).
    col = np.array(values)
    q_lo, q_hi = np.quantile(col - col.mean(), [0.025, 0.975])
    if q_lo > 0.0 or q_hi < 0.0:
        return
    [(lo, hi)] = bootstrap_intervals(col[:, None], [0.3])
    assert (lo, hi) == pytest.approx((0.3 - q_hi, 0.3 - q_lo), rel=0.0, abs=1e-12)


def test_a_noise_side_gets_no_unique_information_of_its_own():
    # Seed 3 of the walk: S is noise, Uni(Y:S\T) is 0 and every replicate but a few is 0 too.
    rng = np.random.default_rng(3)
    n = 300
    y = np.eye(4)[rng.integers(0, 4, n)][:, 1:]
    t = y @ rng.standard_normal((3, 10)) + 2.0 * rng.standard_normal((n, 10))
    s = rng.standard_normal((n, 8))
    result = pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=200, progress=False)
    lo, hi = result.diagnostics["intervals"]["uni_s"]
    assert result.uni_s == 0.0
    assert lo == 0.0  # was 0.000242: 0 left out of its own interval
    assert 0.0 <= hi < 0.01
