"""signals.interrupts_deferred: the handlers in force before the block are in force after it,
however a signal lands as the block's own handlers go in or come out."""

from __future__ import annotations

import os
import signal

import pytest

from pidkit_distill.signals import Terminated, interrupts_deferred, sigterm_interrupts


@pytest.fixture(autouse=True)
def _handlers_put_back():
    """Each test's handlers are put back after it, should the code under test leave its own."""
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in before.items():
        signal.signal(sig, handler)


def _signal_sent_as(monkeypatch: pytest.MonkeyPatch, sent: int, when) -> None:
    """Send ``sent`` to this process right after the ``signal.signal`` call for which
    ``when(signum, handler)`` is true (once)."""
    real = signal.signal
    pending = [sent]

    def signal_then_send(signum, handler):
        previous = real(signum, handler)
        if pending and when(signum, handler):
            os.kill(os.getpid(), pending.pop())
        return previous

    monkeypatch.setattr(signal, "signal", signal_then_send)


def test_a_sigterm_as_the_block_begins_leaves_ctrl_c_as_it_was(monkeypatch):
    # SIGTERM (torchrun's, once a process died) right after SIGINT's handler was replaced,
    # before SIGTERM's: Terminated left the block's SIGINT handler in place for good, and every
    # later Ctrl-C (a notebook's stop button) was held back for a block that had ended
    before = signal.getsignal(signal.SIGINT)
    _signal_sent_as(monkeypatch, signal.SIGTERM,
                    lambda signum, handler: signum == signal.SIGINT and handler is not before)
    with sigterm_interrupts(), pytest.raises(Terminated):
        with interrupts_deferred():
            pass
    assert signal.getsignal(signal.SIGINT) is before
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C acts again
        os.kill(os.getpid(), signal.SIGINT)
        signal.getsignal(signal.SIGINT)  # a call, where Python runs a pending handler


def test_a_ctrl_c_as_the_block_ends_leaves_sigterm_as_it_was(monkeypatch):
    # Ctrl-C right after SIGINT's own handler was put back, before SIGTERM's: the interrupt left
    # the block's SIGTERM handler in place, and every later SIGTERM was held back for good
    terms: list[int] = []

    def record(signum, frame):
        terms.append(signum)

    signal.signal(signal.SIGTERM, record)
    _signal_sent_as(monkeypatch, signal.SIGINT,
                    lambda signum, handler: signum == signal.SIGINT
                    and handler is signal.default_int_handler)
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred():
            pass
    monkeypatch.undo()
    os.kill(os.getpid(), signal.SIGTERM)
    signal.getsignal(signal.SIGTERM)  # a call, where Python runs a pending handler
    assert (terms, signal.getsignal(signal.SIGTERM)) == ([signal.SIGTERM], record)


def test_signals_held_in_the_block_act_once_after_it_through_the_handlers_before_it():
    before = (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM))
    done = []
    with sigterm_interrupts(), pytest.raises(KeyboardInterrupt) as interrupt:
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)  # pressed twice: one interrupt, as before
            done.append(True)
    assert (done, type(interrupt.value)) == ([True], KeyboardInterrupt)
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_handler_set_outside_python_is_left_in_place(monkeypatch):
    # signal.getsignal gives None for a handler a C library or embedding program set; the block
    # could not put it back (signal.signal(sig, None) is a TypeError as the block ended, and every
    # atomic write runs in such a block), so it defers nothing there.
    real = signal.getsignal
    monkeypatch.setattr(signal, "getsignal", lambda sig: None if sig == signal.SIGTERM else real(sig))
    before = real(signal.SIGINT)
    steps = []
    with interrupts_deferred():
        steps.append("written")
        assert real(signal.SIGINT) is before  # nothing replaced
    assert steps == ["written"] and real(signal.SIGINT) is before
