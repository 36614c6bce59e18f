"""A CPU run with run.threads unset (torch's one thread per core) says so in one line where the
machine is busy: at a load of 7.6 on 2 cores a digits epoch took 20 s instead of 0.5 s with one
thread, and nothing was printed (t-334's walk, finding 1)."""

from __future__ import annotations

import os

import pytest
from tiny_runs import tiny

from pidkit_distill.training import runtime

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _started(monkeypatch, tmp_path, capsys, load: float, *overrides: str, watched: bool = True,
             torch_threads: int = 2) -> list[str]:
    """The lines init_runtime printed on stderr for the tiny run with ``overrides``, with the
    load average of the last minute ``load``, where a person watches stderr or not (``watched``)
    and torch runs ``torch_threads`` threads unless the run sets them."""
    monkeypatch.setattr(os, "getloadavg", lambda: (load, 0.0, 0.0))
    monkeypatch.setattr(runtime, "person_is_watching", lambda: watched)
    monkeypatch.setattr(runtime.torch, "get_num_threads", lambda: torch_threads)
    capsys.readouterr()
    with runtime.caller_state_kept():  # run.threads=2 is the run's, not the next test's
        runtime.close_runtime(runtime.init_runtime(tiny(tmp_path, *overrides)))
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


def test_a_busy_machine_with_default_threads_prints_one_line_naming_the_load_and_the_fix(
        monkeypatch, tmp_path, capsys):
    lines = _started(monkeypatch, tmp_path, capsys, CORES + 5.6, "run.threads=0")
    assert lines == [f"warning: the load average is {CORES + 5.6:.1f} on {CORES} CPU core(s) "
                     "and run.threads is 0 (torch's one thread per core), whose threads then "
                     "wait on each other: epochs may run tens of times slower; pass "
                     "--run.threads 1 (run.threads=1)"]


def test_a_load_equal_to_the_cores_is_busy_and_one_just_below_is_not(monkeypatch, tmp_path,
                                                                     capsys):
    assert len(_started(monkeypatch, tmp_path, capsys, float(CORES), "run.threads=0")) == 1
    assert _started(monkeypatch, tmp_path, capsys, CORES - 0.01, "run.threads=0") == []


@pytest.mark.parametrize("overrides", [
    ["run.threads=1"],  # the user chose a count: the run keeps quiet about it
    ["run.threads=2"],
    ["run.threads=0", "run.print_every=0"],  # a run that prints nothing
])
def test_no_line_where_the_threads_are_chosen_or_the_run_prints_nothing(monkeypatch, tmp_path,
                                                                       capsys, overrides):
    assert _started(monkeypatch, tmp_path, capsys, CORES + 5.6, *overrides) == []


def test_no_line_where_the_system_knows_no_load(monkeypatch, tmp_path, capsys):
    def no_load() -> tuple[float, float, float]:
        raise OSError("no load average")

    monkeypatch.setattr(os, "getloadavg", no_load)
    capsys.readouterr()
    runtime.close_runtime(runtime.init_runtime(tiny(tmp_path, "run.threads=0")))
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(("watched", "torch_threads"), [
    (False, 2),  # a log file, a pipe, a test's captured stderr: tests read such lines exactly
    (True, 1),  # torch already on one thread (OMP_NUM_THREADS=1): nothing to advise
])
def test_no_line_where_nobody_watches_or_torch_runs_one_thread(monkeypatch, tmp_path, capsys,
                                                               watched, torch_threads):
    assert _started(monkeypatch, tmp_path, capsys, CORES + 5.6, "run.threads=0", watched=watched,
                    torch_threads=torch_threads) == []
