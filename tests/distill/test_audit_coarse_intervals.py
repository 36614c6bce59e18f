"""The audit draws no "below 0" verdict from intervals of fewer replicates than their confidence
needs (pidkit.below_zero.fewest_replicates: 39 at 0.95, 199 at 0.99), as pidkit's own estimators
do since e4f1753: its flags called Syn a likely overshoot from a 95 % interval of 20 replicates,
the audit's default then (now 40). A configuration whose audit.bootstrap is that few is warned at
its check, naming both keys and the value to set."""

from __future__ import annotations

import warnings

import pytest

from pidkit.below_zero import fewest_replicates
from pidkit_distill import load_config
from pidkit_distill.audit.records import FLAG_NOTES, audit_flags
from pidkit_distill.config import AuditConfig

SYN_BELOW = {"measure": "broja", "syn": -0.147, "bias_correction": {"negative": ["syn"]},
             "intervals": {"syn": [-0.147, 0.0]}}


def flags(confidence: float, **replicates: int) -> list[str]:
    """The flags of a record whose Syn's whole centred interval lies below 0."""
    settings = {"ci_method": "centred", "confidence": confidence, **replicates}
    return audit_flags({**SYN_BELOW, "settings": settings})


@pytest.mark.parametrize(("confidence", "replicates", "flag"), [
    (0.95, {"bootstrap": 20}, "below 0, not judged: Syn"),  # the old default: 20 < 39
    (0.95, {"bootstrap": 38}, "below 0, not judged: Syn"),
    (0.95, {"bootstrap": 39}, "below 0, likely overshoot: Syn"),  # the floor itself
    (0.95, {"bootstrap": 40}, "below 0, likely overshoot: Syn"),
    # the failed replicates are left out of the interval, so out of the count: 40 - 2 = 38
    (0.95, {"bootstrap": 40, "bootstrap_failed": 2}, "below 0, not judged: Syn"),
    (0.95, {"bootstrap": 40, "bootstrap_failed": 39}, "below 0, not judged: Syn"),  # one: no spread
    (0.99, {"bootstrap": 40}, "below 0, not judged: Syn"),  # 40 < 199
    (0.99, {"bootstrap": 199}, "below 0, likely overshoot: Syn"),
    (0.5, {"bootstrap": 3}, "below 0, whole 50% interval: Syn"),  # (1 + 0.5) / (1 - 0.5) = 3
    (0.5, {"bootstrap": 2}, "below 0, not judged: Syn"),
    # a record that does not say its replicates (written before, or not by train) is read as it is
    (0.95, {}, "below 0, likely overshoot: Syn"),
    (0.95, {"bootstrap": "20"}, "below 0, likely overshoot: Syn"),
])
def test_an_interval_of_too_few_replicates_judges_no_atom(confidence, replicates, flag):
    assert flags(confidence, **replicates) == [flag]


def test_the_floor_is_pidkits_own():
    for confidence in (0.5, 0.9, 0.95, 0.99):
        fewest = fewest_replicates(confidence)
        assert flags(confidence, bootstrap=fewest - 1) == ["below 0, not judged: Syn"]
        assert flags(confidence, bootstrap=fewest)[0] != "below 0, not judged: Syn"


def test_the_note_says_why_and_what_to_set():
    note = FLAG_NOTES["below 0, not judged:"]
    assert "or whose intervals are of fewer replicates than audit.confidence needs" in note
    assert "(1 + confidence) / (1 - confidence): 39 at 0.95, 199 at 0.99" in note
    assert note.endswith("audit.bootstrap 40 (the default) or more gives intervals that tell at "
                         "0.95, 200 at 0.99.")
    assert "20 or more" not in note


def test_too_few_replicates_for_the_confidence_are_warned_at_the_check():
    with pytest.warns(UserWarning) as caught:
        load_config(overrides=["audit.confidence=0.99"])
    (warning,) = [w for w in caught if "audit.bootstrap" in str(w.message)]
    assert str(warning.message) == (
        "config key 'audit.bootstrap' is 40, fewer than the 199 replicates that intervals at "
        "audit.confidence 0.99 need ((1 + confidence) / (1 - confidence)): their ends are no "
        "quantiles, and the audit draws no 'below 0' verdict from them (its flags say 'not "
        "judged'). Set audit.bootstrap=199 or more (a few hundred steady the ends), or "
        "audit.confidence=0.95 (39 replicates); fewer are fine for a quick look at the bands")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for overrides in ([], ["audit.bootstrap=0"], ["audit.confidence=0.99", "audit.bootstrap=200"]):
            load_config(overrides=overrides)
        AuditConfig(bootstrap=5).check(warn=False)  # as the audit of each epoch checks it
    assert "or a lower audit.confidence;" in AuditConfig(bootstrap=20).coarse_intervals()
