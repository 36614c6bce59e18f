"""What a process of a run raises where it only followed another process's stop:
:class:`PeerStopped`, with that process's rank and message, in place of gloo's "Connection
closed by peer" or torchrun's SIGTERM (:func:`as_stopped`).
"""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from pidkit_distill.signals import exit_status
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.runtime import Runtime, first_stop
from pidkit_distill.training.stop_records import FirstStop, peer_gone

__all__ = ["PeerStopped", "as_stopped"]
_Error = TypeVar("_Error", bound=BaseException)


class PeerStopped(TrainingError):
    """Another process of the run (under torchrun) failed or was interrupted first, and this
    one stopped with it: its collective calls failed once that process exited, or torchrun
    ended it. The message is the other process's own, with its rank.

    Attributes
    ----------
    rank, world_size : int
        The process that stopped first, and the number of processes.
    peer_message : str
        Its one-line message, which says where it stopped and what was saved.
    interrupted : bool
        It was interrupted (Ctrl-C, SIGTERM) rather than failed.
    reason : str
        The message without "(the other processes stopped with it)".
    epoch, step, n_steps, checkpoint : None
        Not known in this process (``peer_message`` says them); with ``epochs_saved`` (0),
        ``hint`` ("") and ``resume`` (``False``) they are those of :class:`TrainingError`, and
        :meth:`replaced` sets them.

    Examples
    --------
    >>> from pidkit_distill import PeerStopped
    >>> err = PeerStopped(1, 2, "cannot write 'runs/x/metrics.jsonl': No space left on device",
    ...                   interrupted=False)
    >>> print(err)
    rank 1 of 2 failed: cannot write 'runs/x/metrics.jsonl': No space left on device (the other
    processes stopped with it)
    >>> err.rank, err.epoch, err.checkpoint
    (1, None, None)
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it

    def __init__(self, rank: int, world_size: int, peer_message: str, *,
                 interrupted: bool) -> None:
        self.rank, self.world_size, self.peer_message = rank, world_size, peer_message
        self.interrupted = interrupted
        what = "was interrupted" if interrupted else "failed"
        self.reason = f"rank {rank} of {world_size} {what}: {peer_message}"
        self.epoch = self.step = self.n_steps = self.checkpoint = None
        self.epochs_saved, self.hint, self.resume, self.seeded = 0, "", False, False
        RuntimeError.__init__(self, f"{self.reason} (the other processes stopped with it)")

    def __reduce__(self) -> tuple[object, ...]:
        """Rebuilt from its arguments (see :meth:`TrainingError.__reduce__`), then its
        attributes."""
        return (partial(type(self), self.rank, self.world_size, self.peer_message,
                        interrupted=self.interrupted), (), dict(self.__dict__))

    def replaced(self, **changes: Any) -> PeerStopped:
        """This error with some of :class:`TrainingError`'s keywords changed; the message stays
        the other process's.

        Examples
        --------
        >>> from pidkit_distill import PeerStopped
        >>> PeerStopped(1, 2, "out of memory", interrupted=False).replaced(hint="lower it").hint
        'lower it'
        """
        unknown = sorted(set(changes) - set(self._keywords()))
        if unknown:
            raise TypeError(f"replaced() got unexpected keyword argument(s) {unknown}; "
                            f"expected some of {sorted(self._keywords())}")
        again = type(self)(self.rank, self.world_size, self.peer_message,
                           interrupted=self.interrupted)
        vars(again).update({**self._keywords(), **changes})
        return again


def as_stopped(err: _Error, runtime: Runtime) -> _Error | PeerStopped:
    """``err``, or the :class:`PeerStopped` that the run raises for it where it only followed
    another process's recorded stop (:func:`_followed_a_peer`), keeping the same record.

    Parameters
    ----------
    err : BaseException
        The error this process stops with.
    runtime : Runtime
        This process (:func:`~pidkit_distill.training.runtime.first_stop` reads the run's
        record of the first process to stop through it).

    Returns
    -------
    BaseException
        ``err`` itself, where it is this process's own (or there is no other process), else
        the :class:`PeerStopped` carrying the first process's message.

    Examples
    --------
    >>> import torch
    >>> from pidkit_distill.training import Runtime
    >>> from pidkit_distill.training.stop_records import FirstStop, record_first_stop
    >>> as_stopped(ValueError("mine"), Runtime.single())          # one process: its own
    ValueError('mine')
    >>> gone = RuntimeError("[gloo] Connection closed by peer")
    >>> record_first_stop(gone, FirstStop(1, "out of memory", False, "MemoryError"))
    >>> rank_0_of_2 = Runtime(torch.device("cpu"), rank=0, world_size=2, local_rank=0,
    ...                       owns_group=False)
    >>> print(as_stopped(gone, rank_0_of_2))                      # rank 1 stopped first
    rank 1 of 2 failed: out of memory (the other processes stopped with it)
    """
    first = first_stop(runtime, err)
    if first is None or first.rank == runtime.rank or not _followed_a_peer(err, first):
        return err
    stopped = PeerStopped(first.rank, runtime.world_size, first.message,
                          interrupted=first.interrupted)
    first_stop(runtime, stopped)  # the same record, kept on the new error
    return stopped


def _followed_a_peer(err: BaseException, first: FirstStop) -> bool:
    """Whether ``err`` is what a process raises when ``first``, another of the run, stopped: a
    collective call or the store failing because that process exited (a
    :class:`~torch.distributed.DistError`, or gloo's plain :class:`RuntimeError`, that says
    so: :func:`~pidkit_distill.training.stop_records.peer_gone`; the :class:`TrainingError` that
    :func:`~pidkit_distill.training.fit` raises for it) or, when ``first`` failed, torchrun's
    SIGTERM (:func:`~pidkit_distill.signals.exit_status` 143). Any other error keeps its type and
    message, however soon after ``first`` it came: this process's own (a shape mismatch,
    CUDA's out of memory, NCCL's "unhandled cuda error", its store's timeout, a DataLoader
    worker's error whose traceback says "Broken pipe"), errors every process raises together
    (a busy run folder, a NaN loss) and interrupts that reach every process (a Ctrl-C, a
    scheduler's SIGTERM: ``first`` was interrupted too). Where unsure, its own: an error of
    this process taken for the other's would be printed nowhere, while a peer's taken for this
    one's is only a second message."""
    if isinstance(err, KeyboardInterrupt):
        return exit_status(err) == 143 and not first.interrupted
    if isinstance(err, PeerStopped):
        return False
    if isinstance(err, TrainingError):  # fit's, for a process that ended without a word
        # found by gloo's error, or by torchrun's SIGTERM (runtime.peer_ended)
        return err.__cause__ is not None and _followed_a_peer(err.__cause__, first)
    return peer_gone(err)
