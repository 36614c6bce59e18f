"""``pid_from_representations(bias_correction=...)`` follows the one rule of refused options: a
value that is an option but for its case is told so, as ``estimate.correct_counts(method=...)`` is."""

from __future__ import annotations

import numpy as np
import pytest

from pidkit.estimate import correct_counts, pid_from_representations

Y = np.arange(40) % 2
FEATURES = np.random.default_rng(0).normal(size=(40, 4))


@pytest.mark.parametrize(("value", "estimator", "meant"), [
    ("EB-Extrapolation", "discrete", "eb-extrapolation"),
    ("NONE", "discrete", "none"),
    ("NONE", "gaussian", "none"),
    ("Wishart", "gaussian", "wishart"),
])
def test_a_case_only_difference_is_named(value, estimator, meant):
    with pytest.raises(ValueError) as info:
        pid_from_representations(Y, FEATURES, FEATURES, bias_correction=value, estimator=estimator)
    assert str(info.value).endswith(f"got {value!r}. Did you mean {meant!r}? Options are case-sensitive.")


def test_the_suffix_is_correct_counts_own():
    counts = np.ones((2, 2, 2))
    with pytest.raises(ValueError) as from_counts:
        correct_counts(counts, method="EB-Extrapolation")
    with pytest.raises(ValueError) as from_features:
        pid_from_representations(Y, FEATURES, FEATURES, bias_correction="EB-Extrapolation")
    advice = " Did you mean 'eb-extrapolation'? Options are case-sensitive."
    assert str(from_counts.value).endswith(advice) and str(from_features.value).endswith(advice)


def test_a_misspelling_gets_no_case_note():
    with pytest.raises(ValueError) as info:
        pid_from_representations(Y, FEATURES, FEATURES, bias_correction="extrapolaton")
    assert str(info.value).endswith("got 'extrapolaton'. Did you mean 'extrapolation'?")
