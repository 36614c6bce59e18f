"""The bounds 0 <= I_wedge <= Red <= min_i I(Y; X_i), and the answer they give gh and prec when they meet.

Every measure of the family lies within ``[0, min_i I(Y; X_i)]``; :func:`pidkit.redundancy.dispatch.solve`
checks each answer against that range, and :func:`lp_shortcut` settles I_GH and I_prec without a
polytope where the bounds leave no room.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _status
from .._units import to_nats
from ..measures import entropy_nats
from .closed_form import components, wedge_value
from .value import MeasureValue

LP_TOL_BITS = 1e-9
"""Gap (bits) within which the bounds I_wedge <= Red <= I_MMI settle gh and prec without their LP."""


def source_informations(p: np.ndarray) -> list[float]:
    """I(Y; X_i) in nats for every source axis of p[y, x1, ..., xn]."""
    p_y = p.sum(axis=tuple(range(1, p.ndim)))
    out = []
    for axis in range(1, p.ndim):
        p_yx = p.sum(axis=tuple(a for a in range(1, p.ndim) if a != axis))
        out.append(max(entropy_nats(p_y) + entropy_nats(p_yx.sum(axis=0)) - entropy_nats(p_yx), 0.0))
    return out


def lp_shortcut(p: np.ndarray, measure: str) -> MeasureValue | None:
    """Red for gh and prec without the polytope where exact reductions or the bounds settle it.

    * A target or a source with a single symbol of positive mass has I(Y;X_i) = 0, and every
      measure of the family lies between 0 and min_i I(Y;X_i): Red = 0 exactly.
    * Two sources: I_wedge <= I_GH <= I_prec <= I_MMI (``docs/theory.md``). Where the outer two
      are within :data:`LP_TOL_BITS`, I_wedge is the answer, certified with that gap; Q = T∧S
      attains it for gh.

    Returns None where neither applies: the polytope must be built.
    """
    used = [int(np.count_nonzero(p.sum(axis=tuple(a for a in range(p.ndim) if a != axis)) > 0))
            for axis in range(p.ndim)]
    if min(used) == 1:
        which = "Y" if used[0] == 1 else f"source {used[1:].index(1) + 1}"
        diagnostics: dict[str, Any] = {"q_joint": p[None], "q_size": 1} if measure == "gh" else {}
        return MeasureValue(
            0.0,
            _status.EXACT,
            f"{which} has one symbol of positive mass, so I(Y; source) = 0 and Red = 0",
            "reduction",
            diagnostics=diagnostics,
        )
    if p.ndim != 3:
        return None
    upper = min(source_informations(p))
    wedge = wedge_value(p)
    gap = upper - wedge.nats
    if gap > to_nats(LP_TOL_BITS, "bits"):
        return None
    assert wedge.diagnostics is not None  # wedge_value always counts its components
    diagnostics = {"n_components": wedge.diagnostics["n_components"]}
    if measure == "gh":
        label = components(p.shape[1], p.shape[2], p.sum(axis=0) > 0)[: p.shape[1]]
        q_joint = np.stack([p * (label == k)[None, :, None] for k in np.unique(label)])
        diagnostics.update(q_joint=q_joint, q_size=len(q_joint))
    return MeasureValue(
        wedge.nats,
        _status.OPTIMAL,
        "I_wedge <= Red <= min(I(Y;T), I(Y;S)) and the two agree within tolerance",
        "bounds",
        gap_nats=max(gap, 0.0),
        diagnostics=diagnostics,
    )
