"""How ``pidkit-distill train`` stops before its end: a NaN loss or running out of memory
(exit 1), Ctrl-C (130), SIGTERM (143), the reader of its output gone (141); one line
saying what was saved and how to go on."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import time

import pytest
import torch
from test_cli import BASE, TEACHER_BASE
from tiny_runs import command_env, run_with_reader_gone

from pidkit_distill import training
from pidkit_distill.cli import main
from pidkit_distill.methods import StepOutput
from pidkit_distill.methods.bas import BAS
from pidkit_distill.training import run as run_module
from pidkit_distill.training.teacher import SupervisedModel

# --- failures during training: exit 1, one line with the epoch, the step and what was saved --


def test_a_nan_loss_exits_1_and_says_where_and_what_was_saved(tmp_path, capsys, monkeypatch):
    calls = itertools.count(1)
    forward = BAS.forward

    def nan_from_step_5(self, x, y, *, epoch):  # 3 steps an epoch: epoch 2, step 2
        out = forward(self, x, y, epoch=epoch)
        if not x.is_meta and next(calls) >= 5:  # not the check's step on the meta device
            return StepOutput(out.logits, {k: v * float("nan") for k, v in out.losses.items()})
        return out

    monkeypatch.setattr(BAS, "forward", nan_from_step_5)
    assert main(["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "3"]) == 1
    err = capsys.readouterr().err
    checkpoint = tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt"
    assert err == (
        "pidkit-distill train: training failed: the training loss became NaN or infinite in "
        f"epoch 2, step 2 of 3; saved: {checkpoint} holds the run after epoch 1, but the run is "
        "seeded, so resuming it meets this again; lower optim.lr or optim.grad_clip (now 100) in a "
        "new run: pass another run.name too (--run.name NEW), as a resume keeps the configuration "
        "and the same command without --resume is refused\n")
    lines = (checkpoint.parent / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1]
    calls = itertools.count(1)  # unclipped, the hint says to clip
    assert main(["train", *BASE, "--out-dir", str(tmp_path / "unclipped"), "--epochs", "3",
                 "--optim.grad_clip", "0"]) == 1
    assert "; lower optim.lr or set optim.grad_clip (e.g. 100) in a new run: " in capsys.readouterr().err


def test_running_out_of_memory_exits_1_and_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    def out_of_memory(self, x, y, *, epoch):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

    monkeypatch.setattr(BAS, "forward", out_of_memory)
    assert main(["train", *BASE, "--out-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (OutOfMemoryError) in epoch 1, "
        "step 1 of 3; nothing was saved (no epoch had completed); lower data.batch_size\n")


# --- Ctrl-C: one line saying what was saved and how to go on, exit 130 -------------------------


def interrupted_status(argv: list[str]) -> int:
    """``main(argv)``'s exit status; a KeyboardInterrupt let through fails the test (only)."""
    try:
        return main(argv)
    except KeyboardInterrupt:
        pytest.fail("pidkit-distill let the KeyboardInterrupt through (a traceback)")


def interrupt_at(monkeypatch, cls, call: int) -> None:
    """Make the ``call``-th training step of ``cls`` raise KeyboardInterrupt (as Ctrl-C does)."""
    calls = itertools.count(1)
    forward = cls.forward

    def interrupted(self, x, *args, **kwargs):
        if not x.is_meta and next(calls) == call:  # not the check's step on the meta device
            raise KeyboardInterrupt
        return forward(self, x, *args, **kwargs)

    monkeypatch.setattr(cls, "forward", interrupted)


def test_ctrl_c_in_training_says_what_the_checkpoint_holds_and_how_to_resume(
        tmp_path, capsys, monkeypatch):
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "4"]
    interrupt_at(monkeypatch, BAS, 8)  # 3 steps an epoch: epoch 3, step 2
    assert interrupted_status(argv) == 130
    out, err = capsys.readouterr()
    run = tmp_path / "synthetic-bas-ut-s0"
    assert err == (f"pidkit-distill train: interrupted during epoch 3 of {run}; its checkpoint.pt "
                   "holds the run after epoch 2: rerun the same command with --resume "
                   "(run.resume=true) to continue from there\n")
    assert "epoch 2/4" in out and "epoch 3/4" not in out
    monkeypatch.undo()
    assert main([*argv, "--resume"]) == 0  # what the line says to do works
    assert f"resumed {run / 'checkpoint.pt'} after epoch 2" in capsys.readouterr().out
    lines = (run / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4]


def test_the_last_line_says_when_a_run_stopped_early_and_when_nothing_was_left(tmp_path, capsys):
    # '--run.stop_after 1' ended with the line of a finished run, and resuming a complete run
    # said only 'resumed ... after epoch 2'
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2"]
    run = tmp_path / "synthetic-bas-ut-s0"
    assert main([*argv, "--run.stop_after", "1"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.endswith(f"(epoch 1; chosen on the held-out set, so optimistic); run folder {run}; "
                         "stopped after epoch 1 of 2 "
                         "(run.stop_after=1): rerun with --resume to continue"), last
    assert main([*argv, "--resume"]) == 0
    out = capsys.readouterr().out
    assert f"resumed {run / 'checkpoint.pt'} after epoch 1\n" in out
    assert out.splitlines()[-1].endswith(f"; run folder {run}")
    assert main([*argv, "--resume"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (f"resumed {run / 'checkpoint.pt'} after epoch 2 (the run is complete: "
                      "nothing to train)")
    assert len(out) == 2 and out[1].endswith(f"; run folder {run}")


def test_ctrl_c_in_the_first_epoch_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    argv = ["train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2"]
    interrupt_at(monkeypatch, BAS, 2)
    assert interrupted_status(argv) == 130
    assert capsys.readouterr().err == (
        f"pidkit-distill train: interrupted during epoch 1 of {tmp_path / 'synthetic-bas-ut-s0'}; "
        "nothing was saved (no epoch had completed): rerun the same command to start again\n")
    monkeypatch.undo()
    assert main(argv) == 0


def test_ctrl_c_while_a_teacher_trains_resumes_with_the_same_command(tmp_path, capsys,
                                                                     monkeypatch):
    argv = ["train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path), "--teacher.epochs", "3"]
    interrupt_at(monkeypatch, SupervisedModel, 5)  # epoch 2, step 2
    assert interrupted_status(argv) == 130
    (run,) = tmp_path.glob("teacher-*")
    assert capsys.readouterr().err == (
        f"pidkit-distill train-teacher: interrupted during epoch 2 of {run}; its checkpoint.pt "
        "holds the run after epoch 1: rerun the same command to continue from there\n")
    monkeypatch.undo()
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert f"resumed {run / 'checkpoint.pt'} after epoch 1" in out and "teacher: " in out


def test_ctrl_c_outside_the_epochs_and_in_the_demo(tmp_path, capsys, monkeypatch):
    def ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "load_data", ctrl_c)
    assert interrupted_status(["train", *BASE, "--out-dir", str(tmp_path)]) == 130
    assert capsys.readouterr().err == ("pidkit-distill train: interrupted while no epoch was "
                                       "running (nothing was left half-done): rerun the same "
                                       "command\n")
    with pytest.raises(KeyboardInterrupt):  # --debug: the traceback
        main(["train", *BASE, "--out-dir", str(tmp_path), "--debug"])
    monkeypatch.setattr(training, "train_teacher", ctrl_c)
    assert interrupted_status(["demo", "--out-dir", str(tmp_path / "demo")]) == 130
    assert capsys.readouterr().err == (
        "pidkit-distill demo: interrupted before any of its 6 runs had finished: run the demo "
        "again to start over (it empties its --out-dir first)\n")


def test_sigterm_stops_training_as_ctrl_c_does_with_status_143(tmp_path):
    # kill, timeout and a scheduler's pre-emption send SIGTERM: it used to end the process at
    # once with no word of what was saved (status 143 from the signal itself)
    command = [sys.executable, "-m", "pidkit_distill", "train", *BASE, "--out-dir",
               str(tmp_path), "--epochs", "100000"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True, env=command_env())
    metrics = tmp_path / "synthetic-bas-ut-s0" / "metrics.jsonl"
    try:
        deadline = time.monotonic() + 120
        while not (metrics.exists() and metrics.read_text().count("\n") >= 2):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.1)
        proc.terminate()
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 143, err
    run = re.escape(str(metrics.parent))
    line = re.fullmatch(
        rf"pidkit-distill train: interrupted (during|after) epoch (\d+) of {run}; "
        r"its checkpoint.pt holds the run after epoch (\d+): rerun the same command with "
        r"--resume \(run.resume=true\) to continue from there\n", err)
    assert line, err
    saved = int(line[3])
    assert saved >= 2
    assert main([*command[3:], "--resume", "--run.stop_after", "1"]) == 0  # it resumes
    assert json.loads(metrics.read_text().splitlines()[-1])["epoch"] == saved + 1


def test_a_reader_that_goes_away_stops_training_in_one_line_with_status_141(tmp_path):
    # `pidkit-distill train ... | head`: it said "training failed: [Errno 32] Broken pipe", exit 1
    status, err = run_with_reader_gone("train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2")
    assert status == 141, err
    assert err == ("pidkit-distill train: stopped: the reader of its output went away (as `| head` "
                   "does); a run keeps its checkpoint.pt of the last completed epoch, and "
                   "rerunning the same command with --resume continues it; send the output to a "
                   "file or through `tee` to keep it running\n")


def test_a_reader_of_output_and_errors_that_goes_away_stops_training_with_status_141(tmp_path):
    # `pidkit-distill train ... 2>&1 | head`: the stop line itself met the closed pipe, and the
    # command ended with status 1 (a failed training to `set -o pipefail`), not 141
    status, err = run_with_reader_gone("train", *BASE, "--out-dir", str(tmp_path), "--epochs", "2",
                                       errors_too=True)
    assert (status, err) == (141, "")


# `python -c` of a train whose first step raises KeyboardInterrupt (as Ctrl-C does)
INTERRUPTED_TRAIN = """
import sys
from pidkit_distill.cli import main
from pidkit_distill.methods.bas import BAS
forward = BAS.forward
def interrupted(self, x, *args, **kwargs):
    if not x.is_meta:  # not the check's step on the meta device
        raise KeyboardInterrupt
    return forward(self, x, *args, **kwargs)
BAS.forward = interrupted
sys.exit(main(sys.argv[1:]))
"""


def test_ctrl_c_with_the_reader_of_output_and_errors_gone_is_status_130(tmp_path):
    # `pidkit-distill train ... 2>&1 | tee log` and Ctrl-C, which ends tee too: the line saying
    # what was saved met the closed pipe, and its BrokenPipeError made the status 1, not 130
    proc = subprocess.Popen([sys.executable, "-c", INTERRUPTED_TRAIN, "train", *BASE,
                             "--out-dir", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, env=command_env())
    proc.stdout.close()  # before the command prints anything (its imports take longer)
    assert proc.wait(timeout=120) == 130
    assert not (tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt").exists()


def test_a_reader_that_goes_away_stops_a_teacher_saying_the_same_command_continues(tmp_path):
    # it said to rerun with --resume, which train-teacher does not take (it resumes by itself)
    status, err = run_with_reader_gone("train-teacher", *TEACHER_BASE, "--out-dir", str(tmp_path),
                                       "--teacher.epochs", "2")
    assert status == 141, err
    assert err == ("pidkit-distill train-teacher: stopped: the reader of its output went away (as "
                   "`| head` does); the teacher's run keeps its checkpoint.pt of the last "
                   "completed epoch, and rerunning the same command continues it; send the "
                   "output to a file or through `tee` to keep it running\n")


def test_a_reader_that_goes_away_from_the_list_of_methods_is_not_told_of_a_run():
    # `pidkit-distill train --list-methods | head` said a run keeps its checkpoint.pt and to
    # rerun with --resume: it lists the methods, and trains nothing
    status, err = run_with_reader_gone("train", "--list-methods")
    assert status == 141, err
    assert err == ("pidkit-distill train: stopped: the reader of its output went away (as "
                   "`| head` does) before the list of methods ended; nothing was run: send the "
                   "output to a file or through `less` to read all of it\n")
