"""How many threads BLAS may use inside a block of pidkit code.

Small factorisations and triangular solves run slower on a threaded BLAS (OpenBLAS wakes its
threads for any size: on a shared 2-core machine a 1601 x 1601 Cholesky took 2 s threaded and 0.1 s
on one thread), while one large matrix product gains from every core. Solvers pick per block.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Iterator
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["blas_threads"]


@functools.lru_cache(maxsize=1)
def _blas_libraries() -> tuple[Any, ...]:
    # Scanning the loaded libraries costs about a millisecond: do it once.
    return tuple(ThreadpoolController().select(user_api="blas").lib_controllers)


@contextlib.contextmanager
def blas_threads(limit: int | None) -> Iterator[None]:
    """Run BLAS on ``limit`` threads (``None``: every core) inside the ``with`` block.

    Only libraries whose thread count differs are touched, so the block costs a few microseconds
    when the limit already holds (solvers wrap every small solve in it).

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.linalg.cholesky(np.eye(3))[0, 0])
    1.0
    """
    wanted = limit or os.cpu_count() or 1
    changed = [(lib, lib.num_threads) for lib in _blas_libraries() if lib.num_threads != wanted]
    for lib, _ in changed:
        lib.set_num_threads(wanted)
    try:
        yield
    finally:
        for lib, threads in changed:
            lib.set_num_threads(threads)
