"""What a process of a run says when it stops: the record of the first process to stop, kept on
the error that ended the run, and what an error says of the stop (its cause, a peer gone).

:func:`~pidkit_distill.training.runtime.first_stop` finds the first process to stop through the
process group's store; :func:`record_first_stop` keeps its answer on the error and
:func:`first_stop_of` reads it back. :func:`stop_cause` is what the same error of two processes
has in common, and :func:`peer_gone` tells an error raised because another process exited from
one of this process's own.
"""

from __future__ import annotations

from typing import NamedTuple

import torch.distributed as dist

from pidkit.command_line import one_line

__all__ = ["FirstStop", "first_stop_of", "peer_gone", "record_first_stop", "stop_cause"]


class FirstStop(NamedTuple):
    """The first process of a run that stopped with an error: its rank, its one-line message,
    whether it was an interrupt (Ctrl-C, SIGTERM), and its cause (:func:`stop_cause`)."""

    rank: int
    message: str
    interrupted: bool
    cause: str


_PEER_GONE = ("connection closed by peer", "connection reset by peer", "broken pipe",
              "connection was likely closed", "remote process exit")
"""What torch.distributed says (lowercased) once another process of the group has exited:
gloo's "Connection closed by peer" and "Connection reset by peer", the store's "Broken pipe"
and "Failed to recv, got 0 bytes. Connection was likely closed", NCCL's "remote process exited
or there was a network error"."""


def peer_gone(error: BaseException) -> bool:
    """Whether ``error`` is what torch.distributed raises in a collective call or the store once
    another process of the group has exited (a :class:`~torch.distributed.DistError`, or gloo's
    plain :class:`RuntimeError`, that says so), not an error of this process's own (a worker's
    traceback that says "Broken pipe").

    Examples
    --------
    >>> peer_gone(RuntimeError("[gloo/transport/tcp/pair.cc:537] Read error [127.0.0.1]:23956: "
    ...                        "Connection reset by peer"))
    True
    >>> peer_gone(RuntimeError("DataLoader worker (pid 7) exited: Broken pipe"))
    False
    """
    if not isinstance(error, RuntimeError):
        return False
    text = str(error).lower()
    from_torch = isinstance(error, dist.DistError) or "gloo" in text
    return from_torch and any(words in text for words in _PEER_GONE)


def stop_cause(error: BaseException) -> str:
    """What ``error`` has in common with the same error of another process of the run: the
    type and reason of a :class:`~pidkit_distill.TrainingError` (out of memory, a NaN loss),
    not where it happened, else its type and one-line message.

    Under NCCL a process can run some steps ahead of the others (its collective calls wait on
    the GPU, not in Python), so that processes that all run out of memory may do so each in
    its own step: ``out of memory ... in epoch 1, step 5 of 22`` in one, ``step 6 of 22`` in
    another. The ``pidkit-distill`` command prints one line for them, the first process's.

    Examples
    --------
    >>> from pidkit_distill import TrainingError
    >>> stop_cause(TrainingError("out of memory (OutOfMemoryError)", epoch=1, step=5))
    'TrainingError: out of memory (OutOfMemoryError)'
    >>> stop_cause(ValueError("a  bad value"))
    'ValueError: a bad value'
    """
    reason = getattr(error, "reason", None)  # a TrainingError's (its module imports this one)
    return f"{type(error).__name__}: {one_line(reason if isinstance(reason, str) else error)}"


_FIRST_STOP = "_pidkit_distill_first_stop"
"""The attribute of an error that holds the answer of
:func:`~pidkit_distill.training.runtime.first_stop` (exceptions take no weak references, so no
table can key them)."""


def record_first_stop(error: BaseException, first: FirstStop) -> None:
    """Record ``first`` as the first process to stop in the run that ``error`` ended, for
    :func:`first_stop_of`; :func:`~pidkit_distill.training.runtime.first_stop` records what the
    store answers, and a process that knows itself first where no store can answer (the store's
    host is gone) records it.

    Examples
    --------
    >>> error = ValueError("x")
    >>> record_first_stop(error, FirstStop(1, "x", False, "ValueError: x"))
    >>> first_stop_of(error).rank
    1
    """
    setattr(error, _FIRST_STOP, first)


def first_stop_of(error: BaseException) -> FirstStop | None:
    """The first process to stop in the run that ``error`` ended, as
    :func:`~pidkit_distill.training.runtime.first_stop` found it (``None``: one process, no store,
    or ``error`` ended no run).

    Examples
    --------
    >>> first_stop_of(ValueError("x")) is None
    True
    """
    return getattr(error, _FIRST_STOP, None)
