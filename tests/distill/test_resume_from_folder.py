"""`pidkit-distill train --resume RUN_DIR` continues a run from its folder alone, its
configuration read from RUN_DIR/config.json: a resume needed the whole command typed again
(`--config RUN_DIR/config.json` was refused, "it holds JSON: --config reads TOML"). Options
beside it change what a resume may change, and any other change is refused as every resume's
is; a folder that is no run is one line, exit 2. A finished run given again without --resume is
told it is finished, not to pass --resume (which had nothing to continue)."""

from __future__ import annotations

import json

import pytest
import torch
from tiny_runs import TINY, student_state, tiny

from pidkit_distill import train
from pidkit_distill.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _options(*items: str) -> list[str]:
    return [word for item in items for word in ("--set", item)]


@pytest.fixture
def stopped(tmp_path):
    """A run of 3 epochs stopped after its first, by the command line, and its folder."""
    out = tmp_path / "runs"
    assert main(["train", *_options(*TINY, f"run.out_dir={out}"), "--epochs", "3",
                 "--run.name", "r", "--run.stop_after", "1"]) == 0
    return out / "r"


def test_a_run_folder_alone_resumes_the_run_as_the_whole_command_does(tmp_path, stopped, capsys):
    out = tmp_path / "runs"
    assert main(["train", *_options(*TINY, f"run.out_dir={out}"), "--epochs", "3",
                 "--run.name", "whole"]) == 0
    capsys.readouterr()
    assert main(["train", "--resume", str(stopped)]) == 0
    said = capsys.readouterr().out
    assert f"resumed {stopped / 'checkpoint.pt'} after epoch 1" in said
    whole, resumed = student_state(out / "whole"), student_state(stopped)
    assert all(torch.equal(whole[name], resumed[name]) for name in whole)
    lines = (stopped / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3]


def test_its_checkpoint_path_stands_for_the_folder_and_options_apply_on_top(stopped, capsys):
    assert main(["train", "--resume", str(stopped / "checkpoint.pt"), "--run.stop_after", "1",
                 "--run.print_every", "0"]) == 0
    lines = (stopped / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]
    assert json.loads((stopped / "config.json").read_text())["run"]["print_every"] == 0


def test_an_option_a_resume_may_not_change_is_refused(stopped, capsys):
    assert main(["train", "--resume", str(stopped), "--optim.lr", "0.1"]) == 2
    assert "the configuration changed (optim.lr: 0.05 -> 0.1)" in capsys.readouterr().err


@pytest.mark.parametrize(("given", "words"), [
    ("{run}x", ": no such run folder. Did you mean '{run}'?"),
    ("{runs}", ": no run folder: it holds no config.json, which `pidkit-distill train` writes "
               "once the data is loaded and the teacher trained or read; it holds 1 run "
               "folder(s) (r)"),
    ("{run}/metrics.jsonl", ": it is a file, not a run folder"),
])
def test_no_run_folder_is_one_line_exit_2(stopped, capsys, given, words):
    path = given.format(run=stopped, runs=stopped.parent)
    assert main(["train", "--resume", path]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"pidkit-distill train: error: --resume {path}"
                          f"{words.format(run=stopped)}")


@pytest.mark.parametrize("option", [["--config", "x.toml"], ["--run.name", "other"],
                                    ["--out-dir", "elsewhere"]])
def test_options_that_name_another_run_are_refused_beside_it(stopped, capsys, option):
    assert main(["train", "--resume", str(stopped), *option]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"pidkit-distill train: error: --resume {stopped}: ")
    assert "cannot be given with it" in err


def test_resume_true_and_false_still_set_the_key(stopped, capsys):
    options = [*_options(*TINY, f"run.out_dir={stopped.parent}"), "--epochs", "3",
               "--run.name", "r", "--run.stop_after", "1"]
    assert main(["train", *options, "--resume", "false"]) == 2
    assert "already holds a checkpoint; pass run.resume=true" in capsys.readouterr().err
    assert main(["train", *options, "--resume", "true"]) == 0
    assert len((stopped / "metrics.jsonl").read_text().splitlines()) == 2


def test_a_finished_run_given_again_is_told_it_is_finished(tmp_path):
    config = tiny(tmp_path, "run.epochs=2", "run.name=done")
    train(config)
    with pytest.raises(ValueError) as refused:
        train(config)
    assert str(refused.value) == (
        f"run.name: run folder {str(tmp_path / 'done')!r} holds a finished run (epochs 2 of "
        "2): nothing is left to continue. To train longer, start another run with a larger "
        "run.epochs (another run.name / run.out_dir; a resume keeps run.epochs, which the "
        "schedule follows); to train it again, choose another run.name / run.out_dir, or "
        "delete the folder")
    with pytest.raises(ValueError, match=r"the configuration changed \(run\.epochs: 2 -> 4\)"):
        train(tiny(tmp_path, "run.epochs=4", "run.name=done", "run.resume=true"))
