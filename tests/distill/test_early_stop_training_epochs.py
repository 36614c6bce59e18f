"""Only epochs that train the student can be a run's best epoch and count toward
``run.early_stop`` (RID's warm-up and filter epochs leave the student as it was); an early stop
is never declared on the last scheduled epoch; and the command of an early-stopped run given
again is told that the run is finished, naming the key at stake (t-485's walk, t-486)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_runs import RID, tiny
from torch import nn

from pidkit_distill import register_model, tap_features, train, unregister_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# The student's learning rate is so small that no step changes its float32 weights: every
# epoch's accuracies are those of the untrained student, so every epoch ties with the first.
FROZEN_RID = [*RID, "model.student=frozen-plain-student", "optim.lr=1e-12", "run.epochs=12",
              "data.val_fraction=0.25", "run.name=rid"]

# RID's schedule above: epoch 1 warm-up, then cycles of 4 epochs, the first of each filter.
RID_PHASES = ["filter", "filter", "student", "student", "student", "filter", "student"]


def plain_student(*, num_classes: int, in_channels: int) -> nn.Module:
    """An MLP without BatchNorm (with a learning rate of ~0 its evaluation does not move) with
    as many distilled layers as the synthetic teacher, 3, which RID pairs one to one."""
    net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                        nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, num_classes))
    return tap_features(net, layers=["1", "3", "5"])


@pytest.fixture(autouse=True)
def frozen_plain_student():
    register_model("frozen-plain-student")(plain_student)
    yield
    unregister_model("frozen-plain-student")


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_filter_epochs_are_neither_the_best_epoch_nor_counted_toward_patience(tmp_path, capsys):
    # epochs 1 and 2 (filter) tie with the rest: the best is epoch 3, the first that trains the
    # student; a patience of 3 counts epochs 4, 5 and 7, not the filter epoch 6 (the old loop
    # took epoch 1 and stopped after epoch 4)
    summary = train(tiny(tmp_path, *FROZEN_RID, "run.early_stop=3"))
    history = records(tmp_path / "rid")
    assert [record["phase"] for record in history] == RID_PHASES
    assert (summary.best_epoch, summary.stopped_early_at, summary.epochs_done) == (3, 7, 7)
    assert summary.best_acc == history[2]["test_acc"]
    assert summary.best_val_acc == history[2]["val_acc"]
    assert [record["best_acc"] for record in history[:3]] == [None, None, history[2]["test_acc"]]
    assert [record["best_val_acc"] for record in history[:2]] == [None, None]
    out = capsys.readouterr().out
    assert ("stopped early after epoch 7 of 12: the validation accuracy has not improved for 3 "
            "epochs that trained the student (run.early_stop=3; the 1 epoch of another phase "
            "between, which leaves the student as it was, is not counted); best epoch 3: "
            f"val_acc={history[2]['val_acc']:.4f} test_acc={history[2]['test_acc']:.4f}") in out
    assert " phase=filter " in out and " best=none " in out
    assert "stopped_early_at=7" in repr(summary) and "selected_on='validation'" in repr(summary)


def test_without_a_split_the_best_test_accuracy_is_of_a_student_epoch(tmp_path):
    summary = train(tiny(tmp_path, *[o for o in FROZEN_RID if "val_fraction" not in o],
                         "run.epochs=6", "run.print_every=0"))
    history = records(tmp_path / "rid")
    assert [record["phase"] for record in history] == RID_PHASES[:6]
    assert (summary.best_epoch, summary.best_acc) == (3, history[2]["test_acc"])
    assert summary.selected_on == "test" and summary.stopped_early_at is None
    written = json.loads((tmp_path / "rid" / "summary.json").read_text())
    assert (written["best_epoch"], written["best_acc"]) == (3, history[2]["test_acc"])


KD_FROZEN = ["method.name=kd", "model.student=frozen-plain-student", "optim.lr=1e-12",
             "data.val_fraction=0.25", "run.early_stop=2", "run.name=kd"]


def test_no_early_stop_is_declared_on_the_last_epoch(tmp_path, capsys):
    # every epoch ties with epoch 1: the patience of 2 runs out after epoch 3, the last
    summary = train(tiny(tmp_path, *KD_FROZEN, "run.epochs=3"))
    assert (summary.epochs_done, summary.best_epoch, summary.stopped_early_at) == (3, 1, None)
    assert "stopped early" not in capsys.readouterr().out
    assert json.loads((tmp_path / "kd" / "summary.json").read_text())["stopped_early_at"] is None
    assert "stopped_early_at" not in repr(summary)


def test_an_early_stopped_run_given_again_is_told_it_is_finished(tmp_path):
    config = tiny(tmp_path, *KD_FROZEN, "run.epochs=8", "run.print_every=0")
    assert train(config).stopped_early_at == 3
    with pytest.raises(ValueError) as refused:
        train(config)
    assert str(refused.value) == (
        f"run.name: run folder {str(tmp_path / 'kd')!r} holds a finished run (stopped early at "
        "epoch 3 of 8): nothing is left to continue. To train longer, start another run with a "
        "larger run.early_stop, or 0 (another run.name / run.out_dir; a resume keeps "
        "run.early_stop); to train it again, choose another run.name / run.out_dir, or delete "
        "the folder")
