"""A label with a handful of samples: the empirical-Bayes interaction information stays near the
truth (0 on pure noise) instead of rising above the plug-in towards H(Y) (t-412 M3).

Before dense_label_count, rows of about 100 samples over two labels counted as dense (50 samples per
label on average) though they held 0 or 1 sample of a label seen 2 times in 1000, so H(Y|T) and
H(Y|S) went to Grassberger's estimator, 0.026-0.031 bits against H(Y) = 0.021, while H(Y|T,S)'s
sparse rows stayed with the empirical Bayes: the interaction information averaged +0.008 bits
over the draws below, six times the plug-in's +0.0014.
"""

import numpy as np
import pytest

from pidkit.estimate.dirichlet import (
    DENSE_ROW_SAMPLES_PER_LABEL,
    RAREST_LABEL_SAMPLES,
    dense_label_count,
    eb_interaction_information,
)


def _noise_counts(seed: int, rare: int, n: int = 1000) -> np.ndarray:
    """counts[y, t, s] with Y one class seen ``rare`` times, T and S ten uniform values, all independent."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n, dtype=int)
    y[rng.choice(n, rare, replace=False)] = 1
    counts = np.zeros((2, 10, 10))
    np.add.at(counts, (y, rng.integers(0, 10, n), rng.integers(0, 10, n)), 1)
    return counts


@pytest.mark.parametrize("rare", [1, 2])
def test_noise_with_a_rare_label_gives_an_interaction_near_zero(rare):
    values = [eb_interaction_information(_noise_counts(seed, rare), "bits") for seed in range(8)]
    # The truth is 0. Before the fix: mean |value| 0.0059 (rare = 1) and 0.0080 bits (rare = 2).
    assert np.mean(np.abs(values)) < 0.003


def test_dense_label_count_is_the_label_count_unless_a_label_is_rare():
    assert dense_label_count(np.array([45, 50, 55, 0])) == 3.0
    # A label at a tenth of its uniform share (1 / K) is where RAREST_LABEL_SAMPLES starts to count.
    tenth = RAREST_LABEL_SAMPLES / DENSE_ROW_SAMPLES_PER_LABEL
    assert dense_label_count(np.array([tenth / 2, 1 - tenth / 2])) == pytest.approx(2.0)
    assert dense_label_count(np.array([2, 998])) == pytest.approx(
        RAREST_LABEL_SAMPLES / (DENSE_ROW_SAMPLES_PER_LABEL * 0.002))
