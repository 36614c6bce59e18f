"""The training steps check each batch's labels as read, before it moves to the device: a
``Dataset`` of one's own is checked when loaded by its first sample only, so a label of 7 (2
classes) at sample 37 of its training split met torch's ``IndexError: Target 7 is out of
bounds.`` in the method's cross-entropy (a traceback, exit status 1; on CUDA a device-side
assert). It is now the data's mistake, named with the sample's index in the training split."""

from __future__ import annotations

import json
import sys

import pytest
import torch
from own_distillers import LogitMatch, blobs_module, tapped_mlp
from tiny_runs import command_lines, torchrun_command
from torch.utils.data import DataLoader, Dataset

from pidkit_distill.cli import main
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.training import train_one_epoch
from pidkit_distill.training.loaders import DataError, ShardedBatchSampler

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(60, 20, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("teacher", ["untrained", "trained"])
def test_a_bad_training_label_of_ones_own_dataset_is_the_commands_one_line(teacher, tmp_path,
                                                                          capsys, monkeypatch):
    # "untrained": the distiller's step; "trained": the teacher's own training, first
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    monkeypatch.delitem(sys.modules, "own_train_blobs", raising=False)
    (tmp_path / "own_train_blobs.py").write_text(blobs_module("own-train-blobs", train_37=7))
    assert main(["train", "--import", "own_train_blobs.py", "--data", "own-train-blobs",
                 "--data.batch_size", "16", "--model.teacher", "synthetic-teacher",
                 "--model.student", "synthetic-student", "--teacher", teacher,
                 "--teacher.epochs", "2", "--epochs", "2", "--run.threads", "1",
                 "--run.print_every", "0", "--out-dir", str(tmp_path / "runs")]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: data.name: sample 37 of the data set's train split has "
        "label 7, outside [0, 2) (its num_classes=2); labels must be integers in [0, 2): number "
        "the classes from 0 in its loader (y - y.min()), or return a num_classes above its "
        "largest label\n")
    # it stopped in the first epoch: none was recorded
    assert [json.loads(line) for path in (tmp_path / "runs").rglob("metrics.jsonl")
            for line in path.read_text().splitlines()] == []


class OwnTrain(Dataset):
    """A user's training split, read sample by sample: 60 samples of 20 inputs, labels
    ``i % 4`` but ``label_37`` at index 37; it keeps the indices it was asked for."""

    def __init__(self, label_37):
        self.label_37, self.read = label_37, []

    def __len__(self):
        return 60

    def __getitem__(self, i):
        self.read.append(i)
        return X[i], self.label_37 if i == 37 else i % 4


def _one_epoch(loader):
    distiller = LogitMatch(tapped_mlp(8), tapped_mlp(16), sample_input=X[:2], num_classes=4)
    optimizer = torch.optim.SGD(distiller.optimizer_groups()["student"], lr=0.1)
    return train_one_epoch(distiller, loader, optimizer, epoch=3, device=torch.device("cpu"))


@pytest.mark.parametrize(("label_37", "said"), [
    (7, "has label 7, outside [0, 4) (its num_classes=4); labels must be integers in [0, 4): "
        "number the classes from 0 in its loader (y - y.min()), or return a num_classes above "
        "its largest label"),
    (1.5, "has label 1.5, no class: return the class of each sample, an int, from its loader, "
          "not a score or a probability"),
])
def test_each_process_names_the_sample_by_its_index_in_the_training_split(label_37, said):
    # a process's share of each global batch of the epoch's order (DDP): sample 37 is in one
    # process's share, at some row of some batch of that share; it is named by its index
    refused, trained = [], []
    for rank in (0, 1):
        sampler = ShardedBatchSampler(60, 16, rank=rank, world_size=2, seed=5)
        sampler.set_epoch(3)
        data = OwnTrain(label_37)
        try:
            trained.append(_one_epoch(DataLoader(data, batch_sampler=sampler))["loss"])
        except DataError as err:
            refused.append(str(err))
            share = next(batch for batch in sampler if 37 in batch)
            assert data.read[-len(share):] == share  # stopped in the batch that holds it
    assert refused == [f"data.name: sample 37 of the data set's train split {said}"]
    assert len(trained) == 1  # the other process's share has no bad label


def test_a_loader_that_shuffles_names_the_batch_and_the_row():
    # its order is drawn anew each pass, so the index cannot be found again: the batch's row is
    data = OwnTrain(7)
    with pytest.raises(DataError) as info:
        _one_epoch(DataLoader(data, batch_size=16, shuffle=True,
                              generator=torch.Generator().manual_seed(1)))
    row, batch = (int(word) for word in str(info.value).split()[2:6:3])
    assert data.read[16 * (batch - 1) + row] == 37
    assert str(info.value) == (
        f"data.name: row {row} of batch {batch} of the data set's train split has label 7, "
        "outside [0, 4) (its num_classes=4); labels must be integers in [0, 4): number the "
        "classes from 0 in its loader (y - y.min()), or return a num_classes above its largest "
        "label")


@pytest.mark.parametrize(("split", "teacher", "line"), [
    # the training split: the label is in rank 0's share of its batch, while rank 1 waits in
    # the step's gradient all-reduce
    ("train", "untrained", "pidkit-distill train: error: data.name: sample 37 of the data set's "
     "train split has label 7, outside [0, 2) (its num_classes=2); labels must be integers in "
     "[0, 2): number the classes from 0 in its loader (y - y.min()), or return a num_classes "
     "above its largest label"),
    # the test split, in the teacher's evaluation: rank 1's share
    ("test", "trained", "pidkit-distill train (rank 1 of 2): error: data.name: sample 37 of the "
     "data set's test split has label 7, outside [0, 2) (its num_classes=2); labels must be "
     "integers in [0, 2): number the classes from 0 in its loader (y - y.min()), or return a "
     "num_classes above its largest label"),
])
def test_a_bad_label_in_one_processs_share_stops_the_run_under_torchrun(split, teacher, line,
                                                                      tmp_path):
    # one process refuses its batch; the other, in a collective call, stops with it within
    # seconds (torchrun ends it), not after gloo's 30-minute timeout, and one line says why
    proc = torchrun_command(
        "train", tmp_path / "ddp_blobs.py", blobs_module("ddp-blobs", **{f"{split}_37": 7}), [],
        "--data", "ddp-blobs", "--data.batch_size", "16", "--model.teacher",
        "synthetic-teacher", "--model.student", "synthetic-student", "--teacher", teacher,
        "--teacher.epochs", "1", "--epochs", "2", "--run.threads", "1", "--run.print_every",
        "0", "--out-dir", str(tmp_path / "runs"))
    assert proc.returncode == 1, proc.stderr[-3000:]  # torchrun's: a process failed
    assert command_lines(proc) == [line], proc.stderr[-3000:]
    assert "exitcode  : 2" in proc.stderr  # the refusing process: the user's mistake
    assert "[rank0]: Traceback" not in proc.stderr and "[rank1]: Traceback" not in proc.stderr
