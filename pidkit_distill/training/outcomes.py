"""What stops a run: :class:`TrainingError` (the loss became NaN or infinite, or memory ran
out) and :class:`TrainingInterrupted` (Ctrl-C); each message says where the run stopped, what
was saved and how to go on. What a finished (or stopped) run gives back,
:class:`~pidkit_distill.RunSummary`, is in :mod:`pidkit_distill.run_folders.summary` (no PyTorch).
"""

from __future__ import annotations

import traceback
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import dataloader

from pidkit.command_line import one_line
from pidkit_distill.run_folders.files import FAILURE_KINDS

# Re-exported from its own, torch-free module: a RunSummary pickled before it moved names this
# module.
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.signals import errors_under
from pidkit_distill.training.checkpoint import python_resume_note

__all__ = ["RunSummary", "TrainingError", "TrainingInterrupted", "data_read_failure",
           "failure_leaving", "out_of_memory_error", "out_of_memory_reading", "outside_epochs",
           "raised_reading"]


class TrainingError(RuntimeError):
    """Training could not go on: the loss became NaN or infinite, or memory ran out.

    The message says where (epoch and step, counted from 1, or what the run was doing before
    its first epoch) and what was saved.

    Attributes
    ----------
    reason : str
        What happened.
    epoch, step : int or None
        The epoch (1-based; ``None`` outside any epoch, as in setting up before the first one
        the run trains or loading its data, which ``reason`` then says) and its step (1-based;
        ``None`` if unknown).
    epochs_done : int or None
        The epochs the run had completed when it stopped (``None``: those before ``epoch``).
    checkpoint : Path or None
        The last checkpoint written, holding the run after ``epochs_saved`` epochs (``None``:
        nothing was saved yet).
    hint : str
        What to change before resuming.
    resume : bool
        The run already has ``run.resume`` (a teacher's run, a ``student_init`` run): the same
        command or call continues it.
    seeded : bool
        The failure comes from the run's own numbers (a NaN or infinite loss or weights), which
        its seeds make the same on every try: resuming it unchanged meets it again, so the
        message says to make the change in a new run (another ``run.name``) where a checkpoint
        was saved, and to rerun with the change (the same ``run.name``) where none was.
    loading_data : bool
        It stopped while the run loaded its data or read a checkpoint (its own to resume, a
        ``student_init`` run's), outside any epoch (``epoch`` is ``None``), before the run wrote
        to its folder: unless ``checkpoint`` is given, the message says nothing of what was
        saved (a checkpoint already there is as it was, and the same command continues it once
        the memory is there).
    kind : str or None
        What failed, one of :data:`~pidkit_distill.run_folders.files.FAILURE_KINDS`: ``"out_of_memory"``,
        ``"nan"`` (the loss or the weights), ``"lost_peer"`` (another process ended without a
        word) or ``"error"`` (anything else); ``None`` for a :class:`PeerStopped`, whose message
        is another process's. The run folder's record keeps it, for the report's advice.
    hint_says_rerun : bool
        ``hint`` itself says to rerun the same command (memory run out while reading a file).
    says_rerun : bool
        The message already advises a rerun: ``hint_says_rerun``, or a seeded failure with
        nothing saved (its advice ends "then rerun").
    recorded_in : Path or None
        The run folder whose ``summary.json`` records this very error, written in this process
        (:meth:`~pidkit_distill.training.rundir.RunFolder.record_failure`: rank 0 under
        torchrun); ``None`` where none does. A copy made by :meth:`replaced` is recorded
        nowhere yet.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill import TrainingError
    >>> print(TrainingError("the training loss became nan", epoch=3, step=5, n_steps=22,
    ...                     checkpoint=Path("runs/x/checkpoint.pt"), epochs_saved=2,
    ...                     hint="lower optim.lr"))
    the training loss became nan in epoch 3, step 5 of 22; saved: runs/x/checkpoint.pt
    holds the run after epoch 2 (resume with run.resume=true); lower optim.lr

    A NaN loss comes again where the seeded run resumes unchanged, and a resume keeps the
    configuration: the change is a new run where a checkpoint holds the failed one, and the
    same run again where nothing was saved:

    >>> nan = dict(epoch=3, step=5, n_steps=22, hint="lower optim.lr", seeded=True)
    >>> print(TrainingError("the training loss became nan", checkpoint=Path("runs/x/checkpoint.pt"),
    ...                     epochs_saved=2, **nan))
    the training loss became nan in epoch 3, step 5 of 22; saved: runs/x/checkpoint.pt holds
    the run after epoch 2, but the run is seeded, so resuming it meets this again; lower
    optim.lr in a new run: pass another run.name too (--run.name NEW), as a resume keeps the
    configuration and the same command without --resume is refused
    >>> print(TrainingError("the training loss became nan", **{**nan, "epoch": 1}))
    the training loss became nan in epoch 1, step 5 of 22; nothing was saved (no epoch had
    completed); lower optim.lr, then rerun: the same run.name starts the run again
    >>> print(TrainingError("out of memory while evaluating the teacher before epoch 1",
    ...                     epoch=None))
    out of memory while evaluating the teacher before epoch 1; nothing was saved (no epoch had
    completed)
    >>> print(TrainingError("out of memory while loading data set 'x'", epoch=None,
    ...                     loading_data=True, hint="load less"))
    out of memory while loading data set 'x'; load less

    The kind is said by whoever raises it, not read from the words (a data set may be named
    ``'rerun'``):

    >>> err = TrainingError("out of memory while loading data set 'rerun'", epoch=None,
    ...                     loading_data=True, hint="load less", kind="out_of_memory")
    >>> err.kind, err.says_rerun
    ('out_of_memory', False)
    >>> TrainingError("the loss became nan", epoch=1, kind="NaN")
    Traceback (most recent call last):
        ...
    ValueError: kind must be one of 'out_of_memory', 'nan', 'lost_peer', 'error' (what
    failed); got kind='NaN'
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it
    epochs_done: int | None = None  # these five also for a subclass that sets its attributes
    loading_data: bool = False  # itself (PeerStopped: its kind is the other process's, which
    seeded: bool = False  # only its message says)
    kind: str | None = None
    hint_says_rerun: bool = False
    recorded_in: Path | None = None

    def __init__(self, reason: str, *, epoch: int | None, step: int | None = None,
                 n_steps: int | None = None, checkpoint: Path | None = None,
                 epochs_saved: int = 0, hint: str = "", resume: bool = False,
                 epochs_done: int | None = None, loading_data: bool = False,
                 seeded: bool = False, kind: str = "error",
                 hint_says_rerun: bool = False) -> None:
        if loading_data and epoch is not None:
            raise ValueError("epoch must be None for a failure while loading the data, which "
                             f"comes before any epoch; got epoch={epoch!r}")
        if kind not in FAILURE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(map(repr, FAILURE_KINDS))} (what "
                             f"failed); got kind={kind!r}")
        self.kind, self.hint_says_rerun = kind, hint_says_rerun
        self.reason, self.epoch, self.step, self.n_steps = reason, epoch, step, n_steps
        self.checkpoint, self.epochs_saved, self.hint = checkpoint, epochs_saved, hint
        self.resume, self.epochs_done, self.loading_data = resume, epochs_done, loading_data
        self.seeded = seeded
        where = "" if epoch is None else f" in epoch {epoch}" + (
            f", step {step} of {n_steps}" if step is not None else "")
        if checkpoint is None:
            saved = "" if loading_data else \
                f"; nothing was saved ({_not_saved(epoch, epochs_done)})"
        else:
            how = "rerunning the same command continues it" if resume \
                else "resume with run.resume=true"
            saved = f"; saved: {checkpoint} holds the run after epoch {epochs_saved}" + (
                ", but the run is seeded, so resuming it meets this again" if seeded
                else f" ({how})")
        advice = _seeded_advice(hint, saved=checkpoint is not None, resume=resume) if seeded \
            else hint
        super().__init__(f"{reason}{where}{saved}" + (f"; {advice}" if advice else ""))
        if checkpoint is not None:
            self.add_note(_NEW_RUN_NOTE if seeded else python_resume_note(resume=resume))

    def _keywords(self) -> dict[str, Any]:
        return {"epoch": self.epoch, "step": self.step, "n_steps": self.n_steps,
                "checkpoint": self.checkpoint, "epochs_saved": self.epochs_saved,
                "hint": self.hint, "resume": self.resume, "epochs_done": self.epochs_done,
                "loading_data": self.loading_data, "seeded": self.seeded, "kind": self.kind,
                "hint_says_rerun": self.hint_says_rerun}

    @property
    def says_rerun(self) -> bool:
        """Whether the message already advises rerunning: its hint does, or a seeded failure's
        advice where nothing was saved ("then rerun: the same run.name starts the run again")."""
        return self.hint_says_rerun or (self.seeded and self.checkpoint is None)

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its keywords: pickling gives only the message to ``__init__`` by default,
        so a run that failed in a worker process (the demo's) could not be sent back."""
        return partial(type(self), self.reason, **self._keywords()), (), dict(self.__dict__)

    def replaced(self, **changes: Any) -> TrainingError:
        """This error with some keywords changed: what was saved, once the run knows it; the
        hint in the words of the teacher's keys."""
        return type(self)(self.reason, **{**self._keywords(), **changes})


class TrainingInterrupted(KeyboardInterrupt):
    """An interrupt (Ctrl-C) stopped :func:`~pidkit_distill.training.fit`; the message says
    where and how to go on.

    A :class:`KeyboardInterrupt`, so that it stops whatever called
    :func:`~pidkit_distill.training.fit` as Ctrl-C does.
    Resuming needs the same configuration with ``run.resume=true`` (``--resume``), which
    teacher runs and ``student_init`` runs always have.

    Attributes
    ----------
    run_dir : Path
        The run folder.
    epoch : int or None
        The epoch (1-based) that was running, or the last one when the interrupt came after it
        was saved; ``None`` outside any epoch (setting up, evaluating the teacher), which
        ``doing`` says.
    doing : str
        What the run was doing outside its epochs (``"while evaluating the teacher before epoch
        1"``); ``""`` in an epoch.
    epochs_saved : int or None
        Epochs its ``checkpoint.pt`` holds (``None``: there is none).
    epochs_done : int or None
        The epochs the run had completed (``None``: those before ``epoch``).
    resume : bool
        The run already had ``run.resume``.

    Examples
    --------
    >>> from pathlib import Path
    >>> from pidkit_distill import TrainingInterrupted
    >>> print(TrainingInterrupted(Path("runs/x"), epoch=8, epochs_saved=7, resume=False))
    interrupted during epoch 8 of runs/x; its checkpoint.pt holds the run after epoch 7: rerun
    the same command with --resume (run.resume=true) to continue from there
    >>> print(TrainingInterrupted(Path("runs/x"), epoch=1, epochs_saved=None, resume=False))
    interrupted during epoch 1 of runs/x; nothing was saved (no epoch had completed): rerun the
    same command to start again
    >>> print(TrainingInterrupted(Path("runs/x"), epoch=None, doing="while evaluating the teacher"
    ...                           " before epoch 3", epochs_saved=2, resume=True))
    interrupted while evaluating the teacher before epoch 3 of runs/x; its checkpoint.pt holds the
    run after epoch 2: rerun the same command to continue from there

    The message speaks the command line's language, which is also what the command prints; in
    Python and Jupyter the traceback shows the Python spelling under it, as a note (PEP 678):

    >>> TrainingInterrupted(Path("runs/x"), epoch=8, epochs_saved=7, resume=False).__notes__
    ["In Python: set config.run.resume = True (or pass 'run.resume=true' in load_config's \
overrides), then call train(config) again."]
    """

    __module__ = "pidkit_distill"  # where users import it from: tracebacks and pickles name it

    def __init__(self, run_dir: Path, *, epoch: int | None, epochs_saved: int | None,
                 resume: bool, epochs_done: int | None = None, doing: str = "") -> None:
        self.run_dir, self.epoch, self.epochs_saved = run_dir, epoch, epochs_saved
        self.resume, self.epochs_done, self.doing = resume, epochs_done, doing
        if epoch is None:
            when = doing
        else:
            when = f"after epoch {epoch}" if epochs_saved == epoch else f"during epoch {epoch}"
        if epochs_saved is None:
            rest = (f"nothing was saved ({_not_saved(epoch, epochs_done)}): rerun the same "
                    "command to start again")
        else:
            flag = "" if resume else " with --resume (run.resume=true)"
            rest = (f"its checkpoint.pt holds the run after epoch {epochs_saved}: rerun the same "
                    f"command{flag} to continue from there")
        super().__init__(f"interrupted {when} of {run_dir}; {rest}")
        self.add_note(python_resume_note(resume=resume or epochs_saved is None))

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuilt from its keywords (see :meth:`TrainingError.__reduce__`)."""
        return (partial(type(self), self.run_dir, epoch=self.epoch,
                        epochs_saved=self.epochs_saved, resume=self.resume,
                        epochs_done=self.epochs_done, doing=self.doing), (),
                dict(self.__dict__))


def outside_epochs(running: int, end: int) -> str:
    """Where a run is that is in no epoch (setting up, evaluating its teacher), for its messages:
    before epoch ``running`` (1-based), or after the last when it has none left to train up to
    epoch ``end`` (a complete run resumed).

    Examples
    --------
    >>> outside_epochs(3, 5), outside_epochs(6, 5)
    ('before epoch 3', 'after the last epoch')
    """
    return f"before epoch {running}" if running <= end else "after the last epoch"


def failure_leaving(interrupt: BaseException) -> TrainingError | None:
    """The :class:`TrainingError` that ended a run and was on its way out when ``interrupt``
    came (the first of those being handled where it was raised:
    :func:`~pidkit_distill.signals.errors_under`), or ``None``. Under torchrun, once a process
    has died, torchrun sends SIGTERM to the others, which may reach one just as its collective
    call failed and its run's failure was raised: that failure, not the interrupt, is what
    stopped the run.

    Examples
    --------
    >>> try:
    ...     try:
    ...         raise TrainingError("the loss became NaN", epoch=2)
    ...     except TrainingError:
    ...         raise KeyboardInterrupt
    ... except KeyboardInterrupt as interrupt:
    ...     print(failure_leaving(interrupt).reason)
    the loss became NaN
    >>> failure_leaving(KeyboardInterrupt()) is None
    True
    """
    return next((error for error in errors_under(interrupt) if isinstance(error, TrainingError)),
                None)


def raised_reading(err: BaseException) -> bool:
    """Whether ``err`` came out of a DataLoader as it read a data set's samples, in this process
    or a worker (or out of the check of the teacher's outputs, which reads the first batch as
    the loader does): the data set's ``__getitem__``, its transforms, the collation of what it
    gave.
    Not where the error's own frame is pidkit's loader code (its batch sampler), whose error is
    a bug of pidkit's, which keeps its traceback.

    Examples
    --------
    >>> from torch.utils.data import DataLoader
    >>> class Broken:
    ...     def __len__(self):
    ...         return 2
    ...     def __getitem__(self, i):
    ...         raise KeyError(i)
    >>> try:
    ...     next(iter(DataLoader(Broken())))
    ... except KeyError as err:
    ...     raised_reading(err)
    True
    >>> raised_reading(KeyError(0))
    False
    """
    frames = [(frame.f_code.co_filename, frame.f_code.co_name)
              for frame, _ in traceback.walk_tb(err.__traceback__)]
    return bool(frames) and not _READERS.isdisjoint(frames) \
        and Path(frames[-1][0]).parent != Path(__file__).parent


# the functions that read a data set's samples: a DataLoader's next batch, and the first batch
# that the check of the teacher's outputs reads as the run's loader does
_READERS = {(dataloader.__file__, "__next__"),
            (str(Path(__file__).with_name("teacher_outputs.py")), "_first_batch")}


def data_read_failure(err: BaseException, data_name: str, *, doing: str | None, running: int,
                      epochs_saved: int | None, resume: bool) -> TrainingError | None:
    """The run's failure where ``err``, of any type, came out of a DataLoader reading the
    samples of data set ``data_name`` (:func:`raised_reading`): one line naming its type, the
    data set, where the run was (``doing`` outside its epochs, else in epoch ``running``) and
    how to go on (from epoch ``epochs_saved + 1`` where a checkpoint holds that many epochs;
    ``resume``: the run already has ``run.resume``), for the run to record. ``None`` for any
    other error, and for memory running out, which stays as it is.

    Examples
    --------
    >>> from torch.utils.data import DataLoader
    >>> try:
    ...     next(iter(DataLoader([0, 1], collate_fn=lambda batch: {}[batch[0]])))
    ... except KeyError as err:
    ...     print(data_read_failure(err, "mine", doing=None, running=1, epochs_saved=None,
    ...                             resume=False))
    data set 'mine' raised KeyError (0) as its samples were read in epoch 1; nothing was saved
    (no epoch had completed); the error is the data set's own (its code or what it reads): once
    it reads again, rerun the same command: the run starts again from epoch 1
    """
    if isinstance(err, (TrainingError, MemoryError, torch.cuda.OutOfMemoryError)) \
            or not raised_reading(err):
        return None
    said = str(err).strip()
    if "Original Traceback" in said:  # a worker's, re-raised: its last line is the error's own
        said = said.splitlines()[-1].removeprefix(f"{type(err).__name__}:")
    where = doing or f"in epoch {running}"
    if epochs_saved is None:
        then = "rerun the same command: the run starts again from epoch 1"
    else:
        then = (f"rerun the same command{'' if resume else ' with --resume'} to continue from "
                f"epoch {epochs_saved + 1}")
    return TrainingError(
        f"data set {data_name!r} raised {type(err).__name__} ({one_line(said)}) as its samples "
        f"were read {where}", epoch=None, kind="error", hint_says_rerun=True,
        hint=f"the error is the data set's own (its code or what it reads): once it reads "
             f"again, {then}")


def out_of_memory_reading(path: Path, *, purpose: str = "to resume the run",
                          what: str = "checkpoint") -> TrainingError:
    """The run's failure where memory runs out while it reads a file before it writes to its
    folder: its own checkpoint, to resume (:func:`~pidkit_distill.check_config`'s look at it, or
    the run's whole read), a ``student_init`` run's checkpoint, to start the student from it, or
    the teacher's file (``purpose`` says why it was read, ``what`` what the file is).

    Examples
    --------
    >>> print(out_of_memory_reading(Path("runs/r/checkpoint.pt")))
    out of memory (MemoryError) while reading 'runs/r/checkpoint.pt' to resume the run; the \
checkpoint is as it was: free memory on this machine, or use one with more, then rerun the same \
command
    >>> print(out_of_memory_reading(Path("t.pt"), purpose="for the teacher", what="teacher file"))
    out of memory (MemoryError) while reading 't.pt' for the teacher; the teacher file is as it \
was: free memory on this machine, or use one with more, then rerun the same command
    """
    return TrainingError(f"out of memory (MemoryError) while reading {str(path)!r} {purpose}",
                         epoch=None, loading_data=True, kind="out_of_memory",
                         hint=f"the {what} is as it was: {_more_memory('rerun the same command')}",
                         hint_says_rerun=True)


def out_of_memory_error(path: Path, *, what: str, then: str) -> MemoryError:
    """The :class:`MemoryError` of a function (no run) that ran out of memory while it read the
    file ``path``, a ``what``: the file is as it was, and ``then`` is what to do once there is
    more memory.

    Examples
    --------
    >>> out_of_memory_error(Path("t.pt"), what="teacher file", then="read it again")
    MemoryError("out of memory (MemoryError) while reading teacher file 't.pt'; the file is as \
it was: free memory on this machine, or use one with more, then read it again")
    """
    return MemoryError(f"out of memory (MemoryError) while reading {what} {str(path)!r}; the file "
                       f"is as it was: {_more_memory(then)}")


_NEW_RUN_NOTE = ("In Python: make the change and set config.run.name to a new name (a teacher's "
                 "run, keyed by its settings, gets a folder of its own), then call the same "
                 "function (train or train_teacher) again.")


def _seeded_advice(hint: str, *, saved: bool, resume: bool) -> str:
    """How to go on after a seeded run's failure (:class:`TrainingError`'s ``seeded``): make
    the change ``hint`` says in a new run where a checkpoint was ``saved`` (a resume keeps the
    configuration, and a run folder holding a checkpoint is refused without one), or rerun
    with it where none was (the folder then starts the run again). ``resume``: the run already
    has ``run.resume`` (a teacher's run, keyed by its settings, gets a folder of its own).

    Examples
    --------
    >>> _seeded_advice("lower teacher.lr", saved=False, resume=True)
    'lower teacher.lr, then rerun: the run starts again from epoch 1'
    >>> _seeded_advice("lower teacher.lr", saved=True, resume=True)
    "lower teacher.lr in a new run: a teacher's run gets a folder of its own by that change; \
any other, pass another run.name too (--run.name NEW), as a resume keeps the configuration"
    """
    change = hint or "make the change the run needs"
    if not saved:
        return f"{change}, then rerun: " + ("the run starts again from epoch 1" if resume
                                          else "the same run.name starts the run again")
    if resume:
        return (f"{change} in a new run: a teacher's run gets a folder of its own by that "
                "change; any other, pass another run.name too (--run.name NEW), as a resume "
                "keeps the configuration")
    return (f"{change} in a new run: pass another run.name too (--run.name NEW), as a resume "
            "keeps the configuration and the same command without --resume is refused")


def _more_memory(then: str) -> str:
    """What to do where memory ran out while a file was read: ``then`` once there is more."""
    return f"free memory on this machine, or use one with more, then {then}"


def _not_saved(epoch: int | None, done: int | None) -> str:
    """Why no checkpoint exists when a new run stopped in epoch ``epoch`` (1-based; ``None``:
    before its first) with ``done`` epochs completed (``None``: those before ``epoch``).

    Examples
    --------
    >>> _not_saved(1, None), _not_saved(None, None)
    ('no epoch had completed', 'no epoch had completed')

    Stopped in epoch 1's audit, which comes before its checkpoint:

    >>> _not_saved(1, 1)
    "1 epoch(s) completed, but none was checkpointed yet: one is written every \
run.checkpoint_every epochs, after the epoch's audit"
    """
    if done is None:
        done = 0 if epoch is None else epoch - 1
    if done == 0:
        return "no epoch had completed"
    after = ", after the epoch's audit" if done == epoch else ""
    return (f"{done} epoch(s) completed, but none was checkpointed yet: one is written every "
            f"run.checkpoint_every epochs{after}")
