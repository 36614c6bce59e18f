"""audit_distiller refuses held-out labels that are no classes of the distiller: a label outside
[0, num_classes) or a float label. The PID reads only which label is which, so it ran without a
word and gave numbers, but a label of 7 with 4 classes, or of 0.5, is a mistake in the data; the
refusal names the argument, the first such label and its index, and the fix."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch
from own_distillers import LogitMatch, blobs_module, tapped_mlp
from torch.utils.data import DataLoader, Dataset, TensorDataset

from pidkit_distill import audit_distiller, build_model
from pidkit_distill.audit import collect_features
from pidkit_distill.cli import main
from pidkit_distill.config import AuditConfig
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.methods import get_method
from pidkit_distill.training import evaluate
from pidkit_distill.training.loaders import DataError

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
    # read batch by batch, a fraction after the first batch of whole numbers is named
    labels = torch.where(torch.arange(60) == 40, 0.5, Y.float())
    with pytest.raises(ValueError, match=r"^dataset: its label at index 40 is 0\.5, no class"):
        audit_distiller(distiller, TensorDataset(X, labels), epoch=0, settings=SETTINGS,
                        batch_size=16)


class OwnHeldOut(Dataset):
    """A user's held-out split, read sample by sample: 60 samples of 20 inputs, labels
    ``label(i)`` (``i % 4``) but ``label_37`` at index 37 where given; it keeps the indices it
    was asked for."""

    def __init__(self, label_37=None, *, label=lambda i: i % 4):
        self.label_37, self.label, self.read = label_37, label, []

    def __len__(self):
        return 60

    def __getitem__(self, i):
        self.read.append(i)
        return X[i], self.label(i) if i != 37 or self.label_37 is None else self.label_37


def _own_distiller():
    return LogitMatch(tapped_mlp(8), tapped_mlp(16), sample_input=X[:2], num_classes=4)


@pytest.mark.parametrize(("label_37", "said"), [
    (7, "its label at index 37 is 7, outside [0, 4), the distiller's classes (num_classes=4): "
        "pass the held-out split of the data the distiller was built for, its classes numbered "
        "from 0"),
    (1.5, "its label at index 37 is 1.5, no class: the audit takes int class labels in [0, 4) "
          "(num_classes=4); pass the class of each sample, not a score or a probability"),
])
def test_a_bad_label_of_ones_own_dataset_stops_the_audit_in_its_batch(label_37, said):
    held_out = OwnHeldOut(label_37)
    with pytest.raises(DataError) as info:  # the command's one line, exit status 2
        audit_distiller(_own_distiller(), held_out, epoch=0, batch_size=16,
                        settings=AuditConfig(layers=[0], clusters=3, bootstrap=0))
    assert str(info.value) == f"dataset: {said}"
    assert max(held_out.read) == 47  # the batch of samples 32 to 47, not the 12 after it


def test_collect_features_checks_labels_against_num_classes():
    distiller = _own_distiller()
    with pytest.raises(DataError, match=r"^dataset: its label at index 37 is 7, outside \[0, 4\)"):
        collect_features(distiller.teacher, distiller.student, OwnHeldOut(7), batch_size=16,
                         num_classes=4)
    # without num_classes, any int label is a class
    assert collect_features(distiller.teacher, distiller.student, OwnHeldOut(7),
                            layers=[0])[2][37] == 7


@pytest.mark.parametrize(("labels", "at"), [
    (torch.arange(60) % 2 == 1, "0: False"),                                     # torch.bool
    (OwnHeldOut(label=lambda i: i % 2 == 1), "0: False"),                          # Python bool
    (OwnHeldOut(label=lambda i: np.bool_(i % 2 == 0)), "0: True"),                 # numpy bool
])
def test_bool_labels_are_told_to_be_ints(distiller, labels, at):
    dataset = TensorDataset(X, labels) if isinstance(labels, torch.Tensor) else labels
    with pytest.raises(ValueError) as info:
        audit_distiller(distiller, dataset, epoch=0, settings=SETTINGS)
    assert str(info.value) == (
        f"dataset: its labels are bool (at index {at}); the audit takes int class labels in "
        "[0, 4) (num_classes=4): pass y.long() (int(y) for a label a Dataset returns)")


def test_labels_of_shape_n_1_are_told_to_be_flattened(distiller):
    with pytest.raises(ValueError) as info:
        audit_distiller(distiller, OwnHeldOut(label=lambda i: torch.tensor([i % 4])), epoch=0,
                        settings=SETTINGS, batch_size=16)
    assert str(info.value) == (
        "dataset: its labels have shape (16, 1) in a batch of 16 samples (from index 0); the "
        "audit takes one int class label per sample, y of shape (N,): pass y.flatten() of an "
        "(N, 1) y")


def test_class_names_as_labels_are_told_to_be_numbers(distiller):
    names = ["cat", "dog", "owl", "yak"]
    with pytest.raises(ValueError) as info:
        audit_distiller(distiller, OwnHeldOut(label=lambda i: names[i % 4]), epoch=0,
                        settings=SETTINGS)
    assert str(info.value) == (
        "dataset: its label at index 0 is 'cat', a str; the audit takes int class labels in "
        "[0, 4) (num_classes=4): number the classes from 0 (classes.index(name))")


def test_a_bad_held_out_label_of_ones_own_dataset_is_the_commands_one_line(tmp_path, capsys,
                                                                           monkeypatch):
    # it was torch's 'IndexError: Target 7 is out of bounds.' in the teacher's evaluation, a
    # traceback, exit status 1: the data's check when loaded reads such a split's first sample
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    monkeypatch.delitem(sys.modules, "own_blobs", raising=False)
    (tmp_path / "own_blobs.py").write_text(blobs_module("own-blobs", test_37=7))
    assert main(["train", "--import", "own_blobs.py", "--data", "own-blobs", "--model.teacher",
                 "synthetic-teacher", "--model.student", "synthetic-student", "--teacher",
                 "untrained", "--epochs", "1", "--run.threads", "1", "--run.print_every", "0",
                 "--out-dir", str(tmp_path / "runs")]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: data.name: sample 37 of the data set's test split has "
        "label 7, outside [0, 2) (its num_classes=2); labels must be integers in [0, 2): number "
        "the classes from 0 in its loader (y - y.min()), or return a num_classes above its "
        "largest label\n")


@pytest.mark.parametrize(("labels", "said"), [
    (torch.where(torch.arange(10) == 7, 1.5, torch.arange(10) % 2.0),
     "sample 7 of the data set's test split has label 1.5, no class: return the class of each "
     "sample, an int, from its loader, not a score or a probability"),
    (torch.arange(10) % 2 == 1,
     "sample 0 of the data set's test split has a torch.bool label (False), but the trainer "
     "takes int64 (or uint8) labels, as torch's cross-entropy does: return y.long() (int(y) for "
     "one label) from its loader"),
])
def test_the_held_out_evaluation_names_a_label_cross_entropy_cannot_take(labels, said):
    # labels of a float batch are read for fractions before their dtype is refused
    held_out = DataLoader(TensorDataset(torch.zeros(10, 3), labels), batch_size=10)
    with pytest.raises(DataError) as info:
        evaluate(torch.nn.Linear(3, 2), held_out, device=torch.device("cpu"))
    assert str(info.value) == f"data.name: {said}"


@pytest.mark.parametrize("dtype", [torch.int32, torch.float32])
def test_the_held_out_evaluation_names_a_label_outside_the_classes_before_its_dtype(dtype):
    # one check for the audit and the trainer: the labels' values come before their dtype, which
    # named sample 0's int32 (or float) label and left the 7 to the next run
    labels = torch.where(torch.arange(10) == 6, 7, torch.arange(10) % 2).to(dtype)
    held_out = DataLoader(TensorDataset(torch.zeros(10, 3), labels), batch_size=10)
    with pytest.raises(DataError) as info:
        evaluate(torch.nn.Linear(3, 2), held_out, device=torch.device("cpu"))
    assert str(info.value) == (
        "data.name: sample 6 of the data set's test split has label 7, outside [0, 2) (its "
        "num_classes=2); labels must be integers in [0, 2): number the classes from 0 in its "
        "loader (y - y.min()), or return a num_classes above its largest label")


def test_the_held_out_evaluation_of_batches_in_a_list_names_the_batch_and_the_row():
    # evaluate takes any iterable of (x, y) batches (a list: it did, and does for good labels);
    # its refusal looked for the loader's batch sampler and raised "AttributeError: 'list'
    # object has no attribute 'batch_sampler'" instead
    batches = [(torch.zeros(4, 3), torch.tensor([0, 1, 1, 0])),
               (torch.zeros(4, 3), torch.tensor([0, 1, 7, 0]))]
    with pytest.raises(DataError) as info:
        evaluate(torch.nn.Linear(3, 2), batches, device=torch.device("cpu"))
    assert str(info.value) == (
        "data.name: row 2 of batch 2 of the data set's test split has label 7, outside [0, 2) "
        "(its num_classes=2); labels must be integers in [0, 2): number the classes from 0 in "
        "its loader (y - y.min()), or return a num_classes above its largest label")
