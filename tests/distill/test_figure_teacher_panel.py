"""The I(Y;T) panel of pid_atoms.png is the teacher's: the lines of runs that share a teacher lie
on one another there, and a user took the runs drawn underneath for missing. Its title says so."""

from __future__ import annotations

import numpy as np
import test_report
from test_report import edit_audit, fake_run

from pidkit_distill import write_report

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved


def test_the_teachers_panel_says_that_the_runs_of_one_teacher_overlap(tmp_path, figures):
    runs = [fake_run(tmp_path / name, epochs=2, planned=2) for name in ("bas-s0", "kd-s0")]  # one teacher
    # their students differ (Syn): only the teacher's panel has them on one another, which the
    # legend does not say (it says so of a line under another's in every panel)
    edit_audit(runs[1], lambda record: record.update(syn=0.3))
    write_report(runs, out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items()
                 if title.startswith("PID of (Y, T, S), innermost"))
    (panel,) = [ax for ax in atoms.axes if ax.get_title().startswith("I(Y;T)")]
    assert panel.get_title() == "I(Y;T), the teacher's:\nruns of one teacher overlap"
    drawn = [line for line in panel.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in drawn] == [  # both runs, the second on the first
        "bas-s0 (discrete, eb-extrapolation)", "kd-s0 (discrete, eb-extrapolation)"]
    np.testing.assert_array_equal(drawn[0].get_xydata(), drawn[1].get_xydata())
    # the other panels keep their one-line titles
    assert [ax.get_title() for ax in atoms.axes if ax is not panel] == [
        "Red(Y:T,S)", "Uni(Y:T\\S)", "Uni(Y:S\\T)", "Syn(Y:T,S)", "I(Y;S)"]
