"""A process of several (``RANK``, ``WORLD_SIZE`` in its environment) whose others never come:
it says what it waits for, gives up after ``run.join_timeout`` seconds in one line (exit 2),
and stops at once at SIGTERM or Ctrl-C, leaving no run folder.

Before task 235 such a process (variables left in a shell, a job script exporting WORLD_SIZE)
sat in torch's ``init_process_group`` for gloo's 30 minutes, printing nothing, and ``timeout``'s
SIGTERM did not stop it: the signal's handler waited for that C++ call to return (it took
``kill -9``). The tests with a process waited for their deadline and failed.
"""

from __future__ import annotations

import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch.distributed as dist
from tiny_runs import TINY, command_env

from pidkit_distill.training.joining import JOIN_NOTICE_S, JoinTimeout, join_processes


def _alone(tmp_path: Path, rank: int, *extra: str) -> tuple[subprocess.Popen, int]:
    """``python -m pidkit_distill train`` as rank ``rank`` of 2, with nobody else started, and
    its MASTER_PORT."""
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {**command_env(), "RANK": str(rank), "WORLD_SIZE": "2", "LOCAL_RANK": str(rank),
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
    sets = [arg for key in TINY for arg in ("--set", key)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "pidkit_distill", "train", *sets, "--out-dir",
         str(tmp_path / "runs"), *extra], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc, port


def _finished(proc: subprocess.Popen, seconds: float) -> tuple[int, str]:
    """Exit status and stderr of ``proc``, which must end within ``seconds`` (else killed)."""
    try:
        _, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"still running after {seconds} s")
    return proc.returncode, err


def _where(rank: int, port: int) -> str:
    return (f"RANK={rank} and WORLD_SIZE=2 in the environment make this process rank {rank} of "
            f"2, meeting the others at 127.0.0.1:{port} (MASTER_ADDR:MASTER_PORT); start the "
            "others (torchrun starts them all: torchrun --nproc_per_node 2 -m pidkit_distill "
            "...), or unset RANK and WORLD_SIZE to train in one process")


@pytest.mark.parametrize("rank", [0, 1])
def test_a_process_whose_others_never_come_stops_after_the_join_timeout(tmp_path, rank):
    # rank 0 waits for rank 1 to connect to its store, rank 1 for rank 0's store to listen;
    # rank 1 prints its own line (only rank 0 prints, but here no rank 0 came)
    proc, port = _alone(tmp_path, rank, "--set", "run.join_timeout=3")
    status, err = _finished(proc, 60)
    named = "" if rank == 0 else " (rank 1 of 2)"
    assert status == 2, err
    assert err.splitlines()[-1] == (
        f"pidkit-distill train{named}: error: the other process of the run did not join within "
        f"3 s (run.join_timeout): {_where(rank, port)}; where they are slow to start, give them "
        "longer: --set run.join_timeout=SECONDS")
    assert "Traceback" not in err
    assert not (tmp_path / "runs").exists()  # nothing half-made blocks a rerun


def test_the_processes_have_as_long_to_join_as_torchrun_gives_its_nodes():
    # processes started by srun or by hand may start minutes apart (a cold shared file system
    # importing torch on many nodes); torchrun gives its nodes' agents 600 s to join its
    # rendezvous, and the trainer's default is that (it was 300 s, half of it)
    from torch.distributed.elastic.rendezvous.dynamic_rendezvous import RendezvousTimeout

    from pidkit_distill.config.sections import RunConfig

    assert RunConfig().join_timeout == RendezvousTimeout().join.total_seconds() == 600


@pytest.mark.parametrize(("rank", "sent", "status"),
                         [(0, signal.SIGTERM, 143), (0, signal.SIGINT, 130),
                          (1, signal.SIGTERM, 143)])
def test_a_waiting_process_says_what_it_waits_for_once_and_stops_at_a_signal(tmp_path, rank,
                                                                            sent, status):
    # every rank says what it waited for, named when it is not rank 0: a rank 1 started on its
    # own (srun, by hand on another machine) has no rank 0 to print for it (it printed nothing)
    proc, port = _alone(tmp_path, rank)  # run.join_timeout: 600 s
    try:
        deadline, seen = time.monotonic() + JOIN_NOTICE_S + 40, ""
        while "\n" not in seen and time.monotonic() < deadline:  # the first line on stderr
            if select.select([proc.stderr], [], [], 1)[0]:
                seen += proc.stderr.readline()
        assert seen == (f"waiting for the other process of the run to join: {_where(rank, port)}; "
                        "it waits up to 600 s (run.join_timeout)\n")
        time.sleep(1)
        asked = time.monotonic()
        proc.send_signal(sent)
        code, err = _finished(proc, 10)
    finally:  # not left waiting for torch's 30 minutes
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert code == status, seen + err
    assert time.monotonic() - asked < 5  # at once, not after torch's timeout
    # not "rerun the same command", which would wait again
    named = "" if rank == 0 else " (rank 1 of 2)"
    assert err.splitlines() == [f"pidkit-distill train{named}: interrupted while waiting for the "
                                "other process of the run to join, before any work (no run "
                                f"folder was made): {_where(rank, port)}"]
    assert not (tmp_path / "runs").exists()


def test_torch_s_own_timeout_is_the_same_one_line_error(monkeypatch):
    # run.join_timeout=0 waits as long as torch: its store's timeout says so, not torch's text
    def timed_out(**_):
        raise dist.DistStoreError("Timed out after 1801 seconds waiting for clients. 1/2 clients "
                                  "joined.")

    monkeypatch.setattr(dist, "init_process_group", lambda *_, **kw: timed_out(**kw))
    for name, value in {"RANK": "0", "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(JoinTimeout, match=r"^the other 3 processes of the run did not all join "
                       r"within \d+ s, torch's own timeout \(run.join_timeout=0\): RANK=0 and "
                       r"WORLD_SIZE=4 in the environment make this process rank 0 of 4, meeting "
                       r"the others at 10\.0\.0\.1:29500 "):
        join_processes("gloo", rank=0, world_size=4, timeout_s=0)


def test_another_error_of_torch_s_is_raised_as_torch_raised_it(monkeypatch):
    refused = dist.DistNetworkError("The server socket has failed to listen on any local network "
                                    "address. port: 29500, code: -98, name: EADDRINUSE")

    def busy(*_, **__):
        raise refused

    monkeypatch.setattr(dist, "init_process_group", busy)
    with pytest.raises(dist.DistNetworkError) as caught:
        join_processes("gloo", rank=0, world_size=2, timeout_s=5)
    assert caught.value is refused


def test_a_process_that_loses_rank_0_while_others_are_missing_says_so_in_one_line(monkeypatch):
    # rank 0 and 1 of 3 came, rank 2 never: rank 0, started first, gives up first and closes
    # its store, under rank 1 waiting there for rank 2 (it printed torch's traceback, exit 1).
    # Rank 0 killed as it met the others closes it alike: the line claimed it "stopped waiting
    # for them" then too, a cause rank 1 cannot know
    def closed(*_, **__):
        raise dist.DistNetworkError("Failed to recv, got 0 bytes. Connection was likely closed. "
                                    "Did the remote server shutdown or crash?")

    monkeypatch.setattr(dist, "init_process_group", closed)
    for name, value in {"RANK": "1", "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(JoinTimeout) as caught:
        join_processes("gloo", rank=1, world_size=3, timeout_s=300)
    assert str(caught.value) == (
        "the other 2 processes of the run did not all join before rank 0, which hosts their "
        "meeting, closed it (rank 0 gave up waiting after its own run.join_timeout, or it ended: "
        "its own output says which; torch: Failed to recv, got 0 bytes. Connection was likely "
        "closed. Did the remote server shutdown or crash?): RANK=1 and WORLD_SIZE=3 in the "
        "environment make this process rank 1 of 3, meeting the others at 10.0.0.1:29500 "
        "(MASTER_ADDR:MASTER_PORT); start the others "
        "(torchrun starts them all: torchrun --nproc_per_node 3 -m pidkit_distill ...), or unset "
        "RANK and WORLD_SIZE to train in one process; where they are slow to start, give them "
        "longer: --set run.join_timeout=SECONDS")
    assert isinstance(caught.value.__cause__, dist.DistNetworkError)


def test_a_second_wait_while_the_first_is_still_in_torch_says_so(monkeypatch):
    # a notebook: the first wait ended at run.join_timeout, its thread is still in torch's call
    # (it holds MASTER_PORT); the second met torch's EADDRINUSE, or rank 0's old store
    import threading

    released = threading.Event()
    monkeypatch.setattr(dist, "init_process_group", lambda *_, **__: released.wait(30))
    for name, value in {"RANK": "0", "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500"}.items():
        monkeypatch.setenv(name, value)
    try:
        with pytest.raises(JoinTimeout):
            join_processes("gloo", rank=0, world_size=2, timeout_s=0.2)
        with pytest.raises(RuntimeError) as caught:
            join_processes("gloo", rank=0, world_size=2, timeout_s=0.2)
    finally:
        released.set()
    assert str(caught.value) == (
        "this process cannot meet the others again yet: RANK=0 and WORLD_SIZE=2 in the "
        "environment make this process rank 0 of 2, meeting the others at 10.0.0.1:29500 "
        "(MASTER_ADDR:MASTER_PORT), but an earlier wait of this process for them (stopped by "
        "run.join_timeout or an interrupt) is still inside torch's init_process_group, holding "
        "that meeting until torch's own timeout (30 min with gloo, 10 with nccl); restart the "
        "Python process (the notebook's kernel) to meet them, or unset RANK and WORLD_SIZE to "
        "train in one process")
    for thread in threading.enumerate():  # the first has left torch's call: waits start again
        if thread.name == "pidkit_distill-join":
            thread.join(5)
    monkeypatch.setattr(dist, "init_process_group", lambda *_, **__: None)
    join_processes("gloo", rank=0, world_size=2, timeout_s=5)
