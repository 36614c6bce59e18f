"""check_not_busy reads a run folder's lock as a report does, never taking it: a `train` or a
`report` testing the lock in that instant is not misled, and a run holding it is still found."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tiny_runs import lock_held_by_another_process

from pidkit_distill.folder_locks import folder_lock, lock_held, take_lock
from pidkit_distill.training import rundir
from pidkit_distill.training.rundir import (
    LOCK_FILE,
    RunFolderBusy,
    check_not_busy,
    run_folder_lock,
)


def _busy_message(run_dir, fix: str) -> str:
    return (f"run folder {str(run_dir)!r} is being written by another process (which holds "
            f"{run_dir / LOCK_FILE}); {fix}")


def test_a_report_testing_the_lock_does_not_make_the_check_refuse(tmp_path):
    # check_not_busy took the lock exclusively: a report's shared lock held in that instant
    # made it say "is being written by another process" of a folder no process writes
    fcntl = pytest.importorskip("fcntl")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / LOCK_FILE).write_bytes(b"")
    probe = os.open(run_dir / LOCK_FILE, os.O_RDONLY)
    try:
        fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a report in the middle of lock_held
        check_not_busy(run_dir)
        check_not_busy(run_dir, resume=True)
    finally:
        os.close(probe)


def test_the_check_repeated_misleads_neither_a_report_nor_a_train_starting(tmp_path):
    # a child process checks the folder over and over (commands starting on it) while this
    # one reads its lock as a report does, and takes it as a train does: before, the check's
    # exclusive lock made some reads say "still training" and some trains fail as busy
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    lock_file = run_dir / LOCK_FILE
    lock_file.write_bytes(b"")
    checking = ("import sys\n"
                "from pidkit_distill.training.rundir import RunFolderBusy, check_not_busy\n"
                "check_not_busy(sys.argv[1])\n"
                "print('checking', flush=True)\n"
                "while True:\n"
                "    try:\n"
                "        check_not_busy(sys.argv[1])\n"
                "    except RunFolderBusy:  # while this process holds the lock, as a run\n"
                "        pass\n")
    checker = subprocess.Popen([sys.executable, "-c", checking, str(run_dir)],
                               stdout=subprocess.PIPE, text=True)
    try:
        assert checker.stdout.readline() == "checking\n"
        read = [lock_held(lock_file) for _ in range(20000)]
        taken = []
        for _ in range(1000):
            lock = folder_lock(lock_file)
            taken.append(take_lock(lock, 0.0))
            if lock.is_locked:
                lock.release()
    finally:
        checker.kill()
        checker.communicate()  # waits, and closes its stdout pipe
    assert read.count(False) == 20000  # before: 1,500 to 3,000 said held
    assert taken.count(True) == 1000  # before: some were refused as busy


def test_a_folder_a_run_holds_is_still_refused(tmp_path):
    run_dir = tmp_path / "run"
    with run_folder_lock(run_dir):  # the lock `train` holds while it trains
        with pytest.raises(RunFolderBusy) as refused:
            check_not_busy(run_dir)
        assert str(refused.value) == _busy_message(
            run_dir, "wait for that run to end, or choose another run.name or run.out_dir")
        with pytest.raises(RunFolderBusy) as refused:
            check_not_busy(run_dir, resume=True)
        assert str(refused.value) == _busy_message(
            run_dir, "wait for that run to end, then resume it")
        assert lock_held(run_dir / LOCK_FILE) is True  # the run's lock is left as it was
    check_not_busy(run_dir)  # released


def test_a_folder_another_process_holds_is_refused(tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with lock_held_by_another_process(run_dir / LOCK_FILE), \
            pytest.raises(RunFolderBusy, match="is being written by another process"):
        check_not_busy(run_dir)
    check_not_busy(run_dir)


def test_where_a_reader_cannot_tell_the_lock_is_tried_and_let_go(tmp_path, monkeypatch):
    # no flock to read it with (Windows), or a lock file that cannot be read: tried as the
    # run takes it, as before
    monkeypatch.setattr(rundir, "lock_held", lambda lock_file: None)
    run_dir = tmp_path / "run"
    with run_folder_lock(run_dir):
        with pytest.raises(RunFolderBusy, match="is being written by another process"):
            check_not_busy(run_dir)
    check_not_busy(run_dir)
    lock = folder_lock(run_dir / LOCK_FILE)
    assert take_lock(lock, 0.0) is True  # let go by the check
    lock.release()
