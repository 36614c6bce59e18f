"""A line of accuracy.png that a later one covers exactly says so in its legend entry: in the
demo, BAS ignores the teacher, so ``synthetic-bas-tt`` was drawn exactly under
``synthetic-bas-ut`` and could not be seen, though the legend listed it (t-392 section 6)."""

from __future__ import annotations

from pathlib import Path

import test_report
from test_report_seeds import seed_run

from pidkit_distill.report_figures import draw_figures
from pidkit_distill.run_groups import group_runs
from pidkit_distill.run_records import load_runs, with_distinct_names

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved


def accuracy_legend(paths: list[Path], figures) -> list[str]:
    """The legend entries of the accuracy figure of the run folders ``paths``."""
    draw_figures(group_runs(with_distinct_names(load_runs([str(path) for path in paths]))))
    fig = figures[next(title for title in figures if title.startswith("Student accuracy"))]
    return [text.get_text() for text in fig.legends[0].get_texts()]


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
