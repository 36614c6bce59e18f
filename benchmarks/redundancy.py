"""Time the exact intersection-information measures, with dit's optimisers as peers.

pidkit's ``gh`` (Griffith–Ho I_α) and ``prec`` (Blackwell redundancy) are exact: rational vertex
enumeration plus one LP. dit's ``PID_GH`` is a local optimiser over a guessed |Q| (it returns
0.0887 on AND; the exact value is 5/2 - (3/2) log2 3 = 0.122556). Each peer runs in a child process
killed at the cap, and is reported as skipped past it. Targets from the issue: I_GH on AND
<= 0.1 s, on a random 3x3x3 joint <= 10 s.

Run: ``python -m benchmarks.redundancy [--cap SECONDS] [--repeats N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from pidkit import examples
from pidkit.redundancy import redundancy

from ._timing import median_time, print_table


def _dit_pid(p: np.ndarray, name: str) -> float:
    import dit
    import dit.pid

    outcomes = [(int(t), int(s), int(y)) for y, t, s in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution(outcomes, p[np.nonzero(p)])
    return float(getattr(dit.pid, name)(d, [[0], [1]], [2]).get_pi(((0,), (1,))))


def _child(queue: Any, fn: Callable[[], Any], repeats: int, cap: float) -> None:
    warnings.simplefilter("ignore")
    try:
        queue.put(median_time(fn, repeats=repeats, cap_seconds=cap))
    except Exception as exc:  # a peer that crashes is reported, not fatal
        queue.put((None, f"error: {type(exc).__name__}: {exc}"[:60]))


def _capped(fn: Callable[[], Any], *, repeats: int, cap: float) -> tuple[float | None, Any]:
    """median_time in a child process that is killed once it runs past ``cap`` seconds."""
    queue: Any = mp.get_context("fork").Queue()
    proc = mp.get_context("fork").Process(target=_child, args=(queue, fn, repeats, cap))
    proc.start()
    proc.join(cap * 1.05 + 1)
    if proc.is_alive():
        proc.terminate()
        proc.join()
        return None, None
    return queue.get() if not queue.empty() else (None, "no result")


def _fmt_time(seconds: float | None) -> str:
    return "skipped (> cap)" if seconds is None else f"{seconds:.4f} s"


def _fmt_value(value: Any) -> str:
    return f"{value:.6f}" if isinstance(value, float) else str(value or "-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cap", type=float, default=120.0, help="seconds per timing (default: 120)")
    parser.add_argument("--repeats", type=int, default=5, help="runs per median (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random joint (default: 0)")
    args = parser.parse_args()
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
        f"{args.repeats} runs, cap {args.cap:g} s\n"
    )
    rows = []
    for name, p in joints.items():
        for measure, peer in (("gh", "PID_GH"), ("prec", None), ("wedge", "PID_GK")):
            t_ours, ours = _capped(
                lambda p=p, m=measure: redundancy(p, measure=m), repeats=args.repeats, cap=args.cap
            )
            if peer is None:
                t_peer, theirs = None, "no peer run (dit's PID_Prec needs pypoman)"
            else:
                t_peer, theirs = _capped(
                    lambda p=p, peer=peer: _dit_pid(p, peer), repeats=min(args.repeats, 3), cap=args.cap
                )
            rows.append(
                [
                    name,
                    measure,
                    _fmt_time(t_ours),
                    _fmt_value(ours),
                    peer or "-",
                    _fmt_time(t_peer) if peer else "-",
                    _fmt_value(theirs),
                ]
            )
    print_table(
        ["joint", "measure", "pidkit median", "pidkit value (bits)", "dit peer", "dit median", "dit value"],
        rows,
    )


if __name__ == "__main__":
    main()
