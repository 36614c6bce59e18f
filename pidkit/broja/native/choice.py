"""Which Newton system of the interior point to use for a shape, by its cost and memory.

One interior-point iteration (see :mod:`pidkit.broja.native.ipm`) solves, for the multipliers
x = (d_lam, d_mu), the pair multipliers d_K and the slacks d_g,

    H x + B d_K = r,      B^T x + d_g = r_g,      g d_K + K d_g = target,

where H is block-diagonal over y (H_y = [[R, Q], [Q^T, C]], R = diag q(y,t,.), C = diag q(y,.,s),
Q = q(y,.,.): the Hessian of the matrix-scaling problem of each target symbol,
:mod:`pidkit.broja.native.hessian`) and B maps a pair (t,s) to the rows (y,t) and (y,s) of its
cells with weights e = exp(lam + mu). Three reductions, chosen by :func:`choose_system` from the
shape's cost and memory (:func:`estimates`):

- :class:`~pidkit.broja.native.pair_systems.DensePairSystem` eliminates x and factorises the
  (t,s)-pair matrix B^T H^+ B + diag(g / K) densely: the robust form, for small |T||S|.
- :class:`~pidkit.broja.native.normal_system.NormalSystem` eliminates the pairs and factorises
  H + B diag(K / g) B^T over the multipliers: for |Y| small next to |T| and |S|.
- :class:`~pidkit.broja.native.pair_systems.MatrixFreePairSystem` solves the pair system by
  preconditioned conjugate gradients: memory a few copies of the joint.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from .normal_system import NormalSystem
from .pair_systems import DensePairSystem, MatrixFreePairSystem

__all__ = ["SystemChoice", "choose_system", "estimates"]

_DENSE_FLOPS_PER_SECOND = 2e10
"""Rough single-thread rate of the dense factorisations (BLAS-3), for choosing a system."""
_MATRIX_FREE_CELL_SECONDS = 1.7e-7
"""Rough seconds per cell and interior-point iteration of the matrix-free system, per unit of
sqrt(|T||S| / |Y|): conjugate gradients need more products the more pairs share each target
symbol (measured: 30x30x30, 10x100x100, 100x100x100)."""
_DENSE_ALWAYS_SECONDS = 6e8 / _DENSE_FLOPS_PER_SECOND
"""Below this estimate per iteration a dense system is used whatever the matrix-free estimate."""
_PAIR_ALWAYS_SECONDS = 5e7 / _DENSE_FLOPS_PER_SECOND
"""Below this estimate per iteration the dense pair form is used whatever the multiplier form costs."""
_PAIR_PREFERENCE = 3.0
"""The dense pair form is chosen over the multiplier form unless it costs this many times more."""


@dataclass(frozen=True)
class SystemChoice:
    """A Newton system for a shape, with its cost estimates: seconds per iteration, peak bytes,
    and the bytes of its largest single array (what stacks are chunked by)."""

    system: type
    seconds_per_iteration: float
    bytes: float
    largest: float = 0.0

    @property
    def name(self) -> str:
        return self.system.__name__


def estimates(shape: tuple[int, int, int], n_joints: int = 1) -> list[SystemChoice]:
    """Per Newton system, rough seconds per iteration and peak bytes for ``n_joints`` joints of
    ``shape`` (|S| <= |T|), from flop and array-size counts."""
    n_y, n_t, n_s = shape
    cells = n_y * n_t * n_s
    pairs = n_t * n_s
    base = 16 * cells  # e, q, the residual and direction arrays: about this many doubles
    hessian = n_y * (n_s * n_s + 2 * n_s * n_t)
    pair_flops = pairs**2 * n_y * n_s + pairs**3 / 3
    normal_flops = n_t * n_y * (n_y * n_s) ** 2 + (n_y * n_s) ** 3 / 3
    matrix_free = (cells * _MATRIX_FREE_CELL_SECONDS * np.sqrt(pairs / n_y)
                   + n_t * n_s * n_s * n_y / _DENSE_FLOPS_PER_SECOND)
    out = [
        SystemChoice(DensePairSystem, pair_flops / _DENSE_FLOPS_PER_SECOND,
                     8.0 * (base + hessian + 2 * n_y * n_s * pairs + 2 * pairs**2),
                     8.0 * max(cells, n_y * n_s * pairs, pairs**2)),
        SystemChoice(NormalSystem, normal_flops / _DENSE_FLOPS_PER_SECOND,
                     8.0 * (base + 2 * n_t * n_y * n_y * n_s + 2 * (n_y * n_s) ** 2),
                     8.0 * max(cells, n_t * n_y * n_y * n_s, (n_y * n_s) ** 2)),
        SystemChoice(MatrixFreePairSystem, matrix_free,
                     8.0 * (base + 2 * hessian + 3 * cells + 3 * n_t * n_s * n_s),
                     8.0 * max(cells, n_t * n_s * n_s)),
    ]
    return [
        SystemChoice(c.system, c.seconds_per_iteration * n_joints, c.bytes * n_joints,
                     c.largest * n_joints)
        for c in out
    ]


@functools.lru_cache(maxsize=256)
def choose_system(shape: tuple[int, int, int], *, memory_bytes: float | None = None) -> SystemChoice:
    """The Newton system for joints of ``shape`` (|S| <= |T|): the fastest estimate among those
    that fit in ``memory_bytes``; a dense form while its factorisation is cheap, the pair form
    at equal cost (it is the more robust).

    Raises
    ------
    MemoryError
        If no system fits, with the smallest estimate in the message.
    """
    options = estimates(shape)
    if memory_bytes is not None:
        fitting = [c for c in options if c.bytes <= memory_bytes]
        if not fitting:
            least = min(options, key=lambda c: c.bytes)
            raise MemoryError(
                f"the native solver needs about {least.bytes / 2**30:,.1f} GiB for a "
                f"{'x'.join(map(str, shape))} joint (its smallest Newton system, "
                f"{least.name}), more than the {memory_bytes / 2**30:,.1f} GiB available"
            )
        options = fitting
    by_system = {c.system: c for c in options}
    pair, normal = by_system.get(DensePairSystem), by_system.get(NormalSystem)
    if (
        pair is not None
        and normal is not None
        and pair.seconds_per_iteration > _PAIR_ALWAYS_SECONDS
        and pair.seconds_per_iteration > _PAIR_PREFERENCE * normal.seconds_per_iteration
    ):
        del by_system[DensePairSystem]
    dense = [c for s, c in by_system.items() if s is not MatrixFreePairSystem]
    if dense and min(c.seconds_per_iteration for c in dense) <= _DENSE_ALWAYS_SECONDS:
        return min(dense, key=lambda c: c.system is not DensePairSystem)
    return min(by_system.values(), key=lambda c: c.seconds_per_iteration)
