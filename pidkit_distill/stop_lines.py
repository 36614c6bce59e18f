"""The one line ``pidkit-distill`` prints on stderr when a command stops, once under torchrun,
and the lines that end ``pidkit-distill train``.

:func:`say_stop` decides which process prints why a command stopped (the first to stop, or one
whose cause is its own); :func:`interrupted_line` and :func:`reader_gone_line` say what an
interrupt, or the output's reader going away, left behind and how to go on; :func:`train_end_line`
ends a run that trained, and :func:`student_at_chance_line` warns under it of a student that
ended at chance. None of them imports
PyTorch: a run that stopped has imported it already, and one that did not needs nothing from it.

Examples
--------
>>> from pidkit_distill.stop_lines import reader_gone_line
>>> reader_gone_line("report")[:60]
'stopped: the reader of its output went away (as `| head` doe'
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from pidkit.command_line import say_on_stderr
from pidkit_distill.chance import chance_paragraph, ends_at_chance, highest_record, run_trained
from pidkit_distill.launcher_env import check_rendezvous, rank_from_env, world_size_from_env
from pidkit_distill.signals import errors_under

if TYPE_CHECKING:  # imports PyTorch, which the command imports only once a command needs it
    from pidkit_distill.run_folders.summary import RunSummary
    from pidkit_distill.training.stop_records import FirstStop

__all__ = ["checked_by_each_process", "failure_under", "interrupted_line", "printing_rank",
           "reader_gone_line", "say", "say_stop", "student_at_chance_line", "train_end_line"]


def say(line: str) -> None:
    """Print ``line`` on stderr, once under torchrun (rank 0)."""
    if printing_rank() == 0:
        print(line, file=sys.stderr, flush=True)


def printing_rank() -> int:
    """``RANK`` as torchrun sets it (0 outside torchrun), read without importing PyTorch; 0
    where it is no whole number, or where no torchrun started this process (``RANK`` and
    ``WORLD_SIZE`` left set without ``MASTER_ADDR``): this process's error is then that
    (:func:`~pidkit_distill.training.check_config` names it), which it prints."""
    try:
        check_rendezvous()
        return rank_from_env()
    except ValueError:
        return 0


def say_stop(command: str, text: str, error: BaseException | None) -> None:
    """Print why ``command`` stopped (``error``: its cause) on stderr, once per cause under
    torchrun: in the process that stopped first, named when it is not rank 0, since rank 0 may
    be unable to print (killed by torchrun while it waited for the GPU, or by the OOM-killer);
    and in a later one whose error is its own (:func:`_own_stop`), named, so that its cause is
    not lost. The others stopped with the first (:class:`~pidkit_distill.PeerStopped`, the
    same error, the same interrupt) and print nothing. Where the first is not known (one
    process; an interrupt or the output's reader gone before the processes met), rank 0 prints
    it. Where stderr's reader has gone too (``2>&1 | head``; ``| tee`` ended by the same
    Ctrl-C), stderr is pointed at the null device instead, so that the command's exit status
    stays its own (a :class:`BrokenPipeError` let through here made it 1).

    Under torchrun, a process that stops before the processes have met with an error of
    :func:`checked_by_each_process` (its check of the configuration failed: its copy of a file
    is damaged, an ``--import`` failed in it alone) has no first stop to read: it records its
    error in the store of torchrun's agent
    (:func:`~pidkit_distill.training.stop_records.record_stop_before_meeting`) and says it,
    named, where no process stopped before it with the same error; the others, ended by
    torchrun's SIGTERM as they waited to meet it, read it there and say nothing, where they
    said that they were interrupted. Without that store (a run started by srun or by hand) each
    process says its own such error, named. A mistake on the command line, the same in every
    process, stays rank 0's."""
    rank = printing_rank()
    first = _first_stop(rank, error)
    if first is None and rank != 0 and not (getattr(error, _CHECKED_HERE, False)
                                            and _before_meeting()):
        return
    # a first stop is known only of an error (_first_stop)
    if first is not None and error is not None and first.rank != rank and not _own_stop(error, first):
        return
    first_rank = 0 if first is None else first.rank
    where = "" if rank == first_rank == 0 else (
        f" (rank {rank} of {os.environ.get('WORLD_SIZE', '?')})")
    say_on_stderr(f"pidkit-distill {command}{where}: {text}")


@contextmanager
def checked_by_each_process() -> Iterator[None]:
    """A block in which each process of a torchrun run checks what may be its own (its copy of
    a file, the modules it imports) before the processes meet: an error raised out of it, and
    the error that caused it (the command's one-line failure is raised from its cause), is
    marked so, and where no store of torchrun's agent can say which process stopped first,
    :func:`say_stop` prints it in a process other than rank 0 too, named."""
    try:
        yield
    except Exception as error:
        for found in (error, error.__cause__):
            if found is not None:
                setattr(found, _CHECKED_HERE, True)
        raise


_CHECKED_HERE = "_pidkit_distill_checked_here"
"""The attribute of an error that :func:`checked_by_each_process` marks (exceptions take no
weak references, so no table can key them)."""


def _first_stop(rank: int, error: BaseException | None) -> FirstStop | None:
    """The first process to stop in the run that ``error`` ended, as the run recorded it, or,
    before the processes met, as the store of torchrun's agent holds it (``error``, found by
    :func:`checked_by_each_process`, recorded there where it came first); ``None`` where none
    is known."""
    # a run that stopped recorded the first process to stop; none ran without the module
    records = sys.modules.get("pidkit_distill.training.stop_records")
    first = records.first_stop_of(error) if records is not None and error is not None else None
    interrupted = isinstance(error, KeyboardInterrupt)
    if not (interrupted or getattr(error, _CHECKED_HERE, False)) or os.environ.get(
            "TORCHELASTIC_USE_AGENT_STORE") != "True" or not _before_meeting():
        return first
    from pidkit_distill.training import stop_records  # PyTorch: only under torchrun

    if interrupted:  # torchrun's SIGTERM, where another process's check failed
        return stop_records.stop_before_meeting() or first
    assert error is not None  # marked by checked_by_each_process: an error
    return first or stop_records.record_stop_before_meeting(rank, error)


def _before_meeting() -> bool:
    """Whether this process is one of several that have not met yet (torchrun's ``WORLD_SIZE``
    above 1, no :func:`~pidkit_distill.training.joining.join_processes` returned)."""
    try:
        several = world_size_from_env() > 1
    except ValueError:  # no whole number: the configuration's check says so, in one process
        return False
    joining = sys.modules.get("pidkit_distill.training.joining")
    return several and not (joining is not None and joining.processes_met())


def _own_stop(error: BaseException, first: FirstStop) -> bool:
    """Whether ``error``, with which this process stopped after ``first`` (the
    :class:`~pidkit_distill.training.stop_records.FirstStop` of another process), has a cause of its
    own: not :class:`~pidkit_distill.PeerStopped` (it stopped because ``first`` did), not an
    interrupt (a Ctrl-C or a scheduler's SIGTERM reaches every process), and not ``first``'s
    own cause (an error every process raises together: a NaN loss, a busy run folder, memory
    running out in every process, each in its own step:
    :func:`~pidkit_distill.training.stop_records.stop_cause`)."""
    peer_stopped = getattr(sys.modules.get("pidkit_distill.training"), "PeerStopped", ())
    if isinstance(error, (KeyboardInterrupt, peer_stopped)):
        return False
    return sys.modules["pidkit_distill.training.stop_records"].stop_cause(error) != first.cause


def failure_under(interrupt: KeyboardInterrupt) -> BaseException | None:
    """The error that ended a run and was still on its way to the command's line when
    ``interrupt`` came, or ``None``: the first error, no interrupt, that was being handled where
    ``interrupt`` was raised (:func:`~pidkit_distill.signals.errors_under`) and whose first stop
    is recorded (:func:`~pidkit_distill.training.runtime.first_stop`), itself or as the cause of
    the command's one-line failure. Under torchrun, once a process has died (``kill -9``, the
    OOM-killer) torchrun sends SIGTERM to the others, which may come as the survivor reports its
    own failure; taken for an interrupt it replaced the failure, and the survivor, the first to
    stop, printed nothing (its interrupt was not the recorded stop). In one process no stop is
    recorded: ``None``."""
    records = sys.modules.get("pidkit_distill.training.stop_records")
    if records is None:  # no run has started
        return None
    for error in errors_under(interrupt):
        recorded = records.first_stop_of(error) or (
            error.__cause__ is not None and records.first_stop_of(error.__cause__))
        if recorded and not isinstance(error, KeyboardInterrupt):
            return error
    return None


def interrupted_line(command: str, interrupt: KeyboardInterrupt) -> str:
    """What an interrupt of ``command`` left, and how to go on."""
    # an interrupted demo raised DemoInterrupted, an interrupted run TrainingInterrupted, an
    # interrupted wait for a run's other processes JoinInterrupted; without their module
    # imported (or while it is imported) none can have run, and importing it now would take
    # seconds
    interrupted = (getattr(sys.modules.get("pidkit_distill.demo"), "DemoInterrupted", ()),
                   getattr(sys.modules.get("pidkit_distill.training"), "TrainingInterrupted", ()),
                   getattr(sys.modules.get("pidkit_distill.training.joining"), "JoinInterrupted",
                           ()))
    if isinstance(interrupt, interrupted):
        return str(interrupt)
    if command == "demo":
        return ("interrupted before its runs began (none was started): run the demo again to "
                "start over (it empties its --out-dir first)")
    return "interrupted while no epoch was running (nothing was left half-done): rerun the same command"


def reader_gone_line(command: str, *, listing: bool = False) -> str:
    """What stopping ``command`` because its output's reader went away left, and how to go on
    (``listing``: it printed the methods, ``--list-methods``, and ran nothing)."""
    if listing:
        return ("stopped: the reader of its output went away (as `| head` does) before the list "
                "of methods ended; nothing was run: send the output to a file or through "
                "`less` to read all of it")
    if command == "demo":
        left = "its runs were stopped: run the demo again"
    elif command == "report":
        left = "the report was written in full before its table was printed"
    elif command == "train-teacher":
        left = ("the teacher's run keeps its checkpoint.pt of the last completed epoch, and "
                "rerunning the same command continues it")
    else:
        left = ("a run keeps its checkpoint.pt of the last completed epoch, and rerunning the "
                "same command with --resume continues it")
    return (f"stopped: the reader of its output went away (as `| head` does); {left}; send the "
            "output to a file or through `tee` to keep it running")


def train_end_line(summary: RunSummary, *, epochs: int, stop_after: int, early_stop: int) -> str:
    """The last line of ``pidkit-distill train`` (stdout): the last and best accuracy, where
    the best epoch was chosen (on the held-out set itself, so optimistic, or on the validation
    split of ``data.val_fraction``), the run folder, and, for a run short of its ``epochs``,
    why: ``run.early_stop`` (finished) or ``run.stop_after`` (to continue with ``--resume``).

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill import RunSummary
    >>> done = RunSummary(0.9844, 0.9822, 5, Path("runs/x"), [], epochs_done=10,
    ...                   selected_on="validation", best_val_acc=0.9926, stopped_early_at=10)
    >>> print(train_end_line(done, epochs=30, stop_after=0, early_stop=5))
    last acc 0.9844, best acc 0.9822 (epoch 5; chosen on the validation split, val_acc 0.9926); \
run folder runs/x; stopped early after epoch 10 of 30 (run.early_stop=5): the run is finished
    >>> cut = RunSummary(0.5, 0.75, 1, Path("runs/y"), [], epochs_done=2)
    >>> print(train_end_line(cut, epochs=6, stop_after=2, early_stop=0))
    last acc 0.5000, best acc 0.7500 (epoch 1; chosen on the held-out set, so optimistic); \
run folder runs/y; stopped after epoch 2 of 6 (run.stop_after=2): rerun with --resume to continue
    """
    chosen = ("chosen on the held-out set, so optimistic" if summary.best_val_acc is None else
              f"chosen on the validation split, val_acc {summary.best_val_acc:.4f}")
    stopped = ""
    if summary.stopped_early_at is not None:
        stopped = (f"; stopped early after epoch {summary.epochs_done} of {epochs} "
                   f"(run.early_stop={early_stop}): the run is finished")
    elif summary.epochs_done != epochs:
        stopped = (f"; stopped after epoch {summary.epochs_done} of {epochs} "
                   f"(run.stop_after={stop_after}): rerun with --resume to continue")
    return (f"last acc {summary.last_acc:.4f}, best acc {summary.best_acc:.4f} "
            f"(epoch {summary.best_epoch}; {chosen}); run folder {summary.run_dir}{stopped}")


def student_at_chance_line(summary: RunSummary, *, epochs: int, data: str, teacher: str,
                           lr: float | None = None) -> str | None:
    """The warning ``pidkit-distill train`` prints on stderr under :func:`train_end_line` where
    the run ended its ``epochs`` (all of them, or stopped early by ``run.early_stop``) with its
    student at chance: its last metrics record's held-out accuracy is at chance
    (:func:`~pidkit_distill.chance.ends_at_chance`, the rule the report and the demo judge by).
    It says so, and what to try, in the words of the paragraph that ``pidkit-distill report``
    writes of the run (:func:`~pidkit_distill.chance.chance_paragraph`, told the run's ``data``
    set, its ``data.name``, its ``teacher.source``, ``teacher``, and its ``optim.lr``, ``lr``,
    named where far above its default; ``None``: not known). ``None`` where the student
    is not at chance, its record says nothing of chance, or the run is short of its epochs
    (``run.stop_after``: the report does not judge it either). The run did finish: the
    command's exit status stays 0.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill import RunSummary
    >>> last = {"epoch": 3, "phase": "student", "test_acc": 0.0933, "test_majority": 0.1022,
    ...         "test_n": 450, "teacher_acc": 0.9933}
    >>> ended = RunSummary(0.0933, 0.1067, 2, Path("runs/divlr"), [last], epochs_done=3)
    >>> print(student_at_chance_line(ended, epochs=3, data="digits", teacher="trained"))
    warning: the student ended at chance, as `pidkit-distill report` will say of this run: \
At chance: divlr (9.3 % at epoch 3): held-out accuracy at most 13.1 %, two standard errors \
above the 10.2 % of always answering the most common class. A student at chance has learnt \
nothing the held-out set shows, so its row compares no method. divlr trained 3 epochs of \
digits, for which the paper sets no number of epochs: too few to learn the task, or its \
method's outcome; train it longer (run.epochs) to tell which.
    >>> print(student_at_chance_line(ended, epochs=3, data="digits", teacher="trained", lr=3.0)
    ...       .split("method. ")[1])
    divlr trained with optim.lr 3, 60 times its default 0.05: a learning rate that high can keep \
a network from learning at all; train it again at the default (leave optim.lr out) or near it.
    >>> print(student_at_chance_line(ended, epochs=6, data="digits", teacher="trained"))
    None
    """
    history = summary.history
    ended = summary.stopped_early_at is not None or summary.epochs_done == epochs
    if not (ended and history and ends_at_chance(history[-1])):
        return None
    name = summary.run_dir.name  # as the report's table names the run
    jump = next((record for record in history if record.get("loss_jumped")), None)
    paragraph = chance_paragraph(
        {name: (history[-1], highest_record(history))}, None if jump is None else {name: jump},
        trained={name: run_trained({"data": {"name": data}, "teacher": {"source": teacher},
                                    "optim": {} if lr is None else {"lr": lr}}, history)})
    return ("warning: the student ended at chance, as `pidkit-distill report` will say of this "
            f"run: {paragraph}")
