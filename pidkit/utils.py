"""Helpers for code built on pidkit: argument checks, "did you mean" hints, JSON, progress bars.

What :mod:`sklearn.utils` is to scikit-learn: the helpers pidkit's own functions use, public so
that extensions (and pidkit's trainer, :mod:`pidkit_distill`) check their arguments and word
their errors as pidkit does, without importing pidkit's private modules. Each refusal raises
``TypeError`` for the wrong kind of value and ``ValueError`` for a wrong value, naming the
argument, what was wrong and how to fix it.

* Argument checks: :func:`check_int`, :func:`check_flag`, :func:`check_progress`, and
  :data:`SEED_MAX`, the largest seed pidkit accepts.
* Misspelt names: :func:`closest` finds the known name meant, :func:`did_you_mean` words it as
  the end of an error message.
* Results: :func:`jsonable` turns numpy values into what :func:`json.dumps` accepts;
  :data:`CERTIFIED` holds the solver statuses whose numbers can be trusted.
* Progress bars: :func:`person_is_watching` decides the default of ``progress=None``;
  :func:`progress_bar_factory` makes the bars.

Examples
--------
>>> from pidkit.utils import check_int, did_you_mean
>>> check_int(5, "n_clusters", minimum=2)
5
>>> "unknown measure 'brojaa'." + did_you_mean("brojaa", ["broja", "mmi"])
"unknown measure 'brojaa'. Did you mean 'broja'?"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import _progress, _settings, _status
from ._names import closest, did_you_mean
from ._progress import check_progress
from ._result import jsonable
from ._settings import check_int
from ._validate import check_flag

__all__ = [
    "CERTIFIED",
    "SEED_MAX",
    "check_flag",
    "check_int",
    "check_progress",
    "closest",
    "did_you_mean",
    "jsonable",
    "person_is_watching",
    "progress_bar_factory",
]

CERTIFIED = _status.CERTIFIED
"""Solver statuses whose numbers can be trusted to the solver's ``tol``: ``'optimal'`` (solved
with a certified optimality gap) and ``'exact'`` (closed form or exact arithmetic). Test a
result with ``result.status in CERTIFIED``."""

SEED_MAX = _settings.SEED_MAX
"""The largest ``random_state`` pidkit accepts, ``2**32 - 1`` (NumPy's and scikit-learn's
largest seed)."""


def person_is_watching() -> bool:
    """Whether a person is likely watching the output: stderr is a terminal, or the code runs in
    a Jupyter kernel (whose streams are no terminal, yet the notebook shows what they print).

    pidkit draws the progress bar of an argument ``progress=None`` only when this is True, so a
    script whose stderr goes to a file or a pipe stays quiet.

    Returns
    -------
    bool
        True in a terminal or a notebook, False otherwise.

    Examples
    --------
    >>> isinstance(person_is_watching(), bool)
    True
    """
    return _progress.watched()


def progress_bar_factory() -> Callable[..., Any]:
    """A function that makes tqdm progress bars suited to where the code runs.

    Call it with tqdm's arguments (``iterable``, ``total``, ``desc``, ``file``, ``disable``,
    ...). In a Jupyter notebook with ipywidgets the bars are ``tqdm.auto``'s widgets; elsewhere,
    and in a notebook without ipywidgets (which shows them too), tqdm's text bars. Unlike a plain
    ``tqdm(..., disable=True)``, a bar made with ``disable=True`` starts no monitor thread: tqdm
    starts one for every bar, shown or not, and it stays for the life of the process. tqdm is
    imported on the first call, not on ``import pidkit.utils``.

    Returns
    -------
    callable
        ``make_bar(*args, disable=False, **kwargs)``, which returns a tqdm bar.

    Examples
    --------
    >>> make_bar = progress_bar_factory()
    >>> [step * 2 for step in make_bar(range(3), desc="work", disable=True)]
    [0, 2, 4]
    """
    return _progress.bar_class()
