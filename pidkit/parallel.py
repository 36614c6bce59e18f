"""Run independent pieces of work through joblib, without choosing the backend for the caller.

Used by the bias correction's subsample solves, by every bootstrap (:mod:`pidkit.resampling`) and
by :func:`pidkit.bertschinger_batch`.

``joblib.Parallel`` gets ``prefer="processes"`` (on threads the solves contend for the GIL:
several times slower than serial, docs/performance.md), which is only a hint: inside
``with joblib.parallel_config(backend="dask"):`` the work runs on the Dask cluster instead. The
pieces are fixed by the caller (never by the number of workers), so the numbers do not depend on
``n_jobs`` or on the backend. ``n_jobs=1`` runs in this process under every backend (joblib sends
even one job to a Dask cluster).

Small work runs in this process too: starting joblib's default pool of worker processes costs
seconds (each worker imports pidkit), more than a small call's work, so a call that would start
that pool first runs its chunks here while they project to under :data:`SERIAL_SECONDS` in all
(docs/performance.md, ``python -m benchmarks.parallel``). A backend chosen with
``joblib.parallel_config`` (Dask, threads, multiprocessing) gets every chunk as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Any

from ._settings import check_n_jobs

__all__ = ["SERIAL_SECONDS", "map_chunks"]

SERIAL_SECONDS = 3.0
"""Work that projects to less than this many seconds in this process runs here rather than start
joblib's process pool. Starting that pool took 2.9-3.6 s for 2 workers and 5.7 s for 4 on a
loaded 2-core machine (each worker imports pidkit), while k workers save at most (1 - 1/k) of
the work: 1.5 s of 3 s on two. The first call of ``n_jobs=2`` there took 2.8 s for a batch of 20
2x2x2 joints that one process solved in 0.05 s, and 7-9 s for a 450-sample
``pid_from_representations(..., bootstrap=50)`` that took 1.8-2.6 s with ``n_jobs=1``
(``python -m benchmarks.parallel``). Set it to 0 to send every chunk to the workers."""


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
        joblib's ``n_jobs``: ``None`` takes the active ``joblib.parallel_config`` (1 outside one); 1
        runs the chunks in this process; a negative int counts back from the cores (-1 all of them,
        -2 all but one), as in joblib. Checked as :func:`pidkit.bertschinger_batch` checks it: 0, a
        float or a string is refused before any chunk runs. joblib is asked for no more workers than
        there are chunks: each worker of the default backend is a process that imports pidkit (about
        a second), and those beyond the number of chunks would start only to wait. Nor for fewer
        than the last call of this process asked for (up to ``n_jobs``): joblib keeps its worker
        processes between calls only while their number stays the same, so a small call between
        large ones would stop workers that the next large call starts again (n_jobs=8 on 2 cores:
        0.6-3 s for 3 joints after 50, against 0.03 s with the workers kept). A call that would
        start joblib's default process pool runs its chunks in this process while their projected
        total stays under :data:`SERIAL_SECONDS` (small work), and sends the rest to the workers
        once it does not: a call of a few long chunks then waits for its first chunk before the
        others start.
    *args
        Passed to every call after the chunk.
    bar : tqdm-like, optional
        Advanced by ``len(chunk)`` as each chunk's result arrives (in the order the chunks finish,
        where the backend allows: a slow first chunk does not hold back the count of those after
        it), so that a long run shows its progress.

    Raises
    ------
    TypeError, ValueError
        For an ``n_jobs`` that is not None or a nonzero int (``n_jobs=0``, ``"2"``, ``2.5``).

    Examples
    --------
    >>> map_chunks(sum, [[1, 2], [3], [4, 5, 6]], 1)
    [3, 3, 15]
    >>> map_chunks(sum, [[1, 2], [3]], 0)
    Traceback (most recent call last):
    ...
    ValueError: n_jobs must be None, a positive int, or a negative int (-1 = all cores); got 0. Pass 1 \
to work in this process.
    """
    check_n_jobs(n_jobs)
    out: list[Any] = [None] * len(chunks)
    for index, result in _numbered_results(func, chunks, n_jobs, args):
        out[index] = result
        if bar is not None:
            bar.update(len(chunks[index]))
    return out


def _numbered_results(
    func: Callable[..., Any], chunks: Sequence[Any], n_jobs: int | None, args: tuple[Any, ...]
) -> Iterator[tuple[int, Any]]:
    """``(index, func(chunks[index], *args))`` for every chunk, as each finishes: in this process
    for ``n_jobs=1``, a single chunk and small work that would start the process pool
    (:func:`_run_while_small`), the rest through joblib."""
    from joblib import delayed, effective_n_jobs

    if n_jobs == 1 or len(chunks) <= 1:
        yield from ((i, func(chunk, *args)) for i, chunk in enumerate(chunks))
        return
    backend = _backend_name()
    first = 0
    if SERIAL_SECONDS > 0 and _pool_not_started(backend):
        first = yield from _run_while_small(func, chunks, args)
    rest = range(first, len(chunks))
    if rest:
        asked = _workers_to_ask(n_jobs, len(rest), effective_n_jobs(n_jobs), backend)
        yield from _parallel(asked)(delayed(_numbered)(i, func, chunks[i], *args) for i in rest)


def _pool_not_started(backend: str) -> bool:
    """Whether a parallel call on ``backend`` would start joblib's default pool of worker
    processes: the loky backend (not one a ``joblib.parallel_config`` chose), not yet asked for
    workers by this process."""
    return backend == "LokyBackend" and backend not in _WORKERS_ASKED


def _run_while_small(
    func: Callable[..., Any], chunks: Sequence[Any], args: tuple[Any, ...]
) -> Generator[tuple[int, Any], None, int]:
    """Run ``chunks`` in this process, yielding ``(index, result)``, while the mean time of those
    run so far, times the number of chunks, stays under :data:`SERIAL_SECONDS`; return how many
    ran (all of them for small work, at least the first)."""
    spent = 0.0
    for index, chunk in enumerate(chunks):
        start = time.perf_counter()
        result = func(chunk, *args)
        spent += time.perf_counter() - start
        yield index, result
        if spent / (index + 1) * len(chunks) >= SERIAL_SECONDS:
            return index + 1
    return len(chunks)


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
