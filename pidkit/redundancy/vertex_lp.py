"""What I_GH and I_prec share: p in exact integers, and Red from the optimal mixture of vertices.

Both measures are H(Y) minus the least mixture cost ``sum_v mu_v H(v_Y)`` over mixtures of a
polytope's vertices that equal p (``docs/theory.md``); the mixture LP is solved in rational
arithmetic by :func:`pidkit._mixture.min_mixture`.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.special import entr

from .. import _mixture, _polytope
from ..measures import entropy_nats
from .value import MeasureValue


def exact_joint(p: np.ndarray) -> np.ndarray:
    """p as an object array of Python ints proportional to it (:func:`pidkit._polytope.exact_masses`)."""
    exact = np.zeros(p.shape, dtype=object)
    cells = tuple(np.nonzero(p))
    exact[cells] = _polytope.exact_masses(p[cells])
    return exact


def entropy_rows(m: np.ndarray) -> np.ndarray:
    """Entropy in nats of every row of ``m`` (negative round-off read as 0): the vertices' costs."""
    return entr(np.clip(m, 0.0, None)).sum(axis=1)


def vertex_lp_value(
    p_y: np.ndarray, costs: np.ndarray, polytope: _polytope.Polytope, target: list[Fraction]
) -> MeasureValue:
    """Red = H(Y) - min mixture cost, over mixtures of ``polytope``'s vertices equal to ``target``.

    ``costs`` holds each vertex's H(v_Y) in nats, ``p_y`` the target's marginal. The mixture
    weights come back in ``diagnostics["weights"]``.
    """
    sol = _mixture.min_mixture(costs, polytope, target)
    n_vertices = len(polytope.points)
    n_used = int(np.count_nonzero(sol.weights))
    message = f"{n_vertices} exact vertices, LP ({sol.message}) mixes {n_used} of them (|Q| = {n_used})"
    return MeasureValue(
        max(entropy_nats(p_y) - sol.value, 0.0),
        sol.status,
        message,
        "vertex-lp",
        gap_nats=sol.gap,
        solver="exact-simplex",
        diagnostics={"n_vertices": n_vertices, "q_size": n_used, "weights": sol.weights},
    )
