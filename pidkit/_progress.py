"""Progress bars: whether to show one by default (when a person is likely watching), and which.

A terminal on stderr says so; so does a Jupyter kernel, whose streams report ``isatty()`` False
although the notebook shows tqdm's bars (``tqdm.auto`` draws them as widgets there). Our users work
in both, and a long sweep in a notebook that stays silent looks hung. Every ``progress`` argument
is checked and decided here (:func:`check_progress`, :func:`show_progress`), in one wording.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

import numpy as np

__all__ = ["bar_class", "check_progress", "show_progress", "watched"]


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


def bar_class() -> Any:
    """tqdm's bar class for where the code runs: ``tqdm.auto``'s (a widget in a notebook), or
    the text bar where ipywidgets is missing, which a notebook shows as well.

    ``tqdm.auto`` itself, imported in a Jupyter kernel without ipywidgets (pidkit does not need
    it), warns "IProgress not found. Please update jupyter and ipywidgets" and then uses the text
    bar; imported on first use, so that a library import stays quiet and fast.

    Examples
    --------
    >>> bar_class()(range(3), disable=True).total
    3
    """
    if importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    else:
        from tqdm.auto import tqdm
    return tqdm
