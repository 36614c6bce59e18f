"""``load_student(run, weights="best")``: the student of the run's best epoch, whose held-out
accuracy is summary.json's ``best_acc``, where ``load_student`` could give the last
checkpoint's alone and docs/distill.md loaded ``best.pt`` into a ``student`` it never defined
(t-485's walk, item 7)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest
import torch
from tiny_runs import RID, tiny
from torch import nn

from pidkit_distill import (
    load_dataset,
    load_student,
    register_model,
    tap_features,
    train,
    unregister_model,
)

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SYNTHETIC = {"n_train": 96, "n_test": 64, "dim": 12, "nuisance_bits": 2}  # as tiny_runs.TINY

# the lr falls to 2e-13 after epoch 1: below float32's resolution of the weights, so every later
# epoch's student is epoch 1's, and its held-out accuracy ties epoch 1's, which stays the best
FROZEN_AFTER_EPOCH_1 = ["model.student=frozen-student", "optim.lr=0.2", "optim.schedule=paper",
                        "optim.milestones=[1]", "optim.milestone_unit=epoch", "optim.gamma=1e-12",
                        "run.print_every=0"]


def frozen_student(*, num_classes: int, in_channels: int) -> nn.Module:
    """An MLP without BatchNorm, whose evaluation does not move while its lr is ~0."""
    net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, num_classes))
    return tap_features(net, layers=["1"])


@pytest.fixture
def frozen():
    register_model("frozen-student")(frozen_student)
    yield
    unregister_model("frozen-student")


def held_out_accuracy(student: nn.Module) -> float:
    """``student``'s accuracy on the tiny runs' held-out set, as the trainer measures it (one
    batch: the set is smaller than data.eval_batch_size)."""
    x, y = load_dataset("synthetic", seed=0, **SYNTHETIC).test.tensors
    with torch.no_grad():
        return (student(x).argmax(1) == y).float().mean().item()


def written_summary(run_dir: Path) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def test_the_best_epochs_student_gives_best_acc_and_the_last_one_last_acc(tmp_path):
    # patience 1 ends the run at the first epoch whose validation accuracy does not improve,
    # which comes before epoch 30: 24 validation samples allow at most 25 improvements
    run_dir = train(tiny(tmp_path, "data.val_fraction=0.25", "run.epochs=30",
                         "run.early_stop=1", "optim.lr=0.2", "run.print_every=0")).run_dir
    summary = written_summary(run_dir)
    assert summary["selected_on"] == "validation"
    assert summary["best_epoch"] == summary["stopped_early_at"] - 1 == summary["epochs_done"] - 1
    best, last = load_student(run_dir, weights="best"), load_student(run_dir)
    assert held_out_accuracy(best) == summary["best_acc"]
    assert held_out_accuracy(last) == summary["last_acc"]
    kept = torch.load(run_dir / "best.pt", weights_only=True)  # the file the docs name
    assert all(torch.equal(best.state_dict()[key], value) for key, value in kept.items())
    assert not all(torch.equal(best.state_dict()[key], value)
                   for key, value in last.state_dict().items())
    assert not best.training


def test_without_a_split_the_best_is_the_last_checkpoints_student_where_it_is_that_epoch(
        tmp_path):
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.print_every=0")).run_dir
    summary = written_summary(run_dir)
    assert (summary["selected_on"], summary["best_epoch"]) == ("test", 1)
    best, last = load_student(run_dir, weights="best"), load_student(run_dir, weights="last")
    assert all(torch.equal(best.state_dict()[key], value)
               for key, value in last.state_dict().items())
    assert held_out_accuracy(best) == summary["best_acc"]


@pytest.mark.usefixtures("frozen")
def test_without_a_split_a_best_epoch_before_the_last_is_refused_naming_weights(tmp_path):
    run_dir = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1, "run.epochs=2")).run_dir
    summary = written_summary(run_dir)
    assert (summary["best_epoch"], summary["epochs_done"]) == (1, 2)
    with pytest.raises(ValueError) as refused:
        load_student(run_dir, weights="best")
    assert str(refused.value) == (
        f"run_dir {str(run_dir)!r}: weights='best': the run has no validation split "
        "(data.val_fraction = 0), so its train kept the student of its last checkpoint, epoch 2, "
        "not that of its best epoch, 1 (best_acc, the best held-out accuracy); pass "
        "weights='last' for the last checkpoint's student, or train with a validation split "
        "(data.val_fraction = 0.1, say), whose best epoch's weights are kept (the checkpoint's, "
        "and best.pt)")


@pytest.mark.parametrize("split", [[], ["data.val_fraction=0.25"]], ids=["no-split", "split"])
def test_a_run_stopped_in_rids_warm_up_has_no_best_epoch_yet(tmp_path, split):
    # only an epoch that trains the student can be the best (301d5202): after RID's warm-up
    # epoch alone, the checkpoint's best_epoch is 0, which a split's run kept no weights for
    # (its message said the file was damaged) and a run without one named as "best epoch, 0"
    run_dir = train(tiny(tmp_path, *RID, *split, "run.epochs=6", "run.stop_after=1",
                         "run.print_every=0")).run_dir
    assert [json.loads(line)["phase"] for line in
            (run_dir / "metrics.jsonl").read_text().splitlines()] == ["filter"]
    with pytest.raises(ValueError) as refused:
        load_student(run_dir, weights="best")
    assert str(refused.value) == (
        f"run_dir {str(run_dir)!r}: weights='best': none of the 1 epoch(s) the checkpoint holds "
        "trained the student (RID's warm-up and filter epochs, TED's stage 1, train the "
        "method's filters), so the run has no best epoch yet; pass weights='last' for the "
        "student as it is, or resume the run (run.resume=true) to train it")
    assert not load_student(run_dir, weights="last").training


@pytest.mark.parametrize(("given", "hint"), [("bets", " Did you mean 'best'?"),
                                             ("Last", " Did you mean 'last'?"),
                                             ("final", ""), (None, "")])
def test_a_weights_value_of_neither_kind_is_refused_before_the_folder_is_read(tmp_path, given,
                                                                              hint):
    with pytest.raises(ValueError) as refused:
        load_student(tmp_path / "no-such-run", weights=given)
    assert str(refused.value) == (
        f"weights={given!r} is neither 'last' (the student of the last checkpoint, whose "
        "held-out accuracy is summary.json's last_acc) nor 'best' (the student of the best "
        f"epoch, best_acc).{hint}")


@pytest.mark.usefixtures("frozen")
def test_a_better_epoch_logged_after_the_checkpoint_is_warned_of(tmp_path):
    # a run stopped between checkpoints: metrics.jsonl records an epoch after the checkpoint;
    # the best student loaded is the checkpoint's best, which that epoch beat
    run_dir = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1, "run.epochs=2",
                         "data.val_fraction=0.25")).run_dir
    summary = written_summary(run_dir)
    assert summary["best_epoch"] == 1 and summary["best_val_acc"] < 1.0
    with (run_dir / "metrics.jsonl").open("a") as metrics:
        metrics.write(json.dumps({"epoch": 3, "test_acc": 0.5, "val_acc": 0.0}) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an epoch after the checkpoint, but not a better one
        load_student(run_dir, weights="best")
    with (run_dir / "metrics.jsonl").open("a") as metrics:
        metrics.write(json.dumps({"epoch": 4, "test_acc": 0.5, "val_acc": 1.0}) + "\n")
    with pytest.warns(RuntimeWarning) as told:
        load_student(run_dir, weights="best")
    assert [str(w.message) for w in told] == [
        f"run_dir {str(run_dir)!r}: this is the student of epoch 1 (validation accuracy "
        f"{summary['best_val_acc']:.4f}), the best of the 2 epoch(s) checkpointed, but "
        "metrics.jsonl records a better epoch since, epoch 4 (validation accuracy 1.0000): the "
        "run stopped, or is still training, between checkpoints (written every "
        "run.checkpoint_every = 1 epoch(s) and after the last); for a later epoch's student, "
        "resume a stopped run (run.resume=true) or wait for the next checkpoint of a running one"]
