"""Progress bars shown by default where a person watches: a terminal, or a Jupyter notebook,
whose streams say they are no terminal."""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import tqdm.auto  # noqa: F401  (chosen now, outside the stand-in kernel: the plain text bar)

import pidkit
from pidkit._progress import watched


class _NotATerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


def _notebook(monkeypatch, *, kernel: bool = True) -> _NotATerminal:
    """A Jupyter kernel as ipykernel presents it: stderr no tty, IPython's shell has a kernel.
    Called in the test itself: pytest puts its own stderr back between a fixture and the test."""
    shell = types.SimpleNamespace(kernel=object()) if kernel else None
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    stderr = _NotATerminal()
    monkeypatch.setattr(sys, "stderr", stderr)
    return stderr


def test_a_notebook_counts_as_watched_a_plain_pipe_does_not(monkeypatch):
    _notebook(monkeypatch)
    assert watched()
    _notebook(monkeypatch, kernel=False)
    assert not watched()  # IPython imported in a script whose stderr is a pipe: no kernel


def test_bertschinger_batch_shows_its_bar_in_a_notebook(monkeypatch):
    # stderr.isatty() is False in Jupyter, so a sweep of 10^5 joints ran without a bar there.
    stderr = _notebook(monkeypatch)
    ps = np.random.default_rng(0).dirichlet(np.ones(8), size=101).reshape(101, 2, 2, 2)
    pidkit.bertschinger_batch(ps)
    assert "bertschinger" in stderr.getvalue() and "101/101" in stderr.getvalue()
    stderr = _notebook(monkeypatch, kernel=False)
    pidkit.bertschinger_batch(ps)
    assert stderr.getvalue() == ""
