"""The ``pidkit`` command: decompose a joint or a named example, and print the examples' table."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import examples
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pidkit`` command with ``argv`` (default: the process arguments)."""
    args = get_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
