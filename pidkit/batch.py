"""Solve the Bertschinger (BROJA) program for many joints: sequentially or in worker processes."""

from __future__ import annotations

import functools
import inspect
import math
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ._errors import SolverError
from ._result import PIDResult
from ._validate import check_joint
from .bertschinger import _check_solver_options, _result, _solve_native_stacked, bertschinger

_AUTO_PROGRESS_MIN = 100
"""``progress=None`` shows a bar for batches longer than this (when stderr is a terminal)."""
_CHUNKS_PER_JOB = 4
"""Each worker process gets about this many chunks, so process start-up is amortised."""


def bertschinger_batch(
    ps: ArrayLike | Sequence[ArrayLike],
    *,
    n_jobs: int = 1,
    progress: bool | None = None,
    **bertschinger_kwargs: Any,
) -> list[PIDResult]:
    """Bertschinger et al. (2014) decompositions of many joints ``p[y, t, s]``.

    Parameters
    ----------
    ps : sequence of array_like, or array_like of shape (n, n_y, n_t, n_s)
        The joints, each indexed target Y, teacher T, student S. In a sequence the shapes may
        differ from joint to joint.
    n_jobs : int, default=1
        Worker processes (joblib): 1 solves in this process, -1 uses every core. The batch is cut
        into a few chunks per worker so the per-process overhead is paid once per chunk. The
        first parallel call starts the workers (each imports pidkit, about a second); later
        calls reuse them.
    progress : bool or None, default=None
        Show a tqdm progress bar. ``None`` shows one for batches of more than 100 joints when
        stderr is a terminal.
    **bertschinger_kwargs
        Keyword options of :func:`pidkit.bertschinger` (``units``, ``method``, ``solver``,
        ``tol``, ``normalize``, ``strict``), applied to every joint.

    Returns
    -------
    list of PIDResult
        One result per joint, in input order.

    Notes
    -----
    With the native solver (``method`` "auto" or "native", no ``solver``), joints of one shape
    whose marginals p(y,t), p(y,s) have full support are solved together, the interior point
    vectorised over them (:mod:`pidkit._native_batch`); every result is still certified on its
    own. Other joints, and any the stacked solve does not certify, take the single-joint path of
    :func:`pidkit.bertschinger` (with its fallback to cvxpy under ``method="auto"``).

    Raises
    ------
    TypeError
        For an option :func:`pidkit.bertschinger` does not take, or a bad ``n_jobs``/``progress``.
    ValueError
        For an invalid joint (the message names its index).
    SolverError
        If ``strict`` (the default) and a joint could not be certified (the message names it).

    Examples
    --------
    >>> import numpy as np
    >>> from pidkit import examples
    >>> from pidkit.batch import bertschinger_batch
    >>> results = bertschinger_batch([examples.and_(), examples.xor()])
    >>> [round(r.red, 6) for r in results], [round(r.syn, 6) for r in results]
    ([0.311278, 0.0], [0.5, 1.0])
    """
    joints = _as_joints(ps)
    _check_options(n_jobs, progress, bertschinger_kwargs)
    show = _show_progress(progress, len(joints))
    if n_jobs == 1 or len(joints) <= 1:
        return _solve_serial(joints, show, bertschinger_kwargs)
    return _solve_parallel(joints, n_jobs, show, bertschinger_kwargs)


def _as_joints(ps: Any) -> list[Any]:
    if isinstance(ps, np.ndarray):
        if ps.ndim != 4:
            raise ValueError(
                f"ps as an array must be 4-D (n_joints, n_y, n_t, n_s); got shape {ps.shape}. "
                "Stack joints of one shape along a new first axis, or pass a list of joints."
            )
        return list(ps)
    if isinstance(ps, (str, bytes)) or not isinstance(ps, Iterable):
        raise TypeError(
            "ps must be a sequence of joints p[y, t, s] or a 4-D array of them; "
            f"got {type(ps).__name__}."
        )
    return list(ps)


def _check_options(n_jobs: Any, progress: Any, kwargs: dict[str, Any]) -> None:
    known = set(inspect.signature(bertschinger).parameters) - {"p_yts"}
    unknown = sorted(set(kwargs) - known)
    if unknown:
        raise TypeError(
            f"bertschinger_batch got options bertschinger does not take: {unknown}; "
            f"the known ones are {sorted(known)}."
        )
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)) or n_jobs == 0:
        raise TypeError(
            f"n_jobs must be a non-zero int (1 = this process, -1 = every core); got {n_jobs!r}."
        )
    if progress is not None and not isinstance(progress, bool):
        raise TypeError(f"progress must be True, False or None; got {progress!r}.")


def _show_progress(progress: bool | None, n: int) -> bool:
    if progress is None:
        return n > _AUTO_PROGRESS_MIN and sys.stderr.isatty()
    return progress


def _solve_one(index: int, p: Any, kwargs: dict[str, Any]) -> PIDResult:
    try:
        return bertschinger(p, **kwargs)
    except SolverError as exc:
        raise SolverError(f"joint {index}: {exc}") from exc
    except (ValueError, TypeError) as exc:
        raise type(exc)(f"joint {index}: {exc}") from exc


@functools.lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    parameters = inspect.signature(bertschinger).parameters
    return {name: par.default for name, par in parameters.items() if name != "p_yts"}


def _solve_stacked(joints: list[Any], kwargs: dict[str, Any]) -> dict[int, PIDResult]:
    """Certified native results of the joints the stacked solver takes, by index in ``joints``.

    Returns nothing where the options select another path or are invalid (the single-joint path
    then reports them), and skips joints that fail validation for the same reason.
    """
    options = {**_defaults(), **kwargs}
    try:
        units, method, _, tol_nats = _check_solver_options(
            options["units"], options["method"], options["solver"], options["tol"]
        )
    except (ValueError, TypeError):
        return {}
    if method == "cvxpy" or options["solver"] is not None:
        return {}
    valid: dict[int, np.ndarray] = {}
    for index, p in enumerate(joints):
        try:
            valid[index] = check_joint(p, normalize=options["normalize"])
        except (ValueError, TypeError):
            continue
    results = {}
    solved = _solve_native_stacked(list(valid.values()), tol_nats)
    for (index, p), stacked in zip(valid.items(), solved, strict=True):
        if stacked is None:
            continue
        try:
            results[index] = _result(p, *stacked, units=units, tol_nats=tol_nats, strict=options["strict"])
        except SolverError:
            continue  # the single-joint path reports it (or falls back) as it would alone
    return results


def _solve_chunk(start: int, chunk: list[Any], kwargs: dict[str, Any]) -> list[PIDResult]:
    stacked = _solve_stacked(chunk, kwargs)
    return [stacked.get(k) or _solve_one(start + k, p, kwargs) for k, p in enumerate(chunk)]


def _solve_serial(joints: list[Any], show: bool, kwargs: dict[str, Any]) -> list[PIDResult]:
    bar = _bar(len(joints), show)
    stacked = _solve_stacked(joints, kwargs)
    if bar is not None:
        bar.update(len(stacked))
    results = []
    for index, p in enumerate(joints):
        if index in stacked:
            results.append(stacked[index])
            continue
        results.append(_solve_one(index, p, kwargs))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return results


def _solve_parallel(
    joints: list[Any], n_jobs: int, show: bool, kwargs: dict[str, Any]
) -> list[PIDResult]:
    from joblib import Parallel, delayed, effective_n_jobs

    workers = effective_n_jobs(n_jobs)
    size = max(1, math.ceil(len(joints) / (workers * _CHUNKS_PER_JOB)))
    starts = range(0, len(joints), size)
    tasks = (delayed(_solve_chunk)(i, joints[i : i + size], kwargs) for i in starts)
    bar = _bar(len(joints), show)
    results: list[PIDResult] = []
    for chunk in Parallel(n_jobs=n_jobs, return_as="generator")(tasks):
        results.extend(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return results


def _bar(total: int, show: bool):
    if not show:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="bertschinger", unit="joint")


__all__ = ["bertschinger_batch"]
