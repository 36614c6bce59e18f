"""What a stopped run says it had done: the first process to stop under torchrun, where the run
was (before its first epoch, in an epoch's audit) and what was saved."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

import pytest
import torch.distributed as dist
from test_out_of_memory import out_of_memory_in_eval_mode
from tiny_runs import TINY, command_env, tiny

from pidkit_distill import TrainingInterrupted
from pidkit_distill.cli import main
from pidkit_distill.training import loop, train

# one attempt of a torchrun restart (--max_restarts): a new process joins the store of
# torchrun's agent (TORCHELASTIC_USE_AGENT_STORE), runs, and stops with the attempt's error.
# Its group has this one process, which the trainer takes for rank 0 of 2. It destroys its group
# before it exits, as a run that ends well does: a process that exits with a gloo group alive
# aborted at exit about once in 30 under load, after printing its line ("terminate called without
# an active exception", exit -6: a gloo worker thread freed its last all_gather's work during the
# interpreter's finalization and could not take the GIL; pytorch/pytorch#190489, and torch's own
# test fix #65513). That exit is torch's, not what this test is about.
ATTEMPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    from tiny_runs import tiny
    from pidkit_distill.training import runtime

    runtime.world_size_from_env = lambda: 2
    run = runtime.init_runtime(tiny(Path(sys.argv[1])))
    first = runtime.first_stop(run, ValueError(f"attempt {sys.argv[2]} failed"))
    print(first.rank, first.message)
    runtime.close_runtime(run)
""")


def test_a_run_restarted_by_torchrun_reports_its_own_first_stop_not_the_attempts_before(
        tmp_path):
    # torchrun's agent keeps one store, and its keys, for every attempt, and each attempt's
    # processes counted their runs from 0: the key pidkit_distill/first_stop/0 was the attempt
    # before's, so the restarted run took that attempt's stop for its own ("attempt 0 failed")
    # and printed its cause
    agent = dist.TCPStore("127.0.0.1", 0, is_master=True, timeout=timedelta(seconds=30))
    env = {**command_env(), "RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1",
           "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": str(agent.port),
           "TORCHELASTIC_USE_AGENT_STORE": "True", "OMP_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), command_env()["PYTHONPATH"]])}
    said = []
    for attempt in ("0", "1"):
        proc = subprocess.run([sys.executable, "-c", ATTEMPT, str(tmp_path), attempt],
                              env={**env, "TORCHELASTIC_RESTART_COUNT": attempt},
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-3000:]
        said.append(proc.stdout.strip())
    assert said == ["0 attempt 0 failed", "0 attempt 1 failed"]


def _train_command(out_dir: Path, *extra: str) -> list[str]:
    """``pidkit-distill train``'s arguments for the tiny run of 3 epochs under ``out_dir``."""
    return ["train", *[arg for item in [*TINY, "run.epochs=3", f"run.out_dir={out_dir}", *extra]
                       for arg in ("--set", item)]]


NOTHING = "nothing was saved (no epoch had completed)"


@pytest.mark.parametrize(("role", "method", "said"), [
    ("teacher", "forward", f"while evaluating the teacher before epoch 1; {NOTHING}; lower "
     "data.eval_batch_size"),
    ("student", "forward_features", f"while auditing the untrained networks; {NOTHING}; lower "
     "audit.max_samples or data.eval_batch_size"),
], ids=["teacher-evaluation", "audit-before-training"])
def test_out_of_memory_before_the_first_epoch_says_what_the_run_was_doing(
        role, method, said, tmp_path, capsys, monkeypatch):
    # it said "in epoch 1" of a run that had not started its first epoch
    out_of_memory_in_eval_mode(monkeypatch, role, method, 1)
    assert main(_train_command(tmp_path, "run.audit_every=1")) == 1
    assert capsys.readouterr().err == (
        f"pidkit-distill train: training failed: out of memory (OutOfMemoryError) {said}\n")


def test_out_of_memory_evaluating_the_teacher_of_a_resumed_run_names_the_next_epoch(
        tmp_path, capsys, monkeypatch):
    # it said "in epoch 3", which had not started; and "in epoch 3" of a complete run of 3
    assert main(_train_command(tmp_path, "run.stop_after=2")) == 0
    ckpt = tmp_path / "synthetic-bas-ut-s0" / "checkpoint.pt"
    saved = f"saved: {ckpt} holds the run after epoch {{}} (rerunning the same command continues it)"
    for done in (2, 3):
        out_of_memory_in_eval_mode(monkeypatch, "teacher", "forward", 1)
        capsys.readouterr()
        assert main([*_train_command(tmp_path, "run.resume=true")]) == 1
        before = "before epoch 3" if done == 2 else "after the last epoch"
        assert capsys.readouterr().err == (
            "pidkit-distill train: training failed: out of memory (OutOfMemoryError) while "
            f"evaluating the teacher {before}; {saved.format(done)}; lower data.eval_batch_size\n")
        monkeypatch.undo()
        assert main(_train_command(tmp_path, "run.resume=true")) == 0  # the run completes


def test_a_stop_in_the_audit_of_epoch_1_says_epoch_1_completed_before_its_checkpoint(
        tmp_path, capsys, monkeypatch):
    # the audit of epoch 1 comes before its checkpoint (the checkpoint holds the audit's
    # records): memory running out there, or an interrupt, said "nothing was saved (no epoch
    # had completed)" after epoch 1 had trained, with run.checkpoint_every=1
    run_dir = tmp_path / "synthetic-bas-ut-s0"
    not_saved = ("nothing was saved (1 epoch(s) completed, but none was checkpointed yet: one "
                 "is written every run.checkpoint_every epochs, after the epoch's audit)")
    # the audit's forward passes: 1 for the untrained networks, 2 for epoch 1's evaluation
    out_of_memory_in_eval_mode(monkeypatch, "student", "forward_features", 3)
    assert main(_train_command(tmp_path, "run.audit_every=1", "run.checkpoint_every=1")) == 1
    assert capsys.readouterr().err.splitlines()[-1] == (
        "pidkit-distill train: training failed: out of memory (OutOfMemoryError) while auditing "
        f"the networks in epoch 1; {not_saved}; lower audit.max_samples or data.eval_batch_size")
    assert not (run_dir / "checkpoint.pt").exists()

    def interrupted(*args, **kwargs):
        if kwargs["epoch"] == 1:
            raise KeyboardInterrupt
        return audit(*args, **kwargs)

    monkeypatch.undo()
    audit = loop._audit
    monkeypatch.setattr(loop, "_audit", interrupted)
    with pytest.raises(TrainingInterrupted) as stopped:
        train(tiny(tmp_path, "run.epochs=3", "run.audit_every=1", "run.checkpoint_every=1",
                   "run.name=cut"))
    assert str(stopped.value) == (f"interrupted during epoch 1 of {tmp_path / 'cut'}; "
                                  f"{not_saved}: rerun the same command to start again")


def _interrupted_at_first(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """The first call of ``loop.NAME`` in this test raises an interrupt (Ctrl-C)."""
    calls = []

    def interrupted(*args, **kwargs):
        calls.append(name)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return run(*args, **kwargs)

    run = getattr(loop, name)
    monkeypatch.setattr(loop, name, interrupted)


def test_an_interrupt_outside_any_epoch_says_what_the_run_was_doing(tmp_path, monkeypatch):
    # by the rule of the errors above: a Ctrl-C while the teacher was evaluated (a run's first
    # evaluate) said "during epoch 1" of a run that had not started it, "during epoch 3" of a
    # run resumed after epoch 2 and "after epoch 3" of a complete run; one while the run set up
    # (wrap_for_ddp) "during epoch 1"
    run_dir, new = tmp_path / "synthetic-bas-ut-s0", tmp_path / "new"
    keep = "rerun the same command to continue from there"
    start = "nothing was saved (no epoch had completed): rerun the same command to start again"
    said = {}
    for case, where, extra in [
            ("new", "evaluate", ["run.name=new"]), ("base", None, ["run.stop_after=2"]),
            ("resumed", "evaluate", ["run.resume=true"]), ("finish", None, ["run.resume=true"]),
            ("complete", "evaluate", ["run.resume=true"]),
            ("set-up", "wrap_for_ddp", ["run.name=new"])]:
        if where is not None:
            _interrupted_at_first(monkeypatch, where)
        try:
            train(tiny(tmp_path, "run.epochs=3", "run.print_every=0", *extra))
        except TrainingInterrupted as stopped:
            said[case] = stopped.epoch, str(stopped)
            again = pickle.loads(pickle.dumps(stopped))  # as it leaves a worker process
            assert (again.epoch, again.doing, str(again)) == (None, stopped.doing, str(stopped))
        monkeypatch.undo()
    assert said == {
        "new": (None, f"interrupted while evaluating the teacher before epoch 1 of {new}; "
                      f"{start}"),
        "resumed": (None, f"interrupted while evaluating the teacher before epoch 3 of "
                          f"{run_dir}; its checkpoint.pt holds the run after epoch 2: {keep}"),
        "complete": (None, f"interrupted while evaluating the teacher after the last epoch of "
                           f"{run_dir}; its checkpoint.pt holds the run after epoch 3: {keep}"),
        "set-up": (None, f"interrupted before epoch 1 of {new}; {start}"),
    }
