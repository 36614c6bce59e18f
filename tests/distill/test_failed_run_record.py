"""A run stopped by a TrainingError (a NaN loss, memory run out) records the error in its
summary.json, and the report names it failed, with the error and its hint: the walk of t-334
(finding 3) found the folder of a diverged run with nothing said of why, and a report that
called it "killed or failed" and advised --resume, which meets the same NaN (the run is seeded).
An interrupted run keeps the report's words of today, and a later train clears the record.
The advice of a NaN, in the error and the report, is what works (t-342 finding 2): a new run
(another run.name) where a checkpoint holds the failed one, the same run.name where none does."""

from __future__ import annotations

import json
import re

import pytest
from test_checkpoint_every import fail_at, interrupt, nan_loss
from test_report_running import NO_CHECKPOINT, STOPPED
from tiny_runs import tiny

from pidkit_distill import TrainingError, TrainingInterrupted
from pidkit_distill.cli import main
from pidkit_distill.run_folders.files import train_failure
from pidkit_distill.training import train
from pidkit_distill.training.rundir import RunFolder

FAILED = ("No process holds the run folder's .lock: its train stopped with the error shown, "
          "which its summary.json records (failed), and its checkpoint.pt holds the epochs saved "
          "before.")  # a NaN's error says itself that the change goes in a new run (t-364)
FAILED_UNSAVED = ("No process holds the run folder's .lock: its train stopped with the error "
                  "shown, which its summary.json records (failed), before it wrote a "
                  "checkpoint.pt.")  # and, before any checkpoint, to rerun with the same run.name
STEPS_PER_EPOCH = 3  # the tiny run's 96 samples in batches of 32


def summary(run_dir) -> dict:
    return json.loads((run_dir / "summary.json").read_text())


def reported_states(run_dir, capsys) -> list[str]:
    """The paragraphs under the report's table that say which runs failed or stopped."""
    capsys.readouterr()
    assert main(["report", str(run_dir)]) == 0
    return [paragraph.split("\nreport written to ")[0]
            for paragraph in capsys.readouterr().out.split("\n\n")
            if paragraph.startswith(("Failed", "Stopped", "Still training: "))]


def test_a_diverged_run_records_its_error_and_the_report_says_it_failed_and_why(tmp_path,
                                                                                capsys):
    # optim.lr=1e6: epoch 1 ends (checkpointed), the loss is NaN at epoch 2's first step
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=3", "optim.lr=1e6", "run.name=diverge"))
    message = str(failed.value)
    # which step of epoch 2 first overflows follows the CPU's float rounding (step 1 on some
    # machines, 2 on others); that epoch 1 ended and was checkpointed does not
    assert re.match(r"the training loss became NaN or infinite in epoch 2, step [1-3] of 3; saved: ",
                    message)
    assert failed.value.hint == "lower optim.lr or optim.grad_clip (now 100)"
    run_dir = tmp_path / "diverge"
    # the failure beside the teacher the run was distilled from (load_run_teacher's record)
    # kind and says_rerun: a NaN whose error advised a new run (a checkpoint was saved)
    assert summary(run_dir) == {"failed": {"message": message, "hint": failed.value.hint,
                                           "kind": "nan", "says_rerun": False},
                                "teacher_used": {"source": "untrained",
                                                 "model": "synthetic-teacher", "num_classes": 4,
                                                 "in_channels": 12, "seed": 0}}
    assert reported_states(run_dir, capsys) == [
        f"Failed: diverge (after epoch 1 of 3): {message}. {FAILED}"]


def test_a_run_that_failed_in_its_first_epoch_is_refused_by_the_report_with_its_error(
        tmp_path, capsys):
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=2", "optim.lr=1e10", "run.name=diverge"))
    assert "epoch 1, step" in str(failed.value)
    capsys.readouterr()
    assert main(["report", str(tmp_path / "diverge")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert (f"each stopped in its first epoch, before anything was saved; diverge failed: "
            f"{failed.value}; do what its error says, then rerun its command") in err


def test_a_later_train_that_ends_clears_the_record(tmp_path, capsys):
    with pytest.raises(TrainingError):
        train(tiny(tmp_path, "run.epochs=2", "optim.lr=1e10", "run.name=again"))
    assert train_failure(tmp_path / "again") is not None
    # no checkpoint: the same folder trains again from epoch 1, here with a sane optim.lr
    done = train(tiny(tmp_path, "run.epochs=2", "run.name=again"))
    assert done.epochs_done == 2
    assert "failed" not in summary(tmp_path / "again")
    assert reported_states(tmp_path / "again", capsys) == []


def test_a_failure_after_a_stop_after_keeps_that_summary_and_a_resume_that_ends_clears_it(
        tmp_path, monkeypatch):
    config = ["run.epochs=3", "run.name=split"]
    train(tiny(tmp_path, *config, "run.stop_after=1"))
    ended = summary(tmp_path / "split")
    fail_at(monkeypatch, STEPS_PER_EPOCH + 2, nan_loss)  # epoch 2, step 2 of the resume
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, *config, "run.resume=true"))
    assert summary(tmp_path / "split") == {
        **ended, "failed": {"message": str(failed.value), "hint": failed.value.hint,
                            "kind": "nan", "says_rerun": False}}
    monkeypatch.undo()
    train(tiny(tmp_path, *config, "run.resume=true"))
    assert summary(tmp_path / "split")["epochs_done"] == 3
    assert "failed" not in summary(tmp_path / "split")


def test_an_interrupt_after_a_failure_is_reported_as_today(tmp_path, monkeypatch, capsys):
    # the failure belongs to the earlier train; the interrupted one says what an interrupt says
    config = ["run.epochs=4", "run.name=cut"]
    fail_at(monkeypatch, 2 * STEPS_PER_EPOCH + 1, nan_loss)  # epoch 3: epochs 1-2 checkpointed
    with pytest.raises(TrainingError):
        train(tiny(tmp_path, *config))
    fail_at(monkeypatch, 1, interrupt)  # the resume's first step
    with pytest.raises(TrainingInterrupted):
        train(tiny(tmp_path, *config, "run.resume=true"))
    assert train_failure(tmp_path / "cut") is None
    assert reported_states(tmp_path / "cut", capsys) == [
        f"Stopped: cut (after epoch 2 of 4). {STOPPED}"]


def test_an_interrupt_before_the_first_checkpoint_keeps_todays_words(tmp_path, monkeypatch,
                                                                     capsys):
    fail_at(monkeypatch, STEPS_PER_EPOCH + 1, interrupt)  # epoch 2, checkpoints every 3 epochs
    with pytest.raises(TrainingInterrupted):
        train(tiny(tmp_path, "run.epochs=4", "run.checkpoint_every=3", "run.name=early"))
    assert reported_states(tmp_path / "early", capsys) == [
        f"Stopped before its first checkpoint: early (after epoch 1 of 4). {NO_CHECKPOINT}"]


def test_a_folder_without_a_runs_config_gets_no_record(tmp_path):
    folder = RunFolder(tmp_path / "new")
    folder.record_failure(TrainingError("out of memory", epoch=2, hint="lower data.batch_size"))
    assert not (tmp_path / "new").exists()


def test_a_diverged_runs_advice_is_what_works_after_a_checkpoint(tmp_path):
    config = ["run.epochs=3", "run.name=diverge"]
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, *config, "optim.lr=1e6"))
    checkpoint = tmp_path / "diverge" / "checkpoint.pt"
    step = re.search(r"epoch 2, step ([1-3]) of 3", str(failed.value))  # the CPU's rounding picks it
    assert step is not None, str(failed.value)
    assert str(failed.value) == (
        f"the training loss became NaN or infinite in epoch 2, step {step[1]} of 3; saved: "
        f"{checkpoint} holds the run after epoch 1, but the run is seeded, so resuming it meets "
        "this again; lower optim.lr or optim.grad_clip (now 100) in a new run: pass another "
        "run.name too (--run.name NEW), as a resume keeps the configuration and the same "
        "command without --resume is refused")
    assert failed.value.__notes__ == [
        "In Python: make the change and set config.run.name to a new name (a teacher's run, "
        "keyed by its settings, gets a folder of its own), then call the same function (train "
        "or train_teacher) again."]
    # what it advises against: resuming meets the NaN again, a change is refused on resume, and
    # the same command without --resume is refused
    with pytest.raises(TrainingError, match=f"epoch 2, step {step[1]} of 3"):
        train(tiny(tmp_path, *config, "optim.lr=1e6", "run.resume=true"))
    with pytest.raises(ValueError, match=r"the configuration changed \(optim\.lr"):
        train(tiny(tmp_path, *config, "optim.lr=0.05", "run.resume=true"))
    with pytest.raises(ValueError, match="already holds a checkpoint"):
        train(tiny(tmp_path, *config, "optim.lr=1e6"))
    # what it advises: the change in a new run
    assert train(tiny(tmp_path, "run.epochs=3", "optim.lr=0.05",
                      "run.name=diverge-lower")).epochs_done == 3


def test_a_diverged_runs_advice_is_what_works_before_any_checkpoint(tmp_path, capsys):
    # epoch 2 of a run checkpointed every 3 epochs: one epoch done, nothing saved
    config = ["run.epochs=3", "run.checkpoint_every=3", "run.name=early"]
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, *config, "optim.lr=1e6"))
    message = str(failed.value)
    assert message.endswith("; nothing was saved (1 epoch(s) completed, but none was "
                            "checkpointed yet: one is written every run.checkpoint_every "
                            "epochs); lower optim.lr or optim.grad_clip (now 100), then rerun: "
                            "the same run.name starts the run again")
    assert not hasattr(failed.value, "__notes__")
    assert reported_states(tmp_path / "early", capsys) == [
        f"Failed before its first checkpoint: early (after epoch 1 of 3): {message}. "
        f"{FAILED_UNSAVED}"]
    assert train(tiny(tmp_path, *config, "optim.lr=0.05")).epochs_done == 3
