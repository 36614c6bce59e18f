"""Why the default correction leaves the unique informations of ``sum10`` biased, and what would not.

``sum10`` (``benchmarks.estimate_bias``) has both unique informations exactly 0 with equal channels
p(y|t) = p(y|s): the BROJA optimum sits at a kink, the plug-in's union information I* is biased like
E|noise| ~ n**-1/2, and the default extrapolation in powers of 1/n leaves about half of that in
place (``pidkit.estimate.kink_fraction``). Every other quantity is corrected as elsewhere, so the
whole question is the mean unique information U = (Uni_T + Uni_S) / 2 = I* - (I(Y;T) + I(Y;S)) / 2:
changing U by d moves both unique informations by +d and Red and Syn by -d.

This benchmark measures, on the joints and sizes of ``benchmarks.estimate_bias``:

1. the bias curve of U: its mean plug-in value minus the truth at the sizes the extrapolation sees
   (n, n/2, n/4). Only the increments between sizes can be observed; where two joints have the same
   increments but different offsets, no correction computed from these values can get both right;
2. total |bias| and total RMSE of the four atoms (as fractions of the plug-in's) when U is corrected
   by each candidate instead of the default's quadratic in 1/n:

   - ``n^-1/2 model``: the intercept of ``a + b m**-1/2 + c / m`` through the three points;
   - ``order from data``: a power law whose order comes from the ratio of the two increments
     (Aitken's delta-squared; the ratio clipped to [sqrt 2, 4], i.e. order 1/2 to 2);
   - ``bootstrap 1/n`` and ``bootstrap n^-1/2``: the bias of U from ``--boot`` plug-in resamples of
     the counts, taken as 1/n (bootstrap bias correction) or scaled as n**-1/2 (``/ (sqrt 2 - 1)``);
   - ``kink model``: the default minus ``BiasCorrection.kink`` (what the intervals also cover);
   - ``kink pretest k``: the midpoint between the default and the floor ``min(Uni_T, Uni_S) = 0``
     when the data allow a kink, i.e. when the default's smaller unique information is positive
     and at most k times the default's correction of U;
   - with ``--slow``: ``jackknife``, the delete-one jackknife of U (one solve per occupied cell);
     ``shrunk bootstrap``, the bootstrap bias of U (as 1/n) with resamples drawn from the joint
     shrunk by ``ALPHA`` pseudo-samples per cell; ``shrunk extrapolation``, the default's quadratic
     extrapolation of U computed on the same subsample tables with ``ALPHA`` added to every cell;

   and, per candidate, the bias of the smaller true unique information (what a pretest that pulls
   towards 0 costs a small Uni that is not 0);

3. with ``--coverage B``: the coverage of the default's 95 % bootstrap intervals (the default
   ``ci_method``) of the seven quantities (B replicates, each corrected as the sample was) without
   and with the kink allowance. ``python -m benchmarks.estimate_bias --coverage B`` compares the
   corrections and ``ci_method`` (always with the allowance).

Run: ``python -m benchmarks.estimate_kink [--quick] [--draws 20] [--n 450 2000] [--joints ...]
[--boot 40] [--slow] [--coverage 0] [--n-jobs -1] [--seed 0] [--heldout]``. On the shared 2-core
machine the default grid took about 5 minutes, 12 with ``--slow``, and ``--coverage 20`` added about
8. ``--heldout`` runs the joints of ``benchmarks.estimate_bias.HELDOUT_JOINTS`` instead of the grid's:
joints chosen off the grid (other exact kinks, near kinks, other Dirichlet joints) to check the
pretest's threshold, which was chosen on the grid.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np

from benchmarks.estimate_bias import (
    ATOMS,
    DEFAULT_JOINTS,
    DEFAULT_N,
    HELDOUT_JOINTS,
    JOINTS,
    add_grid_options,
    add_run_options,
    draw_seeds,
)
from pidkit import bertschinger_batch, pid
from pidkit.estimate import (
    DEFAULT_CI_METHOD,
    PIDStatistic,
    bootstrap_intervals,
    bootstrap_replicates,
    correct_counts,
    kink_fraction,
)
from pidkit.estimate.correction import DEFAULT_SUBSAMPLES, solve_tables, subsample_tables
from pidkit.resampling import QUANTITIES

from . import _cli
from ._records import Records, open_records
from ._timing import markdown

SHIFT = np.array([-1.0, 1.0, 1.0, -1.0])
"""How the four atoms move when U moves by +1."""
PRETESTS = (1.5, 2.0, 3.0)
CANDIDATES = (
    "default", "n^-1/2 model", "order from data", "bootstrap 1/n", "bootstrap n^-1/2", "kink model",
    *(f"kink pretest {k:g}" for k in PRETESTS),
)
ALPHA = 0.5
"""Pseudo-samples per cell of the shrunk joint (Jeffreys' prior)."""
N_REPEATS = 8
"""Random partitions per subsample size, as in the default correction."""
BASE_CORRECTION = "eb-extrapolation"
"""The correction every candidate starts from, the column ``default``: the quadratic in 1/n without
the kink pretest (the library's default since issue 12's task 394, ``"eb-extrapolation-kink"``, is
the candidate ``kink pretest 1.5``)."""
EVERY_JOINT = {**JOINTS, **HELDOUT_JOINTS}
"""The grid's joints and the held-out ones (``--heldout``), by name."""


def _mean_unique(i_yt: Any, i_ys: Any, i_star: Any) -> Any:
    return i_star - (np.asarray(i_yt) + np.asarray(i_ys)) / 2


def _root_model(values: np.ndarray, sizes: np.ndarray) -> float:
    design = np.stack([np.ones_like(sizes), sizes**-0.5, 1.0 / sizes], axis=1)
    return float(np.linalg.lstsq(design, values, rcond=None)[0][0])


def _order_from_data(values: np.ndarray) -> float:
    first, second = values[1] - values[0], values[2] - values[1]
    ratio = second / first if abs(first) > 1e-12 else 2.0
    ratio = min(max(ratio, math.sqrt(2.0)), 4.0)
    return float(values[0] - first / (ratio - 1.0))


def _mean_unique_of(informations: np.ndarray) -> np.ndarray:
    """U of rows (I(Y;T), I(Y;S), I(Y;T,S), I*) as :func:`solve_tables` returns them."""
    return _mean_unique(informations[..., 0], informations[..., 1], informations[..., 3])


def _shrunk(counts: np.ndarray, seed: int, n_boot: int) -> dict[str, float]:
    n = int(counts.sum())
    shrunk = (counts + ALPHA) / (n + ALPHA * counts.size)
    rng = np.random.default_rng([seed, 0x5A])
    resamples = [rng.multinomial(n, shrunk.ravel()).reshape(counts.shape) for _ in range(n_boot)]
    u_boot = float(np.nanmean(_mean_unique_of(solve_tables(resamples, "broja", "bits"))))
    u_shrunk, u_plug = _mean_unique_of(solve_tables([shrunk, counts], "broja", "bits"))
    tables = subsample_tables(counts, DEFAULT_SUBSAMPLES, N_REPEATS, seed)
    u_tables = _mean_unique_of(solve_tables([t + ALPHA for t in tables], "broja", "bits"))
    u_full = float(_mean_unique_of(solve_tables([counts + ALPHA], "broja", "bits"))[0])
    per_repeat = u_tables.reshape(N_REPEATS, sum(DEFAULT_SUBSAMPLES))
    levels = [u_full, float(np.nanmean(per_repeat[:, :2])), float(np.nanmean(per_repeat[:, 2:]))]
    sizes = np.array([n, n // 2, n // 4], dtype=float)
    return {
        "shrunk bootstrap": float(u_plug - (u_boot - u_shrunk)),
        "shrunk extrapolation": float(np.polynomial.polynomial.polyfit(1.0 / sizes, levels, 2)[0]),
    }


def _jackknife(counts: np.ndarray) -> float:
    n = int(counts.sum())
    cells = np.flatnonzero(counts.ravel())
    tables = []
    for cell in cells:
        fewer = counts.ravel().copy()
        fewer[cell] -= 1
        tables.append(fewer.reshape(counts.shape) / (n - 1))
    results = bertschinger_batch(tables, strict=False, progress=False)
    u = np.array([(r.uni_t + r.uni_s) / 2 for r in results])
    full = pid(counts / n, strict=False)
    return float(n * (full.uni_t + full.uni_s) / 2 - (n - 1) * np.sum(counts.ravel()[cells] * u) / n)


def _one_draw(p: np.ndarray, n: int, seed: int, n_boot: int, slow: bool, coverage: int) -> dict[str, Any]:
    counts = np.random.default_rng(seed).multinomial(n, p.ravel()).reshape(p.shape)
    fix = correct_counts(counts, method=BASE_CORRECTION, random_state=seed, n_jobs=1)
    sizes = np.array(fix.subsample_sizes, dtype=float)
    means = fix.subsample_means
    curve = _mean_unique(means["i_yt"], means["i_ys"], means["i_star"])
    u_default = (fix.corrected["uni_t"] + fix.corrected["uni_s"]) / 2
    u_plug = (fix.plugin["uni_t"] + fix.plugin["uni_s"]) / 2
    boot = bootstrap_replicates(PIDStatistic(counts, method="none"), n_boot, random_state=seed, n_jobs=1)
    u_boot = float(np.nanmean((boot[:, 1] + boot[:, 2]) / 2))
    gap = min(fix.corrected["uni_t"], fix.corrected["uni_s"])
    u = {
        "default": u_default,
        "n^-1/2 model": _root_model(curve, sizes),
        "order from data": _order_from_data(curve),
        "bootstrap 1/n": 2 * u_plug - u_boot,
        "bootstrap n^-1/2": u_plug - (u_boot - u_plug) / (math.sqrt(2.0) - 1.0),
        "kink model": u_default - fix.kink,
    }
    for k in PRETESTS:
        allowed = 0 < gap <= k * (u_plug - u_default)
        u[f"kink pretest {k:g}"] = u_default - gap / 2 if allowed else u_default
    if slow:
        u["jackknife"] = _jackknife(counts)
        u.update(_shrunk(counts, seed, n_boot))
    default_atoms = np.array([fix.corrected[a] for a in ATOMS])
    out = {
        "atoms": {name: default_atoms + (value - u_default) * SHIFT for name, value in u.items()},
        "plugin": np.array([fix.plugin[a] for a in ATOMS]),
        "curve": curve,
    }
    if coverage:
        statistic = PIDStatistic(counts, method=fix.method, n_repeats=1)
        reps = bootstrap_replicates(statistic, coverage, random_state=seed, n_jobs=1)
        estimate = [fix.corrected[q] for q in QUANTITIES]
        reference = [fix.plugin[q] for q in QUANTITIES]
        alternative = [fix.kink_corrected[q] for q in QUANTITIES]
        out["intervals"] = {
            DEFAULT_CI_METHOD: bootstrap_intervals(reps, estimate, reference, lower=0.0),
            f"{DEFAULT_CI_METHOD} + kink": bootstrap_intervals(
                reps, estimate, reference, lower=0.0, alternative=alternative
            ),
        }
    return out


def run(
    joints: list[str], sizes: list[int], draws: int, seed: int, n_boot: int, slow: bool,
    coverage: int, n_jobs: int | None, out: Records | None = None,
) -> list[dict[str, Any]]:
    """Per (joint, n): the bias curve of U, each candidate's bias and RMSE, and interval coverage;
    each also written to ``out`` as it is measured."""
    return _cli.rows_measured(
        partial(_measure, joints, sizes, draws, seed, n_boot, slow, coverage, n_jobs,
                out=out or Records(None, "estimate_kink")),
        total=len(joints) * len(sizes), desc="joints x n", render=tables)


def _measure(
    joints: list[str], sizes: list[int], draws: int, seed: int, n_boot: int, slow: bool,
    coverage: int, n_jobs: int | None, rows: list[dict[str, Any]], bar: Any, *, out: Records,
) -> None:
    """Append :func:`run`'s rows to ``rows``, each (joint, n) as it is measured."""
    from joblib import Parallel, delayed

    for name in joints:
        p = EVERY_JOINT[name]()
        truth = pid(p)
        true = np.array([getattr(truth, a) for a in ATOMS])
        u_true = (truth.uni_t + truth.uni_s) / 2
        for n in sizes:
            seeds = draw_seeds(seed, n, name, draws)
            results = Parallel(n_jobs=n_jobs)(
                delayed(_one_draw)(p, n, int(s), n_boot, slow, coverage) for s in seeds
            )
            bar.update()
            plug = np.array([r["plugin"] for r in results])
            plug_bias = float(np.abs(plug.mean(axis=0) - true).sum())
            plug_rmse = float(np.sqrt(((plug - true) ** 2).mean(axis=0)).sum())
            row: dict[str, Any] = {
                "joint": name, "n": n, "truth": true.tolist(), "u_true": u_true,
                "curve": (np.mean([r["curve"] for r in results], axis=0) - u_true).tolist(),
                "candidates": {}, "bias": {},
            }
            for cand in results[0]["atoms"]:
                est = np.array([r["atoms"][cand] for r in results])
                row["bias"][cand] = (est.mean(axis=0) - true).tolist()
                bias = float(np.abs(est.mean(axis=0) - true).sum())
                rmse = float(np.sqrt(((est - true) ** 2).mean(axis=0)).sum())
                row["candidates"][cand] = (bias / plug_bias, rmse / plug_rmse)
            if coverage:
                clipped = np.maximum([getattr(truth, q) for q in QUANTITIES], 0.0)
                row["coverage"] = {}
                for kind in results[0]["intervals"]:
                    spans = np.array([r["intervals"][kind] for r in results])
                    inside = (spans[:, :, 0] <= clipped + 1e-12) & (clipped - 1e-12 <= spans[:, :, 1])
                    row["coverage"][kind] = (inside.mean(axis=0).tolist(),
                                             (spans[:, :, 1] - spans[:, :, 0]).mean(axis=0).tolist())
            rows.append(row)
            out.write(**row)


def smaller_unique_bias(truth: Sequence[float], bias: Sequence[float]) -> float:
    """The bias of the smaller true unique information, from the true atoms and their biases (both in
    the order Red, Uni_T, Uni_S, Syn); where the two are equal (to 1e-9 bits), the mean of both biases.

    Examples
    --------
    >>> smaller_unique_bias([0.4, 0.9, 0.02, 0.3], [0.0, 0.05, 0.03, 0.0])
    0.03
    >>> smaller_unique_bias([0.4, 0.0, 0.0, 0.3], [0.0, 0.1, 0.2, 0.0])
    0.15000000000000002
    """
    uni_t, uni_s = truth[1], truth[2]
    if abs(uni_t - uni_s) <= 1e-9:
        return (bias[1] + bias[2]) / 2
    return bias[1] if uni_t < uni_s else bias[2]


def tables(rows: list[dict[str, Any]]) -> str:
    """The curve table, the candidates table, the bias of the smaller unique information per
    candidate and (if measured) the coverage table, as markdown."""
    curve = markdown(
        ["joint", "n", "U true", "bias of U at n", "n/2", "n/4", "increment n -> n/2", "n/2 -> n/4"],
        [[r["joint"], str(r["n"]), f"{r['u_true']:.3f}", *(f"{c:+.3f}" for c in r["curve"]),
          f"{r['curve'][1] - r['curve'][0]:+.3f}", f"{r['curve'][2] - r['curve'][1]:+.3f}"] for r in rows],
        left=True,
    )
    names = list(rows[0]["candidates"])
    cells = [[r["joint"], str(r["n"]), *(f"{r['candidates'][c][0]:.2f} / {r['candidates'][c][1]:.2f}"
                                         for c in names)] for r in rows]
    met = [sum(r["candidates"][c][0] <= 0.5 and r["candidates"][c][1] <= 1.0 for r in rows) for c in names]
    cells.append(["target met", "", *(f"{m} of {len(rows)}" for m in met)])
    candidates = markdown(["joint", "n", *names], cells, left=True)
    smaller = markdown(
        ["joint", "n", "smaller Uni", *names],
        [[r["joint"], str(r["n"]), f"{min(r['truth'][1:3]):.3f}",
          *(f"{smaller_unique_bias(r['truth'], r['bias'][c]):+.3f}" for c in names)] for r in rows],
        left=True,
    )
    out = ("Bias curve of U (mean minus truth, bits)\n\n" + curve
           + "\n\nTotal |bias| / plug-in and total RMSE / plug-in of the four atoms\n\n" + candidates
           + "\n\nBias of the smaller true unique information (mean minus truth, bits; the mean of "
           "both where they are equal)\n\n" + smaller)
    if "coverage" in rows[0]:
        cov = []
        for r in rows:
            for kind, (inside, width) in r["coverage"].items():
                cov.append([r["joint"], str(r["n"]), kind,
                            *(f"{c:.2f} ({w:.2f})" for c, w in zip(inside, width, strict=True))])
        out += ("\n\nCoverage of the 95 % intervals (mean width, bits)\n\n"
                + markdown(["joint", "n", "intervals", *QUANTITIES], cov, left=True))
    return out


QUICK = ["--joints", "sum10", "--n", "450", "--draws", "4", "--boot", "10"]
"""``--quick``: sum10 at n = 450, 4 draws of 10 resamples."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the study."""
    parser = _cli.parser(
        "estimate_kink", __doc__, docs="docs/estimate-measured.md (The kink)",
        duration="about 5 minutes on 2 cores, 12 with --slow",
        quick=QUICK, quick_duration="about 10 s",
    )
    add_grid_options(parser)
    parser.add_argument("--boot", type=_cli.positive_int, default=40,
                        help="plug-in resamples per draw (default: 40)")
    parser.add_argument("--slow", action="store_true",
                        help="add the delete-one jackknife and the corrections on a shrunk joint")
    parser.add_argument("--coverage", type=_cli.nonnegative_int, default=0, metavar="B",
                        help="bootstrap replicates per draw for interval coverage (default: 0, off)")
    parser.add_argument("--heldout", action="store_true",
                        help=f"run the held-out joints ({', '.join(HELDOUT_JOINTS)}) instead of the grid's")
    add_run_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Run the study, print the tables and return them."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    if args.heldout and args.joints:
        parser.error("--heldout runs the held-out joints and --joints names others; give one")
    joints = list(HELDOUT_JOINTS) if args.heldout else args.joints or list(DEFAULT_JOINTS)
    sizes = args.n or list(DEFAULT_N)
    for name in joints:  # every draw is corrected by BASE_CORRECTION, which refuses too few samples
        fewest = _cli.fewest_samples(EVERY_JOINT[name]().shape)
        if min(sizes) < fewest:
            parser.error(f"--n {min(sizes)} is too few samples for the joint {name}: the "
                         f"correction ({BASE_CORRECTION}) needs at least {fewest}; give a "
                         "larger --n")
    with open_records(parser, args) as out:
        print(f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs, python "
              f"{platform.python_version()}, numpy {np.__version__}; the default extrapolation leaves "
              f"{kink_fraction((450, 225, 112)):.3f} of an n^-1/2 bias", flush=True)
        start = time.perf_counter()
        text = tables(run(joints, sizes, args.draws, args.seed, args.boot, args.slow, args.coverage,
                          args.n_jobs, out))
        print(text)
        print(f"{args.draws} draws per cell, {args.boot} resamples; {time.perf_counter() - start:.0f} s")
        return text


if __name__ == "__main__":
    _cli.run(main, "estimate_kink")
