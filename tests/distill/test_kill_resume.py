"""A run killed with SIGKILL (kill -9) at a random step, or while it writes its checkpoint, and
then resumed, ends exactly as an uninterrupted run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from tiny_runs import RID, command_env, comparable, student_state, tiny

from pidkit_distill.training import train
from pidkit_distill.training.checkpoint import read_checkpoint

EXTRA = [*RID, "run.epochs=6", "optim.milestones=[0.5]", "run.resume=true"]
STEPS_PER_EPOCH = 3  # 96 samples in batches of 32

# Runs the tiny RID run (with the overrides that follow the two numbers) and kills itself with
# SIGKILL just before optimizer step number KILL_STEP (counted over the whole run), or just
# before the KILL_AT_REPLACE-th os.replace of checkpoint.pt (the new checkpoint is then written
# and fsync'ed, but not yet in place).
SCRIPT = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import torch
    sys.path.insert(0, {tests!r})
    from test_kill_resume import EXTRA
    from tiny_runs import tiny
    from pidkit_distill.training import train

    kill_step, kill_at_replace = int(sys.argv[1]), int(sys.argv[2])
    counts = {{"steps": 0, "replaces": 0}}
    sgd_step, os_replace = torch.optim.SGD.step, os.replace

    def step(self, *args, **kwargs):
        counts["steps"] += 1
        if counts["steps"] == kill_step:
            os.kill(os.getpid(), signal.SIGKILL)
        return sgd_step(self, *args, **kwargs)

    def replace(src, dst):
        if str(dst).endswith("checkpoint.pt"):
            counts["replaces"] += 1
            if counts["replaces"] == kill_at_replace:
                os.kill(os.getpid(), signal.SIGKILL)
        return os_replace(src, dst)

    torch.optim.SGD.step, os.replace = step, replace
    train(tiny(Path({out!r}), *EXTRA, *sys.argv[3:], "run.name=killed"))
""")


def run_killed(tmp_path: Path, kill_step: int, kill_at_replace: int, *extra: str) -> None:
    """Run SCRIPT, writing under ``tmp_path``, with those arguments; it must die of SIGKILL."""
    script = tmp_path / "killed_run.py"
    script.write_text(SCRIPT.format(tests=str(Path(__file__).parent), out=str(tmp_path)))
    env = {**command_env(), "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(script), str(kill_step), str(kill_at_replace),
                           *extra], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]


def test_kill_9_at_a_random_step_then_resume_equals_an_uninterrupted_run(tmp_path):
    total = 6 * STEPS_PER_EPOCH
    kill_step = random.Random(20261130).randrange(2, total)  # fixed seed: reproducible
    run_dir = tmp_path / "killed"

    # killed inside an epoch: the checkpoint holds the epochs completed before it
    run_killed(tmp_path, kill_step, 0)
    done = (kill_step - 1) // STEPS_PER_EPOCH
    assert done >= 1, "the seed's step lies in a later epoch: there is a checkpoint to resume"
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == done, kill_step
    # resumed, then killed again while replacing its second new checkpoint
    run_killed(tmp_path, 0, 2)
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == done + 1, kill_step
    # the new one never replaced the old one: its temporary file is left, until the next run
    # locks the folder
    assert len(list(run_dir.glob("checkpoint.pt.*.tmp"))) == 1
    resumed = train(tiny(tmp_path, *EXTRA, "run.name=killed"))
    assert not list(run_dir.glob("*.tmp"))

    full = train(tiny(tmp_path, *EXTRA, "run.name=full"))
    assert resumed.epochs_done == full.epochs_done == 6
    assert comparable(resumed.history) == comparable(full.history), kill_step
    a, b = student_state(full.run_dir), student_state(run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a), kill_step
    whole = read_checkpoint(full.run_dir / "checkpoint.pt")["module"]
    assert all(torch.equal(whole[k], v) for k, v in
               read_checkpoint(run_dir / "checkpoint.pt")["module"].items())
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert comparable([json.loads(line) for line in lines]) == comparable(full.history)


def test_a_run_killed_between_its_checkpoints_resumes_to_the_uninterrupted_run(tmp_path):
    # run.checkpoint_every=4: killed in epoch 6, the checkpoint holds epoch 4 while metrics.jsonl
    # has epoch 5 too; the resumed run trains epoch 5 again and ends as a run saved every epoch
    run_dir = tmp_path / "killed"
    run_killed(tmp_path, 5 * STEPS_PER_EPOCH + 2, 0, "run.checkpoint_every=4")
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == 4
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2, 3, 4, 5]
    resumed = train(tiny(tmp_path, *EXTRA, "run.checkpoint_every=4", "run.name=killed"))

    full = train(tiny(tmp_path, *EXTRA, "run.name=full"))
    assert comparable(resumed.history) == comparable(full.history)
    a, b = student_state(full.run_dir), student_state(run_dir)
    assert all(torch.equal(a[k], b[k]) for k in a)
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert comparable([json.loads(line) for line in lines]) == comparable(full.history)


def test_an_interrupt_right_after_a_checkpoint_is_saved_reports_what_it_holds(tmp_path, monkeypatch):
    # SIGTERM landing between the checkpoint's write and its record said the checkpoint held the
    # epoch before, and left that epoch's metrics line unwritten (a flaky CLI test caught it).
    from pidkit_distill.signals import sigterm_interrupts
    from pidkit_distill.training import TrainingInterrupted, loop

    real_save = loop.save_checkpoint

    def save_then_terminate(path, **kwargs):
        real_save(path, **kwargs)
        if kwargs["state"]["epoch"] == 2:
            os.kill(os.getpid(), signal.SIGTERM)  # the signal arrives as the save returns

    monkeypatch.setattr(loop, "save_checkpoint", save_then_terminate)
    config = tiny(tmp_path, "run.epochs=4", "run.name=cut")
    with sigterm_interrupts(), pytest.raises(TrainingInterrupted) as stopped:
        train(config)
    run_dir = tmp_path / "cut"
    assert read_checkpoint(run_dir / "checkpoint.pt")["epoch"] == 2
    assert stopped.value.epochs_saved == 2
    assert "holds the run after epoch 2" in str(stopped.value)
    lines = (run_dir / "metrics.jsonl").read_text().splitlines()
    assert [json.loads(line)["epoch"] for line in lines] == [1, 2]
