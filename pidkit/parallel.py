"""Run independent pieces of work through joblib, without choosing the backend for the caller.

Used by the bias correction's subsample solves, by every bootstrap (:mod:`pidkit.resampling`) and
by :func:`pidkit.bertschinger_batch`.

``joblib.Parallel`` gets ``prefer="processes"`` (on threads the solves contend for the GIL:
several times slower than serial, docs/performance.md), which is only a hint: inside
``with joblib.parallel_config(backend="dask"):`` the work runs on the Dask cluster instead. The
pieces are fixed by the caller (never by the number of workers), so the numbers do not depend on
``n_jobs`` or on the backend. ``n_jobs=1`` runs in this process under every backend (joblib sends
even one job to a Dask cluster).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

__all__ = ["map_chunks"]


def map_chunks(
    func: Callable[..., Any], chunks: Sequence[Any], n_jobs: int | None, *args: Any, bar: Any = None
) -> list[Any]:
    """``[func(chunk, *args) for chunk in chunks]``, in parallel through joblib, in input order.

    Parameters
    ----------
    func : callable
        A module-level function (workers in other processes import it by name).
    chunks : sequence
        The pieces of work.
    n_jobs : int or None
        joblib's ``n_jobs``: ``None`` takes the active ``joblib.parallel_config`` (1 outside one);
        1 runs the chunks in this process.
    *args
        Passed to every call after the chunk.
    bar : tqdm-like, optional
        Advanced by ``len(chunk)`` as each chunk's result arrives (in input order), so that a
        long run shows its progress.

    Examples
    --------
    >>> map_chunks(sum, [[1, 2], [3], [4, 5, 6]], 1)
    [3, 3, 15]
    """
    from joblib import Parallel, delayed

    if n_jobs == 1 or len(chunks) <= 1:
        results: Iterable[Any] = (func(chunk, *args) for chunk in chunks)
    else:
        try:  # results as they come, for the bar
            parallel = Parallel(n_jobs=n_jobs, prefer="processes", return_as="generator")
        except ValueError:  # a backend that cannot (joblib's "multiprocessing"): all at the end
            parallel = Parallel(n_jobs=n_jobs, prefer="processes")
        results = parallel(delayed(func)(chunk, *args) for chunk in chunks)
    out = []
    for chunk, result in zip(chunks, results, strict=True):
        out.append(result)
        if bar is not None:
            bar.update(len(chunk))
    return out
