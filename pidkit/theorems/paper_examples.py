"""The RID paper's Examples 1-3 as one check: each claim against the number the paper states."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import examples
from .._validate import check_tol
from ..bertschinger import bertschinger
from ..redundancy import set_partitions
from .report import TheoremReport
from .shared import cmi_bits

__all__ = ["check_paper_examples"]


def check_paper_examples(*, tol: float = 1e-6) -> TheoremReport:
    """The RID paper's Examples 1–3, each claim with its stated number.

    Example 1 (uninformative teacher): Y = U1, T = U2; Uni(Y:T\\S) = Red(Y:T,S) = 0 for every
    deterministic student S = f(U1, U2) (all 15), and among one-bit students I(T;S) is maximised
    by S = U2, not by S = Y. Example 2 (extra-complex teacher): U1 ~ Ber(0.2), U2 ~ Ber(0.5),
    Y = U1, T = (U1, U2); I(T;U1) = h(0.2) ≈ 0.72 < 1 = I(T;U2), and S = U1 maximises Red over
    every one-bit student, with Red = I(Y;T). Example 3 (synergy): Y = U1, T = U1 xor U2,
    S = U2; I(Y;T|S) = H(Y) = 1 bit while Uni(Y:T\\S) = Red(Y:T,S) = 0.

    Parameters
    ----------
    tol : float, default=1e-6
        Agreement, in bits, required between a computed and a stated number.

    Returns
    -------
    TheoremReport
        One row per claim: expected value, computed value, held.

    Examples
    --------
    >>> from pidkit import check_paper_examples
    >>> check_paper_examples().passed
    True
    """
    tol = check_tol(tol)
    rows: list[tuple[Any, ...]] = []

    def claim(example: str, text: str, expected: float, computed: float) -> None:
        rows.append((example, text, expected, computed, abs(expected - computed) <= tol))

    fair = np.full(4, 0.25)  # latent u = 2 u1 + u2
    u1, u2 = (lambda u: u // 2), (lambda u: u % 2)
    students = list(set_partitions(4))

    # Example 1.
    worst_uni = worst_red = 0.0
    for f in students:
        r = bertschinger(_latent_joint(fair, u1, u2, f))
        worst_uni, worst_red = max(worst_uni, abs(r.uni_t)), max(worst_red, abs(r.red))
    claim("1", f"max |Uni(Y:T\\S)| over all {len(students)} S = f(U1,U2)", 0.0, worst_uni)
    claim("1", f"max |Red(Y:T,S)| over all {len(students)} S = f(U1,U2)", 0.0, worst_red)
    one_bit = [f for f in students if f.max() <= 1]
    best_its = max(cmi_bits(_latent_joint(fair, u1, u2, f), "t", "s") for f in one_bit)
    claim(
        "1",
        "I(T;S) at S = U2 (max over one-bit S)",
        best_its,
        cmi_bits(examples.uninformative_teacher("u2"), "t", "s"),
    )
    claim("1", "I(T;S) at S = Y = U1", 0.0, cmi_bits(examples.uninformative_teacher("u1"), "t", "s"))

    # Example 2.
    h02 = -(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8))
    skewed = np.outer([0.8, 0.2], [0.5, 0.5]).ravel()
    p_u1 = examples.extra_complex_teacher("u1")
    p_u2 = examples.extra_complex_teacher("u2")
    claim("2", "I(T;U1) = h(0.2)", h02, cmi_bits(p_u1, "t", "s"))
    claim("2", "I(T;U2)", 1.0, cmi_bits(p_u2, "t", "s"))
    red_u1 = bertschinger(p_u1).red
    claim("2", "Red(Y:T,U1) = I(Y;T)", cmi_bits(p_u1, "y", "t"), red_u1)
    best_red = max(bertschinger(_latent_joint(skewed, u1, lambda u: u, f)).red for f in one_bit)
    claim("2", "max Red over one-bit S = f(T), attained by S = U1", best_red, red_u1)
    claim("2", "Red(Y:T,U2)", 0.0, bertschinger(p_u2).red)

    # Example 3.
    p3 = examples.synergy_example()
    r3 = bertschinger(p3)
    claim("3", "I(Y;T|S) = H(Y)", 1.0, cmi_bits(p3, "y", "t", "s"))
    claim("3", "Uni(Y:T\\S)", 0.0, r3.uni_t)
    claim("3", "Red(Y:T,S)", 0.0, r3.red)
    claim("3", "I(Y;T) = I(Y;S)", 0.0, max(r3.i_yt, r3.i_ys))

    passed = all(row[-1] for row in rows)
    return TheoremReport(
        name="Examples 1-3",
        statement="the numbers the RID paper states for its Examples 1, 2 and 3",
        columns=("example", "claim", "expected", "computed", "held"),
        rows=tuple(rows),
        passed=passed,
        summary=f"{sum(r[-1] for r in rows)}/{len(rows)} claims reproduced to {tol:g} bits",
        details={"tol_bits": tol},
    )


def _latent_joint(
    p_u: np.ndarray,
    y_of: Callable[[int], int],
    t_of: Callable[[int], int],
    s_of: Sequence[int] | np.ndarray,
) -> np.ndarray:
    """p[y, t, s] of Y = y_of(u), T = t_of(u), S = s_of[u] for a latent U with pmf p_u."""
    ys = [y_of(u) for u in range(p_u.size)]
    ts = [t_of(u) for u in range(p_u.size)]
    p = np.zeros((max(ys) + 1, max(ts) + 1, int(max(s_of)) + 1))
    for u, mass in enumerate(p_u):
        p[ys[u], ts[u], s_of[u]] += mass
    return p
