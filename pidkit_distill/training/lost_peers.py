"""The run's failure where another of its processes ended without recording why (killed by
SIGKILL or the OOM-killer, or its machine gone): found by a collective call that failed
(:func:`failure_of_lost_peer`; in the processes' first calls, as they meet:
:func:`ended_as_processes_met`) or, where torchrun's SIGTERM came first, by the peer's process id
(:func:`failure_of_peer_sigterm`). Used by the epochs' error handling (``loop.fit``) and by the
collective calls a run makes outside it (``run.py``).
"""

from __future__ import annotations

import signal

from pidkit.command_line import one_line
from pidkit_distill.signals import errors_under, exit_status
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.runtime import (
    Runtime,
    peer_ended,
    rank_from_env,
    world_size_from_env,
)
from pidkit_distill.training.stop_records import FirstStop, peer_gone, record_first_stop, stop_cause

__all__ = [
    "ended_as_processes_met",
    "ended_without_message",
    "failure_of_lost_peer",
    "failure_of_peer_sigterm",
]


def failure_of_lost_peer(err: RuntimeError, runtime: Runtime, doing: str | None,
                running: int) -> TrainingError | None:
    """The run's failure where ``err`` is a collective call failing because another process of
    the run ended without recording why (:func:`~pidkit_distill.training.runtime.first_stop`):
    killed by SIGKILL or the OOM-killer, or its machine gone. ``None`` for any other error,
    which stays as it is. ``doing``: what the run did outside its epochs (``None``: in epoch
    ``running``, 1-based)."""
    if not (runtime.distributed and peer_gone(err)):
        return None
    return ended_without_message(doing, running)


def failure_of_peer_sigterm(interrupt: KeyboardInterrupt, runtime: Runtime, doing: str | None,
                 running: int) -> TrainingError | None:
    """The run's failure where ``interrupt`` is torchrun's SIGTERM, sent because another process
    of the run was killed without a word (:func:`~pidkit_distill.training.runtime.peer_ended`),
    which reached this process before its collective call failed or as it did; ``None`` for
    any other interrupt (a Ctrl-C, a scheduler's SIGTERM to every process)."""
    if not runtime.distributed or exit_status(interrupt) != 128 + signal.SIGTERM:
        return None
    seen_gone = any(peer_gone(error) for error in errors_under(interrupt))
    return ended_without_message(doing, running) if peer_ended(
        runtime, seen_gone=seen_gone) else None


def ended_as_processes_met(err: RuntimeError) -> TrainingError | None:
    """The run's failure where ``err`` is gloo's error in the first collective calls of
    :func:`~pidkit_distill.training.runtime.init_runtime` (rank 0's number for the run, the
    processes' ids) because another process ended there without a word (SIGKILL, the
    OOM-killer): this process's own stop, recorded on the error as the first (the store's record
    needs that number), so that ``pidkit-distill`` prints its line, named when it is not rank 0,
    instead of gloo's traceback. ``None`` for any other error.

    Parameters
    ----------
    err : RuntimeError
        What :func:`~pidkit_distill.training.runtime.init_runtime` raised.

    Returns
    -------
    TrainingError or None
        The run's failure "another process of the run ended without a message as the processes
        met, before any epoch", recorded as this process's first stop; ``None`` outside torchrun
        (``WORLD_SIZE`` below 2) or for an error that is not a peer's end.

    Examples
    --------
    >>> from pidkit_distill.training.lost_peers import ended_as_processes_met
    >>> ended_as_processes_met(RuntimeError("CUDA error: out of memory")) is None
    True
    """
    if world_size_from_env() < 2 or not peer_gone(err):
        return None
    failure = ended_without_message("as the processes met, before any epoch", 0).replaced(
        loading_data=True)
    record_first_stop(failure, FirstStop(rank_from_env(), one_line(failure), False,
                                         stop_cause(failure)))
    return failure


def ended_without_message(doing: str | None, running: int) -> TrainingError:
    """The run's failure once another of its processes ended without recording why, found by a
    collective call that failed (:func:`failure_of_lost_peer`) or, where torchrun's SIGTERM came first,
    by its process id (:func:`failure_of_peer_sigterm`)."""
    return TrainingError(
        "another process of the run ended without a message" + (f" {doing}" if doing else ""),
        epoch=None if doing else running, hint="its connections closed: it was killed (SIGKILL, "
        "the OOM-killer) or its machine went down; torchrun's summary names its rank, and the "
        "kernel's log (dmesg) says whether the OOM-killer ended it", kind="lost_peer")
