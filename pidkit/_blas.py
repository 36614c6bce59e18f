"""How many threads BLAS may use inside a block of pidkit code.

Small factorisations and triangular solves run slower on a threaded BLAS (OpenBLAS wakes its
threads for any size: on a shared 2-core machine a 1601 x 1601 Cholesky took 2 s threaded and 0.1 s
on one thread), while one large matrix product gains from every core. Solvers pick per block.

The thread count is a setting of the whole process, so blocks entered by several threads at once
(a thread backend of joblib, a Dask ``LocalCluster(processes=False)``, a user's thread pool) share
it: the thread that opens the first block sets it, and its nested blocks set and restore it as in
one thread; a block another thread opens meanwhile runs with the count in force and touches
nothing; the last block to close, in whichever thread, restores the count from before the first.
threadpoolctl (3.8 and later) lets one thread at a time change OpenBLAS's count and silently
ignores the others; a thread that changed it here hands that control back when its blocks are
done, so that the next thread to open the first block can set the count.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["blas_threads"]


@functools.lru_cache(maxsize=1)
def _blas_libraries() -> tuple[Any, ...]:
    # Scanning the loaded libraries costs about a millisecond: do it once.
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


class _OpenBlocks:
    """The ``blas_threads`` blocks open in all threads; read and changed under ``lock`` only."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count = 0
        """Blocks open, in every thread."""
        self.owner: int | None = None
        """``threading.get_ident()`` of the thread whose blocks set the thread count, while its
        first block is open."""
        self.owner_depth = 0
        """Blocks of ``owner`` open (its first and those nested in it)."""
        self.owner_set = False
        """Whether ``owner`` changed a library's count (and so may hold threadpoolctl's control)."""
        self.before: list[tuple[Any, int]] = []
        """The libraries the first block changed, with their counts before it: the last block
        to close restores them."""


_open = _OpenBlocks()


def blas_threads(limit: int | None) -> contextlib.AbstractContextManager[None]:
    """Run BLAS on ``limit`` threads (``None``: every core) inside the ``with`` block.

    Only libraries whose thread count differs are touched, so the block costs a few microseconds
    when the limit already holds (solvers wrap every small solve in it). The count is a setting
    of the whole process: while a block of another thread is open, the block runs with the count
    that thread set and changes nothing, so threads never undo each other's setting.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.linalg.cholesky(np.eye(3))[0, 0])
    1.0
    """
    return _Block(limit or os.cpu_count() or 1)


class _Block:
    """One ``blas_threads`` block: a class, whose ``with`` costs 0.2 us against a generator
    context manager's 0.9 us (every single solve opens one)."""

    __slots__ = ("changed", "sets", "wanted")

    def __init__(self, wanted: int) -> None:
        self.wanted = wanted
        self.sets = False
        """Whether the block is one of the owner's (it set the libraries in ``changed``)."""
        self.changed: list[tuple[Any, int]] = []
        """The libraries the block changed, with their counts before it."""

    def __enter__(self) -> None:
        wanted = self.wanted
        thread = threading.get_ident()
        with _open.lock:
            self.sets = _open.count == 0 or _open.owner == thread
            if self.sets:
                self.changed = [(lib, count) for lib in _blas_libraries()
                                if (count := lib.num_threads) != wanted]
                for lib, _ in self.changed:
                    lib.set_num_threads(wanted)
                if _open.count == 0:
                    _open.owner, _open.before = thread, self.changed
                _open.owner_set |= bool(self.changed)
                _open.owner_depth += 1
            _open.count += 1

    def __exit__(self, *exc_info: object) -> None:
        with _open.lock:
            _close(self.sets, self.changed)


def _close(sets: bool, changed: list[tuple[Any, int]]) -> None:
    """Close a block (``sets``: one of the owner's, which ``changed`` those libraries), under
    ``_open.lock``: a nested block of the owner restores what it changed, the last block to
    close restores the counts from before the first, and a thread done setting counts hands
    threadpoolctl's control back."""
    _open.count -= 1
    release = False
    if sets:
        _open.owner_depth -= 1
        if _open.owner_depth == 0:
            _open.owner, release, _open.owner_set = None, _open.owner_set, False
    if sets and _open.owner_depth:
        _set_counts(changed)
    elif _open.count == 0:
        release = release or bool(_open.before)
        _set_counts(_open.before)
        _open.before = []
    if release:
        for clear in _control_releases(_blas_libraries()):
            clear()


@functools.lru_cache(maxsize=4)
def _control_releases(libraries: tuple[Any, ...]) -> tuple[Any, ...]:
    """The ``clear_controlling_thread`` of each kind of controller among ``libraries``
    (threadpoolctl >= 3.8, OpenBLAS: it frees the control if the calling thread holds it)."""
    kinds = dict.fromkeys(type(lib) for lib in libraries)
    return tuple(clear for kind in kinds if (clear := getattr(kind, "clear_controlling_thread", None)))


def _set_counts(counts: list[tuple[Any, int]]) -> None:
    """Set each library's thread count: ``counts`` holds pairs of (library controller, count)."""
    for lib, threads in counts:
        lib.set_num_threads(threads)
