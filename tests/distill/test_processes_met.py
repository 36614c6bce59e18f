"""Whether this process has met the others of its run (``joining.processes_met``), which decides
who says a check's error before the processes meet (``stop_lines.say_stop``): true from the
meeting until the run that made the group destroys it, so that a later run of the same Python
process (a notebook or script under torchrun, a test session) starts as not met."""

from __future__ import annotations

from tiny_runs import one_process_group, tiny

from pidkit_distill.training import joining, runtime


def test_a_run_that_ended_well_leaves_its_process_not_met(tmp_path, monkeypatch):
    # _MET was kept for the life of the process: after one run that met, a later run's check
    # error before its meeting went unsaid in processes other than rank 0 (test_checks_gpus
    # passed or failed by the order of the tests before it)
    one_process_group(monkeypatch)
    monkeypatch.setattr(joining, "_MET", [])
    run = runtime.init_runtime(tiny(tmp_path))
    assert run.owns_group and joining.processes_met()
    runtime.close_runtime(run)
    assert not joining.processes_met()
