"""The optimizer and schedule choices of torchvision's reference trainer: ``optim.optimizer``
(sgd, adamw), ``optim.schedule = "cosine"`` down to ``optim.min_lr``, and ``optim.warmup_epochs``
of linear warm-up before any schedule but kd-rid-effective; the lr of each epoch against the
closed forms, through a resume, for every optimizer group; the refusals of keys that do not go
together."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from tiny_runs import RID, tiny
from torch import nn

from pidkit_distill import ConfigValueError, TrainConfig
from pidkit_distill.cli import main
from pidkit_distill.config import config_from_dict, config_to_dict
from pidkit_distill.training import train
from pidkit_distill.training.checkpoint import read_checkpoint, resume_changes
from pidkit_distill.training.optim import make_optimizer, make_scheduler

pytestmark = pytest.mark.usefixtures("one_torch_thread")

ERROR = "pidkit-distill train: error: "


def _config(**optim: object) -> TrainConfig:
    epochs = optim.pop("epochs")
    return config_from_dict({"optim": optim, "run": {"epochs": epochs}})


def _lrs(config: TrainConfig, group: str = "student", n_groups: int = 1) -> list[float]:
    """The lr of each epoch of ``config``'s run for one group, stepped as the trainer steps."""
    optimizer = make_optimizer([nn.Parameter(torch.zeros(1))], config, group)
    scheduler = make_scheduler(optimizer, config, group, n_groups)
    lrs = []
    for _ in range(config.run.epochs):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def _cosine(lr: float, min_lr: float, e: int, T: int) -> float:
    return min_lr + (lr - min_lr) * (1 + math.cos(math.pi * e / T)) / 2


def _warmup(lr: float, e: int, W: int) -> float:
    return lr * (0.01 + 0.99 * e / W)  # LinearLR from 0.01 * lr, reaching lr at epoch W


def test_cosine_anneals_from_lr_to_min_lr_over_the_run_as_the_closed_form():
    lrs = _lrs(_config(schedule="cosine", lr=0.1, min_lr=0.001, epochs=6))
    assert lrs == pytest.approx([_cosine(0.1, 0.001, e, 6) for e in range(6)], rel=1e-12)
    # by hand: epochs 0 and 3 of 6 at lr and at the middle, (0.1 + 0.001) / 2
    assert lrs[0] == 0.1 and lrs[3] == pytest.approx(0.0505, rel=1e-12)


def test_a_warm_up_rises_linearly_to_lr_then_cosine_anneals_over_the_epochs_left():
    lrs = _lrs(_config(schedule="cosine", lr=0.1, min_lr=0.0, warmup_epochs=3, epochs=8))
    expected = ([_warmup(0.1, e, 3) for e in range(3)]
                + [_cosine(0.1, 0.0, e, 5) for e in range(5)])
    assert lrs == pytest.approx(expected, rel=1e-12)
    assert lrs[:3] == pytest.approx([0.001, 0.034, 0.067], rel=1e-12)


@pytest.mark.parametrize("schedule", ["paper", "constant"])
def test_a_warm_up_before_paper_or_constant_keeps_the_milestones_of_the_run(schedule):
    lrs = _lrs(_config(schedule=schedule, lr=1.0, warmup_epochs=2, milestones=[3, 5],
                       milestone_unit="epoch", epochs=7))
    decayed = [1.0, 0.2, 0.2, 0.04, 0.04] if schedule == "paper" else [1.0] * 5
    assert lrs == pytest.approx([0.01, 0.505, *decayed], rel=1e-12)
    # the same milestones without a warm-up decay after the same epochs
    plain = _lrs(_config(schedule=schedule, lr=1.0, milestones=[3, 5], milestone_unit="epoch",
                         epochs=7))
    assert plain[2:] == lrs[2:]


def test_adamw_trains_each_group_with_lr_weight_decay_and_torchs_betas():
    config = _config(optimizer="adamw", lr=0.003, weight_decay=0.01, epochs=3)
    optimizer = make_optimizer([nn.Parameter(torch.zeros(2))], config, "filter")
    assert type(optimizer) is torch.optim.AdamW
    group = optimizer.param_groups[0]
    assert (group["lr"], group["weight_decay"], group["betas"], group["eps"]) == (
        0.003, 0.01, (0.9, 0.999), 1e-8)
    assert "momentum" not in group and "nesterov" not in group


def test_an_adamw_run_checkpoints_adamw_states_for_every_group(tmp_path):
    train(tiny(tmp_path, *RID, "run.epochs=6", "run.name=a", "optim.optimizer=adamw"))
    saved = read_checkpoint(tmp_path / "a" / "checkpoint.pt")
    assert sorted(saved["optimizers"]) == ["filter", "student"]
    for state in saved["optimizers"].values():
        assert state["param_groups"][0]["betas"] == (0.9, 0.999)
        assert state["param_groups"][0]["weight_decay"] == 5e-4
        assert all("exp_avg_sq" in s for s in state["state"].values())


def _logged_lrs(run_dir: Path) -> list[dict[str, float]]:
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    return [json.loads(line)["lr"] for line in lines if '"lr"' in line]


def test_a_resumed_cosine_run_with_warm_up_logs_the_lrs_of_an_uninterrupted_one(tmp_path,
                                                                              capsys):
    settings = [*RID, "run.epochs=6", "optim.schedule=cosine", "optim.warmup_epochs=2",
                "optim.min_lr=0.005"]
    train(tiny(tmp_path, *settings, "run.name=whole"))
    train(tiny(tmp_path, *settings, "run.name=cut", "run.stop_after=3"))
    assert len(_logged_lrs(tmp_path / "cut")) == 3
    capsys.readouterr()
    train(tiny(tmp_path, *settings, "run.name=cut", "run.resume=true"))
    assert "after epoch 3" in capsys.readouterr().out  # resumed, not started again
    whole, cut = _logged_lrs(tmp_path / "whole"), _logged_lrs(tmp_path / "cut")
    assert cut == whole
    # every group (RID's student and filter) on the same schedule, the closed form's
    expected = ([_warmup(0.05, e, 2) for e in range(2)]
                + [_cosine(0.05, 0.005, e, 4) for e in range(4)])
    for group in ("student", "filter"):
        assert [epoch[group] for epoch in whole] == pytest.approx(expected, rel=1e-12)


def test_a_checkpoint_written_before_the_keys_resumes_as_sgd_without_warm_up():
    saved = config_to_dict(TrainConfig())
    for key in ("optimizer", "min_lr", "warmup_epochs"):
        del saved["optim"][key]
    assert resume_changes(saved, TrainConfig())[2] == []
    assert resume_changes(saved, _config(optimizer="adamw", epochs=30))[2] == ["optim.optimizer"]


@pytest.mark.parametrize(("args", "told"), [
    (["--optim.optimizer", "adamw", "--optim.momentum", "0.5"],
     "--optim.momentum 0.5: config key 'optim.momentum' is 0.5, but it is SGD's and "
     "optim.optimizer is 'adamw' (AdamW takes torch's betas, (0.9, 0.999)): leave "
     "optim.momentum at its default, 0.9, which adamw ignores, or set optim.optimizer to 'sgd'"),
    (["--set", "optim.optimizer=adamw", "--set", "optim.nesterov=false"],
     "--set optim.nesterov=false: config key 'optim.nesterov' is False, but it is SGD's and "
     "optim.optimizer is 'adamw' (AdamW takes torch's betas, (0.9, 0.999)): leave "
     "optim.nesterov at its default, True, which adamw ignores, or set optim.optimizer to 'sgd'"),
    (["--optim.schedule", "kd-rid-effective", "--optim.warmup_epochs", "2"],
     "--optim.warmup_epochs 2: config key 'optim.warmup_epochs' is 2, but optim.schedule "
     "'kd-rid-effective' (the authors' schedule) has no warm-up: set optim.warmup_epochs to 0, "
     "or choose another optim.schedule"),
    (["--epochs", "3", "--optim.warmup_epochs", "3"],
     "--optim.warmup_epochs 3: config key 'optim.warmup_epochs' is 3, which leaves the schedule "
     "none of the run's run.epochs=3 epochs: lower optim.warmup_epochs below 3, or raise "
     "run.epochs"),
    (["--optim.min_lr", "0.001"],
     "--optim.min_lr 0.001: config key 'optim.min_lr' is 0.001, but only optim.schedule "
     "'cosine' reads it (the schedule is 'paper'): set optim.min_lr to 0, or optim.schedule to "
     "'cosine'"),
    (["--optim.schedule", "cosine", "--optim.min_lr", "0.05"],
     "--optim.min_lr 0.05: config key 'optim.min_lr' is 0.05, not below optim.lr (0.05), so "
     "the cosine schedule would not anneal the lr down: lower optim.min_lr (its default is 0) "
     "or raise optim.lr"),
    (["--epochs", "10", "--optim.warmup_epochs", "6"],
     "--optim.warmup_epochs 6: config key 'optim.milestones' is [0.5, 0.6666666666666666], a "
     "milestone at epoch 5 of run.epochs=10, inside the warm-up of optim.warmup_epochs=6 epochs "
     "(milestones count from the run's start): move the milestones to epoch 6 or later, or "
     "shorten the warm-up"),
])
def test_keys_that_do_not_go_together_are_refused_in_one_line_naming_the_key(capsys, args,
                                                                             told):
    assert main(["train", *args]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{told}\n")


def test_adamw_with_sgds_keys_at_their_defaults_and_a_milestone_where_warm_up_ends_are_taken():
    config = _config(optimizer="adamw", momentum=0.9, nesterov=True, warmup_epochs=5, epochs=10)
    assert config.optim.milestone_epochs(10) == [5, 7]
    with pytest.raises(ConfigValueError) as refused:
        _config(optimizer="adamw", momentum=0.0, epochs=10)
    assert (refused.value.key, refused.value.value, refused.value.related) == (
        "optim.momentum", 0.0, ("optim.optimizer",))
