"""Empty samples given to gaussian_pid_from_samples are told that they hold no samples (t-422's
finding 11): they were told "too few samples: n = 0 rows ... y, t and s have more columns than
rows: ... pass the transpose (`.T`)", advice that cannot help an empty input."""

import numpy as np
import pytest

from pidkit.gaussian import gaussian_pid_from_samples


@pytest.mark.parametrize(("y", "t", "s", "needs"), [
    ([], [], [], 4),
    (np.empty(0), np.empty((0, 3)), np.empty((0, 2)), 7),
])
def test_empty_samples_are_told_they_hold_none(y, t, s, needs):
    with pytest.raises(ValueError) as refused:
        gaussian_pid_from_samples(y, t, s)
    assert str(refused.value) == (
        f"y, t and s hold no samples (0 rows); the sample covariance needs n > {needs} rows, one per sample.")


def test_few_wide_samples_keep_the_transpose_advice():
    with pytest.raises(ValueError, match=r"t has more columns than rows: .*pass the transpose"):
        gaussian_pid_from_samples(np.zeros(3), np.zeros((3, 5)), np.zeros(3))
