"""Under torchrun, a process that stops alone in the check of the teacher's outputs, before the
first epoch (a collective call: every process checks its share of the first batch), stops the
run as one that stops in an epoch does: one line from the process that stopped first, named when
it is not rank 0, nothing from the others (task 304).

Before, the check ran outside the loop's error handling: memory running out in one process's
share printed Python's ``MemoryError`` traceback (no line at all), and a process killed there
(SIGKILL, the OOM-killer) left the other printing gloo's "Connection reset by peer" traceback, or,
where torchrun's SIGTERM reached it first, "interrupted while no epoch was running (nothing was
left half-done): rerun the same command", as if someone had interrupted the run.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from tiny_runs import TINY, command_lines, torchrun_command

# imported by every process (--import): the stop of one kind, in one rank's check of the teacher
INJECT = textwrap.dedent("""
    import os, signal, time
    from pidkit_distill.training import teacher_outputs

    KIND, RANK = os.environ["STOP_KIND"], int(os.environ["STOP_RANK"])
    if int(os.environ["RANK"]) == RANK:
        def outputs_found(features):  # the teacher's forward on this rank's share of the batch
            if KIND == "oom":
                raise MemoryError()
            os.kill(os.getpid(), signal.SIGKILL)
        teacher_outputs.outputs_found = outputs_found
    elif os.environ["STOP_WAIT"] == "1":
        first_batch = teacher_outputs._first_batch
        def slow_first_batch(loader, epoch):  # torchrun's SIGTERM ends the wait, not gloo's error
            time.sleep(100)
            return first_batch(loader, epoch)
        teacher_outputs._first_batch = slow_first_batch
""")

KILLED = ("training failed: another process of the run ended without a message while checking "
          "the teacher's outputs before epoch 1; nothing was saved (no epoch had completed); its "
          "connections closed: it was killed (SIGKILL, the OOM-killer) or its machine went down; "
          "torchrun's summary names its rank, and the kernel's log (dmesg) says whether the "
          "OOM-killer ended it")


def _torchrun(tmp_path: Path, kind: str, wait: bool) -> subprocess.CompletedProcess[str]:
    """``pidkit-distill train`` (KD, 2 epochs) in 2 processes whose rank 1 stops (``kind``) in
    the check; rank 0 ``wait``s outside any collective call meanwhile."""
    return torchrun_command(
        "train", tmp_path / "stop_one.py", INJECT,
        [*TINY, "method.name=kd", "run.epochs=2", f"run.out_dir={tmp_path}"],
        env={"STOP_KIND": kind, "STOP_RANK": "1", "STOP_WAIT": str(int(wait))})


@pytest.mark.parametrize(("kind", "wait", "line"), [
    # rank 1's line; rank 0, whose all_reduce failed as rank 1 went, raises PeerStopped: silent
    ("oom", False, "pidkit-distill train (rank 1 of 2): training failed: out of memory "
     "(MemoryError) while checking the teacher's outputs before epoch 1; nothing was saved (no "
     "epoch had completed); lower data.batch_size"),
    # rank 1 says nothing: rank 0 says it ended, found by gloo's error ...
    ("sigkill", False, f"pidkit-distill train: {KILLED}"),
    # ... or by torchrun's SIGTERM, which reached it before any collective call
    ("sigkill", True, f"pidkit-distill train: {KILLED}"),
])
def test_a_process_that_stops_alone_in_the_teacher_check_stops_the_run_with_one_line(
        tmp_path, kind, wait, line):
    proc = _torchrun(tmp_path, kind, wait)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert command_lines(proc) == [line], proc.stderr[-3000:]
    # no process's traceback (torchrun's own, under the lines, ends with its summary)
    assert "]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    # rank 0 records the run's failure, the first process's, as from before training (t-346:
    # the folder held its .lock alone, with nothing said of why)
    failed = json.loads((tmp_path / "synthetic-kd-ut-s0" / "summary.json").read_text())["failed"]
    assert failed["before_training"] is True
    assert line.split("training failed: ", 1)[1] in failed["message"]


def test_memory_running_out_in_the_teacher_check_is_the_runs_one_line(tmp_path, monkeypatch,
                                                                      capsys):
    # in one process too: Python's MemoryError traceback before; a resumed run says what its
    # checkpoint holds, as a failure in an epoch does
    from pidkit_distill.cli import main
    from pidkit_distill.training import teacher_outputs

    sets = [arg for item in [*TINY, "method.name=kd", "run.epochs=4", f"run.out_dir={tmp_path}"]
            for arg in ("--set", item)]
    assert main(["train", *sets, "--set", "run.stop_after=2"]) == 0
    capsys.readouterr()

    def out_of_memory(features):
        raise MemoryError

    monkeypatch.setattr(teacher_outputs, "outputs_found", out_of_memory)
    status = main(["train", *sets, "--resume"])
    checkpoint = tmp_path / "synthetic-kd-ut-s0" / "checkpoint.pt"
    assert (status, capsys.readouterr()) == (1, (
        f"resumed {checkpoint} after epoch 2\n",
        "pidkit-distill train: training failed: out of memory (MemoryError) while checking "
        f"the teacher's outputs before epoch 3; saved: {checkpoint} holds the run after epoch 2 "
        "(rerunning the same command continues it); lower data.batch_size\n"))
