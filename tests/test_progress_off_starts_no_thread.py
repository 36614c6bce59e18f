"""A progress bar that is off starts no thread; one that is on is still drawn.

tqdm starts its monitor thread in ``tqdm.__new__`` for every bar, before it looks at ``disable``,
and the thread stays for the life of the process: each entry point below, with progress off, left
a daemon thread 'tqdm_monitor' behind (in a notebook, in a server, in a process that a
``multiprocessing`` pool then forks, and in a user's ``threading.active_count()`` check).
"""

from __future__ import annotations

import io
import sys
import threading
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import tqdm
import tqdm.std

import pidkit
from pidkit import estimate, examples
from pidkit._progress import bar_class


def _bootstrap(progress: bool | None) -> Any:
    y, t, s = np.random.default_rng(0).integers(0, 2, size=(3, 60))
    return estimate.bootstrap(y, t, s, n_boot=20, progress=progress)


def _batch(progress: bool | None) -> Any:
    ps = np.random.default_rng(0).dirichlet(np.ones(8), size=200).reshape(200, 2, 2, 2)
    return pidkit.bertschinger_batch(ps, progress=progress)


def _theorem(progress: bool | None) -> Any:
    return pidkit.check_theorem_4_1(joints=[examples.and_(), examples.xor()], progress=progress)


def _epoch(progress: bool | None) -> Any:
    torch = pytest.importorskip("torch")
    from pidkit_distill import get_method, tap_features
    from pidkit_distill.training import train_one_epoch

    torch.manual_seed(0)
    x = torch.randn(32, 4)
    y = (x[:, 0] > 0).long()

    def mlp(width: int) -> Any:
        net = torch.nn.Sequential(torch.nn.Linear(4, width), torch.nn.ReLU(), torch.nn.Linear(width, 2))
        return tap_features(net, layers=["1"])

    module = get_method("kd")(mlp(8), mlp(16), sample_input=x[:2], num_classes=2, alpha=0.5)
    optimizer = torch.optim.SGD(module.optimizer_groups()["student"], lr=0.5)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    return train_one_epoch(module, loader, optimizer, epoch=0, device=torch.device("cpu"),
                           progress=bool(progress))


# entry point, what its bar shows when on: its description, and its count as drawn for sure (a bar
# that leave=False removes at the end is drawn at 0 when it starts, later draws depend on time)
ENTRY_POINTS: dict[str, tuple[Callable[[bool | None], Any], tuple[str, ...]]] = {
    "bootstrap": (_bootstrap, ("bootstrap", "| 0/20 [")),
    "bertschinger_batch": (_batch, ("bertschinger", "200/200")),
    "check_theorem_4_1": (_theorem, ("theorem 4.1", "2/2")),
    "train_one_epoch": (_epoch, ("epoch 1", "| 0/2 [")),
}


@pytest.fixture(autouse=True)
def no_monitor_running() -> None:
    """Stop a monitor an earlier bar of this process started (tqdm starts one only where none
    runs, so the old code's thread would not show up as new)."""
    for thread in threading.enumerate():
        if isinstance(thread, tqdm.TMonitor):
            thread.exit()
            thread.tqdm_cls.monitor = None


def _new_threads(call: Callable[[], Any]) -> list[str]:
    before = set(threading.enumerate())
    call()
    return sorted(t.name for t in set(threading.enumerate()) - before)


@pytest.mark.parametrize("progress", [False, None])
@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_progress_off_leaves_no_thread(name: str, progress: bool | None) -> None:
    # Under pytest stderr is no terminal: progress=None draws no bar either.
    call, _ = ENTRY_POINTS[name]
    assert _new_threads(lambda: call(progress)) == []


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_progress_on_still_draws_the_bar(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # In a Jupyter kernel (stderr no terminal), where the trainer's progress=True shows its bar too.
    shell = types.SimpleNamespace(kernel=object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))
    stderr = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stderr)
    call, shown = ENTRY_POINTS[name]
    call(True)
    assert [text for text in shown if text not in stderr.getvalue()] == []


def test_a_bar_that_is_off_is_a_bar_without_a_thread() -> None:
    bar = bar_class()(range(3), desc="off", disable=True)
    assert (bar.total, list(bar), bar.disable) == (3, [0, 1, 2], True)
    assert tqdm.TMonitor not in {type(t) for t in threading.enumerate()}


def test_a_bar_that_is_on_is_tqdms_own_with_its_monitor() -> None:
    out = io.StringIO()
    with bar_class()(range(3), desc="on", file=out, disable=False) as bar:
        assert list(bar) == [0, 1, 2]
    assert type(bar).__module__.startswith("tqdm.")
    assert tqdm.TMonitor in {type(t) for t in threading.enumerate()}
    assert "on: 100%" in out.getvalue() and "3/3" in out.getvalue()


def test_a_bar_that_is_off_takes_the_lock_set_on_tqdm(monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo's workers set a thread lock (tqdm.set_lock) before their first bar.
    lock = threading.RLock()
    monkeypatch.setattr(tqdm.std.tqdm, "_lock", lock, raising=False)
    assert bar_class()(range(3), disable=True).get_lock() is lock
