"""An interrupt that lands while a file is written atomically leaves no temporary file behind.

A stopped demo left ``config.json.XXXXXXXX.tmp`` in a run folder (task 374, finding F2): an
interrupt raised after the temporary file was made, but before :func:`atomic_write` had recorded
it as its own, skipped the cleanup. The interrupt here is a real signal, sent at the worst
moment: as soon as the file is made.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from pidkit_distill.atomic_files import atomic_write
from pidkit_distill.signals import Terminated, sigterm_interrupts
from pidkit_distill.training.torch_files import atomic_save, safe_load


def write_bytes(path: Path) -> None:
    atomic_write(path, lambda handle: handle.write(b'{"run": 1}'))


def save_tensors(path: Path) -> None:
    atomic_save({"w": torch.ones(3)}, path)


WRITERS = [pytest.param(write_bytes, id="atomic_write"),
           pytest.param(save_tensors, id="atomic_save")]


def signal_once_made(monkeypatch: pytest.MonkeyPatch, signum: int) -> None:
    """Send ``signum`` to this process as soon as a temporary file has been created: Python
    raises its interrupt at the next step, before the open call has even returned its file."""
    real_open = Path.open

    def open_then_signalled(self: Path, *args, **kwargs):
        handle = real_open(self, *args, **kwargs)
        if self.name.endswith(".tmp"):
            os.kill(os.getpid(), signum)
        return handle

    monkeypatch.setattr(Path, "open", open_then_signalled)


@pytest.mark.parametrize("write", WRITERS)
def test_ctrl_c_as_the_temporary_file_is_made_removes_it(tmp_path, monkeypatch, write):
    signal_once_made(monkeypatch, signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        write(tmp_path / "config.json")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("write", WRITERS)
def test_sigterm_as_the_temporary_file_is_made_removes_it(tmp_path, monkeypatch, write):
    signal_once_made(monkeypatch, signal.SIGTERM)
    with sigterm_interrupts(), pytest.raises(Terminated):
        write(tmp_path / "checkpoint.pt")
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("write", WRITERS)
def test_an_interrupt_as_the_file_replaces_the_old_one_keeps_the_old_one_alone(
        tmp_path, monkeypatch, write):
    target = tmp_path / "checkpoint.pt"
    write(target)
    before = target.read_bytes()

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write(target)
    assert os.listdir(tmp_path) == ["checkpoint.pt"]
    assert target.read_bytes() == before


def test_an_interrupt_inside_torch_save_removes_its_partial_file(tmp_path, monkeypatch):
    real_save: Callable[..., None] = torch.save

    def save_then_interrupted(obj: object, handle, *args, **kwargs) -> None:
        real_save(obj, handle, *args, **kwargs)  # the whole file, then the interrupt
        raise KeyboardInterrupt

    path = tmp_path / "teacher.pt"
    save_tensors(path)
    monkeypatch.setattr(torch, "save", save_then_interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_save({"w": torch.zeros(3)}, path)
    assert os.listdir(tmp_path) == ["teacher.pt"]
    assert safe_load(path, what="file", holds="a dict")["w"].tolist() == [1.0, 1.0, 1.0]
