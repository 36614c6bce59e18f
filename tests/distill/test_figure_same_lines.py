"""A line of a figure that a later one covers says so in its legend entry: in the demo, BAS
ignores the teacher, so ``synthetic-bas-tt`` was drawn exactly under ``synthetic-bas-ut`` in
accuracy.png and could not be seen, though the legend listed it (t-392 section 6); in
pid_atoms.png of runs killed after their epoch-0 audit, int-run's one point lay under k9's and
k9b's, the audits of the same untrained networks (t-444, t-446)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import test_report
from test_report import fake_run
from test_report_seeds import seed_run

from pidkit_distill.report.figure_lines import same_line_notes
from pidkit_distill.report.figures import draw_figures
from pidkit_distill.run_folders.groups import group_runs
from pidkit_distill.run_folders.records import load_runs, with_distinct_names

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved


def legends(paths: list[Path], figures) -> dict[str, list[str]]:
    """The legend entries of each figure of the run folders ``paths``, by the start of its
    title: ``Student accuracy``, ``PID of (Y, T, S), `` (pid_atoms.png) and ``PID of (Y, T, S)
    per`` (pid_atoms_all_layers.png)."""
    draw_figures(group_runs(with_distinct_names(load_runs([str(path) for path in paths]))))
    starts = ("Student accuracy", "PID of (Y, T, S), ", "PID of (Y, T, S) per")
    return {start: [text.get_text() for text in figures[next(
        title for title in figures if title.startswith(start))].legends[0].get_texts()]
        for start in starts}


def accuracy_legend(paths: list[Path], figures) -> list[str]:
    """The legend entries of the accuracy figure of the run folders ``paths``."""
    return legends(paths, figures)["Student accuracy"]


def audited_until(path: Path, last: int) -> Path:
    """The run folder ``path`` with its audits after epoch ``last`` taken out, as a run killed
    before its next audit leaves them."""
    records = [json.loads(line) for line in (path / "audit.jsonl").read_text().splitlines()]
    (path / "audit.jsonl").write_text("".join(json.dumps(record) + "\n" for record in records
                                              if record["epoch"] <= last))
    return path


def test_a_run_drawn_under_the_same_line_names_the_run_over_it(tmp_path, figures):
    runs = [seed_run(tmp_path / "bas-tt", 0, [0.5, 0.6, 0.7], teacher="trained"),
            seed_run(tmp_path / "bas-ut", 0, [0.5, 0.6, 0.7]),
            seed_run(tmp_path / "kd-tt", 0, [0.5, 0.6, 0.75], method="kd", teacher="trained")]
    experiments = [entry for entry in accuracy_legend(runs, figures)
                   if not entry.startswith("chance")]
    assert sorted(experiments) == ["bas-tt (same as bas-ut)", "bas-ut", "kd-tt"]


def test_groups_of_seeds_with_the_same_mean_line_are_told_and_distinct_ones_are_not(tmp_path,
                                                                                   figures):
    accs = {0: [0.5, 0.6], 1: [0.55, 0.65]}
    runs = [seed_run(tmp_path / f"bas-{teacher}-s{seed}", seed, acc, teacher=teacher)
            for teacher in ("trained", "untrained") for seed, acc in accs.items()]
    runs += [seed_run(tmp_path / f"kd-s{seed}", seed, [a + 0.01 for a in acc], method="kd")
             for seed, acc in accs.items()]
    assert [entry for entry in accuracy_legend(runs, figures) if "seeds" in entry] == [
        "bas, teacher.source=trained, 2 seeds (same as bas, teacher.source=untrained, 2 seeds)",
        "bas, teacher.source=untrained, 2 seeds", "kd, 2 seeds"]


def test_runs_killed_after_their_epoch_0_audit_name_the_line_over_their_point(tmp_path,
                                                                             figures):
    # /tmp/walk433/kill: int-run (47 epochs) and k9 (2) kept only their epoch-0 audit, of the same
    # untrained networks as k9b's (31 epochs, audited every 10): their points lay under k9b's
    runs = [audited_until(fake_run(tmp_path / "int-run", epochs=3), 0),
            audited_until(fake_run(tmp_path / "k9", epochs=2), 0),
            fake_run(tmp_path / "k9b", epochs=4)]
    drawn = legends(runs, figures)
    # their accuracies are the same at each epoch: k9b's line goes on beyond theirs
    assert drawn["Student accuracy"][:3] == ["int-run (same as k9b at epochs 1-3)",
                                             "k9 (same as k9b at epochs 1-2)", "k9b"]
    for start in ("PID of (Y, T, S), ", "PID of (Y, T, S) per"):
        assert drawn[start] == ["int-run (discrete, eb-extrapolation) (same as k9b at epoch 0)",
                                "k9 (discrete, eb-extrapolation) (same as k9b at epoch 0)",
                                "k9b (discrete, eb-extrapolation)"], start


def test_a_pid_line_is_named_only_where_it_is_covered_in_every_panel(tmp_path, figures):
    # the teacher's I(Y;T) of the runs of one teacher always overlap (their panel's title says
    # so), and the runs' other atoms alike but Syn are two lines in Syn's panel: no note
    runs = [seed_run(tmp_path / "bas-tt", 0, [0.5, 0.6], teacher="trained", syn=0.3),
            seed_run(tmp_path / "bas-ut", 0, [0.5, 0.6]),
            seed_run(tmp_path / "kd-tt", 0, [0.55, 0.6], method="kd", teacher="trained")]
    drawn = legends(runs, figures)
    # one line in accuracy.png, two in Syn's panels
    assert drawn["Student accuracy"][:3] == ["bas-tt (same as bas-ut)", "bas-ut", "kd-tt"]
    for start in ("PID of (Y, T, S), ", "PID of (Y, T, S) per"):
        assert drawn[start] == ["bas-tt (discrete, eb-extrapolation)",
                                "bas-ut (discrete, eb-extrapolation) (same as kd-tt)",
                                "kd-tt (discrete, eb-extrapolation)"], start


def test_groups_of_seeds_with_the_same_pid_means_are_told(tmp_path, figures):
    accs = {0: [0.5, 0.6], 1: [0.55, 0.65]}
    runs = [seed_run(tmp_path / f"bas-{teacher}-s{seed}", seed, acc, teacher=teacher)
            for teacher in ("trained", "untrained") for seed, acc in accs.items()]
    runs += [seed_run(tmp_path / f"kd-s{seed}", seed, acc, method="kd", syn=0.3)
             for seed, acc in accs.items()]
    assert legends(runs, figures)["PID of (Y, T, S), "] == [
        "bas, teacher.source=trained, 2 seeds (discrete, eb-extrapolation) "
        "(same as bas, teacher.source=untrained, 2 seeds)",
        "bas, teacher.source=untrained, 2 seeds (discrete, eb-extrapolation)",
        "kd, 2 seeds (discrete, eb-extrapolation)"]


def test_a_line_is_covered_only_through_each_of_its_points_and_between_them():
    nan = float("nan")
    under = {"panel": ([0, 2], np.array([1.0, 3.0]))}
    bent = {"panel": ([0, 1, 2], np.array([1.0, 5.0, 3.0]))}  # through both points, not between
    assert same_line_notes([("under", under), ("bent", bent)]) == {}
    gap = {"panel": ([0, 1, 2], np.array([1.0, nan, 3.0]))}  # a failed solve at epoch 1
    assert same_line_notes([("gap", gap), ("over", gap)]) == {"gap": " (same as over)"}
    filled = {"panel": ([0, 1, 2], np.array([1.0, 2.0, 3.0]))}
    assert same_line_notes([("gap", gap), ("filled", filled)]) == {}
    # a panel the later entry has a line in and this one has none in does not matter; a panel
    # this one has a line in and the later one has none in does
    longer = {"panel": ([0, 1, 2, 3], np.array([1.0, 2.0, 3.0, 4.0])),
              "other": ([0], np.array([7.0]))}
    assert same_line_notes([("filled", filled), ("longer", longer)]) == {
        "filled": " (same as longer at epochs 0-2)"}
    assert same_line_notes([("longer", longer), ("filled", filled)]) == {}
    # of two lines over it, the one drawn last, seen
    assert same_line_notes([("a", filled), ("b", filled), ("c", longer)]) == {
        "a": " (same as c at epochs 0-2)", "b": " (same as c at epochs 0-2)"}
    # an entry without a point is no line under another's
    assert same_line_notes([("empty", {"panel": ([], np.array([]))}), ("b", filled)]) == {}
