"""What a process of a run says when it stops: the record of the first process to stop, kept on
the error that ended the run, and what an error says of the stop (its cause, a peer gone).

:func:`~pidkit_distill.training.runtime.first_stop` finds the first process to stop through the
process group's store; :func:`record_first_stop` keeps its answer on the error and
:func:`first_stop_of` reads it back. :func:`stop_cause` is what the same error of two processes
has in common, and :func:`peer_gone` tells an error raised because another process exited from
one of this process's own. :func:`record_stop_before_meeting` and :func:`stop_before_meeting`
do for a process that stops before the processes of a torchrun run have met (no process group,
so no store of its own yet) what :func:`~pidkit_distill.training.runtime.first_stop` does later,
through the store that torchrun's agent hosts.
"""

from __future__ import annotations

import json
import os
from datetime import timedelta
from typing import NamedTuple

import torch.distributed as dist

from pidkit.command_line import one_line

__all__ = ["FirstStop", "first_stop_of", "peer_gone", "record_first_stop",
           "record_stop_before_meeting", "stop_before_meeting", "stop_cause"]


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


_AGENT_STORE_TIMEOUT_S = 5.0
"""Seconds a process that stopped before the processes met waits for torchrun's store (its
agent, on this machine or on the first node, hosts it from before the processes start)."""


def record_stop_before_meeting(rank: int, error: BaseException) -> FirstStop | None:
    """Record ``error``, with which process ``rank`` of a torchrun run stopped before the
    processes met (a check of the configuration, an ``--import``), in the store of torchrun's
    agent, unless another process recorded its own before; return the first process's stop
    (this one's where it was first), or ``None`` where no such store answers (a run started
    without torchrun, by srun or by hand: rank 0 hosts the store once the processes meet).

    Every process of a run reads the same configuration, so a mistake in it stops them all
    with the same error: the first records it and says it, named when it is not rank 0; a
    process whose error is its own (its copy of a file) says it too; torchrun's SIGTERM then
    ends the others, which read the record (:func:`stop_before_meeting`) and say nothing.
    """
    store = _agent_store()
    if store is None:
        return None
    mine = json.dumps(FirstStop(rank, one_line(error), False, stop_cause(error)))
    try:
        return FirstStop(*json.loads(store.compare_set(_stop_key(), "", mine)))
    except RuntimeError:  # the agent is gone (DistError is a RuntimeError)
        return None


def stop_before_meeting() -> FirstStop | None:
    """The stop that :func:`record_stop_before_meeting` recorded for this torchrun run, or
    ``None`` (no process stopped before the processes met, or no store of torchrun's agent
    answers)."""
    store = _agent_store()
    if store is None:
        return None
    try:
        return FirstStop(*json.loads(store.get(_stop_key()))) if store.check([_stop_key()]) \
            else None
    except RuntimeError:  # the agent is gone
        return None


def _agent_store() -> dist.Store | None:
    """A client of the store that torchrun's agent hosts at ``MASTER_ADDR:MASTER_PORT`` for its
    processes (``TORCHELASTIC_USE_AGENT_STORE=True``), or ``None`` where there is none."""
    if os.environ.get("TORCHELASTIC_USE_AGENT_STORE") != "True":
        return None
    try:
        return dist.TCPStore(os.environ["MASTER_ADDR"], int(os.environ["MASTER_PORT"]),
                             is_master=False, timeout=timedelta(seconds=_AGENT_STORE_TIMEOUT_S))
    except (KeyError, ValueError, RuntimeError):  # unset, not a port, or no agent listening
        return None


def _stop_key() -> str:
    """The store's key for the first stop before the processes met, one for each start of the
    processes by torchrun's agent (``--max-restarts`` starts them again, with the same store)."""
    return ("pidkit_distill/stop_before_meeting/"
            f"{os.environ.get('TORCHELASTIC_RESTART_COUNT', '0')}")
