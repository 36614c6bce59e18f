"""An atom that is exactly 0 but came out of the solves a hair below it is 0, as docs/estimate.md
promises ("neither listed nor printed below 0"): t-351 finding 5.

A student identical to its teacher (n = 400, 3 labels) had both corrected Uni at -1.5e-12 bits,
inside the 1e-9 bits to which each solve is certified, printed as ``-0.000000`` with a three-line
"corrected below 0 ... not judged" note: the rounding level was 64 ulps of the values' scale
(about 2e-14), which float rounding of entropies reaches but a solve's tolerance does not.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from pidkit.below_zero import below_zero, rounding_level
from pidkit.broja import DEFAULT_TOL_BITS
from pidkit.estimate import pid_from_representations


def test_the_rounding_level_is_the_solves_tolerance_per_unit_of_scale():
    assert rounding_level([0.3, -1.5e-12]) == DEFAULT_TOL_BITS
    assert rounding_level([1.5, 1.53, -1.5e-12]) == pytest.approx(1.53 * DEFAULT_TOL_BITS, rel=1e-12)
    # The corrected values of the identical student (Syn made really negative beside them):
    values = {"red": 1.5351, "uni_t": -1.496e-12, "uni_s": -1.496e-12, "syn": -0.011, "i_yts": 1.546}
    assert below_zero(values) == ("syn",)
    assert below_zero({"uni_t": -1e-8, "i_yt": 1.5}) == ("uni_t",)  # 6.7 times the level: listed


def test_a_uni_within_the_solves_tolerance_of_0_prints_as_0_without_a_note():
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 3, n)
    t = rng.normal(size=(3, 16))[y] + rng.normal(size=(n, 16))
    s = rng.normal(size=(3, 8))[y] + 2 * rng.normal(size=(n, 8))
    res = pid_from_representations(y, t, s, random_state=0)
    fix = res.correction
    assert fix.negative == ()
    # uni_s (plug-in 0) as the identical student's solves left it, listed as the old code did
    fix = dataclasses.replace(fix, corrected={**fix.corrected, "uni_s": -1.496e-12}, negative=("uni_s",))
    text = repr(dataclasses.replace(res, correction=fix))
    assert "-0.000000" not in text and "below 0" not in text
    assert "  uni_s      0.000000   0.000000" in text.splitlines()
