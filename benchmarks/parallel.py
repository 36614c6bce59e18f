"""Time the first and the warm parallel call of small work, with and without the in-process rule.

Two pieces of small work: ``bertschinger_batch`` of 20 random 2x2x2 joints, and a 450-sample
``pid_from_representations(..., bootstrap=50)`` (3 classes, 8 and 6 features, 4 clusters). Each
row runs in a fresh Python process (spawned), so that its first call finds no joblib pool: the
first call's time, then the median of ``--repeats`` warm calls. ``n_jobs=1`` is the baseline;
``n_jobs=2`` and ``-1`` run with :data:`pidkit.parallel.SERIAL_SECONDS` as shipped ("in-process
rule") and set to 0 ("workers"), which sends every chunk to joblib's pool, as before the rule.

Run: ``python -m benchmarks.parallel [--quick] [--repeats N] [--n-jobs N ...]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from . import _cli
from ._records import open_records
from ._timing import print_table

WORK = ("batch of 20 2x2x2", "representations, bootstrap=50")
"""The pieces of small work timed, by the name in the table."""

QUICK = ["--repeats", "1", "--n-jobs", "2"]
"""``--quick``: one warm call, n_jobs 1 and 2 only."""


def _work(name: str, n_jobs: int) -> Callable[[], Any]:
    """The call timed for ``name`` (one of :data:`WORK`) with ``n_jobs``."""
    import numpy as np

    import pidkit
    from pidkit.estimate import pid_from_representations

    rng = np.random.default_rng(0)
    if name == WORK[0]:
        joints = [rng.dirichlet(np.ones(8)).reshape(2, 2, 2) for _ in range(20)]
        return lambda: pidkit.bertschinger_batch(joints, n_jobs=n_jobs)
    y = rng.integers(0, 3, 450)
    t, s = rng.normal(size=(450, 8)) + y[:, None], rng.normal(size=(450, 6))
    return lambda: pid_from_representations(y, t, s, n_clusters=4, bootstrap=50, n_jobs=n_jobs,
                                            progress=False)


def _child(results: Any, name: str, n_jobs: int, serial_seconds: float | None, repeats: int) -> None:
    """In a fresh process: the first call's seconds, then each warm call's."""
    _cli.ignore_interrupt()
    warnings.simplefilter("ignore")
    from pidkit import parallel

    if serial_seconds is not None:
        parallel.SERIAL_SECONDS = serial_seconds
    call = _work(name, n_jobs)
    for _ in range(repeats + 1):
        start = time.perf_counter()
        call()
        results.put(time.perf_counter() - start)


def _timed(name: str, n_jobs: int, serial_seconds: float | None, repeats: int) -> tuple[float, float]:
    """(first call, median warm call) of ``name`` in a fresh spawned process."""
    ctx = mp.get_context("spawn")
    results: Any = ctx.Queue()
    with _cli.child(ctx.Process(target=_child, args=(results, name, n_jobs, serial_seconds, repeats))):
        times = [results.get() for _ in range(repeats + 1)]
    return times[0], statistics.median(times[1:])


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "parallel", __doc__, docs="docs/performance.md",
        duration="about 2 minutes on 2 cores (each row starts a Python process)",
        quick=QUICK, quick_duration="about a minute",
    )
    parser.add_argument("--repeats", type=_cli.positive_int, default=3,
                        help="warm calls per median (default: 3)")
    parser.add_argument("--n-jobs", type=_cli.n_jobs, nargs="+", default=[2, -1],
                        help="the parallel n_jobs to time beside n_jobs=1 (default: 2 -1)")
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Time every piece of work at every n_jobs and print the table; returns its markdown."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    with open_records(parser, args) as out:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"# first and warm calls of small work ({platform.machine()}, {os.cpu_count()} CPUs, "
              f"load average {load:.1f}, Python {platform.python_version()}); warm: median of "
              f"{args.repeats}\n", flush=True)
        settings = [(1, None, "serial")] + [
            (n, seconds, label) for n in args.n_jobs for seconds, label in ((None, "in-process rule"),
                                                                           (0.0, "workers"))]
        headers = ["work", "n_jobs", "rule", "first call", "warm call"]
        rows: list[list[str]] = []
        for name in WORK:
            for n_jobs, seconds, label in _cli.progress(settings, desc=name):
                first, warm = _timed(name, n_jobs, seconds, args.repeats)
                out.write(work=name, n_jobs=n_jobs, rule=label, first_seconds=first, warm_seconds=warm)
                rows.append([name, str(n_jobs), label, f"{first:.3f} s", f"{warm:.3f} s"])
        return print_table(headers, rows)


if __name__ == "__main__":
    _cli.run(main, "parallel")
