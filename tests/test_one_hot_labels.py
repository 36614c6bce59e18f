"""joint_from_samples given one-hot labels (a (n, C) matrix of one 1 a row, as a network's targets
often are) was pointed to pid_from_representations "for feature matrices", which would cluster the
one-hot rows; it is now told to pass each row's argmax, as pid_from_representations tells it."""

import numpy as np
import pytest

import pidkit

CLASSES = np.array([0, 2, 1, 0, 2, 1])


@pytest.mark.parametrize(("one_hot", "code"), [
    (np.eye(3)[CLASSES], "y.argmax(axis=1)"),
    (np.eye(3)[CLASSES].tolist(), "np.asarray(y).argmax(axis=1)"),
    (np.eye(3, dtype=bool)[CLASSES], "y.argmax(axis=1)"),
])
def test_one_hot_labels_are_told_their_argmax(one_hot, code):
    with pytest.raises(ValueError) as refusal:
        pidkit.joint_from_samples(one_hot, CLASSES, CLASSES)
    assert str(refusal.value) == (
        f"y must be 1-D (one label per sample); got shape (6, 3). y is one-hot (one 1 a row): pass "
        f"each sample's class, {code}."
    )
    y = np.asarray(one_hot).argmax(axis=1)
    assert pidkit.joint_from_samples(y, CLASSES, CLASSES).p[0, 0, 0] == pytest.approx(2 / 6)
    with pytest.raises(ValueError, match=r"For feature matrices use pidkit\.estimate\.pid_from_repr"):
        pidkit.joint_from_samples(2 * np.asarray(one_hot, dtype=float), CLASSES, CLASSES)  # no one-hot

