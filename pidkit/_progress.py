"""Whether to show a progress bar by default: when a person is likely watching.

A terminal on stderr says so; so does a Jupyter kernel, whose streams report ``isatty()`` False
although the notebook shows tqdm's bars (``tqdm.auto`` draws them as widgets there). Our users work
in both, and a long sweep in a notebook that stays silent looks hung.
"""

from __future__ import annotations

import sys

__all__ = ["watched"]


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
