"""The table of seeds decides once per group whether ``run.early_stop`` ended its seeds
(:func:`~pidkit_distill.report.states.ended_by_early_stop`): its epochs cell, its last acc, its
atoms, the note under the table and the confidences note each decided it again (3 to 5 times a
group), and a caller without the runs' states read each seed's ``summary.json`` every time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from test_report_early_stop_groups import early_stop_runs

from pidkit_distill.report import states as run_states
from pidkit_distill.report.group_audit import group_audit
from pidkit_distill.report.groups import group_table, seed_last_accuracies
from pidkit_distill.run_folders.groups import RunGroup
from pidkit_distill.run_folders.records import RunRecords, load_runs


@pytest.fixture
def decided(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, ...]]:
    """How many times each group's runs (their names) were decided ended by ``run.early_stop``
    or not while the test runs."""
    calls: Counter[tuple[str, ...]] = Counter()
    decide = run_states.ended_by_early_stop

    def counted(runs, states=None):
        calls[tuple(run.name for run in runs)] += 1
        return decide(runs, states)

    monkeypatch.setattr(run_states, "ended_by_early_stop", counted)
    return calls


def test_the_table_of_seeds_decides_once_per_group(tmp_path, decided):
    # bas's seed 2 and kd's seeds 1 and 2 stopped early (their summary.json says so): bas was
    # decided 4 times, kd 3 (the note's any() stopped at bas), each reading the summary.json of
    # its seeds short of their epochs every time
    table = group_table(load_runs(early_stop_runs(tmp_path)))
    assert "| 6/6 (early stop: seeds ended at 3, 4, 6) |" in table  # kd, decided True
    assert "a seed's last acc and atoms are at its own last epoch" in table
    assert decided == {("bas-s1", "bas-s2", "bas-s3"): 1, ("kd-s1", "kd-s2", "kd-s3"): 1}


def early_stopped(name: str, done: int) -> RunRecords:
    """A run planned for 8 epochs that did ``done``, audited at each, in a folder that does not
    exist (no summary.json saying that run.early_stop ended it)."""
    audit = [{"epoch": e, "layer": 1, "red": 0.1 * e, "measure": "broja",
              "bias_correction": {"method": "wishart"}} for e in range(done + 1)]
    metrics = [{"epoch": e, "test_acc": 0.5 + 0.01 * e} for e in range(1, done + 1)]
    return RunRecords(name, Path(f"/nonexistent/{name}"), {"run": {"epochs": 8}}, metrics, audit)


def test_an_answer_given_is_taken_as_it_is(decided):
    group = RunGroup("kd", [early_stopped("a", 3), early_stopped("b", 8)])
    # the caller decided that run.early_stop ended a: each seed's own last epoch
    assert seed_last_accuracies(group, ended_by_early_stop=True) == (8, [0.53, 0.58])
    assert group_audit(group, ended_by_early_stop=True).epochs == (3, 8)
    assert decided == {}
    # not given: decided here, from a's summary.json, which it lacks: not ended by
    # run.early_stop, so the epochs both seeds reached
    assert seed_last_accuracies(group) == (3, [0.53, 0.53])
    assert group_audit(group).epochs == (3, 3)
    assert decided == {("a", "b"): 2}
