"""The figures say which runs stopped or failed short of their epochs (walk finding F5 of task
374): a killed run's line used to end as if it were planned that short, and a group mixing a
stopped seed with a finished one was not marked; only report.md said so."""

from __future__ import annotations

import json
from pathlib import Path

import test_report
from test_report import fake_run
from test_report_seeds import seed_run

from pidkit_distill.report.figure_lines import ENDED
from pidkit_distill.report.figures import draw_figures
from pidkit_distill.run_folders.groups import group_runs
from pidkit_distill.run_folders.records import load_runs, with_distinct_names

figures = test_report.figures  # the fixture: the figures drawn, by title, as saved

BAR = ENDED["label"]


def drawn(paths: list[Path], states: dict[str, str] | None) -> dict[str, bytes]:
    """The figures of the run folders ``paths``, each run in the state ``states`` gives it."""
    runs = with_distinct_names(load_runs([str(path) for path in paths]))
    return draw_figures(group_runs(runs), states)


def ends(ax) -> list[tuple[float, float]]:
    """Where the bars of ``ax`` that end a line stand."""
    return sorted((float(line.get_xdata()[0]), float(line.get_ydata()[0]))
                  for line in ax.get_lines() if line.get_label() == f"_{BAR}")


def legend(fig) -> list[str]:
    return [text.get_text() for text in fig.legends[0].get_texts()]


def test_stopped_seeds_beside_a_finished_one_are_named_and_their_lines_ended(tmp_path,
                                                                             figures):
    # `report s2 s3` with s3 killed after epoch 2 of 4 drew "bas, 2 seeds, mean of epochs 1-2
    # only": nothing said that s3 was stopped rather than planned that short
    runs = [seed_run(tmp_path / "vid-s2", 2, [0.6, 0.7, 0.75, 0.8]),
            seed_run(tmp_path / "vid-s3", 3, [0.62, 0.71]),
            seed_run(tmp_path / "vid-s4", 4, [0.64, 0.73])]
    drawn(runs, {"vid-s2": "", "vid-s3": "stopped, its checkpoint.pt gone", "vid-s4": "stopped"})
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    group = ("bas, 3 seeds\nmean of epochs 1-2 only (all seeds have them)\n"
             "seeds 3, 4 stopped after epoch 2 of 4")
    assert legend(accuracy) == [group, BAR]
    # at each stopped seed's last epoch, not at s2's nor at the mean's
    assert ends(accuracy.axes[0]) == [(2, 0.71), (2, 0.73)]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert legend(atoms) == [
        "bas, 3 seeds (discrete, eb-extrapolation)\nmean only of the epochs all seeds have\n"
        "seeds 3, 4 stopped after epoch 2 of 4", BAR]
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    assert ends(syn) == [(2, 0.2), (2, 0.2)]  # their last audit, Syn 0.2 at layer 1


def test_a_failed_run_a_stopped_one_and_one_training_say_so_beside_a_finished_one(tmp_path,
                                                                                    figures):
    runs = [fake_run(tmp_path / "done", epochs=3, planned=3),
            fake_run(tmp_path / "failed", epochs=2, planned=5),
            fake_run(tmp_path / "stopped", epochs=1, planned=5),
            fake_run(tmp_path / "training", epochs=2, planned=5)]
    drawn(runs, {"done": "", "failed": "failed", "stopped": "stopped by run.stop_after",
                 "training": "still training"})
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    # the failed run's line lies under the one still training: their two epochs are the same;
    # the stopped one's point under its first
    assert legend(accuracy) == ["done", "failed\nfailed after epoch 2 of 5 (same as training)",
                                "stopped\nstopped after epoch 1 of 5 (same as training at epoch 1)",
                                "training\nstill training, at epoch 2 of 5", BAR]
    # a bar ends the failed and the stopped lines (accuracy 0.5 + epoch / 100), not the line of
    # a run still training, which goes on, nor the finished one's
    assert ends(accuracy.axes[0]) == [(1, 0.51), (2, 0.52)]
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    # the fake runs' atoms are the same at each epoch: each line lies under training's
    assert legend(atoms)[:3] == [
        "done (discrete, eb-extrapolation)",
        "failed (discrete, eb-extrapolation)\nfailed after epoch 2 of 5 (same as training)",
        "stopped (discrete, eb-extrapolation)\nstopped after epoch 1 of 5"
        " (same as training at epochs 0-1)"]
    red = next(ax for ax in atoms.axes if ax.get_title() == "Red(Y:T,S)")
    assert ends(red) == [(1, 0.2), (2, 0.2)]  # each run's last audit of its innermost layer (1)
    every = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S) per"))
    assert [ends(ax) for ax in every.axes[:4:3]] == [[(1, 0.1), (2, 0.1)], [(1, 0.1), (2, 0.1)]]
    assert ends(every.axes[4]) == [(1, 0.2), (2, 0.2)]  # layer 1's Red


def test_a_bar_ends_a_line_at_its_last_value_where_its_last_solve_gave_none(tmp_path, figures):
    run = fake_run(tmp_path / "run", epochs=2, planned=5)
    records = (run / "audit.jsonl").read_text().splitlines()
    # the last audit of layer 1 failed: no atoms there, an X on the epoch axis instead
    last = records[-1].replace('"red": 0.2', '"red": null').replace('"optimal"', '"failed"')
    (run / "audit.jsonl").write_text("\n".join([*records[:-1], last]) + "\n")
    drawn([run], {"run": "stopped"})
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    red = next(ax for ax in atoms.axes if ax.get_title() == "Red(Y:T,S)")
    assert ends(red) == [(1, 0.2)]
    syn = next(ax for ax in atoms.axes if ax.get_title() == "Syn(Y:T,S)")
    assert ends(syn) == [(2, 0.2)]


def test_finished_runs_are_drawn_as_before(tmp_path, figures):
    # a report of finished runs only: the same PNG bytes as without states, no bar, no note
    runs = [fake_run(tmp_path / "a", epochs=2, planned=2),
            seed_run(tmp_path / "bas-s1", 1, [0.6, 0.7, 0.75, 0.8]),
            seed_run(tmp_path / "bas-s2", 2, [0.62, 0.71, 0.74, 0.82])]
    unsaid = drawn(runs, None)
    said = drawn(runs, {"a": "", "bas-s1": "", "bas-s2": ""})
    assert said == unsaid and set(said) == {"accuracy.png", "pid_atoms.png",
                                            "pid_atoms_all_layers.png"}
    for fig in figures.values():
        assert not any(ends(ax) for ax in fig.axes)
        assert BAR not in legend(fig)
        assert not any("after epoch" in text for text in legend(fig))
    assert len(figures) == 3


def test_a_stopped_runs_legend_names_its_last_audit_where_its_atoms_line_ends(tmp_path,
                                                                              figures):
    # walk t-433, M1: a run stopped after epoch 47 whose last audit was of epoch 0 had its bar
    # at epoch 0 in pid_atoms.png while its legend said only "stopped after epoch 47 of 200"
    early = fake_run(tmp_path / "early", epochs=3, planned=5)
    later = fake_run(tmp_path / "later", epochs=3, planned=5)
    for run, last in ((early, 0), (later, 2)):  # audits of epochs 0 (untrained) or 0-2 kept
        kept = [line for line in (run / "audit.jsonl").read_text().splitlines()
                if json.loads(line)["epoch"] <= last]
        (run / "audit.jsonl").write_text("\n".join(kept) + "\n")
    drawn([early, later], {"early": "stopped", "later": "stopped"})
    atoms = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S), "))
    assert legend(atoms) == [
        "early (discrete, eb-extrapolation)\nstopped after epoch 3 of 5; last audit epoch 0, "
        "before training (same as later at epoch 0)",  # the fake runs' atoms are the same
        "later (discrete, eb-extrapolation)\nstopped after epoch 3 of 5; last audit epoch 2", BAR]
    red = next(ax for ax in atoms.axes if ax.get_title() == "Red(Y:T,S)")
    assert ends(red) == [(0, 0.2), (2, 0.2)]  # each bar at its run's last audit, as its entry says
    every = next(fig for title, fig in figures.items() if title.startswith("PID of (Y, T, S) per"))
    assert legend(every)[:2] == legend(atoms)[:2]
    # the accuracy lines end at epoch 3, where their bars stand: no audit to name there
    accuracy = next(fig for title, fig in figures.items() if title.startswith("Student"))
    assert not any("last audit" in text for text in legend(accuracy))
    assert ends(accuracy.axes[0]) == [(3, 0.53), (3, 0.53)]
