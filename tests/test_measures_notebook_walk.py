"""What a notebook user of pidkit.measures meets: counts, letters written as in the theory, no condition."""

import math

import numpy as np
import pytest

from pidkit import examples, measures

AND_COUNTS = np.array([[[1, 1], [1, 0]], [[0, 0], [0, 1]]])  # AND, one count per input pair
H_AND = 2 - 0.75 * math.log2(3)  # H(Y) = I(Y;T,S) of AND, 0.811278 bits
I_YT_AND = 1.5 - 0.75 * math.log2(3)  # I(Y;T) of AND, 0.311278 bits


def test_the_shannon_measures_take_counts_with_normalize_as_their_refusal_says():
    with pytest.raises(ValueError, match="Pass normalize=True to rescale it"):
        measures.entropy([1, 1, 2])
    assert measures.entropy([1, 1, 2], normalize=True) == pytest.approx(1.5)
    assert measures.entropy(AND_COUNTS, "y", normalize=True) == pytest.approx(H_AND)
    assert measures.mutual_information(AND_COUNTS, "y", "t", normalize=True) == pytest.approx(I_YT_AND)
    assert measures.conditional_mutual_information(AND_COUNTS, "y", "t", "s", normalize=True) == (
        pytest.approx(H_AND - I_YT_AND))
    assert measures.co_information(AND_COUNTS, normalize=True) == pytest.approx(2 * I_YT_AND - H_AND)
    assert measures.informations(AND_COUNTS, normalize=True) == pytest.approx(
        (H_AND, I_YT_AND, I_YT_AND, H_AND))
    np.testing.assert_allclose(measures.marginal(AND_COUNTS, "y", normalize=True), [0.75, 0.25])


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("Y", "got 'Y': 'Y' is no variable. Did you mean 'y'?"),
        ("TS", "got 'TS': 'T', 'S' are no variables. Did you mean 'ts'?"),
        ("t,s", "got 't,s': ',' is no variable. Did you mean 'ts'?"),
        ("yy", "got 'yy': 'y' appears twice."),
        ("x", "got 'x': 'x' is no variable."),
    ],
)
def test_a_bad_letter_is_named_with_the_letters_meant(variables, message):
    with pytest.raises(ValueError) as raised:
        measures.mutual_information(examples.and_(), "y", variables)
    assert str(raised.value) == f"b must name distinct variables among 'y', 't', 's'; {message}"


def test_given_none_conditions_on_nothing():
    p = examples.and_()
    assert measures.conditional_mutual_information(p, "y", "t", None) == pytest.approx(I_YT_AND)
    with pytest.raises(TypeError, match=r"^given must be a non-empty string .* got 0\.$"):
        measures.conditional_mutual_information(p, "y", "t", 0)
