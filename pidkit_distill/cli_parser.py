"""The argument parser of ``pidkit-distill`` (:func:`get_args_parser`): its commands and their
options, one per configuration key with short names for the common ones (:data:`OPTION_ALIASES`).

The parser imports no PyTorch: the help of ``train`` and ``train-teacher`` is completed once it is
shown (the registered methods with their presets, :func:`methods_table`; the options the teacher's
run does not read, hidden), and a mistyped option is told the option it meant, or that the
command does not read the key it sets.
"""

from __future__ import annotations

import argparse
import textwrap
from collections.abc import Callable
from typing import Any, NoReturn

from pidkit import __version__
from pidkit.command_line import StrictArgumentParser
from pidkit_distill.cli_values import GivenAs, demo_epochs, key_value
from pidkit_distill.config import config_fields
from pidkit_distill.config.settings import misplaced_key_hint, misplaced_key_table, table_option
from pidkit_distill.config.teacher_keys import unused_by_teacher
from pidkit_distill.stop_lines import printing_rank

__all__ = ["OPTION_ALIASES", "get_args_parser", "methods_table"]

OPTION_ALIASES = {
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
    "run.print_every": ["--print-every"],
    "run.out_dir": ["--out-dir"],
}
"""Short names for the most used configuration keys: each key's options beside ``--KEY``."""


def _add_debug_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--debug", action="store_true",
                        help="show the Python traceback of an error instead of one line")


def _option_value(argument: str) -> bool:
    """Whether the command-line ``argument`` after an option is its value: it is no option
    (``0.5``, ``lambda2=0.5``), or a negative number, which argparse reads as a value too
    (``-1``, ``-1e-3``)."""
    if not argument.startswith("-"):
        return True
    try:
        float(argument)
    except ValueError:
        return False
    return True


class _Parser(StrictArgumentParser):
    """A :class:`~pidkit.command_line.StrictArgumentParser` whose help is completed when it is first
    formatted, by ``complete_help(parser)``: what it adds (the registered methods, which
    options the command hides) needs PyTorch, which the parsing does not, so that an option's
    mistake is reported without waiting for it. ``unread(key)`` says why the command does not
    read the configuration key ``key`` (``None`` where it does): an option's hint that would
    name such a key says so instead of "Did you mean" (``train-teacher``'s hidden options)."""

    def __init__(self, *args: Any,
                 complete_help: Callable[[argparse.ArgumentParser], None] | None = None,
                 unread: Callable[[str], str | None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._complete_help = complete_help
        self._unread = unread

    def _completed(self) -> None:
        complete, self._complete_help = self._complete_help, None
        if complete is not None:
            complete(self)

    def format_usage(self) -> str:
        self._completed()
        return super().format_usage()

    def format_help(self) -> str:
        self._completed()
        return super().format_help()

    def option_hint(self, extras: list[str]) -> str:
        """The hint for the first unknown option of ``extras``: where it names a nested table of
        another section (``--params.lambda2 0.5``, ``--data.params.x 1``), the option of that
        table, as ``--set`` is told (:func:`~pidkit_distill.config.settings.misplaced_key_hint`:
        ``'--method.params lambda2=0.5'``); where it names an entry of a table as an option of
        its own (``--method.params.lambda2 0.5``), the table's option with the entry
        (:func:`~pidkit_distill.config.settings.table_option`); else the closest option."""
        if "--method.params" not in self._option_string_actions:  # a command without the keys
            return super().option_hint(extras)
        at = next(i for i, extra in enumerate(extras) if extra.startswith("-"))
        option, given, value = extras[at].partition("=")
        parts = option.lstrip("-").split(".")
        if not given:  # its value next (--params.lambda2 0.5, or -1), or not given
            after = extras[at + 1] if at + 1 < len(extras) else None
            value = after if after is not None and _option_value(after) else "VALUE"
        kinds = {key: kind for key, _, kind, _ in config_fields()}
        table = ".".join(parts[:2])
        if kinds.get(table) is dict and len(parts) > 2:
            spelt = table_option(table, ".".join(parts[2:]), value)
            return self._unread_hint(spelt, table) or (
                f" Did you mean {spelt!r}? ({parts[1]!r} is a table: an option sets an entry of "
                "it as NAME=VALUE)")
        misplaced = misplaced_key_table(parts, kinds)
        if misplaced is not None:
            hint = misplaced_key_hint(parts, kinds, value=value) or ""  # ". Did you mean ...?"
            return self._unread_hint(table_option(*misplaced, value), misplaced[0]) or hint[1:]
        nearest = self.closest_option(option)
        if nearest is None:
            return ""
        return (self._unread_hint(nearest, self._option_string_actions[nearest].dest)
                or f" Did you mean {nearest!r}?")

    def _unread_hint(self, option: str, key: str) -> str:
        """The hint for an unknown option whose nearest ``option`` sets the configuration key
        ``key``, where this command does not read it (``unread``); else ``""``."""
        why = self._unread(key) if self._unread is not None else None
        if why is None:
            return ""
        return (f" The nearest option, {option!r}, sets {key}, which "
                f"{self.prog.rsplit(' ', 1)[-1]} does not read: {why}")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Exit with ``status``, printing ``message`` (an option's mistake) only in rank 0 under
        torchrun: every process parses the same command line, and each printed the same line."""
        super().exit(status, message if printing_rank() == 0 else None)


def _add_import_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--import", metavar="MODULE", action="append", default=[],
                        dest="imports",
                        help="import MODULE before the configuration is read, so that the "
                             "models, data sets and methods it registers can be named: a "
                             "module as `python -m` finds it (the current folder first), e.g. "
                             "my_models or mypkg.models, or a .py file (repeatable; give it "
                             "again to resume a run that uses it)")


_RESUME_HELP = (
    "continue a run from its checkpoint.pt. Alone: the run folder that the other options name "
    "(the command that started it, again, with --resume). With RUN_DIR (a run folder, or its "
    "checkpoint.pt or config.json): that run, its configuration read from RUN_DIR/config.json "
    "(but for run.stop_after: it trains to run.epochs), so that the command need not be typed "
    "again; options beside it change it where a resume may (--audit-every 5, --run.threads 1, "
    "--run.stop_after 2; any other change is refused, naming the key), and --config, "
    "--run.name and --out-dir are not taken with it. true or false (--resume false) set "
    "run.resume: a run folder of such a name is ./NAME (default: False)")


_SET_EXAMPLES = {
    "train": "--set run.epochs=3, or an entry of a table: --method kd --set "
             "method.params.temperature=2",
    "train-teacher": "--set teacher.epochs=3, or an entry of a table: --set "
                     "data.options.train_fraction=0.5",
}
"""The examples of ``--set`` in the help of each command that takes it, each accepted as
written with the defaults (``train-teacher`` refuses the student's ``run.epochs``)."""


def _add_config_options(parser: argparse.ArgumentParser, command: str) -> None:
    """The ``--config``, ``--set`` and per-key options of ``command`` (``train``,
    ``train-teacher``)."""
    parser.add_argument("--config", metavar="FILE.toml", default=None,
                        help="TOML file with [data], [model], [teacher], [method], [optim], "
                             "[run] and [audit] tables (default: none)")
    parser.add_argument("--set", metavar="KEY=VALUE", action="append", default=[],
                        dest="overrides", type=key_value,
                        help=f"override any key, e.g. {_SET_EXAMPLES[command]} (repeatable; "
                             "applied last)")
    group = parser.add_argument_group("configuration keys (each also settable with --set)")
    for key, default, kind, text in config_fields():
        names = [f"--{key}", *OPTION_ALIASES.get(key, [])]
        kw: dict = {"dest": key, "default": argparse.SUPPRESS,
                    "help": f"{text} (default: {default!r})"}
        if key == "run.resume":
            kw.update(nargs="?", const="true", metavar="RUN_DIR", help=_RESUME_HELP)
        elif kind is bool:
            kw.update(nargs="?", const="true", metavar="BOOL")
        elif kind is dict:
            kw.update(action="append", metavar="NAME=VALUE",
                      help=f"{text} (repeatable: one NAME=VALUE each) (default: {default!r})")
        else:
            kw.update(metavar=kind.__name__.upper())
        if kind is not dict:
            kw.update(action=GivenAs)
        group.add_argument(*names, **kw)


def methods_table(*, parameters: bool = False, width: int = 100) -> str:
    """The registered methods with their presets (``*`` marks the default), one per line; with
    ``parameters``, each method's parameters (of its default preset) and what each other
    preset sets otherwise.

    Examples
    --------
    >>> print(methods_table())                                    # doctest: +ELLIPSIS
    bas    presets: paper*
    ...
    rid    presets: paper-mean*, kd-rid, paper
    ...
    """
    from pidkit_distill.methods import available_methods, get_method

    lines = []
    for name in available_methods():
        method = get_method(name)
        presets = sorted(method.presets, key=lambda p: (p != method.default_preset, p))
        shown = ", ".join(p + ("*" if p == method.default_preset else "") for p in presets)
        lines.append(f"{name:<6} presets: {shown}")
        if parameters:
            default = method.make_params().to_dict()
            values = ", ".join(f"{k}={v!r}" for k, v in default.items())
            lines += textwrap.wrap(f"parameters: {values or '(none)'}", width=width,
                                   initial_indent=" " * 7, subsequent_indent=" " * 19)
            for preset in presets[1:]:
                try:
                    differ = ", ".join(f"{k}={v!r}" for k, v in
                                       method.make_params(preset=preset).to_dict().items()
                                       if default.get(k) != v) or "(the same)"
                except (ValueError, TypeError) as err:  # a registered method's preset at fault
                    differ = f"(refused: {err})"
                lines += textwrap.wrap(f"--preset {preset}: {differ}", width=width,
                                       initial_indent=" " * 7, subsequent_indent=" " * 9)
    return "\n".join(lines)


def _add_methods_table(parser: argparse.ArgumentParser) -> None:
    """Complete ``train``'s help with the registered methods and their presets."""
    parser.epilog = ("methods (--method) and their presets (--preset; * = the default); "
                     "--list-methods adds\nevery parameter, and with --import MODULE the "
                     "methods MODULE registers:\n\n" + textwrap.indent(methods_table(), "  "))


def _hide_unused_by_teacher(parser: argparse.ArgumentParser) -> None:
    """Complete ``train-teacher``'s help: the keys of a student's run that the teacher's does
    not read are parsed, to be refused or warned about, but not shown."""
    keys = {key for key, _, _, _ in config_fields()}
    for action in parser._actions:
        if action.dest in keys and unused_by_teacher(action.dest) is not None:
            action.help = argparse.SUPPRESS


def get_args_parser() -> argparse.ArgumentParser:
    """The argument parser of ``pidkit-distill`` (returned, not parsed, for reuse).

    Examples
    --------
    >>> args = get_args_parser().parse_args(["train", "--epochs", "3", "--set", "run.seed=1"])
    >>> args.command, args.overrides, vars(args)["run.epochs"]
    ('train', ['run.seed=1'], '3')
    """
    parser = _Parser(
        prog="pidkit-distill",
        description="Knowledge distillation (BAS, KD, VID, TED, RID, ...) with a live PID audit.",
    )
    parser.add_argument("--version", action="version", version=f"pidkit-distill {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    train = sub.add_parser(
        "train", help="train a student by distillation",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train a student; writes a run folder with config.json, metrics.jsonl, "
                    "audit.jsonl and checkpoint.pt. The whole configuration is checked "
                    "before any work. An interrupted run continues with "
                    "`pidkit-distill train --resume RUN_DIR` (its config.json is the "
                    "configuration), or with the command that started it and --resume.",
        complete_help=_add_methods_table,
    )
    train.add_argument("--list-methods", action="store_true",
                       help="print the registered methods, presets and parameters (with "
                            "those of the --import modules), and exit")
    _add_import_option(train)
    _add_debug_option(train)
    _add_config_options(train, "train")
    teacher = sub.add_parser("train-teacher", help="train (or reuse) a teacher and save it",
                             complete_help=_hide_unused_by_teacher, unread=unused_by_teacher,
                             description="Train the teacher model.teacher on data.name with "
                                         "teacher.epochs, teacher.lr, teacher.optimizer, "
                                         "teacher.seed (or reuse the one trained before with "
                                         "the same settings); prints the path of teacher.pt "
                                         "(use it as --teacher PATH) and its held-out accuracy. "
                                         "The student's --epochs, --seed, --optim.lr and "
                                         "--optim.optimizer are refused (set --teacher.epochs, "
                                         "--teacher.seed, --teacher.lr, --teacher.optimizer); "
                                         "its other options are ignored with a warning.")
    _add_import_option(teacher)
    _add_debug_option(teacher)
    _add_config_options(teacher, "train-teacher")
    report = sub.add_parser(
        "report", help="plots and a summary table from run folders",
        description="Draw accuracy.png, losses.png (the training loss and each of its terms), "
                    "pid_atoms.png (and pid_atoms_all_layers.png when more "
                    "than one layer was audited) and write report.md (the summary table, which "
                    "is also printed, and, where runs differ only in their seed, a table of "
                    "mean ± sd across the seeds) from run folders written by `pidkit-distill "
                    "train`. A sweep's folder (runs) stands for the run folders directly in it, "
                    "and a glob such as runs/* works: files, report folders, the teacher's "
                    "own run folders, the runs a method starts from (TED's RUN.bas-init, no "
                    "seed of your bas runs) and folders given twice are skipped with a warning, "
                    "and so is a damaged run beside runs that can be read, in a sweep's folder "
                    "or among the folders given, which report.md names (a damaged run given "
                    "alone is an error). Beside report.md, runs.csv and groups.csv hold its "
                    "tables as data.")
    report.add_argument("runs", nargs="+", metavar="RUN_DIR",
                        help="run folders (each with config.json and metrics.jsonl), or "
                             "folders holding them")
    report.add_argument("--out", default=None, metavar="DIR",
                        help="output folder, replaced file by file (default: report/ in the one "
                             "folder given, a run's or a sweep's, else beside the first run)")
    _add_debug_option(report)
    demo = sub.add_parser("demo", help="the CPU demo: a student with 100 labels and a teacher "
                                       "trained on 4,000 (synthetic nuisance task); BAS vs VID "
                                       "vs RID, trained and untrained teacher, audit and report",
                          description="Does a trained teacher help a student that has few "
                                      "labels? On the RID paper's nuisance task (synthetic, "
                                      "generated here), train a teacher MLP on all 4,000 "
                                      "training samples, then students that see 100 of them, "
                                      "with BAS, VID and RID, from that teacher and from the "
                                      "same MLP left untrained (six runs, two at a time, on the "
                                      "CPU); audit them with pidkit and print a table of their "
                                      "held-out accuracies and PID atoms. The runs, "
                                      "results.jsonl and report/ (report.md, accuracy.png, "
                                      "losses.png, pid_atoms.png) go to --out-dir. About 1 to 5 minutes on "
                                      "two cores (docs/distill.md, The demo).")
    demo.add_argument("--out-dir", default="runs/demo", metavar="DIR",
                      help="folder for the demo runs (emptied first) (default: 'runs/demo')")
    demo.add_argument("--epochs", type=demo_epochs, default=None, metavar="INT",
                      help="student epochs per run, at least 2 (default: 300, the RID paper's "
                           "schedule; at 101 or fewer the trainer scales RID's schedule to fit)")
    _add_debug_option(demo)
    return parser
