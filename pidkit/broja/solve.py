"""``bertschinger``: the BROJA decomposition of a joint, and the pipeline every path shares.

A validated joint is reduced (:mod:`pidkit.broja.reduction`: negligible masses set aside,
independent parts, closed forms), its parts are solved (the native solver stacks parts of one
shape; the cvxpy program is the reference and the fallback), the parts' answers are assembled and
certified for the joint itself, and the atoms follow from the PID identities
(:func:`pidkit._result.result_from_redundancy`, which checks that every number is finite before
calling a result a success). :func:`solve_joints` runs that pipeline for many joints at once;
:func:`bertschinger` is a batch of one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _status
from .._count_tables import warn_of_rescaled_counts
from .._memory import available_memory
from .._names import check_choice
from .._result import PIDResult, result_from_redundancy
from .._units import check_units, gap_exceeds_tol, in_units, to_nats, tol_to_pass, warn_of_loose_tol
from .._validate import check_flag, check_joint, check_tol
from ..measures import informations_nats
from ..samples import DitSources, DitVariables, joint_of_dit_or_array
from . import cvxpy as cvxpy_path
from . import native
from .program import (
    Solution,
    at_rounding_floor,
    below_rounding,
    closed_form,
    rounding_allowance,
)
from .reduction import Assembled, Reduction

__all__ = [
    "DEFAULT_TOL_BITS",
    "METHODS",
    "Options",
    "bertschinger",
    "check_options",
    "result",
    "solve_joints",
]

DEFAULT_TOL_BITS = 1e-9
"""Default certified optimality gap, in bits."""
METHODS = ("auto", "cvxpy", "native")
"""The values ``method`` takes."""
_SURELY_FITS = 2.0**28
"""Solves estimated below this many bytes skip reading the memory available."""


@dataclass(frozen=True)
class Options:
    """Validated options of :func:`bertschinger` (``tol_nats`` in nats)."""

    units: str
    method: str
    solvers: tuple[str, ...]
    tol_nats: float
    normalize: bool
    strict: bool
    solver: str | None = None

    @property
    def native_first(self) -> bool:
        """Whether the native solver runs (``auto`` without a cvxpy solver named, or ``native``)."""
        return self.method == "native" or (self.method == "auto" and self.solver is None)

    @property
    def cvxpy_fallback(self) -> bool:
        return self.method == "auto"


def check_options(
    *, units: Any, method: Any, solver: Any, tol: Any, normalize: Any, strict: Any
) -> Options:
    """Validate :func:`bertschinger`'s options once (a batch checks them before any joint)."""
    units = check_units(units)
    tol_bits = check_tol(tol)
    normalize = check_flag(normalize, name="normalize")
    strict = check_flag(strict, name="strict")
    method = check_choice(method, METHODS, name="method")
    if method == "native" and solver is not None:
        raise ValueError(
            f"solver names a cvxpy solver and only applies to method='cvxpy' or 'auto'; got "
            f"solver={solver!r} with method='native'. Drop solver, or pick method='cvxpy'."
        )
    solvers: tuple[str, ...] = cvxpy_path.DEFAULT_SOLVERS
    if solver is not None:
        if not isinstance(solver, str):
            raise TypeError(f"solver must be None or the name of a cvxpy solver; got {solver!r}.")
        installed = cvxpy_path.installed_solvers()
        if solver.upper() not in installed:
            raise ValueError(
                f"solver must be None or a cvxpy solver installed here {sorted(installed)}; "
                f"got {solver!r}."
            )
        solvers = (solver.upper(),)
    return Options(units, method, solvers, to_nats(tol_bits, "bits"), normalize, strict, solver)


@dataclass
class Outcome:
    """One joint's assembled answer and how it was reached."""

    assembled: Assembled
    method: str
    solver: str | None
    nit: int | None
    message: str
    diagnostics: dict[str, Any] = field(default_factory=dict)


def _solve_native(parts: list[np.ndarray], tol_nats: float) -> tuple[list[Solution | None], dict[int, str]]:
    """Native solutions of the parts, stacked by shape, and why (by index) the parts whose
    Newton system does not fit in memory (estimated first, or found by the allocation) have
    none."""
    out: list[Solution | None] = [None] * len(parts)
    refused: dict[int, str] = {}
    groups: dict[tuple[int, ...], list[int]] = {}
    for index, p in enumerate(parts):
        groups.setdefault(p.shape, []).append(index)
    for shape, members in groups.items():
        try:
            if native.plan(shape).bytes * len(members) > _SURELY_FITS:
                native.plan(shape, memory_bytes=available_memory())
            solved = native.solve([parts[i] for i in members], tol_nats=tol_nats)
        except MemoryError as exc:
            why = str(exc) or f"the native solver ran out of memory on a {'x'.join(map(str, shape))} joint"
            refused.update((i, why) for i in members)
            continue
        for index, sol in zip(members, solved, strict=True):
            out[index] = sol
    return out, refused


def _solve_cvxpy(p: np.ndarray, options: Options) -> Solution:
    """The reference solution of a part; ``MemoryError`` (with the estimate) if it cannot fit."""
    need = cvxpy_path.bytes_needed(p)
    memory = available_memory() if need > _SURELY_FITS else None
    if memory is not None and need > memory:
        raise MemoryError(
            f"cvxpy needs about {need / 2**30:,.1f} GiB for a {'x'.join(map(str, p.shape))} "
            f"part, more than the {memory / 2**30:,.1f} GiB available"
        )
    try:
        return cvxpy_path.solve(p, solvers=options.solvers, tol_nats=options.tol_nats)
    except MemoryError as exc:
        raise MemoryError(f"cvxpy ran out of memory on a {'x'.join(map(str, p.shape))} part") from exc


def solve_joints(ps: list[np.ndarray], options: Options) -> list[Outcome]:
    """Reduce, solve and assemble validated joints; parts of one shape are solved together.

    Returns
    -------
    list of Outcome
        Per joint, its assembled answer (``certified`` says whether its gap is within
        ``options.tol_nats``), the method and solver that produced it and a message.

    Raises
    ------
    MemoryError
        If a part fits in memory for no solver path allowed (the message gives the estimates).
    """
    started = time.perf_counter()
    reductions = [Reduction(p, tol_nats=options.tol_nats) for p in ps]
    solutions: dict[tuple[int, int], Solution] = {}
    fallbacks: dict[tuple[int, int], str] = {}
    open_keys = []
    for j, red in enumerate(reductions):
        for i, part in enumerate(red.parts):
            if part.closed:
                solutions[(j, i)] = closed_form(part.p)
            else:
                open_keys.append((j, i))
    refused: dict[tuple[int, int], str] = {}
    if options.native_first and open_keys:
        natives, why = _solve_native([reductions[j].parts[i].p for j, i in open_keys], options.tol_nats)
        for index, (key, sol) in enumerate(zip(open_keys, natives, strict=True)):
            if sol is None:
                refused[key] = why[index]
            else:
                solutions[key] = sol
    for key in open_keys:
        sol = solutions.get(key)
        if options.native_first and (
            (sol is not None and (sol.certified or at_rounding_floor(
                options.tol_nats, sol.value, sol.bound, sol.gap, sol.residual)))
            or not options.cvxpy_fallback
        ):
            continue
        try:
            reference = _solve_cvxpy(reductions[key[0]].parts[key[1]].p, options)
        except MemoryError as exc:
            if sol is None:
                refused[key] = "; ".join(filter(None, [refused.get(key), str(exc)]))
            continue
        if sol is not None:
            fallbacks[key] = sol.message
            if not reference.certified and reference.gap >= sol.gap:
                continue  # keep the better of two uncertified answers
        refused.pop(key, None)
        solutions[key] = reference
    for j, i in refused:
        shape = "x".join(map(str, reductions[j].p.shape))
        raise MemoryError(f"cannot solve the {shape} joint within the memory available: {refused[(j, i)]}")
    seconds = time.perf_counter() - started
    return [
        _outcome(red, [solutions[(j, i)] for i in range(len(red.parts))],
                 [fallbacks.get((j, i)) for i in range(len(red.parts))], seconds / max(len(ps), 1))
        for j, red in enumerate(reductions)
    ]


def _outcome(red: Reduction, sols: list[Solution], fallbacks: list[str | None], seconds: float) -> Outcome:
    assembled = red.assemble(sols)
    open_sols = [s for s in sols if s.method != "closed form"]
    used = open_sols or sols
    method = "cvxpy" if any(s.method == "cvxpy" for s in used) else "native"
    solver = next((s.solver for s in used if s.method == method and s.solver), None)
    if method == "native" and solver is None:
        solver = native.SOLVER_NAME
    nits = [s.nit for s in used if s.nit is not None]
    worst = max(used, key=lambda s: s.gap)
    if len(sols) == 1:
        message = f"solved by {_describe(worst)}"
    else:
        message = (f"{len(sols)} independent parts ({len(sols) - len(open_sols)} in closed form); "
                   f"the least certain solved by {_describe(worst)}")
    noted = [f for f in fallbacks if f]
    if noted:
        message += f"; the native solver did not certify ({noted[0]})"
    if red.set_aside is not None:
        message += f"; {red.set_aside[0].size} negligible cells set aside and restored exactly"
    diagnostics: dict[str, Any] = {
        "primal": assembled.value,
        "dual": assembled.bound,
        "marginal_residual": assembled.residual,
        "parts": len(sols),
        "solve_seconds": seconds,
    }
    if noted:
        diagnostics["native_fallback"] = noted[0]
    return Outcome(assembled, method, solver, max(nits) if nits else None, message, diagnostics)


def _describe(sol: Solution) -> str:
    if sol.method == "native":
        return f"the native interior-point method ({sol.message})"
    if sol.method == "closed form":
        return "closed form"
    return sol.message.removeprefix("solved by ")


def result(p: np.ndarray, outcome: Outcome, options: Options) -> PIDResult:
    """The :class:`~pidkit.PIDResult` of a joint from its :class:`Outcome`."""
    assembled = outcome.assembled
    tol = options.tol_nats
    message = outcome.message
    if assembled.certified:
        status = _status.OPTIMAL
    elif math.isfinite(assembled.value):
        status = _status.OPTIMAL_INACCURATE
        units = options.units
        if assembled.residual > 1e-12:
            message += f"; marginal residual {assembled.residual:.3g} after projection"
        else:
            message += f"; {gap_exceeds_tol(assembled.gap, tol, units)}"
            if below_rounding(tol, assembled.value, assembled.bound):
                floor = float(rounding_allowance(assembled.value, assembled.bound))
                message += (f", which is below the float64 rounding allowance of this joint's "
                            f"certificate, {in_units(floor, units)}: no solver can certify it; "
                            f"{tol_to_pass(floor, 'the allowance')}")
    else:
        status = _status.FAILED
    info = informations_nats(p)
    red_nats = np.nan
    if math.isfinite(assembled.value):
        uni_t = info[0] + assembled.value - info[2]
        red_nats = info[1] - uni_t
    return result_from_redundancy(
        info, red_nats, problem=f"joint {'x'.join(map(str, p.shape))}", units=options.units,
        measure="broja", status=status, message=message,
        method=outcome.method, solver=outcome.solver, gap_nats=assembled.gap,
        q=assembled.q if math.isfinite(assembled.value) else None, nit=outcome.nit,
        diagnostics=outcome.diagnostics, nonnegative=True, tol_nats=tol, strict=options.strict,
    )


def bertschinger(
    p_yts: ArrayLike,
    *,
    target: DitVariables | None = None,
    sources: DitSources | None = None,
    units: str = "bits",
    method: str = "auto",
    solver: str | None = None,
    tol: float = DEFAULT_TOL_BITS,
    normalize: bool = False,
    strict: bool = True,
) -> PIDResult:
    """Bertschinger et al. (2014) partial information decomposition of a joint ``p[y, t, s]``.

    Uni(Y:T\\S) is the minimum of I_Q(Y;T|S) over the joints Q that share p's (Y,T) and (Y,S)
    marginals; Red, Uni(Y:S\\T) and Syn follow from the PID identities.

    Parameters
    ----------
    p_yts : array_like of shape (n_y, n_t, n_s), or dit.Distribution
        Joint pmf indexed target Y, teacher T, student S. Symbols of zero mass are allowed. A dit
        Distribution needs ``target``.
    target, sources : optional
        With a dit Distribution: its variables forming Y, and T and S, as :func:`pidkit.pid` takes
        them (:func:`pidkit.joint_from_dit` converts it). An array takes neither.
    units : {"bits", "nats"}, default="bits"
    method : {"auto", "native", "cvxpy"}, default="auto"
        How to solve the program. ``"native"`` is pidkit's interior-point solver (no cvxpy in the
        hot path); ``"cvxpy"`` is the reference exponential-cone program; ``"auto"`` runs the
        native solver and falls back to cvxpy where it cannot certify its answer within ``tol``
        or the joint's Newton system would not fit in memory.
    solver : str, optional
        A cvxpy solver name; naming one selects the cvxpy program (with ``"auto"`` too). By
        default Clarabel, with ECOS as the fallback.
    tol : float, default=1e-9
        The optimality gap, in bits, below which the answer counts as certified. No certificate
        gets below its float64 rounding allowance, 1e-14 nats times 1 plus the sizes of its
        value and bound (about 1e-13 bits for a 10x10x10 joint): a smaller ``tol`` gives
        ``status='optimal_inaccurate'`` as soon as the gap reaches the allowance, with a message
        saying which ``tol`` would certify. It is an absolute bound in bits, whatever ``units``
        is, not a relative one: a ``tol`` loose for the joint is warned of (see Warns).
    normalize : bool, default=False
        Rescale ``p_yts`` to sum 1 instead of rejecting a total off 1 by more than 1e-9.
    strict : bool, default=True
        Raise :class:`pidkit.SolverError` when the answer is not certified; with False, return the
        best effort with its ``status``.

    Returns
    -------
    PIDResult
        ``red, uni_t, uni_s, syn``, the mutual informations, the optimal joint ``q``, ``status``,
        ``solver``, ``gap`` (a certified bound on the error of every atom, in ``units``).

    Raises
    ------
    ValueError, TypeError
        For an invalid ``p_yts`` or option.
    SolverError
        If ``strict`` and no solver certified its answer within ``tol``.
    MemoryError
        If the joint's solve would not fit in the memory available for any allowed method (the
        message gives the estimate).

    Warns
    -----
    pidkit.estimate.PluginBiasWarning
        With ``normalize=True`` on counts (every cell a whole number, more than 1 in all), where the
        expected first-order plug-in bias of I(Y;T,S) exceeds a tenth of its estimate and 5e-4 bits, as
        :func:`pidkit.pid` warns: the atoms are the plug-in's, likely overestimated.
    UserWarning
        Where ``tol`` is loose for the joint: above 1e-6 bits and at least 1 % of its I(Y;T,S)
        (itself above 1e-6 bits), so that ``"optimal"`` lets each atom be off by that much
        (``tol=1`` on AND: a gap of 0.33 bits after no iteration). The warning names the joint's
        I(Y;T,S), the answer's gap and a ``tol`` that is not loose.

    Notes
    -----
    Before any solver runs the program is reduced exactly (:mod:`pidkit.broja.reduction`): cells
    of negligible mass are set aside and restored afterwards, independent parts of the support
    are solved separately, and parts with a single symbol on some axis have closed forms. Every
    answer is certified for the joint as given: the reported ``gap`` bounds the error of every
    atom.

    Examples
    --------
    >>> import pidkit
    >>> r = pidkit.bertschinger(pidkit.examples.and_())
    >>> round(r.red, 6), r.uni_t, r.uni_s, round(r.syn, 6), r.status
    (0.311278, 0.0, 0.0, 0.5, 'optimal')

    A dit Distribution is decomposed as :func:`pidkit.pid` takes it, its target named:

    >>> import dit
    >>> d = dit.Distribution(["000", "011", "101", "110"], [0.25] * 4)   # Z = X xor Y
    >>> round(pidkit.bertschinger(d, target=2).syn, 9)
    1.0
    """
    p_yts = joint_of_dit_or_array(p_yts, target, sources, name="p_yts",
                                  example_call="pidkit.bertschinger(d, target=2, sources=[0, 1])")
    options = check_options(units=units, method=method, solver=solver, tol=tol,
                            normalize=normalize, strict=strict)
    p = check_joint(p_yts, normalize=options.normalize)
    (outcome,) = solve_joints([p], options)
    answer = result(p, outcome, options)
    warn_of_loose_tol(options.tol_nats, [answer.i_yts], [answer.gap], options.units,
                      default_bits=DEFAULT_TOL_BITS)
    if options.normalize:  # after the solve: the kink rule reads the plug-in's unique informations
        warn_of_rescaled_counts(p_yts, p, options.units, unique=(answer.uni_t, answer.uni_s))
    return answer
