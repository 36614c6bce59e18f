"""What the theorem checks share: the tolerance, information in bits, and the joints to check."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import numpy as np
from numpy.typing import ArrayLike

from .._settings import check_generator, check_seed
from .._units import from_nats
from .._validate import check_joint
from ..measures import cmi_nats, entropy_nats
from ..samples import check_not_one_dit_distribution

__all__ = [
    "DEFAULT_TOL_BITS",
    "cmi_bits",
    "entropy_bits",
    "joints_to_check",
    "random_joints",
]

DEFAULT_TOL_BITS = 1e-7
"""Slack, in bits, allowed before a comparison counts as violated (solver accuracy is ~1e-9)."""


def entropy_bits(p: ArrayLike) -> float:
    """Shannon entropy of the pmf ``p`` (any shape, every cell one outcome), in bits."""
    return from_nats(entropy_nats(np.asarray(p, dtype=float)), "bits")


def cmi_bits(p: np.ndarray, a: str, b: str, given: str = "") -> float:
    """I(A;B|given) of the joint ``p[y, t, s]`` in bits; variables named by ``"y"``, ``"t"``, ``"s"``."""
    return from_nats(cmi_nats(p, a, b, given), "bits")


def random_joints(
    n: int, sizes: Sequence[int] | Sequence[Sequence[int]], sparsity: float, random_state: Any
) -> list[np.ndarray]:
    """``n`` random joints p[y, t, s]: Dirichlet(1) cells, a fraction ``sparsity`` of them zeroed.

    Shapes cycle through ``sizes`` (one ``(n_y, n_t, n_s)`` triple or a sequence of them); a joint
    whose every cell was zeroed gets all its mass on one random cell. ``ValueError`` names the
    argument when ``n``, ``sizes`` or ``sparsity`` is out of range.

    Examples
    --------
    >>> [p.shape for p in random_joints(3, [(2, 3, 3), (2, 2, 2)], 0.2, random_state=0)]
    [(2, 3, 3), (2, 2, 2), (2, 3, 3)]
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer number of joints; got {n!r}.")
    if not (isinstance(sparsity, (int, float)) and 0 <= sparsity < 1):
        raise ValueError(f"sparsity must be a fraction of zero cells in [0, 1); got {sparsity!r}.")
    nested = [sizes] if np.ndim(sizes) == 1 else sizes  # one triple, or a sequence of them
    shapes = [tuple(cast("Sequence[int]", shape)) for shape in nested]  # np.ndim: flat; checked below
    for shape in shapes:
        if len(shape) != 3 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in shape):
            raise ValueError(
                f"sizes must be (n_y, n_t, n_s) or a list of such triples of positive integers; "
                f"got {sizes!r}."
            )
    rng = check_generator(random_state)
    out = []
    for i in range(n):
        shape = shapes[i % len(shapes)]
        p = rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
        p[rng.random(shape) < sparsity] = 0.0
        if p.sum() == 0:
            p[tuple(rng.integers(0, v) for v in shape)] = 1.0
        out.append(p / p.sum())
    return out


def joints_to_check(
    joints: Iterable[ArrayLike] | None,
    n: int,
    sizes: Sequence[int] | Sequence[Sequence[int]],
    sparsity: float,
    random_state: Any,
) -> list[np.ndarray]:
    """The joints a check runs on: ``joints`` validated, or else ``n`` from :func:`random_joints`.

    ``n``, ``sizes``, ``sparsity`` and ``random_state`` are used only when ``joints`` is None.
    ``ValueError`` names the offending joint (``joints[i]``), or says that ``joints`` held none.

    Examples
    --------
    >>> [p.shape for p in joints_to_check([np.full((2, 3, 2), 1 / 12)], 4, (2, 2, 2), 0.0, 0)]
    [(2, 3, 2)]
    >>> len(joints_to_check(None, 4, (2, 2, 2), 0.0, random_state=0))
    4
    """
    if joints is None:
        return random_joints(n, sizes, sparsity, random_state)
    check_not_one_dit_distribution(joints, "joints")
    ps = [check_joint(p, name=f"joints[{i}]") for i, p in enumerate(joints)]
    if not ps:
        raise ValueError("joints must hold at least one joint p[y, t, s]; got none.")
    return ps


def recorded_seed(random_state: Any) -> Any:
    """``random_state`` as a check uses and records it: ``None`` becomes a seed drawn now (an int,
    which the report's ``details["random_state"]`` keeps, so that a violation found on random
    joints can be drawn again); anything else comes back as it is.

    Examples
    --------
    >>> recorded_seed(7), isinstance(recorded_seed(None), int)
    (7, True)
    """
    return check_seed(None) if random_state is None else random_state


def seed_record(random_state: Any) -> int | None:
    """What ``details["random_state"]`` holds: the int seed, or None for a Generator or RandomState
    (whose state a check advances and does not record).

    Examples
    --------
    >>> seed_record(7), seed_record(np.random.default_rng(0))
    (7, None)
    """
    return int(random_state) if isinstance(random_state, (int, np.integer)) else None
