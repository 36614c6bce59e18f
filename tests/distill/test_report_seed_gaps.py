"""A group's mean where some seed has no value at an epoch (its audit's solve failed): drawn
apart from the line of all seeds, as a hollow marker with the count of seeds beside it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import test_report
from matplotlib.collections import PolyCollection
from test_report_seeds import seed_run

from pidkit_distill import write_report

figures = test_report.figures  # the fixture: the figures a report saves, by title


def failed_at(path: Path, epoch: int) -> None:
    """Make the audit of the run folder ``path`` at ``epoch`` a solve that failed: no atoms."""
    records = [json.loads(line) for line in (path / "audit.jsonl").read_text().splitlines()]
    for record in records:
        if record["epoch"] == epoch:
            record.update(status="failed", message="solver failed",
                          **dict.fromkeys(("red", "uni_t", "uni_s", "syn")))
    (path / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))


def test_a_mean_of_fewer_seeds_is_a_hollow_marker_off_the_line(tmp_path, figures):
    # seed 2's last audit failed: the mean line of Syn went on from 0.4 (both seeds) to 0.3
    # (seed 1 alone), as if it were the mean of both; only an X on the epoch axis hinted at it
    runs = [seed_run(tmp_path / "runs/bas-s1", 1, [0.7, 0.8, 0.85], syn=0.3),
            seed_run(tmp_path / "runs/bas-s2", 2, [0.72, 0.82, 0.86], syn=0.5)]
    failed_at(runs[1], 3)
    write_report(runs, out_dir=tmp_path / "rep")
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    lines = syn.get_lines()
    mean = next(line for line in lines if line.get_label().startswith("bas, 2 seeds"))
    assert list(mean.get_xdata()) == [0, 1, 2, 3]
    assert np.allclose(mean.get_ydata()[:3], [0.4, 0.4, 0.4])
    assert np.isnan(mean.get_ydata()[3])  # no line to epoch 3
    (hollow,) = [line for line in lines if line.get_fillstyle() == "none"
                 and line.get_color() == mean.get_color()]
    assert (list(hollow.get_xdata()), list(hollow.get_ydata())) == ([3], [0.3])
    assert hollow.get_marker() == mean.get_marker()
    assert [(text.get_text(), text.xy) for text in syn.texts] == [("1/2", (3, 0.3))]
    (band,) = [c for c in syn.collections if isinstance(c, PolyCollection)]
    assert band.get_paths()[0].vertices[:, 0].max() == 2  # the ±1 sd band stops at epoch 2
    assert "hollow: mean of fewer seeds (how many above it); no line there" in [
        text.get_text() for text in atoms.legends[0].get_texts()]
    # I(Y;T) has a value for both seeds at every epoch: one line, nothing hollow
    i_yt = next(ax for ax in atoms.axes if ax.get_title().startswith("I(Y;T),"))
    assert not [line for line in i_yt.get_lines() if line.get_fillstyle() == "none"
                and len(line.get_xdata())]
    assert not i_yt.texts
