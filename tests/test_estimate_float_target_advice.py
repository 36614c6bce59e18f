"""A continuous ``y`` given to the estimators is told where to go, not sent back to the function it
called: pid_from_representations ended its refusal "For features use
pidkit.estimate.pid_from_representations", whose ``y`` must hold labels too. ``y`` is the target of
every entry point, so the one wording each gives (tests/test_float_labels_one_wording.py) points it
to the Gaussian estimate; a source still points to the discrete estimator, which clusters features."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit import estimate

_N = 200
_RNG = np.random.default_rng(0)
_TARGET = _RNG.normal(size=_N)  # continuous: no rounding error
_FEATURES = _TARGET[:, None] + _RNG.normal(size=(_N, 3))


def _refusal(call) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("estimator", ["discrete", "gaussian"])
def test_the_estimators_send_a_continuous_y_to_the_gaussian_estimate(estimator):
    message = _refusal(lambda: estimate.pid_from_representations(_TARGET, _FEATURES, _FEATURES,
                                                                 estimator=estimator))
    assert "pid_from_representations" not in message
    assert message.endswith(
        "encode them: np.unique(y, return_inverse=True)[1]. For a continuous target, "
        "pidkit.gaussian_pid_from_samples takes it as it is, with continuous or feature sources.")


def test_the_advice_works_where_it_points():
    res = pidkit.gaussian_pid_from_samples(_TARGET, _FEATURES, _FEATURES[:, :1])
    assert res.i_yts > 0.5  # y is a noisy sum of the features: well over half a bit
    binned = np.digitize(_TARGET, np.quantile(_TARGET, [0.25, 0.5, 0.75]))
    assert np.bincount(binned).tolist() == [50, 50, 50, 50]
    estimate.pid_from_representations(binned, _FEATURES, _FEATURES, n_clusters=3)


def test_a_float_source_is_still_sent_to_the_discrete_estimator():
    message = _refusal(lambda: pidkit.joint_from_samples(np.arange(_N) % 2, np.arange(_N) % 3, _TARGET))
    assert message.startswith("s holds 200 distinct non-integer floats")
    assert message.endswith("For features use pidkit.estimate.pid_from_representations, which clusters "
                            "them; for continuous variables, pidkit.gaussian_pid.")
