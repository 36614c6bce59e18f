"""The figures of seeds that ``run.early_stop`` ended at different epochs (t-498): the table of
seeds gives each seed's own last acc and atoms, at its own last epoch; the figures' mean lines
stop at the last epoch all seeds have, so the group's end is marked too, a diamond with a bar
at the table's mean ± sd, and its legend entry gives the table's number. Before, the figure
showed only the mean line ending at the first seed's stop (kd's 0.777 at epoch 3 beside the
table's 0.8200)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import test_report
from test_report_early_stop_atoms import row_cells, syn_of, with_syn_by_epoch
from test_report_early_stop_groups import early_stop_runs
from test_report_seeds import group_rows
from test_report_validation_split import val_run

from pidkit_distill import write_report
from pidkit_distill.report.figure_lines import SEED_ENDS

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved


def diamonds(ax) -> list[tuple[float, float]]:
    """Where the marks of a group's seeds' own ends stand on ``ax``."""
    return sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0]))
                  for line in ax.get_lines() if line.get_label() == f"_{SEED_ENDS['label']}")


def bars(ax) -> list[tuple[float, float, float]]:
    """The vertical bars of ``ax``'s error bars: their epoch, low and high end."""
    return sorted((float(segment[0][0]), float(segment[0][1]), float(segment[1][1]))
                  for collection in ax.collections if hasattr(collection, "get_segments")
                  for segment in collection.get_segments())


def legend(fig) -> list[str]:
    return [text.get_text() for text in fig.legends[0].get_texts()]


def titled(figures, start: str):
    return next(fig for title, fig in figures.items() if title.startswith(start))


def test_the_accuracy_figure_marks_the_tables_last_acc_at_each_seeds_own_end(tmp_path,
                                                                             figures):
    # kd's seeds ended after epochs 3, 4 and 6 (run.early_stop the first two): the table's last
    # acc is 0.8200 ± 0.0400, each seed's own last (0.78, 0.82, 0.86); the mean line stops at
    # epoch 3, where it is 0.7767, and said nothing of the table's number
    report = write_report(early_stop_runs(tmp_path), out_dir=tmp_path / "rep").read_text()
    rows = {row.split(" | ")[0]: row_cells(row) for row in group_rows(report)}
    assert rows["| kd"][6] == "0.8200 ± 0.0400 (0.7800, 0.8200, 0.8600)"
    assert rows["| bas"][6] == "0.7733 ± 0.0611 (0.7600, 0.7200, 0.8400)"
    accuracy = titled(figures, "Student")
    entries = legend(accuracy)
    assert ("kd, 3 seeds\nmean of epochs 1-3 only (all seeds have them)\n"
            "diamond: each seed's own end (epochs 3, 4, 6): 0.8200 ± 0.0400") in entries
    assert ("bas, 3 seeds\nmean of epochs 1-5 only (all seeds have them)\n"
            "diamond: each seed's own end (epochs 6, 5, 6): 0.7733 ± 0.0611") in entries
    assert entries.count(SEED_ENDS["label"]) == 1
    ax = accuracy.axes[0]
    # at the mean of the seeds' last epochs and the mean of their last accuracies, a bar of
    # ±1 sd; allclose: the mean and sd are sums of floats, not exact to the last digit
    kd, bas = [0.78, 0.82, 0.86], [0.76, 0.72, 0.84]
    np.testing.assert_allclose(diamonds(ax), [(13 / 3, np.mean(kd)), (17 / 3, np.mean(bas))])
    np.testing.assert_allclose(bars(ax), [
        (13 / 3, np.mean(kd) - np.std(kd, ddof=1), np.mean(kd) + np.std(kd, ddof=1)),
        (17 / 3, np.mean(bas) - np.std(bas, ddof=1), np.mean(bas) + np.std(bas, ddof=1))])


def test_the_pid_figures_mark_each_seeds_own_last_audit_as_the_table(tmp_path, figures):
    # kd's seeds audited at their ends, epochs 3, 4, 6: Syn 0.31, 0.42, 0.63, the table's
    # 0.453 ± 0.163; the mean line stops at epoch 3 (0.32)
    runs = early_stop_runs(tmp_path)
    with_syn_by_epoch(runs)
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    own = [syn_of(1, 3), syn_of(2, 4), syn_of(3, 6)]
    kd = next(row_cells(row) for row in group_rows(report) if row.startswith("| kd |"))
    assert kd[14] == "0.453 ± 0.163 (0.310, 0.420, 0.630)"
    atoms = titled(figures, "PID of (Y, T, S), ")
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    # bas's seeds ended after 6, 5, 6: Syn 0.61, 0.52, 0.63; allclose: sums of floats
    bas = [syn_of(1, 6), syn_of(2, 5), syn_of(3, 6)]
    np.testing.assert_allclose(diamonds(syn), [(13 / 3, np.mean(own)), (17 / 3, np.mean(bas))])
    np.testing.assert_allclose(bars(syn)[0], (13 / 3, np.mean(own) - np.std(own, ddof=1),
                                              np.mean(own) + np.std(own, ddof=1)))
    entries = legend(atoms)
    assert ("kd, 3 seeds (discrete, eb-extrapolation)\nmean only of the epochs all seeds have\n"
            "diamond: each seed's own last audit (epochs 3, 4, 6)") in entries
    assert entries.count(SEED_ENDS["label"]) == 1


def test_seeds_not_ended_at_different_epochs_have_no_mark_of_their_ends(tmp_path, figures):
    # without the summary.json that says run.early_stop ended them, kd's seeds 1 and 2 are
    # killed: the table's last acc is epoch 3's, where the mean line ends; bas's seeds are
    # ended apart still (seed 2 after epoch 5)
    runs = early_stop_runs(tmp_path)
    for run in runs:
        if run.name in ("kd-s1", "kd-s2"):
            (run / "summary.json").unlink()
    write_report(runs, out_dir=tmp_path / "rep")
    accuracy = titled(figures, "Student")
    assert "kd, 3 seeds\nmean of epochs 1-3 only (all seeds have them)" in legend(accuracy)[1]
    assert "diamond" not in legend(accuracy)[1]
    assert [x for x, _ in diamonds(accuracy.axes[0])] == pytest.approx([17 / 3])
    atoms = titled(figures, "PID of (Y, T, S), ")
    assert [x for x, _ in diamonds(atoms.axes[0])] == pytest.approx([17 / 3])


def test_seeds_early_stop_ended_at_one_epoch_have_no_mark(tmp_path, figures):
    # both seeds stopped early after epoch 3 of 6: the mean line ends where each seed does
    runs = [val_run(tmp_path / f"runs/kd-s{seed}", seed, [0.5, 0.7, 0.6], [0.6, 0.8, 0.7],
                    planned=6, stopped_early=True, method="kd") for seed in (1, 2)]
    write_report(runs, out_dir=tmp_path / "rep")
    assert {"accuracy.png", "pid_atoms.png"} <= {path.name for path in (tmp_path / "rep").iterdir()}
    for fig in figures.values():
        assert SEED_ENDS["label"] not in legend(fig)
        assert not any(diamonds(ax) for ax in fig.axes)


def test_the_figure_of_every_layer_marks_each_layers_own_last_audits(tmp_path, figures):
    # layer 0's Syn is half layer 1's: kd's seeds' own last audits of it are 0.155, 0.21, 0.315
    runs = early_stop_runs(tmp_path)
    with_syn_by_epoch(runs)
    for run in runs:
        records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
        halves = {record["epoch"]: record["syn"] / 2 for record in records if record["layer"] == 1}
        (run / "audit.jsonl").write_text("".join(json.dumps(
            {**record, "syn": halves[record["epoch"]]} if record["layer"] == 0 else record) + "\n"
            for record in records))
    write_report(runs, out_dir=tmp_path / "rep")
    every = titled(figures, "PID of (Y, T, S) per layer")
    panels = {ax.get_title(): ax for ax in every.axes}
    own = np.array([syn_of(1, 3), syn_of(2, 4), syn_of(3, 6)])
    # allclose: means of floats
    np.testing.assert_allclose(diamonds(panels["layer 1: Syn(Y:T,S)"])[0], (13 / 3, own.mean()))
    np.testing.assert_allclose(diamonds(panels["layer 0: Syn(Y:T,S)"])[0],
                               (13 / 3, own.mean() / 2))
    assert ("kd, 3 seeds (discrete, eb-extrapolation)\nmean only of the epochs all seeds have\n"
            "diamond: each seed's own last audit (epochs 3, 4, 6)") in legend(every)
