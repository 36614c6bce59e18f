"""The inputs people have, samples and dit distributions, turned into a joint ``p[y, t, s]``."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, TypeAlias

import numpy as np
from numpy.typing import ArrayLike

from ._arrays import check_same_index
from ._caller import user_stacklevel
from ._labels import as_objects, encode_labels
from ._validate import check_pmf, is_dit_distribution

DitVariables: TypeAlias = int | str | Sequence[int | str]
"""The variables of a dit Distribution that make one variable of the joint (the target Y, or a
source): a position (negative ones count from the end), a name (once ``set_rv_names`` is
called), or several of either."""

DitSources: TypeAlias = Sequence[int | str | Sequence[int | str]]
"""The variables of a dit Distribution that make the two sources T and S, one
``DitVariables`` each."""


class EmpiricalJoint(NamedTuple):
    """A joint pmf counted from samples.

    Attributes
    ----------
    p : numpy.ndarray of shape (n_y, n_t, n_s)
        Relative frequencies indexed ``p[y, t, s]``.
    labels : dict of str to numpy.ndarray
        ``labels["y"][i]`` is the original label of index ``i`` on the Y axis (likewise "t", "s").
    counts : numpy.ndarray of int
        The counts behind ``p``; all zeros for :func:`joint_from_dit`'s joint, whose masses come
        from a distribution, not from samples (a dit distribution holds probabilities, not counts:
        ``pidkit.estimate.correct_counts`` refuses it, as it holds no samples).
    n_samples : int
        Number of samples counted (``counts.sum()``); 0 for :func:`joint_from_dit`'s joint.

    Examples
    --------
    Made by :func:`joint_from_samples`; ``p`` is what :func:`pidkit.pid` takes, ``labels`` map its
    indices back to the labels counted:

    >>> import pidkit
    >>> joint = pidkit.joint_from_samples(["cat", "dog", "dog", "cat"], [0, 1, 1, 1], [0, 0, 1, 1])
    >>> joint.labels["y"].tolist(), joint.counts[:, 1, :].tolist(), joint.n_samples
    (['cat', 'dog'], [[0, 1], [1, 1]], 4)
    >>> round(pidkit.pid(joint.p).i_yt, 6)          # I(Y;T) in bits
    0.311278
    """

    p: np.ndarray
    labels: dict[str, np.ndarray]
    counts: np.ndarray
    n_samples: int

    def __repr__(self) -> str:
        """One line: the shape, the sample count and each axis' labels, not the arrays.

        Examples
        --------
        >>> import pidkit
        >>> pidkit.joint_from_samples(["cat", "dog", "dog", "cat"], [0, 1, 1, 1], [0, 0, 1, 1])
        EmpiricalJoint(p[y, t, s] of shape 2x2x2 from 4 samples; labels y ['cat', 'dog'], t [0, 1], s [0, 1])
        """
        shape = "x".join(str(n) for n in self.p.shape)
        source = f"from {self.n_samples} samples" if self.n_samples else "from a distribution (no samples)"
        axes = ", ".join(f"{axis} {_first_and_last(self.labels[axis])}" for axis in "yts")
        return f"EmpiricalJoint(p[y, t, s] of shape {shape} {source}; labels {axes})"


def _first_and_last(labels: np.ndarray, shown: int = 3) -> str:
    """``labels`` as a list; more than ``shown`` + 2 of them as the first ``shown``, "...", the last
    and their number in parentheses."""
    items = [repr(v) for v in labels.tolist()]
    if len(items) > shown + 2:
        items = [*items[:shown], "...", items[-1]]
    return f"[{', '.join(items)}]" + (f" ({labels.size})" if labels.size > shown + 2 else "")


def _sample_count(values: Any) -> int | None:
    """How many samples labels ``values`` hold along their first axis, where that is known before
    they are read (an array's, a tensor's or a frame's shape, a list's length); ``None`` for a
    scalar, a string or an iterator."""
    shape = getattr(values, "shape", None)
    if shape is not None:
        return int(shape[0]) if len(shape) else None
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        return None
    return len(values)


class SampleCells:
    """Each sample's cell in a count table ``counts[y, t, s]``, and the table, counted from them.

    ``index[i]`` is the flat index into ``counts.ravel()`` of sample ``i``'s cell, in the order
    the samples were given; ``counts`` is ``np.bincount(index)`` on a table of ``shape``, so the
    two always agree: a table that equals ``counts`` is the table of these samples, with no
    need to count them again. :func:`pidkit.joint_from_samples` counts its table this way, and
    the estimators of :mod:`pidkit.estimate` pass one as ``sample_cells`` (each sample's
    ``(y, t, s)`` indices are ``rows``).

    Parameters
    ----------
    index : numpy.ndarray of int, shape (n_samples,)
        Flat cell indices, each in ``[0, prod(shape))``.
    shape : tuple of int
        The shape of the count table.

    Raises
    ------
    ValueError
        For an ``index`` that is not 1-D ints inside a table of ``shape``.

    Examples
    --------
    >>> cells = SampleCells(np.array([3, 0, 3]), (1, 2, 2))
    >>> cells.counts.tolist(), cells.rows.tolist()
    ([[[1, 0], [0, 2]]], [[0, 1, 1], [0, 0, 0], [0, 1, 1]])
    """

    __slots__ = ("counts", "index")
    counts: np.ndarray
    index: np.ndarray

    def __init__(self, index: np.ndarray, shape: tuple[int, ...]) -> None:
        index = np.asarray(index)
        size = int(np.prod(shape))
        if index.ndim != 1 or index.dtype.kind not in "iu" or (
                index.size and (int(index.min()) < 0 or int(index.max()) >= size)):
            raise ValueError(
                f"index must be a 1-D array of ints in [0, {size}), the flat cells of a table of "
                f"shape {tuple(shape)}; got shape {index.shape}, dtype {index.dtype}."
            )
        self.index = index.astype(np.intp, copy=False)
        self.counts = np.bincount(self.index, minlength=size).astype(np.int64, copy=False).reshape(shape)

    @property
    def rows(self) -> np.ndarray:
        """Each sample's ``(y, t, s)`` indices into ``counts``: shape ``(n_samples, 3)``."""
        return np.column_stack(np.unravel_index(self.index, self.counts.shape))


def encoded_samples(y: ArrayLike, t: ArrayLike, s: ArrayLike) -> tuple[EmpiricalJoint, SampleCells]:
    """:func:`joint_from_samples` of ``(y, t, s)`` and the cells of its samples, from one encoding
    of the labels: the joint's ``counts`` are the cells' ``counts``.

    Examples
    --------
    >>> joint, cells = encoded_samples(["b", "a", "b"], [1, 0, 0], [True, True, False])
    >>> cells.rows.tolist(), cells.counts is joint.counts
    ([[1, 1, 1], [0, 0, 1], [1, 0, 0]], True)
    """
    y_codes, y_labels = encode_labels(y, "y", others={"t": _sample_count(t), "s": _sample_count(s)})
    t_codes, t_labels = encode_labels(t, "t", y_codes.size, others={"y": y_codes.size})
    s_codes, s_labels = encode_labels(s, "s", y_codes.size, others={"y": y_codes.size})
    check_same_index({"y": y, "t": t, "s": s})
    n = int(y_codes.size)
    labels = {"y": y_labels, "t": t_labels, "s": s_labels}
    shape = (y_labels.size, t_labels.size, s_labels.size)
    cells = SampleCells(np.ravel_multi_index((y_codes, t_codes, s_codes), shape), shape)
    return EmpiricalJoint(cells.counts / n, labels, cells.counts, n), cells


def _three_sample_arrays(
    function: Callable[[ArrayLike, ArrayLike, ArrayLike], EmpiricalJoint],
) -> Callable[[ArrayLike, ArrayLike, ArrayLike], EmpiricalJoint]:
    """``function`` of ``y, t, s``, refusing a call that leaves out ``t`` or ``s`` with the call to
    make: Python's own "missing 2 required positional arguments" says nothing of a table of samples
    (a DataFrame with columns y, t, s; an array of 3 columns) passed whole as ``y``."""

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> EmpiricalJoint:
        if len(args) == 1 and not kwargs:
            raise TypeError(
                "joint_from_samples takes the three aligned label arrays y, t and s; got only y"
                f"{_one_table_advice(args[0])}"
            )
        return function(*args, **kwargs)

    return checked


def _one_table_advice(table: Any) -> str:
    """What the single argument of ``joint_from_samples(table)`` is, and the call that passes its
    columns as y, t and s."""
    columns = getattr(table, "columns", None)
    if columns is not None and getattr(table, "ndim", None) == 2:
        names = list(columns)
        found = [next((c for c in names if str(c).lower() == axis), None) for axis in "yts"]
        shown = names if len(names) <= 6 else [*names[:6], "..."]
        if all(c is not None for c in found):
            picks = ", ".join(f"table[{c!r}]" for c in found)
        elif len(names) == 3:
            picks = "table.iloc[:, 0], table.iloc[:, 1], table.iloc[:, 2]"
        else:
            picks = "table[COLUMN_Y], table[COLUMN_T], table[COLUMN_S]"
        return (f", a table with columns {shown}. Pass its columns: "
                f"pidkit.joint_from_samples({picks}).")
    shape = np.shape(table) if isinstance(table, np.ndarray) else None
    if shape is not None and len(shape) == 2 and 3 in shape:
        picks = "*samples.T" if shape[1] == 3 else "*samples"
        return (f", an array of shape {shape}. Pass its {'columns' if shape[1] == 3 else 'rows'} "
                f"(y, t, s in that order): pidkit.joint_from_samples({picks}).")
    return ". Pass all three, each with one label per sample: pidkit.joint_from_samples(y, t, s)."


@_three_sample_arrays
def joint_from_samples(y: ArrayLike, t: ArrayLike, s: ArrayLike) -> EmpiricalJoint:
    """Count the joint ``p[y, t, s]`` of three aligned sequences of discrete labels.

    Labels may be integers or any hashable objects, but not numbers beside strings or bytes in one
    argument (``5`` and ``"5"`` print alike: a ValueError says so), and floats only where they hold
    whole numbers (``1.0``; others, a logit or a continuous target, are refused with the binning or
    rounding that makes them labels); each axis of ``p`` lists the labels that occur, in sorted
    order (first-seen order for labels that cannot be sorted); the axis of a pandas categorical or
    a polars Enum follows its categories' order.

    Parameters
    ----------
    y, t, s : array_like of shape (n_samples,)
        Target, teacher and student labels of the same samples.

    Returns
    -------
    EmpiricalJoint
        ``(p, labels, counts, n_samples)``.

    Examples
    --------
    >>> from pidkit import joint_from_samples
    >>> joint = joint_from_samples([0, 1, 1, 0], ["a", "b", "a", "b"], [0, 0, 1, 1])
    >>> joint.p.shape, joint.n_samples, joint.labels["t"].tolist()
    ((2, 2, 2), 4, ['a', 'b'])

    A table of samples passed whole is refused with the call that passes its columns:

    >>> import pandas as pd
    >>> joint_from_samples(pd.DataFrame({"y": [0, 1], "t": [1, 1], "s": [0, 1]}))
    Traceback (most recent call last):
    ...
    TypeError: joint_from_samples takes the three aligned label arrays y, t and s; got only y, a \
table with columns ['y', 't', 's']. Pass its columns: pidkit.joint_from_samples(table['y'], \
table['t'], table['s']).
    """
    return encoded_samples(y, t, s)[0]


def joint_from_dit(
    d: Any, *, target: DitVariables,
    sources: DitSources | None = None,
) -> EmpiricalJoint:
    """Convert a ``dit.Distribution`` into a joint ``p[y, t, s]``.

    Parameters
    ----------
    d : dit.Distribution
    target : int, str or sequence of them
        The variable (or variables) forming Y: an index from 0 in the order of the outcomes'
        characters (negative from the end, as Python's: -1 is the last), or a name where ``d`` has
        names (``d.set_rv_names``).
    sources : sequence of two ints, strs or sequences of them, optional
        The variables forming T and S, in that order. By default the two variables other than
        ``target``, in order (a ``ValueError`` where not exactly two are left).

    Returns
    -------
    EmpiricalJoint
        ``n_samples`` is 0 and ``counts`` all zeros: the masses come from ``d``, which holds
        probabilities, not counts.

    Examples
    --------
    >>> from pidkit import joint_from_dit
    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    >>> joint_from_dit(d, target=2, sources=[0, 1]).p.shape
    (2, 2, 2)
    >>> d.set_rv_names("XYZ")                       # named variables are taken by name too
    >>> joint_from_dit(d, target="Z").labels["t"].tolist(), joint_from_dit(d, target=-1).n_samples
    ([('0',), ('1',)], 0)
    """
    masses, labels = _joint_of_dit(d, target, sources, many_sources=False)
    counts = np.zeros(masses.shape, dtype=np.int64)
    return EmpiricalJoint(masses, dict(zip("yts", labels, strict=True)), counts, 0)


def _joint_of_dit(
    d: Any, target: Any, sources: Any, *, many_sources: bool
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The joint ``p[y, x1, x2, ...]`` of a dit Distribution, its variables grouped by ``target``
    and ``sources`` as :func:`joint_from_dit` takes them, and each axis' labels: two sources, or
    with ``many_sources`` two or more (by default every variable but the target)."""
    if not is_dit_distribution(d):
        raise TypeError(f"d must be a dit Distribution; got {type(d).__name__}.")
    if d.is_log():  # log-probabilities would be read as (negative) masses
        d = d.copy(base="linear")
    n_vars = len(d.outcomes[0])
    names = d.get_rv_names()
    groups = [_variable_indices(target, "target", n_vars, names)]
    if sources is None:
        sources = _default_sources(n_vars, groups[0], target, many_sources=many_sources)
    _check_source_count(sources, many_sources=many_sources)
    groups += [_variable_indices(group, f"sources[{i}]", n_vars, names) for i, group in enumerate(sources)]
    shared = sorted(set(groups[0]) & set().union(*groups[1:]))
    if shared:
        raise ValueError(
            f"target and sources share variable(s) {shared}: a source that holds the target tells "
            "all of it, and the PID says nothing about the sources. Name the sources among the "
            "other variables."
        )
    _warn_of_a_repeated_source(sources, groups, n_vars)
    axis_names = ["y", "t", "s"] if len(groups) == 3 else ["y", *(f"x{i}" for i in range(1, len(groups)))]
    keys = [[tuple(o[i] for i in group) for o in d.outcomes] for group in groups]
    codes_labels = [encode_labels(as_objects(k), name) for k, name in zip(keys, axis_names, strict=True)]
    masses = np.zeros(tuple(labels.size for _, labels in codes_labels))
    np.add.at(masses, tuple(codes for codes, _ in codes_labels), np.asarray(d.pmf, dtype=float))
    return check_pmf(masses, name="d", normalize=True), [labels for _, labels in codes_labels]


def _check_source_count(sources: Any, *, many_sources: bool) -> None:
    """A ValueError where ``sources`` is not a sequence of two variables (two or more with
    ``many_sources``)."""
    if isinstance(sources, (str, bytes)) or not isinstance(sources, Sequence):
        count_ok = False
    else:
        count_ok = len(sources) >= 2 if many_sources else len(sources) == 2
    if not count_ok:
        wanted = "two or more variables (X1, X2, ...)" if many_sources else "exactly two variables (T, S)"
        raise ValueError(f"sources must name {wanted}; got {sources!r}.")


def _warn_of_a_repeated_source(sources: Any, groups: list[tuple[int, ...]], n_vars: int) -> None:
    """A UserWarning where two of the sources (``groups[1:]``, named by ``sources``) are the same
    variables: two equal sources make the PID all redundancy; among more, the repeat adds nothing."""
    repeated = [(i, j) for i in range(1, len(groups)) for j in range(i + 1, len(groups))
                if set(groups[i]) == set(groups[j])]
    if not repeated:
        return
    others = [i for i in range(n_vars) if i not in groups[0]]
    if len(groups) == 3:
        what = "so T = S and the PID is all redundancy (Red = I(Y;T), the other atoms 0)"
        fix = "name two different sources"
    else:
        i, j = repeated[0]
        what = (f"so sources[{i - 1}] and sources[{j - 1}] are one source and Red is that of the "
                "sources without the repeat")
        fix = f"name {len(groups) - 1} different sources"
    warnings.warn(
        f"sources={list(sources)!r} name the same variable(s) twice, {what}. If that was a typo, "
        f"{fix}, e.g. sources={others[:len(groups) - 1]}.",
        UserWarning, stacklevel=user_stacklevel(),
    )


def joint_of_dit_or_array(
    p: Any, target: Any, sources: Any, *, name: str, example_call: str, many_sources: bool = False
) -> Any:
    """The joint that a function of one joint ``p[y, t, s]`` takes: a dit Distribution's, made by
    :func:`joint_from_dit`'s conversion with ``target`` and ``sources`` (the one conversion that
    every public function of a joint shares); any other ``p`` as it is, for the caller to check,
    where neither ``target`` nor ``sources`` is given.

    Parameters
    ----------
    p : dit.Distribution or array_like
        The joint as the caller was given it.
    target, sources : optional
        As :func:`joint_from_dit` takes them; None where the caller was given none.
    name : str
        The argument's name (``"p_yts"``), for the refusals.
    example_call : str
        The caller's function called on a dit Distribution ``d``, e.g. ``"pidkit.pid(d,
        target=2)"``: what the refusal of ``d`` without ``target`` shows.
    many_sources : bool, default=False
        Whether the caller takes two or more sources, ``p[y, x1, x2, ...]`` (:func:`pidkit.i_gh`,
        :func:`pidkit.i_prec`): ``sources`` may then name two or more, and by default names every
        variable but the target.

    Returns
    -------
    numpy.ndarray or object
        The dit Distribution's ``p[y, t, s]`` (``p[y, x1, x2, ...]`` with ``many_sources``), or
        ``p`` as given.

    Raises
    ------
    TypeError
        For a dit Distribution without ``target``, or ``target`` or ``sources`` with an array,
        which is indexed ``[y, t, s]`` already.

    Examples
    --------
    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    >>> joint_of_dit_or_array(d, 2, None, name="p_yts", example_call="pidkit.pid(d, target=2)").shape
    (2, 2, 2)
    >>> joint_of_dit_or_array(d, None, None, name="p_yts", example_call="pidkit.redundancy(d, target=2)")
    Traceback (most recent call last):
    ...
    TypeError: p_yts is a dit Distribution: name its target variable, e.g. pidkit.redundancy(d, target=2).
    >>> four = dit.Distribution(["0000", "1111"], [0.5, 0.5])       # a target and three copies
    >>> joint_of_dit_or_array(four, 0, None, name="p", example_call="pidkit.i_gh(d, target=0)",
    ...                       many_sources=True).shape
    (2, 2, 2, 2)
    """
    if is_dit_distribution(p):
        if target is None:
            raise TypeError(f"{name} is a dit Distribution: name its target variable, e.g. {example_call}.")
        return _joint_of_dit(p, target, sources, many_sources=many_sources)[0]
    if target is not None or sources is not None:
        given, drop = (("target only applies", "Drop it") if sources is None
                       else ("sources only applies", "Drop it") if target is None
                       else ("target and sources only apply", "Drop them"))
        axes = "[y, x1, x2, ...]" if many_sources else "[y, t, s]"
        raise TypeError(
            f"{given} to a dit Distribution; {name} is an array, indexed {axes} already. {drop}, "
            "or reorder its axes first, e.g. np.moveaxis(p, 2, 0) for a joint indexed [t, s, y]."
        )
    return p


def check_not_one_dit_distribution(joints: Any, name: str) -> None:
    """Refuse one dit Distribution given where a sequence of joints belongs (a batch, a theorem's
    check), instead of reading its outcomes' text as joints.

    Examples
    --------
    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)
    >>> from pidkit.samples import check_not_one_dit_distribution
    >>> check_not_one_dit_distribution(d, "ps")
    Traceback (most recent call last):
    ...
    TypeError: ps is one dit Distribution, not a sequence of joints: pass [pidkit.joint_from_dit(d, \
target=2).p] (one entry per distribution), or decompose d alone with pidkit.pid(d, target=2).
    """
    if is_dit_distribution(joints):
        raise TypeError(
            f"{name} is one dit Distribution, not a sequence of joints: pass "
            "[pidkit.joint_from_dit(d, target=2).p] (one entry per distribution), or decompose d "
            "alone with pidkit.pid(d, target=2)."
        )


def _variable_indices(
    group: Any, name: str, n_vars: int, names: tuple[Any, ...] | None
) -> tuple[int, ...]:
    """The variables of a dit Distribution that ``group`` (its argument ``name``) names, as indices
    from 0: a variable's index (from the end where negative, as Python's), its name where the
    distribution has names (``d.set_rv_names``), or a sequence of those; a TypeError or ValueError
    saying what is accepted otherwise."""
    named = [group] if isinstance(group, (int, np.integer, str)) else group
    if isinstance(named, bytes) or not isinstance(named, Sequence) or not named:
        named = [group]
    indices = []
    for variable in named:
        if isinstance(variable, str) and names is not None and variable in names:
            indices.append(names.index(variable))
        elif isinstance(variable, (int, np.integer)) and not isinstance(variable, bool):
            if not -n_vars <= variable < n_vars:
                raise ValueError(
                    f"target and sources must index the distribution's {n_vars} variables (0 to "
                    f"{n_vars - 1}, or -{n_vars} to -1 from the end); {name} got {group!r}."
                )
            indices.append(int(variable) % n_vars)
        else:
            known = (f"or a name among {list(names)}" if names is not None else
                     "(this distribution's variables have no names: d.set_rv_names('XYZ') gives them)")
            raise TypeError(
                f"{name} must be a variable's index {known}, or a sequence of them; got {group!r}. "
                f"Indices count from 0 in the order of the outcomes' characters: {n_vars - 1} "
                "(or -1) is the last."
            )
    return tuple(indices)


def _default_sources(
    n_vars: int, target: tuple[int, ...], given: Any, *, many_sources: bool
) -> tuple[int, ...]:
    """The sources of :func:`joint_from_dit` (and ``pid(d, target=...)``) without ``sources``: the
    variables of a dit Distribution of ``n_vars`` variables that ``target`` (indices, the argument
    ``given``) leaves, in order; a ValueError saying how to name them where not exactly two are left
    (with ``many_sources``, as ``i_gh`` and ``i_prec`` take them, fewer than two)."""
    others = [i for i in range(n_vars) if i not in target]
    if len(others) == 2 or (many_sources and len(others) > 2):
        return tuple(others)
    if many_sources:
        raise ValueError(
            f"sources: the dit Distribution has {n_vars} variables, and target={given!r} leaves "
            f"{len(others)} ({others}): a redundancy needs two or more source variables besides the target."
        )
    example = (f"e.g. sources=[{others[:-1]}, {others[-1]}] to read variables {others[:-1]} as T"
               if len(others) > 2 else "a PID needs two source variables besides the target")
    raise ValueError(
        f"sources: the dit Distribution has {n_vars} variables, and target={given!r} leaves "
        f"{len(others)} ({others}), not two: name the two sources ({example})."
    )
