"""``gaussian_pid(..., method="cvxpy")`` on the docs' own example is uncertified at the default
``tol`` (its certificate is first order, about 1e-6 bits); its refusal says which ``tol`` passes
(walk t-494: it only suggested strict=False)."""

from __future__ import annotations

import math
import re

import pytest

import pidkit

COV = [[1, 1, 1], [1, 2, 2], [1, 2, 5]]  # Var Y = 1; Cov(Y, T) = Cov(Y, S) = 1; Var T = 2, Var S = 5
RED_BITS = -0.5 * math.log2(1 - 1 / 5)  # scalar Gaussian sources: Red = min_i I(Y;X_i) = I(Y;S)


def test_the_cvxpy_reference_is_told_the_tol_that_certifies_it_and_that_tol_does():
    with pytest.raises(pidkit.SolverError) as caught:
        pidkit.gaussian_pid(COV, (1, 1, 1), method="cvxpy")
    message = str(caught.value)
    found = re.search(r"certified gap (\S+) bits exceeds tol=1e-09 bits, within the first-order accuracy "
                      r"of the cvxpy reference's certificate: pass tol=(\S+) or more \(twice the gap, "
                      r"for a margin; tol is in bits whatever units is\)\. Pass strict=False", message)
    assert found, message
    gap, tol = float(found.group(1)), float(found.group(2))
    assert 2 * gap <= tol < 4 * gap
    for units, per_bit in (("bits", 1.0), ("nats", math.log(2))):
        result = pidkit.gaussian_pid(COV, (1, 1, 1), method="cvxpy", tol=tol, units=units)
        assert result.status == "optimal"
        assert result.red == pytest.approx(RED_BITS * per_bit, abs=result.gap + 1e-12)
