"""Time ``pidkit.bertschinger``'s native solver against its peers on random Dirichlet joints.

Peers, measured in the same run on the same joints: the reference exponential-cone program solved
by cvxpy with Clarabel and with ECOS, and dit's ``PID_BROJA(method="cone")``. Each measurement runs
in a forked child process, with BLAS on one thread, that is killed when it exceeds the cap; such a
peer is reported as skipped. Joints are "full" (Dirichlet(1) on every cell) or "half" (a random
half of the cells set to zero, then renormalised). The last two columns are the certified gap of
the cvxpy reference and |dUni(Y:T\\S)| between the native solver and that reference. The
reference is whichever of cvxpy+Clarabel and cvxpy+ECOS (both measured anyway) certified the
smaller gap: Clarabel stops
"optimal_inaccurate" at gaps up to ~6e-7 bits on some joints whatever its tolerances, and both
solvers' values lie within their gaps of the optimum, so a disagreement larger than the native
gap is the reference's error. The batch case times ``bertschinger_batch`` on 900 joints of
10x10x10 with one and two processes.

The large suite (issue 13's targets) solves each joint once per peer in a forked child and reports
its wall time, the child's peak resident memory (which includes the joint itself and pidkit's
imports), the certified gap, the support size and the time per support cell: 2x200x200,
2x700x700, 10x300x300, 100x100x100 and 3x1000x1000 Dirichlet(1) joints, and BROJA_2PID's COPY
joint of a 10,000-symbol target over 400 x 25 sources (10,000 cells in the support).

``--baseline DIR`` adds the peer "native (baseline)": the native solver of another pidkit
checkout (e.g. the main branch before a change), imported afresh in each forked child, timed on
the same joints in the same run; the speed-up column then also reads baseline time / native time.

Run: ``python -m benchmarks.bertschinger [--quick] [--suites small,large,batch] [--cap SECONDS]
[--large-cap SECONDS] [--repeats N] [--max-cells N] [--peers native,cvxpy+ECOS] [--batch N]
[--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import importlib
import multiprocessing
import os
import platform
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

import pidkit
from pidkit import bertschinger_batch
from pidkit.command_line import one_line

from . import _cli
from ._records import Records, open_records
from ._timing import markdown, print_table

SHAPES = [
    (2, 2, 2),
    (10, 10, 10),
    (10, 20, 20),
    (100, 10, 10),
    (50, 50, 10),
    (30, 30, 30),
    (100, 100, 100),
]
KINDS = ("full", "half")
LARGE = [
    ((2, 200, 200), "full"),
    ((2, 700, 700), "full"),
    ((10, 300, 300), "full"),
    ((100, 100, 100), "full"),
    ((3, 1000, 1000), "full"),
    ((10_000, 400, 25), "copy"),
]
"""Issue 13's targets: certified, <= 4 GiB peak and <= 60 s each."""
WARM_UP = 0.5
"""Seconds of untimed solves before the timed ones (at least one solve)."""


def _joint(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    if kind == "copy":  # Y = (T, S), T and S uniform and independent
        _, n_t, n_s = shape
        p = np.zeros(shape)
        t, s = np.indices((n_t, n_s)).reshape(2, -1)
        p[t * n_s + s, t, s] = 1.0 / (n_t * n_s)
        return p
    n = int(np.prod(shape))
    p = rng.dirichlet(np.ones(n))
    if kind == "half":
        p = p * (rng.permutation(n) < n // 2)
    return (p / p.sum()).reshape(shape)


def _dit_uni_t(p: np.ndarray) -> tuple[float, float, bool]:
    import dit
    from dit.pid import PID_BROJA

    outcomes = [(int(t), int(s), int(y)) for y, t, s in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution(outcomes, p[np.nonzero(p)])
    return float(PID_BROJA(d, [[0], [1]], [2], method="cone").get_pi(((0,),))), float("nan"), True


def _pidkit(**options: Any) -> Callable[[np.ndarray], tuple[float, float, bool]]:
    def solve(p: np.ndarray) -> tuple[float, float, bool]:
        r = pidkit.bertschinger(p, strict=False, **options)
        return r.uni_t, r.gap, r.success

    return solve


PEERS: dict[str, Callable[[np.ndarray], tuple[float, float, bool]]] = {
    "native": _pidkit(method="native"),
    "cvxpy+Clarabel": _pidkit(method="cvxpy", solver="CLARABEL"),
    "cvxpy+ECOS": _pidkit(method="cvxpy", solver="ECOS"),
    "dit cone": _dit_uni_t,
}
BASELINE = "native (baseline)"
MODULES = {"dit cone": ("dit", "pip install dit")}
"""The peers that need a package pidkit does not install, and how to install it."""


def other_pidkit(path: str):
    """The pidkit of the checkout at ``path``, imported in place of this one. Only for a forked
    child: it replaces every ``pidkit`` module of the process."""
    for name in [m for m in sys.modules if m == "pidkit" or m.startswith("pidkit.")]:
        del sys.modules[name]
    sys.path.insert(0, os.path.abspath(path))
    module = importlib.import_module("pidkit")
    if not os.path.abspath(module.__file__).startswith(os.path.abspath(path)):
        raise ImportError(f"--baseline {path}: imported pidkit from {module.__file__} instead")
    return module


class Baseline:
    """The native solver of another checkout, as a peer; :meth:`prepare` imports it in the
    child before any timing."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.pidkit = None

    def prepare(self) -> None:
        self.pidkit = other_pidkit(self.path)

    def __call__(self, p: np.ndarray) -> tuple[float, float, bool]:
        r = self.pidkit.bertschinger(p, method="native", strict=False)
        return r.uni_t, r.gap, r.success


def _child(conn, solve, p, repeats: int, budget: float, warm_up: bool) -> None:
    # One BLAS thread for the whole child, every peer alike: OpenBLAS's thread pool does not
    # survive fork(), and rebuilding it made a forked child's first solves several times slower
    # than the same solves in a fresh process (the native solver pins BLAS to one thread anyway).
    _cli.ignore_interrupt()
    with threadpool_limits(limits=1, user_api="blas"):
        _measure_child(conn, solve, p, repeats, budget, warm_up)


def _measure_child(conn, solve, p, repeats: int, budget: float, warm_up: bool) -> None:
    warnings.simplefilter("ignore")
    times, cpu, value = [], [], None
    try:
        getattr(solve, "prepare", lambda: None)()
        start = time.perf_counter()
        # Untimed: imports, cvxpy's one-off compilation of the program, and the first solves of a
        # forked child, which run several times slower than later ones (copy-on-write faults).
        while warm_up and time.perf_counter() - start < WARM_UP:
            solve(p)
        spent = time.perf_counter() - start
        for _ in range(repeats):
            start, start_cpu = time.perf_counter(), time.process_time()
            value = solve(p)
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
            if spent + sum(times) > budget:
                break
        conn.send((times, cpu, value, _peak_gib(), None))
    except Exception as exc:  # a peer's failure is reported in the table, not raised
        conn.send((times, cpu, value, _peak_gib(), f"{type(exc).__name__}: {exc}"))


def _peak_gib() -> float:
    """This process's peak resident memory, in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def measure(solve, p: np.ndarray, *, repeats: int, cap: float, warm_up: bool) -> dict[str, Any]:
    """Median wall (and CPU) time of ``solve(p)`` in a forked child, killed after ``cap`` s.

    With ``warm_up``, untimed solves come first (at least one, for at least :data:`WARM_UP`
    seconds); they count against the cap.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, solve, p, repeats, cap * 0.75, warm_up))
    with _cli.child(proc):
        child.close()
        if not parent.poll(cap):
            return {"time": None, "note": f"skipped (> {cap:g} s)"}
        try:
            times, cpu, value, peak, error = parent.recv()
        except EOFError:  # the child died without a word: killed for its memory, or crashed
            proc.join()
            return {"time": None, "note": f"failed (exit code {proc.exitcode})"}
    if error is not None or not times:
        return {"time": None, "note": f"failed ({(error or 'no result').split(':')[0]})", "peak": peak}
    return {
        "time": statistics.median(times),
        "cpu": statistics.median(cpu),
        "uni_t": value[0],
        "gap": value[1],
        "certified": value[2],
        "peak": peak,
        "note": "",
    }


def _fmt_time(m: dict[str, Any]) -> str:
    if m["time"] is None:
        return m["note"]
    t = m["time"]
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def _speedup(native: dict[str, Any], peer: dict[str, Any]) -> str:
    if native["time"] is None or peer["time"] is None:
        return "-"
    ratio = peer["time"] / native["time"]
    return f"{ratio:.2f}x" if ratio < 10 else f"{ratio:.0f}x"


def _raw(m: dict[str, Any]) -> dict[str, Any]:
    """A measurement of :func:`measure` for ``--jsonl``: seconds, bits, GiB; ``None`` where none."""
    return {"seconds": m["time"], "cpu_seconds": m.get("cpu"), "uni_t_bits": m.get("uni_t"),
            "gap_bits": m.get("gap"), "certified": m.get("certified"), "peak_gib": m.get("peak"),
            "note": m["note"]}


def _batch_rows(seed: int, n: int, baseline: str | None, rows: list, out: Records) -> None:
    """Append the batch case's rows to ``rows`` (and ``out``), one per run as it is measured."""
    rng = np.random.default_rng(seed)
    ps = rng.dirichlet(np.ones(1000), size=n).reshape(n, 10, 10, 10)
    bertschinger_batch(ps[:2])  # warm-up of this process (threadpool controller, caches)
    runs = [("native", 1, "1"), ("native", 2, "2 (cold: starts workers)"),
            ("native", 2, "2 (warm workers)")]
    if baseline:
        runs.append((BASELINE, 1, "1"))
    for solver, n_jobs, label in _cli.progress(runs, desc="batch"):
        if solver == BASELINE:
            outcome = _in_child(_baseline_batch, baseline, ps)
            if isinstance(outcome, str):  # the other checkout failed: say how, in the table
                rows.append([f"{n} x 10x10x10", solver, label, outcome, *["-"] * 5])
                out.write(suite="batch", joints=n, shape=(10, 10, 10), solver=solver, n_jobs=n_jobs,
                          run=label, seconds=None, note=outcome)
                continue
            elapsed, cpu, results = outcome
        else:
            start, start_cpu = time.perf_counter(), time.process_time()
            results = [(r.success, r.gap, r.method)
                       for r in bertschinger_batch(ps, n_jobs=n_jobs, progress=False, strict=False)]
            elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        certified = sum(success for success, _, _ in results)
        worst = max(gap for _, gap, _ in results)
        methods = sorted({method for _, _, method in results})
        out.write(suite="batch", joints=n, shape=(10, 10, 10), solver=solver, n_jobs=n_jobs, run=label,
                  seconds=elapsed, cpu_seconds=cpu if n_jobs == 1 else None, certified=certified,
                  worst_gap_bits=worst, methods=methods, note="")
        rows.append(
            [f"{n} x 10x10x10", solver, label, f"{elapsed:.2f} s",
             f"{cpu:.2f} s" if n_jobs == 1 else "-", f"{elapsed / n * 1e3:.2f} ms",
             f"{certified}/{n}", f"{worst:.1e}", ",".join(methods)]
        )


def _baseline_batch(path: str, ps: np.ndarray):
    """Serial batch of the other checkout's pidkit (in a forked child): wall, CPU, results."""
    module = other_pidkit(path)
    module.bertschinger_batch(ps[:2])
    start, start_cpu = time.perf_counter(), time.process_time()
    results = module.bertschinger_batch(ps, progress=False, strict=False)
    return time.perf_counter() - start, time.process_time() - start_cpu, results


def _in_child(fn, *args):
    """``fn(*args)`` in a forked child with BLAS on one thread: ``(wall, CPU, results)``, the
    results as (success, gap, method) triples; or a note ``"failed (...)"`` when it raised (an
    older checkout without an argument used here) or died without a word."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)

    def run():
        _cli.ignore_interrupt()
        try:
            with threadpool_limits(limits=1, user_api="blas"):
                elapsed, cpu, results = fn(*args)
            child.send((elapsed, cpu, [(r.success, r.gap, r.method) for r in results]))
        except Exception as exc:
            text, kind = one_line(exc), type(exc).__name__  # one_line gives the kind if no text
            child.send(f"failed ({text if text == kind else f'{kind}: {text}'})")

    with _cli.child(ctx.Process(target=run)) as proc:
        child.close()
        try:
            return parent.recv()
        except EOFError:  # killed for its memory, or crashed
            proc.join()
            return f"failed (exit code {proc.exitcode})"


def _small_rows(args, peers: dict[str, Callable], absent: dict[str, str], rng: np.random.Generator,
                rows: list, out: Records) -> None:
    """Append the small suite's rows to ``rows`` (and ``out``), one per joint as it is measured; a
    peer left out of ``peers`` reads ``absent``'s note for it, or "not run"."""
    baseline = BASELINE in peers
    cases = [(shape, kind) for shape in SHAPES if int(np.prod(shape)) <= args.max_cells for kind in KINDS]
    for shape, kind in _cli.progress(cases, desc="small suite, joints"):
        p = _joint(rng, shape, kind)
        big = p.size > 10**5
        m = {
            name: measure(
                peers[name], p, repeats=1 if big else args.repeats,
                cap=args.big_cap if big else args.cap, warm_up=not big,
            )
            if name in peers else {"time": None, "note": absent.get(name, "not run")}
            for name in (*PEERS, BASELINE)
        }
        out.write(suite="small", shape=shape, kind=kind, cells=p.size,
                  solvers={name: _raw(m[name]) for name in m if name != BASELINE or baseline})
        native = m["native"]
        references = [name for name in ("cvxpy+Clarabel", "cvxpy+ECOS") if m[name]["time"]]
        if native["time"] is None or not references:
            delta, ref_gap = "-", "-"
        else:
            name = min(references, key=lambda k: m[k]["gap"])
            reference = m[name]
            delta = f"{abs(native['uni_t'] - reference['uni_t']):.1e}"
            ref_gap = f"{reference['gap']:.1e} ({name.split('+')[1]})"
        gap = "-" if native["time"] is None else f"{native['gap']:.1e}"
        speedups = [k for k in (BASELINE, "cvxpy+Clarabel", "cvxpy+ECOS", "dit cone")
                    if k != BASELINE or baseline]
        rows.append(
            ["x".join(map(str, shape)), kind, _fmt_time(native), _fmt_cpu(native), gap,
             *([_fmt_time(m[BASELINE]), _fmt_cpu(m[BASELINE])] if baseline else []),
             _fmt_time(m["cvxpy+Clarabel"]), _fmt_time(m["cvxpy+ECOS"]),
             _fmt_time(m["dit cone"]),
             " / ".join(_speedup(native, m[k]) for k in speedups),
             ref_gap, delta]
        )


def _fmt_cpu(m: dict[str, Any]) -> str:
    return "-" if m["time"] is None else _fmt_time({"time": m["cpu"]})


def _support(p: np.ndarray) -> int:
    p_yt, p_ys = p.sum(axis=2), p.sum(axis=1)
    return int(((p_yt > 0)[:, :, None] & (p_ys > 0)[:, None, :]).sum())


def _large_rows(args, peers: dict[str, Callable], rng: np.random.Generator, rows: list,
                out: Records) -> None:
    """Append the large suite's rows to ``rows`` (and ``out``), one per joint and solver as it is
    measured."""
    names = [name for name in ("native", BASELINE, "cvxpy+Clarabel", "cvxpy+ECOS") if name in peers]
    bar = _cli.progress(total=len(LARGE) * len(names), desc="large suite, joints x solvers")
    for shape, kind in LARGE:
        p = _joint(rng, shape, kind)
        cells = _support(p)
        label = f"{'COPY ' if kind == 'copy' else ''}{'x'.join(map(str, shape))}"
        for name in names:
            m = measure(peers[name], p, repeats=1, cap=args.large_cap, warm_up=False)
            out.write(suite="large", shape=shape, kind=kind, support_cells=cells, solver=name, **_raw(m))
            if m["time"] is None:
                rows.append([label, f"{cells:,}", name, m["note"], "-", "-",
                             f"{m['peak']:.2f}" if m.get("peak") else "-", "-", "-", "-"])
            else:
                rows.append([label, f"{cells:,}", name, _fmt_time(m), _fmt_cpu(m),
                             f"{m['time'] / cells * 1e6:.2f}", f"{m['peak']:.2f}",
                             "yes" if m["certified"] else "no", f"{m['gap']:.1e}",
                             f"{m['uni_t']:.9f}"])
            bar.update()
        del p
    bar.close()


QUICK = ["--suites", "small,batch", "--max-cells", "1000", "--repeats", "3", "--batch", "100",
         "--peers", "native,cvxpy+Clarabel,cvxpy+ECOS"]
"""``--quick``: the joints of up to 1000 cells and a batch of 100, without dit (seconds a solve)."""


def get_parser() -> argparse.ArgumentParser:
    """Command-line options of the benchmark."""
    parser = _cli.parser(
        "bertschinger", __doc__, docs="docs/performance.md",
        duration="about 20 minutes for the small suite and the batch on an idle 2-core machine, "
                 "and several more for the large suite (each solve is capped: --cap, --big-cap, "
                 "--large-cap)",
        quick=QUICK, quick_duration="about 1 minute",
    )
    parser.add_argument("--suites", type=_cli.names(("small", "large", "batch")),
                        default="small,large,batch",
                        help="comma-separated: small, large, batch (default: all)")
    parser.add_argument("--cap", type=_cli.cap_seconds, default=60.0,
                        help="seconds per peer and joint (60)")
    parser.add_argument("--repeats", type=_cli.positive_int, default=5,
                        help="solves per median (default: 5)")
    parser.add_argument("--seed", type=_cli.nonnegative_int, default=0,
                        help="random joints' seed (default: 0)")
    smallest = min(SHAPES, key=np.prod)
    cells = int(np.prod(smallest))
    why = f" (the smallest joint, {' x '.join(map(str, smallest))}, has {cells} cells)"
    parser.add_argument("--max-cells", type=_cli.integer(cells, why), default=10**6,
                        help="small suite: skip larger joints (10^6)")
    parser.add_argument("--batch", type=_cli.nonnegative_int, default=900,
                        help="joints in the batch case (900; 0 skips it)")
    parser.add_argument(
        "--big-cap", type=_cli.cap_seconds, default=90.0,
        help="cap for small-suite joints of more than 10^5 cells, timed once without warm-up (90)",
    )
    parser.add_argument("--large-cap", type=_cli.cap_seconds, default=120.0,
                        help="cap per peer and joint of the large suite (120)")
    parser.add_argument(
        "--peers", type=_cli.names(PEERS), default=",".join(PEERS),
        help=f"comma-separated solvers to time, native among them (default: all of {','.join(PEERS)})",
    )
    parser.add_argument(
        "--baseline", metavar="DIR",
        help="also time the native solver of the pidkit checkout in DIR (e.g. the main branch) on "
             "the same joints, as the peer 'native (baseline)'",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the chosen suites and print their tables."""
    parser = get_parser()
    args = _cli.parse_args(parser, argv, QUICK)
    if "native" not in args.peers:
        parser.error(f"--peers must include native, which every peer is compared with; got "
                     f"{','.join(sorted(args.peers))!r}")
    if "batch" in args.suites and args.batch:
        _cli.check_memory(parser, f"--batch {args.batch}", 2 * args.batch * 1000 * 8,
                          "the batch's 10x10x10 joints and their solutions, as float64,")
    missing = {name: _cli.not_installed(*MODULES[name]) for name in args.peers & MODULES.keys()}
    peers = {name: PEERS[name] for name in args.peers if not missing.get(name)}
    if args.baseline is not None:
        if not args.baseline.strip():  # an unset shell variable: '--baseline "$DIR"'
            parser.error("--baseline is empty; give a pidkit checkout (DIR/pidkit/__init__.py), or "
                         "leave --baseline out to time this checkout's solver alone")
        if not os.path.isfile(os.path.join(args.baseline, "pidkit", "__init__.py")):
            parser.error(f"--baseline must be a pidkit checkout (DIR/pidkit/__init__.py); got "
                         f"{args.baseline!r}")
        peers[BASELINE] = Baseline(args.baseline)
    with open_records(parser, args) as out:
        warnings.simplefilter("ignore")
        rng = np.random.default_rng(args.seed)
        load = os.getloadavg()
        print(
            f"# pidkit.bertschinger native solver vs peers, {datetime.now(timezone.utc):%Y-%m-%d %H:%M}"
            f" UTC\n# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()},"
            f" load average {load[0]:.1f}; median of up to {args.repeats} solves after {WARM_UP:g} s of"
            f" warm-up solves, cap {args.cap:g} s; joints over 10^5 cells: one solve, cap"
            f" {args.big_cap:g} s; large suite: one solve, cap {args.large_cap:g} s",
            flush=True,
        )
        baseline = ["baseline", "baseline CPU"] if args.baseline else []
        ratios = "baseline / " if args.baseline else ""
        suites = [
            ("small", lambda rows: _small_rows(args, peers, missing, rng, rows, out),
             ["joint", "kind", "native", "native CPU", "native gap (bits)", *baseline,
              "cvxpy+Clarabel", "cvxpy+ECOS", "dit cone", f"speed-up ({ratios}Clarabel / ECOS / dit)",
              "reference gap (bits)", "|dUni_T| native vs reference (bits)"]),
            ("large", lambda rows: _large_rows(args, peers, rng, rows, out),
             ["joint", "support cells", "solver", "time", "CPU", "us per cell", "peak RSS (GiB)",
              "certified", "gap (bits)", "Uni(Y:T\\S) (bits)"]),
            ("batch", lambda rows: _batch_rows(args.seed, args.batch, args.baseline, rows, out),
             ["batch", "solver", "n_jobs", "total", "CPU", "per joint", "certified", "worst gap (bits)",
              "method"]),
        ]
        for suite, measure_rows, headers in suites:
            if suite not in args.suites or (suite == "batch" and not args.batch):
                continue
            rows: list[list[str]] = []
            with _cli.shown_if_interrupted(lambda h=headers, r=rows: "\n" + markdown(h, r) if r else ""):
                measure_rows(rows)
            print()
            print_table(headers, rows)
        load = os.getloadavg()
        print(f"\n# load average at the end {load[0]:.1f}")


if __name__ == "__main__":
    _cli.run(main, "bertschinger")
