"""Under torchrun, a process that stops alone stops the run: the others stop within seconds, not
after the process group's timeout, and one line says why, printed by the process that stopped
first (named when it is not rank 0), not gloo's traceback.

Before 7c09e8c: rank 0 whose checkpoint could not be written (a full disk) hung in
``destroy_process_group`` (gloo's worker thread waiting for the interpreter lock that the thread
joining it held), so rank 1 waited in its next collective call for gloo's 30-minute timeout; a
rank 1 that failed or was interrupted alone printed nothing (only rank 0 printed), and rank 0
stopped with gloo's "Connection closed by peer" traceback instead of a line saying why. Until
f99e032 rank 0 printed rank 1's line for it, lost whenever rank 0 cannot print (killed by
torchrun while it waits for the GPU under NCCL, or by the OOM-killer).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
import torch.distributed as dist
from tiny_runs import TINY, command_lines, one_process_group, tiny, torchrun_command

from pidkit.command_line import one_line
from pidkit_distill.training import train
from pidkit_distill.training.checkpoint import read_checkpoint
from pidkit_distill.training.run import PeerStopped

# imported by every process (--import): the failure of one kind, on one rank, in epoch 2
INJECT = textwrap.dedent("""
    import errno, os, signal
    from pidkit_distill.atomic_files import not_written
    from pidkit_distill.training import checkpoint, epoch_steps, loop

    KIND, RANK = os.environ["STOP_KIND"], int(os.environ["STOP_RANK"])
    if int(os.environ["RANK"]) == RANK and KIND == "disk-full":
        save = checkpoint.atomic_save
        def atomic_save(obj, path, *, then):
            if obj["epoch"] == 2:  # right after the gathering of every process's random states
                raise not_written(path, OSError(errno.ENOSPC, "No space left on device"),
                                  kept="it holds the run after epoch 1", then=then)
            save(obj, path, then=then)
        checkpoint.atomic_save = atomic_save
    if int(os.environ["RANK"]) == RANK and KIND == "oom":
        one_epoch = loop.train_one_epoch
        def train_one_epoch(*args, **kwargs):  # the first batch of epoch 3 runs out of memory
            if kwargs["epoch"] != 2:
                return one_epoch(*args, **kwargs)
            to_device = epoch_steps.to_device
            def no_memory(*_):
                raise MemoryError()
            epoch_steps.to_device = no_memory
            try:
                return one_epoch(*args, **kwargs)
            finally:
                epoch_steps.to_device = to_device
        loop.train_one_epoch = train_one_epoch
    if int(os.environ["RANK"]) == RANK and KIND == "sigterm":
        save_checkpoint = loop.save_checkpoint
        def saved(path, **kwargs):  # the signal acts once the checkpoint and its record are done
            if kwargs["state"]["epoch"] == 2:
                os.kill(os.getpid(), signal.SIGTERM)
            save_checkpoint(path, **kwargs)
        loop.save_checkpoint = saved
    if int(os.environ["RANK"]) == RANK and KIND == "sigkill":
        epoch_run = loop.train_one_epoch
        def train_one_epoch(*args, **kwargs):  # killed as epoch 3 starts: no line, no record
            if kwargs["epoch"] == 2:
                os.kill(os.getpid(), signal.SIGKILL)
            return epoch_run(*args, **kwargs)
        loop.train_one_epoch = train_one_epoch
    if int(os.environ["RANK"]) != RANK and os.environ["STOP_WAIT"] == "1":
        import time
        others_epoch = loop.train_one_epoch
        def train_one_epoch(*args, **kwargs):  # torchrun's SIGTERM ends the wait, not gloo's error
            if kwargs["epoch"] == 2:
                time.sleep(100)
            return others_epoch(*args, **kwargs)
        loop.train_one_epoch = train_one_epoch
""")


def _torchrun(tmp_path: Path, kind: str, rank: int,
              wait: bool = False) -> subprocess.CompletedProcess[str]:
    return torchrun_command(
        "train", tmp_path / "stop_one.py", INJECT,
        [*TINY, "run.epochs=4", f"run.out_dir={tmp_path}"],
        env={"STOP_KIND": kind, "STOP_RANK": str(rank), "STOP_WAIT": str(int(wait))})


_STOPS = [
    ("disk-full", 0, 1, "pidkit-distill train: training failed: cannot write '{ckpt}': No space left "
     "on device; checkpoint.pt still holds the run after epoch 1 (nothing was half-written): "
     "free space on its disk (or choose a folder on another one), then rerun the same command "
     "with --resume (run.resume=true) to continue from its checkpoint.pt"),
    ("oom", 1, 2, "pidkit-distill train (rank 1 of 2): training failed: out of memory "
     "(MemoryError) in epoch 3, step 1 of 3; saved: {ckpt} holds the run after epoch 2 (resume "
     "with run.resume=true); lower data.batch_size"),
    ("sigterm", 1, 2, "pidkit-distill train (rank 1 of 2): interrupted after epoch 2 of {run}; its "
     "checkpoint.pt holds the run after epoch 2: rerun the same command with --resume "
     "(run.resume=true) to continue from there"),
    # a kill -9 (or the OOM-killer) records nothing: rank 0 printed gloo's "Connection reset by
    # peer" traceback
    ("sigkill", 1, 2, "pidkit-distill train: training failed: another process of the run ended "
     "without a message in epoch 3; saved: {ckpt} holds the run after epoch 2 (resume with "
     "run.resume=true); its connections closed: it was killed (SIGKILL, the OOM-killer) or its "
     "machine went down; torchrun's summary names its rank, and the kernel's log (dmesg) says "
     "whether the OOM-killer ended it"),
    # rank 0 killed: the survivor, rank 1, says so, named (it printed nothing in 1 torchrun in 13)
    ("sigkill", 0, 2, "pidkit-distill train (rank 1 of 2): training failed: another process of "
     "the run ended without a message in epoch 3; saved: {ckpt} holds the run after epoch 2 "
     "(resume with run.resume=true); its connections closed: it was killed (SIGKILL, the "
     "OOM-killer) or its machine went down; torchrun's summary names its rank, and the kernel's "
     "log (dmesg) says whether the OOM-killer ended it"),
]
"""Each kind of stop: the rank that stops, the epochs its checkpoint holds, the run's one line."""


@pytest.mark.parametrize("kind, rank, saved, line", _STOPS)
def test_one_process_that_stops_stops_the_run_with_one_line(kind, rank, saved, line,
                                                           tmp_path):
    proc = _torchrun(tmp_path, kind, rank)
    run_dir = tmp_path / "synthetic-bas-ut-s0"
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert command_lines(proc) == [line.format(ckpt=run_dir / "checkpoint.pt", run=run_dir)], \
        proc.stderr[-3000:]
    assert "Connection closed by peer" not in proc.stdout + proc.stderr
    assert "[rank0]: Traceback" not in proc.stderr, proc.stderr[-3000:]
    # the run folder holds the epochs saved and resumes from them
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == saved
    if kind == "oom":  # resumes as the others do: the torchrun is what this case is for
        return
    with pytest.warns(RuntimeWarning, match="checkpoint was written by 2 process"):
        resumed = train(tiny(tmp_path, "run.epochs=4", "run.resume=true", "run.stop_after=1"))
    assert [record["epoch"] for record in resumed.history] == list(range(1, saved + 2))


@pytest.mark.parametrize("kind, rank, saved, line",
                         [stop for stop in _STOPS if stop[0] in ("sigkill", "oom")])
def test_torchruns_sigterm_before_the_collective_call_fails_gives_the_same_line(
        kind, rank, saved, line, tmp_path):
    # the other process waits outside any collective call, so torchrun's SIGTERM (sent once it
    # has reaped the stopped process) reaches it before gloo's error could: 1 run in 13 before
    # 2026-12-03 by chance; a kill -9 then read "interrupted during epoch 3 of ...; rerun the
    # same command with --resume", as if someone had interrupted the run. A process that
    # recorded its own failure (oom) keeps its line, the only one.
    proc = _torchrun(tmp_path, kind, rank, wait=True)
    run_dir = tmp_path / "synthetic-bas-ut-s0"
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert command_lines(proc) == [line.format(ckpt=run_dir / "checkpoint.pt", run=run_dir)], \
        proc.stderr[-3000:]
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == saved


def test_peer_stopped_is_a_training_error_with_its_attributes_that_pickles():
    import pickle

    import pidkit_distill
    from pidkit_distill.training import TrainingError

    assert pidkit_distill.PeerStopped is pidkit_distill.training.PeerStopped is PeerStopped
    err = PeerStopped(1, 4, "a bug in my method", interrupted=False)
    assert isinstance(err, TrainingError)
    # TrainingError's attributes, which a caller catching TrainingError reads (they raised
    # AttributeError), and replaced(), which the trainer calls on a TrainingError
    assert (err.reason, err.epoch, err.step, err.checkpoint, err.epochs_saved, err.hint,
            err.resume) == ("rank 1 of 4 failed: a bug in my method", None, None, None, 0, "",
                            False)
    hinted = err.replaced(hint="lower optim.lr", epochs_saved=3)
    for again in (pickle.loads(pickle.dumps(err)), pickle.loads(pickle.dumps(hinted))):
        assert (type(again), str(again), again.rank, again.world_size, again.interrupted) == (
            PeerStopped, "rank 1 of 4 failed: a bug in my method (the other processes stopped "
            "with it)", 1, 4, False)
    assert (again.hint, again.epochs_saved, err.hint) == ("lower optim.lr", 3, "")
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['epochs'\]"):
        err.replaced(epochs=3)


def test_first_stop_is_recorded_once_and_without_torchs_accessor_is_unknown(monkeypatch):
    import torch.distributed as dist
    from torch import device

    from pidkit_distill.training.runtime import Runtime, first_stop
    from pidkit_distill.training.stop_records import first_stop_of

    runtime = Runtime(device("cpu"), rank=1, world_size=2, local_rank=1, owns_group=False,
                      session=7)  # rank 1 of a run whose store is this process's own
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        mine, late = ValueError("mine"), KeyboardInterrupt()
        found = (1, "mine", False, "ValueError: mine")
        assert first_stop(runtime, mine) == found == first_stop_of(mine)
        assert first_stop(runtime, late) == found == first_stop_of(late)
        # a torch without the private accessor: the first stop is not known, and no error
        monkeypatch.delattr(dist.distributed_c10d, "_get_default_store")
        assert first_stop(runtime, ValueError("other")) is None
        assert first_stop(runtime, mine) == found  # kept on the error
    finally:
        dist.destroy_process_group()


def test_the_command_prints_a_failure_in_the_process_that_stopped_first(monkeypatch, capsys,
                                                                        tmp_path):
    from pidkit_distill.cli import main
    from pidkit_distill.training import TrainingError

    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    error = TrainingError("out of memory (MemoryError)", epoch=1)
    _stopped_in_turn((1, error))  # rank 1 of 2 stopped first, with error
    _train_raises(monkeypatch, error)
    printed = {}
    for rank in ("0", "1"):
        monkeypatch.setenv("RANK", rank)
        status = main(["train", *sets])
        mistake = main(["train", *sets, "--set", "optim.lr=-1"])  # found before any run
        printed[rank] = (status, mistake, capsys.readouterr().err.splitlines())
    assert printed["1"] == (1, 2, [
        "pidkit-distill train (rank 1 of 2): training failed: out of memory (MemoryError) in "
        "epoch 1; nothing was saved (no epoch had completed)"])
    # rank 0 says nothing of rank 1's failure; a mistake found before any run is rank 0's
    assert printed["0"] == (1, 2, ["pidkit-distill train: error: --set optim.lr=-1: config key "
                                   "'optim.lr' must be a finite number > 0.0; e.g. --set "
                                   "optim.lr=0.05"])


OOM = "out of memory (OutOfMemoryError) in epoch 1; nothing was saved (no epoch had completed)"


@pytest.mark.parametrize("rank, first_rank, own, status, lines", [
    # its own error, raised after the other process had stopped: it printed nothing, and its
    # cause (here rank 0's own out of memory, after rank 1's bug) was printed nowhere
    (0, 1, "oom", 1, [f"pidkit-distill train (rank 0 of 2): training failed: {OOM}"]),
    (1, 0, "oom", 1, [f"pidkit-distill train (rank 1 of 2): training failed: {OOM}"]),
    # it stopped with the first: that process prints the line, this one nothing
    (0, 1, "peer", 1, []),
    (0, 1, "same", 1, []),  # every process raised it (a NaN loss): one line, the first's
    (0, 1, "interrupt", 130, []),  # a Ctrl-C reaches every process
    # every process ran out of memory, each in its own step (NCCL lets one run ahead): one
    # line, the first's; each process printed its own, 8 lines on 8 GPUs
    (0, 1, "oom-step-6", 1, []),
], ids=["rank-0-own", "rank-1-own", "peer-stopped", "the-same-error", "an-interrupt",
        "out-of-memory-in-each"])
def test_a_process_that_stops_after_another_with_its_own_error_prints_it_too(
        rank, first_rank, own, status, lines, monkeypatch, capsys, tmp_path):
    from pidkit_distill.cli import main
    from pidkit_distill.training import TrainingError

    first = TrainingError("a bug in my method", epoch=1)
    if own == "oom-step-6":  # the first ran out of memory in step 5
        first = TrainingError("out of memory (OutOfMemoryError)", epoch=1, step=5, n_steps=22)
    error = {"oom": TrainingError("out of memory (OutOfMemoryError)", epoch=1),
             "oom-step-6": TrainingError("out of memory (OutOfMemoryError)", epoch=1, step=6,
                                         n_steps=22),
             "peer": PeerStopped(first_rank, 2, str(first), interrupted=False),
             "same": TrainingError("a bug in my method", epoch=1),
             "interrupt": KeyboardInterrupt()}[own]
    # first_rank stopped first; then this process, rank, with error
    _stopped_in_turn((first_rank, first), (rank, error))
    _train_raises(monkeypatch, error)
    monkeypatch.setenv("RANK", str(rank))
    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    assert (main(["train", *sets]), capsys.readouterr().err.splitlines()) == (status, lines)


def _stopped_in_turn(*stops: tuple[int, BaseException]) -> None:
    """Record each ``(rank, error)`` of a run of two processes in turn, as :func:`first_stop`
    does, in a store of this process's own."""
    from torch import device

    from pidkit_distill.training.runtime import Runtime, first_stop

    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)
    try:
        for rank, error in stops:
            first_stop(Runtime(device("cpu"), rank, 2, rank, owns_group=False), error)
    finally:
        dist.destroy_process_group()


def _train_raises(monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    """``pidkit-distill train`` in a process of a run of two whose training raises ``error``."""
    import pidkit_distill.training

    def train(config):
        raise error

    monkeypatch.setattr(pidkit_distill.training, "train", train)
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")  # and MASTER_PORT, as torchrun sets them
    monkeypatch.setenv("MASTER_PORT", "29500")


def test_a_group_that_a_failed_run_left_is_destroyed_at_exit_after_a_run_that_ends_well(
        monkeypatch, tmp_path):
    import torch.distributed as dist

    from pidkit_distill.training import joining, run

    one_process_group(monkeypatch)
    config = tiny(tmp_path)
    try:
        with pytest.raises(ValueError, match="my mistake"), run._run_session(config):
            raise ValueError("my mistake")
        assert dist.is_initialized()  # not destroyed after the failure (it could hang)
        with run._run_session(config) as again:  # a script's second try, which ends well
            assert again.owns_group
        assert dist.is_initialized()  # kept for a third run (two runs in one script)
        joining._destroy_kept_group()  # as the interpreter exits
        assert not dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


@pytest.mark.parametrize("first, raised", [
    (ValueError("a bug"), "rank 1 of 2 failed: a bug (the other processes stopped with it)"),
    (KeyboardInterrupt(), "SIGTERM"),  # Ctrl-C or a scheduler's SIGTERM reached every process
])
def test_a_sigterm_after_another_process_failed_is_peer_stopped_after_an_interrupt_not(
        first, raised, monkeypatch, tmp_path):
    from dataclasses import replace

    import torch.distributed as dist

    from pidkit_distill.signals import Terminated
    from pidkit_distill.training import run
    from pidkit_distill.training.runtime import first_stop

    one_process_group(monkeypatch)
    try:
        with pytest.raises((PeerStopped, Terminated)) as stopped, \
                run._run_session(tiny(tmp_path)) as runtime:
            first_stop(replace(runtime, rank=1), first)  # rank 1 stopped first
            raise Terminated("SIGTERM")
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    assert (type(stopped.value), str(stopped.value)) == (
        PeerStopped if isinstance(first, ValueError) else Terminated, raised)


GLOO_PEER_EXITED = ("[/__w/pytorch/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:553] "
                    "Connection closed by peer [127.0.0.1]:6886. This is typically caused by a "
                    "remote worker crashing. Check the logs of the remote worker before reporting "
                    "an error.")  # torch 2.13's gloo, when a process of the group has exited
NCCL = "NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, "
WORKER = ("Caught RuntimeError in DataLoader worker process 0.\nOriginal Traceback (most recent "
          "call last):\n  File \"shards.py\", line 12, in read\nBrokenPipeError: [Errno 32] "
          "Broken pipe\n\nDuring handling of the above exception, another exception occurred:"
          "\n\nRuntimeError: shard 3 could not be read")


@pytest.mark.parametrize("error, peers", [
    (RuntimeError(GLOO_PEER_EXITED), True),
    (RuntimeError("[../third_party/gloo/gloo/transport/tcp/pair.cc:598] Read error "
                  "[127.0.0.1]:25729: Connection reset by peer"), True),
    (dist.DistBackendError(NCCL + "remote process exited or there was a network error, NCCL "
                           "version 2.21.5\nncclRemoteError: A call failed possibly due to a "
                           "network error or a remote process exiting prematurely."), True),
    # the store's host (rank 0, or torchrun's agent) has exited: torch 2.13's TCPStore
    (dist.DistNetworkError("Broken pipe"), True),
    (dist.DistNetworkError("Failed to recv, got 0 bytes. Connection was likely closed. Did the "
                           "remote server shutdown or crash?"), True),
    # this process's own errors, raised after rank 1 had stopped
    (RuntimeError("mat1 and mat2 shapes cannot be multiplied (8x10 and 12x4)"), False),
    (torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"), False),
    (dist.DistBackendError(NCCL + "unhandled cuda error (run with NCCL_DEBUG=INFO for details), "
                           "NCCL version 2.21.5\nncclUnhandledCudaError: Call to CUDA function "
                           "failed.\nLast error:\nCuda failure 'out of memory'"), False),
    (dist.DistStoreError("wait timeout after 300000ms, keys: /default_pg/0//cuda//0"), False),
    (RuntimeError(WORKER), False),
], ids=["gloo-closed", "gloo-reset", "nccl-remote", "store-pipe", "store-recv", "shapes",
        "cuda-oom", "nccl-cuda-oom", "store-timeout", "worker-pipe"])
def test_only_a_collective_that_failed_as_another_process_exited_is_peer_stopped(
        error, peers, monkeypatch, tmp_path):
    # any RuntimeError was taken for the other process's doing: rank 0's shape bug or CUDA out
    # of memory, raised after rank 1 had stopped, became "rank 1 of 2 failed: a bug (the other
    # processes stopped with it)", and rank 0's own error was printed nowhere; until this
    # version also any DistError (NCCL's own out of memory, this store's timeout) and a
    # DataLoader worker's traceback that says "Broken pipe"
    from dataclasses import replace

    from pidkit_distill.training import run
    from pidkit_distill.training.runtime import first_stop

    one_process_group(monkeypatch)
    try:
        with pytest.raises(RuntimeError) as stopped, run._run_session(tiny(tmp_path)) as runtime:
            first_stop(replace(runtime, rank=1), ValueError("a bug"))  # rank 1 stopped first
            raise error
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    if peers:
        assert (type(stopped.value), str(stopped.value), stopped.value.__cause__) == (
            PeerStopped, "rank 1 of 2 failed: a bug (the other processes stopped with it)", error)
    else:
        assert stopped.value is error


@pytest.mark.parametrize("where", ["leaving the run", "as the command's line is made"])
def test_torchruns_sigterm_that_comes_as_the_first_failure_leaves_does_not_replace_it(
        where, monkeypatch, capsys, tmp_path):
    # torchrun sends SIGTERM to the other processes once one has died (kill -9 of rank 0): where
    # it came while the survivor's failure, recorded as the run's first stop, left the run, it
    # was an interrupt that no stop recorded: rank 1 printed nothing and exited 143 (about one
    # torchrun in ten)
    import os
    import signal

    import pidkit_distill.training
    from pidkit_distill import cli
    from pidkit_distill.training import TrainingError

    error = TrainingError("another process of the run ended without a message", epoch=1)
    _stopped_in_turn((1, error))  # rank 1 of 2, the survivor, stopped first
    _train_raises(monkeypatch, error)

    def train(config):
        try:
            raise error
        finally:  # torchrun's SIGTERM, as the failure leaves the run
            if where == "leaving the run":
                os.kill(os.getpid(), signal.SIGTERM)

    def terminated_one_line(err):  # torchrun's SIGTERM, as the command's one line is made
        os.kill(os.getpid(), signal.SIGTERM)
        return one_line(err)

    monkeypatch.setattr(pidkit_distill.training, "train", train)
    if where == "as the command's line is made":
        monkeypatch.setattr(cli, "one_line", terminated_one_line)
    monkeypatch.setenv("RANK", "1")
    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    assert (cli.main(["train", *sets]), capsys.readouterr().err.splitlines()) == (1, [
        "pidkit-distill train (rank 1 of 2): training failed: another process of the run "
        "ended without a message in epoch 1; nothing was saved (no epoch had completed)"])


def test_a_group_the_caller_made_without_master_addr_keeps_each_processs_rank(monkeypatch,
                                                                           capsys, tmp_path):
    # a process group the caller made (file:// or tcp://, in a notebook), RANK and WORLD_SIZE set
    # for the run, no MASTER_ADDR: every process took itself for rank 0 (printing_rank refused
    # the missing MASTER_ADDR), so rank 1's failure, the first stop, was printed by no process
    # and rank 0 printed its mistake found before the run in every process
    import torch.distributed as dist

    from pidkit_distill.cli import main
    from pidkit_distill.training import TrainingError

    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    error = TrainingError("out of memory (MemoryError)", epoch=1)
    _stopped_in_turn((1, error))
    _train_raises(monkeypatch, error)
    monkeypatch.delenv("MASTER_ADDR")
    monkeypatch.delenv("MASTER_PORT")
    dist.init_process_group("gloo", store=dist.HashStore(), rank=0, world_size=1)  # the caller's
    try:
        printed = {}
        for rank in ("0", "1"):
            monkeypatch.setenv("RANK", rank)
            status = main(["train", *sets])
            mistake = main(["train", *sets, "--set", "optim.lr=-1"])
            printed[rank] = (status, mistake, capsys.readouterr().err.splitlines())
    finally:
        dist.destroy_process_group()
    assert printed == {
        "0": (1, 2, ["pidkit-distill train: error: --set optim.lr=-1: config key 'optim.lr' must "
                     "be a finite number > 0.0; e.g. --set optim.lr=0.05"]),
        "1": (1, 2, ["pidkit-distill train (rank 1 of 2): training failed: out of memory "
                     "(MemoryError) in epoch 1; nothing was saved (no epoch had completed)"])}


def test_torchruns_sigterm_as_a_collective_call_fails_is_the_killed_processs_failure(
        monkeypatch, tmp_path):
    # torchrun's SIGTERM (sent once it has reaped the killed process) came as the survivor made
    # its failure out of gloo's "Connection closed by peer": the bare interrupt left the run,
    # and the command said "interrupted while no epoch was running" (1 torchrun in 30)
    import os
    import signal

    from pidkit_distill.signals import Terminated, sigterm_interrupts
    from pidkit_distill.training import TrainingError, loop, lost_peers

    def gloo_fails(*args, **kwargs):
        raise RuntimeError(GLOO_PEER_EXITED)

    real_peer_gone, signalled = lost_peers.peer_gone, []

    def peer_gone(err):  # torchrun's SIGTERM, as the failure is made
        if not signalled:
            signalled.append(True)
            os.kill(os.getpid(), signal.SIGTERM)
        return real_peer_gone(err)

    monkeypatch.setattr(loop, "train_one_epoch", gloo_fails)
    monkeypatch.setattr(lost_peers, "peer_gone", peer_gone)
    one_process_group(monkeypatch)
    try:
        with sigterm_interrupts(), pytest.raises(BaseException) as stopped:
            train(tiny(tmp_path, "run.epochs=2"))
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    assert signalled and (type(stopped.value), str(stopped.value).split(";")[:2]) == (
        TrainingError, ["another process of the run ended without a message in epoch 1",
                        " nothing was saved (no epoch had completed)"])
    # caused by the SIGTERM: a third process, which finds this one's record first, then takes
    # its own such failure for having followed it (PeerStopped, printed nowhere)
    assert isinstance(stopped.value.__cause__, Terminated)


def test_torchruns_sigterm_as_the_failure_leaves_the_epochs_is_still_the_failure(
        monkeypatch, capsys, tmp_path):
    # the SIGTERM came after the failure left the epochs, before the run recorded it as its
    # first stop: the interrupt was recorded instead, and printed as "interrupted while no
    # epoch was running" with exit 143
    import os
    import signal

    from pidkit_distill import cli
    from pidkit_distill.training import TrainingError, run

    def fit(*args, **kwargs):
        try:
            raise TrainingError("another process of the run ended without a message", epoch=1)
        finally:  # torchrun's SIGTERM, as the failure leaves
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(run, "fit", fit)
    one_process_group(monkeypatch)
    sets = [arg for item in [*TINY, f"run.out_dir={tmp_path}"] for arg in ("--set", item)]
    try:
        status = cli.main(["train", *sets])
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    assert (status, capsys.readouterr().err.splitlines()[-1:]) == (1, [
        "pidkit-distill train: training failed: another process of the run ended without a "
        "message in epoch 1; nothing was saved (no epoch had completed)"])


def test_a_peer_gone_is_taken_for_killed_only_while_no_process_has_recorded_a_stop(
        monkeypatch, tmp_path):
    # torchrun's SIGTERM follows any process's end: after a process that recorded its stop (its
    # own error, or a user's SIGTERM or Ctrl-C to it) it must still read as that, never as a kill
    import os
    from dataclasses import replace

    from pidkit_distill.signals import Terminated
    from pidkit_distill.training.runtime import first_stop, init_runtime, peer_ended

    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # reaped: its id is gone
    one_process_group(monkeypatch)
    runtime = init_runtime(tiny(tmp_path))
    try:
        gone = replace(runtime, peers=(int(ended.stdout),))
        alive = replace(runtime, peers=(os.getpid(),))
        before = peer_ended(gone), peer_ended(alive), peer_ended(alive, seen_gone=True)
        first_stop(runtime, Terminated("SIGTERM"))
        after = peer_ended(gone), peer_ended(alive, seen_gone=True)
    finally:
        dist.destroy_process_group()
    assert (runtime.peers, before, after) == ((), (True, False, True), (False, False))


def test_a_sigterm_that_follows_another_process_failure_is_recorded_as_that_failure(tmp_path):
    # rank 1 runs out of memory and records its stop; rank 0 waits outside any collective call,
    # so torchrun's SIGTERM reaches it first: it printed nothing of its own and left no record
    # in summary.json (report then called the run stopped, not failed), where a collective call
    # failing first recorded rank 1's failure (in the CI, 2 runs of 3 on 2026-12-05 took this way)
    import json

    proc = _torchrun(tmp_path, "oom", 1, wait=True)
    assert proc.returncode == 1, proc.stderr[-3000:]
    failed = json.loads((tmp_path / "synthetic-bas-ut-s0" / "summary.json").read_text())["failed"]
    assert failed["message"].startswith("rank 1 of 2 failed: out of memory (MemoryError) in epoch 3, "
                                        "step 1 of 3; saved: ")
    assert failed["message"].endswith("(the other processes stopped with it)")
