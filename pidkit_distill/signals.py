"""SIGTERM as an interrupt: ``kill``, ``timeout`` or a batch scheduler's pre-emption (SLURM,
Kubernetes) stop a command as Ctrl-C does.

Within :func:`sigterm_interrupts`, SIGTERM raises :class:`Terminated`, a
:class:`KeyboardInterrupt`, in the main thread, so the same code ends the work: a training run
says what its checkpoint holds and how to resume, the demo ends its worker processes.
:func:`interrupts_deferred` holds both signals back over steps that must finish together,
:func:`exit_status` gives the status a shell reports for each signal, and :func:`errors_under`
the errors that an interrupt landed in the handling of.

Examples
--------
>>> import os, signal
>>> with sigterm_interrupts():
...     try:
...         os.kill(os.getpid(), signal.SIGTERM)
...     except KeyboardInterrupt as interrupt:
...         print(repr(interrupt), exit_status(interrupt))
Terminated('SIGTERM') 143
>>> exit_status(KeyboardInterrupt())
130
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from typing import Any

__all__ = ["Terminated", "errors_under", "exit_status", "interrupts_deferred",
           "sigterm_interrupts"]


class Terminated(KeyboardInterrupt):
    """The :class:`KeyboardInterrupt` that SIGTERM raises within :func:`sigterm_interrupts`."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated(signal.Signals(signum).name)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` in the main thread (as Ctrl-C raises
    :class:`KeyboardInterrupt`); the previous handler is restored after it. Outside the main
    thread, where no signal handler can be set, nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Within the block, SIGINT and SIGTERM wait; once it ends they act through the handlers in
    force before it (raising :class:`KeyboardInterrupt` or :class:`Terminated`, or whatever those
    do). For steps that must finish together: a checkpoint written and the record that it was.
    A signal that lands as the block's own handlers go in or come out leaves the handlers before
    it in force. Outside the main thread nothing changes, nor where a handler in force was not
    set from Python (``signal.getsignal`` gives ``None``: it could not be put back).

    Examples
    --------
    >>> import os, signal
    >>> steps = []
    >>> with sigterm_interrupts():
    ...     try:
    ...         with interrupts_deferred():
    ...             os.kill(os.getpid(), signal.SIGTERM)
    ...             steps.append("finished")
    ...     except KeyboardInterrupt as interrupt:
    ...         print(steps, repr(interrupt))
    ['finished'] Terminated('SIGTERM')
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    deferred = (signal.SIGINT, signal.SIGTERM)
    # read before any is replaced: a signal that lands between two replacements finds every
    # handler put back by the finally below
    previous = {sig: signal.getsignal(sig) for sig in deferred}
    if None in previous.values():  # a handler set outside Python, which signal.signal cannot restore
        yield
        return
    caught: list[int] = []
    ended = False

    def remember(signum: int, frame: Any) -> None:
        if not ended:
            caught.append(signum)
            return
        # the block has ended, and a signal landed before this handler was put back: put it
        # back and let it act, as it would have
        signal.signal(signum, previous[signal.Signals(signum)])
        signal.raise_signal(signum)

    try:
        for sig in deferred:
            signal.signal(sig, remember)
        yield
    finally:
        ended = True
        for sig in deferred:
            signal.signal(sig, previous[sig])
        if caught:
            signal.raise_signal(caught[0])


def exit_status(interrupt: BaseException) -> int:
    """130 for an interrupt that Ctrl-C (SIGINT) started, 143 (128 + SIGTERM) for one that
    SIGTERM started, however it was re-raised (``raise ... from``): the statuses a shell gives a
    process those signals end."""
    seen: set[int] = set()
    error: BaseException | None = interrupt
    while error is not None and id(error) not in seen:
        if isinstance(error, Terminated):
            return 128 + signal.SIGTERM
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return 128 + signal.SIGINT


def errors_under(interrupt: BaseException) -> Iterator[BaseException]:
    """The errors that were being handled where ``interrupt`` was raised, the innermost first:
    its ``__context__``, that error's, and so on, each once. A signal that lands in an
    ``except`` or ``finally`` block, as an error leaves a run, carries that error there; under
    torchrun, the SIGTERM sent to every process once one has died can come just so.

    Examples
    --------
    >>> try:
    ...     try:
    ...         raise ValueError("the loss became NaN")
    ...     except ValueError:
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt as interrupt:
    ...     print(list(errors_under(interrupt)))
    [ValueError('the loss became NaN')]
    """
    seen: set[int] = set()
    error = interrupt.__context__
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        yield error
        error = error.__context__
