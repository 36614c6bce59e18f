"""Under torchrun the trainer loads the data in rank 0 first, then in the other processes: CIFAR
is downloaded once, by rank 0, even on a file system that cannot lock files (Lustre without
``-o flock``), and a rank 0 that fails to load it stops the others at once with its message.

Before: every process loaded at once, so there each refused the download (aeee33f: they would
have downloaded and extracted the archive over one another), and where files could be locked
each tried a download that had failed in rank 0 again.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from tiny_runs import command_env, command_lines, tiny, torchrun_command

pytest.importorskip("fcntl")

# imported by every process (--import): no flock, and a torchvision whose CIFAR10 'downloads' a
# miniature (or is refused its folder), each call a line in calls.txt
INJECT = textwrap.dedent("""
    import errno, fcntl, importlib.machinery, os, pickle, signal, sys, time, types
    from pathlib import Path

    import numpy as np

    def no_flock(fd, operation):
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    fcntl.flock = no_flock

    class CIFAR10:
        def __init__(self, root, *, train, download):
            with open(os.environ["CALLS"], "a") as fh:
                fh.write(os.environ["RANK"] + "\\n")
            if os.environ["DOWNLOAD"] == "killed" and os.environ["RANK"] == "0":
                os.kill(os.getpid(), signal.SIGKILL)  # the OOM-killer
            time.sleep(1.0)  # the others would arrive meanwhile
            if os.environ["DOWNLOAD"] == "refused":
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), root)
            folder = Path(root) / "cifar-10-batches-py"
            folder.mkdir(exist_ok=True)
            rng = np.random.default_rng(0)
            for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
                with open(folder / name, "wb") as fh:
                    pickle.dump({b"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
                                 b"labels": [int(v) for v in rng.integers(0, 10, 4)]}, fh,
                                protocol=2)

    module = types.ModuleType("torchvision")
    module.__spec__ = importlib.machinery.ModuleSpec("torchvision", None)
    module.datasets = types.SimpleNamespace(CIFAR10=CIFAR10)
    sys.modules["torchvision"] = module
""")


def _train_sets(tmp_path: Path) -> list[str]:
    """The ``--set`` items of a tiny CIFAR run under ``tmp_path``, downloading it."""
    return ["data.name=cifar10", f"data.root={tmp_path / 'data'}", "data.options.download=true",
            "data.batch_size=8", "model.teacher=wrn-10-1", "model.student=wrn-10-1",
            "teacher.source=untrained", "run.epochs=1", "run.audit_every=0",
            "run.progress=false", "run.threads=1", "run.device=cpu",
            f"run.out_dir={tmp_path / 'runs'}"]


def _fake_cifar_env(tmp_path: Path, download: str) -> dict[str, str]:
    """The variables INJECT reads: where it counts its downloads, and how each one goes."""
    return {"CALLS": str(tmp_path / "calls.txt"), "DOWNLOAD": download}


def _torchrun(tmp_path: Path, download: str) -> subprocess.CompletedProcess[str]:
    return torchrun_command("train", tmp_path / "fake_cifar.py", INJECT, _train_sets(tmp_path),
                            env=_fake_cifar_env(tmp_path, download), timeout_s=150)


def test_rank_0_downloads_cifar_once_where_files_cannot_be_locked(tmp_path):
    # each process refused: 'cifar10 is not under ..., and its file system cannot lock files'
    proc = _torchrun(tmp_path, "ok")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "calls.txt").read_text() == "0\n"
    run_dir = tmp_path / "runs" / "cifar10-bas-ut-s0"
    assert command_lines(proc) == [
        f"pidkit-distill train: warning: run folder {str(run_dir)!r} is not locked: its file "
        "system cannot lock files (Function not implemented), so nothing stops another command "
        "from writing it at the same time",
        f"pidkit-distill train: warning: cifar10 is downloaded into {tmp_path / 'data'} "
        "unlocked: its file system cannot lock files (Function not implemented), so processes "
        "loading it at the same time (DDP ranks) may each download it; download it once before "
        "such a run"], proc.stderr[-3000:]
    assert (run_dir / "checkpoint.pt").is_file()


def test_a_rank_0_that_cannot_download_stops_the_others_with_one_line(tmp_path):
    # each process refused the download alike; with locks, each tried it again after rank 0.
    # Rank 0 exits 2 (a folder the user chose, 340109e); torchrun itself exits 1 for any failure
    proc = _torchrun(tmp_path, "refused")
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert (tmp_path / "calls.txt").read_text() == "0\n"
    data = tmp_path / "data"
    assert [line for line in command_lines(proc) if "warning" not in line] == [
        f"pidkit-distill train: error: data.root: cannot download cifar10 into {str(data)!r}: "
        "Permission "
        "denied; download it into a folder you can write (point root, the configuration's "
        f"data.root, at it), or ask for write access to {str(data)!r}"], proc.stderr[-3000:]


def test_a_rank_0_killed_while_it_loads_without_torchrun_is_one_line_of_the_others(tmp_path):
    # processes started with torchrun's variables by another launcher (srun, mpirun, by hand):
    # the process group's store is rank 0's, and went with it. Rank 1 raised torch's
    # "DistNetworkError: Failed to recv, got 0 bytes. Connection was likely closed" from the
    # store's check, a traceback
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    (tmp_path / "fake_cifar.py").write_text(INJECT)
    procs = [subprocess.Popen(
        [sys.executable, "-m", "pidkit_distill", "train", "--import",
         str(tmp_path / "fake_cifar.py"),
         *[arg for item in _train_sets(tmp_path) for arg in ("--set", item)]],
        env={**command_env(), "OMP_NUM_THREADS": "1", **_fake_cifar_env(tmp_path, "killed"),
             "RANK": str(rank), "LOCAL_RANK": str(rank), "WORLD_SIZE": "2",
             "LOCAL_WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(port)},
        stderr=subprocess.PIPE, text=True) for rank in (0, 1)]
    try:
        errors = [proc.communicate(timeout=150)[1] for proc in procs]
    finally:
        for proc in procs:
            proc.kill()
    assert [proc.returncode for proc in procs] == [-9, 1], errors[1][-3000:]
    assert (tmp_path / "calls.txt").read_text() == "0\n"
    assert "Traceback" not in errors[1], errors[1][-3000:]
    assert [line for line in errors[1].splitlines() if line.startswith("pidkit-distill")] == [
        "pidkit-distill train (rank 1 of 2): training failed: rank 0 of 2 failed: it ended "
        "while it loaded the data, without a message, and the process group's store went with "
        "it (killed: by the OOM-killer, SIGKILL, or its machine went down; see its log and the "
        "kernel's, dmesg) (the other processes stopped with it)"], errors[1][-3000:]


class _StillWaiting(Exception):
    """Raised by :class:`_KeptStore` in a process that has waited a few checks."""


class _KeptStore:
    """The store of torchrun's agent, whose keys outlive a restart; a waiting process's
    checks end, after a few, in :class:`_StillWaiting`."""

    def __init__(self) -> None:
        self.values: dict[str, bytes] = {}
        self.checks = 0

    def set(self, key: str, value: str) -> None:
        self.values[key] = value.encode()

    def get(self, key: str) -> bytes:
        return self.values[key]

    def check(self, keys: list[str]) -> bool:
        self.checks += 1
        if self.checks > 3:
            raise _StillWaiting
        return all(key in self.values for key in keys)


def test_a_run_restarted_by_torchrun_waits_for_rank_0_again(tmp_path, monkeypatch):
    # torchrun --max_restarts: its agent's store keeps the keys of the attempt before, and every
    # attempt numbers its runs from 0, so rank 1 found the first attempt's 'loaded' and loaded
    # the data at once (seen in a real restart: 15 s before rank 0 had; with CIFAR, while it
    # downloaded)
    import torch.distributed as dist

    from pidkit_distill.training import run
    from pidkit_distill.training.run import _load_data
    from pidkit_distill.training.runtime import Runtime

    store = _KeptStore()
    monkeypatch.setattr(dist.distributed_c10d, "_get_default_store", lambda: store)
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "broadcast", lambda tensor, src: None)  # each process's own
    monkeypatch.setattr(run, "load_data", lambda config, teacher: "the data")
    config = tiny(tmp_path, "data.options.download=true")  # as CIFAR's: the others wait
    assert _load_data(config, Runtime(torch.device("cpu"), 0, 2, 0, False, 0)) == "the data"
    with pytest.raises(_StillWaiting):  # the restarted rank 1 waits
        _load_data(config, Runtime(torch.device("cpu"), 1, 2, 1, False, 0))
    assert store.checks == 4


def test_the_others_do_not_wait_for_data_that_nothing_downloads(tmp_path, monkeypatch):
    # digits, synthetic data, CIFAR in place: every process waited for rank 0's load, then
    # loaded it (digits: about 3 s here, most of them importing scikit-learn, doubled)
    import torch.distributed as dist

    from pidkit_distill.training.run import _load_data
    from pidkit_distill.training.runtime import Runtime

    store = _KeptStore()
    monkeypatch.setattr(dist.distributed_c10d, "_get_default_store", lambda: store)
    monkeypatch.setattr(dist, "is_initialized", lambda: True)
    monkeypatch.setattr(dist, "broadcast", lambda tensor, src: None)
    bundle = _load_data(tiny(tmp_path), Runtime(torch.device("cpu"), 1, 2, 1, False, 0))
    assert (len(bundle.train), store.checks, store.values) == (96, 0, {})
