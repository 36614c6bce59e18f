"""The ``pidkit-distill`` command: ``train``, ``train-teacher``, ``report`` and ``demo``.

Every configuration key is an option (``--run.epochs 30``, ``--method.name rid``); the common
ones also have short names (``--epochs``, ``--method``, ``--teacher``, ``--device``, ``--amp``,
``--resume``, ``--audit-every``, ``--print-every``). Values are taken, in increasing priority,
from the defaults, ``--config FILE.toml``, the per-key options, and ``--set section.key=value``
(repeatable; also reaches entries of the dict keys: ``--method kd --set method.params.temperature=2``).

A mistake in the options or the configuration (an unknown key, method, preset or parameter, a
bad value, a missing or unfitting teacher file, missing CIFAR data, an unwritable run folder, a
checkpoint of another configuration) is found before any work and reported as one line on stderr
with exit status 2, as argparse does (whose own errors are one line too, pointing to
``--help``); so is data that the run cannot train on, found when it loads it (float64 inputs
from a loader of the user's, a damaged CIFAR file), and a file the check read that the run finds
changed when it reads it again (a teacher file replaced or removed since). ``--debug`` shows the
traceback instead.
A failure during training (a loss that becomes NaN, memory running out) exits with status 1
and one line saying in which epoch and step it happened and what was saved. Ctrl-C exits
with status 130, and SIGTERM (``kill``, ``timeout``, a scheduler's pre-emption) with 143, each
with one line saying which epoch it interrupted, what the checkpoint holds and how to resume
(the demo first ends its worker processes). Warnings are one line each.

``--import MODULE`` (``train`` and ``train-teacher``; repeatable) imports a module of the
user's, as ``python -m`` finds it, or a ``.py`` file, before the configuration is read, so
that the models, data sets and methods it registers can be named. The command imports
PyTorch only once a command needs it: its help, its option mistakes, the configuration's
values and, without ``--import``, a name that is none of the package's data sets, models or
methods are reported without waiting for it (``train``'s help and ``--list-methods`` need it:
the methods' presets and parameters are those of their classes).

Examples::

    pidkit-distill train --data digits --method rid --teacher trained --epochs 30
    pidkit-distill train --config rid.toml --set method.params.warmup_epochs=3
    pidkit-distill train --import my_models --data my-data --model.student my-net
    torchrun --nproc_per_node 2 -m pidkit_distill train --config rid.toml
    pidkit-distill report runs/digits-rid-tt-s0 runs/digits-vid-tt-s0
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pidkit.command_line import end_closed_output, one_line, one_line_warnings
from pidkit_distill.atomic_files import check_folder_can_be_made
from pidkit_distill.cli_parser import OPTION_ALIASES, get_args_parser, methods_table
from pidkit_distill.cli_values import (
    apply_option_values,
    check_option_type,
    load_config_file,
    name_errors_as_typed,
    named_option,
    resumed_run_dir,
    run_folder_config,
)
from pidkit_distill.config import TrainConfig, config_fields
from pidkit_distill.config.settings import hinted_key
from pidkit_distill.name_check import check_builtin_names
from pidkit_distill.signals import exit_status, interrupts_deferred, sigterm_interrupts
from pidkit_distill.stop_lines import (
    checked_by_each_process,
    failure_under,
    interrupted_line,
    printing_rank,
    reader_gone_line,
    say,
    say_stop,
    student_at_chance_line,
    train_end_line,
)
from pidkit_distill.table_entries import check_one_entry
from pidkit_distill.user_modules import import_user_modules

__all__ = ["config_from_args", "get_args_parser", "main", "methods_table"]


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """Resolve defaults, ``--config``, per-key options and ``--set`` into a TrainConfig.

    ``--resume RUN_DIR`` takes the place of the defaults and ``--config``: the configuration
    that the run folder's ``config.json`` records (:func:`run_folder_config`), the options
    applied on top of it and checked, as every resume is, against the run's checkpoint.

    A value of the wrong type, or out of its range, is refused naming where it came from: the
    ``--config`` file, or the option as typed (``--epochs``, ``--run.epochs``, ``--set ...``).
    """
    overrides: list[str] = []
    given_as = getattr(args, "given_as", {})
    typed: list[tuple[str, str, str]] = []  # (key, value, option), each checked for its type
    run_dir = resumed_run_dir(args)  # --resume RUN_DIR: the run's config.json, options on top
    for key, _, kind, _ in config_fields():
        if key not in vars(args) or (key == "run.resume" and run_dir is not None):
            continue
        value = vars(args)[key]
        if kind is dict:
            for item in value:
                if "=" not in item:
                    raise ValueError(f"--{key} expects NAME=VALUE, got {item!r}")
                check_one_entry(key, item, option=f"--{key}")
                overrides.append(f"{key}.{item}")
        else:
            overrides.append(f"{key}={value}")
            typed.append((key, value, given_as.get(key, f"--{key}")))
    typed += [(*(part.strip() for part in item.split("=", 1)), "--set") for item in args.overrides]
    tables = [key for key, _, kind, _ in config_fields() if kind is dict]
    for item in args.overrides:
        table = next((table for table in tables if item.startswith(f"{table}.")), None)
        if table is not None:
            check_one_entry(table, item.removeprefix(f"{table}."), option="--set")
    config = load_config_file(args.config) if run_dir is None else \
        run_folder_config(args, run_dir)
    for key, value, option in typed:
        check_option_type(key, value, option)
    return apply_option_values(args, config, [*overrides, *args.overrides])


class _Failure(Exception):
    """An error to report as one line with an exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pidkit-distill``; return the exit status.

    0: done. 2: a mistake in the options or the configuration, found before any work, or in
    the data or a file the check read, found when the run loads it (one line on stderr). 1:
    training failed (one line saying where and what was saved). 130 (Ctrl-C) or 143
    (SIGTERM): interrupted, one line saying what was saved and how to go on.
    141 (128 + SIGPIPE): the reader of the output went away (``| head``). ``--debug`` raises
    instead, with the traceback; a process of a torchrun run whose process group is alive
    prints that traceback and ends with the status, as below. Warnings are one line each. A
    package of the ``distill`` or ``vision`` extra that is not installed is one line naming the
    extra, exit 2.

    Called as the command (``argv`` not given: ``pidkit-distill``, ``python -m
    pidkit_distill``, each process of a torchrun), a process whose run failed with its
    process group left alive (torchrun's processes) ends at once with its status, once its
    output is flushed and its ``atexit`` handlers have run: it does not return, so that
    Python's finalization, which can abort such a process (exit -6 in torchrun's summary
    instead of the status; pytorch/pytorch#190489), never runs. A process of one, and a call
    with ``argv`` (from Python), return the status.
    """
    try:
        status = _main(argv, as_command=argv is None)
    except ModuleNotFoundError as err:
        if err.name not in _EXTRA_OF:
            raise
        say(f"pidkit-distill: error: this command needs {err.name}, which is not installed; "
             f"install it with: pip install 'pidkit[{_EXTRA_OF[err.name]}]'")
        return 2
    if argv is None and status != 0 and "torch.distributed" in sys.modules:
        from pidkit_distill.training.runtime import end_failed_process

        end_failed_process(status)  # returns where no process group is alive
    return status


_EXTRA_OF = {"torch": "distill", "filelock": "distill", "matplotlib": "distill",
             "tomli": "distill", "torchvision": "vision"}
"""The extra of setup.cfg that installs each optional package the commands import."""


def _main(argv: Sequence[str] | None, *, as_command: bool) -> int:
    """:func:`main` with every optional package installed (``as_command``: ``argv`` was not
    given, this process is the command's)."""
    args = get_args_parser().parse_args(argv)
    with one_line_warnings(f"pidkit-distill {args.command}", say=say):
        try:
            with sigterm_interrupts():
                return _run(args)
        except _Failure as failure:
            if args.debug:  # the error with its traceback, and those of its own causes
                cause = failure.__cause__
                assert cause is not None  # a _Failure is raised from the error it reports (_failing)
                _end_for_debug(cause, failure.status, as_command=as_command)
                raise cause from cause.__cause__
            say_stop(args.command, str(failure), failure.__cause__)
            return failure.status
        except KeyboardInterrupt as interrupt:
            if args.debug:
                _end_for_debug(interrupt, exit_status(interrupt), as_command=as_command)
                raise
            failed = failure_under(interrupt)  # torchrun's SIGTERM as the failure came here
            if isinstance(failed, _Failure):
                say_stop(args.command, str(failed), failed.__cause__)
                return failed.status
            say_stop(args.command, interrupted_line(args.command, interrupt), interrupt)
            return exit_status(interrupt)
        except BrokenPipeError as gone:  # `| head` exited: stop, and say so where it can be read
            if args.debug:
                _end_for_debug(gone, 141, as_command=as_command)  # 128 + SIGPIPE
                raise
            status = end_closed_output()
            say_stop(args.command, reader_gone_line(
                args.command, listing=getattr(args, "list_methods", False)), None)
            return status


def _end_for_debug(error: BaseException, status: int, *, as_command: bool) -> None:
    """``--debug`` in a process of a torchrun run (``as_command``, its process group alive):
    ``error``'s traceback, as Python prints an error raised out of the command (torch's hook
    names the rank), then the process ended with ``status``, the command's without
    ``--debug``, as :func:`main` ends it
    (:func:`~pidkit_distill.training.runtime.end_failed_process`). Raised instead, the error
    ended the process through Python's finalization with the group alive, which can abort it
    (exit -6 in torchrun's summary instead of 1 or 2; pytorch/pytorch#190489). Elsewhere (one
    process, a call from Python) it returns, and the caller raises ``error``."""
    distributed = sys.modules.get("torch.distributed")
    if not (as_command and distributed is not None and distributed.is_available()
            and distributed.is_initialized()):
        return
    from pidkit_distill.training.runtime import end_failed_process

    sys.excepthook(type(error), error, error.__traceback__)
    end_failed_process(status)


def _run(args: argparse.Namespace) -> int:
    """Dispatch one command; user errors become :class:`_Failure`. PyTorch is imported only
    once the command needs it, so that what can be checked without it is reported at once."""
    if args.command == "report":
        from pidkit_distill.run_folders.files import read_run_config
        from pidkit_distill.run_folders.records import read_runs, starting_student_of
        from pidkit_distill.run_folders.search import runs_in

        held = {given: runs_in(Path(given).expanduser()) for given in args.runs}
        with _failing("error", 2):  # a folder that is not a run, or a run's file that is a folder
            runs, damaged = read_runs(args.runs)  # a damaged run beside readable ones left out
        shown = {Path(run.path).resolve() for run in runs}  # the table's runs
        left_out = {Path(run.path).resolve() for run in damaged}
        for given, folders in held.items():  # read: on stderr, so that `> table.md` is the table
            if folders != [Path(given).expanduser()]:
                distinct = {folder.resolve() for folder in folders}  # a link to a run is it
                read = len(distinct & shown)
                broken = len(distinct & left_out)
                skipped = distinct - shown - left_out  # beside students: teachers', TED's start
                starting = sorted(folder.name for folder in skipped
                                  if starting_student_of(read_run_config(folder)))
                teachers = len(skipped) - len(starting)
                print(f"{given}: {read} run folder{'' if read == 1 else 's'}"
                      + (f"; {broken} damaged run folder{'' if broken == 1 else 's'} left out"
                         if broken else "")
                      + (f"; {teachers} teacher's run folder{'' if teachers == 1 else 's'} "
                         "skipped" if teachers else "")
                      + (f"; {len(starting)} run folder{'' if len(starting) == 1 else 's'} "
                         f"that a run starts from skipped ({', '.join(starting[:3])}"
                         f"{', ...' if len(starting) > 3 else ''})" if starting else ""),
                      file=sys.stderr, flush=True)
        from pidkit_distill.atomic_files import FileWriteError
        from pidkit_distill.report import default_out_dir, group_table, summary_table, write_report

        with _failing("error", 2), _failing("report not written", 1, FileWriteError):
            path = write_report(runs, out_dir=args.out or default_out_dir(args.runs, runs),
                                left_out=damaged)
        seeds_table = group_table(runs)
        if seeds_table:
            print(seeds_table, end="\n\n")
        print(summary_table(runs))
        print(f"report written to {path}, its tables as data beside it: runs.csv, groups.csv")
        return 0
    if args.command == "demo":
        from pidkit_distill.demo import run_demo
        from pidkit_distill.training import TrainingError

        # its own mistakes (out_dir, epochs) are ValueErrors; a full disk is the machine's
        with _failing("training failed", 1, TrainingError, OSError), \
                _failing("error", 2, ValueError, TypeError):
            run_demo(out_dir=args.out_dir, epochs=args.epochs)
        return 0
    with checked_by_each_process(), _failing("error", 2, ImportError):
        import_user_modules(args.imports)
    if args.command == "train" and args.list_methods:
        print(methods_table(parameters=True))
        return 0
    with _failing("error", 2, ValueError, TypeError, OSError):
        if args.command == "train-teacher":
            _check_teacher_options(args)
        config = config_from_args(args)
        check_folder_can_be_made(config.run.out_dir, *named_option(args, "run.out_dir"))
        if not args.imports:  # then the package's own names are the only ones
            with name_errors_as_typed(args, config):
                check_builtin_names(config, teacher_only=args.command == "train-teacher")
    from pidkit_distill.training import TrainingError, check_config, train, train_teacher
    from pidkit_distill.training.joining import JoinTimeout
    from pidkit_distill.training.loaders import DataError
    from pidkit_distill.training.rundir import RunFolderBusy
    from pidkit_distill.training.teacher import read_teacher_for_run

    # a registered data set is loaded by the check: memory running out there is the run's failure
    with checked_by_each_process(), _failing("training failed", 1, TrainingError), _failing(
            "error", 2, ValueError, TypeError, OSError), name_errors_as_typed(args, config):
        checked = check_config(config, teacher_only=args.command == "train-teacher")
    # a run that started with another on its folder stops at the folder's lock, before any
    # work: the same one-line error as check_config's; so does data that the run cannot train
    # on, found when it is loaded (float64 inputs from a loader of the user's), and a file that
    # changed since the check (a DataError, naming it); so do processes of a run that never all
    # met (RANK and WORLD_SIZE left set in a shell). Any other ValueError is the run's failure
    with _failing("training failed", 1, TrainingError, ValueError, OSError), \
            _failing("error: run.out_dir", 2, RunFolderBusy), \
            _failing("error", 2, DataError, JoinTimeout):
        if args.command == "train-teacher":
            path = train_teacher(checked)
        else:
            summary = train(checked)
    if printing_rank() == 0:  # one line per run under torchrun
        if args.command == "train-teacher":
            # the teacher's run, as its training: memory running out, a file it cannot read
            with _failing("training failed", 1, TrainingError, ValueError, OSError):
                accuracy = read_teacher_for_run(path, cached=True).get("test_acc")
            print(f"teacher: {path}" + ("" if accuracy is None else
                                                f" (held-out accuracy {accuracy:.4f})"))
        else:
            print(train_end_line(summary, epochs=config.run.epochs,
                                 stop_after=config.run.stop_after,
                                 early_stop=config.run.early_stop), flush=True)
            if at_chance := student_at_chance_line(summary, epochs=config.run.epochs,
                                                   data=config.data.name,
                                                   teacher=config.teacher.source,
                                                   lr=config.optim.lr):
                print(at_chance, file=sys.stderr, flush=True)  # the run finished: exit 0
    return 0


def _check_teacher_options(args: argparse.Namespace) -> None:
    """Refuse a student's option that has a teacher's counterpart (``--epochs``: the user meant
    ``--teacher.epochs``) and warn about the others the teacher's run does not read.

    Only the command line is checked: a ``--config`` file shared with ``train`` holds them all.

    A ``--set`` of an unknown key whose nearest key is one the teacher's run does not read
    (``params.lambda2``, nearest ``method.params.lambda2``) is refused saying so, instead of
    the hint ``train`` gives, which would name a key that ``train-teacher`` ignores.

    Raises
    ------
    ValueError
        ``--run.epochs``, ``--run.seed`` or ``--optim.lr`` (or their ``--set`` forms) was given,
        or a ``--set`` of an unknown key nearest to a key the teacher's run does not read.
    """
    from pidkit_distill.config.teacher_keys import TEACHER_KEYS, unused_by_teacher

    given = [(key, "/".join([f"--{key}", *OPTION_ALIASES.get(key, [])]))
             for key, _, _, _ in config_fields() if key in vars(args)]
    given += [(item.split("=", 1)[0].strip(), f"--set {item}") for item in args.overrides]
    kinds = {key: kind for key, _, kind, _ in config_fields()}
    for key, option in given:
        nearest = hinted_key(key, kinds)
        why_not = None if nearest is None else unused_by_teacher(nearest)
        if why_not is not None:
            raise ValueError(f"{option}: unknown config key {key!r}. The nearest key, "
                             f"{nearest!r}, is read by train (the student's run), not by "
                             f"train-teacher: {why_not}")
        why = unused_by_teacher(key)
        if why is not None and key in TEACHER_KEYS:
            raise ValueError(f"{option} is the student's, not used by train-teacher; pass "
                             f"--{TEACHER_KEYS[key]}")
        if why is not None:
            warnings.warn(f"{option} is not used by train-teacher: {why}", UserWarning,
                          stacklevel=2)


@contextmanager
def _failing(label: str, status: int, *kinds: type[Exception]) -> Iterator[None]:
    """Turn exceptions of ``kinds`` (default: ValueError, TypeError, OSError) into a one-line
    :class:`_Failure` with exit ``status``; also one that ended a run and that an interrupt
    replaced as it left (:func:`~pidkit_distill.stop_lines.failure_under`)."""
    caught = kinds or (ValueError, TypeError, OSError)
    try:
        yield
    except BrokenPipeError:  # no failure of the work: its output's reader went away
        raise
    except caught as err:
        with interrupts_deferred():  # an interrupt now comes once the failure is made
            raise _Failure(f"{label}: {one_line(err)}", status) from err
    except KeyboardInterrupt as interrupt:  # torchrun's SIGTERM as a failure of the run left it
        failed = failure_under(interrupt)
        if not isinstance(failed, caught):
            raise
        raise _Failure(f"{label}: {one_line(failed)}", status) from failed


if __name__ == "__main__":
    raise SystemExit(main())
