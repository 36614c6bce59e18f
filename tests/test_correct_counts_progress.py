"""correct_counts draws a progress bar of its subsample solves where asked (walk t-494: with
measure="gh" it ran silently for tens of minutes on a loaded machine; measured here, a 3x3x3 table
takes 1.5 s a GH solve, 37 s for the 48 subsample solves and the full sample's)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import pidkit.estimate.correction as correction
from pidkit.estimate import correct_counts, pid_from_representations

COUNTS = np.random.default_rng(0).multinomial(400, np.full(8, 1 / 8)).reshape(2, 2, 2)


def test_a_bar_counts_every_subsample_solve_of_gh(capsys, monkeypatch):
    drawn = correction.progress_bar  # redrawn at every solve, so that the last count shows
    monkeypatch.setattr(correction, "progress_bar",
                        lambda progress, **bar: drawn(progress, mininterval=0, **bar))
    shown = correct_counts(COUNTS, measure="gh", progress=True)
    err = capsys.readouterr().err
    assert "correct_counts: gh solves of subsamples" in err
    assert re.search(r"\b48/48\b", err)  # 8 repeats of halves and quarters: 8 * (2 + 4) tables
    assert shown.corrected == correct_counts(COUNTS, measure="gh", progress=False).corrected
    assert capsys.readouterr().err == ""


def test_pid_from_representations_passes_its_progress_on(capsys):
    rng = np.random.default_rng(1)
    y, t, s = rng.integers(0, 2, (3, 400))
    pid_from_representations(y, t, s, measure="gh", progress=False)
    assert capsys.readouterr().err == ""
    pid_from_representations(y, t, s, measure="gh", progress=True)
    assert "correct_counts: gh solves of subsamples" in capsys.readouterr().err


def test_a_progress_that_is_not_a_bool_is_refused_before_any_solve():
    with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 'yes' \(str\)\.$"):
        correct_counts(COUNTS, measure="gh", progress="yes")
