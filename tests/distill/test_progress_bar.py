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
