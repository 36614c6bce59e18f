"""``correct_counts(counts, method="auto")`` (``"auto"`` is pid_from_representations' default
bias_correction) is refused with what "auto" means there and the call that gives it for counts
(walk t-494: "got 'auto'." and nothing more)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from pidkit.estimate import (
    BIAS_CORRECTIONS,
    PIDStatistic,
    check_sample_size,
    correct_counts,
    pid_from_representations,
)

COUNTS = np.random.default_rng(0).multinomial(400, np.full(8, 1 / 8)).reshape(2, 2, 2)
LISTED = re.escape(f"method must be one of {list(BIAS_CORRECTIONS)}; ")
AUTO = re.escape("got 'auto', a bias_correction of pidkit.estimate.pid_from_representations, where it means "
                 "'eb-extrapolation-kink' for the discrete estimator (counts, as here) and 'wishart' for the "
                 "Gaussian one. Leave method out for 'eb-extrapolation-kink', the default.")
WISHART = re.escape("got 'wishart', a bias_correction of pidkit.estimate.pid_from_representations, where it "
                    "corrects the Gaussian estimator (estimator='gaussian'), not counts. Leave method out "
                    "for 'eb-extrapolation-kink', the default.")

CALLS = {
    "correct_counts": lambda method: correct_counts(COUNTS, method=method),
    "PIDStatistic": lambda method: PIDStatistic(COUNTS, method=method),
    "check_sample_size": lambda method: check_sample_size((2, 2, 2), 400, method=method),
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
@pytest.mark.parametrize(("method", "advice"), [("auto", AUTO), ("wishart", WISHART)])
def test_a_bias_correction_of_pid_from_representations_is_told_what_it_means_there(call, method, advice):
    with pytest.raises(ValueError, match=f"^{LISTED}{advice}$"):
        call(method)


def test_the_advice_leave_method_out_is_the_discrete_auto():
    y = np.repeat([0, 1], 200)
    left_out = correct_counts(COUNTS)
    assert left_out.method == "eb-extrapolation-kink"
    features = np.random.default_rng(1).normal(size=(400, 2))
    assert pid_from_representations(y, features, features, n_clusters=2).correction.method == left_out.method
