"""audit_distiller refuses held-out labels that are no classes of the distiller: a label outside
[0, num_classes) or a float label. The PID reads only which label is which, so it ran without a
word and gave numbers, but a label of 7 with 4 classes, or of 0.5, is a mistake in the data; the
refusal names the argument, the first such label and its index, and the fix."""

from __future__ import annotations

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill import audit_distiller, build_model
from pidkit_distill.config import AuditConfig
from pidkit_distill.methods import get_method

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(60, 20, generator=torch.Generator().manual_seed(0))
Y = torch.arange(60) % 4
SETTINGS = AuditConfig(layers=[2], clusters=3, bootstrap=0)


@pytest.fixture(scope="module")
def distiller():
    student = build_model("synthetic-student", num_classes=4, in_channels=20)
    teacher = build_model("synthetic-teacher", num_classes=4, in_channels=20)
    return get_method("bas")(student, teacher, sample_input=X[:2], num_classes=4)


def _audit(distiller, labels):
    return audit_distiller(distiller, TensorDataset(X, labels), epoch=0, settings=SETTINGS)


@pytest.mark.parametrize(("labels", "said"), [
    (torch.where(torch.arange(60) == 12, 7, Y), "its label at index 12 is 7"),
    (Y - 1, "its label at index 0 is -1"),
])
def test_a_label_outside_the_classes_is_named_with_its_index(distiller, labels, said):
    with pytest.raises(ValueError) as info:
        _audit(distiller, labels)
    assert str(info.value) == (
        f"dataset: {said}, outside [0, 4), the distiller's classes (num_classes=4): pass the "
        "held-out split of the data the distiller was built for, its classes numbered from 0")


def test_a_fractional_label_is_named_with_its_index(distiller):
    labels = torch.where(torch.arange(60) == 3, 0.5, Y.float())
    with pytest.raises(ValueError) as info:
        _audit(distiller, labels)
    assert str(info.value) == (
        "dataset: its label at index 3 is 0.5, no class: the audit takes int class labels in "
        "[0, 4) (num_classes=4); pass the class of each sample, not a score or a probability")


def test_float_labels_of_whole_numbers_are_told_to_be_ints(distiller):
    with pytest.raises(ValueError) as info:
        _audit(distiller, Y.float())
    assert str(info.value) == (
        "dataset: its labels are float32 numbers (at index 0: 0.0); the audit takes int class "
        "labels in [0, 4) (num_classes=4): pass y.long()")
    # as ints, the same labels are audited
    assert [(r["layer"], r["n_samples"]) for r in _audit(distiller, Y)] == [(2, 60)]
