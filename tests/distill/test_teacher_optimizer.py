"""The teacher's optimizer is ``teacher.optimizer`` (``sgd`` unless set), not its student's
``optim.optimizer`` (t-477). The teacher trained first read its student's whole optim section
but ``optim.lr``, so a student of ``--optim.optimizer adamw`` trained an AdamW teacher at
``teacher.lr`` 0.05, an SGD value, in a folder of its own: an SGD and an AdamW student of one
experiment were distilled from two teachers. Every teacher of ``sgd`` keeps the folder it had
before the key existed."""

from __future__ import annotations

import json

import pytest
import torch
from tiny_runs import TINY, tiny

from pidkit_distill import load_config
from pidkit_distill.cli import main
from pidkit_distill.training import train
from pidkit_distill.training.teacher_sources import teacher_run_config, teacher_run_settings

pytestmark = pytest.mark.usefixtures("one_torch_thread")

TRAINED = ["teacher.source=trained", "teacher.epochs=1", "run.epochs=1"]


def _teacher_folders(out_dir):
    return sorted(path for path in out_dir.iterdir() if path.name.startswith("teacher-"))


def _trained_with(folder, reference: torch.optim.Optimizer) -> dict:
    """The one optimizer group that the teacher's run in ``folder`` saved in its checkpoint,
    its settings checked against torch's ``reference`` optimizer of the same kind (all but its
    lr, which the schedule decayed, and its parameters); with its state."""
    [saved] = torch.load(folder / "checkpoint.pt", weights_only=True)["optimizers"].values()
    [group] = saved["param_groups"]
    [expected] = reference.state_dict()["param_groups"]
    assert {key: group[key] for key in expected if key not in ("lr", "params")} == \
        {key: value for key, value in expected.items() if key not in ("lr", "params")}
    assert group["initial_lr"] == expected["lr"] and group.keys() - expected.keys() == {
        "initial_lr"}
    return saved


def test_the_key_of_a_default_teacher_is_the_one_it_had_before_teacher_optimizer():
    # the name test_name_spelling pins for these settings, before and after the key existed
    for optimizer in ("sgd", "adamw"):
        config = load_config(overrides=["data.name=digits", "run.threads=1",
                                        f"optim.optimizer={optimizer}"])
        assert teacher_run_config(config).run.name == \
            "teacher-digits-digits-teacher-s0-e30-cffaf929"
    adamw = load_config(overrides=["data.name=digits", "run.threads=1",
                                   "teacher.optimizer=AdamW"])
    assert adamw.teacher.optimizer == "adamw"  # a choice, held as spelt in the choices
    assert teacher_run_config(adamw).run.name != "teacher-digits-digits-teacher-s0-e30-cffaf929"


def test_an_adamw_teacher_does_not_read_its_students_sgd_keys():
    # a student's momentum of 0.5 is SGD's: the AdamW teacher holds the default, which AdamW
    # ignores, so that it is one teacher whatever the student's momentum
    plain = teacher_run_settings(load_config(overrides=["teacher.optimizer=adamw"]))
    slow = teacher_run_settings(load_config(overrides=["teacher.optimizer=adamw",
                                                       "optim.momentum=0.5",
                                                       "optim.nesterov=false"]))
    assert (slow["optim"]["optimizer"], slow["optim"]["momentum"],
            slow["optim"]["nesterov"]) == ("adamw", 0.9, True)
    assert slow == plain
    # an SGD teacher reads them, as it always did
    sgd = teacher_run_settings(load_config(overrides=["optim.momentum=0.5"]))["optim"]
    assert (sgd["optimizer"], sgd["momentum"]) == ("sgd", 0.5)


def test_train_teacher_refuses_the_students_optimizer(tmp_path, capsys):
    assert main(["train-teacher", "--out-dir", str(tmp_path), "--optim.optimizer",
                 "adamw"]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train-teacher: error: --optim.optimizer is the student's, not "
        "used by train-teacher; pass --teacher.optimizer\n")


def test_a_bad_teacher_optimizer_is_refused_naming_the_key(tmp_path):
    with pytest.raises(ValueError, match=r"^config key 'teacher.optimizer' must be one of "
                                         r"\['sgd', 'adamw'\], got 'adam'. Did you mean "
                                         r"'adamw'\?"):
        train(tiny(tmp_path, "teacher.optimizer=adam"))
    assert not list(tmp_path.iterdir())


def test_sgd_and_adamw_students_share_the_sgd_teacher_and_teacher_optimizer_trains_another(
        tmp_path, capsys):
    train(tiny(tmp_path, *TRAINED, "run.name=sgd"))
    [teacher] = _teacher_folders(tmp_path)
    capsys.readouterr()
    train(tiny(tmp_path, *TRAINED, "run.name=adamw", "optim.optimizer=adamw"))
    out = capsys.readouterr().out
    assert _teacher_folders(tmp_path) == [teacher]
    assert f"reusing the teacher synthetic-teacher trained before with the same settings: " \
           f"{teacher / 'teacher.pt'}" in out
    saved = json.loads((teacher / "config.json").read_text())
    assert (saved["optim"]["optimizer"], saved["teacher"]["optimizer"]) == ("sgd", "sgd")
    parameter = [torch.nn.Parameter(torch.zeros(1))]
    sgd = _trained_with(teacher, torch.optim.SGD(parameter, lr=0.05, momentum=0.9,
                                                 weight_decay=5e-4, nesterov=True))
    assert all(set(values) == {"momentum_buffer"} for values in sgd["state"].values())

    sets = [arg for item in TINY if not item.startswith("teacher.source=")
            for arg in ("--set", item)]
    assert main(["train", *sets, "--out-dir", str(tmp_path), "--teacher", "trained",
                 "--teacher.epochs", "1", "--epochs", "1", "--optim.optimizer", "adamw",
                 "--teacher.optimizer", "adamw", "--teacher.lr", "0.001",
                 "--run.name", "adamw-teacher"]) == 0
    [adamw] = [path for path in _teacher_folders(tmp_path) if path != teacher]
    saved = json.loads((adamw / "config.json").read_text())
    assert (saved["optim"]["optimizer"], saved["optim"]["lr"]) == ("adamw", 0.001)
    # torch.optim.AdamW's settings and state (its moments), not SGD's momentum buffers
    adamw_state = _trained_with(adamw, torch.optim.AdamW(parameter, lr=0.001, weight_decay=5e-4))
    assert all(set(values) == {"step", "exp_avg", "exp_avg_sq"}
               for values in adamw_state["state"].values())
