"""A disk that fills up, or a folder that takes no new file, while a run writes: one line naming
the file, what it holds now and what to do; no half-written file left behind; the checkpoint
written before intact, and the run resumed from it ends as an uninterrupted one."""

from __future__ import annotations

import errno
import itertools
import json
import os
import pickle
import re
import warnings
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, comparable, student_state, tiny

from pidkit_distill import folder_locks
from pidkit_distill.atomic_files import FileWriteError, temporary_target
from pidkit_distill.cli import main
from pidkit_distill.models import build_model
from pidkit_distill.report import write_report
from pidkit_distill.run_folders.records import load_run
from pidkit_distill.training import check_config, train
from pidkit_distill.training import checkpoint as checkpoint_module
from pidkit_distill.training import rundir as rundir_module
from pidkit_distill.training.checkpoint import python_resume_note, read_checkpoint
from pidkit_distill.training.rundir import RunFolder, run_folder_lock

FULL = "No space left on device"
FREE = "free space on its disk (or choose a folder on another one)"
AUDIT = ["run.audit_every=1", "audit.bootstrap=0", "audit.bias_correction=none"]


class FullDisk:
    """A file opened for writing on a disk with ``room`` bytes left: the write that needs more
    writes what fits, then raises ``ENOSPC`` (as ``write(2)`` does)."""

    def __init__(self, handle, room: int) -> None:
        self.handle, self.room = handle, room

    def write(self, data):
        if len(data) > self.room:
            self.handle.write(data[:self.room])
            self.room = 0
            raise OSError(errno.ENOSPC, FULL)
        self.room -= len(data)
        return self.handle.write(data)

    def __getattr__(self, name):
        return getattr(self.handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.handle.close()


def fill_disk(monkeypatch, name: str, *, call: int = 1, room: int = 1000) -> None:
    """The ``call``-th opening of a file named ``name`` for writing finds the disk full after
    ``room`` bytes (``checkpoint.pt.tmp``: the temporary file of the checkpoint being written,
    ``checkpoint.pt.XXXXXXXX.tmp``)."""
    calls, open_file = itertools.count(1), Path.open

    def opening(self, mode="r", *args, **kwargs):
        handle = open_file(self, mode, *args, **kwargs)
        target = temporary_target(self.name)
        opened = self.name if target is None else f"{target}.tmp"
        if opened == name and mode[0] in "wax" and next(calls) == call:
            return FullDisk(handle, room)
        return handle

    monkeypatch.setattr(Path, "open", opening)


def run_files(run_dir: Path) -> list[str]:
    return sorted(p.name for p in run_dir.iterdir())


def then(resume: str) -> str:
    return f"{FREE}, then rerun the same command{resume}"


WITH_RESUME = " with --resume (run.resume=true) to continue from its checkpoint.pt"
# name: (the file opened when the disk fills, which opening, extra overrides, the file named,
#        what the message says it holds, what to do, epochs in checkpoint.pt)
FILLS = {
    "checkpoint": ("checkpoint.pt.tmp", 2, [], "checkpoint.pt",
                   "checkpoint.pt still holds the run after epoch 1 (nothing was half-written)",
                   WITH_RESUME, 1),
    "epoch line": ("metrics.jsonl", 2, [], "metrics.jsonl",
                   "metrics.jsonl holds its earlier lines (nothing was half-written)",
                   WITH_RESUME, 2),
    # epoch 1's audit lines come after its checkpoint and its metrics.jsonl line
    "audit line": ("audit.jsonl", 2, AUDIT, "audit.jsonl",
                   "audit.jsonl holds its earlier lines (nothing was half-written)",
                   WITH_RESUME, 1),
    "summary": ("summary.json.tmp", 1, [], "summary.json", "summary.json was not written",
                WITH_RESUME, 3),
}


@pytest.mark.parametrize("name", FILLS)
def test_a_full_disk_names_the_file_leaves_whole_files_and_the_run_resumes(tmp_path, monkeypatch,
                                                                          name):
    opened, call, extra, file, kept, resume, saved = FILLS[name]
    whole = train(tiny(tmp_path, "run.epochs=3", "run.name=whole", *extra))
    run_dir = tmp_path / "r"
    fill_disk(monkeypatch, opened, call=call, room=20)
    with pytest.raises(FileWriteError) as failure:
        train(tiny(tmp_path, "run.epochs=3", "run.name=r", *extra))
    assert str(failure.value) == (f"cannot write '{run_dir / file}': {FULL}; {kept}: "
                                  f"{then(resume)}")
    assert (failure.value.errno, failure.value.filename) == (errno.ENOSPC, str(run_dir / file))
    # the Python spelling of what to do, under the message (none saved: call train again)
    assert failure.value.__notes__ == [python_resume_note(resume=saved is None)]
    assert not [f for f in run_files(run_dir) if f.endswith(".tmp")]  # its space is freed
    for jsonl in ("metrics.jsonl", "audit.jsonl"):  # whole lines only
        lines = (run_dir / jsonl).read_text().splitlines(keepends=True)
        assert all(line.endswith("\n") and json.loads(line) for line in lines)
    if saved is None:
        assert not (run_dir / "checkpoint.pt").exists()
    else:
        assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == saved
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cut-off line to skip
        load_run(run_dir)

    resumed = train(tiny(tmp_path, "run.epochs=3", "run.name=r", "run.resume=true", *extra))
    assert comparable(resumed.history) == comparable(whole.history)
    assert json.loads((run_dir / "summary.json").read_text())["epochs_done"] == 3
    assert all((student_state(run_dir)[k] == v).all()
               for k, v in student_state(tmp_path / "whole").items())


def test_a_full_disk_is_one_line_with_exit_status_1(tmp_path, monkeypatch, capsys):
    options = [f"--set={item}" for item in TINY]
    fill_disk(monkeypatch, "checkpoint.pt.tmp", call=2)
    status = main(["train", *options, "--epochs", "3", "--out-dir", str(tmp_path),
                   "--run.name", "r"])
    assert status == 1
    assert capsys.readouterr().err == (
        f"pidkit-distill train: training failed: cannot write '{tmp_path}/r/checkpoint.pt': "
        f"{FULL}; checkpoint.pt still holds the run after epoch 1 (nothing was half-written): "
        f"{then(WITH_RESUME)}\n")


def test_a_teachers_full_disk_says_that_the_same_command_continues_it(tmp_path, monkeypatch):
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=2", "run.epochs=1")
    fill_disk(monkeypatch, "checkpoint.pt.tmp", call=2)
    with pytest.raises(FileWriteError, match=r"teacher-.*/checkpoint.pt': No space left on "
                       r"device; .*, then rerun the same command to continue from its "
                       r"checkpoint.pt\n") as checkpoint:
        train(config)
    fill_disk(monkeypatch, "teacher.pt.tmp")
    with pytest.raises(FileWriteError, match=r"teacher.pt was not written: free space on its "
                       r"disk .*, then rerun the same command \(its run is complete: it writes "
                       r"teacher.pt at once\)\n") as teacher:
        train(config)
    same = [python_resume_note(resume=True)]  # call the same function again
    assert checkpoint.value.__notes__ == same and teacher.value.__notes__ == same
    monkeypatch.undo()
    assert train(config).epochs_done == 1


def test_a_folder_that_takes_no_lock_file_is_named(tmp_path, monkeypatch):
    class Refused(folder_locks.FileLock):
        def acquire(self, *args, **kwargs):
            raise PermissionError(errno.EPERM, "Operation not permitted", self.lock_file)

    monkeypatch.setattr(folder_locks, "FileLock", Refused)
    run_dir = tmp_path / "teacher-x"
    with pytest.raises(FileWriteError) as failure, run_folder_lock(run_dir):
        pass
    assert str(failure.value) == (
        f"cannot write '{run_dir}/.lock': Operation not permitted; nothing was written in the "
        f"folder: make '{run_dir}' writable (or choose another folder), then rerun the same "
        "command")
    assert isinstance(failure.value, OSError) and failure.value.errno == errno.EPERM


def test_the_folder_that_refuses_a_new_folder_is_named(tmp_path, monkeypatch):
    run_dir = tmp_path / "shared" / "teacher-x"

    def refused(self, *args, **kwargs):  # tmp_path takes no new folder (no permission)
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "shared"))

    monkeypatch.setattr(Path, "mkdir", refused)
    with pytest.raises(FileWriteError) as failure, run_folder_lock(run_dir):
        pass
    assert str(failure.value).endswith(  # not the folder that does not exist
        f"make '{tmp_path}' writable (or choose another folder), then rerun the same command")


def test_a_file_write_error_comes_back_whole_from_a_worker_process():
    # the demo's workers pickle their errors: the note saying how to continue (--resume) was
    # lost on the way
    error = FileWriteError(errno.ENOSPC, FULL, "runs/x/summary.json", "cannot write it")
    error.add_note(python_resume_note(resume=True))
    back = pickle.loads(pickle.dumps(error))
    assert (type(back), str(back), back.errno, back.strerror, back.filename, back.message,
            back.__notes__) == (FileWriteError, "cannot write it", errno.ENOSPC, FULL,
                                "runs/x/summary.json", "cannot write it",
                                [python_resume_note(resume=True)])


def test_a_cut_off_last_line_is_not_an_epoch_logged(tmp_path):
    folder = RunFolder(tmp_path)
    (tmp_path / "metrics.jsonl").write_text('{"epoch": 1}\n{"epoch": 2, "pha')  # killed
    assert folder.logged_epochs() == 1


def test_a_read_only_file_system_is_named(tmp_path, monkeypatch):
    class ReadOnly:
        f_flag = os.ST_RDONLY

    monkeypatch.setattr(rundir_module.os, "access", lambda path, mode: False)
    monkeypatch.setattr(rundir_module.os, "statvfs", lambda path: ReadOnly)
    with pytest.raises(PermissionError) as failure:
        rundir_module.check_out_dir(tmp_path / "runs" / "r")
    assert str(failure.value) == (
        f"run folder '{tmp_path}/runs/r' cannot be written: no write permission on "
        f"'{tmp_path}' (a read-only file system); choose another run.out_dir")


def test_a_tilde_is_the_home_folder(tmp_path, monkeypatch):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)
    summary = train(tiny("~/runs", "run.epochs=1", "run.name=r"))
    assert summary.run_dir == home / "runs" / "r"
    assert (home / "runs" / "r" / "checkpoint.pt").is_file()
    assert list(elsewhere.iterdir()) == []  # no folder named '~'
    teacher = build_teacher_file(home / "teacher.pt")
    check_config(tiny(tmp_path, f"teacher.source='~/{teacher.name}'"))


def build_teacher_file(path: Path) -> Path:
    """A bare state dict of the tiny configuration's teacher, saved at ``path``."""
    torch.save(build_model("synthetic-teacher", num_classes=4, in_channels=12).state_dict(), path)
    return path


def test_a_full_disk_while_writing_the_report_leaves_no_partial_file(tmp_path, monkeypatch):
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.name=r")).run_dir
    fill_disk(monkeypatch, "report.md.tmp", room=20)
    with pytest.raises(FileWriteError) as failure:
        write_report(run_dir)
    assert str(failure.value) == (
        f"cannot write '{run_dir}/report/report.md': {FULL}; report.md was not written: free "
        "space on its disk (or choose a folder on another one), then make the report again")
    assert not (run_dir / "report" / "report.md").exists()
    assert not [f for f in run_files(run_dir / "report") if f.endswith(".tmp")]


class Unreadable:
    """An object whose pickling fails with an OSError of its own (a file it reads is missing),
    or with a RuntimeError raised while handling one: no error of the file being written."""

    def __init__(self, wrapped: bool) -> None:
        self.wrapped = wrapped

    def __reduce__(self):
        try:
            open("/nonexistent/weights.bin", "rb")
        except OSError:
            if self.wrapped:
                raise RuntimeError("could not read the weights") from None
            raise
        return (Unreadable, (self.wrapped,))


@pytest.mark.parametrize("wrapped", [False, True], ids=["OSError", "RuntimeError after one"])
def test_an_error_of_what_is_saved_is_not_called_a_full_disk(tmp_path, wrapped):
    path = tmp_path / "checkpoint.pt"
    expected = RuntimeError if wrapped else FileNotFoundError
    with pytest.raises(expected) as failure:
        checkpoint_module.atomic_save({"w": Unreadable(wrapped)}, path)
    assert not isinstance(failure.value, FileWriteError)
    assert "weights" in str(failure.value)
    assert run_files(tmp_path) == []  # no temporary file left


def test_lines_refused_whole_are_not_said_to_be_cut_off(tmp_path, monkeypatch):
    # metrics.jsonl made read-only (chattr +i, a read-only bind mount): neither opened nor cut
    (tmp_path / "metrics.jsonl").write_text('{"epoch": 1}\n')
    open_file = Path.open

    def refused(self, mode="r", *args, **kwargs):
        if mode.startswith("a"):
            raise PermissionError(errno.EPERM, "Operation not permitted", str(self))
        return open_file(self, mode, *args, **kwargs)

    def no_truncate(path, size):
        raise PermissionError(errno.EPERM, "Operation not permitted", str(path))

    monkeypatch.setattr(Path, "open", refused)
    monkeypatch.setattr(rundir_module.os, "truncate", no_truncate)
    with pytest.raises(FileWriteError) as failure:
        RunFolder(tmp_path).append("metrics.jsonl", [{"epoch": 2}])
    assert "; metrics.jsonl holds its earlier lines (nothing was half-written): make " in str(
        failure.value)
    assert (tmp_path / "metrics.jsonl").read_text() == '{"epoch": 1}\n'


def test_lines_that_cannot_be_cut_back_are_said_to_be_cut_off(tmp_path, monkeypatch):
    (tmp_path / "metrics.jsonl").write_text('{"epoch": 1}\n')
    fill_disk(monkeypatch, "metrics.jsonl", room=5)

    def no_truncate(path, size):
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(rundir_module.os, "truncate", no_truncate)
    folder = RunFolder(tmp_path)
    with pytest.raises(FileWriteError, match=f"; its last line may be cut off \\(a reader skips "
                                             f"it, with a warning\\): {re.escape(FREE)}"):
        folder.append("metrics.jsonl", [{"epoch": 2}])
    assert (tmp_path / "metrics.jsonl").read_text() == '{"epoch": 1}\n{"epo'
    assert folder.logged_epochs() == 1
