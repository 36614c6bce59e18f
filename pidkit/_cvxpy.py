"""Solving a cvxpy problem with the first of several solvers that returns a solution.

Both reference paths (the BROJA exponential-cone program and the Gaussian log-det SDP) try their
solvers in order and keep the reasons the earlier ones failed for the result's message.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Attempt", "solve_first"]

_SILENCING = threading.Lock()
"""Held while cvxpy's warnings are silenced: ``warnings.catch_warnings`` swaps the process's one
list of filters, so two threads inside it at once can leave an "ignore everything" filter behind
(every later warning of the process, pidkit's own included, then went unseen)."""


@dataclass(frozen=True)
class Attempt:
    """What :func:`solve_first` did: the solver that returned a solution (None when every one
    failed), its seconds, and ``"name: reason"`` for each solver that failed before it."""

    solver: str | None
    seconds: float
    failures: tuple[str, ...]


def solve_first(
    problem: Any,
    variable: Any,
    solvers: Sequence[str],
    options: Mapping[str, Mapping[str, Any]],
) -> Attempt:
    """Solve ``problem`` with each of ``solvers`` in turn (``options[name]`` passed to it) until
    one ends optimal or optimal_inaccurate with a value for ``variable``; cvxpy's warnings are
    silenced (the status says what they would), one thread at a time."""
    import cvxpy as cp  # on first use: importing cvxpy costs most of a second

    failures: list[str] = []
    for name in solvers:
        started = time.perf_counter()
        try:
            with _SILENCING, warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem.solve(solver=name, **options.get(name, {}))
        except (cp.error.SolverError, ValueError, ArithmeticError) as exc:
            failures.append(f"{name}: {exc}")
            continue
        if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or variable.value is None:
            failures.append(f"{name}: status {problem.status}")
            continue
        return Attempt(name, time.perf_counter() - started, tuple(failures))
    return Attempt(None, 0.0, tuple(failures))
