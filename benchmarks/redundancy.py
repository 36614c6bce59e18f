"""Time the exact intersection-information measures, with dit's optimisers as peers.

pidkit's ``gh`` (Griffith–Ho I_α) and ``prec`` (Blackwell redundancy) are exact: rational vertex
enumeration plus one LP. dit's ``PID_GH`` is a local optimiser over a guessed |Q| from a random
start (two runs here returned 0.1225 and 0.1053 on AND, whose exact value is
5/2 - (3/2) log2 3 = 0.122556). Each measurement runs in a child process killed at the cap
(``--cap`` seconds for all its runs): the runs finished by then give the median, and a
measurement without one is reported as skipped. Targets from the issue: I_GH on AND <= 0.1 s,
on a random 3x3x3 joint <= 10 s. I_prec alone also runs on random 5x5x5 and 10x10x10 joints (task
343: its polytope grows with the sources' symbols, so these are its moderate sizes; I_GH refuses them).

Run: ``python -m benchmarks.redundancy [--quick] [--cap SECONDS] [--repeats N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing as mp
import os
import platform
import queue
import statistics
import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from pidkit import examples
from pidkit.redundancy import redundancy

from . import _cli
from ._records import open_records
from ._timing import markdown, print_table


def _dit_pid(p: np.ndarray, name: str) -> float:
    import dit
    import dit.pid

    outcomes = [(int(t), int(s), int(y)) for y, t, s in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution(outcomes, p[np.nonzero(p)])
    return float(getattr(dit.pid, name)(d, [[0], [1]], [2]).get_pi(((0,), (1,))))


def _child(queue: Any, fn: Callable[[], Any], repeats: int) -> None:
    _cli.ignore_interrupt()
    warnings.simplefilter("ignore")
    try:
        for _ in range(repeats):
            start = time.perf_counter()
            value = fn()
            queue.put((time.perf_counter() - start, value))
    except Exception as exc:  # a peer that crashes is reported, not fatal
        queue.put((None, f"error: {type(exc).__name__}: {exc}"[:60]))


def _capped(fn: Callable[[], Any], *, repeats: int, cap: float) -> tuple[float | None, Any]:
    """Median wall time of up to ``repeats`` runs of ``fn`` in a child process, and the last value.

    The child is killed ``cap`` seconds after it starts; the runs it finished by then count. The
    time is ``None`` when none did (or ``fn`` raised: the value is then the error; or the child
    died: "no result").
    """
    ctx = mp.get_context("fork")
    results: Any = ctx.Queue()
    times, value = [], None
    deadline = time.perf_counter() + cap
    with _cli.child(ctx.Process(target=_child, args=(results, fn, repeats))) as proc:
        while len(times) < repeats and time.perf_counter() < deadline:
            try:  # in steps of at most 1 s, to notice a child that died
                seconds, value = results.get(timeout=min(deadline - time.perf_counter(), 1.0))
            except queue.Empty:
                if proc.is_alive():
                    continue
                return None, "no result"
            if seconds is None:
                return None, value
            times.append(seconds)
    return (statistics.median(times) if times else None), value


def _fmt_time(seconds: float | None, cap: float) -> str:
    return f"skipped (> {cap:g} s)" if seconds is None else f"{seconds:.4f} s"


def _bits(value: Any) -> float | None:
    """A measured value in bits, or ``None`` for a note (an error, "no result")."""
    return value if isinstance(value, float) else None


def _note(seconds: float | None, value: Any) -> str:
    """What the row says instead of a measurement: "" when there is one."""
    return "" if seconds is not None else str(value) if isinstance(value, str) else "skipped (cap)"


def _fmt_value(value: Any) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value or "-")


MEASURES = (("gh", "PID_GH"), ("prec", None), ("wedge", "PID_GK"))
"""pidkit's measure and dit's peer (None: no peer)."""

PREC_SHAPES = ((5, 5, 5), (10, 10, 10))
"""Random joints timed with I_prec only, after the others (I_GH refuses them)."""

QUICK = ["--repeats", "1", "--cap", "10"]
"""``--quick``: one run per median within 10 s (the 3x3x3 I_GH and dit's PID_GH on AND reach it)."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "redundancy", __doc__, docs="docs/theory.md",
        duration="about 5 minutes on 2 cores (dit's PID_GH on the 3x3x3 joint runs to the cap)",
        quick=QUICK, quick_duration="under a minute: the 3x3x3 I_GH, which takes 10-30 s, and dit's "
                                  "PID_GH on AND and on it are skipped at the 10 s cap",
    )
    parser.add_argument("--cap", type=_cli.positive_float, default=120.0,
                        help="seconds per measurement, all its runs (default: 120)")
    parser.add_argument("--repeats", type=_cli.positive_int, default=5,
                        help="runs per median (default: 5)")
    parser.add_argument("--seed", type=_cli.nonnegative_int, default=0,
                        help="seed of the random joint (default: 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> str:
    """Time every measure on every joint and print the table; returns its markdown."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    with open_records(parser, args) as out:
        warnings.simplefilter("ignore")
        rng = np.random.default_rng(args.seed)
        joints = {
            "AND": examples.and_(),
            "diff": examples.diff(),
            f"random 3x3x3 (seed {args.seed})": rng.dirichlet(np.ones(27)).reshape(3, 3, 3),
        }
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(
            f"# exact redundancy measures vs dit ({platform.machine()}, {os.cpu_count()} CPUs, "
            f"load average {load:.1f}, Python {platform.python_version()}); median of up to "
            f"{args.repeats} runs (dit: {min(args.repeats, 3)}) within a cap of {args.cap:g} s each\n",
            flush=True,  # shown at once, not after the run
        )
        missing = _cli.not_installed("dit", "pip install dit")
        with contextlib.suppress(ImportError):  # once here, not in each timed child (about 4 s)
            import dit.pid  # noqa: F401
        headers = ["joint", "measure", "pidkit median", "pidkit value (bits)", "dit peer", "dit median",
                   "dit value (bits)"]
        rows: list[list[str]] = []
        cases = [(name, p, *m) for name, p in joints.items() for m in MEASURES]
        for shape in PREC_SHAPES:
            name = f"random {'x'.join(map(str, shape))} (seed {args.seed})"
            cases.append((name, rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape), "prec", None))
        with _cli.shown_if_interrupted(lambda: markdown(headers, rows) if rows else ""):
            for name, p, measure, peer in _cli.progress(cases, desc="joints x measures"):
                t_ours, ours = _capped(
                    lambda p=p, m=measure: redundancy(p, measure=m), repeats=args.repeats, cap=args.cap
                )
                t_peer = None
                if peer is None:
                    peer_time, theirs = "-", "no peer run (dit's PID_Prec needs pypoman)"
                    peer_note = theirs
                elif missing:
                    peer_time, theirs, peer_note = missing, "-", missing
                else:
                    t_peer, theirs = _capped(lambda p=p, peer=peer: _dit_pid(p, peer),
                                             repeats=min(args.repeats, 3), cap=args.cap)
                    peer_time, peer_note = _fmt_time(t_peer, args.cap), _note(t_peer, theirs)
                out.write(joint=name, shape=p.shape, measure=measure, cap_seconds=args.cap,
                          pidkit_seconds=t_ours, pidkit_bits=_bits(ours), pidkit_note=_note(t_ours, ours),
                          peer=peer, peer_seconds=t_peer, peer_bits=_bits(theirs), peer_note=peer_note)
                rows.append([name, measure, _fmt_time(t_ours, args.cap), _fmt_value(ours), peer or "-",
                             peer_time, _fmt_value(theirs)])
        return print_table(headers, rows)


if __name__ == "__main__":
    _cli.run(main, "redundancy")
