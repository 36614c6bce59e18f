"""The epoch's progress bar shows in a Jupyter notebook, where stderr says it is no terminal."""

from __future__ import annotations

import io
import sys
import types

import tqdm.std  # noqa: F401  (the text bar a kernel without ipywidgets gets)
from tiny_runs import tiny

from pidkit_distill import train


class _NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_the_epoch_bar_shows_in_a_notebook(tmp_path, monkeypatch):
    # tqdm's disable=None hides a bar when stderr is no tty, which is every Jupyter kernel's.
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    stderr = _NotATerminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    train(tiny(tmp_path, "run.epochs=1", "run.progress=true"))
    assert "epoch 1" in stderr.getvalue()
    stderr.truncate(0)
    train(tiny(tmp_path / "off", "run.epochs=1", "run.progress=false"))
    assert "epoch 1" not in stderr.getvalue()


def _one_epoch_kd() -> tuple[object, object, object]:
    """A KD module of two small networks, its optimizer and a loader of 4 batches."""
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    from pidkit_distill import get_method, tap_features

    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))

    def mlp(width):
        return tap_features(nn.Sequential(nn.Linear(4, width), nn.ReLU(), nn.Linear(width, 2)),
                            layers=["1"])

    module = get_method("kd")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2, alpha=0.5)
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.5)
    return module, optimizer, DataLoader(TensorDataset(x, (x[:, 0] > 0).long()), batch_size=16)


def test_an_epoch_without_progress_makes_no_bar(monkeypatch):
    # a hidden bar (disable=True) was made in every epoch of every process but a watched rank
    # 0's; tqdm's __del__ closes it when the epoch's frame goes, and a Ctrl-C that came then
    # was Python's 'Exception ignored in: <function tqdm.__del__>', lost to the run
    import torch

    from pidkit_distill.training import epoch_steps

    made = []
    monkeypatch.setattr(epoch_steps, "progress_bar_factory",
                        lambda: lambda loader, **options: made.append(options) or loader)
    monkeypatch.setattr(epoch_steps, "person_is_watching", lambda: True)
    module, optimizer, loader = _one_epoch_kd()
    for progress in (False, True):
        epoch_steps.train_one_epoch(module, loader, optimizer, epoch=0,
                                    device=torch.device("cpu"), progress=progress)
    assert made == [{"desc": "epoch 1", "leave": False}]  # the shown one's alone
