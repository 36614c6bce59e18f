"""A run with run.amp=true resumed on another type of device says that its numerics change: a
CPU run's amp had no effect and takes effect on a GPU (bf16 autocast from the resume on), a GPU
run's stops having any on the CPU. It switched silently. The GPU side is a runtime on
``cuda:0`` handed to the checkpoint's save or restore (no GPU is needed: neither touches it)."""

from __future__ import annotations

import dataclasses
import warnings

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill import train
from pidkit_distill.training import loop
from pidkit_distill.training.checkpoint import read_checkpoint

pytestmark = pytest.mark.usefixtures("one_torch_thread")

RUN = ("run.name=r", "run.epochs=3", "run.amp=true")
ON_CPU = "run.amp=true has no effect on CPU"
CPU_TO_CUDA = (
    "run.amp=true had no effect in this run's 1 epoch so far, trained on cpu (float32); it "
    "resumes on cuda, where run.amp takes effect: the epochs from here on train under bf16 "
    "autocast, with other numerics than those before; to keep float32, resume on the CPU "
    "(--run.device cpu), as run.amp cannot change in a resume")
CUDA_TO_CPU = (
    "run.amp=true took effect in this run's 1 epoch so far, trained on cuda under bf16 "
    "autocast; it resumes on cpu, where run.amp has no effect: the epochs from here on train in "
    "float32, with other numerics than those before; to keep bf16 autocast, resume on a CUDA "
    "GPU (--run.device cuda), as run.amp cannot change in a resume")


def _on_cuda(real):
    """``real`` (the loop's save_checkpoint or restore_checkpoint) given a runtime on cuda:0."""
    def on_cuda(*args, runtime, **kwargs):
        return real(*args, runtime=dataclasses.replace(runtime, device=torch.device("cuda", 0)),
                    **kwargs)
    return on_cuda


def _amp_warnings(*overrides, tmp_path):
    """The RuntimeWarnings about run.amp that ``train`` of ``overrides`` gave, but the one
    that amp has no effect on the CPU."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train(tiny(tmp_path, *overrides))
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)
            and "run.amp" in str(w.message) and ON_CPU not in str(w.message)]


def test_a_cpu_run_with_amp_resumed_on_a_gpu_says_amp_takes_effect(tmp_path, monkeypatch):
    assert _amp_warnings(*RUN, "run.stop_after=1", tmp_path=tmp_path) == []
    assert read_checkpoint(tmp_path / "r" / "checkpoint.pt")["device"] == "cpu"
    train(tiny(tmp_path, "run.name=plain", "run.epochs=2", "run.stop_after=1"))
    with pytest.warns(RuntimeWarning, match=ON_CPU):
        train(tiny(tmp_path, *RUN[1:], "run.name=done"))
    monkeypatch.setattr(loop, "restore_checkpoint", _on_cuda(loop.restore_checkpoint))
    assert _amp_warnings(*RUN, "run.resume=true", "run.stop_after=1",
                         tmp_path=tmp_path) == [CPU_TO_CUDA]
    # no run.amp, or no epoch left to train (a complete run resumed): nothing changes
    assert _amp_warnings("run.name=plain", "run.epochs=2", "run.resume=true",
                         tmp_path=tmp_path) == []
    assert _amp_warnings(*RUN[1:], "run.name=done", "run.resume=true", tmp_path=tmp_path) == []


def test_a_gpu_run_with_amp_resumed_on_the_cpu_says_amp_stops(tmp_path, monkeypatch):
    with monkeypatch.context() as patched, pytest.warns(RuntimeWarning, match=ON_CPU):
        patched.setattr(loop, "save_checkpoint", _on_cuda(loop.save_checkpoint))
        train(tiny(tmp_path, *RUN, "run.stop_after=1"))
    assert read_checkpoint(tmp_path / "r" / "checkpoint.pt")["device"] == "cuda"
    assert _amp_warnings(*RUN, "run.resume=true", "run.stop_after=1",
                         tmp_path=tmp_path) == [CUDA_TO_CPU]
    # the CPU's checkpoint: resumed on the CPU again, nothing changes
    assert _amp_warnings(*RUN, "run.resume=true", tmp_path=tmp_path) == []
