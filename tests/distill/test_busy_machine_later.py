"""A CPU run on torch's one thread per core (run.threads unset) whose machine got busy after it
started says so once, at its first epoch far slower than the earlier ones (t-410).

init_runtime reads the load average once, before the run's threads work (9a91a72, t-334: at a
load of 7.6 on 2 cores a digits epoch took 20 s instead of 0.5 s): jobs started later on a shared
machine slowed a long run tenfold with no word of why or of the fix, which a resume may take
(run.threads is a key a resume may change). The load is read again once in a run, at the first
epoch that took 4 times its fastest earlier one of its phase, less the run's own threads (they
count in the load average once they work), and never while a step runs.
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill.training import loop, runtime, train

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
THREADS = 2  # torch's threads in the run, as on a 2-core machine


@pytest.fixture
def torch_threads(monkeypatch):
    """torch reports THREADS threads to the run; the process's own count is put back after."""
    mine = torch.get_num_threads()
    monkeypatch.setattr(torch, "get_num_threads", lambda: THREADS)
    yield
    monkeypatch.undo()
    torch.set_num_threads(mine)


def _trained(monkeypatch, tmp_path, capsys, seconds: list[float], loads: list[float],
             *overrides: str) -> tuple[list[str], int]:
    """The stderr lines of a tiny run whose epochs took ``seconds`` (a clock of loop's own),
    where the load average reads ``loads`` in turn (the last one from then on), and how many
    times it was read."""
    ticks = iter([t for done, took in enumerate(seconds)
                  for t in (sum(seconds[:done]), sum(seconds[:done + 1]))])
    monkeypatch.setattr(loop, "time", SimpleNamespace(perf_counter=lambda: next(ticks)))
    reads = []

    def load_average() -> tuple[float, float, float]:
        reads.append(True)
        return loads[min(len(reads), len(loads)) - 1], 0.0, 0.0

    monkeypatch.setattr(os, "getloadavg", load_average)
    for watching in (runtime, loop):
        monkeypatch.setattr(watching, "person_is_watching", lambda: True)
    capsys.readouterr()
    train(tiny(tmp_path, f"run.epochs={len(seconds)}", *overrides))
    return capsys.readouterr().err.splitlines(), len(reads)


@pytest.mark.usefixtures("torch_threads")
def test_a_machine_busy_since_the_start_is_said_once_at_the_first_slow_epoch(
        monkeypatch, tmp_path, capsys):
    load = CORES + THREADS + 5.6  # others' 5.6 above the cores, besides the run's threads
    lines, reads = _trained(monkeypatch, tmp_path, capsys, [1.0, 1.2, 6.0, 7.0],
                            [0.0, load], "run.threads=0")
    assert lines == [
        f"warning: epoch 3 took 6.0s, 6 times epoch 1's 1.0s: the load average is {load:.1f} on "
        f"{CORES} CPU core(s), {THREADS} of it at most this run's, and run.threads is 0 (torch's "
        "one thread per core), whose threads then wait on each other; stop the run and resume "
        "it with --resume --run.threads 1 (run.resume=true, run.threads=1: a resume may change "
        "it)"]
    assert reads == 2  # at the start, and at epoch 3 only: not again at epoch 4


@pytest.mark.usefixtures("torch_threads")
@pytest.mark.parametrize(("seconds", "later_load", "reads"), [
    ([1.0, 1.2, 6.0, 7.0], CORES + THREADS - 0.1, 2),  # the run's own threads make the load
    ([1.0, 1.2, 3.9, 3.9], CORES + THREADS + 5.6, 1),  # under 4 times as long: not read again
    ([6.0, 1.0, 1.1, 1.2], CORES + THREADS + 5.6, 1),  # a slow first epoch is no slowing down
])
def test_no_line_where_the_run_itself_makes_the_load_or_no_epoch_slowed(
        monkeypatch, tmp_path, capsys, seconds, later_load, reads):
    assert _trained(monkeypatch, tmp_path, capsys, seconds, [0.0, later_load],
                    "run.threads=0") == ([], reads)


@pytest.mark.usefixtures("torch_threads")
def test_a_run_whose_threads_are_set_never_reads_the_load(monkeypatch, tmp_path, capsys):
    assert _trained(monkeypatch, tmp_path, capsys, [1.0, 1.2, 6.0, 7.0],
                    [CORES + THREADS + 5.6], "run.threads=1") == ([], 0)


def test_only_this_invocations_epochs_of_the_same_phase_are_compared():
    def history(*epochs: tuple[int, str, float]) -> list[dict]:
        return [{"epoch": epoch, "phase": phase, "time_s": seconds}
                for epoch, phase, seconds in epochs]

    warm_up_then_main = history((1, "warmup", 1.0), (2, "main", 3.9))  # RID's phases differ
    assert loop._slowed_epoch(warm_up_then_main, 1) is None
    slowed = history((1, "warmup", 1.0), (2, "main", 1.0), (3, "main", 4.0))
    assert [record["epoch"] for record in loop._slowed_epoch(slowed, 1)] == [3, 2]
    assert loop._slowed_epoch(slowed, 3) is None  # epochs 1 and 2 came before a resume
    instant = history((1, "main", 0.0), (2, "main", 5.0))  # time_s rounds a very short one to 0
    assert loop._slowed_epoch(instant, 1) is None
