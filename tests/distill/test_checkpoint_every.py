"""run.checkpoint_every: checkpoints every N epochs and after the last, the same run as one that
checkpoints every epoch, and errors and interrupts that say which epoch the checkpoint holds."""

from __future__ import annotations

import itertools
import json

import pytest
import torch
from tiny_runs import RID, comparable, student_state, tiny

from pidkit_distill.config import config_to_dict
from pidkit_distill.methods import StepOutput
from pidkit_distill.methods.bas import BAS
from pidkit_distill.training import TrainingError, TrainingInterrupted, loop, train
from pidkit_distill.training.checkpoint import atomic_save, read_checkpoint

EXTRA = [*RID, "run.epochs=7", "optim.milestones=[0.5]"]
STEPS_PER_EPOCH = 3  # 96 samples in batches of 32


def saved_epochs(monkeypatch) -> list[int]:
    """The epochs whose checkpoint the loop writes from now on (filled in as it writes them)."""
    epochs: list[int] = []
    save = loop.save_checkpoint

    def counted(path, **kwargs):
        epochs.append(kwargs["state"]["epoch"])
        save(path, **kwargs)

    monkeypatch.setattr(loop, "save_checkpoint", counted)
    return epochs


def fail_at(monkeypatch, call: int, make_failure) -> None:
    """BAS's forward pass number ``call`` (counted over the run's training steps: not the
    configuration check's step on the meta device) gives ``make_failure(out)``."""
    calls, forward = itertools.count(1), BAS.forward

    def failing(self, x, y, *, epoch):
        out = forward(self, x, y, epoch=epoch)
        return make_failure(out) if not x.is_meta and next(calls) == call else out

    monkeypatch.setattr(BAS, "forward", failing)


def nan_loss(out: StepOutput) -> StepOutput:
    """``out`` with NaN losses."""
    return StepOutput(out.logits, {k: v * float("nan") for k, v in out.losses.items()})


def interrupt(out: StepOutput) -> StepOutput:
    """Ctrl-C in the middle of a step."""
    raise KeyboardInterrupt


def test_checkpoints_every_n_epochs_and_after_the_last_give_the_same_run(tmp_path, monkeypatch):
    every = train(tiny(tmp_path, *EXTRA, "run.name=every"))
    saved = saved_epochs(monkeypatch)
    sparse = train(tiny(tmp_path, *EXTRA, "run.name=sparse", "run.checkpoint_every=3"))
    assert saved == [3, 6, 7]
    assert comparable(sparse.history) == comparable(every.history)
    a, b = student_state(every.run_dir), student_state(sparse.run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)
    lines = (sparse.run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]


def test_a_stopped_run_saves_its_last_epoch_and_resumes_with_another_frequency(tmp_path,
                                                                               monkeypatch):
    full = train(tiny(tmp_path, *EXTRA, "run.name=full"))
    saved = saved_epochs(monkeypatch)
    train(tiny(tmp_path, *EXTRA, "run.name=part", "run.checkpoint_every=3", "run.stop_after=4"))
    assert saved == [3, 4]  # the invocation's last epoch, though 4 is no multiple of 3
    # the frequency may change on resume: it changes nothing in the run
    resumed = train(tiny(tmp_path, *EXTRA, "run.name=part", "run.checkpoint_every=2",
                         "run.resume=true"))
    assert saved == [3, 4, 6, 7]
    assert comparable(resumed.history) == comparable(full.history)
    a, b = student_state(full.run_dir), student_state(resumed.run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_a_checkpoint_records_the_datas_sizes_and_one_without_them_resumes(tmp_path):
    # "sizes" (what load_student builds the student for) was added to format 2: a checkpoint
    # written before has none, and resumes to the same run, whose next checkpoint has them
    full = train(tiny(tmp_path, *EXTRA, "run.name=full"))
    train(tiny(tmp_path, *EXTRA, "run.name=old", "run.stop_after=3"))
    path = tmp_path / "old" / "checkpoint.pt"
    saved = read_checkpoint(path)
    assert saved["sizes"] == {"num_classes": 4, "input_shape": [12]}  # synthetic, dim=12
    del saved["sizes"]
    atomic_save(saved, path)
    resumed = train(tiny(tmp_path, *EXTRA, "run.name=old", "run.resume=true"))
    assert comparable(resumed.history) == comparable(full.history)
    a, b = student_state(full.run_dir), student_state(resumed.run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert read_checkpoint(path)["sizes"] == {"num_classes": 4, "input_shape": [12]}


def test_a_nan_loss_names_the_epoch_the_checkpoint_holds(tmp_path, monkeypatch):
    # epoch 6, step 1: the checkpoint holds epoch 4 (saved every 4), not 5 (completed)
    fail_at(monkeypatch, 5 * STEPS_PER_EPOCH + 1, nan_loss)
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=8", "run.checkpoint_every=4", "run.name=nan"))
    checkpoint = tmp_path / "nan" / "checkpoint.pt"
    assert str(failed.value).startswith(
        "the training loss became NaN or infinite in epoch 6, step 1 of 3; saved: "
        f"{checkpoint} holds the run after epoch 4, but the run is seeded, so resuming it meets "
        "this again; ")
    assert failed.value.epochs_saved == read_checkpoint(checkpoint)["epoch"] == 4


def test_an_interrupt_names_the_epoch_it_stopped_and_the_one_the_checkpoint_holds(tmp_path,
                                                                                 monkeypatch):
    fail_at(monkeypatch, 7 * STEPS_PER_EPOCH + 2, interrupt)  # epoch 8, step 2
    with pytest.raises(TrainingInterrupted) as stopped:
        train(tiny(tmp_path, "run.epochs=10", "run.checkpoint_every=3", "run.name=cut"))
    run_dir = tmp_path / "cut"
    assert str(stopped.value) == (
        f"interrupted during epoch 8 of {run_dir}; its checkpoint.pt holds the run after epoch 6: "
        "rerun the same command with --resume (run.resume=true) to continue from there")
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == 6
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4, 5, 6, 7]


def test_a_stop_before_the_first_checkpoint_says_the_epochs_done_were_not_saved(tmp_path,
                                                                                 monkeypatch):
    # it said "nothing was saved (no epoch had completed)" after two completed epochs
    fail_at(monkeypatch, 2 * STEPS_PER_EPOCH + 1, nan_loss)
    with pytest.raises(TrainingError) as failed:
        train(tiny(tmp_path, "run.epochs=8", "run.checkpoint_every=4", "run.name=nan"))
    assert str(failed.value).startswith(
        "the training loss became NaN or infinite in epoch 3, step 1 of 3; nothing was saved "
        "(2 epoch(s) completed, but none was checkpointed yet: one is written every "
        "run.checkpoint_every epochs); lower optim.lr")
    assert not (tmp_path / "nan" / "checkpoint.pt").exists()


def test_an_interrupt_before_the_first_checkpoint_says_the_epochs_done_were_not_saved(
        tmp_path, monkeypatch):
    fail_at(monkeypatch, STEPS_PER_EPOCH + 2, interrupt)  # epoch 2, step 2
    with pytest.raises(TrainingInterrupted) as stopped:
        train(tiny(tmp_path, "run.epochs=10", "run.checkpoint_every=3", "run.name=cut"))
    assert str(stopped.value) == (
        f"interrupted during epoch 2 of {tmp_path / 'cut'}; nothing was saved (1 epoch(s) "
        "completed, but none was checkpointed yet: one is written every run.checkpoint_every "
        "epochs): rerun the same command to start again")


def test_a_run_that_stopped_before_its_first_checkpoint_says_it_trains_again(tmp_path, capsys):
    # with run.checkpoint_every = 3 a process killed (kill -9) after epoch 2 (of 4) leaves two
    # epochs in metrics.jsonl and no checkpoint; the next command, --resume or not, started again
    # from epoch 1 and said nothing about the epochs it threw away
    config = tiny(tmp_path, "run.name=killed", "run.checkpoint_every=3", "run.epochs=4",
                  "run.resume=true")
    folder = tmp_path / "killed"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config_to_dict(config)))  # written first
    (folder / "metrics.jsonl").write_text('{"epoch": 1}\n{"epoch": 2}\n')
    train(config)
    out = capsys.readouterr().out
    assert (f"{folder} holds no checkpoint but 2 epoch(s) logged by an earlier run that "
            "stopped before its first one (run.checkpoint_every = 3): training from epoch 1\n") in out
    assert [json.loads(line)["epoch"] for line in
            (folder / "metrics.jsonl").read_text().splitlines()] == [1, 2, 3, 4]
    train(tiny(tmp_path, "run.name=fresh", "run.epochs=1"))
    assert "holds no checkpoint" not in capsys.readouterr().out


def test_a_run_whose_checkpoint_was_deleted_is_not_said_to_have_stopped_before_it(
        tmp_path, capsys):
    # a finished run of 2 epochs (run.checkpoint_every = 3: its one checkpoint written after its
    # last epoch) whose checkpoint.pt was deleted was said to be 'an earlier run that stopped
    # before its first one' as the next command trained it again
    config = tiny(tmp_path, "run.name=done", "run.checkpoint_every=3", "run.epochs=2",
                  "run.resume=true")
    (train(config).run_dir / "checkpoint.pt").unlink()
    capsys.readouterr()
    train(config)
    assert (f"{tmp_path / 'done'} holds no checkpoint but 2 epoch(s) logged by an earlier run "
            "whose train had written a checkpoint by then (run.checkpoint_every = 3, and after "
            "its last epoch), so it was deleted or not copied with the folder: training from epoch "
            "1\n") in capsys.readouterr().out
