"""The lines under the table of seeds that pair each experiment with BAS seed by seed: its last
accuracy minus BAS's, as mean ± s.e. of the paired differences, checked against numpy on the
same accuracies (walk t-433, M4: with 2-3 seeds, mean ± sd alone cannot tell which gaps are
real)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_report_seeds import seed_run

from pidkit_distill import write_report
from pidkit_distill.report import group_table
from pidkit_distill.report.pairs import pair_lines, paired_difference
from pidkit_distill.run_folders.groups import RunGroup, group_runs
from pidkit_distill.run_folders.records import load_runs

# each seed's accuracies at epochs 1 and 2 (of 4 planned): bas and kd share seeds 1, 2 and 3,
# rid shares seed 1 only
BAS = {1: [0.70, 0.812], 2: [0.72, 0.846], 3: [0.74, 0.779]}
KD = {1: [0.60, 0.795], 2: [0.65, 0.861], 3: [0.70, 0.731]}
RID = {1: [0.50, 0.600], 4: [0.55, 0.650]}


def runs_of(tmp_path: Path, method: str, accs: dict[int, list[float]], *,
            teacher: str = "untrained") -> list[Path]:
    """A run of ``method`` for each seed of ``accs``, with that seed's accuracies."""
    return [seed_run(tmp_path / f"runs/{method}-{teacher}-s{seed}", seed, values, method=method,
                     teacher=teacher) for seed, values in accs.items()]


def hand_line(label: str, other: dict[int, list[float]], seeds: list[int], epoch: int) -> str:
    """The line of ``label`` expected under the table: numpy's mean and s.e. of the paired
    differences at ``epoch`` (1-based) over ``seeds``."""
    differences = np.array([other[seed][epoch - 1] - BAS[seed][epoch - 1] for seed in seeds])
    se = differences.std(ddof=1) / np.sqrt(len(seeds))
    return (f"{label} − bas: {differences.mean():+.4f} ± {se:.4f} (last acc at epoch {epoch}, "
            f"paired by seed: mean ± s.e. of the differences over the {len(seeds)} seeds both "
            f"ran, {', '.join(map(str, seeds[:-1]))} and {seeds[-1]})")


def test_each_experiment_sharing_seeds_with_bas_gets_its_paired_difference(tmp_path):
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "kd", KD) + runs_of(
        tmp_path, "rid", RID)
    report = write_report(runs, out_dir=tmp_path / "rep").read_text()
    expected = hand_line("kd", KD, [1, 2, 3], 2)
    # kd - bas = -0.017, +0.015, -0.048: mean -0.0167, s.e. 0.0182
    assert expected.startswith("kd − bas: -0.0167 ± 0.0182 (last acc at epoch 2, ")
    table_end = report.index("\n\n", report.index("| group | "))
    # directly under the table of seeds, the first of its notes; rid shares one seed: no line
    assert report[table_end + 2:].startswith(expected + "\n\n")
    assert "rid − bas" not in report
    # the same numbers as the rows' own: each seed's last acc of the table
    rows = {row.split(" | ")[0]: row for row in report.splitlines()
            if row.startswith(("| bas |", "| kd |"))}
    assert "(0.8120, 0.8460, 0.7790)" in rows["| bas"]
    assert "(0.7950, 0.8610, 0.7310)" in rows["| kd"]


def test_fewer_than_two_shared_seeds_say_nothing(tmp_path):
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "rid", RID)
    table = group_table(load_runs(runs))
    assert "| rid |" in table and "| bas |" in table
    assert "paired by seed" not in table


def test_only_bas_of_the_same_teacher_source_is_paired(tmp_path):
    # kd with a trained teacher beside bas with an untrained one: no pair; with both sources,
    # each kd is paired with its own source's bas only
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "kd", KD, teacher="trained")
    assert "paired by seed" not in group_table(load_runs(runs))
    runs += runs_of(tmp_path, "kd", KD)
    lines = [line for line in group_table(load_runs(runs)).splitlines()
             if "paired by seed" in line]
    assert lines == [hand_line("kd, teacher.source=untrained", KD, [1, 2, 3], 2)]


def test_a_killed_seed_pairs_at_the_last_epoch_every_paired_run_reached(tmp_path):
    # kd's seed 3 stopped after epoch 1: all three pair at epoch 1, as the row of kd averages
    killed = {**KD, 3: KD[3][:1]}
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "kd", killed)
    (line,) = [line for line in group_table(load_runs(runs)).splitlines()
               if "paired by seed" in line]
    assert line == hand_line("kd", KD, [1, 2, 3], 1)
    assert line.startswith("kd − bas: -0.0700 ± 0.0173 ")


def test_a_seed_without_an_accuracy_is_left_out_of_the_pairs(tmp_path):
    # a non-finite accuracy is written as null in metrics.jsonl: seed 2 pairs with nothing
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "kd", KD)
    metrics = tmp_path / "runs/kd-untrained-s2/metrics.jsonl"
    records = [json.loads(line) for line in metrics.read_text().splitlines()]
    records[-1]["test_acc"] = None
    metrics.write_text("".join(json.dumps(r) + "\n" for r in records))
    groups = [group for group in group_runs(load_runs(runs)) if group.label == "kd"]
    bas = next(group for group in group_runs(load_runs(runs)) if group.label == "bas")
    pair = paired_difference(groups[0], bas)
    assert pair is not None
    assert pair.seeds == [1, 3]
    assert pair.differences.tolist() == pytest.approx([0.795 - 0.812, 0.731 - 0.779])
    assert pair.se == pytest.approx(np.std([-0.017, -0.048], ddof=1) / np.sqrt(2))
    assert pair_lines(group_runs(load_runs(runs)))[0] == hand_line("kd", KD, [1, 3], 2)


def test_something_other_than_a_group_is_refused_by_name(tmp_path):
    bas = RunGroup("bas", load_runs(runs_of(tmp_path, "bas", BAS)))
    with pytest.raises(TypeError, match=r"group and baseline must be RunGroup .* got list and "
                                        r"RunGroup; group the runs first"):
        paired_difference(bas.runs, bas)


def test_groups_csv_holds_the_paired_differences_of_report_md(tmp_path):
    runs = runs_of(tmp_path, "bas", BAS) + runs_of(tmp_path, "kd", KD) + runs_of(
        tmp_path, "rid", RID)
    write_report(runs, out_dir=tmp_path / "rep")
    groups = pd.read_csv(tmp_path / "rep/groups.csv").set_index("group")
    differences = np.array([KD[seed][1] - BAS[seed][1] for seed in (1, 2, 3)])
    kd = groups.loc["kd"]
    assert (kd.vs_bas_group, kd.vs_bas_epoch, kd.vs_bas_n) == ("bas", 2, 3)
    assert (kd.vs_bas_mean, kd.vs_bas_se) == pytest.approx(
        (differences.mean(), differences.std(ddof=1) / np.sqrt(3)))
    # bas itself, and rid with one seed shared, have no pair
    columns = ["vs_bas_group", "vs_bas_epoch", "vs_bas_n", "vs_bas_mean", "vs_bas_se"]
    assert groups.loc[["bas", "rid"], columns].isna().all(axis=None)
