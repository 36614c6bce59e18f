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
        1 runs the chunks in this process. joblib is asked for no more workers than there are
        chunks: each worker of the default backend is a process that imports pidkit (about a
        second), and those beyond the number of chunks would start only to wait. Nor for fewer
        than the last call of this process asked for (up to ``n_jobs``): joblib keeps its
        worker processes between calls only while their number stays the same, so a small call
        between large ones would stop workers that the next large call starts again (n_jobs=8 on
        2 cores: 0.6-3 s for 3 joints after 50, against 0.03 s with the workers kept).
    *args
        Passed to every call after the chunk.
    bar : tqdm-like, optional
        Advanced by ``len(chunk)`` as each chunk's result arrives (in the order the chunks finish,
        where the backend allows: a slow first chunk does not hold back the count of those after
        it), so that a long run shows its progress.

    Examples
    --------
    >>> map_chunks(sum, [[1, 2], [3], [4, 5, 6]], 1)
    [3, 3, 15]
    """
    from joblib import delayed, effective_n_jobs

    if n_jobs == 1 or len(chunks) <= 1:
        numbered: Iterable[tuple[int, Any]] = ((i, func(chunk, *args)) for i, chunk in enumerate(chunks))
    else:
        n_jobs = _workers_to_ask(n_jobs, len(chunks), effective_n_jobs(n_jobs), _backend_name())
        calls = (delayed(_numbered)(i, func, chunk, *args) for i, chunk in enumerate(chunks))
        numbered = _parallel(n_jobs)(calls)
    out: list[Any] = [None] * len(chunks)
    for index, result in numbered:
        out[index] = result
        if bar is not None:
            bar.update(len(chunks[index]))
    return out


_WORKERS_ASKED: dict[str, int] = {}
"""The workers the last parallel :func:`map_chunks` of this process asked each joblib backend for
(the size of the pool that backend keeps), by the backend's class name: a call on a Dask cluster or
on threads says nothing about the pool of joblib's default process backend."""


def _backend_name() -> str:
    """The class name of the joblib backend that ``Parallel(prefer="processes")`` would use here."""
    from joblib.parallel import get_active_backend

    backend, _ = get_active_backend(prefer="processes")
    return type(backend).__name__


def _workers_to_ask(n_jobs: int | None, n_chunks: int, effective: int, backend: str) -> int | None:
    """``n_jobs`` as passed to joblib: ``effective`` (what ``n_jobs`` means to joblib) cut to
    ``n_chunks``, but not below the workers the last call on the same ``backend`` asked for, which
    joblib keeps only while each call asks for as many."""
    wanted = min(effective, max(n_chunks, _WORKERS_ASKED.get(backend, 0)))
    _WORKERS_ASKED[backend] = wanted
    return wanted if wanted < effective else n_jobs


def _numbered(index: int, func: Callable[..., Any], chunk: Any, *args: Any) -> tuple[int, Any]:
    """``(index, func(chunk, *args))``: a result that names its chunk, as results come in any order."""
    return index, func(chunk, *args)


def _parallel(n_jobs: int | None) -> Any:
    """``joblib.Parallel`` giving results as chunks finish (joblib >= 1.4), else in input order as
    they come, else (a backend that cannot, joblib's "multiprocessing") all at the end."""
    from joblib import Parallel

    for return_as in ("generator_unordered", "generator"):
        try:
            return Parallel(n_jobs=n_jobs, prefer="processes", return_as=return_as)
        except ValueError:  # a joblib or backend without it
            continue
    return Parallel(n_jobs=n_jobs, prefer="processes")
