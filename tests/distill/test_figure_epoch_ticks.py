"""The epoch axes of the report's figures tick the epochs drawn: in both PID figures the
audited ones, by one rule (figure_lines.epoch_axis), whatever the panels' width."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import test_report
from matplotlib.backends.backend_agg import FigureCanvasAgg
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.report.figure_lines import epoch_step

figures = test_report.figures  # the fixture: the figures a report saves, by title


def _audited_every(run: Path, step: int) -> Path:
    """``run`` with the records of its audit at multiples of ``step`` only."""
    lines = (run / "audit.jsonl").read_text().splitlines()
    (run / "audit.jsonl").write_text("".join(
        line + "\n" for line in lines if json.loads(line)["epoch"] % step == 0))
    return run


def _ticks(figures: dict) -> dict[str, set[tuple[int, ...]]]:
    """The x ticks inside each panel's view, drawn as saved, by the first line of each figure's
    title."""
    ticks = {}
    for title, fig in figures.items():
        FigureCanvasAgg(fig).draw()
        shown = set()
        for ax in fig.axes:
            low, high = ax.get_xlim()
            shown.add(tuple(int(tick) for tick in ax.get_xticks() if low <= tick <= high))
        ticks[title.split("\n")[0]] = shown
    return ticks


@pytest.mark.parametrize("names", [
    # the legend beside the panels: pid_atoms_all_layers.png's narrow panels ticked 0, 3, 6
    [f"digits-{method}-tt-s0-lr005" for method in ("bas", "kd", "rid", "vid")],
    # the legend below them (long names): pid_atoms.png's wide panels ticked every epoch
    [f"digits-{method}-tt-s0-{'x' * 25}" for method in ("bas", "kd")]])
def test_both_pid_figures_tick_the_audited_epochs(tmp_path, figures, names):
    # audits at epochs 0, 2, 4, 6 (run.audit_every 2); matplotlib's ticks, as many as it thought
    # the panel's width left room for, fell on other epochs by the width
    runs = [_audited_every(fake_run(tmp_path / name, epochs=6, planned=6), 2) for name in names]
    write_report(runs, out_dir=tmp_path / "rep")
    assert _ticks(figures) == {
        "Student accuracy on the held-out set": {(1, 2, 3, 4, 5, 6)},
        "PID of (Y, T, S), innermost distilled layer (layer 1), held-out set": {(0, 2, 4, 6)},
        "PID of (Y, T, S) per layer": {(0, 2, 4, 6)}}


def test_a_run_audited_every_third_epoch_has_ticks_on_audits(tmp_path, figures):
    # 30 epochs audited every 3rd: pid_atoms_all_layers.png ticked 0, 10, 20, 30
    write_report(_audited_every(fake_run(tmp_path / "run", epochs=30, planned=30), 3),
                 out_dir=tmp_path / "rep")
    ticks = _ticks(figures)
    assert ticks["PID of (Y, T, S), innermost distilled layer (layer 1), held-out set"] == {
        (0, 6, 12, 18, 24, 30)}
    assert ticks["PID of (Y, T, S) per layer"] == {(0, 9, 18, 27)}


def test_the_step_of_epochs_is_their_greatest_common_divisor():
    assert epoch_step([0, 2, 4, 6]) == 2
    assert epoch_step([0, 5, 10, 15]) == 5
    assert epoch_step([0, 20, 40, 41]) == 1  # the last epoch's audit of a resumed run
    assert epoch_step([3, 6, 9]) == 3
    assert epoch_step([1.0, 2.5]) == 1  # not whole
    assert epoch_step([0]) == epoch_step([]) == 1
