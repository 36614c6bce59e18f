"""``bertschinger_batch``: the BROJA decomposition of many joints, in this process or in workers.

The options are validated once, then every joint, all before any is solved: an invalid joint
ends the call at once (not after the work of the joints before it), and its error names its index
and those of the other invalid joints, so that a sweep is fixed in one go. A chunk of joints
goes through :func:`pidkit.broja.solve.solve_joints` together, so the native solver stacks the
parts of one shape across joints. Workers come from joblib, whose
backend the caller chooses (``joblib.parallel_config(backend="dask")`` runs the chunks on a Dask
cluster; nothing here forces a backend), through :func:`pidkit.parallel.map_chunks`. Without one,
workers are processes, also under ``parallel_config(prefer="threads")``. A thread backend chosen
outright (``parallel_config(backend="threading")``, or ``require="sharedmem"``) solves in this
process instead, with the same numbers: threads gain nothing over one thread, the GIL holding
them back (40 20x20x20 joints: 1.4-1.8 s on two threads, 1.1-1.9 s in one).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._count_tables import warn_of_rescaled_count_batch
from .._errors import SolverError
from .._names import did_you_mean
from .._progress import check_progress, progress_bar
from .._result import PIDResult
from .._settings import check_n_jobs
from .._units import warn_of_loose_tol
from .._validate import check_joint
from ..parallel import map_chunks
from ..samples import check_not_one_dit_distribution
from .solve import DEFAULT_TOL_BITS, Options, bertschinger, check_options, result, solve_joints

__all__ = ["bertschinger_batch"]

_CHUNKS_PER_JOB = 4
"""Each worker gets about this many chunks, so its start-up is amortised."""
_PARALLEL_CHUNK_CELLS = 2**12
"""Fewest cells (on average) in a chunk sent to a worker, where no chunk need hold more than an
equal share of the joints, ``ceil(n / workers)``: each chunk costs a stacked solve's set-up and
a round trip to its worker, more than its joints of 2x3x3 take (50 of them on two warm workers:
48 ms in eight chunks, 28 ms in two; 12 ms in this process)."""
_SERIAL_CHUNK = 256
"""Most joints solved together in this process (bounds the memory of one chunk's stacks)."""
_SERIAL_CHUNK_CELLS = 2**14
"""Most cells in a chunk solved in this process: sixteen 10x10x10 joints, two of 20x20x20, one
larger. Stacking more gains nothing measurable (900 joints of 10x10x10: 1.3 s of CPU in
chunks of 16 or 256), while the bar, advanced per chunk, then moves every few joints of a slow
batch instead of once at the end of 256."""
_NAMED_INVALID = 10
"""Most indices of further invalid joints that an error lists (after the first one's message)."""
_OPTIONS = {
    name: parameter.default
    for name, parameter in inspect.signature(bertschinger).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("target", "sources")
}
"""The options of :func:`pidkit.bertschinger` with their defaults, less a dit Distribution's
``target`` and ``sources``: a batch takes arrays."""


def bertschinger_batch(
    ps: ArrayLike | Sequence[ArrayLike],
    *,
    n_jobs: int | None = None,
    progress: bool | None = None,
    **bertschinger_kwargs: Any,
) -> list[PIDResult]:
    """Bertschinger et al. (2014) decompositions of many joints ``p[y, t, s]``.

    Parameters
    ----------
    ps : sequence of array_like, or array_like of shape (n, n_y, n_t, n_s)
        The joints, each indexed target Y, teacher T, student S. In a sequence the shapes may
        differ from joint to joint. Joints counted from samples go in as counts
        (``[joint.counts for joint in joints]`` with ``normalize=True``, which warns of the
        plug-in's bias); a pandas DataFrame or Series, or an EmpiricalJoint, is refused with the
        call to make.
    n_jobs : int or None, default=None
        Parallel workers (joblib): 1 solves in this process, -1 uses every core, ``None`` takes
        the active ``joblib.parallel_config`` (this process outside one, as in scikit-learn).
        The batch is cut into a few chunks per worker so the per-worker overhead is paid once
        per chunk. With the default (loky) backend the first parallel call starts worker
        processes (each imports pidkit, about half a second of CPU); later calls reuse them.
        Workers do not pay on a small batch: a call costs joblib about 10 ms even with warm
        workers, and 50 joints of 2x3x3 take 12 ms in this process, 28 ms on two warm workers
        (2 cores; docs/performance.md has the crossover), so a batch under about 0.1 s in this
        process is fastest with ``n_jobs=1``; the ``n_jobs`` given is obeyed all the same. Under
        ``joblib.parallel_config(backend="dask")`` the chunks run on the Dask cluster's workers
        (with ``n_jobs=None``, as many as it has). Under a thread backend
        (``joblib.parallel_config(backend="threading")``) the joints are solved in this process,
        as fast as on threads and with the same numbers.
    progress : bool or None, default=None
        Show a tqdm progress bar. ``None`` shows one where stderr is a terminal or in a Jupyter
        notebook, once the batch has taken a second (a quick batch draws none).
    **bertschinger_kwargs
        Keyword options of :func:`pidkit.bertschinger` (``units``, ``method``, ``solver``,
        ``tol``, ``normalize``, ``strict``), applied to every joint and validated once. There is
        no ``measure``: the batch is the BROJA measure's (sweep another with
        ``pidkit.parallel.map_chunks(functools.partial(pidkit.pid, measure=...), ps, n_jobs)``).

    Returns
    -------
    list of PIDResult
        One result per joint, in input order.

    Notes
    -----
    The joints of a chunk are solved together: with the native solver, their parts of one shape
    (after the exact reductions of :mod:`pidkit.broja.reduction`) run through the interior point
    as one stack, each certified on its own; parts it does not certify fall back to cvxpy under
    ``method="auto"``, as with :func:`pidkit.bertschinger`. Results equal single calls.

    The atoms of counts are the plug-in's. For bias-corrected atoms of many count tables, map
    :func:`pidkit.estimate.correct_counts` over them:
    ``pidkit.parallel.map_chunks(pidkit.estimate.correct_counts, counts, n_jobs)`` gives one
    :class:`~pidkit.estimate.BiasCorrection` per table, in order (docs/performance.md).

    Raises
    ------
    TypeError, ValueError
        For an invalid option or joint, before any joint is solved. The message of an invalid
        joint starts with its index (``joint 7: ...``) and lists the other invalid joints;
        ``strict=False`` does not let them through (it concerns the solver's certificate).
    SolverError
        If ``strict`` (the default) and a joint could not be certified (the message names it).
    MemoryError
        If a joint's solve would not fit in memory (the message names it).

    Warns
    -----
    pidkit.estimate.PluginBiasWarning
        Once for the batch, with ``normalize=True``, where joints hold counts whose plug-in atoms
        :func:`pidkit.bertschinger` would warn of, by either of its rules (the expected plug-in
        bias of I(Y;T,S), or both unique informations as at a kink of the BROJA optimum): how
        many, which (the first five of each rule), and the first one's warning.
    UserWarning
        Once for the batch, where ``tol`` is loose for some of its joints, as
        :func:`pidkit.bertschinger` warns: how many, which (the first five), the least I(Y;T,S)
        among them and their largest gap.

    Examples
    --------
    >>> import numpy as np
    >>> from pidkit import examples
    >>> from pidkit import bertschinger_batch
    >>> results = bertschinger_batch([examples.and_(), examples.xor()])
    >>> [round(r.red, 6) for r in results], [round(r.syn, 6) for r in results]
    ([0.311278, 0.0], [0.5, 1.0])
    """
    joints = _as_joints(ps)
    options = _check_options(n_jobs, bertschinger_kwargs)
    check_progress(progress)
    checked = _checked_joints(joints, options)
    numbered = list(enumerate(checked))
    from joblib import effective_n_jobs

    workers = 1 if _on_threads() else effective_n_jobs(n_jobs)
    if workers == 1:
        n_jobs = 1
        chunks = _serial_chunks(numbered)
    else:
        size = min(_SERIAL_CHUNK, _parallel_chunk_size(numbered, workers))
        chunks = [numbered[i : i + size] for i in range(0, len(joints), size)]
    # The bar ends also when a chunk raises: the error then starts on a line of its own.
    with progress_bar(progress, total=len(joints), desc="bertschinger", unit="joint") as bar:
        parts = map_chunks(_solve_chunk, chunks, n_jobs, options, bar=bar)
    results = [r for part in parts for r in part]
    warn_of_loose_tol(options.tol_nats, [r.i_yts for r in results], [r.gap for r in results], options.units,
                      default_bits=DEFAULT_TOL_BITS, batch=True)
    if options.normalize:  # after the solves: the kink rule reads the plug-in's unique informations
        warn_of_rescaled_count_batch(joints, checked, options.units, [(r.uni_t, r.uni_s) for r in results])
    return results


def _as_joints(ps: Any) -> list[Any]:
    check_not_one_dit_distribution(ps, "ps")
    if isinstance(ps, np.ndarray):
        if ps.ndim != 4:
            raise ValueError(
                f"ps as an array must be 4-D (n_joints, n_y, n_t, n_s); got shape {ps.shape}"
                + _array_advice(ps.shape)
            )
        return list(ps)
    if _is_empirical_joint(ps):
        raise TypeError(
            f"ps must be a sequence of joints; got one {type(ps).__name__}. For its bias-corrected "
            "atoms use pidkit.estimate.correct_counts(joint.counts); for the plug-in's, "
            "pidkit.bertschinger(joint.counts, normalize=True), which warns where their bias is a "
            "sizeable share of them (joint.p gives them without that warning)."
        )
    if _is_pandas(ps):
        raise TypeError(_pandas_refusal(ps))
    if isinstance(ps, dict):
        raise TypeError(
            "ps must be a sequence of joints; got a dict. Pass list(ps.values()) (the results "
            "come back in that order)."
        )
    if isinstance(ps, (str, bytes)) or not isinstance(ps, Iterable):
        raise TypeError(
            "ps must be a sequence of joints p[y, t, s] or a 4-D array of them; "
            f"got {type(ps).__name__}."
        )
    joints = list(ps)
    if joints and _is_table(joints[0]):
        raise ValueError(
            f"ps looks like a single joint (a nested list of {len(joints)} tables), not a "
            "sequence of joints. Pass [p], or use pidkit.bertschinger(p) for one joint."
        )
    samples = [k for k, p in enumerate(joints) if _is_empirical_joint(p)]
    if samples:
        raise TypeError(_empirical_joints_refusal(samples, len(joints)))
    stack = next((k for k, p in enumerate(joints) if isinstance(p, np.ndarray) and p.ndim == 4), None)
    if stack is not None:
        raise ValueError(
            f"ps holds stacks of joints, not joints: ps[{stack}] is a 4-D array of shape "
            f"{joints[stack].shape}. Pass the flat list [p for stack in ps for p in stack], or "
            "np.concatenate(ps) if the joints share a shape."
        )
    return joints


def _is_empirical_joint(entry: Any) -> bool:
    """Whether ``entry`` is a :class:`pidkit.EmpiricalJoint` (or a named tuple like it): samples
    counted into ``counts`` and their plug-in table ``p``."""
    fields = getattr(entry, "_fields", ()) if isinstance(entry, tuple) else ()
    return "p" in fields and "counts" in fields


def _empirical_joints_refusal(indices: list[int], n_entries: int) -> str:
    """The refusal of a sequence whose entries ``indices`` (of ``n_entries``) are EmpiricalJoints:
    first the routes that correct the plug-in's bias or warn of it, the silent ``.p`` last."""
    first = indices[0]
    share = f" ({len(indices)} of {n_entries} entries are)" if len(indices) < n_entries else (
        f" (all {n_entries} entries are)" if n_entries > 1 else "")
    return (
        f"joint {first}: ps[{first}] is an EmpiricalJoint, not a joint p[y, t, s]{share}: pass "
        "each joint's counts. For bias-corrected atoms, pidkit.parallel.map_chunks("
        "pidkit.estimate.correct_counts, [joint.counts for joint in ps], n_jobs) gives one "
        "BiasCorrection per joint, in order (docs/performance.md); bertschinger_batch([joint.counts "
        "for joint in ps], normalize=True) gives the plug-in atoms and warns where their bias is a "
        "sizeable share of them. ([joint.p for joint in ps] gives the plug-in atoms without that "
        "warning.)"
    )


def _is_pandas(ps: Any) -> bool:
    """Whether ``ps`` is a pandas DataFrame or Series (recognised without importing pandas)."""
    return type(ps).__module__.split(".")[0] == "pandas" and type(ps).__name__ in {"DataFrame", "Series"}


def _pandas_refusal(table: Any) -> str:
    """The refusal of a pandas DataFrame or Series as ``ps``: a loop over a DataFrame gives its
    column labels, and one over a Series its values, so neither reads as joints."""
    kind = type(table).__name__
    looped = "its column labels" if kind == "DataFrame" else "its values one by one"
    fix = (f"If each row holds one joint's cells flattened (s fastest), pass "
           f"ps.to_numpy().reshape({len(table)}, n_y, n_t, n_s)")
    if kind == "Series":
        fix = ("If it holds one 3-D array per entry, pass ps.tolist() (to keep its index: "
               "pidkit.to_frame(pd.Series(results, index=ps.index)))")
    return (
        f"ps must be a 4-D array of joints (k, n_y, n_t, n_s) or a list of 3-D arrays p[y, t, s]; "
        f"got a pandas {kind} of shape {table.shape}, a loop over which gives {looped}. {fix}."
    )


def _array_advice(shape: tuple[int, ...]) -> str:
    """The end of the refusal of an array of ``shape`` (not 4-D) as ``ps``: what it is taken for
    and what to pass instead, from ``", "`` or ``". "``."""
    if len(shape) == 3:
        return ", one joint: pass [p], or use pidkit.bertschinger(p)."
    if len(shape) > 4:
        grid = shape[:-3]
        return (
            f", a grid of joints: pass ps.reshape(-1, {', '.join(map(str, shape[-3:]))}), whose "
            f"result k is the joint at np.unravel_index(k, {grid})."
        )
    return ". Stack joints of one shape along a new first axis, or pass a list of joints."


def _is_table(entry: Any) -> bool:
    """Whether ``entry`` is a plain nested list (or tuple) of numbers of two dimensions: the first
    entry of a single joint passed as a nested list (a ragged or odd entry is left to the joint's
    own check, which names it)."""
    if not isinstance(entry, (list, tuple)) or hasattr(entry, "_fields"):
        return False
    try:
        return np.asarray(entry).ndim == 2
    except (ValueError, TypeError):
        return False


def _on_threads() -> bool:
    """Whether joblib would run the chunks on threads although asked for processes: under a
    thread backend chosen outright, or ``require="sharedmem"`` (with which joblib refuses
    ``prefer="processes"``)."""
    from joblib.parallel import get_active_backend

    try:
        backend, _ = get_active_backend(prefer="processes")
    except ValueError:  # require="sharedmem": threads only
        return True
    return bool(getattr(backend, "uses_threads", False))


def _checked_joints(joints: list[Any], options: Options) -> list[np.ndarray]:
    """Every joint validated (float64, normalized as ``options`` say), all before any is solved.

    Raises the first invalid joint's error (same type) with its index in front, and after it the
    indices of the other invalid joints (the first :data:`_NAMED_INVALID`), so that one run finds
    them all; with ``strict=False``, that it does not let invalid joints through.
    """
    valid: list[np.ndarray] = []
    invalid: list[tuple[int, Exception]] = []
    for index, p in enumerate(joints):
        try:
            valid.append(check_joint(p, name=f"ps[{index}]", normalize=options.normalize))
        except (ValueError, TypeError) as exc:
            invalid.append((index, exc))
    if not invalid:
        return valid
    first, first_error = invalid[0]
    message = f"joint {first}: {first_error}"
    others = [index for index, _ in invalid[1:]]
    if others:
        named = ", ".join(map(str, others[:_NAMED_INVALID]))
        rest = len(others) - _NAMED_INVALID
        named = f"{named} and {rest} more" if rest > 0 else " and".join(named.rsplit(",", 1))
        message += (f" Also invalid: joint{'s' if len(others) > 1 else ''} {named} "
                    f"({len(invalid)} of {len(joints)} joints in all).")
    if not options.strict:
        message += " strict=False lets uncertified answers through, not invalid joints: fix or drop them."
    raise type(first_error)(message) from first_error


def _check_options(n_jobs: Any, kwargs: dict[str, Any]) -> Options:
    known = ["n_jobs", "progress", *_OPTIONS]
    for name in kwargs:
        if name == "measure":
            raise TypeError(_measure_refusal(kwargs[name]))
        if name not in _OPTIONS:
            raise TypeError(
                f"bertschinger_batch takes no option {name!r}; its options are {', '.join(known)}."
                + did_you_mean(name, known)
            )
    check_n_jobs(n_jobs)
    return check_options(**{**_OPTIONS, **kwargs})


def _measure_refusal(measure: Any) -> str:
    """The refusal of ``measure=``: the batch is the BROJA measure's; another measure is swept by
    mapping :func:`pidkit.pid` over the joints."""
    if isinstance(measure, str) and measure.lower() == "broja":
        return ("bertschinger_batch takes no option 'measure': it always solves the BROJA measure "
                "(Bertschinger et al. 2014). Drop measure='broja'.")
    return (
        f"bertschinger_batch takes no option 'measure' (got {measure!r}): it is the batch of the "
        "BROJA measure (Bertschinger et al. 2014) only. To sweep another measure, map pidkit.pid "
        "over the joints: pidkit.parallel.map_chunks(functools.partial(pidkit.pid, measure="
        f"{measure!r}), ps, n_jobs), or [pidkit.pid(p, measure={measure!r}) for p in ps]; "
        "pidkit.to_frame takes either list."
    )


def _serial_chunks(numbered: list[tuple[int, np.ndarray]]) -> list[list[tuple[int, np.ndarray]]]:
    """``numbered`` cut in order into chunks of at most :data:`_SERIAL_CHUNK_CELLS` cells and
    :data:`_SERIAL_CHUNK` joints (a joint larger than the cell budget makes a chunk alone)."""
    chunks: list[list[tuple[int, np.ndarray]]] = [[]]
    cells = 0
    for entry in numbered:
        size = entry[1].size
        if chunks[-1] and (cells + size > _SERIAL_CHUNK_CELLS or len(chunks[-1]) == _SERIAL_CHUNK):
            chunks.append([])
            cells = 0
        chunks[-1].append(entry)
        cells += size
    return chunks if chunks[0] else []


def _parallel_chunk_size(numbered: list[tuple[int, np.ndarray]], workers: int) -> int:
    """Joints per chunk for ``workers``: about :data:`_CHUNKS_PER_JOB` chunks each, fewer where
    those would hold under :data:`_PARALLEL_CHUNK_CELLS` cells, but none holding more than an
    equal share, ``ceil(n / workers)`` joints, so that the work is spread over the workers
    ``n_jobs`` asked for (all of them where the joints divide evenly; 5 joints on 4 workers make
    3 chunks of at most 2)."""
    n_joints = len(numbered)
    cells = max(1, sum(p.size for _, p in numbered))
    balanced = math.ceil(n_joints / (workers * _CHUNKS_PER_JOB))
    large_enough = math.ceil(_PARALLEL_CHUNK_CELLS * n_joints / cells)
    return max(1, balanced, min(large_enough, math.ceil(n_joints / workers)))


def _named(index: int, exc: Exception) -> Exception:
    """``exc`` with the joint's index in front of its message, same type."""
    return type(exc)(f"joint {index}: {exc}")


def _solve_chunk(chunk: list[tuple[int, np.ndarray]], options: Options) -> list[PIDResult]:
    """Solve the joints of ``chunk`` (pairs of index, validated joint) together."""
    indices = [index for index, _ in chunk]
    valid = [p for _, p in chunk]
    try:
        outcomes = solve_joints(valid, options)
    except MemoryError:
        outcomes = []
        for index, p in zip(indices, valid, strict=True):  # find the joint that does not fit
            try:
                outcomes += solve_joints([p], options)
            except MemoryError as exc:
                raise _named(index, exc) from exc
    out = []
    for index, p, outcome in zip(indices, valid, outcomes, strict=True):
        try:
            out.append(result(p, outcome, options))
        except SolverError as exc:
            raise _named(index, exc) from exc
    return out

