"""Reads of the teacher's file: ``teacher.source=PATH``'s and the cached trained teacher's
(``train``'s check, its reuse check and its load; ``train-teacher``'s check and its final read
for the accuracy it prints). Memory running out while one is read is the run's one-line
failure naming the file as the teacher's, exit status 1 (a traceback from pidkit-distill,
before), and :func:`~pidkit_distill.training.teacher.read_teacher_file`'s MemoryError names
the file (Python's came with no message)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from tiny_runs import OUT_OF_MEMORY, TINY, loads_failing, tiny

from pidkit_distill import TrainingError, check_config, train, train_teacher
from pidkit_distill.cli import main
from pidkit_distill.config.teacher_keys import unused_by_teacher
from pidkit_distill.training.teacher import read_teacher_file

HINT = ("; the teacher file is as it was: free memory on this machine, or use one with more, "
        "then rerun the same command")
TEACHER = ["teacher.epochs=1", "run.epochs=1"]


def _loads_failing(monkeypatch: pytest.MonkeyPatch, error, name: str, *,
                   after: int = 0) -> list[object]:
    """:func:`tiny_runs.loads_failing` for the files named ``name``."""
    return loads_failing(monkeypatch, error, lambda path: path.name == name, after=after)


def _argv(command: str, out_dir: Path, *extra: str) -> list[str]:
    return [command, *[arg for item in [*TINY, f"run.out_dir={out_dir}", *extra]
                       for arg in ("--set", item)]]


def _said(path: Path, whose: str) -> str:
    return f"out of memory (MemoryError) while reading {str(path)!r} for {whose}{HINT}"


@pytest.mark.parametrize("error", OUT_OF_MEMORY)
def test_memory_running_out_reading_teacher_source_is_one_line(tmp_path, capsys, monkeypatch,
                                                               error):
    given = tmp_path / "given.pt"
    shutil.copy(train_teacher(tiny(tmp_path / "trained", *TEACHER)), given)
    config = tiny(tmp_path, f"teacher.source={given}", "run.epochs=1", "run.name=r")
    said = _said(given, "the teacher (teacher.source)")
    asked = _loads_failing(monkeypatch, error, "given.pt")
    with pytest.raises(TrainingError) as raised:  # check_config's read
        check_config(config)
    assert str(raised.value) == said
    assert isinstance(raised.value.__cause__, MemoryError)
    capsys.readouterr()
    assert main(_argv("train", tmp_path, f"teacher.source={given}", "run.name=cli")) == 1
    assert capsys.readouterr().err == f"pidkit-distill train: training failed: {said}\n"
    assert asked == [True, True]  # mapped
    monkeypatch.undo()
    asked = _loads_failing(monkeypatch, error, "given.pt", after=1)
    with pytest.raises(TrainingError) as raised:  # the run's load, once the check has read it
        train(config)
    assert str(raised.value) == said
    assert asked == [True, True]
    assert not (tmp_path / "r" / "checkpoint.pt").exists()
    monkeypatch.undo()  # memory is there again: the same run goes on
    assert train(config).epochs_done == 1


@pytest.mark.parametrize("error", OUT_OF_MEMORY)
def test_read_teacher_file_names_the_file_when_memory_runs_out(tmp_path, monkeypatch, error):
    path = tmp_path / "t.pt"
    torch.save({"fc.weight": torch.ones(2, 3)}, path)
    _loads_failing(monkeypatch, error, "t.pt")
    with pytest.raises(MemoryError) as raised:
        read_teacher_file(path)
    assert str(raised.value) == (
        f"out of memory (MemoryError) while reading teacher file {str(path)!r}; the file is as "
        "it was: free memory on this machine, or use one with more, then read it again")
    monkeypatch.undo()
    assert torch.equal(read_teacher_file(path)["model"]["fc.weight"], torch.ones(2, 3))


@pytest.mark.parametrize("after", [0, 1, 2], ids=["check", "reuse-check", "load"])
def test_memory_running_out_reading_the_cached_teacher_in_train_is_one_line(
        tmp_path, capsys, monkeypatch, after):
    cached = train_teacher(tiny(tmp_path, *TEACHER))
    said = _said(cached, "the teacher cached for these settings")
    asked = _loads_failing(monkeypatch, MemoryError, "teacher.pt", after=after)
    capsys.readouterr()
    assert main(_argv("train", tmp_path, "teacher.source=trained", *TEACHER,
                      "run.name=r")) == 1
    assert capsys.readouterr().err == f"pidkit-distill train: training failed: {said}\n"
    assert asked == [True] * (after + 1)
    assert not (tmp_path / "r" / "checkpoint.pt").exists()
    monkeypatch.undo()
    assert main(_argv("train", tmp_path, "teacher.source=trained", *TEACHER,
                      "run.name=r")) == 0


@pytest.mark.parametrize("error", OUT_OF_MEMORY)
def test_memory_running_out_reading_train_teacher_s_file_is_one_line(tmp_path, capsys,
                                                                     monkeypatch, error):
    read = [item for item in TINY if unused_by_teacher(item.split("=")[0]) is None]
    argv = ["train-teacher", *[arg for item in [*read, f"run.out_dir={tmp_path}",
                                                "teacher.epochs=1"] for arg in ("--set", item)]]
    asked = _loads_failing(monkeypatch, error, "teacher.pt")
    assert main(argv) == 1  # trained and saved; its final read, for the accuracy, failed
    out = capsys.readouterr()
    cached = next(tmp_path.glob("teacher-*/teacher.pt"))
    said = _said(cached, "the teacher cached for these settings")
    assert out.err == f"pidkit-distill train-teacher: training failed: {said}\n"
    assert main(argv) == 1  # reused: check_config's read fails
    assert capsys.readouterr().err == f"pidkit-distill train-teacher: training failed: {said}\n"
    assert asked == [True, True]
    monkeypatch.undo()
    asked = _loads_failing(monkeypatch, error, "teacher.pt", after=1)
    with pytest.raises(TrainingError) as raised:  # the reuse check, after check_config's
        train_teacher(tiny(tmp_path, *TEACHER))
    assert str(raised.value) == said
    monkeypatch.undo()
    assert main(argv) == 0
    assert capsys.readouterr().out.endswith(f"teacher: {cached} (held-out accuracy "
                                            f"{read_teacher_file(cached)['test_acc']:.4f})\n")
