"""A user's walk of `pidkit-distill train` (t-504, finding 1): `--data digits --method kd
--optim.lr 3 --epochs 3` ended `last acc 0.0933`, below the 10.2 % of always answering the most
common class, with exit 0 and no word; only `pidkit-distill report` said "At chance". Train now
warns on stderr under its last line, in the report's words (the one rule of
pidkit_distill.chance), and still exits 0: the run did finish."""

from __future__ import annotations

from pathlib import Path

import pytest

from pidkit_distill import RunSummary
from pidkit_distill.cli import main
from pidkit_distill.report import load_run, summary_table
from pidkit_distill.stop_lines import student_at_chance_line

# the tiny synthetic run of tests/distill/tiny_runs.py, on the command line
TINY = ["train", "--data", "synthetic", "--data.options", "n_train=96", "--data.options",
        "n_test=64", "--data.options", "dim=12", "--data.batch_size", "32", "--model.teacher",
        "synthetic-teacher", "--model.student", "synthetic-student", "--teacher", "untrained",
        "--audit-every", "0", "--run.progress", "false", "--run.threads", "1", "--device", "cpu",
        "--print-every", "0"]
WARNING = "warning: the student ended at chance, as `pidkit-distill report` will say of this run: "


def _record(epoch: int, acc: float) -> dict:
    """A student epoch's metrics record on digits' 450 held-out samples (chance 10.2 %)."""
    return {"epoch": epoch, "phase": "student", "test_acc": acc, "test_majority": 0.1022,
            "test_n": 450, "teacher_acc": 0.99}


def _summary(history: list[dict], *, epochs_done: int | None = None,
             stopped_early_at: int | None = None) -> RunSummary:
    done = history[-1]["epoch"] if epochs_done is None else epochs_done
    best = max(history, key=lambda record: record["test_acc"])
    return RunSummary(history[-1]["test_acc"], best["test_acc"], best["epoch"],
                      Path("runs/divlr"), history, epochs_done=done,
                      stopped_early_at=stopped_early_at)


def test_a_student_that_never_learnt_is_told_what_the_report_tells_it():
    line = student_at_chance_line(_summary([_record(1, 0.10), _record(2, 0.1067),
                                            _record(3, 0.0933)]),
                                  epochs=3, data="digits", teacher="trained")
    assert line is not None and line.startswith(WARNING)
    assert ("At chance: divlr (9.3 % at epoch 3): held-out accuracy at most 13.1 %, two standard "
            "errors above the 10.2 % of always answering the most common class.") in line
    assert line.endswith("train it longer (run.epochs) to tell which.")


def test_a_student_that_fell_to_chance_is_told_to_lower_the_step():
    line = student_at_chance_line(_summary([_record(1, 0.9), _record(2, 0.09)]),
                                  epochs=2, data="digits", teacher="trained")
    assert line is not None
    assert ("divlr fell to chance after reaching 90.0 % at epoch 1: its training diverged or "
            "collapsed") in line
    assert "lower optim.lr, or optim.grad_clip" in line and "train it longer" not in line


@pytest.mark.parametrize(("summary", "epochs"), [
    (_summary([_record(1, 0.5), _record(2, 0.9)]), 2),  # learnt
    (_summary([_record(1, 0.09)]), 3),  # run.stop_after: not ended, as the report judges it
    (_summary([{"epoch": 1, "test_acc": 0.09}]), 1),  # an older record: says nothing of chance
])
def test_no_warning_where_the_student_is_above_chance_or_not_judged(summary, epochs):
    assert student_at_chance_line(summary, epochs=epochs, data="digits", teacher="trained") is None


def test_a_run_stopped_early_at_chance_has_ended_and_is_warned_of():
    summary = _summary([_record(1, 0.09), _record(2, 0.09)], stopped_early_at=2)
    assert student_at_chance_line(summary, epochs=30, data="digits", teacher="trained")


def test_the_command_warns_on_stderr_in_the_reports_words_and_exits_0(tmp_path, capsys):
    # optim.lr 1000: the tiny student ends at chance
    assert main([*TINY, "--epochs", "3", "--optim.lr", "1000", "--out-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[-1].startswith("last acc ")  # stdout's last line stays the summary
    warned = err.splitlines()[-1]
    assert warned.startswith(WARNING)
    run = tmp_path / "synthetic-bas-ut-s0"
    paragraph = warned.removeprefix(WARNING)
    assert paragraph.startswith("At chance: synthetic-bas-ut-s0 (")
    assert paragraph in summary_table([load_run(run)])  # the report's paragraph, word for word


def test_the_command_says_nothing_of_a_student_above_chance(tmp_path, capsys):
    # the tiny task learnt: about 70 % after 30 epochs at optim.lr 0.2, chance at most 39.4 %
    assert main([*TINY, "--epochs", "30", "--optim.lr", "0.2", "--out-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "at chance" not in err
    assert out.splitlines()[-1].startswith("last acc ")
