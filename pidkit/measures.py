"""Shannon measures of a joint pmf ``p[y, t, s]``: entropy, mutual information and relatives.

Variables are named by the letters ``"y"`` (target), ``"t"`` (teacher) and ``"s"`` (student); a
string such as ``"ts"`` names the pair (T, S). Everything is in bits unless ``units="nats"``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import entr

from ._units import from_nats
from ._validate import check_joint, check_pmf

_AXES = {"y": 0, "t": 1, "s": 2}

__all__ = [
    "co_information",
    "conditional_mutual_information",
    "entropy",
    "marginal",
    "mutual_information",
]


def _check_variables(variables: str, argname: str) -> str:
    if not isinstance(variables, str) or not variables:
        raise TypeError(
            f"{argname} must be a non-empty string over 'y', 't', 's' (e.g. 'ts'); "
            f"got {variables!r}."
        )
    bad = sorted(set(variables) - set(_AXES))
    if bad or len(set(variables)) != len(variables):
        raise ValueError(
            f"{argname} must name distinct variables among 'y', 't', 's'; got {variables!r}."
        )
    return variables


def _marginal(p: np.ndarray, variables: str) -> np.ndarray:
    """Marginal of a validated joint on ``variables``, axes in the order given."""
    keep = [_AXES[v] for v in variables]
    dropped = tuple(ax for ax in range(3) if ax not in keep)
    reduced = p.sum(axis=dropped) if dropped else p
    order = np.argsort(np.argsort(keep))
    return np.transpose(reduced, order)


def _entropy_nats(p: np.ndarray) -> float:
    """Entropy in nats of the masses in ``p`` (any shape, assumed valid)."""
    return float(entr(p).sum())


def _joint_entropy_nats(p: np.ndarray, variables: str) -> float:
    return _entropy_nats(_marginal(p, variables)) if variables else 0.0


def _cmi_nats(p: np.ndarray, a: str, b: str, given: str = "") -> float:
    """I(A;B|C) in nats of a validated joint, by the entropy identity (clipped at 0)."""
    value = (
        _joint_entropy_nats(p, a + given)
        + _joint_entropy_nats(p, b + given)
        - _joint_entropy_nats(p, a + b + given)
        - _joint_entropy_nats(p, given)
    )
    return max(value, 0.0)


class _Informations(NamedTuple):
    """H(Y), I(Y;T), I(Y;S) and I(Y;T,S) of one joint, in nats."""

    h_y: float
    i_yt: float
    i_ys: float
    i_yts: float


def _informations_nats(p: np.ndarray) -> _Informations:
    """The informations every decomposition needs, from seven entropies (each marginal summed once)."""
    p_yt, p_ys, p_ts = p.sum(axis=2), p.sum(axis=1), p.sum(axis=0)
    h_y = _entropy_nats(p_yt.sum(axis=1))
    h_t, h_s = _entropy_nats(p_yt.sum(axis=0)), _entropy_nats(p_ys.sum(axis=0))
    h_ts = _entropy_nats(p_ts)
    return _Informations(
        h_y=h_y,
        i_yt=max(h_y + h_t - _entropy_nats(p_yt), 0.0),
        i_ys=max(h_y + h_s - _entropy_nats(p_ys), 0.0),
        i_yts=max(h_y + h_ts - _entropy_nats(p), 0.0),
    )


def marginal(p_yts: ArrayLike, variables: str) -> np.ndarray:
    """Marginal distribution of a joint ``p[y, t, s]`` on the named variables.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
        Joint pmf of target, teacher and student.
    variables : str
        Letters among ``"y"``, ``"t"``, ``"s"``; the output's axes follow their order.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> from pidkit import examples
    >>> marginal(examples.and_(), "y")
    array([0.75, 0.25])
    """
    return _marginal(check_joint(p_yts), _check_variables(variables, "variables"))


def entropy(p: ArrayLike, variables: str | None = None, *, units: str = "bits") -> float:
    """Shannon entropy.

    Parameters
    ----------
    p : array_like
        With ``variables=None``: a pmf of any shape, and the entropy of all its cells. Otherwise a
        joint ``p[y, t, s]`` and the entropy of its marginal on ``variables``.
    variables : str, optional
        Letters among ``"y"``, ``"t"``, ``"s"``.
    units : {"bits", "nats"}, default="bits"

    Returns
    -------
    float

    Examples
    --------
    >>> entropy([0.5, 0.5])
    1.0
    >>> from pidkit import examples
    >>> entropy(examples.xor(), "ts")
    2.0
    """
    if variables is None:
        return from_nats(_entropy_nats(check_pmf(p)), units)
    joint = check_joint(p, name="p")
    return from_nats(_joint_entropy_nats(joint, _check_variables(variables, "variables")), units)


def mutual_information(p_yts: ArrayLike, a: str, b: str, *, units: str = "bits") -> float:
    """Mutual information I(A;B) between two groups of variables of ``p[y, t, s]``.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
    a, b : str
        Disjoint groups of letters among ``"y"``, ``"t"``, ``"s"``; ``("y", "ts")`` is I(Y;T,S).
    units : {"bits", "nats"}, default="bits"

    Examples
    --------
    >>> from pidkit import examples
    >>> mutual_information(examples.xor(), "y", "ts")
    1.0
    >>> mutual_information(examples.xor(), "y", "t")
    0.0
    """
    return conditional_mutual_information(p_yts, a, b, "", units=units)


def conditional_mutual_information(
    p_yts: ArrayLike, a: str, b: str, given: str, *, units: str = "bits"
) -> float:
    """Conditional mutual information I(A;B|C) of ``p[y, t, s]``.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s)
    a, b, given : str
        Disjoint groups of letters among ``"y"``, ``"t"``, ``"s"``; ``given`` may be ``""``.
    units : {"bits", "nats"}, default="bits"

    Examples
    --------
    >>> from pidkit import examples
    >>> conditional_mutual_information(examples.xor(), "y", "t", "s")
    1.0
    """
    _check_variables(a, "a")
    _check_variables(b, "b")
    if given:
        _check_variables(given, "given")
    if len(set(a + b + given)) != len(a + b + given):
        raise ValueError(f"a, b and given must not share variables; got {a!r}, {b!r}, {given!r}.")
    return from_nats(_cmi_nats(check_joint(p_yts), a, b, given), units)


def co_information(p_yts: ArrayLike, *, units: str = "bits") -> float:
    """Co-information I(Y;T;S) = I(Y;T) - I(Y;T|S) (negative when synergy dominates).

    Examples
    --------
    >>> from pidkit import examples
    >>> co_information(examples.xor())
    -1.0
    >>> co_information(examples.rdn())
    1.0
    """
    p = check_joint(p_yts)
    value = _cmi_nats(p, "y", "t") + _cmi_nats(p, "y", "s") - _cmi_nats(p, "y", "ts")
    return from_nats(value, units)
