"""Theorem 3.1 (teacher with a nuisance, T = (Z, G)): every deterministic student within the budget."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import examples
from .._units import check_units, from_nats
from .._validate import check_pmf, check_tol
from ..redundancy import MAX_PARTITION_SYMBOLS, redundancy, set_partitions
from .report import TheoremReport
from .shared import DEFAULT_TOL_BITS, cmi_bits, entropy_bits

__all__ = ["check_theorem_3_1"]

_DEFAULT_REGIMES = (((0.5, 0.5), (0.9, 0.1)), ((0.9, 0.1), (0.5, 0.5)))


_REGIME_EXAMPLE = ("each regime is (p_z, p_g), two probability vectors, e.g. "
                   "regimes=[((0.5, 0.5), (0.9, 0.1))]")
"""How :func:`check_theorem_3_1` says what a regime is, in its refusals."""


def _regime_vector(value: Any, k: int, variable: str, regime: Any) -> np.ndarray:
    """``p_z`` or ``p_g`` (``variable``) of ``regimes[k]``, which is ``regime``, as a probability
    vector; a ValueError saying what a regime is where it is not a vector or does not sum to 1."""
    name = f"regimes[{k}][{'zg'.index(variable)}] (p_{variable})"
    vector = check_pmf(value, name=name, normalize=True)  # a fault of type, sign or finiteness says itself
    if vector.ndim != 1:
        raise ValueError(f"{name} must be a probability vector; got {value!r} in regimes[{k}] = {regime!r}: "
                         f"{_REGIME_EXAMPLE}.")
    try:
        check_pmf(value, name=name)
    except ValueError:
        total = float(np.sum(np.asarray(value, dtype=float)))
        raise ValueError(f"{name} sums to {total:.6g}, not 1: {_REGIME_EXAMPLE}. Give masses that sum "
                         "to 1.") from None
    return vector


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
    maximisers. The enumeration is limited to ``|Z||G|`` <= ``MAX_PARTITION_SYMBOLS`` (9;
    ``from pidkit.redundancy import MAX_PARTITION_SYMBOLS``) symbols (``Bell(|Z||G|)``
    candidates, one Red solve each for the admissible ones; ``|Z||G| <= 6`` runs in seconds).

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
        Redundancy measure for Red (any of ``MEASURES``: ``from pidkit.redundancy import MEASURES``).
    units : {"bits", "nats"}, default="bits"
    tol : float, default=1e-7
        Slack in bits for ties and comparisons.

    Returns
    -------
    TheoremReport
        One row per regime.

    Examples
    --------
    >>> from pidkit import check_theorem_3_1
    >>> report = check_theorem_3_1()
    >>> report.passed, [row[4].split()[0] for row in report.rows]   # argmax I(T;S), ties follow
    (True, ['Z', 'G'])
    """
    units = check_units(units)
    tol = check_tol(tol)
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
        p_z = _regime_vector(p_z_in, k, "z", regime)
        p_g = _regime_vector(p_g_in, k, "g", regime)
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
    h_z, h_g = entropy_bits(p_z), entropy_bits(p_g)
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
        h_s = entropy_bits(p.sum(axis=(0, 1)))
        if h_s > budget + tol:
            continue
        admissible += 1
        scored.append((f, cmi_bits(p, "t", "s"), redundancy(p, measure=measure)))
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


def _same_partition(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> bool:
    return len(a) == len(b) and all(
        (a[i] == a[j]) == (b[i] == b[j]) for i in range(len(a)) for j in range(i + 1, len(a))
    )


def _blocks(labels: Sequence[int] | np.ndarray, names: Sequence[str]) -> str:
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels, strict=True):
        groups.setdefault(int(label), []).append(name)
    return "".join("{" + ",".join(g) + "}" for g in groups.values())
