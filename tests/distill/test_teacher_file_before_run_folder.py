"""A bad teacher file is told before the run folder is judged: every teacher file's run has the
same default folder (``synthetic-kd-tp-s0``), so a second try with another file met the first
try's folder, was told it "already holds a checkpoint", and --resume, its advice, took the
teacher from the checkpoint without reading the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, command_env, lock_held_by_another_process, tiny

from pidkit_distill import check_config
from pidkit_distill.models import build_model
from pidkit_distill.training.rundir import LOCK_FILE

# the tiny run of KD with a teacher file, written in the default run folder
COMMAND = [sys.executable, "-m", "pidkit_distill", "train",
           *[f"--set={o}" for o in TINY if not o.startswith("teacher.source=")],
           "--method", "kd", "--epochs", "1"]


@pytest.fixture
def teacher_files(tmp_path: Path) -> Path:
    """``good.pt``, the state dict of ``synthetic-teacher`` for the tiny data; ``whole.pt``, a
    whole pickled ``nn.Linear``; ``other.pt``, the state dict of another model."""
    torch.save(build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict(),
               tmp_path / "good.pt")
    torch.save(torch.nn.Linear(3, 2), tmp_path / "whole.pt")
    torch.save(torch.nn.Linear(3, 2).state_dict(), tmp_path / "other.pt")
    return tmp_path


def _train(folder: Path, teacher: str, *extra: str) -> subprocess.CompletedProcess[str]:
    """``pidkit-distill train`` of the tiny run with ``--teacher folder/teacher`` into
    ``folder/runs``, in a child process as a user runs it."""
    return subprocess.run([*COMMAND, "--teacher", str(folder / teacher),
                           "--run.out_dir", str(folder / "runs"), *extra],
                          capture_output=True, text=True, env=command_env(), cwd=folder,
                          timeout=300, check=False)


def test_a_bad_teacher_file_retried_beside_an_earlier_run_is_told_about_the_file(teacher_files):
    first = _train(teacher_files, "good.pt")
    assert first.returncode == 0, first.stderr
    run_dir = teacher_files / "runs" / "synthetic-kd-tp-s0"
    checkpoint = (run_dir / "checkpoint.pt").read_bytes()
    files = sorted(p.name for p in run_dir.iterdir())
    whole = teacher_files / "whole.pt"
    for _ in range(2):  # it was: "run.resume: run folder ... already holds a checkpoint"
        tried = _train(teacher_files, "whole.pt")
        assert tried.returncode == 2
        assert tried.stderr.startswith(
            f"pidkit-distill train: error: teacher.source: teacher file {str(whole)!r} holds a "
            "whole pickled model (a torch.nn.modules.linear.Linear, as torch.save(model) "
            "writes it), not its weights;")
        assert tried.stderr.count("\n") == 1
        assert tried.stdout == ""
    assert sorted(p.name for p in run_dir.iterdir()) == files
    assert (run_dir / "checkpoint.pt").read_bytes() == checkpoint
    # the file fixed, the folder's own refusal follows, as before
    fixed = _train(teacher_files, "good.pt")
    assert fixed.returncode == 2
    assert fixed.stderr.startswith(
        f"pidkit-distill train: error: run.name: run folder {str(run_dir)!r} holds a "
        "finished run (epochs 1 of 1): nothing is left to continue.")


def test_a_bad_teacher_file_is_told_before_a_busy_run_folder(teacher_files):
    run_dir = teacher_files / "runs" / "synthetic-kd-tp-s0"
    run_dir.mkdir(parents=True)
    other = teacher_files / "other.pt"
    config = tiny(teacher_files / "runs", "method.name=kd", f"teacher.source={other}")
    with lock_held_by_another_process(run_dir / LOCK_FILE):  # it was: RunFolderBusy
        with pytest.raises(ValueError, match=r"^teacher\.source: teacher file ") as refused:
            check_config(config)
    assert str(refused.value).startswith(
        f"teacher.source: teacher file {str(other)!r} does not fit model.teacher="
        "'synthetic-teacher' for data 'synthetic' (4 classes, input shape (12,)): ")
