"""An error that a data set of one's own raises as the run reads its samples, of any type, stops
the run with one line naming the type, the data set and how to go on (``--resume`` from the
epoch after the last saved one), and its folder records the failure, so that the report shows
the error instead of "killed or failed" (walk t-413, L1: a ConnectionError in epoch 9 was one
line with no type, no record and no word of --resume; a KeyError printed a traceback). An
interrupt, and an error of pidkit's own loader code, stay what they are."""

from __future__ import annotations

import json

import pytest
import torch
from tiny_runs import TINY
from torch.utils.data import Dataset, TensorDataset

from pidkit_distill import DatasetBundle, TrainingError, TrainingInterrupted
from pidkit_distill.cli import main
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data.registry import _LOADERS, register_dataset
from pidkit_distill.training import train
from pidkit_distill.training.loaders import ShardedBatchSampler


class Breaking(Dataset):
    """Samples of 12 features and 4 classes that raise ``error`` when read in epoch
    ``broken_epoch`` (1-based, as the run sets it), not before the first."""

    def __init__(self, n: int, error: BaseException, broken_epoch: int) -> None:
        g = torch.Generator().manual_seed(0)
        self.x = torch.randn(n, 12, generator=g)
        self.y = torch.arange(n) % 4
        self.error, self.broken_epoch = error, broken_epoch
        self.epoch: int | None = None

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self.epoch is not None and self.epoch + 1 == self.broken_epoch:
            raise self.error
        return self.x[i], self.y[i]


@pytest.fixture
def breaking(monkeypatch):
    """Register 'breaking': its training split a :class:`Breaking` of the error and epoch the
    test sets in the returned dict."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    made = {"error": ConnectionError("database went away"), "epoch": 3}

    @register_dataset("breaking")
    def load(*, seed=0):
        held_out = Breaking(64, made["error"], -1)  # never breaks
        return DatasetBundle(Breaking(96, made["error"], made["epoch"]),
                             TensorDataset(held_out.x, held_out.y), num_classes=4,
                             input_shape=(12,))

    return made


def config(tmp_path, *extra: str) -> TrainConfig:
    tiny = [item for item in TINY if not item.startswith("data.options")]
    return apply_overrides(TrainConfig(), [*tiny, "data.name=breaking", "method.name=kd",
                                           "run.epochs=5", "run.print_every=0",
                                           f"run.out_dir={tmp_path}", "run.name=r", *extra])


def recorded(tmp_path) -> dict:
    return json.loads((tmp_path / "r" / "summary.json").read_text())["failed"]


def test_a_connection_error_in_epoch_3_is_the_runs_failure_naming_resume_from_epoch_3(
        tmp_path, breaking):
    with pytest.raises(TrainingError) as failed:
        train(config(tmp_path))
    message = str(failed.value)
    assert message == (
        f"data set 'breaking' raised ConnectionError (database went away) as its samples were "
        f"read in epoch 3; saved: {tmp_path / 'r' / 'checkpoint.pt'} holds the run after epoch 2 "
        "(resume with run.resume=true); the error is the data set's own (its code or what it "
        "reads): once it reads again, rerun the same command with --resume to continue from "
        "epoch 3")
    assert recorded(tmp_path) == {"message": message, "hint": failed.value.hint, "kind": "error",
                                  "says_rerun": True}
    breaking["epoch"] = -1  # the data reads again: --resume continues after epoch 2
    summary = train(config(tmp_path, "run.resume=true"))
    assert summary.epochs_done == 5
    assert [record["epoch"] for record in summary.history] == [1, 2, 3, 4, 5]


def test_a_key_error_is_one_line_of_the_command_not_a_traceback(tmp_path, breaking, capsys):
    breaking["error"], breaking["epoch"] = KeyError("row 4242"), 1
    args = [f"--set={item}" for item in TINY if not item.startswith(("data.options", "data.name"))]
    assert main(["train", *args, "--data", "breaking", "--method", "kd", "--epochs", "2",
                 "--out-dir", str(tmp_path), "--run.name", "r", "--print-every", "0"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "pidkit-distill train: training failed: data set 'breaking' raised KeyError ('row 4242') "
        "as its samples were read while checking the teacher's outputs before epoch 1; nothing "
        "was saved (no epoch had completed); the error is the data set's own (its code or what "
        "it reads): once it reads again, rerun the same command: the run starts again from "
        "epoch 1\n")
    assert recorded(tmp_path)["kind"] == "error"


def test_an_error_in_a_worker_process_is_said_by_its_own_type_and_words(tmp_path, breaking):
    # epoch 1's first batch is read in this process, by the check of the teacher's outputs
    breaking["error"], breaking["epoch"] = LookupError("no row 7"), 2
    with pytest.raises(TrainingError, match=r"^data set 'breaking' raised LookupError \(no row "
                                            r"7\) as its samples were read in epoch 2; saved: .*"
                                            r"--resume to continue from epoch 2\n"):
        train(config(tmp_path, "data.num_workers=1"))


def test_an_interrupt_from_the_data_set_stays_an_interrupt(tmp_path, breaking):
    breaking["error"], breaking["epoch"] = KeyboardInterrupt(), 2
    with pytest.raises(TrainingInterrupted, match="interrupted during epoch 2"):
        train(config(tmp_path))


def test_an_error_of_pidkits_own_batch_sampler_keeps_its_type_and_traceback(tmp_path, breaking,
                                                                            monkeypatch):
    breaking["epoch"] = -1
    # its permutation of epoch 1 adds None to the seed, in pidkit's own code
    monkeypatch.setattr(ShardedBatchSampler, "set_epoch",
                        lambda self, epoch: setattr(self, "epoch", None))
    with pytest.raises(TypeError, match="unsupported operand"):
        train(config(tmp_path))
