"""The examples take no ``normalize``: a probability vector that does not sum to 1 is told a fix
that works (walk t-494: nuisance_teacher(p_z=(0.5, 0.6)) said "Pass normalize=True to rescale it",
which is a TypeError)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import pidkit
from pidkit.examples import nuisance_teacher


@pytest.mark.parametrize(("keyword", "weights", "total"), [("p_z", (0.5, 0.6), "1.1 (off by 0.1)"),
                                                          ("p_g", (0.2, 0.2), "0.4 (off by 0.6)")])
def test_a_vector_off_one_is_told_to_divide_by_its_total_and_that_works(keyword, weights, total):
    with pytest.raises(ValueError) as caught:
        nuisance_teacher(**{keyword: weights})
    assert str(caught.value) == (
        f"{keyword} sums to {total}, not 1 (allowed: within 1e-09). Pass it divided by its total "
        f"(e.g. {keyword}=np.divide(w, np.sum(w)) for weights w), or fix the input.")
    assert "normalize" not in str(caught.value)
    w = weights
    p = nuisance_teacher(**{keyword: np.divide(w, np.sum(w))})  # the advice, as written
    assert p.sum() == pytest.approx(1.0, abs=1e-12)


def test_the_fixed_nuisance_keeps_red_at_one_minus_h_of_flip():
    w = (0.5, 0.6)
    p = nuisance_teacher(p_g=np.divide(w, np.sum(w)))  # G independent of Y: Red = I(Y;Z) = 1 - h(0.1)
    h = -0.1 * math.log2(0.1) - 0.9 * math.log2(0.9)
    assert pidkit.bertschinger(p).red == pytest.approx(1 - h, abs=1e-8)


def test_a_vector_of_two_axes_is_named():
    with pytest.raises(ValueError, match=re.escape("p_g must be a 1-D probability vector; got 2-D with shape "
                                                   "(1, 2).")):
        nuisance_teacher(p_g=[[0.5, 0.5]])
