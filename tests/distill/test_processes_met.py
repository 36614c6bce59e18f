"""Whether this process has met the others of its run (``joining.processes_met``), which decides
who says a check's error before the processes meet (``stop_lines.say_stop``): true from the
meeting until the run that made the group ends well, so that a later run of the same Python
process (a notebook or script under torchrun, a test session) starts as not met; true again once
that later run takes over the group the first one kept."""

from __future__ import annotations

import pytest
import torch.distributed as dist
from tiny_runs import one_process_group, tiny

from pidkit_distill.training import joining, run, runtime


def test_a_run_that_ended_well_leaves_its_process_not_met(tmp_path, monkeypatch):
    # _MET was kept for the life of the process: after one run that met, a later run's check
    # error before its meeting went unsaid in processes other than rank 0 (test_checks_gpus
    # passed or failed by the order of the tests before it)
    one_process_group(monkeypatch)
    monkeypatch.setattr(joining, "_MET", [])
    try:
        first = runtime.init_runtime(tiny(tmp_path))
        assert first.owns_group and joining.processes_met()
        runtime.close_runtime(first)
        assert not joining.processes_met()
        second = runtime.init_runtime(tiny(tmp_path))  # takes over the group the first kept
        assert second.owns_group and joining.processes_met()
        runtime.close_runtime(second)
    finally:
        joining._destroy_kept_group()
    assert not dist.is_initialized()


def test_the_group_is_left_alive_at_exit_where_the_last_run_that_had_it_failed(tmp_path,
                                                                              monkeypatch):
    # destroying a group after an error can hang the process (close_runtime); a group kept by a
    # run that ended well, then taken over by one that failed, is that run's to leave
    one_process_group(monkeypatch)
    try:
        with run._run_session(tiny(tmp_path)):
            pass
        with pytest.raises(ValueError, match="my mistake"), run._run_session(tiny(tmp_path)):
            raise ValueError("my mistake")
        joining._destroy_kept_group()  # as the interpreter exits
        assert dist.is_initialized()
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
