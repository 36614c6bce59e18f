"""pidkit.estimate.extrapolation.extrapolate: the one fit ``a + b/m + c/m**2`` that correct_counts
and kink_fraction share (they held a copy each: lstsq in correction, pinv in kink)."""

import math

import numpy as np
import pytest

from pidkit.estimate import kink_fraction
from pidkit.estimate.extrapolation import extrapolate


def test_the_intercept_is_numpys_quadratic_fit_in_one_over_m():
    sizes = np.array([2000.0, 1000.0, 666.0, 500.0])
    values = np.random.default_rng(0).normal(size=(4, 3))
    peer = [np.polyfit(1.0 / sizes, values[:, j], 2)[-1] for j in range(3)]  # least squares, 4 points
    np.testing.assert_allclose(extrapolate(values, sizes), peer, rtol=0, atol=1e-9)


def test_three_sizes_give_the_lagrange_value_at_zero():
    # Through three points the fit is the interpolating quadratic in x = 1/m; its value at x = 0
    # is the Lagrange sum of y_i * prod_{j != i} x_j / (x_j - x_i).
    m, y = (450.0, 225.0, 112.0), (0.3, 0.5, 0.9)
    x = [1.0 / v for v in m]
    lagrange = sum(y[i] * math.prod(x[j] / (x[j] - x[i]) for j in range(3) if j != i) for i in range(3))
    assert extrapolate(y, m) == pytest.approx(lagrange, abs=1e-12)
    assert kink_fraction((450, 225, 112)) == pytest.approx(
        sum(math.sqrt(450 / v) * math.prod(x[j] / (x[j] - x[i]) for j in range(3) if j != i)
            for i, v in enumerate(m)), abs=1e-12)


def test_a_column_of_zeros_stays_zero_not_minus_zero():
    fitted = extrapolate(np.array([[0.0, 1.0], [0.0, 1.0], [0.0, 1.0]]), [400, 200, 100])
    assert math.copysign(1.0, fitted[0]) == 1.0 and fitted[0] == 0.0
    assert fitted[1] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize(("values", "sizes", "match"), [
    ([1.0, 2.0, 3.0], [400, 0, 100], "sizes must be a 1-D sequence of positive sample sizes"),
    ([1.0, 2.0, 3.0], [400, np.nan, 100], "sizes must be"),
    ([1.0, 2.0], [400, 200, 100], r"values must hold one value \(or one row\) per size: 3 for sizes"),
])
def test_bad_input_names_the_argument(values, sizes, match):
    with pytest.raises(ValueError, match=match):
        extrapolate(values, sizes)
