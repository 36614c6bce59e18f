"""A signal landing as a failed run leaves its session does not lose the run's stop (t-410).

``run._run_session`` defers SIGINT and SIGTERM while it leaves a failed run: it keeps the
process group for the next run (``leave_runtime``), records this process's stop in the group's
store (``first_stop``, through ``as_stopped``) and makes an error that only followed another
process's stop a ``PeerStopped``; the signal passes on after. A signal that landed as the error
was caught, before the deferral held, skipped all three: under torchrun (whose SIGTERM comes
once any process has died) the command printed "interrupted while no epoch was running ...:
rerun the same command" and exited 143 instead of the failure's line, the other processes found
no stop of this one, and a script's next run did not take the group over.
"""

from __future__ import annotations

import signal
from contextlib import contextmanager
from dataclasses import replace

import pytest
import torch.distributed as dist
from tiny_runs import one_process_group, sigterm_at_first_deferral, tiny

from pidkit_distill.signals import Terminated, exit_status, sigterm_interrupts
from pidkit_distill.stop_lines import failure_under
from pidkit_distill.training import run
from pidkit_distill.training.peer_stopped import PeerStopped
from pidkit_distill.training.runtime import first_stop
from pidkit_distill.training.stop_records import FirstStop, stop_cause

GLOO_PEER_EXITED = ("[/__w/pytorch/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:553] "
                    "Connection closed by peer [127.0.0.1]:6886")


def _failed_session(tmp_path, error: BaseException, *, rank_1_first: bool) -> tuple:
    """The interrupt out of a session of rank 0 of 2 whose run raised ``error`` (after rank 1
    recorded its own stop where ``rank_1_first``), the record the group's store holds then, and
    whether the next run of this process takes the group over."""
    try:
        with sigterm_interrupts(), pytest.raises(Terminated) as interrupt, \
                run._run_session(tiny(tmp_path)) as runtime:
            if rank_1_first:
                first_stop(replace(runtime, rank=1), ValueError("a bug"))
            raise error
        # read from the store: an error of no stop yet gets the run's first one
        recorded = first_stop(runtime, RuntimeError("asked later"))
        with run._run_session(tiny(tmp_path)) as again:  # a script's next run, which ends well
            taken_over = again.owns_group
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    return interrupt.value, recorded, taken_over


@pytest.mark.parametrize("when", ["before", "inside"])
def test_this_processs_failure_is_its_recorded_stop_wherever_the_sigterm_lands(
        tmp_path, monkeypatch, when):
    one_process_group(monkeypatch)
    sigterm_at_first_deferral(monkeypatch, when)
    mistake = ValueError("my mistake")
    interrupt, recorded, taken_over = _failed_session(tmp_path, mistake, rank_1_first=False)
    assert exit_status(interrupt) == 143  # the signal passes on, as the deferral passes it
    assert failure_under(interrupt) is mistake  # the command says it, not "interrupted"
    assert recorded == FirstStop(0, "my mistake", False, stop_cause(mistake))
    assert taken_over  # leave_runtime kept the group for the next run


@pytest.mark.parametrize("when", ["before", "inside"])
def test_an_error_that_followed_a_peers_stop_is_peer_stopped_wherever_the_sigterm_lands(
        tmp_path, monkeypatch, when):
    one_process_group(monkeypatch)
    sigterm_at_first_deferral(monkeypatch, when)
    gone = RuntimeError(GLOO_PEER_EXITED)
    interrupt, recorded, taken_over = _failed_session(tmp_path, gone, rank_1_first=True)
    failed = failure_under(interrupt)
    assert exit_status(interrupt) == 143
    assert (type(failed), str(failed), failed.__cause__) == (
        PeerStopped, "rank 1 of 2 failed: a bug (the other processes stopped with it)", gone)
    assert recorded.rank == 1
    assert taken_over


def test_a_second_signal_while_the_stop_is_recorded_waits_for_it(tmp_path, monkeypatch):
    # the first SIGTERM landed before the deferral held; a second one lands while the run's
    # stop is recorded after it: it waits too, and the first passes on over the run's error
    one_process_group(monkeypatch)
    deferred, entered = run.interrupts_deferred, []

    @contextmanager
    def landing():
        entered.append(True)
        if len(entered) == 1:
            signal.raise_signal(signal.SIGTERM)
        with deferred():
            signal.raise_signal(signal.SIGTERM)
            yield

    monkeypatch.setattr(run, "interrupts_deferred", landing)
    mistake = ValueError("my mistake")
    interrupt, recorded, taken_over = _failed_session(tmp_path, mistake, rank_1_first=False)
    assert len(entered) == 2
    assert failure_under(interrupt) is mistake
    assert recorded == FirstStop(0, "my mistake", False, stop_cause(mistake))
    assert taken_over


def test_a_session_left_unentered_records_no_stop_and_keeps_the_group(tmp_path, monkeypatch):
    # a signal landing as `with _run_session(config) as runtime:` took the runtime, before its
    # block began: the with statement never calls __exit__, and the session's generator is
    # closed when dropped; its GeneratorExit was recorded as rank 0's stop ("rank 0 of 2
    # failed: GeneratorExit" for the others)
    one_process_group(monkeypatch)
    try:
        session = run._run_session(tiny(tmp_path))
        runtime = session.__enter__()
        del session  # dropped unexited: its generator is closed
        recorded = first_stop(runtime, RuntimeError("asked later"))
        with run._run_session(tiny(tmp_path)) as again:
            taken_over = again.owns_group
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    assert recorded == FirstStop(0, "asked later", False, "RuntimeError: asked later")
    assert taken_over
