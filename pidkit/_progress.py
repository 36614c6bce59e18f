"""Progress bars: whether to show one by default (when a person is likely watching), and which.

A terminal on stderr says so; so does a Jupyter kernel, whose streams report ``isatty()`` False
although the notebook shows tqdm's bars (``tqdm.auto`` draws them as widgets there). Our users work
in both, and a long sweep in a notebook that stays silent looks hung.
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["bar_class", "watched"]


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
