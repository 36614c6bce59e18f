"""A run folder whose config.json is damaged (not JSON, not UTF-8) beside its checkpoint.pt is
told the fix wherever it is read: `report RUN_DIR` and `report runs` said only "...; the file is
damaged", where `train --resume RUN_DIR` named the command that writes config.json again (the
one that started the run, with --resume added; checked below that it does, for a finished run
too). A folder without a checkpoint, a cached teacher's and a method's starting student's
(RUN.bas-init), which that command does not write again, are told no such fix."""

from __future__ import annotations

import json

import pytest
from tiny_runs import TINY

from pidkit_distill.cli import main
from pidkit_distill.run_folders.files import read_run_config

_NOT_JSON = ("is not JSON (Expecting property name enclosed in double quotes: line 1 column 2 "
             "(char 1))")
_FIX = ("; rerun the command that started the run 'r' with --resume added: it continues the "
        "run's checkpoint.pt (a finished run has nothing left to train) and writes config.json "
        "again")


def _command(out, name: str = "r") -> list[str]:
    """The command that starts the tiny run ``out/NAME`` of 2 epochs."""
    return ["train", *[word for item in TINY for word in ("--set", item)], "--out-dir", str(out),
            "--epochs", "2", "--run.name", name]


@pytest.fixture
def finished(tmp_path, capsys):
    """A finished tiny run, ``runs/r``."""
    assert main(_command(tmp_path / "runs")) == 0
    capsys.readouterr()
    return tmp_path / "runs" / "r"


@pytest.mark.parametrize(("damage", "why"), [
    (b"{not json", _NOT_JSON), (b"\xff{}", "is not UTF-8 text (byte 0xff at position 0)")])
def test_report_names_the_command_that_writes_a_damaged_config_json_again(
        finished, capsys, damage, why):
    kept = json.loads((finished / "config.json").read_text())
    (finished / "config.json").write_bytes(damage)
    assert main(["report", str(finished)]) == 2
    assert capsys.readouterr().err == (f"pidkit-distill report: error: {finished / 'config.json'} "
                                       f"{why}; the file is damaged{_FIX}\n")
    # the fix it names works for a finished run: nothing trained, config.json written again
    assert main([*_command(finished.parent), "--resume"]) == 0
    assert "the run is complete: nothing to train" in capsys.readouterr().out
    assert json.loads((finished / "config.json").read_text())["method"] == kept["method"]
    assert main(["report", str(finished)]) == 0


def test_report_of_a_sweep_leaves_the_run_out_with_the_fix(finished, capsys):
    assert main(_command(finished.parent, "other")) == 0
    (finished / "config.json").write_text("{not json")
    capsys.readouterr()
    assert main(["report", str(finished.parent)]) == 0
    assert (f"left {finished} out of the report: {finished / 'config.json'} {_NOT_JSON}; the "
            f"file is damaged{_FIX}\n") in capsys.readouterr().err


def test_report_without_a_checkpoint_names_no_rerun(finished, capsys):
    # that command refuses to write over such a folder: no fix is named that fails
    (finished / "checkpoint.pt").unlink()
    (finished / "config.json").write_text("{not json")
    assert main(["report", str(finished)]) == 2
    assert capsys.readouterr().err.endswith(f"{_NOT_JSON}; the file is damaged\n")


@pytest.mark.parametrize(("name", "beside"), [("teacher-x", "teacher.pt"),
                                              ("r.bas-init", None)])
def test_a_folder_no_command_of_its_own_started_is_told_no_rerun(tmp_path, capsys, name, beside):
    # a cached teacher's folder (its teacher.pt) or TED's starting student: the student's
    # command, rerun with --resume, leaves their config.json as it is (checked by hand with a
    # real teacher's and a real TED run's: both stayed damaged), where --resume RUN_DIR named
    # that rerun for them
    folder = tmp_path / name
    folder.mkdir()
    for file in ("checkpoint.pt", beside):
        if file:
            (folder / file).touch()
    (folder / "config.json").write_text("{not json")
    with pytest.raises(ValueError) as info:
        read_run_config(folder)
    assert str(info.value) == f"{folder / 'config.json'} {_NOT_JSON}; the file is damaged"
    assert main(["train", "--resume", str(folder)]) == 2
    assert capsys.readouterr().err.endswith(f"{_NOT_JSON}; the file is damaged\n")
