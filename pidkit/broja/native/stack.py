"""Stacked linear algebra for the Newton systems: sums over the cells, masks, Cholesky factors.

Arrays are laid out y-major with the stack first: ``e[k, y, t, s]``, ``lam[k, y, t]``,
``K[k, t, s]``. Rows of zero mass (masked, :class:`Masks`) carry unit diagonals and zero
right-hand sides, pairs without cells unit weights; ``failed[k]`` marks joints whose matrices
could not be factorised. Sums over an axis of the cells go through BLAS (:func:`sum_s`,
:func:`sum_t`, :func:`sum_y`): for these shapes a matrix-vector product is several times faster
than ``ndarray.sum`` along an inner axis.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields
from typing import Any, cast

import numpy as np
from scipy.linalg.blas import dtrsv
from scipy.linalg.lapack import dpotrf, dtrtri

__all__ = [
    "Masks",
    "Workspace",
    "add_diagonal",
    "all_true",
    "any_true",
    "cholesky_stack",
    "inverse_cholesky",
    "lower_factors",
    "lower_inverse",
    "solve_lower",
    "sum_s",
    "sum_t",
    "sum_y",
]

_RIDGES = (1e-13, 1e-10, 1e-7, 1e-4)
# The LAPACK and BLAS wrappers inside the loop take their options positionally: f2py parses
# keywords at about 0.4 us a call (dtrtri 1.0 -> 0.6 us, two dtrsv 1.8 -> 1.0 us on order 10).
# dpotrf(a, lower, clean, overwrite_a), dtrtri(c, lower, unitdiag, overwrite_c),
# dtrsv(a, x, incx, offx, lower, trans, diag, overwrite_x).
_FEW_MATRICES = 32
_LARGE_ORDER = 32
""":func:`lower_inverse` and :func:`inverse_cholesky` call LAPACK per matrix for at most
_FEW_MATRICES matrices or orders from _LARGE_ORDER (:func:`_per_matrix`; measured: 10 matrices
of order 10, 10.5 against 14.6 us; 100 of order 100, 6.7 against 17 ms), and substitute over the
stack otherwise (640 of order 10: 0.41 against 0.95 ms)."""


def _per_matrix(stack: np.ndarray) -> bool:
    """Whether a stack of square matrices goes to LAPACK one matrix at a time (few matrices or
    large ones) rather than through a computation vectorised over the stack."""
    n = stack.shape[-1]
    return stack.size <= _FEW_MATRICES * n * n or n >= _LARGE_ORDER


@functools.lru_cache(maxsize=64)
def _ones(n: int) -> np.ndarray:
    ones = np.ones(n)
    ones.flags.writeable = False
    return ones


def sum_s(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-1)`` as a matrix-vector product."""
    return a @ _ones(a.shape[-1])


def sum_t(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-2)`` as a vector-matrix product."""
    return _ones(a.shape[-2]) @ a


def sum_y(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=1)`` of a stack ``a[k, y, t, s]``, as one vector-matrix product per joint."""
    n, n_y, n_t, n_s = a.shape
    return (_ones(n_y) @ a.reshape(n, n_y, n_t * n_s)).reshape(n, n_t, n_s)


def any_true(mask: np.ndarray) -> bool:
    """``mask.any()`` for the loop's small masks, without the method's Python wrapper (0.3
    against 1.2 us on a mask of one joint)."""
    return bool(np.count_nonzero(mask))


def all_true(mask: np.ndarray) -> bool:
    """``mask.all()``, as :func:`any_true` counts."""
    return bool(np.count_nonzero(mask) == mask.size)


def add_diagonal(a: np.ndarray, values: np.ndarray | float) -> None:
    """Add ``values`` to the diagonals of a C-contiguous stack of square matrices, in place."""
    n = a.shape[-1]
    a.reshape(*a.shape[:-2], n * n)[..., :: n + 1] += values


@dataclass(frozen=True)
class Masks:
    """Where a stack of joints has mass: ``mt[k, y, t]`` (p(y,t) > 0), ``ms[k, y, s]``,
    ``pairs[k, t, s]`` (some cell), and their counts. ``full`` when every row (hence every pair)
    has mass, ``every_pair`` when every pair has a cell: then no masking is needed for the rows,
    or for the pairs (a joint with an empty row mostly still has a cell in every pair).

    Where rows are masked, what the iterations use at every step is kept too: ``mt_f``,
    ``ms_f`` (the masks as 0/1), ``ms_pin`` (``ms_f`` crossed with itself, [k, y, s, s]),
    ``ms_count`` (the (y,s) rows of each target, at least 1) and ``rows_per_target`` (its (y,t)
    and (y,s) rows, at least 1); ``None`` for a full stack."""

    mt: np.ndarray
    ms: np.ndarray
    pairs: np.ndarray
    n_pairs: np.ndarray
    full: bool
    every_pair: bool
    mt_f: np.ndarray | None = None
    ms_f: np.ndarray | None = None
    ms_pin: np.ndarray | None = None
    ms_count: np.ndarray | None = None
    rows_per_target: np.ndarray | None = None

    @classmethod
    def of(cls, p_yt: np.ndarray, p_ys: np.ndarray) -> Masks:
        mt, ms = p_yt > 0, p_ys > 0
        if all_true(mt) and all_true(ms):
            pairs = np.ones((p_yt.shape[0], p_yt.shape[2], p_ys.shape[2]), dtype=bool)
            return cls(mt, ms, pairs, pairs.sum(axis=(1, 2)), True, True)
        # numpy hints any(axis=1) as a bool or an array: of this 4-D stack it is a 3-D array.
        pairs = cast("np.ndarray", (mt[:, :, :, None] & ms[:, :, None, :]).any(axis=1))
        mt_f, ms_f = mt.astype(float), ms.astype(float)
        ms_count = ms_f.sum(axis=2)
        return cls(mt, ms, pairs, pairs.sum(axis=(1, 2)), False, all_true(pairs), mt_f, ms_f,
                   ms_f[..., :, None] * ms_f[..., None, :], np.maximum(ms_count, 1.0),
                   np.maximum(mt_f.sum(axis=2) + ms_count, 1.0))

    def subset(self, keep: np.ndarray) -> Masks:
        kept: list[Any] = [v if isinstance(v, bool) or v is None else v[keep]  # each field's own type
                           for v in (getattr(self, f.name) for f in fields(self))]
        return Masks(*kept)


class Workspace:
    """Scratch arrays a solve's Newton systems reuse from one iteration to the next.

    A system asks for each of its large arrays by name (:meth:`array`) and gets the front of the
    buffer of that name, reshaped: a new buffer is allocated only when the request outgrows it,
    so a stack that loses joints works in the front of the buffers it had. Without it, the
    allocator hands each iteration's large temporaries fresh pages (measured in
    docs/performance.md, "Issue 13, seventh follow-up"). The contents are scratch: an array must
    be written in full before it is read, and is valid only until the next request of its name.
    """

    def __init__(self) -> None:
        self._buffers: dict[str, np.ndarray] = {}

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A C-contiguous float64 array of ``shape`` in the buffer ``name`` (uninitialised).

        Parameters
        ----------
        name : str
            Which buffer: one per array a system builds.
        shape : tuple of int
            The array's shape.

        Returns
        -------
        numpy.ndarray
            A view of the buffer, overwritten by the next request of ``name``.
        """
        size = math.prod(shape)
        buffer = self._buffers.get(name)
        if buffer is None or buffer.size < size:
            buffer = self._buffers[name] = np.empty(size)
        return buffer[:size].reshape(shape)


def _cholesky_or_ridge(a: np.ndarray) -> np.ndarray | None:
    """Lower Cholesky factor of one SPD matrix; ridge retries (scaled to unit diagonal) when
    rounding makes it indefinite; ``None`` if every retry fails."""
    scale = np.sqrt(np.maximum(np.diagonal(a), np.finfo(float).tiny))
    unit = a / np.outer(scale, scale)
    for ridge in _RIDGES:
        try:
            return np.linalg.cholesky(unit + ridge * np.eye(a.shape[0])) * scale[:, None]
        except np.linalg.LinAlgError:
            continue
    return None


def cholesky_stack(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Lower Cholesky factors of a stack of SPD matrices ``a[..., n, n]``, and which ones failed.

    The stack goes to LAPACK at once; only if that fails is each matrix factorised on its own,
    with ridge retries (a failed one gets an identity factor and is flagged).
    """
    failed = np.zeros(a.shape[:-2], dtype=bool)
    try:
        return np.linalg.cholesky(a), failed
    except np.linalg.LinAlgError:
        flat = a.reshape(-1, *a.shape[-2:])
        factors = np.empty_like(flat)
        for i, block in enumerate(flat):
            factor = _cholesky_or_ridge(block) if np.isfinite(block).all() else None
            if factor is None:
                failed.flat[i] = True
                factor = np.eye(a.shape[-1])
            factors[i] = factor
        return factors.reshape(a.shape), failed


def lower_inverse(factor: np.ndarray) -> np.ndarray:
    """Inverses of a stack of lower-triangular matrices ``factor[..., n, n]``.

    Few or large matrices go to LAPACK's triangular inverse one by one (about twice as fast as a
    general inverse), in place on one C-ordered copy of the stack: each matrix's transpose is the
    Fortran-ordered upper triangle LAPACK inverts without copying (10 matrices of order 10: 14
    against 19 us with a copy in and out per matrix). Many small ones are inverted by forward
    substitution vectorised over the stack (n steps), avoiding LAPACK's per-matrix overhead.
    """
    n = factor.shape[-1]
    if _per_matrix(factor):
        inverse = np.array(factor, dtype=float, order="C")
        for matrix in inverse.reshape(-1, n, n):
            dtrtri(matrix.T, 0, 0, 1)  # upper, overwritten
        return inverse
    inverse = np.zeros_like(factor)
    pivot = 1.0 / np.diagonal(factor, axis1=-2, axis2=-1)
    for i in range(n):
        row = -np.einsum("...j,...jk->...k", factor[..., i, :i], inverse[..., :i, :])
        row[..., i] += 1.0
        inverse[..., i, :] = row * pivot[..., i, None]
    return inverse


def inverse_cholesky(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """L^-1 for each SPD matrix of a stack ``a[k, ..., n, n]`` (L L^T = a, L lower triangular),
    and per joint ``k`` whether any of its matrices failed (as :func:`cholesky_stack` flags them).

    Where :func:`lower_inverse` calls LAPACK per matrix, each matrix is factorised and inverted
    in place, one after the other, on a copy of the stack: one LAPACK factorisation per matrix
    instead of numpy's stacked one costs less inside the solver's loop (ten matrices of order
    10: 40 against 49 us per call there, plus about 3 us for the transposed copy). Each is
    LAPACK's lower factorisation of the matrix in Fortran order, the call
    :func:`numpy.linalg.cholesky` makes: on a numerically singular matrix the upper one (on its
    transpose, in place on an untransposed copy) can pass with pivots of rounding noise where
    this one fails and gets a ridge. If any of them fails, the whole stack goes through
    :func:`cholesky_stack` (ridge retries) and :func:`lower_inverse` instead.
    """
    n = a.shape[-1]
    if _per_matrix(a):
        transposed = a.mT.copy()
        for fortran in transposed.reshape(-1, n, n).mT:
            # Each is a matrix of ``a`` in Fortran order, in the memory of its transpose's copy:
            # LAPACK writes L there (clean=1 zeroes the rest), then L^-1 in place.
            if dpotrf(fortran, 1, 1, 1)[1] != 0:  # lower, clean, overwritten
                break
            dtrtri(fortran, 1, 0, 1)  # lower, overwritten
        else:
            return transposed.mT.copy(), np.zeros(a.shape[0], dtype=bool)
    factor, failed = cholesky_stack(a)
    # numpy hints any(axis=...) as a bool or an array: over all but the first axis it is a 1-D array.
    return lower_inverse(factor), cast("np.ndarray", failed.any(axis=tuple(range(1, failed.ndim))))


def lower_factors(matrices: np.ndarray, failed: np.ndarray) -> list[np.ndarray]:
    """Per matrix of a C-ordered stack, its lower Cholesky factor L (L L^T = the matrix) as LAPACK
    returns it, Fortran-ordered (ridge retries on failure; ``failed`` is updated in place).
    ``matrices`` is overwritten: each matrix's transpose is the Fortran-ordered array LAPACK
    factorises in place (no copy of the matrix per factorisation). LAPACK reads and writes only
    that array's lower triangle (the matrix's upper triangle and diagonal), so a retry rebuilds
    the (symmetric) matrix from its strict lower triangle and the diagonal kept aside. The lower
    factorisation, not the upper: OpenBLAS's upper one measured 1.4-2 times slower at order 100
    (the 10x10x10 pair matrix: 20 against 29-43 us) and 1.2 times at orders 300 and 1000. On one
    thread, whatever the size: OpenBLAS's threaded factorisation measured several times slower
    than one thread on a busy machine."""
    factors = []
    diagonals = matrices.diagonal(0, -2, -1).copy()
    for i, matrix in enumerate(matrices):
        lower, info = dpotrf(matrix.T, 1, 0, 1)  # lower, not cleaned, overwritten
        if info != 0 and not failed[i]:
            original = np.tril(matrix, -1)
            original += original.T
            add_diagonal(original, diagonals[i])
            ridged = _cholesky_or_ridge(original) if np.isfinite(original).all() else None
            if ridged is None:
                failed[i] = True
            else:
                lower = np.asfortranarray(ridged)
        factors.append(lower)
    return factors


def solve_lower(factors: list[np.ndarray], rhs: np.ndarray) -> np.ndarray:
    """Solve (L L^T) x = rhs[k, n] with each joint's lower factor (:func:`lower_factors`):
    L y = rhs, then L^T x = y, by BLAS's triangular solves (what LAPACK's dpotrs does; on one
    thread these measured faster: order 100 5.2 against 6.7 us, 300 24 against 52 us, 1400 0.36
    against 1.04 ms)."""
    if len(factors) == 1:
        return _solve_one(factors[0], rhs[0])[None]
    out = np.empty_like(rhs)
    for i, lower in enumerate(factors):
        out[i] = _solve_one(lower, rhs[i])
    return out


def _solve_one(lower: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    return dtrsv(lower, dtrsv(lower, rhs, 1, 0, 1, 0), 1, 0, 1, 1, 0, 1)  # L y = rhs, then L^T x = y in place
