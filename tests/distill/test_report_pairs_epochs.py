"""An experiment is paired with BAS only at the same ``run.epochs``: a 2-epoch kd beside a 4-epoch
bas was paired at epoch 2, kd's last accuracy against bas's halfway through its schedule, in a
line that called both "last acc at epoch 2". It now gets a note instead, naming both epochs and
the run that would pair them; a bas of its own epochs still gives its line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from test_report_seeds import seed_run

from pidkit_distill import write_report
from pidkit_distill.report.pairs import bas_pairs, epochs_apart_notes, pair_lines
from pidkit_distill.run_folders.groups import RunGroup, group_runs
from pidkit_distill.run_folders.records import RunRecords, load_runs

BAS = {1: [0.70, 0.812, 0.83, 0.86], 2: [0.72, 0.846, 0.85, 0.88], 3: [0.74, 0.779, 0.80, 0.84]}
KD = {1: [0.60, 0.795], 2: [0.65, 0.861], 3: [0.70, 0.731]}
BAS_SHORT = {1: [0.68, 0.801], 2: [0.71, 0.842], 3: [0.73, 0.770]}

NOTE = ("kd is not paired with bas: kd's runs are scheduled for run.epochs 2, bas's for 4, so their "
        "difference at the last epoch both reached (2) would set the end of kd's training against "
        "bas partway through its own, which mixes the method with the training's length; rerun bas "
        "with run.epochs 2 (or kd with 4) to pair them seed by seed")


def group(label: str, method: str, accs: dict[int, list[float]], epochs: int | None) -> RunGroup:
    """An experiment of ``method``, one run per seed of ``accs``, planned for ``epochs``."""
    def run(seed: int, values: list[float]) -> RunRecords:
        config = {"method": {"name": method}, "data": {"name": "digits"},
                  "teacher": {"source": "trained"}, "run": {"seed": seed}}
        if epochs is not None:
            config["run"]["epochs"] = epochs
        metrics = [{"epoch": e, "test_acc": a} for e, a in enumerate(values, 1)]
        return RunRecords(f"{label}-s{seed}", Path(f"{label}-s{seed}"), config, metrics, [])
    return RunGroup(label, [run(seed, values) for seed, values in accs.items()])


def line(label: str, other: dict[int, list[float]], bas: dict[int, list[float]], bas_label: str) -> str:
    """numpy's mean and s.e. of ``other`` minus ``bas`` at epoch 2, over seeds 1, 2 and 3."""
    differences = np.array([other[seed][1] - bas[seed][1] for seed in (1, 2, 3)])
    se = differences.std(ddof=1) / np.sqrt(3)
    return (f"{label} − {bas_label}: {differences.mean():+.4f} ± {se:.4f} (last acc at epoch 2, "
            "paired by seed: mean ± s.e. of the differences over the 3 seeds both ran, 1, 2 and 3)")


def test_a_bas_of_other_epochs_gives_a_note_and_no_difference():
    groups = [group("bas", "bas", BAS, 4), group("kd", "kd", KD, 2)]
    assert bas_pairs(groups) == []
    assert pair_lines(groups) == [NOTE]
    # before, this line: kd's epoch 2 (its last) against bas's epoch 2 of 4
    assert line("kd", KD, BAS, "bas") not in pair_lines(groups)


def test_a_bas_of_the_same_epochs_is_paired_and_the_other_not_named():
    groups = [group("bas", "bas", BAS, 4), group("bas-2", "bas", BAS_SHORT, 2),
              group("kd", "kd", KD, 2)]
    [(paired, baseline, pair)] = bas_pairs(groups)
    assert (paired.label, baseline.label, pair.epoch, pair.seeds) == ("kd", "bas-2", 2, [1, 2, 3])
    expected = line("kd", KD, BAS_SHORT, "bas-2")
    # kd - bas-2 = -0.006, +0.019, -0.039: mean -0.0087, s.e. 0.0168
    assert expected.startswith("kd − bas-2: -0.0087 ± 0.0168 (last acc at epoch 2, ")
    assert pair_lines(groups) == [expected]
    assert epochs_apart_notes(groups) == []


def test_the_note_names_the_longer_run_whichever_is_bas():
    groups = [group("bas", "bas", {seed: accs[:2] for seed, accs in BAS.items()}, 2),
              group("kd", "kd", {seed: [*accs, 0.9, 0.9] for seed, accs in KD.items()}, 4)]
    assert pair_lines(groups) == [
        "kd is not paired with bas: kd's runs are scheduled for run.epochs 4, bas's for 2, so their "
        "difference at the last epoch both reached (2) would set the end of bas's training against "
        "kd partway through its own, which mixes the method with the training's length; rerun bas "
        "with run.epochs 4 (or kd with 2) to pair them seed by seed"]


def test_a_config_without_run_epochs_pairs_as_before():
    groups = [group("bas", "bas", {seed: accs[:2] for seed, accs in BAS.items()}, None),
              group("kd", "kd", KD, 2)]
    assert pair_lines(groups) == [line("kd", KD, BAS, "bas")]


def test_fewer_than_two_seeds_shared_gives_no_note_either():
    groups = [group("bas", "bas", BAS, 4), group("kd", "kd", {4: KD[1], 5: KD[2]}, 2)]
    assert pair_lines(groups) == []


def test_report_md_gives_the_note_and_groups_csv_no_difference(tmp_path):
    runs = [seed_run(tmp_path / f"runs/bas-s{seed}", seed, accs, method="bas", teacher="trained")
            for seed, accs in BAS.items()]
    for seed, accs in KD.items():
        path = seed_run(tmp_path / f"runs/kd-s{seed}", seed, accs, method="kd", teacher="trained")
        config = json.loads((path / "config.json").read_text())
        assert config["run"]["epochs"] == 4  # seed_run plans 4: kd's are planned for 2
        config["run"]["epochs"] = 2
        (path / "config.json").write_text(json.dumps(config))
        runs.append(path)
    assert [g.label for g in group_runs(load_runs(runs))] == ["bas", "kd"]
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    assert NOTE in report.replace("\n", " ")
    assert "kd − bas" not in report
    groups = pd.read_csv(tmp_path / "rep/groups.csv").set_index("group")
    assert groups.loc["kd", "epochs_total"] == 2 and groups.loc["bas", "epochs_total"] == 4
    assert groups.loc["kd", ["vs_bas_group", "vs_bas_epoch", "vs_bas_n", "vs_bas_mean",
                             "vs_bas_se"]].isna().all()
