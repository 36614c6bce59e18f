"""report on runs that are still training: a run whose `train` holds its folder's lock now is
told from one killed or stopped short of its epochs, without the report taking that lock."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_report import fake_run
from tiny_runs import lock_held_by_another_process, tiny

from pidkit_distill import folder_locks, write_report
from pidkit_distill.cli import main
from pidkit_distill.folder_locks import folder_lock, lock_held, take_lock
from pidkit_distill.run_folders.unwritten import RUN_LOCK_FILE
from pidkit_distill.training import train
from pidkit_distill.training.rundir import LOCK_FILE, run_folder_lock

STILL = ("A `pidkit-distill train` holds the run folder's .lock now, so its row and lines show "
         "the epochs done so far; report again once it ends.")
STOPPED = ("No process holds the run folder's .lock and its train did not end: it was killed or "
           "failed (if it failed, the last lines its command printed say why; a killed process "
           "prints nothing); to continue it from its checkpoint.pt, rerun the same command with "
           "--resume (run.resume=true).")
STOP_AFTER = ("A `pidkit-distill train` with run.stop_after trained the epochs it asked for and "
              "ended; rerun the same command with --resume (run.resume=true) to train as many "
              "more from its checkpoint.pt, or with --run.stop_after 0 too to train to "
              "run.epochs.")
GONE = ("No process holds the run folder's .lock, and its checkpoint.pt, which its train had "
        "written by then (run.checkpoint_every), is not in it: it was deleted or not copied with "
        "the folder. To continue the run, rerun the same command with --resume "
        "(run.resume=true) where its checkpoint.pt is; here, --resume trains it again from epoch "
        "1.")
NO_CHECKPOINT = ("No process holds the run folder's .lock, and it has no checkpoint.pt: its train "
                 "was killed or failed before writing one (run.checkpoint_every); the same "
                 "command with --resume (run.resume=true) trains it again from epoch 1.")
UNKNOWN = ("The run folder's .lock cannot be tested here (its file system cannot lock files: NFS "
           "without its lock service, Lustre without -o flock; or it cannot be read), so it may "
           "be training or stopped; look for its process (ps, squeue).")


def states(text: str) -> list[str]:
    """The paragraphs under a summary table that say which runs are training or stopped."""
    return [paragraph.split("\nreport written to ")[0] for paragraph in text.split("\n\n")
            if paragraph.startswith(("Still training: ", "Stopped", "Running or stopped, "))]


def checkpointed_run(path: Path, *, epochs: int) -> Path:
    """:func:`fake_run` with a ``checkpoint.pt`` (never read), as a run has after its first
    epoch."""
    fake_run(path, epochs=epochs)
    (path / "checkpoint.pt").write_bytes(b"")
    return path


def states_without_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture, name: str,
                              *settings: str) -> list[str]:
    """Train the tiny run ``name`` of 5 epochs with ``settings``, take its ``checkpoint.pt``
    and ``summary.json`` away (a train killed before it wrote them, or a folder copied without
    them) and return what its report says of its state (:func:`states`)."""
    train(tiny(tmp_path, "run.epochs=5", f"run.name={name}", *settings))
    for file in ("checkpoint.pt", "summary.json"):
        (tmp_path / name / file).unlink()
    assert main(["report", str(tmp_path / name)]) == 0
    return states(capsys.readouterr().out)


def resumed_epochs(tmp_path: Path, name: str) -> list[int]:
    """The epochs in the history of the tiny run ``name`` of 5 epochs resumed (--resume)."""
    resumed = train(tiny(tmp_path, "run.epochs=5", f"run.name={name}", "run.resume=true"))
    return [record["epoch"] for record in resumed.history]


def test_the_report_reads_the_lock_file_that_train_holds():
    assert RUN_LOCK_FILE == LOCK_FILE


def test_a_run_training_now_is_told_from_a_killed_one_and_its_lock_is_left_held(tmp_path,
                                                                               capsys):
    # both were "2/5": a run being trained now looked like one killed hours ago
    training = fake_run(tmp_path / "training", epochs=2)
    killed = checkpointed_run(tmp_path / "killed", epochs=2)
    (killed / LOCK_FILE).write_bytes(b"")  # left by its killed process, held by none
    done = fake_run(tmp_path / "done", epochs=5)
    with run_folder_lock(training):  # the lock `train` holds while it trains
        assert main(["report", str(training), str(killed), str(done)]) == 0
        assert lock_held(training / LOCK_FILE) is True  # still held: never taken or broken
        assert take_lock(folder_lock(training / LOCK_FILE), 0.0) is False
    expected = [f"Still training: training (epoch 2 of 5). {STILL}",
                f"Stopped: killed (after epoch 2 of 5). {STOPPED}"]
    assert states(capsys.readouterr().out) == expected
    assert states((tmp_path / "report" / "report.md").read_text()) == expected
    assert not (done / LOCK_FILE).exists()  # no lock file is made where there was none


def test_a_run_whose_train_process_holds_its_lock_is_still_training_until_it_ends(tmp_path,
                                                                                 capsys):
    run = checkpointed_run(tmp_path / "run", epochs=3)
    with lock_held_by_another_process(run / LOCK_FILE):
        assert main(["report", str(run)]) == 0
        assert states(capsys.readouterr().out) == [f"Still training: run (epoch 3 of 5). {STILL}"]
    assert main(["report", str(run)]) == 0
    assert states(capsys.readouterr().out) == [f"Stopped: run (after epoch 3 of 5). {STOPPED}"]


def test_where_the_file_system_cannot_lock_files_the_report_says_it_cannot_tell(tmp_path,
                                                                                monkeypatch):
    fcntl = pytest.importorskip("fcntl")

    def no_lock(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_lock)
    short = fake_run(tmp_path / "short", epochs=2)
    (short / LOCK_FILE).write_bytes(b"")
    done = fake_run(tmp_path / "done", epochs=5)
    (done / LOCK_FILE).write_bytes(b"")
    text = write_report([short, done], out_dir=tmp_path / "rep").read_text()
    assert states(text) == [f"Running or stopped, not known: short (after epoch 2 of 5). {UNKNOWN}"]


def test_a_train_taking_its_lock_while_a_report_tests_it_is_not_refused(tmp_path, monkeypatch):
    # the report's shared lock, held for one system call, made a train that took the run
    # folder's lock in that instant fail: "is being written by another process"
    fcntl = pytest.importorskip("fcntl")
    lock_file = tmp_path / LOCK_FILE
    lock_file.write_bytes(b"")
    probe = os.open(lock_file, os.O_RDONLY)
    fcntl.flock(probe, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a report in the middle of lock_held

    def probe_ends(path):  # the report lets go once the train has been refused
        held = lock_held(path)
        os.close(probe)
        return held

    monkeypatch.setattr(folder_locks, "lock_held", probe_ends)
    lock = folder_lock(lock_file)
    assert take_lock(lock, 0.0) is True
    assert lock_held(lock_file) is True
    lock.release()


def test_runs_start_while_a_report_tests_their_lock_over_and_over(tmp_path):
    # a child process tests the lock as a report does, without end, while this one starts
    # 300 runs in the folder: before, about one start in ten failed as busy
    run = tmp_path / "run"
    run.mkdir()
    (run / LOCK_FILE).write_bytes(b"")
    reader = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from pidkit_distill.folder_locks import lock_held; lock_file = Path(sys.argv[1]); "
         "print(lock_held(lock_file), flush=True)\nwhile True: lock_held(lock_file)",
         str(run / LOCK_FILE)], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline() == "False\n"  # it is testing the lock now
        started = 0
        for _ in range(300):
            with run_folder_lock(run):
                started += 1
    finally:
        reader.kill()
        reader.communicate()  # waits, and closes its stdout pipe
    assert started == 300


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes as POSIX makes them")
def test_a_named_pipe_in_place_of_the_lock_file_does_not_hang_the_report(tmp_path):
    # opening it read-only waited for a writer for ever: the report never ended
    run = checkpointed_run(tmp_path / "run", epochs=2)
    os.mkfifo(run / LOCK_FILE)
    done = subprocess.run([sys.executable, "-m", "pidkit_distill", "report", str(run)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert states(done.stdout) == [f"Stopped: run (after epoch 2 of 5). {STOPPED}"]


def test_a_glob_takes_in_a_run_folder_whose_train_has_not_written_the_run_yet(tmp_path, capsys):
    # `train` makes and locks its run folder, then trains the teacher (hours, on CIFAR) before
    # it writes config.json: `report runs/*` then stopped on that folder, "is not a run folder
    # (no config.json); pass folders written by `pidkit-distill train`", and so after a kill there
    done = fake_run(tmp_path / "done", epochs=5)
    starting = tmp_path / "starting"
    starting.mkdir()
    with run_folder_lock(starting):
        assert main(["report", str(done), str(starting)]) == 0
    assert capsys.readouterr().err == (
        f"pidkit-distill report: warning: skipped {starting}: a `pidkit-distill` command holds "
        "its .lock now but has written no run in it yet (a train checks the configuration, "
        "loads the data and trains or reads the teacher first): report it once its first epoch "
        "has ended\n")
    assert main(["report", str(done), str(starting)]) == 0  # its train killed since
    stopped = ("a `pidkit-distill train` made this run folder and stopped before it wrote the "
               "run in it (while it checked the configuration, loaded the data or trained the "
               "teacher; nothing of the run was saved): rerun that command")
    assert capsys.readouterr().err == (
        f"pidkit-distill report: warning: skipped {starting}: {stopped}\n")
    assert main(["report", str(starting)]) == 2  # alone: it said "pass folders written by train"
    assert capsys.readouterr().err == (  # one line: the warning said the same before it
        f"pidkit-distill report: error: no run folder among [{str(starting)!r}]; "
        f"{str(starting)!r} holds no run yet: {stopped}\n")
    # beside a run's file, what to pass for that file comes first, whichever is given first:
    # after the folder, the error said only why the folder holds no run; then why the folder
    # holds no run (it was a warning of its own)
    for given in ([starting, done / "metrics.jsonl"], [done / "metrics.jsonl", starting]):
        assert main(["report", *map(str, given)]) == 2
        assert capsys.readouterr().err.splitlines()[-1] == (
            f"pidkit-distill report: error: no run folder among {list(map(str, given))}; for "
            f"{str(done / 'metrics.jsonl')!r}, pass the run folder it is in, {str(done)!r}; "
            f"{str(starting)!r} holds no run yet: {stopped}")


def test_a_teachers_run_stopped_short_is_told_to_rerun_the_same_command(tmp_path, capsys):
    # it said to rerun with --resume, which train-teacher ignores with a warning (a teacher's
    # run resumes by itself)
    run = fake_run(tmp_path / "teacher-x", epochs=2)
    config = json.loads((run / "config.json").read_text())
    config["method"]["name"] = "teacher"
    (run / "config.json").write_text(json.dumps(config))
    (run / LOCK_FILE).write_bytes(b"")  # left by its killed process
    assert main(["report", str(run)]) == 0
    assert ("\n\nStopped teacher's run: teacher-x (after epoch 2 of 5). No process holds the run "
            "folder's .lock: the teacher's training was killed or failed; rerun the same command "
            "(train-teacher, or the train that trains this teacher): a teacher's run continues "
            "from its checkpoint.pt by itself.\n") in capsys.readouterr().out


def test_a_run_folder_of_its_lock_alone_whose_lock_cannot_be_tested_is_not_called_stopped(
        tmp_path, monkeypatch, capsys):
    # where the file system cannot lock files, it said the train "stopped ...: rerun that
    # command" first, though a train may be training its teacher there now (and no lock would
    # keep a rerun from writing the same folder)
    fcntl = pytest.importorskip("fcntl")

    def no_lock(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    done = fake_run(tmp_path / "done", epochs=5)
    starting = tmp_path / "starting"
    starting.mkdir()
    (starting / LOCK_FILE).write_bytes(b"")
    monkeypatch.setattr(fcntl, "flock", no_lock)
    assert main(["report", str(done), str(starting)]) == 0
    assert capsys.readouterr().err == (
        f"pidkit-distill report: warning: skipped {starting}: its .lock cannot be tested here "
        "(its file system cannot lock files, or it cannot be read), so a `pidkit-distill train` "
        "may be writing no run in it yet (it checks the configuration, loads the data and "
        "trains or reads the teacher first) or have stopped before it wrote the run; look for "
        "its process (ps, squeue) and rerun that command only if none runs\n")


def test_a_run_stopped_by_run_stop_after_killed_after_or_before_its_first_checkpoint(tmp_path,
                                                                                     capsys):
    # each was "Stopped: ... (at epoch N of M). ... the run was killed, failed, or stopped by
    # run.stop_after; to continue it from its checkpoint.pt, rerun the same command with
    # --resume": a run.stop_after run was not told that the same command stops again, and a run
    # without a checkpoint.pt was told to continue from it (its resume trains from epoch 1)
    part = ["run.epochs=5", "run.name=part", "run.stop_after=2"]
    train(tiny(tmp_path, *part))
    assert main(["report", str(tmp_path / "part")]) == 0
    assert states(capsys.readouterr().out) == [
        f"Stopped by run.stop_after: part (after epoch 2 of 5). {STOP_AFTER}"]
    summary = (tmp_path / "part" / "summary.json").read_text()
    # what it says: the same command with --resume trains as many more
    assert train(tiny(tmp_path, *part, "run.resume=true")).epochs_done == 4
    # a train killed after epoch 4 would have left the summary.json of 2 epochs
    (tmp_path / "part" / "summary.json").write_text(summary)
    assert main(["report", str(tmp_path / "part")]) == 0
    assert states(capsys.readouterr().out) == [f"Stopped: part (after epoch 4 of 5). {STOPPED}"]
    # ... and without run.stop_after to run.epochs
    assert train(tiny(tmp_path, *part, "run.resume=true", "run.stop_after=0")).epochs_done == 5
    # killed before its first checkpoint.pt (after epoch 2 of run.checkpoint_every=3; the
    # checkpoint.pt that run.stop_after writes after its last epoch is taken away)
    assert states_without_checkpoint(tmp_path, capsys, "early", "run.stop_after=2",
                                     "run.checkpoint_every=3") == [
        f"Stopped before its first checkpoint: early (after epoch 2 of 5). {NO_CHECKPOINT}"]
    assert resumed_epochs(tmp_path, "early") == [1, 2, 3, 4, 5]
    assert "training from epoch 1" in capsys.readouterr().out


def test_a_run_whose_checkpoint_is_gone_is_not_told_it_stopped_before_writing_one(tmp_path,
                                                                                  capsys):
    # a run folder copied without its checkpoint.pt (or with it deleted) was "Stopped before its
    # first checkpoint: ... its train was killed or failed before writing one": with
    # run.checkpoint_every = 1 (the default) its train wrote one after every epoch
    assert states_without_checkpoint(tmp_path, capsys, "copied", "run.stop_after=3") == [
        f"Stopped, its checkpoint.pt gone: copied (after epoch 3 of 5). {GONE}"]
    # what it says of this folder: --resume trains it again from epoch 1
    assert resumed_epochs(tmp_path, "copied") == [1, 2, 3, 4, 5]
