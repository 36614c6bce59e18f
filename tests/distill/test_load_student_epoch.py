"""load_student on a run that stopped between two checkpoints (run.checkpoint_every > 1): the
student is the last checkpoint's, older than the last epoch metrics.jsonl records, and a
warning says which epoch it is, where it used to come back in silence."""

from __future__ import annotations

import json
import warnings

import pytest
from test_checkpoint_every import fail_at, interrupt
from tiny_runs import student_state, tiny

from pidkit_distill import load_student
from pidkit_distill.training import TrainingInterrupted, train, train_teacher

STEPS_PER_EPOCH = 3  # 96 samples in batches of 32


def test_a_student_older_than_the_logged_epochs_is_told_its_epoch(tmp_path, monkeypatch):
    fail_at(monkeypatch, 4 * STEPS_PER_EPOCH + 1, interrupt)  # stopped in epoch 5
    with pytest.raises(TrainingInterrupted):
        train(tiny(tmp_path, "run.epochs=6", "run.checkpoint_every=3", "run.name=cut"))
    run_dir = tmp_path / "cut"
    logged = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    assert [m["epoch"] for m in logged] == [1, 2, 3, 4]
    with pytest.warns(RuntimeWarning) as told:
        student = load_student(run_dir)
    assert [str(w.message) for w in told] == [
        f"run_dir {str(run_dir)!r}: this is the student after epoch 3 (held-out accuracy "
        f"{logged[2]['test_acc']:.4f}), the last checkpointed, but metrics.jsonl records the run "
        f"up to epoch 4 (held-out accuracy {logged[3]['test_acc']:.4f}): the run stopped, or is "
        "still training, between checkpoints (written every run.checkpoint_every = 3 epoch(s) "
        "and after the last); for a later epoch's student, resume a stopped run "
        "(run.resume=true) or wait for the next checkpoint of a running one"]
    saved = student_state(run_dir)
    assert all((student.state_dict()[key] == value).all() for key, value in saved.items())


def test_the_student_of_a_complete_run_comes_back_without_a_warning(tmp_path):
    run_dir = train(tiny(tmp_path, "run.epochs=4", "run.checkpoint_every=3")).run_dir
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_student(run_dir)


@pytest.mark.parametrize("last", [{"epoch": "3", "test_acc": 0.9}, {"epoch": None, "test_acc": 0.9},
                                  {"epoch": [3], "test_acc": 0.9}, {"epoch": 3, "test_acc": "high"}])
def test_a_metrics_jsonl_of_other_values_does_not_stop_the_student_loading(tmp_path, last):
    # loading the student does not need metrics.jsonl: a line whose epoch is no number made
    # load_student raise TypeError ("'<=' not supported between instances of 'str' and 'int'"),
    # an accuracy that is no number ValueError ("Unknown format code 'f' for object of type 'str'");
    # since 12ead2d such a metrics.jsonl is refused as damaged (the report says so, naming the
    # line), so it tells load_student nothing: the student loads, with no warning
    run_dir = train(tiny(tmp_path, "run.epochs=2")).run_dir
    with (run_dir / "metrics.jsonl").open("a") as metrics:
        metrics.write(json.dumps(last) + "\n")
    with warnings.catch_warnings(record=True) as told:
        warnings.simplefilter("always")
        student = load_student(run_dir)
    saved = student_state(run_dir)
    assert all((student.state_dict()[key] == value).all() for key, value in saved.items())
    assert [str(w.message) for w in told] == []


def _student_run(tmp_path):
    return train(tiny(tmp_path, "run.epochs=2")).run_dir


def _teacher_run(tmp_path):
    return train_teacher(tiny(tmp_path, "teacher.epochs=2")).parent


@pytest.mark.parametrize(("make_run", "held", "later"), [
    (_student_run, "student", "resume a stopped run (run.resume=true)"),
    (_teacher_run, "teacher", "run `pidkit-distill train-teacher` again with the same settings "
                              "(it resumes the teacher's run)"),
], ids=["student", "teacher"])
def test_a_run_older_than_its_logged_epochs_is_told_from_metrics_jsonl_alone(tmp_path, make_run,
                                                                             held, later):
    # load_student read the whole run folder (load_run: config.json and audit.jsonl too) to
    # compare its checkpoint with metrics.jsonl: with 100,000 audit lines it took 1.6 s instead
    # of 0.02 s, and a damaged audit.jsonl (which the student does not need) hid the warning.
    # Of a train-teacher folder, which holds a teacher and resumes by itself, the warning said
    # "this is the student after epoch 2 ... resume a stopped run (run.resume=true)"
    run_dir = make_run(tmp_path)
    logged = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    with (run_dir / "metrics.jsonl").open("a") as metrics:
        metrics.write(json.dumps({"epoch": 3, "test_acc": 0.5}) + "\n")
    (run_dir / "audit.jsonl").write_text("not JSON\n" * 3)
    with pytest.warns(RuntimeWarning) as told:
        load_student(run_dir)
    assert [str(w.message) for w in told] == [
        f"run_dir {str(run_dir)!r}: this is the {held} after epoch 2 (held-out accuracy "
        f"{logged[1]['test_acc']:.4f}), the last checkpointed, but metrics.jsonl records the run "
        "up to epoch 3 (held-out accuracy 0.5000): the run stopped, or is still training, "
        "between checkpoints (written every run.checkpoint_every = 1 epoch(s) and after the "
        f"last); for a later epoch's {held}, {later} or wait for the next checkpoint of a "
        "running one"]
