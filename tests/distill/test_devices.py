"""pidkit_distill.devices: whether a device is one this machine has."""

from __future__ import annotations

import pytest
import torch

from pidkit_distill.devices import on_this_machine


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

