"""One process at a time writes a run folder: a second run on a folder being written is refused,
and a second process that needs a teacher being trained waits for it and reuses it."""

from __future__ import annotations

import errno
import json
import os
import queue
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import TextIO

import pytest
from tiny_runs import TINY, command_env, tiny

from pidkit_distill.training import (
    check_config,
    checks,
    loop,
    teacher,
    train,
    train_teacher,
)
from pidkit_distill.training.rundir import run_dir_of, run_folder_lock

WAIT_S = 120


def _pause_in_first_epoch(monkeypatch, paused: threading.Event, go_on: threading.Event) -> None:
    """In threads other than the main one, fit stops before writing its first checkpoint (the
    first epoch trained, nothing saved yet) until ``go_on`` is set."""
    save = loop.save_checkpoint

    def wait_then_save(path, **kw):
        if threading.current_thread() is not threading.main_thread() and \
                kw["state"]["epoch"] == 1:
            paused.set()
            assert go_on.wait(WAIT_S)
        save(path, **kw)

    monkeypatch.setattr(loop, "save_checkpoint", wait_then_save)


def test_a_second_run_on_a_folder_being_written_is_refused(tmp_path, monkeypatch):
    paused, go_on = threading.Event(), threading.Event()
    _pause_in_first_epoch(monkeypatch, paused, go_on)
    first = tiny(tmp_path, "run.epochs=3", "run.name=shared")
    results = {}
    worker = threading.Thread(target=lambda: results.update(summary=train(first)))
    worker.start()
    try:
        assert paused.wait(WAIT_S)
        # the same folder, another method: it used to pass every check (no checkpoint yet)
        # and train too, and the folder ended with the first run's config.json, the second's
        # summary.json and both runs' epochs interleaved in metrics.jsonl
        second = tiny(tmp_path, "run.epochs=3", "run.name=shared", "method.name=kd")
        busy = (r"run folder '.*shared' is being written by another process \(which holds "
                r".*shared/\.lock\); wait for that run to end, or choose another run\.name or "
                r"run\.out_dir")
        with pytest.raises(ValueError, match="^run.out_dir: " + busy):
            check_config(second)
        # two commands started at the same moment both pass that check: the lock, which train
        # holds while it writes, still refuses the second
        resumed = tiny(tmp_path, "run.epochs=3", "run.name=shared", "run.resume=true")
        with pytest.raises(ValueError, match=r"is being written by another process \(which holds "
                                             r".*\.lock\); wait for that run to end, then resume it$"):
            check_config(resumed)  # "choose another run.name" made no sense for a resume
        monkeypatch.setattr(checks, "check_not_busy", lambda run_dir, resume=False: None)
        with pytest.raises(ValueError, match="^" + busy):
            train(second)
    finally:
        go_on.set()
        worker.join(WAIT_S)
    run_dir = tmp_path / "shared"
    assert results["summary"].epochs_done == 3
    records = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    assert all(set(r["train_losses"]) == {"ce"} for r in records)  # BAS's, none of KD's
    assert json.loads((run_dir / "summary.json").read_text())["method"] == "bas"
    # once the first run has ended, the folder is free again (with --resume it continues)
    assert check_config(tiny(tmp_path, "run.epochs=3", "run.name=shared",
                             "run.resume=true")).resume


def test_a_teacher_being_trained_is_waited_for_and_reused(tmp_path, monkeypatch, capsys):
    paused, go_on = threading.Event(), threading.Event()
    _pause_in_first_epoch(monkeypatch, paused, go_on)
    fits = []
    fit = teacher.fit
    monkeypatch.setattr(teacher, "fit", lambda *a, **kw: fits.append(1) or fit(*a, **kw))
    config = tiny(tmp_path, "teacher.source=trained", "teacher.epochs=2")
    paths = {}
    first = threading.Thread(target=lambda: paths.update(first=train_teacher(config)))
    first.start()
    assert paused.wait(WAIT_S)
    second = threading.Thread(target=lambda: paths.update(second=train_teacher(config)))
    second.start()
    # the first is held until the second says it waits (a fixed 5 s pause let a second thread
    # slowed by a loaded machine arrive after the first had ended, find the teacher and not wait)
    out, deadline = "", time.monotonic() + WAIT_S
    try:
        while "waiting for another process" not in out and time.monotonic() < deadline:
            assert second.is_alive(), out  # waiting for the first, not training it again
            out += capsys.readouterr().out
            time.sleep(0.02)
    finally:
        go_on.set()
        first.join(WAIT_S)
        second.join(WAIT_S)
    assert paths["first"] == paths["second"] and paths["first"].is_file()
    assert len(fits) == 1
    out += capsys.readouterr().out
    assert f"waiting for another process that is training the same teacher in " \
           f"{paths['first'].parent} (it is reused when done; Ctrl-C stops waiting" in out
    assert f"reusing the teacher synthetic-teacher trained before with the same settings: " \
           f"{paths['first']}" in out
    records = (paths["first"].parent / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in records] == [1, 2]


# --- under torchrun: every process learns what rank 0 found -------------------------------
# Only rank 0 takes the lock. A rank-0 lock that failed left the other ranks training on
# until their first collective call timed out; a rank 0 waiting for a teacher being trained
# elsewhere left them in a barrier that timed out after the process group's timeout (30 min
# for gloo, 10 for NCCL: shorter than training a real teacher), which killed the run.

GROUP_TIMEOUT_S = 6

DDP_SCRIPT = textwrap.dedent("""
    import datetime, os, sys
    sys.path.insert(0, {tests!r})
    import torch.distributed as dist
    from tiny_runs import tiny
    from pidkit_distill.training import checks, train
    from pidkit_distill.training.rundir import RunFolderBusy
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds={timeout}))
    rank = os.environ["RANK"]
    checks.check_not_busy = lambda run_dir, resume=False: None  # as if both commands passed it together
    try:
        train(tiny({out!r}, "run.epochs=1", "run.name=busy"))
    except RunFolderBusy as err:
        print(f"rank {{rank}}: busy: {{err}}", flush=True)
    summary = train(tiny({out!r}, "run.epochs=1", "run.name=student", "teacher.source=trained",
                         "teacher.epochs=1"))
    print(f"rank {{rank}}: trained {{summary.epochs_done}}", flush=True)
    dist.barrier()
    dist.destroy_process_group()
""")


def _read_lines(stream: TextIO, lines: queue.Queue[str]) -> None:
    """Put each line of ``stream`` in ``lines``, and close it at its end."""
    with stream:
        for line in stream:
            lines.put(line)


def test_under_ddp_every_process_refuses_a_busy_folder_and_waits_for_a_teacher(tmp_path):
    script = tmp_path / "ddp_lock.py"
    script.write_text(DDP_SCRIPT.format(tests=str(Path(__file__).parent), out=str(tmp_path),
                                        timeout=GROUP_TIMEOUT_S))
    student = tiny(tmp_path, "run.epochs=1", "run.name=student", "teacher.source=trained",
                   "teacher.epochs=1")
    with pytest.MonkeyPatch.context() as env:  # the teacher of the run's 2 processes
        env.setenv("WORLD_SIZE", "2")
        teacher_dir = run_dir_of(teacher.teacher_run_config(student))
    env = {**command_env(), "OMP_NUM_THREADS": "1"}
    lines: queue.Queue[str] = queue.Queue()
    with run_folder_lock(tmp_path / "busy"), run_folder_lock(teacher_dir):
        proc = subprocess.Popen(
            [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
             str(script)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=_read_lines, args=(proc.stdout, lines), daemon=True).start()
        seen = []
        try:
            while not any(line.startswith("waiting for another process") for line in seen):
                seen.append(lines.get(timeout=WAIT_S))
            # held beyond the group's timeout: the ranks must not be in a collective meanwhile
            time.sleep(GROUP_TIMEOUT_S + 2)
        except BaseException:
            proc.kill()
            raise
    assert proc.wait(WAIT_S) == 0, "".join([*seen, *lines.queue])[-3000:]
    out = "".join([*seen, *lines.queue])
    busy = (f"busy: run folder '{tmp_path / 'busy'}' is being written by another process "
            f"(which holds {tmp_path / 'busy' / '.lock'})")
    for rank in (0, 1):
        assert f"rank {rank}: {busy}" in out, out[-3000:]
        assert f"rank {rank}: trained 1" in out, out[-3000:]
    assert f"waiting for another process that is training the same teacher in {teacher_dir}" \
        in out
    assert (teacher_dir / "teacher.pt").is_file()  # trained once the folder was free


def test_the_command_that_comes_second_at_the_lock_is_the_same_one_line_exit_2(
        tmp_path, monkeypatch, capsys):
    # two commands started together both pass check_config; the second then stopped at the
    # lock with 'training failed: run folder ...' and exit 1, though nothing had been trained
    from pidkit_distill.cli import main

    monkeypatch.setattr(checks, "check_not_busy", lambda run_dir, resume=False: None)
    argv = ["train", *[arg for item in TINY for arg in ("--set", item)],
            "--out-dir", str(tmp_path), "--run.name", "r", "--epochs", "1"]
    with run_folder_lock(tmp_path / "r"):
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == (f"pidkit-distill train: error: run.out_dir: run folder '{tmp_path / 'r'}' is "
                   f"being written by another process (which holds {tmp_path / 'r' / '.lock'}); "
                   "wait for that run to end, or choose another run.name or run.out_dir\n")
    assert sorted(p.name for p in (tmp_path / "r").iterdir()) == [".lock"]  # nothing written


def _no_flock(monkeypatch, code: int) -> None:
    """``flock`` fails with ``code``, as on a file system that cannot lock files: ``ENOLCK`` (NFS
    mounted without its lock service), ``ENOSYS`` (Lustre mounted without ``-o flock``)."""
    fcntl = pytest.importorskip("fcntl")

    def no_flock(fd, operation):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(fcntl, "flock", no_flock)


@pytest.mark.parametrize("code", [errno.ENOLCK, errno.ENOSYS], ids=["ENOLCK", "ENOSYS"])
def test_a_file_system_that_cannot_lock_files_still_trains_with_a_warning(
        tmp_path, monkeypatch, capsys, code):
    # runs there worked before run folders were locked; then every one failed:
    # 'training failed: [Errno 37] No locks available', and a resume 'error: run.out_dir: ...'.
    # Where flock is not implemented (ENOSYS) filelock fell back to its soft lock, which takes
    # the .lock a run folder keeps for a lock held: a resume was refused for good
    from pidkit_distill.cli import main

    _no_flock(monkeypatch, code)
    argv = ["train", *[arg for item in TINY for arg in ("--set", item)],
            "--out-dir", str(tmp_path), "--run.name", "r", "--epochs", "2"]
    warning = (f"pidkit-distill train: warning: run folder '{tmp_path / 'r'}' is not locked: "
               f"its file system cannot lock files ({os.strerror(code)}), so nothing "
               "stops another command from writing it at the same time\n")
    assert main([*argv, "--run.stop_after", "1"]) == 0
    assert capsys.readouterr().err == warning
    assert (tmp_path / "r" / ".lock").is_file()  # kept, as where files can be locked
    assert main([*argv, "--resume"]) == 0  # the lock file left behind is checked, not an error
    # the tiny run ends at chance, which train now says under its last line (d1b175fa)
    first, *rest = capsys.readouterr().err.splitlines(keepends=True)
    assert first == warning
    assert all(line.startswith("warning: the student ended at chance") for line in rest)
    lines = (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]


def test_a_run_folder_a_killed_run_left_on_a_file_system_without_flock_is_taken(
        tmp_path, monkeypatch):
    # filelock's soft lock (its fallback where flock raises ENOSYS) took the .lock a killed run
    # left for a lock held: 'run folder ... is being written by another process', for good
    from pidkit_distill.training.rundir import check_not_busy

    _no_flock(monkeypatch, errno.ENOSYS)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / ".lock").write_bytes(b"")  # left by a killed run
    for _ in range(2):  # its resume, then another, the .lock left by the one before there
        with pytest.warns(RuntimeWarning, match="its file system cannot lock files "
                          r"\(Function not implemented\)"), run_folder_lock(run_dir):
            assert (run_dir / ".lock").is_file()
        assert (run_dir / ".lock").is_file()
        check_not_busy(run_dir, resume=True)  # raised RunFolderBusy
