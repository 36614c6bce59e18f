"""pidkit_distill.devices: whether a device is one this machine has, and what to pass instead;
``pidkit-distill train --run.device`` of another accelerator than CUDA, and ``run.device=auto``
on a machine with one."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest
import torch
from tiny_runs import tiny

from pidkit_distill.cli import main
from pidkit_distill.devices import devices_here, on_this_machine
from pidkit_distill.training.runtime import close_runtime, init_runtime


@pytest.fixture(autouse=True)
def _no_cuda_visible_devices(monkeypatch):
    """The messages here without CUDA_VISIBLE_DEVICES's words (tests/distill/
    test_cuda_visible_devices.py has them), also where the machine sets it."""
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)


@pytest.mark.parametrize(("available", "count", "device", "here"), [
    (False, 0, "xpu", False), (False, 0, "xpu:0", False), (True, 2, "xpu:1", True),
    (True, 2, "xpu:2", False), (True, 2, "xpu", True)])
def test_an_accelerator_other_than_cuda_is_here_only_if_torch_has_it(monkeypatch, available,
                                                                     count, device, here):
    # any type other than cuda and mps was taken as present: device='xpu' on a machine without
    # one got past the device check
    monkeypatch.setattr(torch.xpu, "is_available", lambda: available)
    monkeypatch.setattr(torch.xpu, "device_count", lambda: count)
    assert on_this_machine(torch.device(device)) is here


@pytest.mark.parametrize("device", ["xla", "hpu", "maia", "privateuseone", "ipu"])
def test_a_device_whose_backend_torch_has_not_loaded_is_not_here(device):
    # a type without a torch module of its name was always here: audit_distiller(device='xla')
    # on this machine got past the device check, then failed in .to() with torch's
    # "NotImplementedError: Could not run 'aten::empty.memory_format' ... 'XLA' backend"
    assert on_this_machine(torch.device(device)) is False


def test_the_cpu_and_meta_are_always_here():
    assert [on_this_machine(torch.device(d)) for d in ("cpu", "cpu:0", "meta")] == [True] * 3


def _accelerator(kind: str | None, available: bool, count: int) -> SimpleNamespace:
    """A ``torch.accelerator`` of a torch built for ``kind`` (``None``: for none)."""
    return SimpleNamespace(current_accelerator=lambda: kind and torch.device(kind),
                           is_available=lambda: available, device_count=lambda: count)


@pytest.mark.parametrize(("kind", "available", "count", "said"), [
    # an Intel XPU (or a plug-in's hpu, npu) machine was told "this machine has no CUDA
    # device: pass 'cpu'", its accelerator not named
    ("xpu", True, 2, "this machine has no CUDA device: pass 'cpu', 'xpu' or 'xpu:N' with N < 2"),
    ("hpu", True, 8, "this machine has no CUDA device: pass 'cpu', 'hpu' or 'hpu:N' with N < 8"),
    ("cuda", False, 0, "this machine has no CUDA device: pass 'cpu'"),  # asked of torch.cuda
    ("mps", True, 1, "this machine has no CUDA device: pass 'cpu' or 'mps'"),
    ("xpu", False, 0, "this machine has no CUDA device: pass 'cpu'"),  # built for, none here
    (None, False, 0, "this machine has no CUDA device: pass 'cpu'"),
])
def test_the_devices_to_pass_are_those_torch_accelerator_sees(monkeypatch, kind, available,
                                                              count, said):
    monkeypatch.setattr(torch, "accelerator", _accelerator(kind, available, count))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)  # no CUDA: torch.accelerator
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: False)  # decides
    assert devices_here() == said


def test_a_torch_2_6_built_for_no_accelerator_is_told_to_pass_cpu(monkeypatch):
    # torch 2.6's current_accelerator raises where torch was built for none (a CPU wheel):
    # its RuntimeError came out of load_student's and audit_distiller's device messages, and
    # of a run with run.device=auto
    def none_built() -> torch.device:
        raise RuntimeError("Please ensure that an accelerator is available")

    monkeypatch.setattr(torch, "accelerator", SimpleNamespace(
        current_accelerator=none_built, is_available=lambda: False, device_count=lambda: 0))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert devices_here() == "this machine has no CUDA device: pass 'cpu'"


@pytest.mark.parametrize(("cuda", "mps", "said"), [
    (2, False, "pass 'cpu', 'cuda' or 'cuda:N' with N < 2"),
    (0, True, "this machine has no CUDA device: pass 'cpu' or 'mps'"),
    (0, False, "this machine has no CUDA device: pass 'cpu'"),
])
def test_a_torch_without_torch_accelerator_is_asked_about_cuda_and_mps(monkeypatch, cuda, mps,
                                                                       said):
    monkeypatch.delattr(torch, "accelerator")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cuda > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cuda)
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: mps)
    assert devices_here() == said


@pytest.mark.parametrize("device", ["xpu", "xpu:0", "mps"])
def test_a_run_device_the_trainer_cannot_run_on_says_why_in_one_line(tmp_path, capsys, device):
    # it said "config key 'run.device' must be one of ['auto', 'cpu', 'cuda'], got 'xpu'", not
    # why, nor what to pass on an XPU machine (cuda:1: test_run_device_spelling.py)
    status = main(["train", "--run.device", device, "--out-dir", str(tmp_path)])
    assert (status, capsys.readouterr().err) == (2, (
        f"pidkit-distill train: error: --run.device {device}: config key 'run.device' must be "
        "one of ['auto', 'cpu', 'cuda', 'cuda:N']; the trainer runs on the CPU or on CUDA GPUs, each "
        "process on its own (cuda:LOCAL_RANK; choose them with CUDA_VISIBLE_DEVICES): on "
        "another accelerator (xpu, mps, hpu) pass cpu\n"))
    assert sorted(tmp_path.rglob("*")) == []


@pytest.mark.parametrize(("kind", "device", "warned"), [
    # it trained on the CPU without a word on an XPU or Apple-silicon machine
    ("xpu", "auto", ["run.device=auto found no CUDA GPU but 2 'xpu' device(s), which the trainer "
                     "cannot use (it runs on the CPU or on CUDA GPUs only): this run trains on "
                     "the CPU; pass run.device=cpu (--run.device cpu) to say so"]),
    ("mps", "auto", ["run.device=auto found no CUDA GPU but 1 'mps' device(s), which the trainer "
                     "cannot use (it runs on the CPU or on CUDA GPUs only): this run trains on "
                     "the CPU; pass run.device=cpu (--run.device cpu) to say so"]),
    ("xpu", "cpu", []),  # asked for
    (None, "auto", []),  # a machine without an accelerator
])
def test_run_device_auto_says_an_accelerator_the_trainer_cannot_use_is_left_idle(
        monkeypatch, tmp_path, kind, device, warned):
    monkeypatch.setattr(torch, "accelerator", _accelerator(kind, kind is not None,
                                                           {"xpu": 2, "mps": 1}.get(kind, 0)))
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    config = tiny(tmp_path, f"run.device={device}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runtime = init_runtime(config)
    close_runtime(runtime)
    assert (runtime.device, [str(w.message) for w in caught]) == (torch.device("cpu"), warned)
