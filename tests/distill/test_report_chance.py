"""The report says which students ended at chance, by the demo's rule (pidkit_distill.chance):
a paragraph under its table, and a dotted line on accuracy.png, where the metrics records give
the share of the held-out set's most common class (test_majority) and its size (test_n)."""

from __future__ import annotations

import json
import math

import pytest
import test_report
from test_report import fake_run

from pidkit_distill import write_report
from pidkit_distill.cli import main
from pidkit_distill.demo import _chance_note

figures = test_report.figures  # the fixture: the figures a report saves, by title

# 4 classes, 2000 held-out samples, 516 of the most common: the demo's held-out set
CHANCE, N_TEST = 516 / 2000, 2000
CEILING = CHANCE + 2 * math.sqrt(CHANCE * (1 - CHANCE) / N_TEST)  # 0.2776: 27.8 % as shown


def write_metrics(run, accuracies, **extra):
    """The run's metrics.jsonl: one epoch per accuracy, each with ``extra``."""
    (run / "metrics.jsonl").write_text("".join(json.dumps(
        {"epoch": e, "test_acc": acc, "teacher_acc": 0.9, **extra}) + "\n"
        for e, acc in enumerate(accuracies, 1)))
    return run


def test_a_student_at_chance_is_told_so_under_the_table(tmp_path, capsys):
    # a 2-epoch run ending at 25.8 % on a held-out set whose most common class is 25.8 % of it
    # had a row like any other: the report never said the student had learnt nothing
    low = write_metrics(fake_run(tmp_path / "low", epochs=2, planned=2), [0.31, 0.258],
                        test_majority=CHANCE, test_n=N_TEST)
    high = write_metrics(fake_run(tmp_path / "high", epochs=2, planned=2), [0.31, 0.62],
                         test_majority=CHANCE, test_n=N_TEST)
    assert main(["report", str(low), str(high), "--out", str(tmp_path / "rep")]) == 0
    paragraph = ("At chance: low (25.8 % at epoch 2): held-out accuracy at most 27.8 %, two "
                 "standard errors above the 25.8 % of always answering the most common class. "
                 "A student at chance has learnt nothing the held-out set shows, so its row "
                 "compares no method. low trained fewer than the paper's 300 epochs: too few "
                 "to learn the task, or its method's outcome; train it longer (run.epochs) to "
                 "tell which.")
    assert f"\n\n{paragraph}\n" in capsys.readouterr().out
    assert f"\n\n{paragraph}\n" in (tmp_path / "rep" / "report.md").read_text()


@pytest.mark.parametrize("accuracy", [0.2776, 0.2784, 0.2786, 0.2, 0.5])
def test_the_report_and_the_demo_draw_the_line_at_the_same_accuracy(tmp_path, accuracy):
    # one rule (pidkit_distill.chance.at_chance): 27.76 % and 27.84 % are shown 27.8, at most the
    # ceiling of 27.76 % as shown; 27.86 % is shown 27.9, above it
    run = write_metrics(fake_run(tmp_path / "run", epochs=1, planned=1), [accuracy],
                        test_majority=CHANCE, test_n=N_TEST)
    text = write_report(run, out_dir=tmp_path / "rep").read_text()
    demo = _chance_note([{"teacher": "trained", "method": "bas", "epochs": 10,
                          "last_acc": accuracy}], chance=CHANCE, n_test=N_TEST)
    assert ("At chance: run " in text) == bool(demo) == (round(100 * accuracy, 1) <= 27.8)


def test_runs_of_other_held_out_sets_each_get_their_chance(tmp_path):
    # two data sets in one report: each run is measured against its own held-out set's chance
    four = write_metrics(fake_run(tmp_path / "four", epochs=1, planned=1), [0.26],
                         test_majority=CHANCE, test_n=N_TEST)
    ten = write_metrics(fake_run(tmp_path / "ten", epochs=1, planned=1), [0.11],
                        test_majority=46 / 450, test_n=450)
    tenth = write_metrics(fake_run(tmp_path / "tenth", epochs=1, planned=1), [0.26],
                          test_majority=46 / 450, test_n=450)  # 26 %: well above 10.2 %
    text = write_report([four, ten, tenth], out_dir=tmp_path / "rep").read_text()
    assert ("At chance: four (26.0 % at epoch 1): held-out accuracy at most 27.8 %, two standard "
            "errors above the 25.8 % of always answering the most common class; ten (11.0 % at "
            "epoch 1): held-out accuracy at most 13.1 %, two standard errors above the 10.2 % "
            "of always answering the most common class. A student") in text


def test_a_run_short_of_its_epochs_is_not_told_to_train_longer(tmp_path):
    # a run stopped after 2 of its 30 epochs (or still training) was named at chance, "its
    # epochs were too few ... train it longer (run.epochs)", beside the paragraph that tells it
    # to resume: it has not ended its epochs, so the paragraph names only the runs that have
    short = write_metrics(fake_run(tmp_path / "short", epochs=2, planned=30), [0.31, 0.258],
                          test_majority=CHANCE, test_n=N_TEST)
    (short / "checkpoint.pt").write_bytes(b"")  # stopped, resumable
    ended = write_metrics(fake_run(tmp_path / "ended", epochs=2, planned=2), [0.31, 0.26],
                          test_majority=CHANCE, test_n=N_TEST)
    text = write_report([short, ended], out_dir=tmp_path / "rep").read_text()
    assert "Stopped: short (after epoch 2 of 30)." in text
    assert "At chance: ended (26.0 % at epoch 2): held-out accuracy at most 27.8 %" in text
    assert "short (25.8 %" not in text


def test_records_without_the_majority_share_say_nothing_of_chance(tmp_path):
    # runs of an older version record test_n but not test_majority: chance is not known
    run = write_metrics(fake_run(tmp_path / "run", epochs=1, planned=1), [0.258], test_n=N_TEST)
    assert "chance" not in write_report(run, out_dir=tmp_path / "rep").read_text()


def test_accuracy_png_marks_chance_with_a_dotted_line(tmp_path, figures):
    # dotted, as no run's line is (dashed is an untrained teacher's, solid a trained one's)
    run = write_metrics(fake_run(tmp_path / "run", epochs=3, planned=3), [0.3, 0.28, 0.258],
                        test_majority=CHANCE, test_n=N_TEST)
    write_report(run, out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    (line,) = [line for line in fig.axes[0].get_lines()
               if line.get_label().startswith("chance")]
    assert line.get_label() == "chance: always the most common class (25.8 %)"
    assert set(line.get_ydata()) == {CHANCE}
    assert (line.get_linestyle(), line.get_color()) == (":", "0.4")
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert legend == ["run", "chance: always the most common class (25.8 %)"]


def test_a_chance_far_below_every_curve_is_named_not_drawn(tmp_path, figures):
    # CIFAR-100: chance 1 %, runs at 60-75 %: the dotted line at 0.01 stretched the y axis down
    # to 0 and squeezed the curves into its top quarter
    run = write_metrics(fake_run(tmp_path / "run", epochs=3, planned=3), [0.6, 0.7, 0.75],
                        test_majority=0.01, test_n=10000)
    write_report(run, out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    ax = fig.axes[0]
    low, high = ax.get_ylim()
    assert 0.55 < low < 0.6 and 0.75 < high < 0.8  # the curves and their bands fill the axis
    (line,) = [line for line in ax.get_lines() if line.get_label().startswith("chance")]
    assert len(line.get_ydata()) == 0  # in the legend only, in the line's style
    assert (line.get_linestyle(), line.get_color()) == (":", "0.4")
    legend = [text.get_text() for text in fig.legends[0].get_texts()]
    assert legend == ["run", "chance: always the most common class (1.0 %), below the axis"]


@pytest.mark.parametrize(("accuracies", "chance", "drawn"), [
    ([0.1, 0.5, 0.97], 0.1, True),  # digits: chance at the curves' start
    ([0.6, 0.7, 0.75], 0.56, True),  # near: within a quarter of the range of 0.2 below them
    ([0.6, 0.7, 0.75], 0.5, False),
    ([0.2, 0.25, 0.3], 0.9, False),  # far above every curve
])
def test_a_chance_is_drawn_where_it_is_near_the_curves(tmp_path, figures, accuracies, chance,
                                                       drawn):
    run = write_metrics(fake_run(tmp_path / "run", epochs=3), accuracies, test_majority=chance)
    write_report(run, out_dir=tmp_path / "rep")
    (fig,) = [fig for title, fig in figures.items() if title.startswith("Student")]
    ax = fig.axes[0]
    (line,) = [line for line in ax.get_lines() if line.get_label().startswith("chance")]
    low, high = ax.get_ylim()
    assert (set(line.get_ydata()) == {chance}) == drawn
    assert (low <= chance <= high) == drawn
    side = "" if drawn else ", below the axis" if chance < low else ", above the axis"
    assert line.get_label() == f"chance: always the most common class ({100 * chance:.1f} %){side}"


def test_a_majority_share_that_train_never_writes_is_refused(tmp_path, capsys):
    run = write_metrics(fake_run(tmp_path / "run", epochs=1, planned=1), [0.3], test_majority=0,
                        test_n=N_TEST)
    assert main(["report", str(run)]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill report: error: {run / 'metrics.jsonl'}: line 1 has 'test_majority': 0, "
        "where `pidkit-distill train` writes a number above 0, at most 1 (or null); the line was "
        "edited or is damaged: write the value back as train wrote it, or delete the line\n")


def test_train_records_its_held_out_majority_share_and_the_report_reads_it(tmp_path):
    # train wrote no test_majority, so the report's chance paragraph and line never showed for a
    # real run; it is counted in the held-out pass that gives test_acc
    from collections import Counter

    from tiny_runs import tiny

    from pidkit_distill.chance import chance_ceiling
    from pidkit_distill.training import train
    from pidkit_distill.training.loaders import load_data

    config = tiny(tmp_path, "run.epochs=2", "method.name=bas")
    summary = train(config)
    labels = Counter(int(y) for _, y in load_data(config).test)
    chance = max(labels.values()) / labels.total()
    records = [json.loads(line)
               for line in (summary.run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [record["test_majority"] for record in records] == [chance, chance]
    assert records[-1]["test_n"] == labels.total() == 64
    text = write_report(summary.run_dir, out_dir=tmp_path / "rep").read_text()
    # 2 epochs of this tiny run end at 28.1 %, the share of its most common class
    assert round(100 * summary.last_acc, 1) <= chance_ceiling(chance, labels.total())
    assert "At chance: synthetic-bas-ut-s0 (28.1 % at epoch 2)" in text
