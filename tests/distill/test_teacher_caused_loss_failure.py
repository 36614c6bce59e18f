"""A training loss that goes NaN or infinite because of the teacher's outputs says so (task 292):
a teacher file with finite but huge weights passes the teacher-file check, and the loss of a
method that distils it went non-finite at epoch 1, step 1 with the advice "lower optim.lr or
optim.grad_clip", which no learning rate of the student's follows. A loss that fails at the
run's first step, before any update, says that optim.lr is not the cause; one that diverges
later from too high a learning rate keeps that advice. Such a teacher is now refused as the run
starts (task 294, test_teacher_outputs_at_start.py); these runs go without that check
(``without_the_start_check``), as for a teacher whose outputs fail only after its first
batch, which the loss's failure still names."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_runs import TINY
from torch import nn
from torch.utils.data import DataLoader, IterableDataset, TensorDataset

from pidkit_distill import get_method, tap_features
from pidkit_distill.cli import main
from pidkit_distill.models import build_model
from pidkit_distill.training import TrainingError, loop, train_one_epoch

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TINY_ARGS = [arg for item in TINY if not item.startswith("teacher.source")
             for arg in ("--set", item)]
FAILED = ("pidkit-distill train: training failed: the training loss became NaN or infinite"
          "{through} in epoch 1, step {step} of 3; nothing was saved (no epoch had completed); ")
# the term that went NaN where the others stayed finite: the one the teacher's outputs enter
THROUGH = " through its term {!r} ('ce' stayed finite)"
# a seeded run's advice where nothing was saved (887c08a): the same command, changed as it says
RERUN = ", then rerun: the same run.name starts the run again"


def huge_teacher_file(folder: Path, scale: float = 1e30) -> Path:
    """A real tiny teacher's weights, every one scaled by ``scale`` (finite, so the file is
    taken)."""
    torch.manual_seed(0)
    weights = build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict()
    path = folder / "hugeT.pt"
    torch.save({name: value * scale if value.is_floating_point() else value
                for name, value in weights.items()}, path)
    return path


@pytest.fixture
def without_the_start_check(monkeypatch):
    """The run without its start-up check of the teacher's outputs (task 294), which refuses
    these teachers before the loss can fail."""
    monkeypatch.setattr(loop, "check_teacher_outputs", lambda *args, **kwargs: None)


@pytest.mark.usefixtures("without_the_start_check")
@pytest.mark.parametrize(("method", "scale", "outputs", "through"), [
    # worded as the start-up check words them (test_teacher_outputs_at_start.py): which values,
    # in which outputs, where it said "NaN or infinite" of them all (task 306)
    ("kd", 1e30, "NaN and infinite (its logits, distilled layers [0, 1, 2] and pooled features",
     THROUGH.format("kd")),
    ("vid", 1e30, "NaN and infinite (its logits, distilled layers [0, 1, 2] and pooled features",
     THROUGH.format("vid")),
    # finite, but VID's squares of its features are not
    ("vid", 1e6, "as large as 1.4e+32 (its logits, distilled layers [1, 2] and pooled features",
     THROUGH.format("vid")),
])
def test_a_loss_made_non_finite_by_a_huge_teacher_names_the_teacher(tmp_path, capsys, method,
                                                                     scale, outputs, through):
    path = huge_teacher_file(tmp_path, scale)
    status = main(["train", *TINY_ARGS, "--teacher", str(path), "--method", method,
                   "--epochs", "2", "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (1, FAILED.format(through=through, step=1) + (
        f"the teacher's outputs on the training data are {outputs}, on the epoch's batches up "
        "to the failed step) while the student's logits were finite, so the teacher is the "
        "cause, not optim.lr: check the teacher "
        f"(teacher.source = '{path}'): its weights (huge or broken weights give such outputs) "
        f"and that it was trained on inputs scaled as these are{RERUN}\n"))


@pytest.mark.usefixtures("without_the_start_check")
@pytest.mark.parametrize(("method", "teacher"), [("kd", "untrained"), ("bas", "huge")])
def test_a_loss_that_diverges_later_from_too_high_a_learning_rate_keeps_its_advice(
        tmp_path, capsys, method, teacher):
    # bas never runs the teacher: a huge one beside it is not blamed for the student's lr
    source = str(huge_teacher_file(tmp_path)) if teacher == "huge" else teacher
    status = main(["train", *TINY_ARGS, "--teacher", source, "--method", method,
                   "--epochs", "3", "--set", "optim.lr=1e12", "--set", "optim.grad_clip=0",
                   "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (1, FAILED.format(through="", step=3) + (
        f"lower optim.lr or set optim.grad_clip (e.g. 100){RERUN}\n"))


FIRST_STEP_FAILURE = (
    "the training loss became NaN or infinite{through} in epoch 1, step 1 of 4; nothing was saved "
    "(no epoch had completed); it came at the run's first step, before any update, so "
    "optim.lr is not the cause: check the student's initial outputs and the method's "
    f"parameters (method.params) on this data{RERUN}")


def _kd_pair(*, huge: str, stream: bool = False) -> tuple[nn.Module, torch.optim.Optimizer, DataLoader]:
    """KD of two small MLPs on 64 samples of 4 features, in batches of 16, the ``huge`` one's
    weights ("student" or "teacher") scaled by 1e30; ``stream``: a loader read once."""
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()

    def mlp(width: int) -> nn.Module:
        return tap_features(nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2)),
                            layers=["1"])

    student, teacher = mlp(8), mlp(16)
    with torch.no_grad():
        for weight in (student if huge == "student" else teacher).parameters():
            weight.mul_(1e30)
    module = get_method("kd")(student, teacher, sample_input=x[:2], num_classes=2, alpha=0.5)
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.5)
    loader = DataLoader(_ReadOnce(x, y) if stream else TensorDataset(x, y), batch_size=16)
    return module, optimizer, loader


def test_a_loss_that_fails_before_any_update_says_the_learning_rate_is_not_the_cause():
    # the student's own logits overflow: no teacher to blame
    module, optimizer, loader = _kd_pair(huge="student")
    with pytest.raises(TrainingError) as failed:
        train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"))
    assert str(failed.value) == FIRST_STEP_FAILURE.format(through="")  # both terms went
    with pytest.raises(TrainingError) as failed:  # the same after an update: its weights NaN
        train_one_epoch(module, loader, optimizer, epoch=1, device=torch.device("cpu"))
    assert failed.value.hint == "lower optim.lr or set optim.grad_clip (e.g. 100)"


class _ReadOnce(IterableDataset):
    """An iterable data set whose samples are a stream: a second pass gives none."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.samples, self.n = iter(list(zip(x, y, strict=True))), len(x)

    def __iter__(self):
        return self.samples

    def __len__(self) -> int:
        return self.n


def test_a_loader_read_once_leaves_the_teacher_unchecked_not_a_stack_error():
    # A huge teacher makes the loss NaN with the student's logits finite, so the teacher's outputs
    # are read again; this loader gives no batch the second time. After 6728f43 that was torch's
    # 'stack expects a non-empty TensorList'; before it, and now, the loss's own failure.
    module, optimizer, loader = _kd_pair(huge="teacher", stream=True)
    with pytest.raises(TrainingError) as failed:
        train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"))
    assert str(failed.value) == FIRST_STEP_FAILURE.format(through=THROUGH.format("kd"))
