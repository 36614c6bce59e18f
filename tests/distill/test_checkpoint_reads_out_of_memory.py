"""Reads of a whole checkpoint other than the run's own resume: a ``student_init`` run's (TED
starts from the trained BAS student) and :func:`~pidkit_distill.load_student`'s. Each maps the
file (only the student's weights are used of the training state it holds), and memory running
out while it is read is one message naming the file (a traceback from the trainer, a bare
MemoryError from load_student, before)."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import OUT_OF_MEMORY, TINY, loads_failing, tiny

from pidkit_distill import TrainingError, load_student, train
from pidkit_distill.cli import main

TED = ["method.name=ted", "method.params.stage1_epochs=1", "run.epochs=2"]


@pytest.mark.parametrize("error", OUT_OF_MEMORY)
def test_memory_running_out_reading_the_student_init_run_s_checkpoint_is_one_line(
        tmp_path, capsys, monkeypatch, error):
    init_checkpoint = tmp_path / "ted.bas-init" / "checkpoint.pt"
    said = (f"out of memory (MemoryError) while reading {str(init_checkpoint)!r} for the trained "
            "bas student that ted starts from; the checkpoint is as it was: free memory on this "
            "machine, or use one with more, then rerun the same command")
    asked = loads_failing(monkeypatch, error,
                          lambda path: path.parent.name in ("ted.bas-init", "cli.bas-init"))
    with pytest.raises(TrainingError) as raised:
        train(tiny(tmp_path, *TED, "run.name=ted"))
    assert str(raised.value) == said
    assert isinstance(raised.value.__cause__, MemoryError)
    assert asked == [True]  # mapped (before: read whole)
    assert not (tmp_path / "ted" / "checkpoint.pt").exists()
    # the same from the command line: one line, exit status 1
    argv = ["train", *[arg for item in [*TINY, f"run.out_dir={tmp_path}", *TED, "run.name=cli"]
                       for arg in ("--set", item)]]
    assert main(argv) == 1
    assert asked == [True, True]
    cli_checkpoint = tmp_path / "cli.bas-init" / "checkpoint.pt"
    assert capsys.readouterr().err == ("pidkit-distill train: training failed: "
                                       + said.replace(str(init_checkpoint), str(cli_checkpoint))
                                       + "\n")
    monkeypatch.undo()  # memory is there again: rerunning the same command goes on
    assert train(tiny(tmp_path, *TED, "run.name=ted")).epochs_done == 2


@pytest.mark.parametrize("error", OUT_OF_MEMORY)
def test_load_student_maps_the_checkpoint_and_names_it_when_memory_runs_out(tmp_path,
                                                                            monkeypatch, error):
    run_dir = train(tiny(tmp_path, "run.epochs=1", "run.name=r")).run_dir
    asked = loads_failing(monkeypatch, error, lambda path: path.parent.name == "r")
    with pytest.raises(MemoryError) as raised:
        load_student(run_dir)
    assert str(raised.value) == (
        f"run_dir: out of memory (MemoryError) while reading checkpoint "
        f"{str(run_dir / 'checkpoint.pt')!r}; the file is as it was: free memory on this machine, "
        "or use one with more, then call load_student again")
    assert asked == [True]
    monkeypatch.undo()
    weights = load_student(run_dir).state_dict()
    saved = torch.load(run_dir / "checkpoint.pt", weights_only=True)["student"]
    assert weights.keys() == saved.keys()
    assert all(torch.equal(weights[key], saved[key]) for key in saved)
