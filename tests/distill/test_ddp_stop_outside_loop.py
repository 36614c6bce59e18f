"""Under torchrun, a process that ends without a word (SIGKILL, the OOM-killer) while the run makes
its collective calls outside the loop's error handling (loading the teacher, reading the run
folder's checkpoint before any epoch) stops the run with one line from the survivor, named when
it is not rank 0, and status 1, as in an epoch; with ``--debug`` a process that fails prints its
traceback and still ends with its own status (task 308).

Before, the survivor printed gloo's "Connection reset by peer" traceback, or, where torchrun's
SIGTERM reached it first, "interrupted while no epoch was running (nothing was left half-done):
rerun the same command" with status 143, as if someone had interrupted the run; and ``--debug``
raised the error out of the command, whose process then ran Python's finalization with its gloo
group alive, which can abort it (exit -6 instead of its status; pytorch/pytorch#190489, stood in
for here by an object that aborts the process as finalization deletes it).
"""

from __future__ import annotations

import json
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
import torch
from tiny_runs import TINY, torchrun_command

from pidkit_distill import TrainingError
from pidkit_distill.training.run import _peer_end_named
from pidkit_distill.training.runtime import Runtime

# imported by every process (--import): rank STOP_RANK stops (STOP_KIND) as it loads the teacher
# (STOP_WHERE=teacher), reads the run folder's checkpoint (resume) or meets the others (meeting)
INJECT = textwrap.dedent("""
    import os, signal, time
    from pidkit_distill.training import loop, run, runtime
    from pidkit_distill.training.loaders import DataError

    KIND, WHERE = os.environ["STOP_KIND"], os.environ["STOP_WHERE"]
    MINE = int(os.environ["RANK"]) == int(os.environ["STOP_RANK"])

    def stop():
        if KIND == "sigkill":
            os.kill(os.getpid(), signal.SIGKILL)
        raise DataError("data.name: sample 3 of this rank's copy is damaged")

    def stopping(function):
        def stopped(*args, **kwargs):
            if MINE:
                stop()
            elif os.environ["STOP_WAIT"] == "1":  # torchrun's SIGTERM ends the wait, not gloo
                time.sleep(100)
            return function(*args, **kwargs)
        return stopped

    if WHERE == "teacher":
        run.load_teacher = stopping(run.load_teacher)
    elif WHERE == "meeting":  # the processes' first collective call, once they have met
        runtime.token_from_main = stopping(runtime.token_from_main)
    else:  # in rank 0, before its broadcast of the checkpoint's size
        loop.resume_point = stopping(loop.resume_point)

    class AbortsAtFinalization:
        # as the bug's gloo threads do, as Python finalizes the process
        def __del__(self):
            os.write(2, b"terminate called without an active exception\\n")
            os.abort()

    HELD = AbortsAtFinalization()
""")

KILLED = ("training failed: another process of the run ended without a message {doing}; its "
          "connections closed: it was killed (SIGKILL, the OOM-killer) or its machine went down; "
          "torchrun's summary names its rank, and the kernel's log (dmesg) says whether the "
          "OOM-killer ended it")
READING = "while reading the run folder's checkpoint, before any epoch"


def _torchrun(tmp_path: Path, kind: str, where: str, rank: int, *options: str,
              wait: bool = False) -> subprocess.CompletedProcess[str]:
    """``pidkit-distill train`` (KD, 1 epoch) in 2 processes whose rank ``rank`` stops
    (``kind``) ``where``; the other ``wait``s there outside any collective call meanwhile."""
    return torchrun_command(
        "train", tmp_path / "stop_one.py", INJECT,
        [*TINY, "method.name=kd", "run.epochs=1", f"run.out_dir={tmp_path}"], *options,
        env={"STOP_KIND": kind, "STOP_WHERE": where, "STOP_RANK": str(rank),
             "STOP_WAIT": str(int(wait))})


def _statuses(proc: subprocess.CompletedProcess[str]) -> dict[int, int]:
    """Each process's exit status, as torchrun's summary lists them."""
    return {int(rank): int(status) for rank, status in re.findall(
        r"rank +: (\d) \(local_rank: \d\)\n +exitcode +: (-?\d+)", proc.stderr)}


@pytest.mark.parametrize(("where", "rank", "wait", "line"), [
    # rank 0 went on from the teacher to the checkpoint's broadcast, where gloo's error came
    ("teacher", 1, False, f"pidkit-distill train: {KILLED.format(doing=READING)}"),
    # torchrun's SIGTERM reached rank 0 while it loaded the teacher, before any collective call
    ("teacher", 1, True,
     f"pidkit-distill train: {KILLED.format(doing='while loading the teacher')}"),
    # rank 0 killed as it read the checkpoint: the survivor, rank 1, says so, named
    ("resume", 0, False, f"pidkit-distill train (rank 1 of 2): {KILLED.format(doing=READING)}"),
    # rank 0 killed as the processes exchanged the run's number, their first collective call
    ("meeting", 0, False, "pidkit-distill train (rank 1 of 2): "
     f"{KILLED.format(doing='as the processes met, before any epoch')}"),
])
def test_a_process_killed_before_the_epochs_stops_the_run_with_one_line(tmp_path, where, rank,
                                                                       wait, line):
    proc = _torchrun(tmp_path, "sigkill", where, rank, wait=wait)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert [text for text in proc.stderr.splitlines() if text.startswith("pidkit-distill")] == \
        [line], proc.stderr[-3000:]
    # no process's traceback (torchrun's own, under the lines, ends with its summary)
    assert "]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    statuses = _statuses(proc)
    # the survivor's status is the command's, or torchrun's SIGTERM once it had said its line
    assert statuses[rank] == -9 and statuses[1 - rank] in (1, -15), proc.stderr[-3000:]
    run_dir = tmp_path / "synthetic-kd-ut-s0"  # its lock is taken once the processes met
    if rank == 1:  # rank 0, which writes the folder, survived: it records why (t-346)
        failed = json.loads((run_dir / "summary.json").read_text())["failed"]
        assert failed["before_training"] is True
        assert line.split("training failed: ", 1)[1] == failed["message"]
    else:
        assert [path.name for path in run_dir.glob("*")] == ([] if where == "meeting"
                                                              else [".lock"])


def test_debug_under_torchrun_shows_the_traceback_and_keeps_the_status(tmp_path):
    proc = _torchrun(tmp_path, "data", "teacher", 1, "--debug")
    assert proc.returncode == 1, proc.stderr[-3000:]
    statuses = _statuses(proc)
    # rank 1's bad data: 2, not -6 (finalization) nor 1 (Python's for an error raised out)
    assert statuses[1] == 2 and statuses.get(0, 1) in (1, -15), proc.stderr[-3000:]
    assert "terminate called" not in proc.stderr, proc.stderr[-3000:]
    assert "[rank1]: Traceback (most recent call last):" in proc.stderr
    assert "[rank1]: pidkit_distill.training.loaders.DataError: data.name: sample 3 of this " \
           "rank's copy is damaged" in proc.stderr, proc.stderr[-3000:]
    # --debug shows tracebacks, not the one-line messages
    assert not [text for text in proc.stderr.splitlines() if text.startswith("pidkit-distill")]


GLOO_GONE = ("[/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:553] Connection closed by "
             "peer [127.0.0.1]:25497")


def test_a_peer_gone_outside_the_loop_is_the_runs_failure_and_other_errors_pass():
    two = Runtime(torch.device("cpu"), 0, 2, 0, False)
    with pytest.raises(TrainingError) as info, _peer_end_named(two, "while loading the teacher"):
        raise RuntimeError(GLOO_GONE)
    assert str(info.value) == KILLED.format(doing="while loading the teacher").removeprefix(
        "training failed: ")
    assert str(info.value.__cause__) == GLOO_GONE and info.value.epoch is None
    own = TrainingError("out of memory", epoch=None)
    for error, runtime in [(RuntimeError("shapes differ"), two), (own, two),
                           (RuntimeError(GLOO_GONE), Runtime.single())]:
        with pytest.raises(RuntimeError) as info, _peer_end_named(runtime, "while x"):
            raise error
        assert info.value is error


@pytest.mark.parametrize("wait", [False, True], ids=["collective call first", "SIGTERM first"])
def test_another_process_failure_before_the_epochs_is_recorded_however_it_reaches_rank_0(
        tmp_path, wait):
    # rank 1's data is refused as it loads the teacher; rank 0 learnt of it from its next
    # collective call failing, and recorded rank 1's error, or (wait) from torchrun's SIGTERM
    # while it loaded the teacher, and recorded nothing: its folder held no summary.json (as
    # fit's epochs did before 901e1e4)
    proc = _torchrun(tmp_path, "data", "teacher", 1, wait=wait)
    assert proc.returncode == 1, proc.stderr[-3000:]
    summary = json.loads((tmp_path / "synthetic-kd-ut-s0" / "summary.json").read_text())
    assert summary["failed"] == {
        "message": "rank 1 of 2 failed: data.name: sample 3 of this rank's copy is damaged "
                   "(the other processes stopped with it)",
        "hint": "", "before_training": True}
