"""Time ``pidkit.bertschinger`` against its peers on random Dirichlet joints.

Peers, measured in the same run on the same joints: the same exponential-cone program solved by
cvxpy with ECOS, and dit's ``PID_BROJA(method="cone")``. A peer whose first solve exceeds the cap is
skipped and marked so. Run: ``python -m benchmarks.bertschinger [--cap SECONDS] [--repeats N]``.
"""

from __future__ import annotations

import argparse
import platform
import warnings

import numpy as np

import pidkit

from ._timing import median_time, print_table

SHAPES = [(2, 2, 2), (10, 10, 10), (10, 20, 20), (100, 10, 10), (30, 30, 30)]


def _dit_uni_t(p: np.ndarray) -> float:
    import dit
    from dit.pid import PID_BROJA

    outcomes = [(int(t), int(s), int(y)) for y, t, s in zip(*np.nonzero(p), strict=True)]
    d = dit.Distribution(outcomes, p[np.nonzero(p)])
    return float(PID_BROJA(d, [[0], [1]], [2], method="cone").get_pi(((0,),)))


def _fmt(seconds: float | None) -> str:
    return "skipped (> cap)" if seconds is None else f"{seconds * 1e3:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per peer and size (default: 60)")
    parser.add_argument("--repeats", type=int, default=5, help="solves per median (default: 5)")
    parser.add_argument("--seed", type=int, default=0, help="random joints' seed (default: 0)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    rng = np.random.default_rng(args.seed)
    print(f"# pidkit.bertschinger vs peers ({platform.processor() or platform.machine()}, "
          f"{platform.python_version()}); median of up to {args.repeats} solves, cap {args.cap:g} s\n")
    rows = []
    for shape in SHAPES:
        p = rng.dirichlet(np.ones(int(np.prod(shape)))).reshape(shape)
        t_ours, ours = median_time(lambda p=p: pidkit.bertschinger(p, strict=False),
                                   repeats=args.repeats, cap_seconds=args.cap)
        t_ecos, ecos = median_time(
            lambda p=p: pidkit.bertschinger(p, method="cvxpy", solver="ECOS", strict=False),
            repeats=args.repeats, cap_seconds=args.cap)
        try:
            t_dit, dit_uni = median_time(lambda p=p: _dit_uni_t(p), repeats=min(args.repeats, 3),
                                         cap_seconds=args.cap)
        except ImportError:
            t_dit, dit_uni = None, None
        peers = [ecos.uni_t] + ([dit_uni] if t_dit is not None and dit_uni is not None else [])
        disagreement = max(abs(ours.uni_t - v) for v in peers)
        rows.append(["x".join(map(str, shape)), _fmt(t_ours), f"{ours.gap:.1e}", ours.method,
                     _fmt(t_ecos), _fmt(t_dit), f"{disagreement:.1e}"])
    print_table(["joint", "pidkit (default)", "pidkit gap (bits)", "method", "cvxpy+ECOS",
                 "dit cone", "max |dUni_T| (bits)"], rows)


if __name__ == "__main__":
    main()
