"""A run resumed with a teacher.source that names another file than it was started with (task
293): a resumed run takes its teacher from its checkpoint, so ``--resume --teacher other.pt``
trained on with the first teacher and said nothing. The file named now must hold the
checkpoint's teacher (the same file spelt otherwise, a copy); another teacher, or a file that
is not there, is refused in one line (exit 2) naming the run's teacher and the way to a new run.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_report_teacher_files import teacher_file
from tiny_runs import tiny

from pidkit_distill import check_config
from pidkit_distill.cli import main
from pidkit_distill.training import train

RUN = "synthetic-kd-tp-s0"


def stopped_run(folder: Path) -> Path:
    """The run folder of a tiny KD run from ``folder/t0.pt``, stopped after epoch 1 of 2 (run
    from ``folder``: ``teacher.source`` is relative); ``t1.pt`` beside it is a teacher of another
    seed, ``copy.pt`` a copy of ``t0.pt``."""
    teacher_file(folder / "t0.pt", 0)
    teacher_file(folder / "t1.pt", 1)
    shutil.copy(folder / "t0.pt", folder / "copy.pt")
    return train(tiny(folder / "runs", "method.name=kd", "teacher.source=t0.pt",
                      "run.epochs=2", "run.stop_after=1")).run_dir


def resumed(folder: Path, teacher: str) -> object:
    """``check_config`` of the stopped run resumed with ``teacher.source=teacher``."""
    return check_config(tiny(folder / "runs", "method.name=kd", f"teacher.source={teacher}",
                             "run.epochs=2", "run.resume=true"))


def refusal(folder: Path, teacher: str, why: str) -> str:
    """The refusal of the stopped run resumed with ``teacher``, which ``why`` is not the run's."""
    return (f"run.resume: cannot resume {str(folder / 'runs' / RUN / 'checkpoint.pt')!r}: "
            f"teacher.source is {teacher!r} now, 't0.pt' ({os.path.realpath(folder / 't0.pt')})"
            f" when the run started, and {why}: a resumed run continues with the teacher its "
            "checkpoint holds, never another; resume with teacher.source='t0.pt' (--teacher "
            f"t0.pt), or, to train with {teacher!r}, start a new run (another run.name, "
            "without run.resume)")


def test_another_teacher_file_is_refused_and_a_copy_of_the_run_s_resumes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stopped_run(tmp_path)
    other = os.path.realpath(tmp_path / "t1.pt")
    with pytest.raises(ValueError) as refused:  # it resumed, with t0.pt's weights
        resumed(tmp_path, "t1.pt")
    assert str(refused.value) == refusal(
        tmp_path, "t1.pt", f"{other!r} holds another teacher (its blocks.0.0.weight is not the "
                           "checkpoint's)")
    for same in ("copy.pt", "./t0.pt", str(tmp_path / "t0.pt")):
        assert resumed(tmp_path, same).resume


def test_a_missing_teacher_file_is_refused_unless_it_is_the_run_s_own(tmp_path, monkeypatch):
    # the run's own file, deleted since and named as before or otherwise, resumes: the
    # checkpoint holds its weights
    monkeypatch.chdir(tmp_path)
    stopped_run(tmp_path)
    (tmp_path / "t0.pt").unlink()
    with pytest.raises(ValueError) as refused:
        resumed(tmp_path, "missing.pt")
    assert str(refused.value) == refusal(
        tmp_path, "missing.pt", f"'missing.pt' names no file from the folder "
                                f"{os.getcwd()!r}")
    for own in ("t0.pt", str(tmp_path / "t0.pt")):
        assert resumed(tmp_path, own).resume


def test_a_file_that_is_no_teacher_says_why(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stopped_run(tmp_path)
    (tmp_path / "notes.txt").write_text("not a teacher")
    with pytest.raises(ValueError, match=r"and '[^']*notes\.txt' could not be read as a teacher "
                                         r"\(teacher file '[^']*notes\.txt' is not a file "
                                         r"written by torch\.save; expected a teacher: "):
        resumed(tmp_path, "notes.txt")


def test_the_command_line_refuses_another_teacher_in_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    run_dir = stopped_run(tmp_path)
    before = {name: (run_dir / name).read_bytes() for name in ("checkpoint.pt", "metrics.jsonl")}
    config = json.loads((run_dir / "config.json").read_text())
    options = [f"--set={key}={value}" for key, value in
               (("data.name", "synthetic"), ("data.batch_size", 32),
                ("model.teacher", "synthetic-teacher"), ("model.student", "synthetic-student"),
                ("run.audit_every", 0), ("run.progress", "false"), ("run.threads", 1),
                ("run.device", "cpu"))]
    options += [f"--set=data.options.{key}={value}"
                for key, value in config["data"]["options"].items()]
    status = main(["train", *options, "--method", "kd", "--epochs", "2", "--out-dir", "runs",
                   "--teacher", "t1.pt", "--resume"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1
    assert err.startswith("pidkit-distill train: error: run.resume: cannot resume "
                          f"'runs/{RUN}/checkpoint.pt': teacher.source is 't1.pt' now, 't0.pt' (")
    assert err.endswith("start a new run (another run.name, without run.resume)\n")
    assert {name: (run_dir / name).read_bytes() for name in before} == before
