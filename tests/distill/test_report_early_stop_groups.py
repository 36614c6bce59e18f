"""The report of seeds that ``run.early_stop`` ended at different epochs (t-490): each seed's
best acc over its own epochs, told by the states the report computed (not by reading each
``summary.json`` again) and from a config without ``run``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import test_report
from test_figure_run_states import drawn
from test_report_seeds import group_rows
from test_report_validation_split import val_run

from pidkit_distill import write_report
from pidkit_distill.report.figure_lines import EARLY_STOP, ENDED
from pidkit_distill.report.groups import seed_best_records
from pidkit_distill.run_folders.groups import RunGroup
from pidkit_distill.run_folders.records import RunRecords

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved


def val_records(name: str, tests: list[float], vals: list[float],
                config: dict | None = None) -> RunRecords:
    """The records of a run ``name`` with a validation split, in a folder that does not exist
    (no summary.json to read): ``tests`` its held-out and ``vals`` its validation accuracy at
    epochs 1, 2, ...; ``config`` by default plans 10 epochs."""
    metrics = [{"epoch": e, "test_acc": test, "val_acc": val}
               for e, (test, val) in enumerate(zip(tests, vals, strict=True), 1)]
    return RunRecords(name, Path(f"/nonexistent/{name}"),
                      {"run": {"epochs": 10}} if config is None else config, metrics, [])


# stopped early after epochs 3 and 5 of 10: seed a's best validation epoch is 2 (held-out
# 0.70), b's 5 (0.82), which b reached after a stopped
STOPPED_A = ([0.50, 0.70, 0.65], [0.6, 0.8, 0.7])
STOPPED_B = ([0.50, 0.60, 0.66, 0.70, 0.82], [0.6, 0.7, 0.75, 0.8, 0.9])


def test_the_states_given_say_which_seeds_stopped_early_without_their_summary():
    group = RunGroup("kd", [val_records("a", *STOPPED_A), val_records("b", *STOPPED_B)])
    # finished ("" : run.early_stop ended each): each seed's own best epoch, b's after epoch 3
    best = seed_best_records(group, {"a": "", "b": ""})
    assert [(r["epoch"], r["test_acc"]) for r in best] == [(2, 0.70), (5, 0.82)]
    # b stopped (killed): over epochs 1-3, which both reached; b's best there is epoch 3
    best = seed_best_records(group, {"a": "", "b": "stopped"})
    assert [(r["epoch"], r["test_acc"]) for r in best] == [(2, 0.70), (3, 0.66)]
    # no states given: read from summary.json, which these runs lack, so not known to have
    # stopped early: over the epochs both reached, as before
    assert [r["epoch"] for r in seed_best_records(group)] == [2, 3]


def test_seeds_whose_config_names_no_run_epochs_are_finished():
    # a config without "run" (records a caller built): none known short of its epochs, as
    # stopped_early_at takes it, so each seed's best over all its epochs
    group = RunGroup("kd", [val_records("a", *STOPPED_A, config={}),
                            val_records("b", *STOPPED_B, config={})])
    assert [r["epoch"] for r in seed_best_records(group)] == [2, 5]
    assert [r["epoch"] for r in seed_best_records(group, {"a": "", "b": ""})] == [2, 5]


# each seed's held-out and validation accuracies at epochs 1, 2, ... of 6 planned; whether
# run.early_stop ended it is its summary.json's (val_run): kd's seeds 1 and 2 stopped after
# epochs 3 and 4, seed 3 ran to 6; bas's seed 2 stopped after 5, seeds 1 and 3 ran to 6
KD = {1: ([0.70, 0.80, 0.78], [0.7, 0.9, 0.8]),
      2: ([0.60, 0.75, 0.85, 0.82], [0.6, 0.7, 0.9, 0.8]),
      3: ([0.50, 0.60, 0.70, 0.90, 0.88, 0.86], [0.5, 0.6, 0.7, 0.9, 0.8, 0.8])}
BAS = {1: ([0.60, 0.65, 0.70, 0.72, 0.74, 0.76], [0.6, 0.7, 0.8, 0.8, 0.8, 0.9]),
       2: ([0.70, 0.80, 0.74, 0.73, 0.72], [0.7, 0.9, 0.8, 0.8, 0.8]),
       3: ([0.50, 0.70, 0.80, 0.85, 0.83, 0.84], [0.5, 0.7, 0.9, 0.9, 0.8, 0.8])}


def results(accs: dict[int, tuple[list[float], list[float]]]) -> dict[int, float]:
    """Each seed's result by hand: its held-out accuracy at the first epoch of its highest
    validation accuracy."""
    return {seed: tests[vals.index(max(vals))] for seed, (tests, vals) in accs.items()}


def early_stop_runs(tmp_path: Path) -> list[Path]:
    """kd's and bas's runs of :data:`KD` and :data:`BAS`, planned for 6 epochs."""
    return [val_run(tmp_path / f"runs/{method}-s{seed}", seed, tests, vals, planned=6,
                    stopped_early=len(tests) < 6, method=method)
            for method, accs in (("bas", BAS), ("kd", KD))
            for seed, (tests, vals) in accs.items()]


def test_seeds_early_stop_ended_at_different_epochs_pair_their_results_with_bas(tmp_path):
    kd, bas = results(KD), results(BAS)
    # by hand: kd's results 0.80 (epoch 2), 0.85 (3), 0.90 (4); bas's 0.76 (6), 0.80 (2),
    # 0.80 (3): differences +0.04, +0.05, +0.10
    assert (list(kd.values()), list(bas.values())) == ([0.80, 0.85, 0.90], [0.76, 0.80, 0.80])
    differences = np.array([kd[seed] - bas[seed] for seed in (1, 2, 3)])
    mean, se = differences.mean(), differences.std(ddof=1) / np.sqrt(3)
    assert (round(mean, 4), round(se, 4)) == (0.0633, 0.0186)
    folder = tmp_path / "rep"
    report = write_report(early_stop_runs(tmp_path), out_dir=folder).read_text()
    line = next(line for line in report.splitlines() if line.startswith("kd − bas: "))
    assert line == (
        f"kd − bas: {mean:+.4f} ± {se:.4f} (each seed's result: its held-out accuracy at its "
        "best validation epoch (best.pt, its best acc (val)), or at its last where it has no "
        "data.val_fraction, not at an epoch all reached, as run.early_stop ended seeds at "
        "different ones; paired by seed: mean ± s.e. of the differences over the 3 seeds both "
        "ran, 1, 2 and 3)")
    # the old line compared the last acc at epoch 3, the last all of them reached: kd's 0.78,
    # 0.85, 0.70 against bas's 0.70, 0.74, 0.80, a mean of +0.0300, no run's result
    assert "last acc at epoch 3" not in report
    rows = {row.split(" | ")[0]: row for row in group_rows(report)}
    # each seed's last acc at its own last epoch, beside its best acc (val), its result
    assert ("| 6/6 (early stop: seeds ended at 3, 4, 6) | 3 (1, 2, 3) | 0.8200 ± 0.0400 "
            "(0.7800, 0.8200, 0.8600) | 0.8500 ± 0.0500 (0.8000, 0.8500, 0.9000) (val) |"
            in rows["| kd"])
    assert "| 6/6 (early stop: seeds ended at 6, 5, 6) |" in rows["| bas"]
    # the atoms, like the accuracy, are each seed's own last (train audits the epoch
    # run.early_stop ended it at; test_report_early_stop_atoms checks their numbers)
    assert ("| 1 |  | discrete, eb-extrapolation; atoms and accuracy of each seed's last "
            "epoch (3, 4, 6) |" in rows["| kd"])
    assert "a seed's last acc and atoms are at its own last epoch" in report
    groups = pd.read_csv(folder / "groups.csv").set_index("group")
    assert np.isnan(groups.loc["kd", "vs_bas_epoch"])
    assert (groups.loc["kd", "vs_bas_n"], groups.loc["kd", "vs_bas_mean"],
            groups.loc["kd", "vs_bas_se"]) == (3, pytest.approx(mean), pytest.approx(se))
    assert groups.loc["kd", "last_acc_mean"] == pytest.approx(np.mean([0.78, 0.82, 0.86]))


def test_seeds_without_an_early_stop_still_pair_at_their_last_common_epoch(tmp_path):
    # kd's seed 1 killed after epoch 3 (no summary.json saying run.early_stop ended it): a
    # seed short of its epochs, so the last acc at epoch 3, every run's, as before
    runs = early_stop_runs(tmp_path)
    for run in runs:
        if run.name in ("kd-s1", "kd-s2", "bas-s2"):
            (run / "summary.json").unlink()
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    differences = np.array([KD[seed][0][2] - BAS[seed][0][2] for seed in (1, 2, 3)])
    assert (f"kd − bas: {differences.mean():+.4f} ± "
            f"{differences.std(ddof=1) / np.sqrt(3):.4f} (last acc at epoch 3, paired by seed"
            in report)
    # no note of seeds run.early_stop ended (the note of every row says what would change if
    # it had: "unless run.early_stop ended the seeds: then each seed's ... own last epoch")
    assert "a seed's last acc and atoms are at its own last epoch" not in report


def test_losses_and_pid_figures_end_an_early_stopped_line_with_its_square(tmp_path,
                                                                           figures):
    # kd stopped early after epoch 4 of 6 (its summary.json says so); bas killed after epoch 3
    # of 6 (no summary.json): a square ends kd's lines in every figure, a bar bas's
    kd = val_run(tmp_path / "kd", 0, [0.5, 0.7, 0.65, 0.6], [0.6, 0.8, 0.7, 0.7], planned=6,
                 stopped_early=True, method="kd")
    bas = val_run(tmp_path / "bas", 0, [0.5, 0.6, 0.7], [0.5, 0.6, 0.7], planned=6,
                  stopped_early=False)
    for run in (kd, bas):
        records = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        (run / "metrics.jsonl").write_text("".join(
            json.dumps({**record, "train_loss": 1 / record["epoch"]}) + "\n" for record in records))
    files = drawn([kd, bas], {"kd": "", "bas": "stopped"})
    assert {"accuracy.png", "losses.png", "pid_atoms.png"} <= set(files)

    def marks(ax, look) -> list[tuple[float, float]]:
        return [(float(line.get_xdata()[0]), round(float(line.get_ydata()[0]), 6))
                for line in ax.get_lines() if line.get_label() == f"_{look['label']}"]

    losses = next(fig for title, fig in figures.items() if title.startswith("Training loss"))
    total = losses.axes[0]
    assert marks(total, EARLY_STOP) == [(4, 0.25)]  # kd's loss at its last epoch, 1/4
    assert marks(total, ENDED) == [(3, round(1 / 3, 6))]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    assert marks(syn, EARLY_STOP) == [(4, 0.2)] and marks(syn, ENDED) == [(3, 0.2)]
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    assert marks(accuracy.axes[0], EARLY_STOP) == [(4, 0.6)]
    for fig in (losses, atoms, accuracy):
        legend = [text.get_text() for text in fig.legends[0].get_texts()]
        assert legend.count(EARLY_STOP["label"]) == legend.count(ENDED["label"]) == 1


def test_seeds_that_early_stop_ended_at_the_same_epoch_say_so_like_each_run(tmp_path):
    # both seeds stopped early after epoch 3 of 6: the row read "3/6", as if they were cut
    # short, where each run's row reads "3/6 (early stop)"
    runs = [val_run(tmp_path / f"runs/kd-s{seed}", seed, [0.5, 0.7, 0.6], [0.6, 0.8, 0.7],
                    planned=6, stopped_early=True, method="kd") for seed in (1, 2)]
    rows = group_rows(write_report(runs, out_dir=tmp_path / "rep").read_text())
    assert "| kd | " in rows[0] and "| 3/6 (early stop) | 2 (1, 2) |" in rows[0]
