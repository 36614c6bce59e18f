"""The report of runs with a validation split (``data.val_fraction``) and early stopping
(``run.early_stop``): the seeds' best acc, runs.csv's and groups.csv's columns, and
accuracy.png.

User walk t-485, items 3, 5 and 6: groups.csv's ``best_acc_mean`` was the seeds' highest
held-out accuracy (bas 0.9667, where runs.csv's val-chosen ``best_acc`` was 0.9644), the table of
seeds called it optimistic beside the table of each run's "(val) ... not optimistic"; runs.csv
had no column saying which ``best_acc`` was chosen on the split, nor which run stopped early;
accuracy.png drew neither the validation accuracy, nor the best epoch, nor the early stop.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import test_report
from matplotlib.colors import to_hex
from test_report_seeds import group_rows, seed_run

from pidkit_distill import write_report
from pidkit_distill.report.figure_accuracy import BEST_EPOCH, VALIDATION
from pidkit_distill.report.figure_lines import EARLY_STOP
from pidkit_distill.run_folders.groups import group_runs
from pidkit_distill.run_folders.records import load_runs

figures = test_report.figures  # the fixture: the figures a report saves, by title

VAL_NOTE = ("A best acc marked (val) is each seed's held-out accuracy at the epoch of its best "
            "validation accuracy, chosen on the validation split (data.val_fraction) that it did "
            "not train on, so not optimistic, as its run's in the table of each run.")
TEST_NOTE = ("A seed's best acc is its highest held-out accuracy, so optimistic, as the note "
             "under the table of each run says.")


def val_run(path: Path, seed: int, tests: list[float], vals: list[float], *, planned: int,
            stopped_early: bool, method: str = "bas") -> Path:
    """A run with a validation split of a quarter (``data.val_fraction``) and ``run.early_stop``
    2, of ``planned`` epochs: ``tests`` its held-out and ``vals`` its validation accuracy at
    epochs 1, 2, ...; its summary.json says that run.early_stop ended it where
    ``stopped_early``."""
    seed_run(path, seed, tests, method=method)
    config = json.loads((path / "config.json").read_text())
    config["data"]["val_fraction"] = 0.25
    config["run"].update(early_stop=2, epochs=planned)
    (path / "config.json").write_text(json.dumps(config))
    (path / "metrics.jsonl").write_text("".join(
        json.dumps({"epoch": e, "test_acc": test, "val_acc": val, "teacher_acc": 0.9,
                    "best_val_acc": max(vals[:e])}) + "\n"
        for e, (test, val) in enumerate(zip(tests, vals, strict=True), 1)))
    if stopped_early:
        (path / "summary.json").write_text(json.dumps({"stopped_early_at": len(tests)}))
    return path


def test_a_seeds_best_acc_is_chosen_on_its_validation_split_as_in_runs_csv(tmp_path):
    runs = tmp_path / "runs"
    # best validation accuracy at epoch 2 (held-out 0.70; the highest held-out is 0.80) and at
    # epoch 1 (0.62; highest 0.78): the mean is 0.66, the sd 0.08 / sqrt(2)
    val_run(runs / "v1", 1, [0.60, 0.70, 0.80, 0.75], [0.7, 0.9, 0.85, 0.8], planned=4,
            stopped_early=False)
    val_run(runs / "v2", 2, [0.62, 0.66, 0.78, 0.72], [0.9, 0.8, 0.85, 0.8], planned=4,
            stopped_early=False)
    # the same experiment without a split: its own group, its best the highest held-out
    seed_run(runs / "p1", 1, [0.50, 0.60, 0.55, 0.52])
    seed_run(runs / "p2", 2, [0.70, 0.65, 0.60, 0.60])
    groups = group_runs(load_runs([runs / name for name in ("v1", "v2", "p1", "p2")]))
    assert [[run.name for run in group.runs] for group in groups] == [["v1", "v2"], ["p1", "p2"]]

    folder = tmp_path / "rep"
    report = write_report([runs], out_dir=folder).read_text()
    test_row, val_row = sorted(group_rows(report), key=lambda row: "val_fraction=0.25" in row)
    assert "| 0.6600 ± 0.0566 (0.7000, 0.6200) (val) |" in val_row
    assert "| 0.6500 ± 0.0707 (0.6000, 0.7000) |" in test_row
    assert VAL_NOTE in report and TEST_NOTE in report
    each = pd.read_csv(folder / "runs.csv").set_index("run")
    grouped = pd.read_csv(folder / "groups.csv").set_index("runs")
    assert each.loc[["v1", "v2"], "best_acc"].tolist() == [0.70, 0.62]
    assert each.loc[["v1", "v2"], "best_epoch"].tolist() == [2, 1]
    assert each.loc[["v1", "v2"], "best_val_acc"].tolist() == [0.9, 0.9]
    assert each.loc[["v1", "v2", "p1"], "selected_on"].tolist() == ["validation"] * 2 + ["test"]
    assert np.isnan(each.loc["p1", "best_val_acc"])
    assert each["stopped_early_at"].isna().all()  # each reached its epochs
    val_group, test_group = grouped.loc["v1 v2"], grouped.loc["p1 p2"]
    assert val_group["best_acc_mean"] == pytest.approx(each.loc[["v1", "v2"], "best_acc"].mean())
    assert val_group["best_acc_sd"] == pytest.approx(0.08 / np.sqrt(2))
    assert (val_group["selected_on"], test_group["selected_on"]) == ("validation", "test")
    assert test_group["best_acc_mean"] == pytest.approx(0.65)


def test_seeds_stopped_early_at_other_epochs_average_their_own_best_acc(tmp_path):
    # stopped early after epochs 4 and 7 of 10, their best epochs 2 (held-out 0.70) and 5
    # (0.82): the row's last acc is each seed's at its own last epoch (0.60 at 4, 0.79 at 7;
    # not seed 2's 0.70 at epoch 4, partway through its run), its best acc each seed's own
    # (best.pt)
    s1 = val_run(tmp_path / "runs/s1", 1, [0.50, 0.70, 0.65, 0.60], [0.6, 0.8, 0.7, 0.7],
                 planned=10, stopped_early=True)
    s2 = val_run(tmp_path / "runs/s2", 2, [0.50, 0.60, 0.66, 0.70, 0.82, 0.78, 0.79],
                 [0.6, 0.7, 0.75, 0.8, 0.9, 0.85, 0.88], planned=10, stopped_early=True)
    folder = tmp_path / "rep"
    (row,) = group_rows(write_report([s1, s2], out_dir=folder).read_text())
    assert "| 7/10 (early stop: seeds ended at 4, 7) |" in row
    assert "| 0.6950 ± 0.1344 (0.6000, 0.7900) | 0.7600 ± 0.0849 (0.7000, 0.8200) (val) |" in row
    each = pd.read_csv(folder / "runs.csv")
    assert each["stopped_early_at"].tolist() == [4, 7]
    assert each["state"].isna().all()  # finished
    assert (each["best_acc"].tolist(), each["best_epoch"].tolist()) == ([0.70, 0.82], [2, 5])
    (group,) = pd.read_csv(folder / "groups.csv").itertuples()
    assert group.best_acc_mean == pytest.approx(0.76)
    assert (group.epochs, group.last_acc_mean) == (7, pytest.approx(0.695))
    assert group.last_acc_sd == pytest.approx(0.19 / np.sqrt(2))

    # seed 2 killed after epoch 7 (no summary.json): still over the epochs both reached, its
    # best there chosen on the split too, epoch 4 (held-out 0.70)
    (s2 / "summary.json").unlink()
    (row,) = group_rows(write_report([s1, s2], out_dir=tmp_path / "rep2").read_text())
    assert "| 0.7000 ± 0.0000 (0.7000, 0.7000) (val) |" in row
    assert "| 4/10 (seeds reached 4, 7) | 2 (1, 2) | 0.6500 ± 0.0707 (0.6000, 0.7000) |" in row
    each = pd.read_csv(tmp_path / "rep2/runs.csv")
    assert each["stopped_early_at"].tolist()[0] == 4 and np.isnan(each["stopped_early_at"][1])
    assert each["state"][1].startswith("stopped")


def test_a_filter_epoch_is_no_best_epoch_as_the_trainer_chooses(tmp_path):
    # RID's warm-up: epochs 1-2 train its filters (phase filter), the student as it was; the
    # trainer's best epoch is one that trained the student (t-485 item 1), and so the report's
    run = val_run(tmp_path / "runs/rid", 0, [0.90, 0.90, 0.60, 0.70], [0.95, 0.95, 0.6, 0.8],
                  planned=4, stopped_early=False, method="rid")
    records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    (run / "metrics.jsonl").write_text("".join(
        json.dumps({**record, "phase": "filter" if record["epoch"] <= 2 else "student"}) + "\n"
        for record in records))
    folder = tmp_path / "rep"
    report = write_report([run], out_dir=folder).read_text()
    assert "| 0.7000 (4) (val) |" in report
    (row,) = pd.read_csv(folder / "runs.csv").itertuples()
    assert (row.best_acc, row.best_epoch, row.best_val_acc) == (0.70, 4, 0.8)


def lines_of(figure, color: str) -> list:
    """The lines of ``figure``'s axes in ``color``."""
    return [line for line in figure.axes[0].get_lines() if to_hex(line.get_color()) == color]


def test_accuracy_png_draws_the_validation_accuracy_best_epoch_and_early_stop(tmp_path,
                                                                              figures):
    lone = val_run(tmp_path / "runs/kd", 0, [0.50, 0.70, 0.65, 0.60], [0.6, 0.8, 0.7, 0.7],
                   planned=6, stopped_early=True, method="kd")
    seeds = [val_run(tmp_path / f"runs/bas-s{seed}", seed, tests, vals, planned=3,
                     stopped_early=False)
             for seed, tests, vals in ((1, [0.4, 0.6, 0.5], [0.5, 0.7, 0.6]),
                                       (2, [0.5, 0.55, 0.7], [0.6, 0.6, 0.9]))]
    plain = seed_run(tmp_path / "runs/vid", 0, [0.3, 0.5, 0.4, 0.45], method="vid")  # no split
    write_report([lone, *seeds, plain], out_dir=tmp_path / "rep")
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    drawn = {line.get_label(): line for line in accuracy.axes[0].get_lines()}
    kd_color, bas_color, vid_color = (to_hex(drawn[label].get_color())
                                      for label in ("kd", "bas, 2 seeds", "vid"))

    def points(color: str, **looks) -> list[tuple[list, list]]:
        return [(list(line.get_xdata()), list(np.round(line.get_ydata(), 6)))
                for line in lines_of(accuracy, color)
                if all(getattr(line, f"get_{key}")() == value for key, value in looks.items())]

    # the validation accuracy: the lone run's, and the mean of the seeds'
    assert points(kd_color, linestyle=":") == [([1, 2, 3, 4], [0.6, 0.8, 0.7, 0.7])]
    assert points(bas_color, linestyle=":") == [([1, 2, 3], [0.55, 0.65, 0.75])]
    # the best epoch's held-out accuracy, chosen on the split: the lone run's epoch 2, and each
    # seed's (2, 0.6) and (3, 0.7), smaller on their faint lines
    assert points(kd_color, marker="o", markersize=8) == [([2], [0.7])]
    assert points(bas_color, marker="o", markersize=6) == [([2], [0.6]), ([3], [0.7])]
    # a run without a split: its held-out line alone (dashed: an untrained teacher), with its
    # line's small markers
    assert [(line.get_linestyle(), line.get_markersize())
            for line in lines_of(accuracy, vid_color)] == [("--", 3)]
    # the square ending the run that run.early_stop ended, not a stopped run's bar
    squares = [(list(line.get_xdata()), list(line.get_ydata()))
               for line in lines_of(accuracy, "#000000") if line.get_marker() == "s"]
    assert squares == [([4], [0.6]), ([], [])]  # and its legend entry's
    assert not [line for line in lines_of(accuracy, "#000000") if line.get_marker() == "|"]
    legend = [text.get_text() for text in accuracy.legends[0].get_texts()]
    for entry in (VALIDATION, BEST_EPOCH, EARLY_STOP):
        assert legend.count(entry["label"]) == 1
