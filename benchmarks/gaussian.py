"""Gaussian PID: time and accuracy against exact oracles, with the anchors' Rprop algorithm as a peer.

Systems come from :mod:`pidkit.gaussian.examples` (exact atoms by construction): scalar targets
(1, d, d), degraded channels (d, d, d), and direct sums of (2, 16, 16) units (a degraded channel
one way, one the other way, two scalar targets, repeated) mixed by random invertible maps within
Y, T and S (d/8, d, d); plus the two acceptance cases, (1, 1000, 600) and 32 x 256 x 256 (eight
(1, 8, 8) scalar targets and six (4, 32, 32) degraded channels), where ``--max-d`` reaches 1000 and
256. The scalar targets give the sums
synergy, so the anchors' final clamp of U to I(Y;T,S) cannot land on the answer by itself.

For each system: the median time of ``pidkit.gaussian_pid`` (validation, reduction, closed form,
certificate and the optimal coupling included), its largest atom error against the oracle and its
certified gap; the cvxpy SDP reference where it is small enough; and the anchors' algorithm,
re-implemented here from its description (projected Rprop sign steps on the noise coupling Sigma,
a 1e-7 ridge, no certificate, U clamped into [max(I_T, I_S), min(I_T + I_S, I_TS)] at the end),
run on the unreduced whitened channels (as described) and on pidkit's reduced ones, each for at
most ``--iterations`` steps and ``--cap`` seconds. It is a comparison peer only, not in pidkit.

A second table measures the bias of the estimator from samples: plug-in, pidkit's correction
(exact Wishart bias of the informations, corrected channels for U), and correcting U by the bias
of I(Y;T,S) instead, on repeated draws; its systems (:func:`bias_systems`) include two with tied
sources, where the correction leaves Red and Syn biased low (docs/performance.md says why).

Run: ``python -m benchmarks.gaussian [--quick] [--cap SECONDS] [--iterations N] [--repeats N]
[--seed S] [--max-d D] [--bias-reps N]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
import warnings
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import scipy.linalg as sl
from threadpoolctl import threadpool_limits

import pidkit
from pidkit.gaussian import examples
from pidkit.gaussian.examples import ATOMS, GaussianExample
from pidkit.gaussian.reduce import reduce_covariance

from . import _cli
from ._records import Records, open_records
from ._timing import markdown, median_time, print_table

LN2 = np.log(2.0)
RIDGE = 1e-7


def rprop_union(
    h_t: np.ndarray, h_s: np.ndarray, *, iterations: int, cap: float
) -> tuple[float, int, float]:
    """The anchors' method: projected Rprop on Sigma for min 1/2 log det(I + H^T N^-1 H).

    Returns (best value in nats, iterations run, seconds). N carries a ridge of 1e-7.
    """
    m, k = h_t.shape[0], h_s.shape[0]
    h = np.vstack([h_t, h_s])
    sigma = np.zeros((m, k))
    step = np.full((m, k), 1e-2)
    previous = np.zeros((m, k))
    best = np.inf
    started = time.perf_counter()
    nit = 0
    while nit < iterations:
        nit += 1
        n = np.eye(m + k) * (1.0 + RIDGE)
        n[:m, m:], n[m:, :m] = sigma, sigma.T
        l_n = sl.cholesky(n, lower=True)
        y = sl.solve_triangular(l_n, h, lower=True)
        l_a = sl.cholesky(np.eye(h.shape[1]) + y.T @ y, lower=True)
        best = min(best, float(np.sum(np.log(np.diag(l_a)))))
        z = sl.solve_triangular(l_a, sl.solve_triangular(l_n, y, lower=True, trans="T").T, lower=True)
        grad = -(z[:, :m].T @ z[:, m:])  # d/dSigma of 1/2 log det(I + H^T N^-1 H)
        agree = grad * previous
        step = np.where(agree > 0, np.minimum(step * 1.2, 1.0), np.where(agree < 0, step * 0.5, step))
        grad = np.where(agree < 0, 0.0, grad)
        sigma = sigma - np.sign(grad) * step
        u, values, vt = np.linalg.svd(sigma, full_matrices=False)
        sigma = (u * np.minimum(values, 1.0)) @ vt
        previous = grad
        if time.perf_counter() - started > cap:
            break
    return best, nit, time.perf_counter() - started


def _rprop_atoms(h_t, h_s, informations, *, iterations, cap) -> tuple[dict[str, float], int, float]:
    i_t, i_s, i_ts = informations
    union, nit, seconds = rprop_union(h_t, h_s, iterations=iterations, cap=cap)
    union = min(max(union, max(i_t, i_s)), min(i_t + i_s, i_ts))  # the anchors' final clamp
    atoms = {"red": i_t + i_s - union, "uni_t": union - i_s, "uni_s": union - i_t, "syn": i_ts - union}
    return {a: v / LN2 for a, v in atoms.items()}, nit, seconds


def _error(atoms: dict[str, float], oracle: dict[str, float]) -> float:
    return max(abs(atoms[a] - oracle[a]) for a in ATOMS)


def _mixed_sum(d: int, rng: np.random.Generator) -> GaussianExample:
    """The mixed sum (d/8, d, d): d/16 units of (2, 16, 16), degraded either way or two scalar
    targets, mixed by random invertible maps."""
    parts = []
    for i in range(d // 16):
        if i % 3 == 2:
            parts += [examples.scalar_target(8, 8, rng=rng) for _ in range(2)]
        else:
            parts.append(examples.degraded(2, 16, 16, rng=rng, swap=bool(i % 3)))
    return examples.direct_sum(parts, rng=rng)


def _acceptance_sum(rng: np.random.Generator) -> GaussianExample:
    """The acceptance case 32 x 256 x 256: eight (1, 8, 8) scalar targets and six (4, 32, 32)
    degraded channels."""
    parts = [examples.scalar_target(8, 8, rng=rng) for _ in range(8)]
    parts += [examples.degraded(4, 32, 32, rng=rng, swap=bool(i % 2)) for i in range(6)]
    return examples.direct_sum(parts, rng=rng)


def _systems(rng: np.random.Generator, max_d: int) -> list[tuple[str, Callable[[], GaussianExample]]]:
    """The systems up to ``max_d``, each with the call that builds it: built one by one as they are
    measured (in this order, from ``rng``), so that progress shows from the first (the largest
    take seconds each to build)."""
    sizes = [d for d in (2, 8, 32, 128, 512, 1024) if d <= max_d]
    out = [(f"scalar target (1, {d}, {d})", partial(examples.scalar_target, d, d, rng=rng)) for d in sizes]
    if max_d >= 1000:
        out.append(("scalar target (1, 1000, 600)", partial(examples.scalar_target, 1000, 600, rng=rng)))
    out += [(f"degraded ({d}, {d}, {d})", partial(examples.degraded, d, d, d, rng=rng)) for d in sizes]
    out += [(f"mixed sum ({d // 8}, {d}, {d})", partial(_mixed_sum, d, rng))
            for d in (32, 64, 128, 256, 512, 1024) if d <= max_d]
    if max_d >= 256:
        out.append(("mixed sum (32, 256, 256), acceptance", partial(_acceptance_sum, rng)))
    return out


def _fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f} s"


def _timing_row(name: str, ex: GaussianExample, args: argparse.Namespace, out: Records) -> list[Any]:
    """The timing table's row of one system; its raw numbers go to ``out``."""
    seconds, result = median_time(
        lambda: pidkit.gaussian_pid(ex.cov, ex.dims, strict=False), repeats=args.repeats, cap_seconds=args.cap
    )
    error = _error({a: getattr(result, a) for a in ATOMS}, ex.atoms)
    cvxpy, c_seconds, c_error = "-", None, None
    if sum(ex.dims) <= 40:
        c_seconds, ref = median_time(
            lambda: pidkit.gaussian_pid(ex.cov, ex.dims, method="cvxpy", strict=False),
            repeats=1,
            cap_seconds=args.cap,
        )
        c_error = _error({a: getattr(ref, a) for a in ATOMS}, ex.atoms)
        cvxpy = f"{_fmt(c_seconds)}, {c_error:.1e}"
    with threadpool_limits(limits=1, user_api="blas"):
        system = reduce_covariance(ex.cov, ex.dims)
    infos = (system.i_yt, system.i_ys, system.i_yts)
    peers, raw, unreduced_seconds, unreduced_capped = [], [], 0.0, ""
    for h_t, h_s in ((system.u_t @ system.h_t, system.u_s @ system.h_s), (system.h_t, system.h_s)):
        with threadpool_limits(limits=1, user_api="blas"):
            atoms, nit, r_seconds = _rprop_atoms(h_t, h_s, infos, iterations=args.iterations, cap=args.cap)
        capped = " (cap)" if nit < args.iterations else ""
        peers.append(f"{r_seconds:.2f} s{capped}, {nit} it, {_error(atoms, ex.atoms):.1e}")
        raw.append({"seconds": r_seconds, "iterations": nit, "capped": bool(capped),
                    "max_atom_error_bits": _error(atoms, ex.atoms)})
        if not unreduced_seconds:
            unreduced_seconds, unreduced_capped = r_seconds, "> " if capped else ""
    out.write(table="timing", system=name, dims=ex.dims, pidkit_seconds=seconds, max_atom_error_bits=error,
              gap_bits=result.gap, status=result.status, cvxpy_seconds=c_seconds,
              cvxpy_max_atom_error_bits=c_error, rprop_unreduced=raw[0], rprop_reduced=raw[1])
    return [
        name,
        _fmt(seconds),
        f"{error:.1e}",
        f"{result.gap:.1e}",
        result.status,
        cvxpy,
        *peers,
        f"{unreduced_capped}{unreduced_seconds / seconds:.0f}x" if seconds else "-",
    ]


def bias_systems(seed: int) -> dict[str, GaussianExample]:
    """The bias table's systems, from their own generator (seeded by ``seed``), so that they do
    not depend on ``--max-d``: one source dominating (scalar target, degraded), both in different
    directions (mixed sum), and two tied sources (equally informative in every direction), with
    a scalar and a 2-dimensional target."""
    rng = np.random.default_rng([seed, 1])
    return {
        "scalar target (1, 10, 10)": examples.scalar_target(10, 10, rng=rng),
        "degraded (3, 10, 10)": examples.degraded(3, 10, 10, rng=rng),
        "mixed sum (4, 12, 12)": examples.direct_sum(
            [examples.degraded(2, 6, 6, rng=rng), examples.degraded(2, 6, 6, rng=rng, swap=True)], rng=rng
        ),
        "tied (1, 3, 3)": examples.tied(1, 3, rng=rng),
        "tied (2, 4, 4)": examples.tied(2, 4, rng=rng),
    }


def _bias_rows(seed: int, reps: int, rows: list, out: Records) -> None:
    """Append the bias table's rows to ``rows`` (and ``out``), one per system of
    :func:`bias_systems` and n as it is measured (the draws from a generator of ``seed``)."""
    scenarios = bias_systems(seed)
    rng = np.random.default_rng([seed, 2])
    bar = _cli.progress(total=len(scenarios) * 3, desc="bias, systems x n")
    for name, ex in scenarios.items():
        root = np.linalg.cholesky(ex.cov)
        oracle = np.array([ex.atoms[a] for a in ATOMS])
        d_y, d_t, _ = ex.dims
        for n in (60, 200, 1000):
            estimates: dict[str, list[np.ndarray]] = {"plug-in": [], "pidkit": [], "U by I(Y;T,S) bias": []}
            started = time.perf_counter()
            for _ in range(reps):
                x = rng.standard_normal((n, sum(ex.dims))) @ root.T
                r = pidkit.gaussian_pid_from_samples(
                    x[:, :d_y], x[:, d_y : d_y + d_t], x[:, d_y + d_t :], strict=False
                )
                plug, bias = r.diagnostics["plug_in"], r.diagnostics["biases"]
                estimates["plug-in"].append(np.array([plug[a] for a in ATOMS]))
                estimates["pidkit"].append(np.array([getattr(r, a) for a in ATOMS]))
                i_t, i_s = plug["i_yt"] - bias["i_yt"], plug["i_ys"] - bias["i_ys"]
                union = plug["i_yt"] + plug["i_ys"] - plug["red"] - bias["i_yts"]
                i_ts = plug["i_yts"] - bias["i_yts"]
                estimates["U by I(Y;T,S) bias"].append(
                    np.array([i_t + i_s - union, union - i_s, union - i_t, i_ts - union])
                )
            per_call = (time.perf_counter() - started) / reps
            cells = []
            for values in estimates.values():
                bias_atoms = np.mean(values, axis=0) - oracle
                cells.append(f"{np.abs(bias_atoms).sum():.3f} ({', '.join(f'{b:+.3f}' for b in bias_atoms)})")
            rows.append([name, n, *cells, f"{per_call * 1e3:.1f} ms"])
            out.write(table="bias", system=name, dims=ex.dims, n=n, draws=reps, seconds_per_estimate=per_call,
                      atoms=ATOMS, bias_bits={k: np.mean(v, axis=0) - oracle for k, v in estimates.items()})
            bar.update()
    bar.close()


QUICK = ["--max-d", "32", "--bias-reps", "20", "--repeats", "3", "--cap", "10"]
"""``--quick``: d up to 32 (no acceptance cases) and 20 draws per bias cell."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "gaussian", __doc__, docs="docs/performance.md",
        duration="over 10 minutes on 2 cores (nine Rprop runs go to the 60 s cap)",
        quick=QUICK, quick_duration="under a minute",
    )
    parser.add_argument("--cap", type=_cli.positive_float, default=60.0,
                        help="seconds per timing and Rprop run (60)")
    parser.add_argument("--iterations", type=_cli.positive_int, default=1000,
                        help="Rprop iterations (1000)")
    parser.add_argument("--repeats", type=_cli.positive_int, default=5, help="runs per median (5)")
    parser.add_argument("--seed", type=_cli.nonnegative_int, default=0, help="seed of the systems (0)")
    parser.add_argument("--max-d", type=_cli.integer(2, " (the smallest systems have d = 2)"), default=1024,
                        help="largest d of the systems; the acceptance cases need 1000 and 256 (1024)")
    parser.add_argument("--bias-reps", type=_cli.nonnegative_int, default=300,
                        help="draws per bias cell (300; 0 skips)")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Print the timing table and the bias table."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    with open_records(parser, args) as out:
        warnings.simplefilter("ignore")
        rng = np.random.default_rng(args.seed)
        load = os.getloadavg()[0]
        print(
            f"# pidkit.gaussian_pid vs exact oracles and the anchors' Rprop ({platform.machine()}, "
            f"{os.cpu_count()} CPUs, load average {load:.1f}, Python {platform.python_version()}); "
            f"median of up to {args.repeats} runs, cap {args.cap:g} s, Rprop up to {args.iterations} "
            "iterations; errors and gaps in bits\n",
            flush=True,
        )
        headers = ["system", "pidkit", "max atom error", "certified gap", "status", "cvxpy SDP (time, error)",
                   "Rprop unreduced (time, iterations, error)", "Rprop reduced (time, iterations, error)",
                   "pidkit speed-up vs Rprop unreduced"]
        rows: list[list[Any]] = []
        with _cli.shown_if_interrupted(lambda: markdown(headers, rows) if rows else ""):
            for name, build in _cli.progress(_systems(rng, args.max_d), desc="systems"):
                rows.append(_timing_row(name, build(), args, out))
        print_table(headers, rows)
        if args.bias_reps:
            print(f"\n# estimator bias over {args.bias_reps} draws: sum of |mean - truth| over the four "
                  "atoms (per atom: Red, Uni_T, Uni_S, Syn), bits\n")
            bias_headers = ["system", "n", "plug-in", "pidkit (bias_correction=True)",
                            "U corrected by the bias of I(Y;T,S)", "time per estimate"]
            bias: list[list[Any]] = []
            with _cli.shown_if_interrupted(lambda: markdown(bias_headers, bias) if bias else ""):
                _bias_rows(args.seed, args.bias_reps, bias, out)
            print_table(bias_headers, bias)
        print(f"\n# load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    _cli.run(main, "gaussian")
