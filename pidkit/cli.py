"""The ``pidkit`` command: decompose a joint or a named example, print the examples' table, and
check the RID paper's examples and theorems."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import examples, theorems
from ._result import PIDResult
from .decompose import pid

_COLUMNS = ("red", "uni_t", "uni_s", "syn", "i_yts")


def _load_joint(path: str) -> np.ndarray:
    file = Path(path)
    if not file.is_file():
        raise SystemExit(f"pidkit: no such file: {path}")
    if file.suffix == ".npy":
        return np.load(file, allow_pickle=False)
    if file.suffix == ".json":
        return np.asarray(json.loads(file.read_text()), dtype=float)
    raise SystemExit(f"pidkit: {path}: expected a .npy array or a .json nested list p[y][t][s]")


def _table(rows: dict[str, PIDResult], units: str) -> str:
    header = f"{'example':<15}" + "".join(f"{c:>10}" for c in _COLUMNS) + f"{'status':>10}{'gap':>10}"
    lines = [f"PID atoms in {units} (BROJA; T = teacher, S = student)", header, "-" * len(header)]
    for name, r in rows.items():
        values = "".join(f"{getattr(r, c):>10.6f}" for c in _COLUMNS)
        lines.append(f"{name:<15}{values}{r.status:>10}{r.gap:>10.1e}")
    return "\n".join(lines)


def _decompose(args: argparse.Namespace) -> int:
    catalogue = examples.catalogue()
    if (args.example is None) == (args.joint is None):
        raise SystemExit("pidkit decompose: give either a joint file or --example NAME")
    if args.example is not None:
        key = args.example.lower()
        if key not in catalogue:
            raise SystemExit(f"pidkit: unknown example {args.example!r}; known: {sorted(catalogue)}")
        p = catalogue[key]
    else:
        p = _load_joint(args.joint)
    try:
        result = pid(p, measure=args.measure, units=args.units, normalize=args.normalize)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"pidkit: {exc}") from exc
    print(json.dumps(result.to_dict(), indent=2) if args.json else result)
    return 0


def _examples(args: argparse.Namespace) -> int:
    results = {name: pid(p, units=args.units) for name, p in examples.catalogue().items()}
    if args.json:
        print(json.dumps({name: r.to_dict() for name, r in results.items()}, indent=2))
    else:
        print(_table(results, args.units))
    return 0


def _sizes(text: str) -> tuple[int, int, int]:
    try:
        sizes = tuple(int(v) for v in text.split(","))
    except ValueError:
        sizes = ()
    if len(sizes) != 3 or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"expected three positive integers like 2,2,3; got {text!r}")
    return sizes  # type: ignore[return-value]


def _check(args: argparse.Namespace) -> int:
    runs = {
        "examples": lambda: theorems.check_paper_examples(),
        "theorem-3.1": lambda: theorems.check_theorem_3_1(flip=args.flip, measure=args.measure),
        "theorem-3.2": lambda: theorems.check_theorem_3_2(
            n=args.n, sizes=args.sizes, sparsity=args.sparsity, random_state=args.seed
        ),
        "theorem-4.1": lambda: theorems.check_theorem_4_1(
            n=args.n, sizes=args.sizes, sparsity=args.sparsity, random_state=args.seed
        ),
    }
    names = list(runs) if args.which == "all" else [args.which]
    try:
        reports = [runs[name]() for name in names]
    except (ImportError, TypeError, ValueError) as exc:
        raise SystemExit(f"pidkit check: {exc}") from exc
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        print("\n\n".join(repr(r) for r in reports))
    return 0 if all(r.passed for r in reports) else 1


def get_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``pidkit`` command."""
    parser = argparse.ArgumentParser(prog="pidkit", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    dec = sub.add_parser("decompose", help="decompose a joint p[y,t,s] (.npy or .json) or an example")
    dec.add_argument("joint", nargs="?", help="path to a .npy array or .json nested list p[y][t][s]")
    dec.add_argument("--example", help=f"a named example: {', '.join(examples.catalogue())}")
    dec.add_argument("--measure", default="broja", help="redundancy measure (default: broja)")
    dec.add_argument("--units", choices=("bits", "nats"), default="bits", help="(default: bits)")
    dec.add_argument("--normalize", action="store_true", help="rescale a joint that does not sum to 1")
    dec.add_argument("--json", action="store_true", help="print machine-readable JSON")
    dec.set_defaults(func=_decompose)

    exa = sub.add_parser("examples", help="print the PID table of every named example")
    exa.add_argument("--units", choices=("bits", "nats"), default="bits", help="(default: bits)")
    exa.add_argument("--json", action="store_true", help="print machine-readable JSON")
    exa.set_defaults(func=_examples)

    chk = sub.add_parser(
        "check", help="check the RID paper's Examples 1-3 and Theorems 3.1, 3.2, 4.1 (exit 1 if violated)"
    )
    chk.add_argument(
        "which",
        nargs="?",
        default="all",
        choices=("all", "examples", "theorem-3.1", "theorem-3.2", "theorem-4.1"),
        help="which check to run (default: all)",
    )
    chk.add_argument("--n", type=int, default=50, help="random joints for 3.2 and 4.1 (default: 50)")
    chk.add_argument("--sizes", type=_sizes, default=(2, 2, 3), help="n_y,n_t,n_s (default: 2,2,3)")
    chk.add_argument("--sparsity", type=float, default=0.3, help="zero-cell probability (default: 0.3)")
    chk.add_argument("--seed", type=int, default=0, help="random_state of the joints (default: 0)")
    chk.add_argument("--flip", type=float, default=0.1, help="Theorem 3.1: P(Y != Z) (default: 0.1)")
    chk.add_argument("--measure", default="broja", help="Theorem 3.1: Red measure (default: broja)")
    chk.add_argument("--json", action="store_true", help="print machine-readable JSON")
    chk.set_defaults(func=_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pidkit`` command with ``argv`` (default: the process arguments)."""
    args = get_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
