"""Bias and RMSE of the PID atoms estimated from samples: the plug-in against every correction.

For joints ``p[y, t, s]`` with a known PID (computed exactly from ``p``), ``--draws`` samples of
size n are drawn, counted, and decomposed by :func:`pidkit.estimate.correct_counts` with each
method of :data:`pidkit.estimate.BIAS_CORRECTIONS` (``"none"`` is the plug-in). For each joint, n
and method the table gives the bias (mean minus truth) of Red, Uni(Y:T\\S), Uni(Y:S\\T) and Syn,
the total |bias| over the four atoms, the total RMSE (sum over the atoms), and both as a fraction
of the plug-in's in the same run. The column after the bias ratio is its Monte Carlo standard
error: the standard deviation of the ratio over resamples of the draws (the plug-in and the
correction resampled together, as they share the draws). A mean over a few draws overstates a small
|bias| (the mean of each atom's error is noisy, and its absolute value is never below 0), so a ratio
within two standard errors of the acceptance's 0.5 is named below the table: more ``--draws``
decide it.

Joints (ten labels and 10 x 10 = 100 (t, s) pairs, i.e. 1000 cells, like the audit's default, unless
named ``...4``, which have 4 x 4 x 4 = 64 cells, or ``...3``, 3 x 3 x 3 = 27 cells):

- ``xor10``: Y = (T + S) mod 10 with probability 0.8, else uniform; T, S uniform (synergy);
- ``sum10``: Y = floor((T + S) / 2) with probability 0.9, else uniform (SUM-like: redundancy and
  synergy, both unique informations exactly 0 with I(Y;T) = I(Y;S));
- ``redundant10``: Z uniform; Y, T, S copies of Z kept with probability 0.8, 0.7, 0.6;
- ``teacher10``: an audit-like pair: T = Y with probability 0.85, S = T or Y + 1 (mod 10) with
  probability 0.3 each (large Uni(Y:T\\S), some Red, little Syn);
- ``uninformative10``: T = Y with probability 0.8, else uniform; S uniform and independent of
  (Y, T) (a dead student: Uni(Y:T\\S) = I(Y;T), every other atom exactly 0);
- ``dirichlet10-1``, ``dirichlet10-0.1``: random joints, Dirichlet(1) and Dirichlet(0.1) over the
  1000 cells (seeded);
- ``xor4``, ``redundant4``, ``dirichlet4-0.5``: the same kinds on 64 cells (used for small n);
- ``xor3``: ``xor10``'s construction on 27 cells with Y = (T + S) mod 3 kept with probability 0.9
  (Syn 1.165 bits, every other atom 0); ``copy3``: Y uniform, T and S copies of Y, each replaced by
  a uniform value with probability 0.2 (Red 0.885, Syn 0.335, both unique informations exactly 0:
  a kink). Small dense tables with rare labels from the statistical audit t-435 (at n = 200 a cell
  holds about 7 samples), where the intervals of Syn and I(Y;T,S) fall short; in neither the default
  grid nor ``--full``;
- ``independent2``, ``independent3``, ``independent4``: Y, T and S independent and uniform on 2, 3
  and 4 values (every atom 0), where ``PluginBiasWarning`` must keep quiet at large n; in neither
  grid.

The default run (about 12 minutes on 2 cores) is the acceptance grid: the 1000-cell joints at
n = 450 and 2000, 100 draws (at 20 the standard error of a ratio reaches 0.06 on ``sum10`` at
450, as large as the margin some cells have); ``--quick`` (xor10 and sum10 at n = 450, 4 draws)
shows in seconds that it works. ``--full`` runs every joint but ``xor3`` and ``copy3`` at n = 200,
450, 1000, 2000, 5000 and 10,000, 20 draws unless ``--draws`` is given (n = 200 only on 64 cells: a
1000-cell joint has 100-cell pairwise tables, more than a quarter of 200 samples, and the
corrections refuse it).

With ``--warnings`` the run measures :class:`pidkit.estimate.PluginBiasWarning` instead: per joint
and n, how often each of its rules fires on the draws (the expected bias of I(Y;T,S); where that is
quiet, the unique informations at a kink, :func:`pidkit.estimate.bias_warning.unique_kink_bias`),
the plug-in's mean bias of the unique informations, and its mean largest |error| of an atom over
the draws it warned on and those it did not.

With ``--coverage B`` every draw also gets B bootstrap replicates per correction, made exactly as
:func:`pidkit.estimate.pid_from_representations` makes them (:class:`pidkit.estimate.PIDStatistic`,
each replicate corrected with ``--boot-partitions`` random partitions per subsample size, 1 as
there), and a second table gives, per joint, n, correction and ``ci_method``, the fraction of draws
whose 95 % interval (with the kink allowance, clipped at 0) contains the true value of each of the
seven quantities, and the mean width of those intervals. All ``ci_method`` share the same replicates.

Run: ``python -m benchmarks.estimate_bias [--quick] [--full] [--draws 100] [--n 450 2000] [--joints ...]
[--methods ...] [--coverage 0] [--boot-partitions 1] [--warnings] [--n-jobs -1] [--seed 0]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import zlib
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from pidkit import pid
from pidkit.estimate import (
    BIAS_CORRECTIONS,
    CI_METHODS,
    PIDStatistic,
    bootstrap_intervals,
    bootstrap_replicates,
    correct_counts,
)
from pidkit.estimate.bias_warning import bias_warning_rule, plugin_bias, unique_kink_bias
from pidkit.resampling import QUANTITIES

from . import _cli
from ._records import Records, open_records
from ._timing import markdown

ATOMS = ("red", "uni_t", "uni_s", "syn")
DEFAULT_N = (450, 2000)
DEFAULT_DRAWS = 100
"""Draws per cell of the default grid: enough that no cell's decision rests on Monte Carlo noise."""
FULL_DRAWS = 20
"""Draws per cell of ``--full`` (its 80 cells at 100 draws would take hours)."""
RATIO_RESAMPLES = 400
"""Resamples of the draws behind each bias ratio's standard error."""
FULL_N = (200, 450, 1000, 2000, 5000, 10_000)
K = 10


def _normalised(p: np.ndarray) -> np.ndarray:
    return p / p.sum()


def _xor(k: int, keep: float = 0.8) -> np.ndarray:
    p = np.full((k, k, k), (1 - keep) / k)
    for t in range(k):
        for s in range(k):
            p[(t + s) % k, t, s] += keep
    return _normalised(p)


def _sum(k: int, keep: float = 0.9) -> np.ndarray:
    p = np.full((k, k, k), (1 - keep) / k)
    for t in range(k):
        for s in range(k):
            p[(t + s) // 2, t, s] += keep
    return _normalised(p)


def _copies(k: int, keep: tuple[float, float, float] = (0.8, 0.7, 0.6)) -> np.ndarray:
    def channel(q: float) -> np.ndarray:
        return np.full((k, k), (1 - q) / k) + q * np.eye(k)

    y, t, s = (channel(q) for q in keep)
    return _normalised(np.einsum("zy,zt,zs->yts", y, t, s))


def _teacher(k: int) -> np.ndarray:
    p = np.zeros((k, k, k))
    for y in range(k):
        p_t = np.full(k, 0.15 / k)
        p_t[y] += 0.85
        for t in range(k):
            p_s = np.full(k, 0.4 / k)
            p_s[t] += 0.3
            p_s[(y + 1) % k] += 0.3
            p[y, t] += p_t[t] * p_s
    return _normalised(p)


def _uninformative(k: int, keep: float = 0.8) -> np.ndarray:
    y_t = np.full((k, k), (1 - keep) / k) + keep * np.eye(k)
    return _normalised(np.repeat(y_t[:, :, None], k, axis=2))


def _dirichlet(k: int, alpha: float, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(k**3, alpha)).reshape(k, k, k)


JOINTS = {
    "xor10": lambda: _xor(K),
    "sum10": lambda: _sum(K),
    "redundant10": lambda: _copies(K),
    "teacher10": lambda: _teacher(K),
    "uninformative10": lambda: _uninformative(K),
    "dirichlet10-1": lambda: _dirichlet(K, 1.0, 1),
    "dirichlet10-0.1": lambda: _dirichlet(K, 0.1, 2),
    "xor4": lambda: _xor(4),
    "redundant4": lambda: _copies(4),
    "dirichlet4-0.5": lambda: _dirichlet(4, 0.5, 3),
    "xor3": lambda: _xor(3, 0.9),
    "copy3": lambda: _copies(3, (1.0, 0.8, 0.8)),
    "independent2": lambda: np.full((2, 2, 2), 1 / 8),
    "independent3": lambda: np.full((3, 3, 3), 1 / 27),
    "independent4": lambda: np.full((4, 4, 4), 1 / 64),
}
DEFAULT_JOINTS = ("xor10", "sum10", "redundant10", "teacher10", "uninformative10", "dirichlet10-1",
                  "dirichlet10-0.1")
FULL_JOINTS = tuple(name for name in JOINTS
                    if name not in ("xor3", "copy3") and not name.startswith("independent"))
"""Joints of ``--full``: every joint but the audit's 27-cell ones and the independent ones, as in the
full table of docs/estimate-measured.md."""


def _views(keep_t: float, keep_s: float, up_t: float = 0.0, down_s: float = 0.0, k: int = K) -> np.ndarray:
    """Y uniform; T and S independent given Y: T = Y with probability ``keep_t``, Y + 1 (mod k) with
    ``up_t``, else uniform; S = Y with ``keep_s``, Y - 1 (mod k) with ``down_s``, else uniform."""
    eye = np.eye(k)
    t_given_y = keep_t * eye + up_t * np.roll(eye, 1, axis=1) + (1 - keep_t - up_t) / k
    s_given_y = keep_s * eye + down_s * np.roll(eye, -1, axis=1) + (1 - keep_s - down_s) / k
    return _normalised(np.einsum("yt,ys->yts", t_given_y, s_given_y))


HELDOUT_JOINTS = {
    "sum10-0.75": lambda: _sum(K, 0.75),
    "sum10-0.97": lambda: _sum(K, 0.97),
    "views10-0.7": lambda: _views(0.7, 0.7),
    "near-kink10-0.01": lambda: _views(0.6, 0.6, 0.004, 0.004),
    "near-kink10-0.03": lambda: _views(0.6, 0.6, 0.0135, 0.0135),
    "near-kink10-0.1": lambda: _views(0.6, 0.6, 0.054, 0.054),
    "one-small-uni10": lambda: _views(0.7, 0.4, 0.12, 0.1),
    "dirichlet10-0.3-seed11": lambda: _dirichlet(K, 0.3, 11),
    "dirichlet10-0.03-seed12": lambda: _dirichlet(K, 0.03, 12),
    "dirichlet10-0.1-seed13": lambda: _dirichlet(K, 0.1, 13),
    "redundant10-0.9": lambda: _copies(K, (0.9, 0.85, 0.75)),
}
"""Joints of 10 x 10 x 10 cells kept out of the grid above, fixed before any estimate was measured on
them (issue 12, task 391: a held-out check of the kink pretest, ``estimate_kink --heldout``):

- exact kinks, both unique informations exactly 0 with equal channels p(y|t) = p(y|s):
  ``sum10-0.75`` and ``sum10-0.97``, ``sum10``'s construction with Y = floor((T + S) / 2) kept with
  probability 0.75 and 0.97 (0.9 there); ``views10-0.7``, Y uniform and T, S two independent copies
  of Y, each kept with probability 0.7, else uniform (the same channel twice: no synergy structure);
- near kinks, both unique informations small but not 0 (equal by symmetry): ``near-kink10-0.01``,
  ``-0.03``, ``-0.1``: Y uniform, T = Y with probability 0.6, Y + 1 with d, else uniform, and S
  independently = Y with 0.6, Y - 1 with d, else uniform, with d = 0.004, 0.0135, 0.054 chosen so
  that each unique information is 0.0095, 0.030 and 0.099 bits (d = 0 is an exact kink);
- ``one-small-uni10``: the same construction with T = Y with 0.7, Y + 1 with 0.12, and S = Y with
  0.4, Y - 1 with 0.1: Uni(Y:S\\T) about 0.02 bits next to Uni(Y:T\\S) about 1.1;
- random joints at other concentrations and seeds than the grid's: Dirichlet(0.3), seed 11;
  Dirichlet(0.03), seed 12; Dirichlet(0.1), seed 13 (the grid's ``dirichlet10-0.1`` has seed 2);
- ``redundant10-0.9``: ``redundant10``'s copies of a uniform Z kept with probability 0.9, 0.85,
  0.75 (0.8, 0.7, 0.6 there): redundancy-dominated, Uni(Y:S\\T) exactly 0.
"""


def draw_seeds(seed: int, n: int, joint: str, draws: int) -> np.ndarray:
    """Seeds of the ``draws`` samples of size ``n`` from ``joint`` (shared by the kink study)."""
    return np.random.SeedSequence([seed, n, zlib.crc32(joint.encode())]).generate_state(draws)


def _one_draw(
    p: np.ndarray, n: int, seed: int, methods: tuple[str, ...], coverage: int = 0, partitions: int = 1
) -> dict[str, dict[str, Any]]:
    """Per method: the corrected atoms and (with ``coverage`` replicates) each ci_method's intervals."""
    counts = np.random.default_rng(seed).multinomial(n, p.ravel()).reshape(p.shape)
    out: dict[str, dict[str, Any]] = {}
    for method in methods:
        try:
            fix = correct_counts(counts, method=method, random_state=seed, n_jobs=1)
        except ValueError:  # the method refuses this n
            out[method] = {"atoms": np.full(len(ATOMS), np.nan)}
            continue
        out[method] = {"atoms": np.array([fix.corrected[a] for a in ATOMS])}
        if coverage:
            statistic = PIDStatistic(counts, method=method, n_repeats=partitions)
            reps = bootstrap_replicates(statistic, coverage, random_state=seed, n_jobs=1)
            estimate = [fix.corrected[q] for q in QUANTITIES]
            reference = [fix.plugin[q] for q in QUANTITIES]
            alternative = [fix.kink_corrected[q] for q in QUANTITIES]
            out[method]["intervals"] = {
                ci: np.array(bootstrap_intervals(reps, estimate, reference, method=ci, lower=0.0,
                                                 alternative=alternative))
                for ci in CI_METHODS
            }
    return out


def _load() -> str:
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(
    joints: list[str], sizes: list[int], draws: int, seed: int, n_jobs: int | None,
    methods: tuple[str, ...] = BIAS_CORRECTIONS, coverage: int = 0, partitions: int = 1,
    out: Records | None = None,
) -> list[dict[str, Any]]:
    """Every (joint, n, method) cell of the table, as dicts (with ``"coverage"`` when measured),
    each also written to ``out`` as it is measured."""
    methods = ("none", *(m for m in methods if m != "none"))  # the plug-in is every ratio's base
    return _cli.rows_measured(
        partial(_measure, joints, sizes, draws, seed, n_jobs, methods, coverage, partitions,
                out=out or Records(None, "estimate_bias")),
        total=len(joints) * len(sizes), desc="joints x n", render=table)


def _measure(
    joints: list[str], sizes: list[int], draws: int, seed: int, n_jobs: int | None,
    methods: tuple[str, ...], coverage: int, partitions: int, rows: list[dict[str, Any]], bar: Any,
    *, out: Records,
) -> None:
    """Append :func:`run`'s rows to ``rows``, those of each (joint, n) as they are measured."""
    from joblib import Parallel, delayed

    for name in joints:
        p = JOINTS[name]()
        truth = pid(p)
        true = np.array([getattr(truth, a) for a in ATOMS])
        # intervals are clipped at 0, so a truth at -1e-12 counts as 0
        true_all = np.maximum([getattr(truth, q) for q in QUANTITIES], 0.0)
        for n in sizes:
            seeds = draw_seeds(seed, n, name, draws)
            start = time.perf_counter()
            results = Parallel(n_jobs=n_jobs)(
                delayed(_one_draw)(p, n, int(s), methods, coverage, partitions) for s in seeds
            )
            seconds = time.perf_counter() - start
            bar.update()
            plug = None
            resampled = np.random.default_rng(seeds).integers(0, len(seeds), (RATIO_RESAMPLES, len(seeds)))
            for method in methods:
                est = np.array([r[method]["atoms"] for r in results])
                bias = est.mean(axis=0) - true
                rmse = np.sqrt(((est - true) ** 2).mean(axis=0))
                total, total_rmse = float(np.abs(bias).sum()), float(rmse.sum())
                if method == "none":
                    plug = (total, total_rmse)
                    plug_est = est
                row = {
                    "joint": name, "cells": int(p.size), "n": n, "method": method,
                    "truth": true.tolist(), "bias": bias.tolist(), "rmse": rmse.tolist(),
                    "total_bias": total, "total_rmse": total_rmse,
                    "bias_ratio": total / plug[0], "rmse_ratio": total_rmse / plug[1],
                    "bias_ratio_se": bias_ratio_se(est, plug_est, true, resampled),
                    "plugin_total_bias": plug[0], "plugin_total_rmse": plug[1], "seconds": seconds,
                }
                if coverage and "intervals" in results[0][method]:
                    row["coverage"] = {}
                    for ci in CI_METHODS:
                        spans = np.array([r[method]["intervals"][ci] for r in results])
                        inside = (spans[:, :, 0] <= true_all + 1e-12) & (true_all - 1e-12 <= spans[:, :, 1])
                        row["coverage"][ci] = {
                            "coverage": inside.mean(axis=0).tolist(),
                            "width": (spans[:, :, 1] - spans[:, :, 0]).mean(axis=0).tolist(),
                        }
                rows.append(row)
                out.write(**row)


# The column of :func:`warning_rates` each rule of PluginBiasWarning (bias_warning_rule) counts in
_RULE_COLUMNS = {"i_yts": "i_yts", "uni_at_kink": "kink", None: ""}


def _warned(p: np.ndarray, n: int, seed: int) -> tuple[str, np.ndarray]:
    """Which rule of PluginBiasWarning fires on one draw (``"i_yts"``, ``"kink"`` or ``""``), as
    :func:`pidkit.estimate.bias_warning.bias_warning_rule` decides it, and the plug-in's atoms."""
    counts = np.random.default_rng(seed).multinomial(n, p.ravel()).reshape(p.shape)
    plug = pid(counts / n)
    bias = plugin_bias(counts)
    bias["uni_at_kink"] = unique_kink_bias(counts, plug.uni_t, plug.uni_s)
    atoms = np.array([getattr(plug, a) for a in ATOMS])
    return _RULE_COLUMNS[bias_warning_rule(bias, plug.i_yts, "bits")], atoms


def warning_rates(joints: list[str], sizes: list[int], draws: int, seed: int,
                  n_jobs: int | None) -> list[dict[str, Any]]:
    """Per joint and n: the share of draws each rule of PluginBiasWarning fires on, the plug-in's
    mean bias of the unique informations, and its mean largest |atom error| where it warned and
    where it did not (NaN where no draw is)."""
    from joblib import Parallel, delayed

    rows = []
    for name in joints:
        p = JOINTS[name]()
        truth = pid(p)
        true = np.array([getattr(truth, a) for a in ATOMS])
        for n in sizes:
            results = Parallel(n_jobs=n_jobs)(
                delayed(_warned)(p, n, int(s)) for s in draw_seeds(seed, n, name, draws))
            rules = np.array([rule for rule, _ in results])
            errors = np.array([atoms for _, atoms in results]) - true
            largest = np.abs(errors).max(axis=1)
            warned = rules != ""
            rows.append({
                "joint": name, "n": n, "draws": draws, "i_yts_rule": float(np.mean(rules == "i_yts")),
                "kink_rule": float(np.mean(rules == "kink")), "uni_bias": float(errors[:, 1:3].mean()),
                "error_warned": float(largest[warned].mean()) if warned.any() else float("nan"),
                "error_quiet": float(largest[~warned].mean()) if (~warned).any() else float("nan"),
            })
    return rows


def warning_table(rows: list[dict[str, Any]]) -> str:
    """:func:`warning_rates`' rows as a markdown table.

    Examples
    --------
    >>> print(warning_table([{"joint": "copy3", "n": 200, "draws": 40, "i_yts_rule": 0.0,
    ...                       "kink_rule": 0.95, "uni_bias": 0.0962, "error_warned": 0.155,
    ...                       "error_quiet": float("nan")}]).splitlines()[-1])
    | copy3 | 200 | 40 | 0.00 | 0.95 | +0.096 | 0.155 | n/a |
    """
    def number(x: float, sign: str = "") -> str:
        return "n/a" if not np.isfinite(x) else f"{x:{sign}.3f}"
    cells = [(r["joint"], str(r["n"]), str(r["draws"]), f"{r['i_yts_rule']:.2f}", f"{r['kink_rule']:.2f}",
              number(r["uni_bias"], "+"), number(r["error_warned"]), number(r["error_quiet"]))
             for r in rows]
    return markdown(("joint", "n", "draws", "warned: I(Y;T,S) rule", "kink rule", "plug-in Uni bias",
                     "largest |atom error|: warned", "quiet"), cells, left=True)


def bias_ratio_se(est: np.ndarray, plugin: np.ndarray, true: np.ndarray, resampled: np.ndarray) -> float:
    """Monte Carlo standard error of a correction's total |bias| over the plug-in's.

    ``est`` and ``plugin`` hold one row of atoms per draw (the same draws); each row of
    ``resampled`` picks draws with replacement, and the ratio is recomputed on each pick.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> plugin = 1.0 + rng.normal(0, 0.1, (100, 4))
    >>> picks = rng.integers(0, 100, (400, 100))
    >>> round(bias_ratio_se(plugin / 2, plugin, np.zeros(4), picks), 3)  # exactly half on every pick
    0.0
    >>> 0.005 < bias_ratio_se(0.5 + rng.normal(0, 0.1, (100, 4)), plugin, np.zeros(4), picks) < 0.02
    True
    """
    if not np.isfinite(est).all():
        return float("nan")
    ratios = (np.abs(est[resampled].mean(axis=1) - true).sum(axis=1)
              / np.abs(plugin[resampled].mean(axis=1) - true).sum(axis=1))
    return float(ratios.std())


def near_the_line(rows: list[dict[str, Any]], method: str, line: float = 0.5) -> list[str]:
    """The acceptance cells of ``method`` whose bias ratio is within two standard errors of ``line``.

    Examples
    --------
    >>> near_the_line([{"joint": "sum10", "n": 450, "method": "m", "bias_ratio": 0.51,
    ...                 "bias_ratio_se": 0.05}], "m")
    ['sum10 at n = 450: 0.51 +- 0.05']
    """
    return [f"{r['joint']} at n = {r['n']}: {r['bias_ratio']:.2f} +- {r['bias_ratio_se']:.2f}"
            for r in rows
            if r["method"] == method and abs(r["bias_ratio"] - line) <= 2 * r.get("bias_ratio_se", 0.0)]


def table(rows: list[dict[str, Any]]) -> str:
    """The rows as a markdown table."""
    headers = ("joint", "n", "method", "bias red", "uni_t", "uni_s", "syn", "total |bias|",
               "/ plug-in", "s.e.", "total RMSE", "/ plug-in")

    def cell(x: float) -> str:
        return "n/a" if not np.isfinite(x) else f"{x:+.3f}"

    def ratio(x: float) -> str:  # n/a, as the cells it divides, for a correction that refused the n
        return "n/a" if not np.isfinite(x) else f"{x:.2f}"

    cells = []
    for r in rows:
        if r["method"] == "none":
            truth = " ".join(f"{v:.2f}" for v in r["truth"])
            cells.append((f"{r['joint']} (truth {truth})", "", "", "", "", "", "", "", "", "", "", ""))
        cells.append(
            (
                "", str(r["n"]), r["method"], *(cell(b) for b in r["bias"]),
                cell(r["total_bias"]).lstrip("+"), ratio(r["bias_ratio"]),
                ratio(r.get("bias_ratio_se", np.nan)),
                cell(r["total_rmse"]).lstrip("+"), ratio(r["rmse_ratio"]),
            )
        )
    return markdown(headers, cells, left=True)


def coverage_table(rows: list[dict[str, Any]], confidence: float = 0.95) -> str:
    """Coverage (mean width) of the intervals per joint, n, correction and ci_method, as markdown."""
    cells = []
    for r in rows:
        for ci, cov in r.get("coverage", {}).items():
            cells.append([
                r["joint"], str(r["n"]), r["method"], ci,
                *(f"{c:.2f} ({w:.2f})" for c, w in zip(cov["coverage"], cov["width"], strict=True)),
            ])
    if not cells:
        return ""
    summary = coverage_summary(rows, confidence)
    headers = ["joint", "n", "correction", "ci_method", *QUANTITIES]
    return markdown(headers, cells, left=True) + "\n\n" + summary


def coverage_summary(rows: list[dict[str, Any]], confidence: float = 0.95) -> str:
    """Per correction and ci_method: mean coverage, worst cell and mean width over every row."""
    cells = []
    for method in dict.fromkeys(r["method"] for r in rows if "coverage" in r):
        for ci in CI_METHODS:
            cov = np.array([r["coverage"][ci]["coverage"] for r in rows if r["method"] == method])
            width = np.array([r["coverage"][ci]["width"] for r in rows if r["method"] == method])
            atoms, infos = cov[:, : len(ATOMS)], cov[:, len(ATOMS):]
            cells.append([
                method, ci, f"{atoms.mean():.2f}", f"{atoms.min():.2f}", f"{infos.mean():.2f}",
                f"{infos.min():.2f}", f"{np.abs(cov - confidence).mean():.3f}",
                f"{width[:, : len(ATOMS)].mean():.3f}", f"{width[:, len(ATOMS):].mean():.3f}",
            ])
    return markdown(
        ["correction", "ci_method", "atoms: mean coverage", "worst", "informations: mean", "worst",
         f"mean |coverage - {confidence:g}|", "mean width atoms", "informations"],
        cells,
        left=True,
    )


def add_grid_options(parser: argparse.ArgumentParser, draws: int | None = 20, draws_help: str = "") -> None:
    """Add ``--draws``, ``--n`` and ``--joints``, the grid this benchmark and ``estimate_kink`` share.

    ``draws`` is ``--draws``' default (None: decided later, said by ``draws_help``).

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_grid_options(parser)
    >>> args = parser.parse_args(["--n", "450", "--joints", "sum10"])
    >>> args.draws, args.n, args.joints
    (20, [450], ['sum10'])
    """
    parser.add_argument("--draws", type=_cli.positive_int, default=draws,
                        help=f"samples drawn per joint and n (default: {draws_help or draws})")
    parser.add_argument("--n", type=_cli.positive_int, nargs="+", help="sample sizes (default: 450 2000)")
    parser.add_argument("--joints", nargs="+", choices=sorted(JOINTS), metavar="NAME",
                        help=f"joints: {', '.join(JOINTS)} (default: the 1000-cell ones)")


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--n-jobs`` and ``--seed``, as this benchmark and ``estimate_kink`` share them.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> add_run_options(parser)
    >>> vars(parser.parse_args(["--n-jobs", "2"]))
    {'n_jobs': 2, 'seed': 0}
    """
    parser.add_argument("--n-jobs", type=_cli.n_jobs, default=-1,
                        help="joblib workers over draws (default: -1, every CPU)")
    parser.add_argument("--seed", type=_cli.nonnegative_int, default=0, help="seed of the draws (default: 0)")


QUICK = ["--joints", "xor10", "sum10", "--n", "450", "--draws", "4"]
"""``--quick``: two joints at one size, 4 draws each."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "estimate_bias", __doc__, docs="docs/estimate-measured.md",
        duration="about 12 minutes on 2 cores, 23 at load 6 (--full took 9 to 26 minutes at load 4 to 9, "
                 "--coverage 40 --draws 20 12 minutes)",
        quick=QUICK, quick_duration="about 30 s",
    )
    parser.add_argument("--full", action="store_true",
                        help="every joint but xor3 and copy3 at n = 200 ... 10000")
    add_grid_options(parser, None, f"{DEFAULT_DRAWS}; {FULL_DRAWS} with --full")
    parser.add_argument("--methods", nargs="+", choices=BIAS_CORRECTIONS, metavar="NAME",
                        help=f"corrections: {', '.join(BIAS_CORRECTIONS)} (default: all; the plug-in "
                             "is always run)")
    parser.add_argument("--coverage", type=_cli.nonnegative_int, default=0, metavar="B",
                        help="bootstrap replicates per draw for interval coverage (default: 0, off)")
    parser.add_argument("--boot-partitions", type=_cli.positive_int, default=1,
                        help="random partitions per subsample size in each replicate (default: 1)")
    parser.add_argument("--warnings", action="store_true",
                        help="measure how often each rule of PluginBiasWarning fires, and the plug-in's "
                             "atom errors where it does and does not, instead of the corrections")
    add_run_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Run the benchmark, print the table and return it."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    if args.quick and args.full:
        parser.error("--quick and --full ask for the smallest and the largest grid; give one")
    with open_records(parser, args) as out:
        joints = args.joints or list(FULL_JOINTS if args.full else DEFAULT_JOINTS)
        sizes = args.n or list(FULL_N if args.full else DEFAULT_N)
        print(
            f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, python "
            f"{platform.python_version()}, numpy {np.__version__}; load average at start {_load()}",
            flush=True,
        )
        start = time.perf_counter()
        methods = tuple(args.methods or BIAS_CORRECTIONS)
        draws = args.draws or (FULL_DRAWS if args.full else DEFAULT_DRAWS)
        if args.warnings:
            text = warning_table(warning_rates(joints, sizes, draws, args.seed, args.n_jobs))
            print(f"{text}\nPluginBiasWarning on {draws} draws per cell; {time.perf_counter() - start:.0f} s")
            return text
        rows = run(joints, sizes, draws, args.seed, args.n_jobs, methods, args.coverage,
                   args.boot_partitions, out)
        text = table(rows)
        if args.coverage:
            text += (f"\n\nCoverage of the 95 % intervals, mean width in parentheses (bits); "
                     f"{args.coverage} replicates per draw, {args.boot_partitions} partition(s) per "
                     f"subsample size in each\n\n" + coverage_table(rows))
        print(text)
        acceptance = [r for r in rows
                      if r["cells"] == 1000 and r["n"] in (450, 2000) and r["method"] != "none"]
        for method in methods:
            mine = [r for r in acceptance if r["method"] == method]
            if mine:
                held = sum(r["bias_ratio"] <= 0.5 and r["rmse_ratio"] <= 1.0 for r in mine)
                measured = " and ".join(str(n) for n in sorted({r["n"] for r in mine}))
                print(f"{method}: total |bias| <= half the plug-in's and RMSE no worse on {held} of "
                      f"{len(mine)} (joint, n) cells with 1000 cells at n = {measured}")
                for near in near_the_line(mine, method):
                    print(f"  within two Monte Carlo standard errors of 0.5, more --draws decide: {near}")
        print(f"Biases and RMSE in bits; {draws} draws per cell; {time.perf_counter() - start:.0f} s; "
              f"load average at end {_load()}")
        return text


if __name__ == "__main__":
    _cli.run(main, "estimate_bias")
