"""Progress bars shown by default where a person watches: a terminal, or a Jupyter notebook,
whose streams say they are no terminal."""

from __future__ import annotations

import io
import sys
import types

import numpy as np
import pytest
import tqdm.auto  # noqa: F401  (chosen now, outside the stand-in kernel: the plain text bar)

import pidkit
from pidkit._progress import watched
from pidkit.resampling import bootstrap_replicates


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
    from pidkit import _progress

    monkeypatch.setattr(_progress, "AUTO_DELAY_S", 0.0)  # the bar of a batch that takes a second
    stderr = _notebook(monkeypatch)
    ps = np.random.default_rng(0).dirichlet(np.ones(8), size=101).reshape(101, 2, 2, 2)
    pidkit.bertschinger_batch(ps)
    assert "bertschinger" in stderr.getvalue() and "101/101" in stderr.getvalue()
    stderr = _notebook(monkeypatch, kernel=False)
    pidkit.bertschinger_batch(ps)
    assert stderr.getvalue() == ""


def test_a_real_kernel_without_ipywidgets_shows_the_bar_without_tqdms_warning():
    # In a Jupyter kernel without ipywidgets (pidkit does not need it), the first bar began with
    # "TqdmWarning: IProgress not found. Please update jupyter and ipywidgets. See https://..."
    # from tqdm.auto, above a text bar that works; check_theorem_4_1 warned so even with
    # progress=False. The text bar is chosen there instead.
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    code = (
        "import sys\n"
        "sys.modules['ipywidgets'] = None  # as where it is not installed\n"
        "import numpy as np, pidkit\n"
        "pidkit.check_theorem_4_1(n=1, progress=False)\n"
        "ps = np.random.default_rng(0).dirichlet(np.ones(8), size=101).reshape(101, 2, 2, 2)\n"
        "len(pidkit.bertschinger_batch(ps, progress=True))"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    outputs = notebook.cells[0].outputs
    stderr = "".join(o["text"] for o in outputs if o.get("name") == "stderr")
    assert "101/101" in stderr and "Warning" not in stderr, stderr
    assert [o["data"]["text/plain"] for o in outputs if o["output_type"] == "execute_result"] == ["101"]


_BAD_PROGRESS = [
    (lambda bad: pidkit.bertschinger_batch([pidkit.examples.xor()], progress=bad)),
    (lambda bad: pidkit.check_theorem_4_1(joints=[pidkit.examples.xor()], progress=bad)),
    (lambda bad: pidkit.gaussian_pid_from_samples(*np.random.default_rng(0).normal(size=(3, 50, 1)),
                                                  progress=bad)),
    (lambda bad: bootstrap_replicates(lambda rng: [rng.random()], 8, progress=bad)),
]


@pytest.mark.parametrize("call", _BAD_PROGRESS, ids=["bertschinger_batch", "check_theorem_4_1",
                                                      "gaussian_pid_from_samples", "bootstrap_replicates"])
def test_every_progress_argument_is_refused_in_one_wording(call):
    # bertschinger_batch said "progress must be True, False or None; got 'yes'." and refused
    # np.True_; the bootstraps and check_theorem_4_1 said "progress must be True or False", though
    # None (the default) is allowed.
    with pytest.raises(TypeError, match=r"^progress must be True, False or None; got 'yes' \(str\)\.$"):
        call("yes")


def test_a_numpy_bool_is_a_progress_flag(capsys):
    pidkit.bertschinger_batch([pidkit.examples.xor()], progress=np.True_)
    assert "1/1" in capsys.readouterr().err


def test_a_quick_batch_draws_no_bar_and_a_slow_one_of_few_joints_does(monkeypatch):
    # progress=None drew a bar for any batch of more than 100 joints, one solved in 0.13 s too
    # (the quick-start page kept it), and none for a batch of fewer however long it took (five
    # 100x100x100 joints, minutes in silence). The default bar now appears after a second.
    from pidkit import _progress

    quick = np.random.default_rng(0).dirichlet(np.ones(8), size=101).reshape(101, 2, 2, 2)
    # a delay no batch reaches, so that the assertion holds however loaded the machine (the
    # batch takes 0.13 s of the second the default waits on an idle one)
    monkeypatch.setattr(_progress, "AUTO_DELAY_S", 3600.0)
    stderr = _notebook(monkeypatch)
    pidkit.bertschinger_batch(quick)
    assert stderr.getvalue() == ""
    monkeypatch.setattr(_progress, "AUTO_DELAY_S", 0.0)  # as if each joint took long
    stderr = _notebook(monkeypatch)
    pidkit.bertschinger_batch(quick[:3])
    assert "bertschinger" in stderr.getvalue() and "3/3" in stderr.getvalue()
