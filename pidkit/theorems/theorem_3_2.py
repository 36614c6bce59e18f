"""Theorem 3.2: the three properties of the BROJA atoms, on given or random joints."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .._settings import check_generator
from .._units import check_units, from_nats
from .._validate import check_tol
from ..bertschinger import bertschinger
from .report import TheoremReport
from .shared import DEFAULT_TOL_BITS, joints_to_check, recorded_seed, seed_record

__all__ = ["check_theorem_3_2"]


def check_theorem_3_2(
    joints: Iterable[ArrayLike] | None = None,
    *,
    n: int = 20,
    sizes: Sequence[int] | Sequence[Sequence[int]] = (2, 3, 3),
    sparsity: float = 0.2,
    random_state: Any = None,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
) -> TheoremReport:
    """Theorem 3.2's three properties of the BROJA atoms, on given or random joints.

    For every joint p[y, t, s]: (1) Uni(Y:T\\S) >= 0 and Red(Y:T,S) >= 0; (2) the student
    S' = (T, S), which sees the teacher, has Uni(Y:T\\S') = 0, and then
    max{I(Y;T), I(Y;S')} = I(Y;S'); (3) a coarsened teacher T1 = h(T) (h a random merge of two
    of T's symbols, drawn from ``random_state``) has Uni(Y:T1\\S) <= Uni(Y:T\\S).

    Parameters
    ----------
    joints : iterable of array_like, optional
        Joints p[y, t, s] to check; by default ``n`` random ones.
    n : int, default=20
        Number of random joints (ignored when ``joints`` is given).
    sizes : (n_y, n_t, n_s) or sequence of them, default=(2, 3, 3)
        Shapes of the random joints, cycled.
    sparsity : float, default=0.2
        Probability that a cell of a random joint is set to zero.
    random_state : int, numpy.random.Generator, RandomState or None
        Seed for the random joints and the coarsenings. ``None`` draws one and records it in
        ``details["random_state"]`` (pass it back to draw the same joints and merges again).
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        Slack in bits.

    Returns
    -------
    TheoremReport
        One row per joint. Property (3) cannot fail on a joint whose teacher has at most two
        symbols (the merge makes it constant): the summary counts them and
        ``details["trivial_merges"]`` holds the count.

    Examples
    --------
    >>> from pidkit import check_theorem_3_2
    >>> check_theorem_3_2(n=3, random_state=0).passed
    True
    >>> check_theorem_3_2(n=3, sizes=(2, 2, 3), random_state=0).summary
    "3 joint(s); (2) on the student S' = (T, S), (3) on a random merge h; (3) holds trivially on 3 \
joint(s) whose teacher has at most 2 symbols (the merge leaves it constant): give |T| >= 3 to test it"
    """
    units = check_units(units)
    tol = check_tol(tol)
    random_state = recorded_seed(random_state)
    rng = check_generator(random_state)
    ps = joints_to_check(joints, n, sizes, sparsity, rng)
    rows = []
    trivial = 0  # joints whose teacher a merge makes constant: (3) holds whatever the joint
    for i, p in enumerate(ps):
        r = bertschinger(p)
        prop1 = r.uni_t >= -tol and r.red >= -tol
        n_y, n_t, n_s = p.shape
        trivial += n_t <= 2
        sees = np.zeros((n_y, n_t, n_t * n_s))
        for t in range(n_t):
            sees[:, t, t * n_s : (t + 1) * n_s] = p[:, t, :]
        r_sees = bertschinger(sees)
        prop2 = r_sees.uni_t <= tol and abs(max(r_sees.i_yt, r_sees.i_ys) - r_sees.i_ys) <= tol
        if n_t >= 2:
            a, b = rng.choice(n_t, size=2, replace=False)
            h = np.arange(n_t)
            h[b] = a
            _, h = np.unique(h, return_inverse=True)
            coarse = np.zeros((n_y, int(h.max()) + 1, n_s))
            np.add.at(coarse.transpose(1, 0, 2), h, p.transpose(1, 0, 2))
            uni_coarse = bertschinger(coarse).uni_t
        else:
            uni_coarse = r.uni_t
        prop3 = uni_coarse <= r.uni_t + tol
        rows.append(
            (
                i,
                "x".join(map(str, p.shape)),
                from_nats(r.red * math.log(2), units),
                from_nats(r.uni_t * math.log(2), units),
                prop1,
                from_nats(r_sees.uni_t * math.log(2), units),
                prop2,
                from_nats(uni_coarse * math.log(2), units),
                prop3,
            )
        )
    passed = all(row[4] and row[6] and row[8] for row in rows)
    caveat = (f"; (3) holds trivially on {trivial} joint(s) whose teacher has at most 2 symbols "
              "(the merge leaves it constant): give |T| >= 3 to test it" if trivial else "")
    return TheoremReport(
        name="Theorem 3.2",
        statement=(
            "(1) Uni(Y:T\\S), Red(Y:T,S) >= 0; (2) Uni(Y:T\\S) = 0 implies max{I(Y;T), I(Y;S)} = "
            "I(Y;S); (3) T1 = h(T2) implies Uni(Y:T1\\S) <= Uni(Y:T2\\S)"
        ),
        columns=("joint", "shape", "Red", "Uni_T", "(1)", "Uni_T S'=(T,S)", "(2)", "Uni_h(T)", "(3)"),
        rows=tuple(rows),
        passed=passed,
        summary=f"{len(rows)} joint(s); (2) on the student S' = (T, S), (3) on a random merge h"
        + caveat,
        units=units,
        details={"tol_bits": tol, "sizes": sizes, "sparsity": sparsity, "trivial_merges": trivial,
                 "random_state": seed_record(random_state)},
    )
