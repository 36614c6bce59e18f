"""The process a run lives in: device, DDP from torchrun's environment, seeds, autocast.

DDP is switched on by the environment ``torchrun`` sets (``RANK``, ``WORLD_SIZE``,
``LOCAL_RANK``): gloo on CPU, nccl on CUDA, one GPU per process (``cuda:LOCAL_RANK``). Only rank 0
prints and writes files (:attr:`Runtime.is_main`); a failure is reported by the process that
stopped first (:func:`first_stop`), and by a later one whose error is its own.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import secrets
import sys
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.distributed as dist
from torch import Tensor, nn

from pidkit.command_line import one_line
from pidkit.utils import person_is_watching
from pidkit_distill.config import TrainConfig
from pidkit_distill.devices import accelerator_here, cpu_load
from pidkit_distill.launcher_env import (
    local_rank_from_env,
    local_world_size_from_env,
    rank_from_env,
    world_size_from_env,
)
from pidkit_distill.signals import interrupts_deferred
from pidkit_distill.training.joining import (
    JoinInterrupted,
    JoinTimeout,
    join_processes,
    keep_group,
    take_kept_group,
)
from pidkit_distill.training.stop_records import (
    FirstStop,
    first_stop_of,
    record_first_stop,
    stop_cause,
)
from pidkit_distill.training.sync_bn import convert_sync_batchnorm

__all__ = [
    "Runtime",
    "autocast",
    "caller_state_kept",
    "close_runtime",
    "end_failed_process",
    "first_stop",
    "float32_default",
    "from_main",
    "init_runtime",
    "ints_from_main",
    "leave_runtime",
    "local_world_size_from_env",
    "peer_ended",
    "random_streams_kept",
    "rank_from_env",
    "seed_everything",
    "to_device",
    "token_from_main",
    "wait_for_all",
    "world_size_from_env",
    "wrap_for_ddp",
]


@dataclass(frozen=True)
class Runtime:
    """Process-level facts: device, DDP rank and world size, whether we own the process group.

    Examples
    --------
    >>> from pidkit_distill.training import Runtime
    >>> Runtime.single().is_main, Runtime.single().distributed
    (True, False)
    """

    device: torch.device
    rank: int
    world_size: int
    local_rank: int
    owns_group: bool
    session: int = 0  # the number rank 0 drew for this run, the same on every rank: first_stop's key
    # the process ids of the run's other processes that this one can see (same machine, same pid
    # namespace): peer_ended's
    peers: tuple[int, ...] = ()

    @classmethod
    def single(cls, device: str = "cpu") -> Runtime:
        """One process on ``device``, no process group."""
        return cls(torch.device(device), 0, 1, 0, False)

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that prints, audits and writes files."""
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        """More than one process."""
        return self.world_size > 1


def init_runtime(config: TrainConfig) -> Runtime:
    """Device and DDP set-up from torchrun's environment (RANK, WORLD_SIZE, LOCAL_RANK).

    The processes meet in :func:`~pidkit_distill.training.joining.join_processes`, which
    says what it waits for after a few seconds, gives up after ``run.join_timeout`` seconds
    (:class:`~pidkit_distill.training.joining.JoinTimeout`) and stops at Ctrl-C or SIGTERM at
    once (:class:`~pidkit_distill.training.joining.JoinInterrupted`); each is recorded as this
    process's own stop, so that every rank's command prints what it waited for (a rank other
    than 0 may have been started on its own, by srun or by hand, with no rank 0 to print).
    A process group is created only when there is none yet, or taken over from an earlier run
    of this process that made it (:func:`close_runtime`, :func:`leave_runtime`): the processes
    of a script that trains twice meet once. Under torchrun the run's ``session`` is a number
    that rank 0 draws (:func:`token_from_main`, a collective call), the key of its
    :func:`first_stop` record; where that call fails, the group is left to the next run
    (:func:`leave_runtime`).
    ``run.device=cuda`` takes the GPU ``cuda:LOCAL_RANK`` (``cuda:0`` in one process), and
    ``run.device=cuda:N`` the GPU ``N`` (one process only:
    :func:`~pidkit_distill.training.device_checks.check_devices` refuses it under torchrun).
    ``run.device=auto`` without CUDA runs on the CPU; where this machine has another
    accelerator (:func:`~pidkit_distill.devices.accelerator_here`: XPU, MPS, ...), which the
    trainer cannot use, rank 0 warns (:class:`RuntimeWarning`) that the run trains on the CPU.
    A CPU run with ``run.threads`` unset, on more than one torch thread, on a busy machine prints
    a line on stderr (:func:`_busy_machine_line`; rank 0, where ``run.print_every`` lets the run
    print and a person watches: a terminal or a notebook, as progress bars; not in a log file).
    """
    want = config.run.device
    use_cuda = want.startswith("cuda") or (want == "auto" and torch.cuda.is_available())
    world_size = world_size_from_env()
    rank = rank_from_env()
    local_rank = local_rank_from_env()
    # a GPU named (cuda:N) is one process's; otherwise each process takes its own by LOCAL_RANK
    named = want if want.startswith("cuda:") else None
    device = torch.device(named or (f"cuda:{local_rank}" if use_cuda else "cpu"))
    if use_cuda:
        torch.cuda.set_device(device)
    owns_group = False
    if world_size > 1 and not dist.is_initialized():
        try:
            join_processes("nccl" if use_cuda else "gloo", rank=rank, world_size=world_size,
                           timeout_s=config.run.join_timeout, device=device if use_cuda else None)
        except (JoinTimeout, JoinInterrupted) as error:  # its own stop: printed in every rank
            record_first_stop(error, FirstStop(rank, one_line(error),
                                               isinstance(error, JoinInterrupted),
                                               stop_cause(error)))
            raise
        owns_group = True
    elif world_size > 1 and take_kept_group(rank):
        owns_group = True  # made by an earlier run of this process (close_runtime, leave_runtime)
    if config.run.threads:
        torch.set_num_threads(config.run.threads)
    elif device.type == "cpu" and rank == 0 and config.run.print_every \
            and torch.get_num_threads() > 1 and person_is_watching() \
            and (busy := _busy_machine_line()) is not None:
        print(busy, file=sys.stderr, flush=True)
    unused = accelerator_here() if want == "auto" and not use_cuda and rank == 0 else None
    if unused is not None:
        warnings.warn(f"run.device=auto found no CUDA GPU but {unused[1]} {unused[0]!r} "
                      "device(s), which the trainer cannot use (it runs on the CPU or on CUDA "
                      "GPUs only): this run trains on the CPU; pass run.device=cpu "
                      "(--run.device cpu) to say so", RuntimeWarning, stacklevel=3)
    if config.run.amp and not use_cuda:
        warnings.warn("run.amp=true has no effect on CPU (bf16 autocast is used on CUDA only)",
                      RuntimeWarning, stacklevel=3)
    runtime = Runtime(device, rank, world_size, local_rank, owns_group)
    try:
        return replace(runtime, session=token_from_main(runtime), peers=_peers_here(runtime))
    except BaseException:  # an interrupt while a peer is slow to start, a peer gone, NCCL's error
        leave_runtime(runtime)  # the group made here is the next run's to destroy
        raise


def _busy_machine_line() -> str | None:
    """The line a CPU run with ``run.threads`` unset (torch's one thread per core) prints where
    the load average of the last minute is at least the CPU cores this process may use (torch's
    threads then wait on each other: a digits epoch took 20 s, not 0.5 s, at 7.6 on 2 cores);
    ``None`` where it is less, or not known (:func:`~pidkit_distill.devices.cpu_load`). The
    run reads it again, once, where an epoch takes far longer than the earlier ones
    (:func:`~pidkit_distill.training.fit`)."""
    load, cores = cpu_load() or (0.0, 0)
    if not cores or load < cores:
        return None
    return (f"warning: the load average is {load:.1f} on {cores} CPU core(s) and run.threads is "
            "0 (torch's one thread per core), whose threads then wait on each other: epochs may "
            "run tens of times slower; pass --run.threads 1 (run.threads=1)")


def close_runtime(runtime: Runtime) -> None:
    """After a run that ended well: keep the process group if :func:`init_runtime` created it,
    for the next run of this process to take over, and destroy it as the interpreter exits
    (:func:`~pidkit_distill.training.joining.keep_group`: two runs in one script under torchrun
    meet once, as meeting again failed).

    The group is destroyed at exit only where the last run that had it ended well: after an
    error the processes may be in different collective calls, and destroying the group then
    can hang the process (a gloo worker thread that waits for the interpreter lock held by the
    thread joining it, as torchtitan found); a process that exits without destroying it closes
    its connections, so the other processes' collective calls fail at once (:func:`first_stop`).
    """
    if runtime.owns_group:
        keep_group(ended_well=True)


def leave_runtime(runtime: Runtime) -> None:
    """After a failed run: keep the process group (destroying it then can hang the process,
    see :func:`close_runtime`), and let the next run of this process that finds it take it
    over, to destroy it at exit once a run has ended well (a script under torchrun that catches
    the error and trains again, which works when every process failed together)."""
    if runtime.owns_group:
        keep_group(ended_well=False)


def end_failed_process(status: int) -> None:
    """End this process now with ``status``, the command's, where a failed run left a process
    group alive (:func:`leave_runtime`); return where no group is alive (one process).

    A process that exits with its gloo or NCCL group alive can abort as Python finalizes it
    (``terminate called without an active exception``: exit -6 instead of ``status``, as
    torchrun reports it; pytorch/pytorch#190489), and destroying the group after an error can
    hang (:func:`close_runtime`). So the process is ended with :func:`os._exit`, which skips
    the finalization, once it has done what ending normally does before it: its output
    flushed, and the ``atexit`` handlers run, among them ``logging.shutdown`` (the log
    handlers flushed and closed), filelock's release of the run folder's lock,
    multiprocessing's end of DataLoader workers, ``weakref.finalize``'s clean-ups and those a
    module of the user's (``--import``) registered. The run's own files need nothing more:
    each is written whole, or atomically, before the failure is reported. Unlike Python's own
    exit, it does not wait for the threads that are not daemons (one that a user's module
    started is stopped where it is), nor does it destroy the process group.
    """
    if not (dist.is_available() and dist.is_initialized()):
        return
    _flush_output()
    atexit._run_exitfuncs()  # what the interpreter runs first as it exits, and clears
    logging.shutdown()  # a no-op where the atexit handler did it
    _flush_output()
    os._exit(status)


def _flush_output() -> None:
    """Flush ``sys.stdout`` and ``sys.stderr``; one that cannot be (its reader gone, closed) is
    left as it is, as the interpreter leaves it at exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # a closed pipe or file, or None
            continue


def wait_for_all(runtime: Runtime) -> None:
    """Return once every process of the run has reached this point (a no-op in one process).

    Called when a run has finished, before its process group is torn down: gloo aborts a process
    that destroys its group while a peer still works (e.g. rank 0 writing the last files). Not
    called after an error, so that a failed process exits and torchrun stops the others.
    """
    if runtime.distributed and dist.is_initialized():
        dist.barrier()


def ints_from_main(runtime: Runtime, values: list[int]) -> list[int]:
    """Rank 0's ``values`` (whole numbers that fit in int64, as many in every process), in every
    process (``values`` themselves in one process).

    A collective call: every process of the run must make it, at once. Each decision that only
    rank 0 can take, or value that only its copy should fix, reaches the others through it.

    Examples
    --------
    >>> ints_from_main(Runtime.single(), [3, -1])
    [3, -1]
    """
    if not (runtime.distributed and dist.is_initialized()):
        return list(values)
    sent = torch.tensor(values, dtype=torch.int64, device=runtime.device)
    dist.broadcast(sent, src=0)
    return [int(value) for value in sent.tolist()]


def from_main(runtime: Runtime, value: bool) -> bool:
    """Rank 0's ``value``, in every process (``value`` itself in one process).

    A collective call: every process of the run must make it. It lets the processes take one
    decision that only rank 0 can make (whether it holds the run folder's lock), so that none
    waits for a peer that has gone another way.
    """
    return bool(ints_from_main(runtime, [int(value)])[0])


def token_from_main(runtime: Runtime) -> int:
    """A number that rank 0 draws at random and every process of the run receives (0 in one
    process): a key of the process group's store that is this run's alone.

    A collective call: every process of the run must make it, at once. Not a count of this
    process's runs, with or without torchrun's ``TORCHELASTIC_RESTART_COUNT``: the store of
    torchrun's agent keeps its keys across a restart (``--max_restarts``), whose new processes
    count their runs from 0 again, and across a change of its nodes, which torchrun does not
    count as a restart (and where a node that joins counts from 0 while the others do not).

    Examples
    --------
    >>> token_from_main(Runtime.single())
    0
    """
    if not (runtime.distributed and dist.is_initialized()):
        return 0
    return ints_from_main(runtime, [secrets.randbits(62) if runtime.is_main else 0])[0]


def _pid_namespace() -> int:
    """A number naming this process's pid namespace on this machine's running kernel (its boot
    id and the namespace's inode), the same in two processes where each can see the other's
    process id; 0 where it cannot be read (no ``/proc``: not Linux)."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as boot:
            boot_id = int(boot.read().strip().replace("-", "")[:15], 16)
        return boot_id ^ os.stat("/proc/self/ns/pid").st_ino
    except (OSError, ValueError):
        return 0


def _peers_here(runtime: Runtime) -> tuple[int, ...]:
    """The process ids of the run's other processes in this process's pid namespace (a collective
    call: every process of the run makes it, at once); none in one process or off Linux."""
    if not (runtime.distributed and dist.is_initialized()):
        return ()
    mine = torch.tensor([_pid_namespace(), os.getpid()], dtype=torch.int64, device=runtime.device)
    every = [torch.empty_like(mine) for _ in range(dist.get_world_size())]
    dist.all_gather(every, mine)
    return tuple(int(pid) for namespace, pid in (tensor.tolist() for tensor in every)
                 if namespace == int(mine[0]) != 0 and pid != os.getpid())


def peer_ended(runtime: Runtime, *, seen_gone: bool = False) -> bool:
    """Whether a process of the run has ended, killed (SIGKILL, the OOM-killer) without a word:
    one that this process can see (on this machine: :attr:`Runtime.peers`) is gone, or
    ``seen_gone`` (a collective call failed as one went:
    :func:`~pidkit_distill.training.stop_records.peer_gone`), and no process
    has recorded a stop (:func:`first_stop`).

    Under torchrun, once one process has ended, torchrun sends SIGTERM to the others. It may
    reach a process before its collective call fails with gloo's "Connection closed by peer",
    as an interrupt with nothing to say that a process had died. torchrun ends the process
    (and reaps it) before it sends the signal, so its id is gone by then. A process that
    stopped with an error of its own or an interrupt recorded it before it ended: the process
    ids are read first, then the record, so that a process ended by a Ctrl-C or a
    scheduler's SIGTERM is never taken for a killed one.

    Examples
    --------
    >>> peer_ended(Runtime.single())
    False
    """
    ended = seen_gone
    for pid in () if ended else runtime.peers:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            ended = True
        except PermissionError:  # it exists, under another user
            pass
    if not (ended and runtime.distributed and dist.is_initialized()):
        return False
    try:
        store = _default_store()
        return store is not None and not store.check([_first_stop_key(runtime)])
    except (RuntimeError, ValueError):  # the store's host is gone
        return False


def _default_store() -> dist.Store | None:
    """The default process group's store, or ``None`` where torch has no way to it."""
    # torch has no public way to the default group's store. This accessor has been in
    # distributed_c10d from torch 1.x to 2.13; should a torch drop it, each process stops with
    # its own error, as before this record. A store of our own instead (a TCPStore client of
    # MASTER_ADDR:MASTER_PORT) would need a second connection made at start-up (one made
    # after its host has gone retries for its whole timeout), and would not exist for a group
    # the caller made with file://. Neither store is new for a torchrun restart (torch 2.13's
    # agent shares one store with every attempt, and its keys, with no prefix per attempt):
    # the key's session is this run's own (token_from_main).
    default_store = getattr(dist.distributed_c10d, "_get_default_store", None)
    return None if default_store is None else default_store()


def _first_stop_key(runtime: Runtime) -> str:
    """The key of the run's :func:`first_stop` record in the process group's store."""
    return f"pidkit_distill/first_stop/{runtime.session}"


def first_stop(runtime: Runtime, error: BaseException) -> FirstStop | None:
    """Record in the process group's store that this process stops with ``error``, unless
    another process of the run did first; return the first one (``None`` in one process, or
    when the store cannot be reached). The result is kept on ``error``
    (:func:`~pidkit_distill.training.stop_records.first_stop_of`):
    an error that leaves a run nested in another (a ``student_init`` run) is recorded once.

    Under torchrun a process that stops alone leaves the others waiting in their next
    collective call until it exits: its connections close and their call fails with gloo's
    "Connection closed by peer", or torchrun ends them with SIGTERM (with NCCL, a process
    waiting for the GPU cannot even take the signal and is killed). What each of them then
    raises says nothing of why; the first process's record does
    (:class:`~pidkit_distill.PeerStopped`), and the first process is the one that
    reports the failure (the ``pidkit-distill`` command prints its line there, and in a later
    process whose error is its own, not a PeerStopped). The record is the
    store's ``compare_set``: the first process to set it keeps it. Its key holds the run's
    ``session``, a number rank 0 drew (:func:`token_from_main`): torchrun's store outlives a
    restart with its keys, so a key that every attempt names alike (a count of the process's
    runs) gave a restarted run the stop of the attempt before.

    Examples
    --------
    >>> first_stop(Runtime.single(), ValueError("x")) is None
    True
    """
    recorded = first_stop_of(error)
    if recorded is not None:
        return recorded
    if not (runtime.distributed and dist.is_initialized()):
        return None
    interrupted = isinstance(error, KeyboardInterrupt)
    mine = f"{runtime.rank}\n{int(interrupted)}\n{stop_cause(error)}\n{one_line(error)}"
    try:
        store = _default_store()
        if store is None:
            return None
        first = store.compare_set(_first_stop_key(runtime), "", mine)
    except (RuntimeError, ValueError):  # the store's host is gone; no group after all
        return None
    rank, was_interrupted, cause, text = first.decode().split("\n", 3)
    found = FirstStop(int(rank), text, bool(int(was_interrupted)), cause)
    record_first_stop(error, found)
    return found


@contextmanager
def caller_state_kept() -> Iterator[None]:
    """Keep the caller's session and the run apart: torch's thread count, the global random
    streams, the default dtype and device are the caller's again after the block.

    A run sets ``torch.set_num_threads(run.threads)`` and seeds python's, numpy's global and
    torch's streams, CUDA's included (:func:`seed_everything`, a resumed run's saved states). In
    a notebook or a script that goes on after :func:`~pidkit_distill.training.train`, those would
    stay: every later cell on one thread, and ``torch.randn`` drawing the run's stream instead
    of the session's. The CUDA streams are kept whenever CUDA is available, also when the run is
    what first initialises CUDA (a notebook's first GPU use): the caller's seeds queued until
    then are applied first, as the caller's next CUDA call would have. The other way round, the
    block runs with torch's default dtype float32, the dtype of the trainer's data and networks,
    on the CPU as the default device (the trainer moves to ``run.device`` what goes there), and
    with gradients on and outside inference mode, whatever the caller set
    (``torch.set_default_dtype(torch.float64)`` made float64 networks meet float32 batches in
    torch's "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the
    same", ``torch.set_default_device(...)`` put the trainer's CPU-side tensors on that device,
    and ``torch.set_grad_enabled(False)`` or ``torch.inference_mode()`` left by an inference
    cell failed the first step with "element 0 of tensors does not require grad").
    Networks or inputs made in another dtype on purpose (``.double()``, ``torch.from_numpy``)
    are refused, naming them, by :func:`~pidkit_distill.check_config` and
    :func:`~pidkit_distill.training.loaders.load_data`. All is restored however the block ends
    (an error, an interrupt, a second interrupt while it restores).

    Examples
    --------
    >>> before, draw = torch.get_num_threads(), torch.random.get_rng_state()
    >>> torch.set_default_dtype(torch.float64)
    >>> with torch.inference_mode(), caller_state_kept():
    ...     torch.set_num_threads(1)
    ...     seed_everything(7)
    ...     torch.zeros(1).dtype, torch.is_grad_enabled(), torch.is_inference_mode_enabled()
    (torch.float32, True, False)
    >>> torch.get_num_threads() == before, torch.equal(torch.random.get_rng_state(), draw)
    (True, True)
    >>> torch.get_default_dtype()
    torch.float64
    >>> torch.set_default_dtype(torch.float32)
    """
    threads = torch.get_num_threads()
    try:
        # the caller's streams, dtype, device and modes are back after these blocks
        on_cpu = nullcontext() if torch.get_default_device().type == "cpu" else torch.device("cpu")
        with random_streams_kept(), float32_default(), on_cpu, torch.inference_mode(False), \
                torch.enable_grad():
            yield
    finally:
        with interrupts_deferred():  # a second Ctrl-C (stop pressed twice) restores it first
            torch.set_num_threads(threads)


@contextmanager
def random_streams_kept() -> Iterator[None]:
    """Python's, numpy's global and torch's random streams, and CUDA's where CUDA is available,
    as they were before the block, however it ends (an error, an interrupt, a second interrupt
    while they are restored).

    CUDA's are kept where it is available, not only where it is initialised: a block that
    initialises CUDA (a run's first GPU use) seeds its streams too.

    Examples
    --------
    >>> draw = torch.random.get_rng_state()
    >>> with random_streams_kept():
    ...     _ = torch.randn(3), random.random(), np.random.rand()
    >>> torch.equal(torch.random.get_rng_state(), draw)
    True
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()  # noqa: NPY002
    torch_state = torch.random.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        yield
    finally:
        with interrupts_deferred():
            random.setstate(python_state)
            np.random.set_state(numpy_state)  # noqa: NPY002 - the caller's global stream
            torch.random.set_rng_state(torch_state)
            if cuda_states is not None:
                torch.cuda.set_rng_state_all(cuda_states)


@contextmanager
def float32_default() -> Iterator[None]:
    """torch's default dtype float32, the trainer's, in the block; the caller's again after it.

    Examples
    --------
    >>> torch.set_default_dtype(torch.float64)
    >>> with float32_default():
    ...     torch.zeros(1).dtype
    torch.float32
    >>> torch.get_default_dtype()
    torch.float64
    >>> torch.set_default_dtype(torch.float32)
    """
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        yield
    finally:
        torch.set_default_dtype(dtype)


def seed_everything(seed: int) -> None:
    """Seed python's, numpy's global and torch's random streams."""
    random.seed(seed)
    np.random.seed(seed)  # noqa: NPY002 - seeds code that uses the global stream
    torch.manual_seed(seed)


def to_device(x: Tensor, y: Tensor, device: torch.device) -> tuple[Tensor, Tensor]:
    """Move a batch to ``device`` (image batches as channels_last on CUDA)."""
    x = x.to(device, non_blocking=True)
    if device.type == "cuda" and x.dim() == 4:
        x = x.contiguous(memory_format=torch.channels_last)
    return x, y.to(device, non_blocking=True)


def autocast(device: torch.device, amp: bool) -> AbstractContextManager:
    """bf16 autocast on CUDA when ``amp``; nothing otherwise (one mixed-precision path)."""
    if amp and device.type == "cuda":
        return torch.autocast(device_type="cuda", dtype=torch.bfloat16)
    return nullcontext()


def wrap_for_ddp(module: nn.Module, runtime: Runtime, *, sync_bn: bool,
                 find_unused_parameters: bool) -> nn.Module:
    """``module`` on its device, wrapped in DistributedDataParallel when there are processes.

    With ``sync_bn`` the BatchNorm layers of ``module`` are converted (in place) to synchronised
    ones first, so that their batch statistics are those of the global batch. One process:
    ``module`` itself.
    """
    if not runtime.distributed:
        return module
    device = runtime.device
    if sync_bn:
        module = convert_sync_batchnorm(module, device_type=device.type)
    return nn.parallel.DistributedDataParallel(
        module, device_ids=[runtime.local_rank] if device.type == "cuda" else None,
        find_unused_parameters=find_unused_parameters,
    )
