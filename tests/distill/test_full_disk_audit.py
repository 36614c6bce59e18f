"""A checkpoint that cannot be written (a full disk) leaves audit.jsonl as metrics.jsonl and the
checkpoint are: no audit of an epoch the run does not hold, and the message names the epoch the
checkpoint holds.

Before t-459 the audit's lines were appended before the checkpoint was written: a 600 KB tmpfs
as the run folder stopped the run in epoch 2 with checkpoint.pt and metrics.jsonl at epoch 1 and
audit.jsonl holding epoch 2's records, and the message said "checkpoint.pt is as it was before"
without naming the epoch."""

from __future__ import annotations

import errno
import itertools
import json
from pathlib import Path

import pytest
from tiny_runs import tiny

from pidkit_distill.atomic_files import FileWriteError, temporary_target
from pidkit_distill.training import train
from pidkit_distill.training.checkpoint import read_checkpoint

FULL = "No space left on device"
# KD audited every epoch (as the walk's --audit-every 2 at epoch 2), quickly
RUN = ["method.name=kd", "run.epochs=3", "run.audit_every=1", "audit.bootstrap=0",
       "audit.bias_correction=none"]


def checkpoint_disk_full(monkeypatch: pytest.MonkeyPatch, *, call: int) -> None:
    """The ``call``-th temporary file of ``checkpoint.pt`` cannot be made: the disk is full."""
    calls, open_file = itertools.count(1), Path.open

    def opening(self, mode="r", *args, **kwargs):
        if temporary_target(self.name) == "checkpoint.pt" and next(calls) == call:
            raise OSError(errno.ENOSPC, FULL, str(self))
        return open_file(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "open", opening)


def epochs_in(path: Path) -> list[int]:
    """The epoch of each line of a run's ``.jsonl`` file."""
    return [json.loads(line)["epoch"] for line in path.read_text().splitlines()]


def without_times(records: list[dict]) -> list[dict]:
    return [{k: v for k, v in record.items() if k != "time_s"} for record in records]


def test_a_checkpoint_refused_in_epoch_2_leaves_no_audit_past_it(tmp_path, monkeypatch):
    whole = train(tiny(tmp_path, *RUN, "run.name=whole"))
    run_dir = tmp_path / "r"
    checkpoint_disk_full(monkeypatch, call=2)  # epoch 1's is written, epoch 2's is not
    with pytest.raises(FileWriteError) as failure:
        train(tiny(tmp_path, *RUN, "run.name=r"))
    assert str(failure.value) == (
        f"cannot write '{run_dir / 'checkpoint.pt'}': {FULL}; checkpoint.pt still holds the run "
        "after epoch 1 (nothing was half-written): free space on its disk (or choose a folder on "
        "another one), then rerun the same command with --resume (run.resume=true) to continue "
        "from its checkpoint.pt")
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == 1
    assert epochs_in(run_dir / "metrics.jsonl") == [1]
    layers = len(whole.audit) // 4  # epochs 0 to 3
    # the untrained networks' audit and epoch 1's: epoch 2's was audited, but not written
    assert epochs_in(run_dir / "audit.jsonl") == [0] * layers + [1] * layers
    assert max(epochs_in(run_dir / "audit.jsonl")) == read_checkpoint(
        run_dir / "checkpoint.pt")["epoch"]
    monkeypatch.undo()
    resumed = train(tiny(tmp_path, *RUN, "run.name=r", "run.resume=true"))
    written = [json.loads(line) for line in (run_dir / "audit.jsonl").read_text().splitlines()]
    assert without_times(written) == without_times(
        {**record, "run": "r"} for record in whole.audit)
    assert without_times(resumed.audit) == without_times(written)


def test_the_first_checkpoint_refused_says_it_was_not_written(tmp_path, monkeypatch):
    run_dir = tmp_path / "r"
    checkpoint_disk_full(monkeypatch, call=1)
    with pytest.raises(FileWriteError) as failure:
        train(tiny(tmp_path, *RUN, "run.name=r"))
    assert str(failure.value) == (
        f"cannot write '{run_dir / 'checkpoint.pt'}': {FULL}; checkpoint.pt was not written: free "
        "space on its disk (or choose a folder on another one), then rerun the same command (no "
        "epoch was saved yet)")
    assert not (run_dir / "checkpoint.pt").exists()
    assert not (run_dir / "metrics.jsonl").read_text()
    assert set(epochs_in(run_dir / "audit.jsonl")) == {0}  # the untrained networks only
