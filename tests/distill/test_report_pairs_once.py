"""The lines under the table of seeds pair each experiment with each ``bas`` one of its data and
teacher source once: ``epochs_apart_notes`` worked every pair out for ``bas_pairs``, then again
for its notes, and ``pair_lines`` called both (each pair's difference taken 3 times)."""

from __future__ import annotations

import pytest
from test_report_pairs_epochs import BAS, BAS_SHORT, KD, NOTE, group, line

from pidkit_distill.report import pairs


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """(experiment, bas) of each paired difference taken while the test runs."""
    calls: list[tuple[str, str]] = []
    paired_difference = pairs.paired_difference

    def counted(experiment, baseline, *states):
        calls.append((experiment.label, baseline.label))
        return paired_difference(experiment, baseline, *states)

    monkeypatch.setattr(pairs, "paired_difference", counted)
    return calls


def test_pair_lines_takes_each_pair_once(taken):
    groups = [group("bas", "bas", BAS, 4), group("bas-2", "bas", BAS_SHORT, 2),
              group("kd", "kd", KD, 2)]
    assert pairs.pair_lines(groups) == [line("kd", KD, BAS_SHORT, "bas-2")]
    assert taken == [("kd", "bas"), ("kd", "bas-2")]  # was each of them 3 times


def test_the_note_of_other_epochs_takes_each_pair_once(taken):
    groups = [group("bas", "bas", BAS, 4), group("kd", "kd", KD, 2)]
    assert pairs.epochs_apart_notes(groups) == [NOTE]
    assert taken == [("kd", "bas")]  # was twice
    taken.clear()
    assert pairs.pair_lines(groups) == [NOTE]
    assert taken == [("kd", "bas")]
    taken.clear()
    assert pairs.bas_pairs(groups) == []
    assert taken == [("kd", "bas")]
