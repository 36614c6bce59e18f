"""Gaussian systems whose decomposition is known exactly, for tests, benchmarks and examples.

Each builder returns a :class:`GaussianExample`: the covariance of [Y, T, S], its block sizes and the
exact atoms. The atoms come from the construction (a theorem) and from mutual informations taken
as log-determinants of the covariance blocks (``numpy.linalg.slogdet``), independently of how
:func:`pidkit.gaussian_pid` computes anything:

- :func:`scalar_target`: a scalar Y; the decomposition is MMI (Barrett 2015):
  ``Red = min(I(Y;T), I(Y;S))``.
- :func:`degraded`: ``Y -> T -> S`` (S a noisy linear function of T): ``Uni_S = Syn = 0`` and
  ``Red = I(Y;S)``.
- :func:`tied`: T and S invertible maps of two copies of one channel (independent noises):
  ``Uni_T = Uni_S = 0``, ``Red = I(Y;T) = I(Y;S)``.
- :func:`direct_sum`: independent systems stacked and mixed by random invertible maps within Y, T
  and S: the atoms add up (the union information is additive over independent systems, and
  invariant under invertible maps of each variable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._settings import check_generator, check_int

__all__ = [
    "ATOMS", "GaussianExample", "Seed", "degraded", "direct_sum", "informations_bits",
    "mutual_information_bits", "random_invertible", "random_positive_definite", "scalar_target",
    "swap_sources", "tied",
]

ATOMS = ("red", "uni_t", "uni_s", "syn")

Seed = int | np.random.Generator | np.random.RandomState | None
"""What ``rng`` takes: a Generator or RandomState (advanced), an int seed, or None (a fresh one)."""


@dataclass(frozen=True)
class GaussianExample:
    """A covariance of [Y, T, S] with its exact decomposition.

    Attributes
    ----------
    cov : numpy.ndarray of shape (d_y + d_t + d_s, d_y + d_t + d_s)
    dims : tuple of int
        ``(d_y, d_t, d_s)``.
    atoms : dict
        ``red``, ``uni_t``, ``uni_s``, ``syn`` in bits.
    """

    cov: np.ndarray
    dims: tuple[int, int, int]
    atoms: dict[str, float]


def random_positive_definite(rng: np.random.Generator, d: int, condition: float = 10.0) -> np.ndarray:
    """A random positive definite matrix with eigenvalues spread log-uniformly over ``condition``."""
    q, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (q * np.geomspace(1.0, 1.0 / condition, d)) @ q.T


def random_invertible(rng: np.random.Generator, d: int) -> np.ndarray:
    """A random square map with singular values in [0.3, 3]."""
    q1, _ = np.linalg.qr(rng.standard_normal((d, d)))
    q2, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (q1 * rng.uniform(0.3, 3.0, d)) @ q2


def mutual_information_bits(
    cov: np.ndarray, a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray
) -> float:
    """I(A;B) of a Gaussian with covariance ``cov``, A and B given as index lists or arrays."""
    a_index, b_index = np.asarray(a), np.asarray(b)  # as np.ix_ reads them
    both = np.concatenate([a_index, b_index])
    logdets = [np.linalg.slogdet(cov[np.ix_(i, i)]) for i in (a_index, b_index, both)]
    if any(sign <= 0 for sign, _ in logdets):
        raise ValueError("a block of cov is singular; these examples need positive definite blocks")
    return float(0.5 * (logdets[0][1] + logdets[1][1] - logdets[2][1]) / np.log(2.0))


def informations_bits(cov: np.ndarray, dims: tuple[int, int, int]) -> tuple[float, float, float]:
    """I(Y;T), I(Y;S) and I(Y;T,S) in bits."""
    d_y, d_t, d_s = dims
    y, t = np.arange(d_y), np.arange(d_y, d_y + d_t)
    s = np.arange(d_y + d_t, d_y + d_t + d_s)
    ts = np.concatenate([t, s])
    return (
        mutual_information_bits(cov, y, t),
        mutual_information_bits(cov, y, s),
        mutual_information_bits(cov, y, ts),
    )


def _from_union(cov: np.ndarray, dims: tuple[int, int, int], union_bits: float) -> GaussianExample:
    i_t, i_s, i_ts = informations_bits(cov, dims)
    atoms = {"red": i_t + i_s - union_bits, "uni_t": union_bits - i_s, "uni_s": union_bits - i_t}
    atoms["syn"] = i_ts - union_bits
    return GaussianExample(cov, dims, atoms)


_BLOCKS = {"d_y": "the target Y", "d_t": "the teacher T", "d_s": "the student S"}


def _check_dimension(value: Any, name: str) -> int:
    """``value`` as the dimension ``name`` (``"d_t"``), an int >= 1; a bool is told what it counts."""
    return check_int(value, name, minimum=1, meaning=f"the dimension of {_BLOCKS[name]}, e.g. {name}=3")


def scalar_target(d_t: int, d_s: int, *, rng: Seed) -> GaussianExample:
    """Scalar Y, sources ``a Y + noise`` with noises correlated within and across T and S.

    Examples
    --------
    >>> ex = scalar_target(3, 2, rng=np.random.default_rng(0))
    >>> ex.dims, min(ex.atoms["uni_t"], ex.atoms["uni_s"]) == 0.0
    ((1, 3, 2), True)
    """
    d_t, d_s = (_check_dimension(d, name) for d, name in ((d_t, "d_t"), (d_s, "d_s")))
    rng = check_generator(rng, "rng")
    d = d_t + d_s
    loadings = rng.standard_normal((d, 1)) * rng.uniform(0.2, 2.0)
    var_y = rng.uniform(0.5, 2.0)
    cov = np.zeros((1 + d, 1 + d))
    cov[0, 0] = var_y
    cov[1:, :1] = loadings * var_y
    cov[:1, 1:] = cov[1:, :1].T
    cov[1:, 1:] = var_y * loadings @ loadings.T + random_positive_definite(rng, d, condition=20.0)
    dims = (1, d_t, d_s)
    i_t, i_s, _ = informations_bits(cov, dims)
    return _from_union(cov, dims, max(i_t, i_s))


def degraded(
    d_y: int, d_t: int, d_s: int, *, rng: Seed, swap: bool = False
) -> GaussianExample:
    """``T = A Y + noise``, ``S = B T + independent noise`` (with ``swap``, T and S exchanged).

    Examples
    --------
    >>> ex = degraded(2, 3, 2, rng=np.random.default_rng(0))
    >>> ex.atoms["uni_s"], ex.atoms["syn"]
    (0.0, 0.0)
    """
    d_y, d_t, d_s = (_check_dimension(d, name) for d, name in ((d_y, "d_y"), (d_t, "d_t"), (d_s, "d_s")))
    rng = check_generator(rng, "rng")
    k = random_positive_definite(rng, d_y, condition=5.0)
    a = rng.standard_normal((d_t, d_y)) * 0.8
    b = rng.standard_normal((d_s, d_t)) / np.sqrt(d_t)
    c_tt = a @ k @ a.T + random_positive_definite(rng, d_t, condition=5.0)
    c_ss = b @ c_tt @ b.T + random_positive_definite(rng, d_s, condition=5.0)
    cov = np.block(
        [
            [k, k @ a.T, k @ a.T @ b.T],
            [a @ k, c_tt, c_tt @ b.T],
            [b @ a @ k, b @ c_tt, c_ss],
        ]
    )
    dims = (d_y, d_t, d_s)
    i_t, i_s, _ = informations_bits(cov, dims)
    atoms = {"red": i_s, "uni_t": i_t - i_s, "uni_s": 0.0, "syn": 0.0}
    if swap:
        cov, dims = swap_sources(cov, dims)
        atoms = {"red": i_s, "uni_t": 0.0, "uni_s": i_t - i_s, "syn": 0.0}
    return GaussianExample(cov, dims, atoms)


def tied(d_y: int, d_t: int, *, rng: Seed) -> GaussianExample:
    """``T = M_t (A Y + n_t)`` and ``S = M_s (A Y + n'_s)``: one channel twice, with independent
    noises of one covariance and invertible maps ``M_t``, ``M_s`` (``d_s = d_t``), so the sources
    are equally informative in every direction (each is a garbling of the other): ``Uni_T = Uni_S
    = 0``, ``Red = I(Y;T) = I(Y;S)`` and ``Syn = I(Y;T,S) - I(Y;T)``.

    Examples
    --------
    >>> ex = tied(1, 3, rng=np.random.default_rng(0))
    >>> ex.dims, ex.atoms["uni_t"], ex.atoms["uni_s"], ex.atoms["syn"] > 0
    ((1, 3, 3), 0.0, 0.0, True)
    """
    d_y, d = (_check_dimension(value, name) for value, name in ((d_y, "d_y"), (d_t, "d_t")))
    rng = check_generator(rng, "rng")
    k = random_positive_definite(rng, d_y, condition=5.0)
    a = rng.standard_normal((d, d_y)) * 0.6
    noise = random_positive_definite(rng, d, condition=5.0)
    m_t, m_s = random_invertible(rng, d), random_invertible(rng, d)
    signal = a @ k @ a.T
    cov = np.block(
        [
            [k, k @ a.T @ m_t.T, k @ a.T @ m_s.T],
            [m_t @ a @ k, m_t @ (signal + noise) @ m_t.T, m_t @ signal @ m_s.T],
            [m_s @ a @ k, m_s @ signal @ m_t.T, m_s @ (signal + noise) @ m_s.T],
        ]
    )
    dims = (d_y, d, d)
    i_t, _, i_ts = informations_bits(cov, dims)
    atoms = {"red": i_t, "uni_t": 0.0, "uni_s": 0.0, "syn": i_ts - i_t}
    return GaussianExample((cov + cov.T) / 2, dims, atoms)


def swap_sources(cov: np.ndarray, dims: tuple[int, int, int]) -> tuple[np.ndarray, tuple[int, int, int]]:
    """The covariance of [Y, S, T] and its block sizes."""
    d_y, d_t, d_s = dims
    order = np.r_[0:d_y, d_y + d_t : d_y + d_t + d_s, d_y : d_y + d_t]
    return cov[np.ix_(order, order)], (d_y, d_s, d_t)


def direct_sum(parts: Sequence[GaussianExample], *, rng: Seed) -> GaussianExample:
    """Independent systems stacked into one [Y, T, S] and mixed by random invertible maps of each.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> ex = direct_sum([degraded(1, 2, 2, rng=rng), degraded(1, 2, 2, rng=rng, swap=True)], rng=rng)
    >>> ex.dims, ex.atoms["uni_t"] > 0, ex.atoms["uni_s"] > 0
    ((2, 4, 4), True, True)
    """
    if not parts:
        raise ValueError("parts must hold at least one system (a GaussianExample of scalar_target, "
                         "degraded, tied or direct_sum); got none.")
    rng = check_generator(rng, "rng")
    sizes = np.sum([part.dims for part in parts], axis=0)
    total = sum(sum(part.dims) for part in parts)
    stacked = np.zeros((total, total))
    index: list[list[np.ndarray]] = [[], [], []]  # per variable, each part's indices in the stack
    offset = 0
    for part in parts:
        n = sum(part.dims)
        stacked[offset : offset + n, offset : offset + n] = part.cov
        starts = offset + np.cumsum((0, *part.dims[:2]))
        for v in range(3):
            index[v].append(np.arange(starts[v], starts[v] + part.dims[v]))
        offset += n
    order = np.concatenate([i for v in range(3) for i in index[v]])
    mix = np.zeros((total, total))
    start = 0
    for n in sizes:
        mix[start : start + n, start : start + n] = random_invertible(rng, int(n))
        start += n
    atoms = {a: float(sum(part.atoms[a] for part in parts)) for a in ATOMS}
    cov = mix @ stacked[np.ix_(order, order)] @ mix.T
    return GaussianExample((cov + cov.T) / 2, (int(sizes[0]), int(sizes[1]), int(sizes[2])), atoms)
