"""A float32 confidence is the confidence the user meant in every result that records it:
``check_confidence`` reads np.float32(0.95) as 0.95, but three estimators checked the value and
then kept the float32 one, so their settings held 0.949999988079071 and the repr printed
``94.999999%`` (and the intervals were those of that level)."""

from __future__ import annotations

import numpy as np
import pytest

from pidkit import gaussian_pid_from_samples
from pidkit.estimate import bootstrap, pid_from_representations

CONFIDENCE = np.float32(0.95)


@pytest.fixture(scope="module")
def samples():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    return y, y[:, None] + rng.normal(size=(400, 3)), rng.normal(size=(400, 3))


def test_pid_from_representations_keeps_the_confidence_meant(samples):
    res = pid_from_representations(*samples, n_components=2, n_clusters=2, bootstrap=20,
                                   confidence=CONFIDENCE)
    assert res.settings["confidence"] == 0.95
    assert "95% " in repr(res) and "94.99" not in repr(res)


def test_gaussian_pid_from_samples_keeps_the_confidence_meant(samples):
    res = gaussian_pid_from_samples(*samples, bootstrap=20, confidence=CONFIDENCE)
    assert res.diagnostics["bootstrap"]["confidence"] == 0.95
    assert "95% centred interval" in repr(res)


def test_bootstrap_keeps_the_confidence_meant(samples):
    y, t, s = samples
    out = bootstrap(y, (t[:, 0] > 0.5).astype(int), (s[:, 0] > 0).astype(int), n_boot=20,
                    confidence=CONFIDENCE)
    assert out["confidence"] == 0.95
