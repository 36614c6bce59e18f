"""Progress bars: whether to show one by default (when a person is likely watching), and which.

A terminal on stderr says so; so does a Jupyter kernel, whose streams report ``isatty()`` False
although the notebook shows tqdm's bars (``tqdm.auto`` draws them as widgets there). Our users work
in both, and a long sweep in a notebook that stays silent looks hung. Every ``progress`` argument
is checked and decided here (:func:`check_progress`, :func:`show_progress`), in one wording, and
a bar left to the default appears only once its work has taken :data:`AUTO_DELAY_S` seconds
(:func:`progress_bar`): a quick call stays silent, a slow one of few items is shown.

Every bar is built by :func:`bar_class`'s callable, and one that is off starts nothing: tqdm starts
its monitor thread for any bar, shown or not, and the thread stays for the life of the process.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["AUTO_DELAY_S", "bar_class", "check_progress", "progress_bar", "show_progress", "watched"]

AUTO_DELAY_S = 1.0
"""Seconds before the bar of ``progress=None`` appears (where a person watches): a quick call draws
none, not even a finished one."""


def _in_jupyter_kernel() -> bool:
    ipython = sys.modules.get("IPython")  # only if the caller's session imported it
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


def watched() -> bool:
    """True when stderr is a terminal or the code runs in a Jupyter kernel.

    Examples
    --------
    >>> isinstance(watched(), bool)
    True
    """
    stderr = sys.stderr
    if stderr is not None and hasattr(stderr, "isatty") and stderr.isatty():
        return True
    return _in_jupyter_kernel()


def check_progress(progress: Any) -> bool | None:
    """``progress`` as given if it is True, False (a NumPy bool too) or None, else ``TypeError``.

    For a function that passes ``progress`` on (``None`` kept: the callee decides) but should
    refuse a bad one before its own work starts.

    Examples
    --------
    >>> import numpy as np
    >>> from pidkit.utils import check_progress
    >>> check_progress(None), check_progress(np.True_)
    (None, True)
    >>> check_progress("yes")
    Traceback (most recent call last):
    ...
    TypeError: progress must be True, False or None; got 'yes' (str).
    """
    if progress is None:
        return None
    if isinstance(progress, (bool, np.bool_)):
        return bool(progress)
    raise TypeError(f"progress must be True, False or None; got {progress!r} ({type(progress).__name__}).")


def show_progress(progress: Any, *, long: bool = True) -> bool:
    """Whether to draw a bar: ``progress`` if True or False; ``None``: when the work is ``long``
    (the caller's judgement: a batch of a few joints is not) and a person watches (:func:`watched`).

    Raises ``TypeError`` as :func:`check_progress` does.

    Examples
    --------
    >>> show_progress(True), show_progress(False), show_progress(None, long=False)
    (True, False, False)
    """
    progress = check_progress(progress)
    if progress is None:
        return long and watched()
    return progress


@functools.cache
def _without_monitor(tqdm: type[Any]) -> type[Any]:
    """``tqdm`` whose bars start no monitor thread, for bars that are off (nothing to watch).

    Its lock is ``tqdm``'s (:meth:`get_lock`), so that one set by ``tqdm.set_lock`` (the demo's
    workers) guards these bars too.
    """

    class Quiet(tqdm):
        monitor_interval = 0  # read by tqdm.__new__, which starts the thread before __init__

        @classmethod
        def get_lock(cls) -> Any:
            return tqdm.get_lock()

    return Quiet


def bar_class() -> Callable[..., Any]:
    """tqdm's bar class for where the code runs, as a callable taking tqdm's arguments:
    ``tqdm.auto``'s (a widget in a notebook), or the text bar where ipywidgets is missing, which a
    notebook shows as well.

    A bar built with ``disable=True`` starts no thread. tqdm starts its monitor thread (which
    redraws a stalled bar) for every bar, shown or not, and the thread then stays for the life of
    the process: a daemon thread in a notebook or a server that calls pidkit with progress off,
    and a live thread when a ``multiprocessing`` pool forks. Bars that are shown are tqdm's own.

    ``tqdm.auto`` itself, imported in a Jupyter kernel without ipywidgets (pidkit does not need
    it), warns "IProgress not found. Please update jupyter and ipywidgets" and then uses the text
    bar; imported on first use, so that a library import stays quiet and fast.

    Examples
    --------
    >>> import threading
    >>> threads = threading.active_count()
    >>> bar_class()(range(3), disable=True).total, threading.active_count() - threads
    (3, 0)
    """
    if importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    quiet = _without_monitor(tqdm)

    def bar(*args: Any, disable: bool | None = False, **kwargs: Any) -> Any:
        return (quiet if disable else tqdm)(*args, disable=disable, **kwargs)

    return bar


def progress_bar(progress: Any, **kwargs: Any) -> Any:
    """A bar of :func:`bar_class` for a function's ``progress``: ``True`` drawn at once, ``False``
    never, ``None`` where a person watches (:func:`watched`), once the work has taken
    :data:`AUTO_DELAY_S` seconds. ``kwargs`` are tqdm's (``iterable``, ``total``, ``desc``, ...).

    Raises ``TypeError`` as :func:`check_progress` does.

    Examples
    --------
    >>> import io
    >>> drawn = io.StringIO()
    >>> with progress_bar(True, total=3, desc="work", file=drawn) as bar:
    ...     _ = bar.update(3)
    >>> "work: 100%" in drawn.getvalue(), progress_bar(False, total=3).disable
    (True, True)
    """
    show = show_progress(progress)
    delay = AUTO_DELAY_S if progress is None else 0.0
    return bar_class()(disable=not show, delay=delay, **kwargs)
