"""The ``pidkit-distill`` command: ``train``, ``train-teacher``, ``report`` and ``demo``.

Every configuration key is an option (``--run.epochs 30``, ``--method.name rid``); the common
ones also have short names (``--epochs``, ``--method``, ``--teacher``, ``--device``, ``--amp``,
``--resume``, ``--audit-every``). Values are taken, in increasing priority, from the defaults,
``--config FILE.toml``, the per-key options, and ``--set section.key=value`` (repeatable; also
reaches entries of the dict keys: ``--set method.params.lam=10``).

Examples::

    pidkit-distill train --data digits --method rid --teacher trained --epochs 30
    pidkit-distill train --config rid.toml --set method.params.n_warmup=3
    torchrun --nproc_per_node 2 -m pidkit_distill train --config rid.toml
    pidkit-distill report runs/digits-rid-tt-s0 runs/digits-vid-tt-s0
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from pidkit_distill.config import TrainConfig, config_fields, load_config

__all__ = ["get_args_parser", "main"]

# Short names for the most used keys.
_ALIASES = {
    "data.name": ["--data"],
    "method.name": ["--method"],
    "method.preset": ["--preset"],
    "teacher.source": ["--teacher"],
    "run.epochs": ["--epochs"],
    "run.seed": ["--seed"],
    "run.device": ["--device"],
    "run.amp": ["--amp"],
    "run.resume": ["--resume"],
    "run.audit_every": ["--audit-every"],
    "run.out_dir": ["--out-dir"],
}


def _add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE.toml", default=None,
                        help="TOML file with [data], [model], [teacher], [method], [optim], "
                             "[run] and [audit] tables (default: none)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides",
                        help="override any key, e.g. --set run.epochs=3 or "
                             "--set method.params.lam=10 (repeatable; applied last)")
    group = parser.add_argument_group("configuration keys (each also settable with --set)")
    for key, default, kind, text in config_fields():
        names = [f"--{key}", *_ALIASES.get(key, [])]
        kw: dict = {"dest": key, "default": argparse.SUPPRESS,
                    "help": f"{text} (default: {default!r})"}
        if kind is bool:
            kw.update(nargs="?", const="true", metavar="BOOL")
        elif kind is dict:
            kw.update(action="append", metavar="NAME=VALUE")
        else:
            kw.update(metavar=kind.__name__.upper())
        group.add_argument(*names, **kw)


def get_args_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pidkit-distill`` (returned, not parsed, for reuse).

    Example
    -------
    >>> args = get_args_parser().parse_args(["train", "--epochs", "3", "--set", "run.seed=1"])
    >>> args.command, args.overrides, vars(args)["run.epochs"]
    ('train', ['run.seed=1'], '3')
    """
    parser = argparse.ArgumentParser(
        prog="pidkit-distill",
        description="Knowledge distillation (BAS, KD, VID, TED, RID, ...) with a live PID audit.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = sub.add_parser("train", help="train a student by distillation",
                           description="Train a student; writes a run folder with config.json, "
                                       "metrics.jsonl, audit.jsonl and checkpoint.pt.")
    train.add_argument("--list-methods", action="store_true",
                       help="print the registered methods and exit")
    _add_config_options(train)
    teacher = sub.add_parser("train-teacher", help="train (or reuse) a teacher and save it",
                             description="Train the teacher model.teacher on data.name with "
                                         "teacher.epochs, teacher.lr, teacher.seed; prints the "
                                         "path of teacher.pt (use it as --teacher PATH).")
    _add_config_options(teacher)
    report = sub.add_parser("report", help="plots and a summary table from run folders")
    report.add_argument("runs", nargs="+", metavar="RUN_DIR", help="run folders")
    report.add_argument("--out", default=None, metavar="DIR",
                        help="output folder (default: RUN_DIR/report for one run, else "
                             "report/ next to the runs)")
    demo = sub.add_parser("demo", help="the CPU demo: digits, BAS vs VID vs RID, trained and "
                                       "untrained teacher, audit and report")
    demo.add_argument("--out-dir", default="runs/demo", metavar="DIR",
                      help="folder for the demo runs (emptied first) (default: 'runs/demo')")
    demo.add_argument("--epochs", type=int, default=None, metavar="INT",
                      help="student epochs per run (default: the demo's own setting)")
    return parser


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Resolve defaults, ``--config``, per-key options and ``--set`` into a TrainConfig."""
    overrides: list[str] = []
    for key, _, kind, _ in config_fields():
        if key not in vars(args):
            continue
        value = vars(args)[key]
        if kind is dict:
            for item in value:
                if "=" not in item:
                    raise ValueError(f"--{key} expects NAME=VALUE, got {item!r}")
                overrides.append(f"{key}.{item}")
        else:
            overrides.append(f"{key}={value}")
    return load_config(args.config, overrides=[*overrides, *args.overrides])


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pidkit-distill``; return the exit status (2 for a bad option or config)."""
    args = get_args_parser().parse_args(argv)
    if args.command == "report":
        from pidkit_distill.report import load_run, summary_table, write_report

        try:
            runs = [load_run(p) for p in args.runs]
        except ValueError as err:
            print(f"pidkit-distill report: error: {err}", file=sys.stderr)
            return 2
        print(summary_table(runs))
        print(f"report written to {write_report(args.runs, out_dir=args.out)}")
        return 0
    if args.command == "demo":
        from pidkit_distill.demo import run_demo

        run_demo(out_dir=args.out_dir, epochs=args.epochs)
        return 0
    if args.command == "train" and args.list_methods:
        from pidkit_distill.methods import available_methods

        print("\n".join(available_methods()))
        return 0
    try:
        config = config_from_args(args)
    except (ValueError, TypeError) as err:
        print(f"pidkit-distill {args.command}: error: {err}", file=sys.stderr)
        return 2
    from pidkit_distill.trainer import train, train_teacher

    if args.command == "train-teacher":
        path = train_teacher(config)
        if int(os.environ.get("RANK", "0")) == 0:
            print(f"teacher saved to {path}")
        return 0
    summary = train(config)
    if int(os.environ.get("RANK", "0")) == 0:  # one line per run under torchrun
        print(f"last acc {summary.last_acc:.4f}, best acc {summary.best_acc:.4f} "
              f"(epoch {summary.best_epoch}); run folder {summary.run_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
