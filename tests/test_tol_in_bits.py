"""``tol`` is read in bits whatever ``units`` is, and every message that compares a gap with it
says so: the gap in ``units`` (and bits), ``tol`` as the caller passed it, and the ``tol`` to pass,
in bits (walk t-494: with units="nats" the message showed the caller's tol converted to nats,
"exceeds tol 2.43e-14 nats", and advised "pass tol of at least 6e-14" in nats, read in bits)."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import pidkit
from pidkit.broja.program import rounding_allowance
from pidkit.gaussian import gaussian_pid_from_samples

SUGGESTED = re.compile(r"pass tol=(\S+) or more \(twice the (?:gap|allowance), for a margin; tol is in bits "
                       r"whatever units is\)")


def suggested_tol(message: str) -> float:
    return float(SUGGESTED.search(message).group(1))


def test_a_broja_tol_below_the_rounding_allowance_is_named_as_given_and_the_advice_is_in_bits():
    p = np.random.default_rng(3).dirichlet(np.ones(1000)).reshape(10, 10, 10)
    r = pidkit.bertschinger(p, tol=1.2345e-14, units="nats", strict=False)
    gap_nats = r.gap
    assert re.search(rf"certified gap {gap_nats:.3g} nats \({gap_nats / math.log(2):.3g} bits\) exceeds "
                     r"tol=1\.2345e-14 bits, which is below", r.message)
    allowance_bits = rounding_allowance(r.diagnostics["primal"], r.diagnostics["dual"]) / math.log(2)
    tol = suggested_tol(r.message)
    assert 2 * allowance_bits <= tol <= 3 * allowance_bits  # twice, rounded up to one digit, in bits
    assert pidkit.bertschinger(p, tol=tol, units="nats").success


def test_the_strict_refusal_in_bits_names_tol_the_same_way():
    with pytest.raises(pidkit.SolverError, match=r"exceeds tol=1e-20 bits, which is below the float64 "
                       r"rounding allowance of this joint's certificate, \S+ bits: no solver can certify "
                       r"it; pass tol=\de-\d+ or more \(twice the allowance"):
        pidkit.bertschinger(pidkit.examples.and_(), tol=1e-20)


def test_a_gaussian_gap_in_nats_advises_a_tol_in_bits_that_is_twice_the_gap_in_bits():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 600)
    one_hot = np.eye(3)[y]
    t = one_hot + 1e-3 * rng.standard_normal((600, 3))
    s = one_hot + 0.5 * rng.standard_normal((600, 3))
    with pytest.raises(pidkit.SolverError) as caught:
        gaussian_pid_from_samples(one_hot[:, :2], t, s, units="nats")
    message = str(caught.value)
    assert re.search(r"certified gap \S+ nats \(\S+ bits\) exceeds tol=1e-09 bits", message)
    tol = suggested_tol(message)
    result = gaussian_pid_from_samples(one_hot[:, :2], t, s, units="nats", tol=tol)
    gap_bits = result.gap / math.log(2)
    assert result.status == "optimal"
    assert 2 * gap_bits <= tol < 4 * gap_bits  # twice the gap in bits, not in nats
