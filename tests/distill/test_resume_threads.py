"""A run resumed with another run.threads says that it is no longer bit-identical to an
uninterrupted run: the thread count changes a reduction's order, and the numbers beyond
rounding through training (threads 1 and 2: train_loss 2.227414840667798 and
2.227428367603418, Red 1.26364 and 1.29753), where the docs said a resumed run was identical
and listed run.threads among the keys a resume may change, silently."""

from __future__ import annotations

import pytest
from tiny_runs import tiny

from pidkit_distill import train

pytestmark = pytest.mark.usefixtures("one_torch_thread")

NOTE = ("note: run.threads is {now} now, {before} before: the epochs trained from here on use "
        "another number of CPU threads, which changes their numbers beyond rounding; this run "
        "is no longer bit-identical to one trained without interruption")


def test_a_resume_with_other_threads_says_so_once(tmp_path, capsys):
    train(tiny(tmp_path, "run.name=r", "run.epochs=3", "run.stop_after=1"))
    capsys.readouterr()
    train(tiny(tmp_path, "run.name=r", "run.epochs=3", "run.stop_after=1", "run.resume=true",
               "run.threads=2"))
    out = capsys.readouterr().out
    assert out.count("note: run.threads") == 1
    assert NOTE.format(now=2, before=1) in out
    # resumed again with the thread count it has now: nothing more to say
    train(tiny(tmp_path, "run.name=r", "run.epochs=3", "run.resume=true", "run.threads=2"))
    out = capsys.readouterr().out
    assert "resumed" in out and "note: run.threads" not in out


def test_a_complete_run_resumed_with_other_threads_says_nothing(tmp_path, capsys):
    # nothing is trained: its numbers are those of the run it continues
    train(tiny(tmp_path, "run.name=r", "run.epochs=1"))
    train(tiny(tmp_path, "run.name=r", "run.epochs=1", "run.resume=true", "run.threads=2"))
    out = capsys.readouterr().out
    assert "the run is complete" in out and "note: run.threads" not in out
