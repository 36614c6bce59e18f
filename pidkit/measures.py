"""Shannon measures of a joint pmf ``p[y, t, s]``: entropy, mutual information and relatives.

Variables are named by the letters ``"y"`` (target), ``"t"`` (teacher) and ``"s"`` (student); a
string such as ``"ts"`` names the pair (T, S). Everything is in bits unless ``units="nats"``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import entr

from ._positional_joint import one_positional_joint
from ._units import from_nats
from ._validate import check_joint, check_pmf
from .samples import DitSources, DitVariables, joint_of_dit_or_array

_AXES = {"y": 0, "t": 1, "s": 2}
_SEPARATORS = " ,;+"
"""Characters a caller may put between letters (``"t,s"``, ``"T S"``); dropped when suggesting."""
_SPARSE_SHARE = 0.1
"""Below this share of the grid in the support, :func:`informations_nats` builds the marginals
from the support's cells instead of summing the grid."""

__all__ = [
    "Informations",
    "co_information",
    "conditional_mutual_information",
    "entropy",
    "informations",
    "marginal",
    "mutual_information",
]


def _check_variables(variables: str, argname: str) -> str:
    if not isinstance(variables, str) or not variables:
        raise TypeError(
            f"{argname} must be a non-empty string over 'y', 't', 's' (e.g. 'ts'); "
            f"got {variables!r}."
        )
    unknown = sorted(set(variables) - set(_AXES), key=variables.index)
    repeated = sorted({v for v in variables if variables.count(v) > 1} - set(unknown), key=variables.index)
    if not (unknown or repeated):
        return variables
    problems = [f"{v!r} appears twice" for v in repeated]
    if unknown:
        verb = "is no variable" if len(unknown) == 1 else "are no variables"
        problems.insert(0, f"{', '.join(map(repr, unknown))} {verb}")
    letters = "".join(v for v in variables.lower() if v not in _SEPARATORS)
    meant = letters if set(letters) <= set(_AXES) and len(set(letters)) == len(letters) else None
    raise ValueError(
        f"{argname} must name distinct variables among 'y', 't', 's'; got {variables!r}: "
        f"{', '.join(problems)}." + (f" Did you mean {meant!r}?" if meant else "")
    )


def _marginal(p: np.ndarray, variables: str) -> np.ndarray:
    """Marginal of a validated joint on ``variables``, axes in the order given."""
    keep = [_AXES[v] for v in variables]
    dropped = tuple(ax for ax in range(3) if ax not in keep)
    reduced = p.sum(axis=dropped) if dropped else p
    order = np.argsort(np.argsort(keep))
    return np.transpose(reduced, order)


def entropy_nats(p: np.ndarray) -> float:
    """Entropy in nats of the masses in ``p`` (any shape, assumed valid), clipped at 0: masses
    that sum to a hair above 1 give ``-(1 + e) ln(1 + e)`` for a single cell, e.g. -3.2e-16 bits
    for ``i_target_common`` of a joint whose components merge into one."""
    return max(float(np.add.reduce(entr(p), axis=None)), 0.0)  # .sum() without its Python wrapper


def _joint_entropy_nats(p: np.ndarray, variables: str) -> float:
    return entropy_nats(_marginal(p, variables)) if variables else 0.0


def cmi_nats(p: np.ndarray, a: str, b: str, given: str = "") -> float:
    """I(A;B|C) in nats of a validated joint, by the entropy identity (clipped at 0)."""
    value = (
        _joint_entropy_nats(p, a + given)
        + _joint_entropy_nats(p, b + given)
        - _joint_entropy_nats(p, a + b + given)
        - _joint_entropy_nats(p, given)
    )
    return max(value, 0.0)


class Informations(NamedTuple):
    """The entropy of the target and the three mutual informations every decomposition splits.

    Attributes
    ----------
    h_y : float
        H(Y).
    i_yt, i_ys, i_yts : float
        I(Y;T), I(Y;S) and I(Y;T,S).

    Examples
    --------
    :func:`informations` returns one; a tuple, so it unpacks:

    >>> from pidkit.examples import xor
    >>> from pidkit.measures import informations
    >>> h_y, i_yt, i_ys, i_yts = informations(xor())
    >>> h_y, i_yt, i_ys, round(i_yts, 12)   # Y = T xor S: neither source alone tells anything
    (1.0, 0.0, 0.0, 1.0)
    """

    h_y: float
    i_yt: float
    i_ys: float
    i_yts: float


@one_positional_joint
def informations(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> Informations:
    """H(Y), I(Y;T), I(Y;S) and I(Y;T,S) of a joint ``p[y, t, s]`` at once.

    One pass finds the support (the cells of positive mass); the seven entropies behind the
    four numbers are computed from it, so a sparse joint on a large grid costs little more than
    its support.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        Joint pmf of target, teacher and student. A dit Distribution needs ``target``.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Returns
    -------
    Informations
        ``h_y``, ``i_yt``, ``i_ys``, ``i_yts``.

    Examples
    --------
    >>> from pidkit.measures import informations
    >>> from pidkit import examples
    >>> info = informations(examples.and_())
    >>> round(info.h_y, 6), round(info.i_yt, 6), round(info.i_yts, 6)
    (0.811278, 0.311278, 0.811278)
    """
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts",
                                  example_call="pidkit.measures.informations(d, target=2, sources=[0, 1])")
    p = check_joint(p_yts, normalize=normalize)
    return Informations(*(from_nats(v, units) for v in informations_nats(p)))


def informations_nats(p: np.ndarray) -> Informations:
    """:class:`Informations` in nats of a joint ``p[y, t, s]`` already validated (float64, mass
    1, as ``check_joint`` returns it); no checks here, since every decomposition calls it for
    its result.

    H(Y,T,S) is summed over the support only, and where the support is a small share of the
    grid the marginals are weighted counts of its cells' indices: a joint with 10^4 cells on a
    10^8-cell grid costs one scan of the grid and no grid-sized temporaries.
    """
    n_y, n_t, n_s = p.shape
    support = np.count_nonzero(p)
    if support < _SPARSE_SHARE * p.size:
        cells = np.flatnonzero(p)
        mass = p.reshape(-1)[cells]
        y_t, s = np.divmod(cells, n_s)  # y_t = y * n_t + t
        y, t_s = np.divmod(cells, n_t * n_s)  # t_s = t * n_s + s
        p_yt = np.bincount(y_t, weights=mass, minlength=n_y * n_t).reshape(n_y, n_t)
        p_ys = np.bincount(y * n_s + s, weights=mass, minlength=n_y * n_s).reshape(n_y, n_s)
        p_ts = np.bincount(t_s, weights=mass, minlength=n_t * n_s)
    else:  # a C-ordered grid without zeros is its own support, summed in the same order
        mass = p if support == p.size and p.flags.c_contiguous else p[p > 0]
        p_yt, p_ys, p_ts = p.sum(axis=2), p.sum(axis=1), p.sum(axis=0)
    h_y = entropy_nats(p_yt.sum(axis=1))
    h_t, h_s = entropy_nats(p_yt.sum(axis=0)), entropy_nats(p_ys.sum(axis=0))
    return Informations(
        h_y=h_y,
        i_yt=max(h_y + h_t - entropy_nats(p_yt), 0.0),
        i_ys=max(h_y + h_s - entropy_nats(p_ys), 0.0),
        i_yts=max(h_y + entropy_nats(p_ts) - entropy_nats(mass), 0.0),
    )


def marginal(
    p_yts: ArrayLike,
    variables: str,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    normalize: bool = False,
) -> np.ndarray:
    """Marginal distribution of a joint ``p[y, t, s]`` on the named variables.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        Joint pmf of target, teacher and student. A dit Distribution needs ``target``.
    variables : str
        Letters among ``"y"``, ``"t"``, ``"s"``; the output's axes follow their order. With a dit
        Distribution they name Y, T and S, the variables ``target`` and ``sources`` name.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it, and its ``labels`` name each index of
        the marginal's axes). An array takes neither.
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from pidkit.measures import marginal
    >>> from pidkit import examples
    >>> marginal(examples.and_(), "y")
    array([0.75, 0.25])
    >>> import dit
    >>> d = dit.Distribution(["000", "010", "100", "111"], [0.25] * 4)   # Z = X and Y
    >>> marginal(d, "y", target=2)
    array([0.75, 0.25])
    """
    example_call = f"pidkit.measures.marginal(d, {variables!r}, target=2, sources=[0, 1])"
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts", example_call=example_call)
    return _marginal(check_joint(p_yts, normalize=normalize), _check_variables(variables, "variables"))


def entropy(
    p: ArrayLike,
    variables: str | None = None,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Shannon entropy.

    Parameters
    ----------
    p : array_like, or dit.Distribution
        With ``variables=None``: a pmf of any shape, and the entropy of all its cells. Otherwise a
        joint ``p[y, t, s]`` and the entropy of its marginal on ``variables``. A dit Distribution
        needs ``target``, and is read as the joint ``p[y, t, s]`` of the variables ``target`` and
        ``sources`` name (all three with ``variables=None``).
    variables : str, optional
        Letters among ``"y"``, ``"t"``, ``"s"`` (with a dit Distribution too: the variables
        ``target`` and ``sources`` name, never a dit variable's own name).
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Returns
    -------
    float

    Examples
    --------
    >>> from pidkit import entropy
    >>> entropy([0.5, 0.5])
    1.0
    >>> from pidkit import examples
    >>> entropy(examples.xor(), "ts")
    2.0
    >>> import dit
    >>> d = dit.Distribution(["000", "010", "100", "111"], [0.25] * 4)   # Z = X and Y
    >>> round(entropy(d, "y", target=2), 6)                                # h(1/4)
    0.811278
    """
    shown = "" if variables is None else f", {variables!r}"
    p = joint_of_dit_or_array(p, target, sources, name="p",
                              example_call=f"pidkit.entropy(d{shown}, target=2, sources=[0, 1])")
    if variables is None:
        return from_nats(entropy_nats(check_pmf(p, normalize=normalize)), units)
    joint = check_joint(p, name="p", normalize=normalize)
    return from_nats(_joint_entropy_nats(joint, _check_variables(variables, "variables")), units)


def mutual_information(
    p_yts: ArrayLike,
    a: str,
    b: str,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Mutual information I(A;B) between two groups of variables of ``p[y, t, s]``.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        A dit Distribution needs ``target``.
    a, b : str
        Disjoint groups of letters among ``"y"``, ``"t"``, ``"s"``; ``("y", "ts")`` is I(Y;T,S).
        With a dit Distribution the letters still name Y, T and S, the variables ``target`` and
        ``sources`` name, never a dit variable's own name.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Examples
    --------
    >>> from pidkit import mutual_information
    >>> from pidkit import examples
    >>> round(mutual_information(examples.xor(), "y", "ts"), 12)
    1.0
    >>> mutual_information(examples.xor(), "y", "t")
    0.0
    """
    return conditional_mutual_information(p_yts, a, b, "", target=target, sources=sources, units=units,
                                          normalize=normalize)


def conditional_mutual_information(
    p_yts: ArrayLike,
    a: str,
    b: str,
    given: str | None,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Conditional mutual information I(A;B|C) of ``p[y, t, s]``.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        A dit Distribution needs ``target``.
    a, b : str
        Disjoint groups of letters among ``"y"``, ``"t"``, ``"s"`` (with a dit Distribution too:
        the variables ``target`` and ``sources`` name).
    given : str or None
        Letters of the conditioning variables, disjoint from ``a`` and ``b``; ``""`` or ``None``
        conditions on nothing (I(A;B)).
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Examples
    --------
    >>> from pidkit import conditional_mutual_information
    >>> from pidkit import examples
    >>> conditional_mutual_information(examples.xor(), "y", "t", "s")
    1.0
    """
    _check_variables(a, "a")
    _check_variables(b, "b")
    if given is None or given == "":
        given = ""
    else:
        _check_variables(given, "given")
    _check_disjoint(a, b, given)
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts",
                                  example_call=_example_call(a, b, given))
    return from_nats(cmi_nats(check_joint(p_yts, normalize=normalize), a, b, given), units)


def _example_call(a: str, b: str, given: str) -> str:
    """The call of :func:`mutual_information` (or, with ``given``, of
    :func:`conditional_mutual_information`) on a dit Distribution ``d`` that names its target."""
    if given:
        return f"pidkit.conditional_mutual_information(d, {a!r}, {b!r}, {given!r}, target=2, sources=[0, 1])"
    return f"pidkit.mutual_information(d, {a!r}, {b!r}, target=2, sources=[0, 1])"


def _check_disjoint(a: str, b: str, given: str) -> None:
    """A ValueError naming the variables ``a``, ``b`` and ``given`` share, in the words of the call
    made: ``mutual_information`` (``given`` empty) has no ``given`` to name."""
    if len(set(a + b + given)) == len(a + b + given):
        return
    if given:
        raise ValueError(f"a, b and given must not share variables; got {a!r}, {b!r}, {given!r}.")
    same = "".join(sorted(set(a) & set(b)))
    hint = (f" I(A;A) is the entropy of A: pidkit.entropy(p, {a!r})." if set(a) == set(b)
            else f" Drop {same!r} from one of them.")
    raise ValueError(f"a and b must not share variables; got {a!r} and {b!r}.{hint}")


@one_positional_joint
def co_information(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    normalize: bool = False,
) -> float:
    """Co-information I(Y;T;S) = I(Y;T) - I(Y;T|S) (negative when synergy dominates).

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        A dit Distribution needs ``target``.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    normalize : bool, default=False
        Rescale the masses to sum 1 (counts, an unnormalised table) instead of rejecting a total
        off 1 by more than 1e-9.

    Examples
    --------
    >>> from pidkit import co_information
    >>> from pidkit import examples
    >>> round(co_information(examples.xor()), 12)
    -1.0
    >>> co_information(examples.rdn())
    1.0
    """
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts",
                                  example_call="pidkit.co_information(d, target=2, sources=[0, 1])")
    p = check_joint(p_yts, normalize=normalize)
    value = cmi_nats(p, "y", "t") + cmi_nats(p, "y", "s") - cmi_nats(p, "y", "ts")
    return from_nats(value, units)
