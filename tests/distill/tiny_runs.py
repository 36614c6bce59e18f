"""Shared helpers for the trainer's tests: a tiny synthetic configuration (a few ms per epoch),
`python -m pidkit_distill` run in a child process, a run folder's lock held by another one,
memory running out while files are read, and SIGTERM landing at the run's first deferral of
interrupts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import torch

from pidkit_distill.config import TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.training import run
from pidkit_distill.training.checkpoint import read_checkpoint

TINY = [
    "data.name=synthetic",
    "data.options.n_train=96",
    "data.options.n_test=64",
    "data.options.dim=12",
    "data.options.nuisance_bits=2",
    "data.batch_size=32",
    "model.teacher=synthetic-teacher",
    "model.student=synthetic-student",
    "teacher.source=untrained",
    "run.audit_every=0",
    "run.progress=false",
    "run.threads=1",
    "run.device=cpu",
]

RID = [
    "method.name=rid",
    "method.params.warmup_epochs=1",
    "method.params.cycle_epochs=4",
    "method.params.filter_ratio=0.25",
]


def tiny(out_dir: Path, *extra: str) -> TrainConfig:
    """The tiny synthetic configuration writing under ``out_dir``, with ``extra`` overrides."""
    return apply_overrides(TrainConfig(), [*TINY, f"run.out_dir={out_dir}", *extra])


def comparable(history: list[dict]) -> list[dict]:
    """Epoch records without their wall-clock times."""
    return [{k: v for k, v in rec.items() if k != "time_s"} for rec in history]


def student_state(run_dir: Path) -> dict[str, torch.Tensor]:
    """The student's weights in a run folder's checkpoint."""
    return read_checkpoint(run_dir / "checkpoint.pt")["student"]


def command_env() -> dict[str, str]:
    """The environment for ``python -m pidkit_distill`` in a child process: this checkout first
    on ``PYTHONPATH``."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2]),
                                                         os.environ.get("PYTHONPATH", "")])}


def torchrun_command(command: str, module: Path, code: str, items: list[str],
                     *options: str, env: dict[str, str] | None = None,
                     timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    """``pidkit-distill COMMAND --import MODULE`` (``code`` written to ``module`` first), with
    ``--set`` of each of ``items`` and then ``options``, in 2 processes of one torchrun (gloo, one
    thread each, ``env`` added to :func:`command_env`). After ``timeout_s`` seconds it fails: a
    process left waiting would wait for gloo's timeout (30 minutes)."""
    module.write_text(code)
    sets = [arg for item in items for arg in ("--set", item)]
    return subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2",
         "-m", "pidkit_distill", command, "--import", str(module), *sets, *options],
        env={**command_env(), "OMP_NUM_THREADS": "1", **(env or {})}, capture_output=True,
        text=True, timeout=timeout_s)


def command_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The command's own lines on ``proc``'s stderr (those of torchrun and torch left out)."""
    return [line for line in proc.stderr.splitlines() if line.startswith("pidkit-distill")]


def in_two_processes(code: str, args: list[list[str]]) -> list[Any]:
    """Run ``python -c code`` as ranks 0 and 1 of a run of 2 (torchrun's variables for gloo,
    ``args[rank]`` its arguments; this folder on ``PYTHONPATH``); return the JSON of the last line
    each printed, once both have exited with status 0."""
    import json
    import socket

    with socket.socket() as free:  # a port for the store rank 0 hosts
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {**command_env(), "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(port), "OMP_NUM_THREADS": "1"}
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), env["PYTHONPATH"]])
    procs = [subprocess.Popen([sys.executable, "-c", code, *rank_args],
                              env={**env, "RANK": str(rank), "LOCAL_RANK": str(rank)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for rank, rank_args in enumerate(args)]
    try:
        outs = [proc.communicate(timeout=120) for proc in procs]  # a hang: gloo's 30 minutes
    finally:
        for proc in procs:
            proc.kill()
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0 and out.strip(), err[-3000:]
    return [json.loads(out.splitlines()[-1]) for out, _ in outs]


def run_with_reader_gone(*args: str, errors_too: bool = False) -> tuple[int, str]:
    """Run ``python -m pidkit_distill ARGS`` with the reader of its output gone before it prints
    anything (as ``| head`` does once it has its lines); return its exit status and stderr
    (``""`` where ``errors_too``: stderr goes into the same pipe, as with ``2>&1 | head``)."""
    proc = subprocess.Popen([sys.executable, "-m", "pidkit_distill", *args],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT if errors_too else subprocess.PIPE,
                            text=True, env=command_env())
    proc.stdout.close()  # before the command prints anything (its imports take longer)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err or ""


def one_process_group(monkeypatch: Any) -> None:
    """torchrun's environment for a group of this one process, which the trainer takes for a
    run of 2 processes (it makes the group in its first run)."""
    import socket

    from pidkit_distill.training import runtime

    with socket.socket() as free:  # a port for the store this process hosts
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    for name, value in {"RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "127.0.0.1",
                        "MASTER_PORT": str(port)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(runtime, "world_size_from_env", lambda: 2)


@contextmanager
def lock_held_by_another_process(lock_file: Path) -> Iterator[None]:
    """Inside the block, a child process holds ``lock_file`` as a training run holds its run
    folder's lock (:func:`~pidkit_distill.folder_locks.take_lock`); it ends, and the operating
    system releases the lock, when the block does."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from pathlib import Path; "
         "from pidkit_distill.folder_locks import folder_lock, take_lock; "
         f"lock = folder_lock(Path({str(lock_file)!r})); "
         "print(take_lock(lock, 10.0), flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "True\n"
        yield
    finally:
        holder.communicate("")


# as torch's CPU allocator says it (safe_load raises it as a MemoryError naming the file)
ALLOCATOR_REFUSED = ("[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: can't "
                     "allocate memory: you tried to allocate 4096 bytes. Error code 12 (Cannot "
                     "allocate memory)")
OUT_OF_MEMORY = [pytest.param(MemoryError, id="python-s"),
                 pytest.param(lambda: RuntimeError(ALLOCATOR_REFUSED), id="torch-s-allocator")]


def loads_failing(monkeypatch: Any, error: Callable[[], BaseException],
                  failing: Callable[[Path], bool], *, after: int = 0) -> list[object]:
    """``torch.load`` raising ``error()`` for the files that ``failing`` picks once ``after`` of
    them were read; the ``mmap`` each load of such a file asked for, in a list that fills as
    they come."""
    load, asked = torch.load, []

    def load_or_fail(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and failing(Path(path)):
            asked.append(kwargs.get("mmap"))
            if len(asked) > after:
                raise error()
        return load(path, *args, **kwargs)

    monkeypatch.setattr(torch, "load", load_or_fail)
    return asked


def loader_module(monkeypatch: pytest.MonkeyPatch, folder: Path, module: str,
                  source: str) -> Iterator[None]:
    """A fixture's body: the loader's module ``module`` (``source``) written in ``folder``, the
    working directory; the data sets it registers, and the module, end with the test."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    monkeypatch.chdir(folder)
    monkeypatch.delitem(sys.modules, module, raising=False)
    (folder / f"{module}.py").write_text(source)
    yield
    sys.modules.pop(module, None)


def sigterm_at_first_deferral(monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """Make SIGTERM land at the first ``interrupts_deferred`` of
    :mod:`pidkit_distill.training.run`: ``"before"`` it holds (as the run's error is caught) or
    ``"inside"`` it."""
    deferred, held = run.interrupts_deferred, []

    @contextmanager
    def landing() -> Iterator[None]:
        first = not held
        held.append(True)
        if first and when == "before":
            signal.raise_signal(signal.SIGTERM)
        with deferred():
            if first and when == "inside":
                signal.raise_signal(signal.SIGTERM)
            yield

    monkeypatch.setattr(run, "interrupts_deferred", landing)
