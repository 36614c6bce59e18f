"""A machine whose GPUs CUDA_VISIBLE_DEVICES hides is told so, not only that it has no CUDA
device (its GPUs are there, and the variable is what to change)."""

from __future__ import annotations

import pytest
import torch

from pidkit_distill.devices import NO_CUDA, devices_here, no_cuda


def _no_visible_gpu(monkeypatch, visible: str | None, *, built: bool = True) -> None:
    """torch, built with CUDA or not, sees no CUDA device; CUDA_VISIBLE_DEVICES is ``visible``
    (``None``: unset)."""
    if visible is None:
        monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    else:
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", visible)
    monkeypatch.setattr(torch.backends.cuda, "is_built", lambda: built)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.delattr(torch, "accelerator", raising=False)  # nor another accelerator
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)


@pytest.mark.parametrize("visible", ["", "7", "GPU-0f3c"], ids=["empty", "index", "uuid"])
def test_gpus_hidden_by_cuda_visible_devices_are_said_to_be(monkeypatch, visible):
    # it said "this machine has no CUDA device: pass 'cpu'" on a machine with GPUs
    _no_visible_gpu(monkeypatch, visible)
    said = (f"this machine has no CUDA device (CUDA_VISIBLE_DEVICES={visible!r} is set: it "
            "hides every GPU it does not name)")
    assert no_cuda() == said
    assert devices_here() == f"{said}: pass 'cpu'"


@pytest.mark.parametrize(("visible", "built"), [(None, True), ("0", False)],
                         ids=["unset", "torch-without-cuda"])
def test_where_cuda_visible_devices_hides_nothing_it_is_not_named(monkeypatch, visible, built):
    _no_visible_gpu(monkeypatch, visible, built=built)
    assert no_cuda() == NO_CUDA == "this machine has no CUDA device"
    assert devices_here() == "this machine has no CUDA device: pass 'cpu'"


def test_gpus_cuda_visible_devices_leaves_visible_are_offered(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,2")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert devices_here() == "pass 'cpu', 'cuda' or 'cuda:N' with N < 2"
