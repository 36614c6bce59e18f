"""How many threads BLAS may use inside a block of pidkit code.

Small factorisations and triangular solves run slower on a threaded BLAS (OpenBLAS wakes its
threads for any size: on a shared 2-core machine a 1601 x 1601 Cholesky took 2 s threaded and 0.1 s
on one thread), while one large matrix product gains from every core. Solvers pick per block.
"""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any

from threadpoolctl import ThreadpoolController

__all__ = ["blas_threads"]


@functools.lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()  # scanning the loaded libraries costs ~1 ms: do it once


def blas_threads(limit: int | None) -> contextlib.AbstractContextManager[Any]:
    """Run BLAS on ``limit`` threads (``None``: every core) inside the ``with`` block.

    Examples
    --------
    >>> import numpy as np
    >>> with blas_threads(1):
    ...     float(np.linalg.cholesky(np.eye(3))[0, 0])
    1.0
    """
    return _controller().limit(limits=limit or os.cpu_count() or 1, user_api="blas")
