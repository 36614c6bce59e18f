"""A file that ``check_config`` read and found sound, refused when the run reads it again (a
teacher file replaced by a damaged one, by one of other shapes, or removed between the check and
the run), and the trained ``student_init`` run a method starts from (TED: BAS), whose folder
only the run itself checks, are the user's mistakes: ``pidkit-distill train`` says so in one
line naming the file, with exit status 2; so is a resumed run's checkpoint damaged since the
check. A ValueError of the run's own stays its failure, status 1 (task 314). Before, each was
"training failed: ...", exit status 1.

Under torchrun, a process killed as the run reads the student's initial weights is said to have
ended "while reading the student's initial weights", where the survivor's line said "while
loading the teacher" (task 314).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, command_lines, torchrun_command

import pidkit_distill.training
from pidkit_distill.cli import main
from pidkit_distill.models import build_model
from pidkit_distill.training import run

# TINY's synthetic data: 4 classes of 12 features
HOLDS = ("expected a teacher: a dict whose 'model' entry is a state dict of tensors (as "
         "`pidkit-distill train-teacher` writes), or such a state dict itself")
CHECKPOINT_HOLDS = (
    "expected a pidkit_distill checkpoint: a dict with ['format', 'config', 'epoch', 'module', "
    "'student', 'optimizers', 'schedulers', 'best_acc', 'best_epoch', 'history', 'audit', "
    "'rng'] (format 2, written by `pidkit-distill train` as RUN_DIR/checkpoint.pt)")


def _argv(out_dir: Path, *items: str) -> list[str]:
    """``pidkit-distill train`` of TINY with ``items``, writing under ``out_dir``."""
    return ["train", *(arg for item in [*TINY, f"run.out_dir={out_dir}", *items]
                       for arg in ("--set", item))]


def _teacher_file(path: Path, num_classes: int = 4) -> Path:
    torch.save(build_model("synthetic-teacher", num_classes=num_classes,
                           in_channels=12).state_dict(), path)
    return path


def _after_the_check(monkeypatch: pytest.MonkeyPatch, change) -> None:
    """``change()`` once the command's ``check_config`` has returned, before the run."""
    check = pidkit_distill.training.check_config

    def checked_then_changed(*args, **kwargs):
        checked = check(*args, **kwargs)
        change()
        return checked

    monkeypatch.setattr(pidkit_distill.training, "check_config", checked_then_changed)


@pytest.mark.parametrize(("change", "told"), [
    ("damaged", "is not a file written by torch.save; " + HOLDS),
    ("other shapes", "does not fit model.teacher='synthetic-teacher' for data 'synthetic' (4 "
     "classes, input shape (12,)): fc.bias has shape (3,), the model (4,); fc.weight has shape "
     "(3, 128), the model (4, 128); its classifier has 3 outputs, a teacher of 3 classes, not 4: "
     "pass the data it was trained on, or train a teacher on this data "
     "(teacher.source=trained)"),
    ("removed", "does not exist; " + HOLDS),
])
def test_a_teacher_file_changed_after_the_check_is_the_users_mistake(
        tmp_path, capsys, monkeypatch, change, told):
    teacher = _teacher_file(tmp_path / "teacher.pt")
    changes = {"damaged": lambda: teacher.write_bytes(b"not a torch file"),
               "other shapes": lambda: _teacher_file(teacher, num_classes=3),
               "removed": teacher.unlink}
    _after_the_check(monkeypatch, changes[change])
    assert main(_argv(tmp_path / "runs", f"teacher.source={teacher}", "run.epochs=1")) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: teacher.source: teacher file '{teacher}' {told}\n")
    assert not list((tmp_path / "runs").glob("*/checkpoint.pt"))  # no epoch was trained
    # a ValueError of the run's own (a bug), where the file is sound, is still its failure
    monkeypatch.undo()
    _teacher_file(teacher)

    def failing_fit(*args, **kwargs):
        raise ValueError("an internal mistake")

    monkeypatch.setattr(run, "fit", failing_fit)
    assert main(_argv(tmp_path / "runs", f"teacher.source={teacher}", "run.epochs=1",
                      "run.name=bug")) == 1
    assert capsys.readouterr().err == "pidkit-distill train: training failed: an internal mistake\n"


def test_a_resumed_checkpoint_damaged_after_the_check_is_the_users_mistake(
        tmp_path, capsys, monkeypatch):
    assert main(_argv(tmp_path, "run.epochs=2", "run.stop_after=1")) == 0
    capsys.readouterr()
    checkpoint, = tmp_path.glob("*/checkpoint.pt")
    _after_the_check(monkeypatch, lambda: checkpoint.write_bytes(b"not a torch file"))
    assert main(_argv(tmp_path, "run.epochs=2", "run.resume=true")) == 2
    # before: "training failed: checkpoint ...", exit status 1 (fit reads it, after the check)
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: run.resume: checkpoint '{checkpoint}' is not a file "
        f"written by torch.save; {CHECKPOINT_HOLDS}; the run cannot continue from it: delete "
        f"'{checkpoint}' and run again (with or without --resume) to train the run from epoch "
        "1, or keep it and start a new run (another run.name)\n")


TED = ["method.name=ted", "run.epochs=2"]
INIT_DIR = "synthetic-ted-ut-s0.bas-init"


def _initial_weights(init_dir: Path) -> str:
    return (f"pidkit-distill train: error: method.name: the student's initial weights (ted "
            f"starts from the trained bas student of '{init_dir}'): ")


def test_the_student_init_checkpoint_damaged_once_trained_is_the_users_mistake(
        tmp_path, capsys, monkeypatch):
    inner = run.train

    def trained_then_damaged(config):  # the student_init run's, inside the TED run
        summary = inner(config)
        (summary.run_dir / "checkpoint.pt").write_bytes(b"not a torch file")
        return summary

    monkeypatch.setattr(run, "train", trained_then_damaged)
    assert main(_argv(tmp_path, *TED)) == 2
    init_dir = tmp_path / INIT_DIR
    assert capsys.readouterr().err == (
        f"{_initial_weights(init_dir)}checkpoint '{init_dir / 'checkpoint.pt'}' is not a file "
        f"written by torch.save; {CHECKPOINT_HOLDS}; delete the folder '{init_dir}' to train the "
        "bas student again\n")


def test_a_damaged_student_init_run_is_the_users_mistake(tmp_path, capsys):
    assert main(_argv(tmp_path, *TED)) == 0
    capsys.readouterr()
    init_dir = tmp_path / INIT_DIR
    (init_dir / "checkpoint.pt").write_bytes(b"not a torch file")
    # the same run again, its own folder gone: its check passes, the student_init run's fails
    shutil.rmtree(tmp_path / "synthetic-ted-ut-s0")
    assert main(_argv(tmp_path, *TED)) == 2
    checkpoint = init_dir / "checkpoint.pt"
    assert capsys.readouterr().err == (
        f"{_initial_weights(init_dir)}run.resume: checkpoint '{checkpoint}' is not a file "
        f"written by torch.save; {CHECKPOINT_HOLDS}; the run cannot continue from it: delete "
        f"'{checkpoint}' and run again (with or without --resume) to train the run from epoch "
        "1, or keep it and start a new run (another run.name)\n")


# imported by every process (--import): rank 1 is killed as it reads the trained student_init
# run's checkpoint, once that run is done (the run's only read_by_main)
KILLED_READING_INIT = textwrap.dedent("""
    import os, signal
    from pidkit_distill.training import run

    read_by_main = run.read_by_main

    def killed_reading(*args, **kwargs):
        if int(os.environ["RANK"]) == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return read_by_main(*args, **kwargs)

    run.read_by_main = killed_reading
""")


def test_a_process_killed_reading_the_students_initial_weights_is_said_there(tmp_path):
    proc = torchrun_command("train", tmp_path / "kill_init.py", KILLED_READING_INIT,
                            [*TINY, *TED, f"run.out_dir={tmp_path}"])
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert command_lines(proc) == [
        "pidkit-distill train: training failed: another process of the run ended without a "
        "message while reading the student's initial weights; its connections closed: it was "
        "killed (SIGKILL, the OOM-killer) or its machine went down; torchrun's summary names its "
        "rank, and the kernel's log (dmesg) says whether the OOM-killer ended it"
    ], proc.stderr[-3000:]
    assert "]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert re.search(r"rank +: 1 \(local_rank: 1\)\n +exitcode +: -9", proc.stderr)
