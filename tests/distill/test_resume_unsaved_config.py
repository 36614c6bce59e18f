"""`pidkit-distill train --resume RUN_DIR` on a run folder whose config.json it cannot read
says what to rerun. A train killed while it trained its teacher leaves its folder holding the
lock file alone (it writes config.json once the data is loaded and the teacher trained): that
was told "no run folder: it holds no config.json, which `pidkit-distill train` writes as a run
starts; nor does it hold run folders (...): pass run folders, or the folder of a sweep that holds
them", a report's advice, where the command that started it with --resume added continues it. A
damaged config.json beside the run's checkpoint was told "the file is damaged" and no fix, where
that command rewrites it."""

from __future__ import annotations

import json

import pytest
from tiny_runs import TINY, lock_held_by_another_process

from pidkit_distill import cli_values
from pidkit_distill.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")

_ERROR = "pidkit-distill train: error: --resume {run}: "
_WRITTEN = "config.json, written once the data is loaded and the teacher trained or read"
_RERUN = "rerun the command that started the run 'killme' with --resume added\n"


def _command(out) -> list[str]:
    """The command that starts the tiny run ``out/r`` of 3 epochs."""
    return ["train", *[word for item in TINY for word in ("--set", item)], "--out-dir", str(out),
            "--epochs", "3", "--run.name", "r"]


@pytest.fixture
def unsaved(tmp_path):
    """The run folder that `train --run.name killme` leaves where it is killed as its teacher
    trains: its lock file alone."""
    run = tmp_path / "runs" / "killme"
    run.mkdir(parents=True)
    (run / ".lock").touch()
    return run


@pytest.mark.parametrize("leftover", [None, "config.json.c11c735b.tmp"])
def test_a_run_stopped_before_its_config_was_saved_names_the_command_to_rerun(
        unsaved, capsys, leftover):
    # a config.json.XXXXXXXX.tmp: a train killed as it wrote config.json
    if leftover:
        (unsaved / leftover).touch()
    assert main(["train", "--resume", str(unsaved)]) == 2
    assert capsys.readouterr().err == _ERROR.format(run=unsaved) + (
        f"its train was stopped before it saved the run's configuration ({_WRITTEN}), so "
        f"--resume RUN_DIR cannot know it; {_RERUN}")


def test_one_whose_train_is_still_running_says_so(unsaved, capsys):
    with lock_held_by_another_process(unsaved / ".lock"):
        assert main(["train", "--resume", str(unsaved)]) == 2
    assert capsys.readouterr().err == _ERROR.format(run=unsaved) + (
        f"its train is still running (it holds its .lock) and has not saved the run's "
        f"configuration yet ({_WRITTEN}); let it run, or stop it and {_RERUN}")


def test_one_whose_lock_cannot_be_tested_says_to_look_for_its_process(unsaved, capsys,
                                                                      monkeypatch):
    monkeypatch.setattr(cli_values, "lock_held", lambda lock_file: None)
    assert main(["train", "--resume", str(unsaved)]) == 2
    assert capsys.readouterr().err == _ERROR.format(run=unsaved) + (
        f"its train saved no configuration ({_WRITTEN}), and is still running or was stopped: "
        "its .lock cannot be tested here (a file system that cannot lock files, or no "
        f"permission); look for its process (ps, squeue), and if none runs, {_RERUN}")


def test_a_folder_of_more_than_its_lock_keeps_its_own_words(unsaved, capsys):
    # the demo's folder is locked too, beside its marker and run folders: no run of its own
    (unsaved / "notes.txt").touch()
    assert main(["train", "--resume", str(unsaved)]) == 2
    assert "no run folder: it holds no config.json" in capsys.readouterr().err


@pytest.mark.parametrize(("damage", "why"), [
    (b"{not json", "is not JSON (Expecting property name enclosed in double quotes: line 1 "
                   "column 2 (char 1))"),
    (b"\xff{}", "is not UTF-8 text (byte 0xff at position 0)")])
def test_a_damaged_config_json_names_the_command_that_writes_it_again(tmp_path, capsys,
                                                                       damage, why):
    out = tmp_path / "runs"
    assert main([*_command(out), "--run.stop_after", "1"]) == 0
    run = out / "r"
    kept = json.loads((run / "config.json").read_text())
    (run / "config.json").write_bytes(damage)
    capsys.readouterr()
    assert main(["train", "--resume", str(run)]) == 2
    assert capsys.readouterr().err == _ERROR.format(run=run) + (
        f"{run / 'config.json'} {why}; the file is damaged; rerun the command that started the "
        "run 'r' with --resume added: it continues the run's checkpoint.pt (a finished run has "
        "nothing left to train) and writes config.json again\n")
    # the fix it names works: the run goes on, and --resume RUN_DIR reads its folder again
    assert main([*_command(out), "--run.stop_after", "1", "--resume"]) == 0
    assert json.loads((run / "config.json").read_text())["method"] == kept["method"]
    assert main(["train", "--resume", str(run)]) == 0
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]


def test_a_damaged_config_json_without_a_checkpoint_is_told_no_rerun(tmp_path, capsys):
    # that command refuses to write over such a folder: no fix is named that fails
    out = tmp_path / "runs"
    assert main([*_command(out), "--run.stop_after", "1"]) == 0
    run = out / "r"
    (run / "checkpoint.pt").unlink()
    (run / "config.json").write_text("{not json")
    capsys.readouterr()
    assert main(["train", "--resume", str(run)]) == 2
    assert capsys.readouterr().err.endswith("; the file is damaged\n")
