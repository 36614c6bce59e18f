"""The RID paper's examples and theorems as one-call checks on discrete distributions.

Each check builds the distributions the statement speaks of, enumerates the candidates (every
deterministic student S = f(T) within the budget, random joints, ...), computes both sides with
pidkit, and returns a :class:`TheoremReport` with the numbers and the verdict.

- :func:`check_paper_examples` — Examples 1–3 with their stated numbers.
- :func:`check_theorem_3_1` — teacher with a nuisance, T = (Z, G), in both regimes H(Z) ≷ H(G).
- :func:`check_theorem_3_2` — non-negativity, Uni = 0 ⇒ I(Y;S) is the larger MI, monotonicity.
- :func:`check_theorem_4_1` — Red_∩ ≤ Red under every reading, and the whole chain
  ``gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import examples
from ._result import jsonable
from ._units import check_units, from_nats
from ._validate import check_joint, check_pmf
from .bertschinger import bertschinger
from .measures import cmi_nats, entropy_nats
from .redundancy import MAX_PARTITION_SYMBOLS, redundancy, set_partitions

__all__ = [
    "CHAIN",
    "TheoremReport",
    "check_paper_examples",
    "check_theorem_3_1",
    "check_theorem_3_2",
    "check_theorem_4_1",
]

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

DEFAULT_TOL_BITS = 1e-7
"""Slack, in bits, allowed before a comparison counts as violated (solver accuracy is ~1e-9)."""


@dataclass(frozen=True, eq=False)
class TheoremReport:
    """What a check found: a table of numbers and whether the statement held.

    Attributes
    ----------
    name : str
        E.g. ``"Theorem 3.1"``.
    statement : str
        The claim that was checked, in words.
    columns : tuple of str
        Column names of ``rows``.
    rows : tuple of tuple
        One row per case checked; numbers in ``units``, verdicts as bools.
    passed : bool
        True when the statement held in every row.
    summary : str
        One line saying what was checked and found.
    units : str
        Units of the information quantities in ``rows``.
    details : dict
        Parameters of the check and any per-case numbers not in the table.
    """

    name: str
    statement: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    passed: bool
    summary: str
    units: str = "bits"
    details: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def verdict(self) -> str:
        """``"held"`` or ``"violated"``."""
        return "held" if self.passed else "violated"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict: the table as a list of records, plus the verdict."""
        return {
            "name": self.name,
            "statement": self.statement,
            "verdict": self.verdict,
            "passed": self.passed,
            "summary": self.summary,
            "units": self.units,
            "rows": [jsonable(dict(zip(self.columns, row, strict=True))) for row in self.rows],
            "details": jsonable(self.details),
        }

    def __repr__(self) -> str:
        cells = [[_cell(v) for v in row] for row in self.rows]
        widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(self.columns)]
        line = "  ".join(c.rjust(w) for c, w in zip(self.columns, widths, strict=True))
        body = ["  ".join(v.rjust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
        return "\n".join(
            [
                f"{self.name}: {self.verdict.upper()} — {self.summary}",
                f"  claim: {self.statement}",
                f"  ({self.units})",
                line,
                "-" * len(line),
                *body,
            ]
        )


def _cell(value: Any) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "NO"
    if isinstance(value, (float, np.floating)):
        return f"{value:.6f}"
    return str(value)


# --------------------------------------------------------------------------- helpers


def _bits(nats: float) -> float:
    return nats / math.log(2.0)


def _h_bits(p: ArrayLike) -> float:
    return _bits(entropy_nats(np.asarray(p, dtype=float)))


def _mi_bits(p: np.ndarray, a: str, b: str, given: str = "") -> float:
    return _bits(cmi_nats(p, a, b, given))


def _check_tol(tol: float) -> float:
    if not (isinstance(tol, (int, float)) and tol > 0):
        raise ValueError(f"tol must be a positive number of bits; got {tol!r}.")
    return float(tol)


def _latent_joint(
    p_u: np.ndarray,
    y_of: Callable[[int], int],
    t_of: Callable[[int], int],
    s_of: Sequence[int],
) -> np.ndarray:
    """p[y, t, s] of Y = y_of(u), T = t_of(u), S = s_of[u] for a latent U with pmf p_u."""
    ys = [y_of(u) for u in range(p_u.size)]
    ts = [t_of(u) for u in range(p_u.size)]
    p = np.zeros((max(ys) + 1, max(ts) + 1, int(max(s_of)) + 1))
    for u, mass in enumerate(p_u):
        p[ys[u], ts[u], s_of[u]] += mass
    return p


def _same_partition(a: Sequence[int], b: Sequence[int]) -> bool:
    return len(a) == len(b) and all(
        (a[i] == a[j]) == (b[i] == b[j]) for i in range(len(a)) for j in range(i + 1, len(a))
    )


def _blocks(labels: Sequence[int], names: Sequence[str]) -> str:
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels, strict=True):
        groups.setdefault(int(label), []).append(name)
    return "".join("{" + ",".join(g) + "}" for g in groups.values())


# --------------------------------------------------------------------------- Examples 1-3


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
    >>> check_paper_examples().passed
    True
    """
    tol = _check_tol(tol)
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
    best_its = max(_mi_bits(_latent_joint(fair, u1, u2, f), "t", "s") for f in one_bit)
    claim(
        "1",
        "I(T;S) at S = U2 (max over one-bit S)",
        best_its,
        _mi_bits(examples.uninformative_teacher("u2"), "t", "s"),
    )
    claim("1", "I(T;S) at S = Y = U1", 0.0, _mi_bits(examples.uninformative_teacher("u1"), "t", "s"))

    # Example 2.
    h02 = -(0.2 * math.log2(0.2) + 0.8 * math.log2(0.8))
    skewed = np.outer([0.8, 0.2], [0.5, 0.5]).ravel()
    p_u1 = examples.extra_complex_teacher("u1")
    p_u2 = examples.extra_complex_teacher("u2")
    claim("2", "I(T;U1) = h(0.2)", h02, _mi_bits(p_u1, "t", "s"))
    claim("2", "I(T;U2)", 1.0, _mi_bits(p_u2, "t", "s"))
    red_u1 = bertschinger(p_u1).red
    claim("2", "Red(Y:T,U1) = I(Y;T)", _mi_bits(p_u1, "y", "t"), red_u1)
    best_red = max(bertschinger(_latent_joint(skewed, u1, lambda u: u, f)).red for f in one_bit)
    claim("2", "max Red over one-bit S = f(T), attained by S = U1", best_red, red_u1)
    claim("2", "Red(Y:T,U2)", 0.0, bertschinger(p_u2).red)

    # Example 3.
    p3 = examples.synergy_example()
    r3 = bertschinger(p3)
    claim("3", "I(Y;T|S) = H(Y)", 1.0, _mi_bits(p3, "y", "t", "s"))
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


# --------------------------------------------------------------------------- Theorem 3.1

_DEFAULT_REGIMES = (((0.5, 0.5), (0.9, 0.1)), ((0.9, 0.1), (0.5, 0.5)))


def check_theorem_3_1(
    regimes: Iterable[tuple[ArrayLike, ArrayLike]] | None = None,
    *,
    flip: float = 0.1,
    channel: ArrayLike | None = None,
    measure: str = "broja",
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
) -> TheoremReport:
    """Theorem 3.1 (teacher with nuisance) over every deterministic student within the budget.

    For each regime, T = (Z, G) with Z and G independent (pmfs ``p_z``, ``p_g``) and Y a copy of Z
    through a symmetric channel that changes it with probability ``flip`` (so I(Y;T) = I(Y;Z) and
    I(Y;G) = 0, the theorem's hypotheses). Every set partition f of T's ``|Z||G|`` symbols is a
    candidate student S = f(T); those with H(S) <= max{H(Z), H(G)} are admissible. The check
    reports the maximisers of I(T;S) and of Red(Y:T,S) among them and whether (i) I(T;S) is
    maximised by S = Z when H(Z) > H(G) and by S = G when H(Z) < H(G) (not applicable when the
    entropies tie), and (ii) Red(Y:T,S) is maximised by S = Z. Ties within ``tol`` count as
    maximisers. The enumeration is limited to ``|Z||G|`` <= :data:`pidkit.redundancy.MAX_PARTITION_SYMBOLS`
    symbols (``Bell(|Z||G|)`` candidates, one Red solve each for the admissible ones; ``|Z||G| <= 6`` runs
    in seconds).

    Parameters
    ----------
    regimes : iterable of (p_z, p_g), optional
        Distributions of Z and G. Default: ``((0.5, 0.5), (0.9, 0.1))`` (H(Z) > H(G)) and
        ``((0.9, 0.1), (0.5, 0.5))`` (H(Z) < H(G)).
    flip : float, default=0.1
        Probability that Y differs from Z (uniform over the other values of Z).
    channel : array_like of shape (n_z, n_y), optional
        Any channel p(y|z) instead of ``flip`` (rows sum to 1; every regime's Z must have n_z
        values). G stays independent of (Z, Y), so the theorem's hypotheses hold.
    measure : str, default="broja"
        Redundancy measure for Red (any of :data:`pidkit.redundancy.MEASURES`).
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        Slack in bits for ties and comparisons.

    Returns
    -------
    TheoremReport
        One row per regime.

    Examples
    --------
    >>> report = check_theorem_3_1()
    >>> report.passed, [row[4].split()[0] for row in report.rows]   # argmax I(T;S), ties follow
    (True, ['Z', 'G'])
    """
    units = check_units(units)
    tol = _check_tol(tol)
    regimes = list(_DEFAULT_REGIMES if regimes is None else regimes)
    if not regimes:
        raise ValueError("regimes must hold at least one (p_z, p_g) pair; got an empty sequence.")
    rows: list[tuple[Any, ...]] = []
    per_regime: list[dict[str, Any]] = []
    for k, regime in enumerate(regimes):
        try:
            p_z_in, p_g_in = regime
        except (TypeError, ValueError):
            raise ValueError(
                f"regimes[{k}] must be a pair (p_z, p_g) of probability vectors; got {regime!r}."
            ) from None
        p_z = check_pmf(p_z_in, name=f"regimes[{k}][0] (p_z)")
        p_g = check_pmf(p_g_in, name=f"regimes[{k}][1] (p_g)")
        if p_z.ndim != 1 or p_g.ndim != 1:
            raise ValueError(f"regimes[{k}]: p_z and p_g must be 1-D probability vectors.")
        n_t = p_z.size * p_g.size
        if n_t > MAX_PARTITION_SYMBOLS:
            raise ValueError(
                f"regimes[{k}]: T = (Z, G) has {n_t} symbols; enumerating every student is "
                f"limited to {MAX_PARTITION_SYMBOLS}. Use smaller alphabets for Z and G."
            )
        if channel is not None:
            chan = np.asarray(channel, dtype=float)
            if (
                chan.ndim != 2
                or chan.shape[0] != p_z.size
                or not np.all(np.isfinite(chan))
                or (chan < 0).any()
                or not np.allclose(chan.sum(axis=1), 1, rtol=0, atol=1e-9)
            ):
                raise ValueError(
                    f"channel must be a ({p_z.size}, n_y) matrix of non-negative rows p(y|z) summing "
                    f"to 1 (one row per value of Z in regimes[{k}]); got {channel!r}."
                )
        else:
            chan = None
        info = _theorem_3_1_regime(p_z, p_g, flip, chan, measure, tol)
        per_regime.append(info)
        rows.append(
            (
                k,
                from_nats(info["h_z"] * math.log(2), units),
                from_nats(info["h_g"] * math.log(2), units),
                f"{info['admissible']}/{info['candidates']}",
                info["argmax_its"],
                from_nats(info["max_its"] * math.log(2), units),
                info["claim_i"],
                info["argmax_red"],
                from_nats(info["max_red"] * math.log(2), units),
                from_nats(info["red_z"] * math.log(2), units),
                info["claim_ii"],
            )
        )
    passed = all(r["claim_i"] in (True, "n/a") and r["claim_ii"] for r in per_regime)
    return TheoremReport(
        name="Theorem 3.1",
        statement=(
            "with T = (Z, G), I(Y;T) = I(Y;Z), I(Y;G) = 0 and H(S) <= max{H(Z), H(G)}: (i) I(T;S) is "
            "maximised by S = Z if H(Z) > H(G) and by S = G if H(Z) < H(G); (ii) Red(Y:T,S) is "
            "maximised by S = Z"
        ),
        columns=(
            "regime",
            "H(Z)",
            "H(G)",
            "admissible",
            "argmax I(T;S)",
            "max I(T;S)",
            "(i)",
            "argmax Red",
            "max Red",
            "Red(S=Z)",
            "(ii)",
        ),
        rows=tuple(rows),
        passed=passed,
        summary=(
            f"{len(rows)} regime(s), every deterministic student S = f(T) within the budget, "
            f"Red = {measure}, " + (f"flip = {flip:g}" if channel is None else "given channel p(y|z)")
        ),
        units=units,
        details={"measure": measure, "flip": flip, "tol_bits": tol, "regimes": per_regime},
    )


def _theorem_3_1_regime(
    p_z: np.ndarray,
    p_g: np.ndarray,
    flip: float,
    channel: np.ndarray | None,
    measure: str,
    tol: float,
) -> dict[str, Any]:
    n_g = p_g.size
    n_t = p_z.size * n_g
    z_of_t, g_of_t = np.divmod(np.arange(n_t), n_g)
    names = [f"{z}{g}" for z, g in zip(z_of_t, g_of_t, strict=True)]
    h_z, h_g = _h_bits(p_z), _h_bits(p_g)
    budget = max(h_z, h_g)
    candidates = admissible = 0
    scored: list[tuple[np.ndarray, float, float]] = []
    for f in set_partitions(n_t):
        candidates += 1
        if channel is None:
            p = examples.nuisance_teacher(p_z, p_g, flip, student=f)
        else:
            p = np.zeros((channel.shape[1], n_t, int(f.max()) + 1))
            for t in range(n_t):
                p[:, t, f[t]] = channel[z_of_t[t]] * p_z[z_of_t[t]] * p_g[g_of_t[t]]
        h_s = _h_bits(p.sum(axis=(0, 1)))
        if h_s > budget + tol:
            continue
        admissible += 1
        scored.append((f, _mi_bits(p, "t", "s"), redundancy(p, measure=measure)))
    max_its = max(s[1] for s in scored)
    max_red = max(s[2] for s in scored)

    def label(f: np.ndarray) -> str:
        if _same_partition(f, z_of_t):
            return "Z"
        if _same_partition(f, g_of_t):
            return "G"
        return _blocks(f, names)

    argmax_its = [label(f) for f, its, _ in scored if its >= max_its - tol]
    argmax_red = [label(f) for f, _, red in scored if red >= max_red - tol]
    its_z = next(its for f, its, _ in scored if _same_partition(f, z_of_t))
    red_z = next(red for f, _, red in scored if _same_partition(f, z_of_t))
    if abs(h_z - h_g) <= tol:
        claim_i: bool | str = "n/a"
    else:
        winner = z_of_t if h_z > h_g else g_of_t
        its_w = next((its for f, its, _ in scored if _same_partition(f, winner)), -math.inf)
        claim_i = bool(its_w >= max_its - tol)
    return {
        "p_z": p_z.tolist(),
        "p_g": p_g.tolist(),
        "h_z": h_z,
        "h_g": h_g,
        "candidates": candidates,
        "admissible": admissible,
        "max_its": max_its,
        "its_z": its_z,
        "argmax_its": " ".join(argmax_its),
        "claim_i": claim_i,
        "max_red": max_red,
        "red_z": red_z,
        "argmax_red": " ".join(argmax_red),
        "claim_ii": bool(red_z >= max_red - tol),
    }


# --------------------------------------------------------------------------- Theorem 3.2


def _random_joints(
    n: int, sizes: Sequence[int] | Sequence[Sequence[int]], sparsity: float, random_state: Any
) -> list[np.ndarray]:
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer number of joints; got {n!r}.")
    if not (isinstance(sparsity, (int, float)) and 0 <= sparsity < 1):
        raise ValueError(f"sparsity must be a fraction of zero cells in [0, 1); got {sparsity!r}.")
    shapes = [tuple(sizes)] if np.ndim(sizes) == 1 else [tuple(s) for s in sizes]
    for shape in shapes:
        if len(shape) != 3 or not all(isinstance(v, (int, np.integer)) and v >= 1 for v in shape):
            raise ValueError(
                f"sizes must be (n_y, n_t, n_s) or a list of such triples of positive integers; "
                f"got {sizes!r}."
            )
    rng = np.random.default_rng(random_state)
    out = []
    for i in range(n):
        shape = shapes[i % len(shapes)]
        p = rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
        p[rng.random(shape) < sparsity] = 0.0
        if p.sum() == 0:
            p[tuple(rng.integers(0, v) for v in shape)] = 1.0
        out.append(p / p.sum())
    return out


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
    random_state : int, numpy.random.Generator or None
        Seed for the random joints and the coarsenings.
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        Slack in bits.

    Returns
    -------
    TheoremReport
        One row per joint.

    Examples
    --------
    >>> check_theorem_3_2(n=3, random_state=0).passed
    True
    """
    units = check_units(units)
    tol = _check_tol(tol)
    rng = np.random.default_rng(random_state)
    if joints is None:
        ps = _random_joints(n, sizes, sparsity, rng)
    else:
        ps = [check_joint(p, name=f"joints[{i}]") for i, p in enumerate(joints)]
        if not ps:
            raise ValueError("joints must hold at least one joint p[y, t, s]; got none.")
    rows = []
    for i, p in enumerate(ps):
        r = bertschinger(p)
        prop1 = r.uni_t >= -tol and r.red >= -tol
        n_y, n_t, n_s = p.shape
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
    return TheoremReport(
        name="Theorem 3.2",
        statement=(
            "(1) Uni(Y:T\\S), Red(Y:T,S) >= 0; (2) Uni(Y:T\\S) = 0 implies max{I(Y;T), I(Y;S)} = "
            "I(Y;S); (3) T1 = h(T2) implies Uni(Y:T1\\S) <= Uni(Y:T2\\S)"
        ),
        columns=("joint", "shape", "Red", "Uni_T", "(1)", "Uni_T S'=(T,S)", "(2)", "Uni_h(T)", "(3)"),
        rows=tuple(rows),
        passed=passed,
        summary=f"{len(rows)} joint(s); (2) on the student S' = (T, S), (3) on a random merge h",
        units=units,
        details={"tol_bits": tol, "sizes": sizes, "sparsity": sparsity},
    )


# --------------------------------------------------------------------------- Theorem 4.1


def check_theorem_4_1(
    *,
    n: int = 50,
    sizes: Sequence[int] | Sequence[Sequence[int]] = (2, 2, 3),
    sparsity: float = 0.3,
    random_state: Any = None,
    joints: Iterable[ArrayLike] | None = None,
    units: str = "bits",
    tol: float = DEFAULT_TOL_BITS,
) -> TheoremReport:
    """Theorem 4.1 (Red_∩ <= Red) under every reading, and the chain of :data:`CHAIN`.

    On ``n`` random joints (or the given ``joints``) every measure of the chain
    ``gh-target-only <= wedge <= gh-function-of-t <= gh <= prec <= broja <= mmi`` is computed;
    each link is checked, and Theorem 4.1 itself is the set of links ``reading <= broja`` for the
    readings of Red_∩ (gh-target-only, gh-function-of-t, gh-function-of-s, gh). Needs the
    ``exact`` extra for gh and prec. Joints with more than about 20 cells of positive mass make
    the exact I_GH slow (seconds to minutes each).

    Parameters
    ----------
    n : int, default=50
        Number of random joints.
    sizes : (n_y, n_t, n_s) or sequence of them, default=(2, 2, 3)
        Shapes of the random joints, cycled.
    sparsity : float, default=0.3
        Probability that a cell is set to zero (zeros make I_wedge and the readings non-trivial).
    random_state : int, numpy.random.Generator or None
    joints : iterable of array_like, optional
        Check these joints instead of random ones.
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        A link counts as violated when lower - upper > tol bits.

    Returns
    -------
    TheoremReport
        One row per link: violations, the smallest slack (upper - lower; negative means violated)
        and the largest slack.

    Examples
    --------
    >>> report = check_theorem_4_1(n=5, random_state=0)
    >>> report.passed, report.rows[3][0]
    (True, 'gh <= broja')
    """
    units = check_units(units)
    tol = _check_tol(tol)
    if joints is None:
        ps = _random_joints(n, sizes, sparsity, random_state)
    else:
        ps = [check_joint(p, name=f"joints[{i}]") for i, p in enumerate(joints)]
        if not ps:
            raise ValueError("joints must hold at least one joint p[y, t, s]; got none.")
    measures = (*CHAIN, "gh-function-of-s")
    values = np.array([[redundancy(p, measure=m) for m in measures] for p in ps])
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
        },
    )
