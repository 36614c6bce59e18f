"""``pidkit.pid`` takes one joint positionally; samples or a measure passed after it are told the
call to make. ``pidkit.pid(y, t, s)`` raised Python's bare "pid() takes 1 positional argument but
3 were given", with no word of :func:`pidkit.joint_from_samples`, which makes the joint of samples.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import pidkit

PLUGIN_BIAS_NOTE = (
    "That joint is the plug-in estimate, which overestimates information where the samples are few for "
    "its cells; pidkit.estimate.pid_from_representations(y, t, s) gives bias-corrected atoms."
)
"""What the refusal says of the joint it advises (walk t-422, finding 3: it said nothing of its bias)."""


def _samples() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    t, s = rng.integers(0, 2, 400), rng.integers(0, 2, 400)
    return t ^ s, t, s  # y = XOR of t and s


def test_samples_passed_as_the_joint_are_pointed_to_joint_from_samples():
    y, t, s = _samples()
    with pytest.raises(TypeError) as refused:
        pidkit.pid(y, t, s)
    assert str(refused.value) == (
        "pid takes one positional argument, the joint p[y, t, s]; got 3. For aligned samples of "
        "labels y, t, s, count their joint first: pidkit.pid(pidkit.joint_from_samples(y, t, s).p). "
        "Options go by keyword (measure='mmi', units='nats'). " + PLUGIN_BIAS_NOTE
    )
    # the call it gives works: the joint counted independently, and about 1 bit of synergy (XOR)
    counted = np.bincount(4 * y + 2 * t + s, minlength=8).reshape(2, 2, 2) / len(y)
    fixed = pidkit.pid(pidkit.joint_from_samples(y, t, s).p)
    atoms = ("red", "uni_t", "uni_s", "syn")
    assert [getattr(fixed, a) for a in atoms] == [getattr(pidkit.pid(counted), a) for a in atoms]
    assert fixed.syn == pytest.approx(1.0, abs=0.02)


def test_a_measure_passed_positionally_is_told_its_keyword():
    with pytest.raises(TypeError, match=r"got 2\. Pass the measure by keyword: "
                                        r"pidkit\.pid\(p, measure='mmi'\)\.$"):
        pidkit.pid(pidkit.examples.and_(), "mmi")
    assert pidkit.pid(pidkit.examples.and_(), measure="mmi").red == pytest.approx(0.311278, abs=1e-6)


def test_the_signature_and_keyword_calls_are_unchanged():
    parameters = inspect.signature(pidkit.pid).parameters
    assert list(parameters) == ["p_yts", "measure", "target", "sources", "options"]
    assert parameters["measure"].kind is inspect.Parameter.KEYWORD_ONLY
    assert pidkit.pid(p_yts=pidkit.examples.xor()).syn == pytest.approx(1.0, abs=1e-9)
    assert pidkit.pid.__name__ == "pid" and pidkit.pid.__doc__.startswith("Partial information")


def test_the_pointed_estimator_corrects_what_the_counted_joint_overestimates():
    # walk t-422, finding 3: the refusal led only to the plug-in, Syn 0.65 bits on independent labels
    y, t, s = np.random.default_rng(0).integers(0, 10, (3, 1000))  # independent: every atom truly 0
    assert pidkit.pid(pidkit.joint_from_samples(y, t, s).p).syn > 0.6
    corrected = pidkit.estimate.pid_from_representations(y, t, s, progress=False)
    assert abs(corrected.syn) < 0.05 and abs(corrected.i_yts) < 0.1
