"""A run whose first train was interrupted before it wrote ``summary.json`` (the most common
resume: Ctrl-C, then ``--resume``) records its teacher (``teacher_used``) when the resume ends it,
where the file ``teacher.source`` names then holds the checkpoint's teacher; the walk of t-361
(finding 2) found no record after such a resume, so ``load_run_teacher`` advised training the
run again."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from test_run_teacher_record import digits, outputs, summary_of
from tiny_runs import tiny

from pidkit_distill import TrainingInterrupted, load_dataset, load_run_teacher, load_student, train
from pidkit_distill.config import TrainConfig
from pidkit_distill.training import loop


def interrupted_first_train(config: TrainConfig) -> tuple[Path, dict]:
    """Train ``config`` (``run.stop_after=1``) and leave its folder as a first train
    interrupted in its second epoch does (its checkpoint, no ``summary.json``); return the
    folder and the record its summary had held."""
    run_dir = train(config).run_dir
    record = summary_of(run_dir)["teacher_used"]
    (run_dir / "summary.json").unlink()
    return run_dir, record


@pytest.fixture
def cut_digits_run(tmp_path):
    run_dir, record = interrupted_first_train(
        digits(tmp_path, "teacher.epochs=1", "run.epochs=2", "run.stop_after=1", "run.name=cut"))
    return tmp_path, run_dir, record


def test_a_resume_records_the_cached_teacher_its_checkpoint_holds(cut_digits_run):
    out, run_dir, record = cut_digits_run
    resumed = train(digits(out, "teacher.epochs=1", "run.epochs=2", "run.name=cut",
                           "run.resume=true"))
    assert resumed.epochs_done == 2
    assert summary_of(run_dir)["teacher_used"] == record  # the first train's own record
    teacher_folder, = out.glob("teacher-digits-*")
    x = torch.stack([load_dataset("digits").test[i][0] for i in range(16)])
    assert torch.equal(outputs(load_run_teacher(run_dir), x),
                       outputs(load_student(teacher_folder), x))


def test_a_resume_records_nothing_where_the_cached_teacher_was_replaced(cut_digits_run):
    out, run_dir, _ = cut_digits_run
    teacher_file, = out.glob("teacher-digits-*/teacher.pt")
    saved = torch.load(teacher_file)
    first = next(iter(saved["model"]))
    saved["model"][first] = saved["model"][first] + 1.0  # another teacher, same shapes
    torch.save(saved, teacher_file)
    resumed = train(digits(out, "teacher.epochs=1", "run.epochs=2", "run.name=cut",
                           "run.resume=true"))
    assert resumed.epochs_done == 2  # trained on with the checkpoint's teacher
    assert "teacher_used" not in summary_of(run_dir)
    with pytest.raises(ValueError, match="does not record the teacher"):
        load_run_teacher(run_dir)


def test_a_resume_after_ctrl_c_records_an_untrained_teacher_by_its_seed(tmp_path, monkeypatch):
    config = ["run.epochs=3", "teacher.seed=5", "run.name=u", "run.audit_every=1",
              "run.checkpoint_every=1"]
    audit = loop._audit

    def interrupted(*args, **kwargs):
        if kwargs["epoch"] == 2:
            raise KeyboardInterrupt
        return audit(*args, **kwargs)

    monkeypatch.setattr(loop, "_audit", interrupted)
    with pytest.raises(TrainingInterrupted):
        train(tiny(tmp_path, *config))
    run_dir = tmp_path / "u"
    assert (run_dir / "checkpoint.pt").is_file() and not (run_dir / "summary.json").exists()
    monkeypatch.undo()
    assert train(tiny(tmp_path, *config, "run.resume=true")).epochs_done == 3
    assert summary_of(run_dir)["teacher_used"] == {
        "source": "untrained", "model": "synthetic-teacher", "num_classes": 4, "in_channels": 12,
        "seed": 5}
