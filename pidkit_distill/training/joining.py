"""The meeting of a run's processes (``RANK``, ``WORLD_SIZE`` from torchrun's environment):
torch's ``init_process_group``, waited for so that the wait says what it waits for, ends after
``run.join_timeout`` seconds, and stops at once at Ctrl-C or SIGTERM.

torch waits for the other processes inside one call of its C++ store (rank 0 for every other
process to connect, the others for rank 0 to listen, then for each other's addresses), for its
whole timeout (30 minutes with gloo), in silence. Python runs a signal's handler in the main
thread only, between two of its own steps, so while that call lasted Ctrl-C and SIGTERM waited
with it: a process whose ``RANK`` and ``WORLD_SIZE`` were left in its shell sat there, deaf to
``timeout``'s SIGTERM, until ``kill -9``. :func:`join_processes` makes the call in a thread of
its own and waits for that thread in the caller's, where a signal acts at once. The processes
meet once per Python process: the group is kept for the next run (:func:`keep_group`).
"""

from __future__ import annotations

import atexit
import os
import sys
import threading
import time

import torch
import torch.distributed as dist

__all__ = ["JOIN_NOTICE_S", "JoinInterrupted", "JoinTimeout", "join_processes", "keep_group",
           "processes_met", "take_kept_group"]

JOIN_NOTICE_S = 10.0
"""Seconds of waiting for the other processes after which a process says once, on stderr, what it
waits for (under torchrun on one machine they meet within a second or two of starting)."""


class JoinTimeout(TimeoutError):
    """The processes of a run did not all join within ``run.join_timeout`` seconds, or within
    torch's own timeout (``run.join_timeout=0``), or before rank 0 closed the meeting it hosts
    under a process that had reached it (rank 0 gave up waiting, or ended). The message
    names this process, the address where they meet, and the fixes.

    Examples
    --------
    >>> from pidkit_distill.training.joining import JoinTimeout
    >>> isinstance(JoinTimeout("the other process of the run did not join"), TimeoutError)
    True
    """


class JoinInterrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM stopped the wait for the other processes of a run, before any work (raised
    from the interrupt, so that the command's exit status stays 130 or 143). The message says
    what the process waited for and how to go on: rerunning the same command would wait again.

    Examples
    --------
    >>> from pidkit_distill.training.joining import JoinInterrupted
    >>> isinstance(JoinInterrupted("interrupted while waiting for the others"), KeyboardInterrupt)
    True
    """


def join_processes(backend: str, *, rank: int, world_size: int, timeout_s: float,
                   device: torch.device | None = None) -> None:
    """``torch.distributed.init_process_group(backend, init_method="env://")``, waited for in a
    thread of its own: once the others have taken :data:`JOIN_NOTICE_S` seconds, this process
    prints on stderr what it waits for and how to stop waiting; after ``timeout_s`` seconds
    (``0``: as long as torch waits) it raises :class:`JoinTimeout`; a signal (Ctrl-C, SIGTERM
    under :func:`~pidkit_distill.signals.sigterm_interrupts`) raises :class:`JoinInterrupted`
    from it at once.

    The thread is left behind in the C++ call when this process stops waiting (an interrupt,
    the timeout): the process is meant to end then, and ends without waiting for it. In a
    process that goes on (a notebook), that call holds ``MASTER_PORT`` (rank 0) or its place at
    the meeting until torch's own timeout, so a second call while it lasts raises
    :class:`RuntimeError` saying so, instead of torch's ``EADDRINUSE``. An error of
    torch's own is raised as torch raised it, but a timeout of its store and, in a process
    other than rank 0, the loss of rank 0's store (rank 0 gave up first, as the processes of a
    run start at different times, so their ``run.join_timeout`` ends at different times; or
    rank 0 ended, killed or interrupted, which this process cannot tell apart), which are
    :class:`JoinTimeout` too.

    Parameters
    ----------
    backend : str
        ``"gloo"`` or ``"nccl"``.
    rank, world_size : int
        This process's ``RANK`` and ``WORLD_SIZE``, as read from the environment (for the
        messages; torch reads them itself).
    timeout_s : float
        ``run.join_timeout``: seconds to wait for the others, ``0`` for torch's own timeout.
    device : torch.device, optional
        The process's CUDA device, made current in the joining thread too (CUDA's current
        device is a thread's own).

    Raises
    ------
    JoinTimeout
        The others did not all come in time.
    RuntimeError
        An earlier call of this process left its thread waiting in torch's call, still there.
    JoinInterrupted
        Ctrl-C or SIGTERM came while this process waited.

    Examples
    --------
    One process on its own is a run of one, which meets nobody:

    >>> import os, socket
    >>> import torch.distributed as dist
    >>> from pidkit_distill.training.joining import join_processes
    >>> with socket.socket() as free:
    ...     free.bind(("127.0.0.1", 0))
    ...     port = str(free.getsockname()[1])
    >>> before = dict(os.environ)
    >>> os.environ.update(RANK="0", WORLD_SIZE="1", MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
    >>> join_processes("gloo", rank=0, world_size=1, timeout_s=30)
    >>> dist.get_world_size()
    1
    >>> dist.destroy_process_group()
    >>> os.environ.clear(); os.environ.update(before)
    """
    left = [thread for thread in _LEFT_WAITING if thread.is_alive()]
    _LEFT_WAITING[:] = left
    if left:
        raise RuntimeError(
            f"this process cannot meet the others again yet: {_where(rank, world_size)}, but an "
            "earlier wait of this process for them (stopped by run.join_timeout or an interrupt) "
            "is still inside torch's init_process_group, holding that meeting until torch's own "
            "timeout (30 min with gloo, 10 with nccl); restart the Python process (the "
            "notebook's kernel) to meet them, or unset RANK and WORLD_SIZE to train in one "
            "process")
    failures: list[BaseException] = []

    def join() -> None:
        try:
            if device is not None and device.type == "cuda":
                torch.cuda.set_device(device)
            dist.init_process_group(backend=backend, init_method="env://")
        except BaseException as error:  # raised again in the waiting thread
            failures.append(error)

    joining = threading.Thread(target=join, name="pidkit_distill-join", daemon=True)
    started = time.monotonic()
    joining.start()
    try:
        joining.join(JOIN_NOTICE_S if timeout_s == 0 else min(JOIN_NOTICE_S, timeout_s))
        if joining.is_alive() and not (timeout_s and time.monotonic() - started >= timeout_s):
            print(_waiting_line(rank, world_size, timeout_s), file=sys.stderr, flush=True)
            joining.join(None if timeout_s == 0
                         else max(0.0, timeout_s - (time.monotonic() - started)))
    except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM's Terminated: exit 130 or 143
        _LEFT_WAITING.append(joining)
        raise JoinInterrupted(f"interrupted while waiting for {_others(world_size)} to join, "
                              f"before any work (no run folder was made): "
                              f"{_where(rank, world_size)}; {_fix(world_size)}") from interrupt
    if joining.is_alive():
        _LEFT_WAITING.append(joining)
        raise JoinTimeout(_missing_line(rank, world_size, timeout_s))
    if failures:
        error = failures[0]
        text = str(error).lower()
        if isinstance(error, dist.DistError) and ("timed out" in text or "timeout" in text):
            waited = f"{time.monotonic() - started:.0f}"
            raise JoinTimeout(_missing_line(rank, world_size, timeout_s, torch_waited=waited)) \
                from error
        if rank != 0 and isinstance(error, dist.DistNetworkError):  # rank 0's store went away
            said = (str(error).strip() or type(error).__name__).splitlines()[0]
            raise JoinTimeout(_missing_line(rank, world_size, timeout_s, closed=said)) from error
        raise error
    _MET.append(rank)


def processes_met() -> bool:
    """Whether this process has met the others of its run (:func:`join_processes` returned);
    a process that stops before then stops alone, with no process group through which the
    others could learn why."""
    return bool(_MET)


def keep_group(*, ended_well: bool) -> None:
    """Keep the process group that a run of this process made, which has ended (well where
    ``ended_well``), for the next run of this process to take over (:func:`take_kept_group`).

    Destroying it and meeting again in the next run (a script under torchrun that calls
    ``train_teacher`` then ``train``) failed: torch names every default group alike, and
    torchrun's store outlives the first group with its keys, so the second meeting read the
    first group's addresses (rank 1 died in gloo's ``connectFullMesh``, "Connection refused",
    or every process waited ``run.join_timeout`` for the others, which were there). A group
    kept by a run that ended well is destroyed as the interpreter exits, one kept by a failed
    run is not (destroying it after an error can hang the process). After a run that ended
    well, :func:`processes_met` is false until the next run takes the group over, so that a
    check's error before that run is said by every process.
    """
    if dist.is_initialized():
        _KEPT_GROUP[:] = [dist.group.WORLD, ended_well]
        if ended_well:
            _MET.clear()


def take_kept_group(rank: int) -> bool:
    """Whether the process group in force is one that an earlier run of this process, rank
    ``rank``, kept (:func:`keep_group`), now this run's to keep in turn; every process of the
    run takes it over alike, so where that run ended well they have met again."""
    kept = bool(_KEPT_GROUP) and dist.is_initialized() and _KEPT_GROUP[0] is dist.group.WORLD
    if kept and _KEPT_GROUP[1]:
        _MET.append(rank)
    _KEPT_GROUP.clear()
    return kept


@atexit.register
def _destroy_kept_group() -> None:
    """Destroy, as the interpreter exits, the process group that a run that ended well kept
    (:func:`keep_group`); leave one that a failed run kept."""
    if _KEPT_GROUP and _KEPT_GROUP[1] and dist.is_initialized() \
            and _KEPT_GROUP[0] is dist.group.WORLD:
        dist.destroy_process_group()
    _KEPT_GROUP.clear()


_MET: list[int] = []
"""The rank of each meeting of this process with the others (:func:`join_processes`, or
:func:`take_kept_group` of a group that a run that ended well kept) since a run that ended well
last kept the group (:func:`keep_group`)."""


_KEPT_GROUP: list[object] = []
"""The process group that a run of this process kept for the next run, and whether that run
ended well (:func:`keep_group`); empty if none."""


_LEFT_WAITING: list[threading.Thread] = []
"""The threads of :func:`join_processes` that this process stopped waiting for, still in
torch's call when last looked at."""


def _others(world_size: int) -> str:
    """The processes this one waits for."""
    if world_size == 2:
        return "the other process of the run"
    return f"the other {world_size - 1} processes of the run"


def _where(rank: int, world_size: int) -> str:
    """What makes this process one of several, and where they meet."""
    given = (f"RANK={os.environ['RANK']} and " if "RANK" in os.environ else "")
    makes = "make" if "RANK" in os.environ else "makes"
    meeting = (f"{os.environ.get('MASTER_ADDR', '?')}:{os.environ.get('MASTER_PORT', '?')} "
               "(MASTER_ADDR:MASTER_PORT)")
    return (f"{given}WORLD_SIZE={world_size} in the environment {makes} this process rank "
            f"{rank} of {world_size}, meeting the others at {meeting}")


def _fix(world_size: int) -> str:
    """How to go on."""
    return (f"start the others (torchrun starts them all: torchrun --nproc_per_node {world_size} "
            "-m pidkit_distill ...), or unset RANK and WORLD_SIZE to train in one process")


def _waiting_line(rank: int, world_size: int, timeout_s: float) -> str:
    """The line a process prints once it has waited :data:`JOIN_NOTICE_S` seconds.

    Examples
    --------
    >>> import os
    >>> os.environ.update(RANK="0", MASTER_ADDR="127.0.0.1", MASTER_PORT="29555")
    >>> print(_waiting_line(0, 2, 300.0))
    waiting for the other process of the run to join: RANK=0 and WORLD_SIZE=2 in the \
environment make this process rank 0 of 2, meeting the others at 127.0.0.1:29555 \
(MASTER_ADDR:MASTER_PORT); start the others (torchrun starts them all: torchrun \
--nproc_per_node 2 -m pidkit_distill ...), or unset RANK and WORLD_SIZE to train in one \
process; it waits up to 300 s (run.join_timeout)
    >>> for name in ("RANK", "MASTER_ADDR", "MASTER_PORT"):
    ...     del os.environ[name]
    """
    limit = ("as long as torch does (run.join_timeout=0)" if timeout_s == 0
             else f"up to {timeout_s:g} s (run.join_timeout)")
    return (f"waiting for {_others(world_size)} to join: {_where(rank, world_size)}; "
            f"{_fix(world_size)}; it waits {limit}")


def _missing_line(rank: int, world_size: int, timeout_s: float, *,
                  torch_waited: str | None = None, closed: str | None = None) -> str:
    """:class:`JoinTimeout`'s message, after ``timeout_s`` seconds, where torch's own timeout
    came first after ``torch_waited``, or where rank 0's meeting point closed under a process
    that had reached it (``closed``: what torch said)."""
    if closed is not None:
        within = (f"before rank 0, which hosts their meeting, closed it (rank 0 gave up waiting "
                  f"after its own run.join_timeout, or it ended: its own output says which; "
                  f"torch: {closed})")
    elif torch_waited is None:
        within = f"within {timeout_s:g} s (run.join_timeout)"
    else:
        within = (f"within {torch_waited} s, torch's own timeout (run.join_timeout="
                  f"{timeout_s:g})")
    did_not = "did not join" if world_size == 2 else "did not all join"
    return (f"{_others(world_size)} {did_not} {within}: {_where(rank, world_size)}; "
            f"{_fix(world_size)}; where they are slow to start, give them longer: --set "
            "run.join_timeout=SECONDS")
