"""Under torchrun, a process whose own check fails before the processes meet (its copy of the
run folder's checkpoint is damaged, a module of ``--import`` that fails on that process alone)
says why on stderr, named when it is not rank 0, and the others do not claim an interrupt
(task 311).

Before, such a process other than rank 0 exited 2 without a word (only rank 0 printed a stop
that no process had recorded), and rank 0, ended by torchrun's SIGTERM as it waited to meet it,
printed "interrupted while ..." with status 143: the real error was never seen.
"""

from __future__ import annotations

import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from tiny_runs import TINY, command_lines, torchrun_command

from pidkit_distill.stop_lines import checked_by_each_process, say_stop
from pidkit_distill.training import joining

# imported by every process (--import): rank FAIL_RANK fails (FAIL_WHERE) before the processes
# meet, with FAIL_TEXT; "import" fails the import itself, "resume" the check's read of the run
# folder's checkpoint (with FAIL_AFTER_RANK_1, rank 0 once rank 1 has recorded its stop)
INJECT = textwrap.dedent("""
    import os, time
    from pidkit_distill.training import checks, stop_records

    WHERE, TEXT = os.environ["FAIL_WHERE"], os.environ["FAIL_TEXT"]
    MINE = os.environ["RANK"] in os.environ["FAIL_RANK"].split(",")

    if MINE and WHERE == "import":
        raise ImportError(TEXT)

    def damaged(path, *args, **kwargs):
        if os.environ["RANK"] == "0" and os.environ.get("FAIL_AFTER_RANK_1"):
            while stop_records.stop_before_meeting() is None:  # ended by torchrun meanwhile
                time.sleep(0.05)
        raise ValueError(f"{path.name}: {TEXT}")

    if MINE and WHERE == "resume":
        checks.resume_point = damaged
""")


def _torchrun(tmp_path: Path, where: str, ranks: str, text: str,
              *, after_rank_1: bool = False) -> subprocess.CompletedProcess[str]:
    """``pidkit-distill train`` (KD, 1 epoch) in 2 processes, of which those of ``ranks`` ("1", "0,1") fail
    ``where`` with ``text`` (rank 0 once rank 1 has: ``after_rank_1``)."""
    return torchrun_command(
        "train", tmp_path / "fail_one.py", INJECT,
        [*TINY, "method.name=kd", "run.epochs=1", f"run.out_dir={tmp_path}"],
        env={"FAIL_WHERE": where, "FAIL_RANK": ranks, "FAIL_TEXT": text,
             "FAIL_AFTER_RANK_1": "1" if after_rank_1 else ""})


def _statuses(proc: subprocess.CompletedProcess[str]) -> dict[int, int]:
    """Each process's exit status, as torchrun's summary lists them."""
    return {int(rank): int(status) for rank, status in re.findall(
        r"rank +: (\d) \(local_rank: \d\)\n +exitcode +: (-?\d+)", proc.stderr)}


DAMAGED = "this node's copy is damaged (truncated)"


@pytest.mark.parametrize(("where", "rank", "error"), [
    ("resume", 1, f"run.name: checkpoint.pt: {DAMAGED}"),
    ("import", 1, "--import {tmp}/fail_one.py: importing it raised ImportError: "
                  f"{DAMAGED} (an error in that module; --debug shows the traceback)"),
    ("resume", 0, f"run.name: checkpoint.pt: {DAMAGED}"),
])
def test_a_check_that_fails_on_one_rank_alone_is_said_by_that_rank(tmp_path, where, rank,
                                                                   error):
    proc = _torchrun(tmp_path, where, str(rank), DAMAGED)
    named = "" if rank == 0 else f" (rank {rank} of 2)"
    line = f"pidkit-distill train{named}: error: {error.format(tmp=tmp_path)}"
    assert proc.returncode == 1, proc.stderr[-3000:]
    # the other, ended by torchrun as it waited to meet this one, claims no interrupt
    assert command_lines(proc) == [line], proc.stderr[-3000:]
    assert _statuses(proc)[rank] == 2, proc.stderr[-3000:]


def test_the_same_failure_of_every_rank_is_said_once_by_the_first(tmp_path):
    # rank 1 fails first, then rank 0 with the same error (or torchrun's SIGTERM ends it): the
    # line is rank 1's, once (rank 0 said it, unnamed, or that it was interrupted)
    proc = _torchrun(tmp_path, "resume", "0,1", DAMAGED, after_rank_1=True)
    assert command_lines(proc) == ["pidkit-distill train (rank 1 of 2): error: run.name: "
                            f"checkpoint.pt: {DAMAGED}"], proc.stderr[-3000:]
    # each 2, or -15: torchrun's SIGTERM once the other had ended, after its line
    assert set(_statuses(proc).values()) <= {2, -15, 143}, proc.stderr[-3000:]


def test_without_torchrun_s_store_a_rank_says_its_own_failure_before_the_processes_meet(
        monkeypatch, capsys):
    # started by srun or by hand, rank 0 hosts the store once the processes meet: before that,
    # a process other than rank 0 has nowhere to record its stop, so it says it (it said
    # nothing); an interrupt, which reaches every process, is still rank 0's to say
    for name, value in {"RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("TORCHELASTIC_USE_AGENT_STORE", raising=False)
    monkeypatch.setattr(joining, "_MET", [])
    with pytest.raises(ValueError) as found, checked_by_each_process():
        raise ValueError(DAMAGED)
    say_stop("train", f"error: run.resume: checkpoint.pt: {DAMAGED}", found.value)
    say_stop("train", "interrupted while no epoch was running", KeyboardInterrupt())
    # a mistake on the command line is every process's: rank 0 says it
    say_stop("train", "error: --set optim.lr=-1: ...", ValueError("optim.lr"))
    assert capsys.readouterr().err == (
        f"pidkit-distill train (rank 1 of 2): error: run.resume: checkpoint.pt: {DAMAGED}\n")
    monkeypatch.setattr(joining, "_MET", [1])  # once they met, the run records its stops
    say_stop("train", f"error: {DAMAGED}", found.value)
    assert capsys.readouterr().err == ""
