"""The atoms of seeds that ``run.early_stop`` ended at different epochs (t-496): each seed's
own last audit of the row's layer, at the epoch its run ended (train audits it), averaged as
its last acc is, in the table of seeds and in ``groups.csv``; not those of the last epoch all
seeds audited, partway through the runs of the seeds that ran on."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report_early_stop_groups import early_stop_runs
from test_report_pairs_epochs import group
from test_report_seeds import group_rows

from pidkit_distill import write_report
from pidkit_distill.report.caveats import AUDIT_EPOCH_NOTE
from pidkit_distill.report.groups import group_table_of


def syn_of(seed: int, epoch: int) -> float:
    """The Syn that :func:`with_syn_by_epoch` writes of a seed's innermost layer (1) at an
    epoch: a tenth of the epoch plus a hundredth of the seed."""
    return round(0.1 * epoch + 0.01 * seed, 4)


def with_syn_by_epoch(runs: list[Path], cut: dict[str, int] | None = None) -> None:
    """Each run's audit of layer 1 with Syn :func:`syn_of` its seed and epoch; ``cut``: by run
    name, an epoch whose records that run lost (its last audit lines cut off)."""
    for run in runs:
        seed = json.loads((run / "config.json").read_text())["run"]["seed"]
        records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
        kept = [{**record, "syn": syn_of(seed, record["epoch"]) if record["layer"] == 1
                 else record["syn"]}
                for record in records if record["epoch"] != (cut or {}).get(run.name)]
        (run / "audit.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))


def row_cells(row: str) -> list[str]:
    """The cells of a row of the table of seeds, its group's first (``| kd``), Syn's last."""
    return row.removesuffix(" |").split(" | ")


def syn_cell(values: list[float]) -> str:
    """The Syn cell of a row by hand: mean ± sample sd, then each seed's value."""
    mean, sd = np.mean(values), np.std(values, ddof=1)
    return f"{mean:.3f} ± {sd:.3f} ({', '.join(f'{value:.3f}' for value in values)})"


def test_seeds_early_stop_ended_at_different_epochs_average_each_ones_last_audit(tmp_path):
    # kd's seeds 1, 2, 3 ended after epochs 3, 4 and 6 (run.early_stop the first two), each
    # audited at its end: Syn 0.31, 0.42 and 0.63, a mean of 0.4533 and an sd of 0.1626; the old
    # rule averaged epoch 3's, 0.31, 0.32, 0.33 (0.320 ± 0.010), two seeds partway through
    runs = early_stop_runs(tmp_path)
    with_syn_by_epoch(runs)
    own = [syn_of(1, 3), syn_of(2, 4), syn_of(3, 6)]
    assert own == [0.31, 0.42, 0.63]
    assert syn_cell(own) == "0.453 ± 0.163 (0.310, 0.420, 0.630)"
    folder = tmp_path / "rep"
    report = write_report(runs, out_dir=folder).read_text()
    rows = {row.split(" | ")[0]: row for row in group_rows(report)}
    cells = row_cells(rows["| kd"])
    # the audit epoch cell is empty, as groups.csv's audit_epoch: the estimate cell says each
    # seed's
    assert cells[9:11] == ["", "discrete, eb-extrapolation; atoms and accuracy of each seed's "
                           "last epoch (3, 4, 6)"]
    assert cells[14] == syn_cell(own)
    # bas's seed 2 ended after epoch 5, seeds 1 and 3 ran their 6
    assert row_cells(rows["| bas"])[9:11] == [
        "", "discrete, eb-extrapolation; atoms and accuracy of each seed's last epoch "
        "(6, 5, 6)"]
    assert AUDIT_EPOCH_NOTE not in report  # the atoms are of the accuracy's epochs
    assert "a seed's last acc and atoms are at its own last epoch" in report
    # groups.csv takes the same numbers; its audit_epoch is empty where the seeds' differ, each
    # seed's in runs.csv
    groups = pd.read_csv(folder / "groups.csv").set_index("group")
    assert groups.loc["kd", "syn_mean"] == pytest.approx(np.mean(own))
    assert groups.loc["kd", "syn_sd"] == pytest.approx(np.std(own, ddof=1))
    assert np.isnan(groups.loc["kd", "audit_epoch"])
    each = pd.read_csv(folder / "runs.csv").set_index("run")
    assert each.loc[["kd-s1", "kd-s2", "kd-s3"], "audit_epoch"].tolist() == [3, 4, 6]
    assert each.loc[["kd-s1", "kd-s2", "kd-s3"], "syn"].tolist() == own


def test_a_seed_whose_last_audit_was_cut_off_says_its_epoch(tmp_path):
    # kd's seed 2 lost its audit of epoch 4, its last: its atoms are of epoch 3, its accuracy
    # of epoch 4, which the estimate cell says, and the note of other epochs explains
    runs = early_stop_runs(tmp_path)
    with_syn_by_epoch(runs, cut={"kd-s2": 4})
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    cells = row_cells(next(row for row in group_rows(report) if row.startswith("| kd |")))
    assert cells[9:11] == ["", "discrete, eb-extrapolation; atoms of each seed's last "
                           "audit (epochs 3, 3, 6); accuracy of each seed's last epoch (3, 4, 6)"]
    assert cells[14] == syn_cell([0.31, 0.32, 0.63])
    assert AUDIT_EPOCH_NOTE in report


def test_seeds_not_ended_by_early_stop_keep_the_last_epoch_all_audited(tmp_path):
    # without the summary.json that says run.early_stop ended kd's seeds 1 and 2, they are
    # short of their epochs (killed): the atoms of epoch 3, the last every seed audited, beside
    # the accuracy of epoch 3, as before
    runs = early_stop_runs(tmp_path)
    with_syn_by_epoch(runs)
    for run in runs:
        if run.name in ("kd-s1", "kd-s2"):
            (run / "summary.json").unlink()
    folder = tmp_path / "rep"
    report = write_report(runs, out_dir=folder).read_text()
    cells = row_cells(next(row for row in group_rows(report) if row.startswith("| kd |")))
    assert cells[4] == "3/6 (seeds reached 3, 4, 6)"
    assert cells[9:11] == ["3", "discrete, eb-extrapolation"]
    assert cells[14] == syn_cell([0.31, 0.32, 0.33])
    groups = pd.read_csv(folder / "groups.csv").set_index("group")
    assert groups.loc["kd", "audit_epoch"] == 3
    assert groups.loc["kd", "syn_mean"] == pytest.approx(0.32)


def test_the_confidences_note_names_each_seeds_audit_epoch(tmp_path):
    # kd's seed 2 audited at 99%, seeds 1 and 3 at 95%: the note names the records the row
    # shows, each seed's last (epochs 3, 4, 6), where it named one epoch
    runs = early_stop_runs(tmp_path)
    for run in runs:
        confidence = 0.99 if run.name == "kd-s2" else 0.95
        records = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
        (run / "audit.jsonl").write_text("".join(
            json.dumps({**record, "settings": {"confidence": confidence}}) + "\n"
            for record in records))
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert ("kd, 3 seeds: the seeds' audit records of the row (layer 1, each seed's last audit, "
            "epochs 3, 4, 6) were made at other confidences, 95% (kd-s1, kd-s3) and 99% (kd-s2)"
            in report)


def test_the_note_under_the_table_says_whose_epochs_the_atoms_are_of():
    # it said, of every row, that the atoms are at the last audit epoch all seeds have, which
    # is not so where run.early_stop ended the seeds (each one's own last audit)
    table = group_table_of([group("kd", "kd", {1: [0.6, 0.7], 2: [0.65, 0.75]}, 2)])
    assert ("atoms at the last audit epoch they all have), unless run.early_stop ended the "
            "seeds: then each seed's last accuracy is of its own last epoch, and its atoms of "
            "its own last audit. Atoms below 0 are averaged as they are, unclipped") in table
