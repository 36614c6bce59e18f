"""A teacher with NaN or infinite weights is refused at the door, naming the file and its first
such tensor (one line, exit status 2): it used to be taken as it was, its NaN logits giving a
teacher accuracy of 0.1 in summary.json (`--method bas`), a student's loss of NaN blamed on
optim.lr (`--method kd`), or an audit failing on its features. A teacher's training whose
last step made its weights NaN is a failed training, and nothing is cached."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, tiny
from torch import nn

from pidkit_distill import register_model, tap_features
from pidkit_distill.cli import main
from pidkit_distill.data import describe_dataset, load_dataset
from pidkit_distill.models import build_model
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import Runtime, TrainingError
from pidkit_distill.training import loop as loop_module
from pidkit_distill.training.teacher import (
    check_teacher_file,
    teacher_file_of,
    trained_teacher_file,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# the tiny synthetic run of tiny_runs on the command line, its teacher given by each test;
# the keys of train-teacher alone (it warns of the student's)
TINY_ARGS = [arg for item in TINY if not item.startswith("teacher.source")
             for arg in ("--set", item)]
TEACHER_ARGS = [arg for item in TINY if not item.startswith(("teacher.source", "model.student",
                                                             "run.audit_every"))
                for arg in ("--set", item)]


@pytest.mark.parametrize("method", ["bas", "kd"])
def test_a_teacher_file_with_nan_weights_is_refused_naming_its_first_tensor(tmp_path, capsys,
                                                                             method):
    torch.manual_seed(0)
    weights = build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict()
    assert len(weights) == 23
    weights["blocks.0.0.bias"] *= float("nan")
    weights["fc.bias"][1] = float("inf")
    path = tmp_path / "nanT.pt"
    torch.save(weights, path)
    status = main(["train", *TINY_ARGS, "--teacher", str(path), "--method", method,
                   "--epochs", "2", "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: teacher.source: teacher file '{path}' holds NaN or "
        "infinite weights in 2 of its 23 tensors, the first blocks.0.0.bias: 128 NaN and 0 "
        "infinite of its 128 values (a training that diverged?); use a teacher trained with a "
        "lower learning rate (teacher.lr)\n"))
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("command", ["train", "train-teacher"])
def test_a_cached_teacher_with_an_infinite_weight_is_refused(tmp_path, capsys, command):
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    cached = teacher_file_of(config)
    args = [*TEACHER_ARGS, "--teacher.epochs", "1", "--out-dir", str(tmp_path)]
    assert main(["train-teacher", *args]) == 0
    saved = torch.load(cached, weights_only=True)
    saved["model"]["fc.bias"][0] = float("-inf")
    torch.save(saved, cached)
    capsys.readouterr()
    if command == "train":
        args = [*TINY_ARGS, "--teacher", "trained", "--teacher.epochs", "1", "--epochs", "1",
                "--out-dir", str(tmp_path)]
    assert main([command, *args]) == 2
    key = "teacher.source: " if command == "train" else ""
    assert capsys.readouterr().err == (
        f"pidkit-distill {command}: error: {key}teacher file '{cached}' holds NaN or infinite "
        "weights in 1 of its 23 tensors, the first fc.bias: 0 NaN and 1 infinite of its 4 "
        "values (a training that diverged?); use a teacher trained with a lower learning rate "
        f"(teacher.lr); it is the teacher cached for these settings: delete {cached.parent} to "
        "train it again\n")


def test_a_teacher_training_whose_last_step_made_nan_weights_caches_nothing(tmp_path,
                                                                            monkeypatch):
    # 96 samples in batches of 32: the third step is the last of the one epoch; its loss is
    # finite, and the teacher.pt written after it held NaN weights (its held-out accuracy that
    # of one class)
    made = loop_module.make_optimizer

    def nan_after_third_step(params, config, name):
        optimizer = made(params, config, name)
        steps = []

        def after_step(opt, args, kwargs):
            steps.append(1)
            if len(steps) == 3:
                with torch.no_grad():
                    opt.param_groups[0]["params"][0].fill_(float("nan"))

        optimizer.register_step_post_hook(after_step)
        return optimizer

    monkeypatch.setattr(loop_module, "make_optimizer", nan_after_third_step)
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=1")
    bundle = load_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)
    with pytest.raises(TrainingError) as failed:
        trained_teacher_file(config, bundle, Runtime.single())
    assert str(failed.value) == (
        "the weights became NaN or infinite (the step's loss was finite) in epoch 1, step 3 of "
        "3; nothing was saved (no epoch had completed); lower teacher.lr or optim.grad_clip "
        f"(now {config.optim.grad_clip:g}), then rerun: the run starts again from epoch 1")
    folder: Path = teacher_file_of(config).parent
    assert not (folder / "teacher.pt").exists() and not (folder / "checkpoint.pt").exists()


class Floored(nn.Module):
    """An MLP whose logits are bounded below by a buffer, ``-inf``: no bound, as its code sets
    it (a mask of ``-inf`` is another such buffer), saved in its state dict."""

    def __init__(self, in_channels: int, num_classes: int) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, num_classes))
        self.register_buffer("floor", torch.tensor(float("-inf")))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x).clamp(min=self.floor)


@pytest.fixture
def floored(monkeypatch):
    """The model floored-net registered for the test."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    register_model("floored-net")(lambda *, num_classes, in_channels: tap_features(
        Floored(in_channels, num_classes), layers=["body.1"]))


def test_a_teacher_whose_buffer_holds_an_infinity_is_cached_and_reused(tmp_path, capsys, floored):
    # train-teacher cached it, then train refused its own cache: "holds NaN or infinite weights
    # in 1 of its 5 tensors, the first floor: 0 NaN and 1 infinite of its 1 values ...; delete
    # ... to train it again", and the teacher trained again was refused again
    args = [*(arg for item in TINY if not item.startswith(("teacher.source", "model.",
                                                           "run.audit_every"))
              for arg in ("--set", item)),
            "--model.teacher", "floored-net", "--teacher.epochs", "1", "--out-dir", str(tmp_path)]
    assert main(["train-teacher", *args]) == 0
    assert main(["train", *args, "--model.student", "synthetic-student", "--audit-every", "0",
                 "--teacher", "trained", "--epochs", "1"]) == 0
    assert "reusing the teacher floored-net trained before" in capsys.readouterr().out


def test_a_nan_in_a_buffer_is_refused_an_infinity_in_a_weight_too(floored):
    spec = describe_dataset("synthetic", n_train=96, n_test=64, dim=12, nuisance_bits=2)
    weights = build_model("floored-net", num_classes=4, in_channels=12).state_dict()
    check_teacher_file({"model": weights}, Path("t.pt"), model="floored-net", spec=spec)
    weights["floor"] = torch.tensor(float("nan"))
    with pytest.raises(ValueError, match=r"in 1 of its 5 tensors, the first floor: 1 NaN "
                                         r"and 0 infinite of its 1 values"):
        check_teacher_file({"model": weights}, Path("t.pt"), model="floored-net", spec=spec)
    weights["floor"] = torch.tensor(float("-inf"))
    weights["body.2.bias"][1] = float("-inf")
    with pytest.raises(ValueError, match=r"in 1 of its 5 tensors, the first body\.2\.bias: "
                                         r"0 NaN and 1 infinite of its 4 values"):
        check_teacher_file({"model": weights}, Path("t.pt"), model="floored-net", spec=spec)


def test_a_teacher_file_of_meta_tensors_is_refused_in_one_line(tmp_path, capsys):
    # the state dict of a model built under torch.device("meta") has shapes and no values:
    # "RuntimeError: Tensor.item() cannot be called on meta tensors", a traceback
    with torch.device("meta"):
        weights = build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict()
    path = tmp_path / "metaT.pt"
    torch.save(weights, path)
    status = main(["train", *TINY_ARGS, "--teacher", str(path), "--epochs", "1",
                   "--out-dir", str(tmp_path / "runs")])
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: teacher.source: teacher file '{path}' holds tensors "
        "without values (on the meta device) in 23 of its 23 tensors, the first "
        "blocks.0.0.weight; save the state dict of the teacher once its weights are trained or "
        "loaded (a model built under torch.device('meta') has their shapes only)\n"))
