"""Two messages of a run's start: memory running out while the run reads its checkpoint to
resume is the run's one-line failure (it was Python's MemoryError traceback once safe_load let
MemoryError through, 8a6ba16), and ``run.device=cuda`` where CUDA_VISIBLE_DEVICES hides the GPUs
says so (it said only that the machine has no CUDA device)."""

from __future__ import annotations

import pytest
import torch

from pidkit_distill import TrainingError, check_config, load_config, train
from pidkit_distill.cli import main
from pidkit_distill.training import checks, loop

SMALL = ["data.name=synthetic", "model.teacher=synthetic-teacher",
         "model.student=synthetic-student", "teacher.source=untrained", "run.audit_every=0",
         "run.progress=false", "run.device=cpu", "run.threads=1"]


def _argv(settings: list[str]) -> list[str]:
    return ["train", *[arg for item in settings for arg in ("--set", item)]]


@pytest.mark.parametrize("reader, start", [(loop, train), (checks, check_config)],
                         ids=["the-run-s-whole-read", "check-config-s-mapped-read"])
def test_memory_running_out_while_the_checkpoint_is_read_is_one_line(tmp_path, capsys,
                                                                      monkeypatch, reader, start):
    # check_config's read (mapped, before the run) was still Python's MemoryError traceback
    # from pidkit-distill train --resume after 35a110d
    settings = [*SMALL, f"run.out_dir={tmp_path}", "run.name=r", "run.epochs=2"]
    train(load_config(overrides=[*settings, "run.stop_after=1"]))
    checkpoint = tmp_path / "r" / "checkpoint.pt"
    before = checkpoint.read_bytes()

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(reader, "resume_point", no_memory)
    resumed = [*settings, "run.resume=true"]
    said = (f"out of memory (MemoryError) while reading {str(checkpoint)!r} to resume the run; "
            "the checkpoint is as it was: free memory on this machine, or use one with more, "
            "then rerun the same command")
    with pytest.raises(TrainingError) as err:
        start(load_config(overrides=resumed))
    assert str(err.value) == said
    assert isinstance(err.value.__cause__, MemoryError)
    assert main(_argv(resumed)) == 1
    assert capsys.readouterr().err == f"pidkit-distill train: training failed: {said}\n"
    assert checkpoint.read_bytes() == before


def test_run_device_cuda_where_cuda_visible_devices_hides_the_gpus_says_so(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    config = load_config(overrides=[*SMALL[:-2], "run.device=cuda", f"run.out_dir={tmp_path}"])
    with pytest.raises(ValueError) as err:
        check_config(config)
    assert str(err.value) == (
        "run.device: 'cuda' was asked for, but this machine has no CUDA device "
        "(CUDA_VISIBLE_DEVICES='' is set: it hides every GPU it does not name); use "
        "run.device=cpu or auto")
