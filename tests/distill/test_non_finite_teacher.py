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

from pidkit_distill.cli import main
from pidkit_distill.data import load_dataset
from pidkit_distill.models import build_model
from pidkit_distill.training import Runtime, TrainingError
from pidkit_distill.training import loop as loop_module
from pidkit_distill.training.teacher import teacher_file_of, trained_teacher_file

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
        f"(now {config.optim.grad_clip:g})")
    folder: Path = teacher_file_of(config).parent
    assert not (folder / "teacher.pt").exists() and not (folder / "checkpoint.pt").exists()
