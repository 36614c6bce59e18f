"""A cached teacher whose training was interrupted resumes under a student's run of other audit
settings (the walk of t-392, finding 1): the teacher's run held the first student's audit
section (and its ``run.amp`` off a GPU, its ``run.sync_bn`` in one process), which its folder's
name does not hash, so the next student's run of other settings was refused ("the configuration
changed (audit.layers: [1] -> [])"), with advice ("another run.name") that a teacher's folder,
named by its settings, cannot follow. A setting that changes the teacher still names another
folder, and a teacher's resume still refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from tiny_runs import comparable, tiny

from pidkit_distill import TrainingInterrupted, train
from pidkit_distill.config import TrainConfig, config_to_dict
from pidkit_distill.run_folders.files import read_metrics, read_run_config
from pidkit_distill.training import loop
from pidkit_distill.training.checkpoint import check_resumable, read_checkpoint
from pidkit_distill.training.teacher_sources import teacher_run_config, teacher_run_settings
from pidkit_distill.training.torch_files import atomic_save

# a student of one epoch whose teacher, trained first, has three
STUDENT = ["teacher.source=trained", "teacher.epochs=3", "run.epochs=1"]
DEFAULT_AUDIT = config_to_dict(TrainConfig())["audit"]


def interrupted_teacher(out_dir: Path, monkeypatch: pytest.MonkeyPatch, *student: str) -> Path:
    """Run the student's run of ``student``'s settings under ``out_dir`` and interrupt it in its
    teacher's second epoch (Ctrl-C); the teacher's folder, whose checkpoint holds epoch 1."""
    train_one_epoch = loop.train_one_epoch

    def interrupted(*args, **kwargs):
        if kwargs["epoch"] == 1:  # the student has one epoch: its teacher's second
            raise KeyboardInterrupt
        return train_one_epoch(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(loop, "train_one_epoch", interrupted)
        with pytest.raises(TrainingInterrupted):
            train(tiny(out_dir, *STUDENT, *student))
    folder, = out_dir.glob("teacher-*")
    assert read_checkpoint(folder / "checkpoint.pt")["epoch"] == 1
    assert not (folder / "teacher.pt").exists()
    return folder


def straight_teacher(out_dir: Path) -> Path:
    """The teacher of :data:`STUDENT` trained without a stop, under ``out_dir``: its folder."""
    train(tiny(out_dir, *STUDENT))
    folder, = out_dir.glob("teacher-*")
    return folder


def assert_resumed_to(folder: Path, straight: Path) -> None:
    """The teacher's run of ``folder`` was resumed and ended as the one of ``straight`` that
    was not stopped, bit for bit."""
    assert folder.name == straight.name
    assert comparable(read_metrics(folder)) == comparable(read_metrics(straight))
    resumed = torch.load(folder / "teacher.pt")["model"]
    reference = torch.load(straight / "teacher.pt")["model"]
    assert resumed.keys() == reference.keys()
    assert all(torch.equal(resumed[name], reference[name]) for name in resumed)


@pytest.mark.filterwarnings("ignore:run.amp=true has no effect on CPU")
@pytest.mark.parametrize("first", [["audit.bootstrap=5", "audit.seed=3"], ["run.amp=true"],
                                   ["run.sync_bn=true"]], ids=["audit", "amp", "sync_bn"])
def test_an_interrupted_teacher_resumes_under_a_student_of_other_settings(tmp_path, monkeypatch,
                                                                         first):
    # TINY trains on the CPU in one process: run.amp and run.sync_bn do not act there
    folder = interrupted_teacher(tmp_path / "runs", monkeypatch, *first)
    student = train(tiny(tmp_path / "runs", *STUDENT, "method.name=kd"))
    assert student.epochs_done == 1
    assert_resumed_to(folder, straight_teacher(tmp_path / "straight"))
    recorded = read_run_config(folder)
    assert recorded["audit"] == DEFAULT_AUDIT
    assert (recorded["run"]["amp"], recorded["run"]["sync_bn"]) == (False, False)


def test_a_teacher_folder_of_the_older_version_with_its_students_settings_resumes(
        tmp_path, monkeypatch):
    # the older version wrote the student's audit section, run.amp and run.sync_bn into the
    # teacher's checkpoint and config.json
    folder = interrupted_teacher(tmp_path / "runs", monkeypatch)
    saved = read_checkpoint(folder / "checkpoint.pt")
    students = config_to_dict(tiny(tmp_path, "audit.layers=[1]", "audit.bootstrap=5",
                                   "run.amp=true", "run.sync_bn=true"))
    saved["config"]["audit"] = students["audit"]
    saved["config"]["run"].update(amp=True, sync_bn=True)
    atomic_save(saved, folder / "checkpoint.pt")
    assert read_checkpoint(folder / "checkpoint.pt")["config"]["audit"]["layers"] == [1]
    student = train(tiny(tmp_path / "runs", *STUDENT))
    assert student.epochs_done == 1
    assert_resumed_to(folder, straight_teacher(tmp_path / "straight"))


def test_a_setting_that_changes_the_teacher_names_another_folder(tmp_path, monkeypatch):
    folder = interrupted_teacher(tmp_path, monkeypatch)
    train(tiny(tmp_path, *STUDENT, "teacher.lr=0.1"))
    other, = set(tmp_path.glob("teacher-*")) - {folder}
    assert read_run_config(other)["optim"]["lr"] == 0.1
    assert len(read_metrics(other)) == 3  # trained from epoch 1, not from the stopped one
    assert read_checkpoint(folder / "checkpoint.pt")["epoch"] == 1  # left as it was


@pytest.mark.parametrize(("setting", "change"), [
    ("teacher.lr=0.1", "optim.lr: 0.05 -> 0.1, teacher.lr: 0.05 -> 0.1"),
    ("teacher.seed=4", "run.seed: 0 -> 4, teacher.seed: 0 -> 4"),
    ("data.batch_size=16", "data.batch_size: 32 -> 16")])
def test_a_teachers_resume_still_refuses_a_setting_that_changes_the_teacher(tmp_path, setting,
                                                                           change):
    saved = config_to_dict(teacher_run_config(tiny(tmp_path, *STUDENT)))
    with pytest.raises(ValueError, match=rf"the configuration changed \({change}\)"):
        check_resumable(saved, teacher_run_config(tiny(tmp_path, *STUDENT, setting)),
                        tmp_path / "checkpoint.pt")


def test_the_teachers_run_holds_none_of_its_students_unread_settings(tmp_path, monkeypatch):
    student = tiny(tmp_path, *STUDENT, "audit.bootstrap=5", "run.amp=true", "run.sync_bn=true")
    settings = teacher_run_settings(student)
    assert settings["audit"] == DEFAULT_AUDIT
    assert (settings["run"]["amp"], settings["run"]["sync_bn"]) == (False, False)
    assert teacher_run_config(student).run.name == teacher_run_config(
        tiny(tmp_path, *STUDENT)).run.name
    # where they act they are the teacher's, and name another folder
    on_gpu = teacher_run_settings(tiny(tmp_path, *STUDENT, "run.device=cuda", "run.amp=true"))
    assert on_gpu["run"]["amp"] is True
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert teacher_run_settings(student)["run"]["sync_bn"] is True
