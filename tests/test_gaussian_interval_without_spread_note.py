"""A Gaussian estimate's interval of no width gets the note a RepresentationPID's gets (t-358 finding 4).

For a scalar Y the Gaussian BROJA PID's Red is min(I(Y;T), I(Y;S)), so the weaker side's Uni is 0
in every bootstrap replicate, and the centred interval printed ``[0.000000, 0.000000]`` without
the note that 278136b added to the repr of a :class:`~pidkit.estimate.RepresentationPID`. Both
reprs now print the one text of :func:`pidkit.below_zero.no_spread_note`.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import pidkit
from pidkit.resampling import QUANTITIES
from tests.test_interval_without_spread_note import NO_SPREAD_NOTE, pinned_uni_s_estimate, repr_words


@pytest.fixture(scope="module")
def scalar_target():
    rng = np.random.default_rng(3)
    n = 500
    y = rng.standard_normal(n)
    t = y[:, None] + rng.standard_normal((n, 2))
    s = y + 2 * rng.standard_normal(n)
    return (y, t, s), pidkit.gaussian_pid_from_samples(y, t, s, bootstrap=30, random_state=0, progress=False)


def test_a_uni_at_zero_in_every_replicate_gets_the_note(scalar_target):
    _, r = scalar_target
    replicates = dict(zip(QUANTITIES, r.diagnostics["bootstrap"]["replicates"].T, strict=True))
    # the invariant: for a scalar Y, Red = min(I(Y;T), I(Y;S)), so the weaker side's Uni is 0
    assert np.all(replicates["i_ys"] < replicates["i_yt"])
    np.testing.assert_allclose(replicates["red"], replicates["i_ys"], atol=1e-9)
    assert np.abs(replicates["uni_s"]).max() <= 1e-9
    assert r.intervals["uni_s"] == pytest.approx((0.0, 0.0), abs=1e-9)
    assert NO_SPREAD_NOTE.format(30) in repr_words(r)
    assert all(len(line) <= 100 for line in repr(r).splitlines()[2:])  # wrapped like the other notes


def test_quantities_with_spread_get_no_note(scalar_target):
    samples, r = scalar_target
    assert "replicate of red" not in repr_words(r) and "replicate of uni_t" not in repr_words(r)
    boot = r.diagnostics["bootstrap"]
    spread = boot["replicates"].copy()
    spread[:, QUANTITIES.index("uni_s")] = np.linspace(0.0, 0.01, len(spread))
    moved = dataclasses.replace(r, diagnostics={**r.diagnostics, "bootstrap": {**boot, "replicates": spread}})
    assert "every bootstrap replicate" not in repr(moved)
    assert "every bootstrap replicate" not in repr(pidkit.gaussian_pid_from_samples(*samples))  # no bootstrap


def test_the_note_is_the_one_a_representation_pid_prints():
    res = pinned_uni_s_estimate()
    assert np.abs(res.bootstrap_samples["uni_s"]).max() < 1e-9
    assert NO_SPREAD_NOTE.format(20) in repr_words(res)
