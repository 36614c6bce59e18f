"""Non-integer float labels are refused in the same words by every entry point (task 340): the
estimators' ``y`` and labels given in place of a representation had their own copy of the check,
worded "y must hold class labels; it has N distinct non-integer values", where
:func:`pidkit.joint_from_samples` said "y holds N distinct non-integer floats". Labels given in
place of a representation keep their own advice (a feature matrix, which is clustered)."""

from __future__ import annotations

import numpy as np
import pytest

import pidkit
from pidkit import estimate

_N = 40
_Y = np.arange(_N) % 2
_FEATURES = np.random.default_rng(0).normal(size=(_N, 3))
_HALVES = np.arange(_N) % 4 + 0.5  # 4 distinct non-integer floats: 0.5, 1.5, 2.5, 3.5
_OFF_BY_ROUNDING = np.arange(_N) % 4 + 1e-9  # class ids a rounding error away from 0, 1, 2, 3


def _refusal(call) -> str:
    with pytest.raises(ValueError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("labels", [_HALVES, _OFF_BY_ROUNDING, _HALVES.astype(object)],
                         ids=["halves", "off-by-rounding", "object-halves"])
def test_y_is_refused_in_the_same_words_by_samples_and_both_estimators(labels):
    from_samples = _refusal(lambda: pidkit.joint_from_samples(labels, _Y, _Y))
    assert from_samples.startswith("y holds 4 distinct non-integer floats (e.g. ")
    assert _refusal(lambda: estimate.pid_from_representations(
        labels, _FEATURES, _FEATURES, n_clusters=3)) == from_samples
    assert _refusal(lambda: estimate.pid_from_representations(
        labels, _FEATURES, _FEATURES, estimator="gaussian")) == from_samples
    assert _refusal(lambda: estimate.bootstrap(labels, _Y, _Y, n_boot=2)) == from_samples


def test_labels_given_for_a_representation_share_the_head_and_keep_their_own_advice():
    side = _HALVES.astype(object)  # a 1-D object array is read as labels, not as a feature
    from_samples = _refusal(lambda: pidkit.joint_from_samples(_Y, _Y, side))
    head = from_samples.split(". For a continuous variable")[0]
    assert head.startswith("s holds 4 distinct non-integer floats (e.g. 0.5); labels must be discrete")
    message = _refusal(lambda: estimate.pid_from_representations(_Y, _FEATURES, side, n_clusters=3))
    assert message == head.replace("s holds", "s_features holds", 1) + (
        ". Labels given in place of a representation are used as they are, without clustering; "
        "pass features as a matrix of shape (n_samples, n_features), which is clustered.")


def test_labels_given_for_a_representation_off_by_rounding_are_told_to_round_as_everywhere():
    side = _OFF_BY_ROUNDING.astype(object)
    from_samples = _refusal(lambda: pidkit.joint_from_samples(_Y, _Y, side))
    message = _refusal(lambda: estimate.pid_from_representations(_Y, _FEATURES, side, n_clusters=3))
    assert message == from_samples.replace("s holds", "s_features holds", 1).replace(
        "np.rint(s)", "np.rint(s_features)")
    assert message.endswith("round them: np.rint(s_features).astype(int).")
