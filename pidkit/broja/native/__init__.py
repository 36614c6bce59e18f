"""pidkit's own solver for the BROJA program: one interior-point loop over stacks of joints.

:func:`solve` takes joints of any shapes (each of mass 1, every symbol with mass, at least two
symbols per axis: the parts :mod:`pidkit.broja.reduction` leaves), orients each so that
|S| <= |T| (the program is symmetric in T and S), stacks the joints of one shape in chunks and runs
:func:`pidkit.broja.native.ipm.interior_point` with the Newton system
:func:`pidkit.broja.native.choice.choose_system` picks for the shape. No cvxpy in the hot path.

BLAS runs on one thread (``pidkit._blas.blas_threads``): the systems are small or memory-bound,
and on a shared or oversubscribed machine (or inside worker processes) threaded BLAS is many
times slower. The one exception is the multiplier system's Schur product once it exceeds 5e9
flops (3x1000x1000), which runs on every core.
"""

from __future__ import annotations

import numpy as np

from ..._blas import blas_threads
from ..program import Solution
from .choice import SystemChoice, choose_system, estimates
from .ipm import interior_point

__all__ = ["MAX_ITER", "SOLVER_NAME", "SystemChoice", "choose_system", "estimates", "plan", "solve"]

MAX_ITER = 200
"""Interior-point iterations allowed per joint. Everyday joints take 4-30; joints whose masses
spread over hundreds of orders of magnitude can take 100-200, and with 200 the native solver
leaves 4 of 12,000 of those uncertified instead of 10 (3 declined after the cvxpy fallback,
instead of 9)."""
SOLVER_NAME = "pidkit-native"
"""The ``solver`` every native :class:`~pidkit.broja.program.Solution` names."""
_CHUNK_BYTES = 2**21
"""Joints per chunk are chosen so that the chunk's largest intermediate takes about this many
bytes (2 MiB: small chunks keep the intermediates in cache, which measured faster than larger
ones)."""


def _oriented(shape: tuple[int, ...]) -> tuple[int, int, int]:
    n_y, n_t, n_s = shape
    return (n_y, n_t, n_s) if n_s <= n_t else (n_y, n_s, n_t)


def plan(shape: tuple[int, ...], *, memory_bytes: float | None = None) -> SystemChoice:
    """The Newton system :func:`solve` would use for a joint of ``shape``, with its estimates.

    Raises
    ------
    MemoryError
        If no system fits in ``memory_bytes`` (the message gives the estimate).
    """
    return choose_system(_oriented(shape), memory_bytes=memory_bytes)


def solve(
    ps: list[np.ndarray], *, tol_nats: float, max_iter: int | None = None
) -> list[Solution]:
    """Solve joints ``p[y, t, s]`` (mass 1, no empty symbol, >= 2 symbols per axis) together.

    Parameters
    ----------
    ps : list of numpy.ndarray
        The joints; shapes may differ. Joints of one shape are solved as a stack.
    tol_nats : float
        Certified optimality gap to reach, in nats.
    max_iter : int, optional
        Interior-point iterations allowed per joint (default :data:`MAX_ITER`).

    Returns
    -------
    list of pidkit.broja.program.Solution
        One per joint, in order (``q``, ``lam``, ``mu`` in the joint's own orientation);
        ``certified`` says whether it reached ``tol_nats``.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.zeros((2, 2, 2))
    >>> for t in (0, 1):
    ...     for s in (0, 1):
    ...         p[t & s, t, s] = 0.25
    >>> sol = solve([p], tol_nats=1e-9)[0]
    >>> sol.certified, round(float(-sol.value / np.log(2)), 6)  # AND: H(Y|T,S) = 0.5 bit
    (True, 0.5)
    """
    max_iter = MAX_ITER if max_iter is None else max_iter
    groups: dict[tuple[int, int, int], list[int]] = {}
    for index, p in enumerate(ps):
        groups.setdefault(_oriented(p.shape), []).append(index)
    out: list[Solution | None] = [None] * len(ps)
    with blas_threads(1):
        for shape, members in groups.items():
            choice = choose_system(shape)
            size = max(1, int(_CHUNK_BYTES // max(choice.largest, 1.0)))
            for start in range(0, len(members), size):
                chunk = members[start : start + size]
                swapped = [ps[i].shape != shape for i in chunk]
                stack = np.stack([ps[i].transpose(0, 2, 1) if ps[i].shape != shape else ps[i] for i in chunk])
                outcome = interior_point(stack, system=choice.system, tol_nats=tol_nats, max_iter=max_iter)
                cert = outcome.certificate
                for row, (index, swap) in enumerate(zip(chunk, swapped, strict=True)):
                    q, lam, mu = cert.q[row], cert.lam[row], cert.mu[row]
                    if swap:
                        q, lam, mu = q.transpose(0, 2, 1), mu, lam
                    out[index] = Solution(
                        q=q, lam=lam, mu=mu, value=float(cert.value[row]), bound=float(cert.bound[row]),
                        gap=float(cert.gap[row]), residual=float(cert.residual[row]),
                        certified=bool(cert.certified[row]), nit=int(outcome.nit[row]),
                        message=outcome.messages[row], method="native",
                        solver=SOLVER_NAME,
                    )
    return out  # type: ignore[return-value]
