"""A point that no segment of its line reaches keeps its marker on a long line (walk t-502
item 1): a RID run of 30 epochs trains its filter at epochs 1-4, 8, 12, ..., 28, so the
``filter_ce`` and ``filter_distill`` panels of ``losses.png`` have a value there and none at
the student's epochs between. :func:`~pidkit_distill.report.figure_lines.plot_line` thinned the
markers of a line of more than 20 records to about 20, counting the missing ones: epochs 8 and
20, each alone between gaps, lost their markers and with them every trace in the figure."""

from __future__ import annotations

import json
from itertools import pairwise

import numpy as np
import test_report
from test_report_losses import drawn, loss_run, losses_figure, panels

from pidkit_distill.report.figure_lines import marked_points

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved

FILTER_EPOCHS = [1, 2, 3, 4, 8, 12, 16, 20, 24, 28]  # RID's over 30 epochs, as metrics.jsonl has


def marked_epochs(line) -> list[int]:
    """The epochs of ``line`` drawn with a marker: those it marks that have a value."""
    epochs = np.asarray(line.get_xdata())[line.get_markevery()]
    values = np.asarray(line.get_ydata(), dtype=float)[line.get_markevery()]
    return [int(epoch) for epoch in epochs[np.isfinite(values)]]


def test_each_filter_epoch_of_a_30_epoch_rid_run_has_its_marker_in_losses_png(tmp_path, figures):
    terms = [{"filter_ce": 0.5, "filter_distill": 0.3} if epoch in FILTER_EPOCHS
             else {"ce": 1.0, "distill": 0.2} for epoch in range(1, 31)]
    run = loss_run(tmp_path / "rid", 0, terms, method="rid")
    config = json.loads((run / "config.json").read_text())
    config["run"]["epochs"] = 30
    (run / "config.json").write_text(json.dumps(config))
    drawn([run])
    by_title = panels(losses_figure(figures))
    for title in ("term filter_ce", "term filter_distill"):
        (line,) = [line for line in by_title[title].get_lines() if line.get_label() == "rid"]
        assert marked_epochs(line) == FILTER_EPOCHS, title  # 8 and 20 were left out, and 2


def test_a_lone_point_keeps_its_marker_beside_the_thinned_points_of_a_long_line():
    # epoch 2 between gaps at 1 and 3; epochs 4-30 on segments, 27 points thinned to 20
    epochs = list(range(1, 31))
    values = [np.nan if epoch in (1, 3) else 1.0 for epoch in epochs]
    marked = [epochs[i] for i in marked_points(epochs, values)]
    assert marked[:2] == [2, 4] and marked[-1] == 30 and len(marked) == 21
    assert all(1 <= b - a <= 2 for a, b in pairwise(marked[1:]))  # evenly, 27 to 20


def test_a_line_of_lone_points_only_marks_them_all_however_many():
    # every other epoch missing: no segment at all, each point shown by its marker alone
    epochs = list(range(1, 101))
    values = [1.0 if epoch % 2 else np.nan for epoch in epochs]
    marked = np.asarray(epochs)[marked_points(epochs, values)]
    assert [epoch for epoch in marked.tolist() if epoch % 2] == list(range(1, 101, 2))
