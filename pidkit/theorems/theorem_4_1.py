"""Theorem 4.1 (Red_∩ <= Red) under every reading, and the chain of redundancy measures."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._progress import check_progress, progress_bar
from .._units import check_units, from_nats
from .._validate import check_tol
from ..redundancy import redundancy
from ..redundancy.vertex_limit import TooManyVertices
from .report import TheoremReport
from .shared import DEFAULT_TOL_BITS, joints_to_check, recorded_seed, seed_record

__all__ = ["CHAIN", "check_theorem_4_1", "sizes_remedy"]

CHAIN: tuple[str, ...] = (
    "gh-target-only",
    "wedge",
    "gh-function-of-t",
    "gh",
    "prec",
    "broja",
    "mmi",
)
"""The measures of :func:`check_theorem_4_1`, each a lower bound on the next."""
DEFAULT_SIZES = (2, 2, 3)
"""The default ``sizes`` of :func:`check_theorem_4_1`: (n_y, n_t, n_s) of its random joints."""


def _fixed_measures(max_vertices: str) -> str:
    """Why a caller of :func:`check_theorem_4_1` cannot insist, with ``max_vertices`` so named."""
    return ("Theorem 4.1 compares every measure of its chain, gh and prec among them, on each joint and "
            f"takes no {max_vertices}")


def python_sizes(sizes: tuple[int, ...]) -> str:
    """``sizes`` as a Python caller passes it: ``sizes=(2, 2, 3)``."""
    return f"sizes={sizes!r}"


def sizes_remedy(
    spell: Callable[[tuple[int, ...]], str] = python_sizes, max_vertices: str = "max_vertices"
) -> str:
    """What a caller of :func:`check_theorem_4_1` can change when one of its random joints is too
    large for gh or prec (:class:`~pidkit.redundancy.vertex_limit.TooManyVertices`), with the
    ``sizes`` option written by ``spell`` and the option it does not take named ``max_vertices``
    (the command line's: ``--sizes 2,2,3`` and ``--max-vertices``).

    Examples
    --------
    >>> sizes_remedy().endswith("takes no max_vertices: pass smaller sizes, such as the default "
    ...                         "sizes=(2, 2, 3)")
    True
    """
    return f"{_fixed_measures(max_vertices)}: pass smaller sizes, such as the default {spell(DEFAULT_SIZES)}"


def _chain_values(p: np.ndarray, measures: Sequence[str], given: str | None) -> list[float]:
    """Every measure of ``measures`` on ``p``; a joint too large for gh or prec is refused with what
    the caller can change: ``sizes``, or the joint ``given`` (``joints[i]``, None for a random one)."""
    try:
        return [redundancy(p, measure=m) for m in measures]
    except TooManyVertices as exc:
        remedy = (sizes_remedy() if given is None
                  else f"{_fixed_measures('max_vertices')}: merge rare symbols of {given}")
        raise exc.without_the_option(remedy, alternatives=False) from None


def check_theorem_4_1(
    *,
    n: int = 50,
    sizes: Sequence[int] | Sequence[Sequence[int]] = DEFAULT_SIZES,
    sparsity: float = 0.3,
    random_state: Any = None,
    joints: Iterable[ArrayLike] | None = None,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
    progress: bool | None = None,
) -> TheoremReport:
    """Theorem 4.1 (Red_∩ <= Red) under every reading, and the chain of :data:`CHAIN`.

    On ``n`` random joints (or the given ``joints``) every measure of the chain
    ``gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi`` is computed;
    each link is checked, and Theorem 4.1 itself is the set of links ``reading <= broja`` for the
    readings of Red_∩ (gh-target-only, gh-function-of-t, gh-function-of-s, gh). Needs the
    ``exact`` extra for gh and prec. Joints with more than about 20 cells of positive mass make
    the exact I_GH slow (3x3x3: about 20 s each; see :func:`pidkit.i_gh`).

    Parameters
    ----------
    n : int, default=50
        Number of random joints.
    sizes : (n_y, n_t, n_s) or sequence of them, default=(2, 2, 3)
        Shapes of the random joints, cycled. One too large for gh or prec (4x4x4) is refused
        with a ``ValueError`` that says to pass smaller ones.
    sparsity : float, default=0.3
        Probability that a cell is set to zero (zeros make I_wedge and the readings non-trivial).
    random_state : int, numpy.random.Generator, RandomState or None
        Seed for the random joints. ``None`` draws one and records it in
        ``details["random_state"]`` (pass it back to draw the same joints again).
    joints : iterable of array_like, optional
        Check these joints instead of random ones.
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        A link counts as violated when lower - upper > tol bits.
    progress : bool or None, default=None
        Show a tqdm progress bar over the joints; ``None`` shows one when stderr is a terminal
        or in a Jupyter notebook, once the check has taken a second.

    Returns
    -------
    TheoremReport
        One row per link: violations, the smallest slack (upper - lower; negative means violated)
        and the largest slack.

    Examples
    --------
    >>> from pidkit import check_theorem_4_1
    >>> report = check_theorem_4_1(n=5, random_state=0)
    >>> report.passed, report.rows[3][0]
    (True, 'gh <= broja')
    """
    units = check_units(units)
    tol = check_tol(tol)
    check_progress(progress)
    random_state = recorded_seed(random_state)
    ps = joints_to_check(joints, n, sizes, sparsity, random_state)
    measures = (*CHAIN, "gh-function-of-s")
    joints_shown = progress_bar(progress, iterable=ps, desc="theorem 4.1", unit="joint")
    values = np.array([_chain_values(p, measures, None if joints is None else f"joints[{i}]")
                       for i, p in enumerate(joints_shown)])
    col = {m: i for i, m in enumerate(measures)}
    links = list(itertools.pairwise(CHAIN))
    theorem = [(m, "broja") for m in ("gh-target-only", "gh-function-of-t", "gh-function-of-s")]
    links = [links[0], links[1], links[2], ("gh", "broja"), *theorem, *links[3:]]
    rows = []
    for lo, hi in links:
        slack = values[:, col[hi]] - values[:, col[lo]]
        rows.append(
            (
                f"{lo} <= {hi}",
                int(np.sum(slack < -tol)),
                from_nats(float(slack.min()) * math.log(2), units),
                from_nats(float(slack.max()) * math.log(2), units),
            )
        )
    passed = all(r[1] == 0 for r in rows)
    return TheoremReport(
        name="Theorem 4.1",
        statement=(
            "Red_∩(Y:T,S) <= Red(Y:T,S) under every reading of Red_∩, and the chain " + " <= ".join(CHAIN)
        ),
        columns=("link", "violations", "min slack", "max slack"),
        rows=tuple(rows),
        passed=passed,
        summary=f"{len(ps)} joint(s), {sum(r[1] for r in rows)} violation(s) beyond {tol:g} bits",
        units=units,
        details={
            "tol_bits": tol,
            "sizes": sizes,
            "sparsity": sparsity,
            "measures": list(measures),
            "values_bits": values.tolist(),
            "random_state": seed_record(random_state),
        },
    )
