"""The run folder ``run.out_dir/run.name``: its name, and the files in it.

| file            | content                                                              |
|-----------------|----------------------------------------------------------------------|
| ``config.json`` | the resolved configuration, and its record (``recorded``): teacher file, user's modules |
| ``metrics.jsonl`` | one JSON line per epoch (strict JSON: NaN and infinities as null)  |
| ``audit.jsonl`` | one JSON line per audited (epoch, layer)                             |
| ``checkpoint.pt`` | written atomically every ``run.checkpoint_every`` epochs and after the last |
| ``summary.json`` | last and best accuracy, epochs done, the method's resolved parameters; |
|                 | the error a train stopped with (``failed``)                          |
| ``.lock``       | held by the process writing the folder (:func:`run_folder_lock`)     |
| ``teacher.pt``  | the trained teacher (in the teacher's own run folder)                |
| ``NAME.XXXXXXXX.tmp`` | ``NAME`` being written; one a killed process left: deleted by the next lock |

Only rank 0 writes (a :class:`RunFolder` of another rank writes nothing), and only one process
at a time: two runs writing one folder would interleave their ``metrics.jsonl`` lines and leave
the ``config.json`` of one beside the ``summary.json`` of the other.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock

from pidkit.command_line import one_line
from pidkit.utils import jsonable
from pidkit_distill.atomic_files import atomic_write, not_written, remove_leftovers
from pidkit_distill.config import TrainConfig, config_to_dict
from pidkit_distill.config.key_history import preset_named_now
from pidkit_distill.config.registered_record import recorded_registered, registered_now, with_registered
from pidkit_distill.config.teacher_keys import recorded_teacher_file, teacher_file_now, with_teacher_file
from pidkit_distill.data.registry import dataset_source
from pidkit_distill.folder_locks import folder_lock, lock_held, take_lock
from pidkit_distill.methods.base import default_preset_of, get_method, method_source
from pidkit_distill.models import model_source
from pidkit_distill.registry import registry_key
from pidkit_distill.run_folders.files import FAILED, read_run_config, train_failure, unreadable_file
from pidkit_distill.training.checkpoint import run_writes
from pidkit_distill.training.outcomes import TrainingError
from pidkit_distill.training.runtime import Runtime, from_main

__all__ = ["LOCK_FILE", "POLL_S", "REGISTRY_SOURCES", "RunFolder", "RunFolderBusy", "check_not_busy",
           "check_out_dir", "run_dir_of", "run_folder_lock", "threads_changed_note"]

LOCK_FILE = ".lock"
# Where a name the user registered comes from, asked of the package's registry of its kind: for
# registered_now, of a run's config.json and of a cached teacher (training.teacher).
REGISTRY_SOURCES = {"dataset": dataset_source, "method": method_source, "model": model_source}
# the files that only the process holding the lock writes, atomically: a temporary file of one of
# them that the lock's next holder finds was left by a killed process (``report --out RUN_DIR``
# may be writing its own files in the folder at the same time)
_LOCKED_FILES = ("config.json", "metrics.jsonl", "audit.jsonl", "checkpoint.pt", "summary.json",
                 "teacher.pt")
# the attribute of a failure whose record RunFolder.record_failure decided, written or not:
# (the folder, whether the record says "before_training")
_RECORD_SAID = "_pidkit_distill_record_said"


def run_dir_of(config: TrainConfig) -> Path:
    """``run.out_dir/run.name``; the name defaults to ``DATA-METHOD[-PRESET]-tt|ut|tp-sSEED``.

    A ``~`` that starts ``run.out_dir`` is the home folder, as in a shell (a configuration file
    or ``--out-dir=~/runs`` is not expanded by one, and would make a folder named ``~``). Where
    no folder has the default name, the one run folder of ``run.out_dir`` that has it in another
    spelling of the names (``CIFAR10-bas-tt-s0``, which ``--data CIFAR10`` wrote before names
    were held lower-cased) is the run's folder.

    A method's default preset named (``--method kd --preset paper``) is the same configuration
    as none named, and has the same folder (``digits-kd-tt-s0``), except where a folder of the
    name with the preset (``digits-kd-paper-tt-s0``, which such a command made before) is
    there: that run keeps its folder, and ``--resume`` continues it. So is ``paper`` named for
    a method of the user's that declares no presets (its default, ``default``, was called
    ``paper`` before): ``--preset paper --resume`` finds the run such a command saved.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> run_dir_of(load_config(overrides=["method.name=rid", "teacher.source=untrained"]))
    PosixPath('runs/digits-rid-ut-s0')
    >>> run_dir_of(load_config(overrides=["method.name=kd", "method.preset=paper"]))
    PosixPath('runs/digits-kd-tt-s0')
    >>> home = load_config(overrides=["run.out_dir='~/runs'"])
    >>> run_dir_of(home) == Path.home() / "runs" / "digits-bas-tt-s0"
    True
    """
    out_dir = Path(os.path.expanduser(config.run.out_dir))
    if config.run.name:
        return out_dir / config.run.name
    named = _spelt_before(out_dir / _default_name(config, config.method.preset))
    default = default_preset_of(config.method.name)
    # a user's method's "paper" of a run saved before its default was named "default" (the run
    # was the default's, and its folder has no preset in its name): key_history.preset_named_now
    presets = get_method(config.method.name).presets if default is not None else {}
    if os.path.lexists(named) or preset_named_now(config.method.preset, default, presets) != default:
        return named
    return _spelt_before(out_dir / _default_name(config, ""))


def _default_name(config: TrainConfig, preset: str) -> str:
    """The run folder's default name, ``DATA-METHOD[-PRESET]-tt|ut|tp-sSEED``, with ``preset``
    (``""``: none)."""
    tag = {"trained": "tt", "untrained": "ut"}.get(config.teacher.source, "tp")
    named = f"-{preset}" if preset else ""
    return f"{config.data.name}-{config.method.name}{named}-{tag}-s{config.run.seed}"


def _spelt_before(run_dir: Path) -> Path:
    """``run_dir``, a run folder of the default name; or, where there is none, the one run
    folder beside it whose name reads as that name (:func:`~pidkit_distill.registry.registry_key`
    of each ``-``-separated part): the folder that the same command wrote before configurations
    held names in registry spelling (``--data CIFAR10`` wrote ``CIFAR10-bas-tt-s0``, where it
    now derives ``cifar10-bas-tt-s0``), which ``--resume`` continues. A run folder here is one
    that holds a run (:func:`_is_run_folder`) or the lock a run took (:data:`LOCK_FILE`): a
    method's run stopped while it trained its ``RUN_DIR.METHOD-init`` student has written only
    that, and its init folder is named after it (a folder that cannot be looked into is none).
    Two such folders, or a ``run.out_dir`` that cannot be listed: ``run_dir``."""
    if os.path.lexists(run_dir):
        return run_dir
    key = _name_key(run_dir.name)
    try:
        with os.scandir(run_dir.parent) as entries:
            found = [Path(entry.path) for entry in entries if _name_key(entry.name) == key]
    except OSError:  # no run.out_dir yet, or one that cannot be listed (check_out_dir says so)
        return run_dir
    found = [folder for folder in found
             if os.path.isfile(folder / LOCK_FILE) or _is_run_folder(folder)]  # no OSError
    return found[0] if len(found) == 1 else run_dir


def _name_key(name: str) -> str:
    """The run folder's ``name`` with each ``-``-separated part read as a registered name is."""
    return "-".join(registry_key(part) for part in name.split("-"))


def check_out_dir(run_dir: Path, *, writes_run: bool = True, run: Path | None = None) -> None:
    """Raise unless ``run_dir`` exists as a writable folder or can be created.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    writes_run : bool, default=True
        Whether a run will write its files in ``run_dir``; ``False`` for a teacher's folder
        whose ``teacher.pt`` is reused, in which nothing is written.
    run : Path, optional
        The folder of the run that the refusal of a ``run.out_dir`` that is itself a run folder
        names: the student's, where ``run_dir`` is the folder of a teacher it trains first and
        which the user never named (default: ``run_dir``).

    Raises
    ------
    ValueError
        ``run_dir`` or one of its parents is a file, its parent (``run.out_dir``) is itself a
        run folder (a note gives the Python spelling of the options that continue that run), or
        ``run_dir`` holds files of the names a run writes but no run (:func:`_files_of_no_run`)
        and ``writes_run``.
    PermissionError
        The nearest existing folder is not writable.
    """
    if writes_run and (overwritten := _files_of_no_run(run_dir)):
        raise ValueError(f"run folder {str(run_dir)!r} holds {overwritten}: the run would "
                         "write over them; choose another run.name or run.out_dir, or move "
                         "them away")
    out_dir = run_dir.parent
    if _is_run_folder(out_dir):
        refused = ValueError(
            f"{str(out_dir)!r} is itself a run folder (it holds config.json and metrics.jsonl), "
            f"not a folder of run folders: the run would go into {str(run or run_dir)!r}; to continue "
            f"that run pass --out-dir {shlex.quote(str(out_dir.parent))} --run.name "
            f"{shlex.quote(out_dir.name)} --resume, or choose another run.out_dir"
        )
        refused.add_note(f"In Python: set config.run.out_dir = {str(out_dir.parent)!r}, "
                         f"config.run.name = {out_dir.name!r} and config.run.resume = True.")
        raise refused
    for folder in (run_dir, *run_dir.parents):
        if os.path.exists(folder):  # False in a folder that cannot be looked into: its own check
            if not folder.is_dir():
                raise ValueError(
                    f"run folder {str(run_dir)!r} cannot be created: {str(folder)!r} is a file; "
                    "choose another run.out_dir or run.name"
                )
            if not os.access(folder, os.W_OK | os.X_OK):
                read_only = " (a read-only file system)" if _read_only(folder) else ""
                raise PermissionError(
                    f"run folder {str(run_dir)!r} cannot be written: no write permission on "
                    f"{str(folder)!r}{read_only}; choose another run.out_dir"
                )
            return


def _files_of_no_run(folder: Path) -> str | None:
    """Which files of ``folder`` a new run would write over, and why the folder is no run
    folder (``"config.json but is no run folder (FOLDER/config.json has no 'data.name'; it is
    not the configuration of a `pidkit-distill train` run)"``, or that it is damaged, or cannot
    be read: :func:`~pidkit_distill.run_folders.files.read_run_config`'s reason): files named as a
    run's (another tool's ``config.json``, a ``metrics.jsonl`` of one's own) in a folder
    without a run's ``config.json`` or a checkpoint; ``None`` for a run's folder (one stopped
    before its first checkpoint is trained again from epoch 1), a new or an empty one."""
    names = [name for name in ("audit.jsonl", "config.json", "metrics.jsonl", "summary.json")
             if os.path.isfile(folder / name)]
    if not names or os.path.lexists(folder / "checkpoint.pt"):  # a checkpoint: resume's checks
        return None
    if "config.json" not in names:
        why = "it has no config.json"
    else:
        try:
            read_run_config(folder)
            return None
        except (OSError, ValueError) as err:  # not readable, or not a run's configuration
            why = str(err)
    return f"{', '.join(names)} but is no run folder ({why})"


def _read_only(folder: Path) -> bool:
    """``folder`` is on a file system mounted read-only (where even root writes nothing)."""
    return hasattr(os, "statvfs") and bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def _is_run_folder(folder: Path) -> bool:
    """``folder`` holds a run: ``metrics.jsonl`` and the ``config.json`` of a run (a folder of
    runs may hold a config.json and a metrics.jsonl of the user's own); not a folder that cannot
    be looked into (whose permissions :func:`check_out_dir` then names)."""
    try:
        if not ((folder / "metrics.jsonl").is_file() and (folder / "config.json").is_file()):
            return False
        read_run_config(folder)
    except (OSError, ValueError):  # not readable, or not a run's configuration
        return False
    return True


class RunFolderBusy(ValueError):
    """Another process is writing the run folder: it holds the folder's lock."""


POLL_S = 1.0  # how often a process waiting for a run folder tries its lock again


@contextmanager
def run_folder_lock(run_dir: Path, runtime: Runtime | None = None, *,
                    waiting: str | None = None) -> Iterator[None]:
    """Hold the run folder's lock, ``RUN_DIR/.lock``, while the block runs (creating the folder).

    The lock is the operating system's file lock (``filelock``), so a process that ends in any
    way, ``kill -9`` included, releases it; the file stays and means nothing by itself. Once
    it holds the lock, it deletes the temporary files that killed processes left writing the
    folder's files (:func:`~pidkit_distill.atomic_files.remove_leftovers`; not those of other
    files, which another process, ``report --out RUN_DIR``, may be writing now).

    Under DDP every process of the run enters the block: rank 0 takes the lock and tells the
    others whether it holds it (:func:`~pidkit_distill.training.runtime.from_main`), so that
    they raise with it, or wait with it in collective steps of :data:`POLL_S` seconds, which
    never reach the process group's timeout however long another run holds the folder.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    runtime : Runtime, optional
        The run's processes (``None``: this process alone).
    waiting : str, optional
        ``None``: raise :class:`RunFolderBusy` when another process holds the lock. A message:
        print it and wait for the lock (a teacher trained by another process, to be reused).

    Raises
    ------
    RunFolderBusy
        Another process holds the lock and ``waiting`` is ``None`` (in every process of the run).
    FileWriteError
        The folder or its lock file cannot be created (no permission, a read-only file system).

    Examples
    --------
    >>> import tempfile
    >>> run_dir = Path(tempfile.mkdtemp()) / "run"
    >>> with run_folder_lock(run_dir):
    ...     check_not_busy(run_dir)
    Traceback (most recent call last):
    ...
    pidkit_distill.training.rundir.RunFolderBusy: run folder '.../run' is being written by \
another process (which holds .../run/.lock); wait for that run to end, or choose another \
run.name or run.out_dir
    >>> check_not_busy(run_dir)  # released
    """
    run_dir = Path(run_dir)
    main = runtime is None or runtime.is_main
    lock = folder_lock(run_dir / LOCK_FILE) if main else None
    try:
        if lock is not None:
            run_dir.mkdir(parents=True, exist_ok=True)
        held = _take(lock, 0.0, runtime)
    except OSError as err:  # a folder that takes no new file (read-only, immutable, full)
        raise not_written(run_dir / LOCK_FILE, err, kept="nothing was written in the folder",
                          then="rerun the same command") from err
    if not held and waiting is None:
        raise _busy(run_dir)
    if not held and main:
        print(waiting, flush=True)
    while not held:
        held = _take(lock, POLL_S, runtime)
    try:
        if lock is not None and lock.is_locked:  # not on a file system that cannot lock files
            remove_leftovers(run_dir, _LOCKED_FILES)
        yield
    finally:
        if lock is not None and lock.is_locked:
            lock.release()


def _take(lock: FileLock | None, timeout: float, runtime: Runtime | None) -> bool:
    """Whether rank 0 got ``lock`` (``None`` on the other ranks) within ``timeout`` seconds,
    as every process of ``runtime`` learns it; on a file system that cannot lock files, with
    a warning, the folder is taken unlocked."""
    got = False
    if lock is not None:
        got = _try_lock(lock, timeout) is not False
    return got if runtime is None else from_main(runtime, got)


def _try_lock(lock: FileLock, timeout: float, *, warn: bool = True) -> bool | None:
    """:func:`~pidkit_distill.folder_locks.take_lock`: ``True``, ``False`` (another process holds
    it) or ``None``, with a warning if ``warn``, where the file system cannot lock files
    (``ENOLCK``, e.g. NFS mounted without its lock service, ``EOPNOTSUPP``, or ``ENOSYS``, e.g.
    Lustre mounted without ``-o flock``): runs there train unlocked."""
    got = take_lock(lock, timeout)
    if isinstance(got, bool):
        return got
    if warn:
        folder = Path(lock.lock_file).parent
        warnings.warn(f"run folder {str(folder)!r} is not locked: its file system cannot lock "
                      f"files ({got.strerror}), so nothing stops another command from writing "
                      "it at the same time", RuntimeWarning, stacklevel=2)
    return None


def _busy(run_dir: Path, resume: bool = False) -> RunFolderBusy:
    fix = ("wait for that run to end, then resume it" if resume
           else "wait for that run to end, or choose another run.name or run.out_dir")
    return RunFolderBusy(
        f"run folder {str(run_dir)!r} is being written by another process (which holds "
        f"{run_dir / LOCK_FILE}); {fix}"
    )


def check_not_busy(run_dir: Path, *, resume: bool = False) -> None:
    """Raise :class:`RunFolderBusy` if another process is writing ``run_dir`` now (its fix suits
    a ``resume``); a folder that does not exist yet, or has no lock file, is not created or touched
    (nor is one on a file system that cannot lock files: :func:`run_folder_lock` says so).

    The lock is read as a report reads it (:func:`~pidkit_distill.folder_locks.lock_held`), never
    taken: a ``train`` taking it in that instant is not refused, nor does a report then see a
    finished run as training. Where that cannot tell (no ``flock``: Windows; an unreadable lock
    file; a file system that cannot lock files) it is tried as the run takes it.
    """
    run_dir = Path(run_dir)
    lock_file = run_dir / LOCK_FILE
    if not lock_file.is_file():
        return
    held = lock_held(lock_file)
    if held is None:
        lock = folder_lock(lock_file)
        held = _try_lock(lock, 0.0, warn=False) is False  # the run's own lock warns
        if lock.is_locked:
            lock.release()
    if held:
        raise _busy(run_dir, resume)


def threads_changed_note(first: dict[str, Any], config: TrainConfig) -> str | None:
    """The note for a run resumed with another ``run.threads`` than the ``config.json`` it
    continues (``first``) records: a reduction split over another number of threads adds in
    another order, so the epochs trained from here on differ from an uninterrupted run's
    beyond rounding (a loss in its sixth or seventh digit, an audit's atoms from their
    second digit); ``None`` for the same count, or none recorded.

    Examples
    --------
    >>> from pidkit_distill import load_config
    >>> print(threads_changed_note({"run": {"threads": 1}}, load_config(overrides=["run.threads=2"])))
    note: run.threads is 2 now, 1 before: the epochs trained from here on use another number of \
CPU threads, which changes their numbers beyond rounding; this run is no longer bit-identical to \
one trained without interruption
    >>> threads_changed_note({"run": {"threads": 2}}, load_config(overrides=["run.threads=2"]))
    """
    run = first.get("run")
    before = run.get("threads") if isinstance(run, dict) else None
    if not isinstance(before, int) or before == config.run.threads:
        return None
    return (f"note: run.threads is {config.run.threads} now, {before} before: the epochs trained "
            "from here on use another number of CPU threads, which changes their numbers beyond "
            "rounding; this run is no longer bit-identical to one trained without interruption")


class RunFolder:
    """The files of one run folder (written by rank 0 only).

    Parameters
    ----------
    path : Path
        The folder (created by :meth:`start`).
    is_main : bool, default=True
        ``False``: every write is skipped (other DDP ranks).
    """

    def __init__(self, path: Path, *, is_main: bool = True) -> None:
        self.path = Path(path)
        self.is_main = is_main
        self.resume = False  # the run's run.resume, set by start: what a failed write says

    @property
    def checkpoint(self) -> Path:
        """``checkpoint.pt``."""
        return self.path / "checkpoint.pt"

    def logged_epochs(self) -> int:
        """How many epoch lines ``metrics.jsonl`` holds (0 when there is none), not counting a
        last line cut off by a process killed while writing it."""
        try:
            text = (self.path / "metrics.jsonl").read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return 0
        except OSError as err:  # no permission, a folder: a resume's one line, naming the fix
            raise unreadable_file(self.path / "metrics.jsonl", err) from err
        return sum(1 for line in text.splitlines(keepends=True)
                   if line.strip() and line.endswith("\n"))

    def start(self, config: TrainConfig, history: list[dict[str, Any]],
              audit: list[dict[str, Any]]) -> None:
        """Create the folder, write ``config.json`` and the logs of the epochs already done.

        ``config.json`` records, beside the configuration, the teacher file the run read
        (:func:`~pidkit_distill.config.teacher_keys.with_teacher_file`): the file ``teacher.source``
        names from this folder; for a run that continues a checkpoint's epochs (``history``),
        whose teacher's weights are the checkpoint's, the file that the ``config.json`` it
        continues records (none where it records none), whichever folder it resumes in and
        whether that file is still there. It records too where each name that the user
        registered comes from (:func:`~pidkit_distill.config.registered_record.with_registered`):
        the module that registered it now; for a run that continues a checkpoint's epochs,
        whose networks are the checkpoint's, what the ``config.json`` it continues records.
        A run that continues with epochs to train and another ``run.threads`` than that
        ``config.json`` records prints a note (:func:`threads_changed_note`). The failure that
        an earlier train recorded (:meth:`record_failure`) is removed: this train may end
        otherwise.
        """
        self.resume = config.run.resume
        if not self.is_main:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        if train_failure(self.path) is not None:
            if rest := self._summary():
                self.write_json("summary.json", rest)
            else:
                (self.path / "summary.json").unlink(missing_ok=True)
        settings = config_to_dict(config)
        first = self._first_record() if history else None
        note = threads_changed_note(first, config) if first and len(history) < config.run.epochs \
            else None
        if note:
            print(note, flush=True)
        teacher_file = (recorded_teacher_file(first) if first is not None
                        else teacher_file_now(config.teacher.source))
        sources = (recorded_registered(first) if first is not None
                   else registered_now(settings, REGISTRY_SOURCES))
        self.write_json("config.json", with_registered(with_teacher_file(settings, teacher_file),
                                                       sources))
        for name, records in (("metrics.jsonl", history), ("audit.jsonl", audit)):
            self._replace(name, "".join(_json(r) + "\n" for r in records))

    def record_failure(self, failure: TrainingError, *,
                       before_training: TrainConfig | None = None,
                       retrying: BaseException | None = None) -> None:
        """Record in ``summary.json``, beside what it holds, the error ``failure`` that stopped
        the run (:data:`~pidkit_distill.run_folders.files.FAILED`): its one-line message and its hint,
        which the report shows, and its ``kind`` and ``says_rerun``, from which the report's
        advice follows (none for a stop that followed another process's: its kind is in the
        other's message only). Nothing where the folder has no ``config.json`` (the run wrote
        nothing yet), unless ``before_training`` gives the configuration of a train that
        stopped before it trained (before :meth:`start`): a folder that holds no run yet (no
        ``config.json``, ``metrics.jsonl`` or ``checkpoint.pt``) then gets them written first,
        as :meth:`start` writes them with no epoch, and the record says so
        (``"before_training": true``). A write that fails (a full disk) is said in a line on
        stderr: the run's own error is what the caller raises. Where the record is written,
        ``failure.recorded_in`` becomes this folder. A record that an earlier call decided here
        for ``retrying`` (``failure`` itself, or the error that it stands in for) but could not
        write is retried as that call said it, whatever ``before_training`` says now: fit's
        failure in an epoch is not made one before training."""
        if not self.is_main:
            return
        said = getattr(retrying or failure, _RECORD_SAID, None)
        before = said[1] if said and said[0] == self.path else before_training is not None
        record: dict[str, Any] = {"message": str(failure), "hint": failure.hint}
        if failure.kind is not None:
            record.update(kind=failure.kind, says_rerun=failure.says_rerun)
        try:
            if before:
                record["before_training"] = True
                if before_training is not None and not any(
                        (self.path / name).exists()
                        for name in ("config.json", "metrics.jsonl", "checkpoint.pt")):
                    self.start(before_training, [], [])
            if (self.path / "config.json").is_file():
                setattr(failure, _RECORD_SAID, (self.path, before))
                self.write_json("summary.json", {**self._summary(), FAILED: record})
                failure.recorded_in = self.path
        except OSError as err:
            print(f"note: the run's failure is not recorded in its folder: {one_line(err)}",
                  file=sys.stderr, flush=True)

    def _summary(self) -> dict[str, Any]:
        """The folder's ``summary.json`` without a failure's record; empty where there is
        none, or it cannot be read."""
        try:
            summary = json.loads((self.path / "summary.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {k: v for k, v in summary.items() if k != FAILED} if isinstance(summary, dict) \
            else {}

    def _first_record(self) -> dict[str, Any]:
        """The folder's ``config.json``, whose record a resumed run keeps; empty where it is
        not there or not readable (the record is lost, not made up)."""
        try:
            return read_run_config(self.path)
        except (OSError, ValueError):
            return {}

    def append(self, name: str, records: list[dict[str, Any]]) -> None:
        """Append JSON lines to ``name`` (``metrics.jsonl``, ``audit.jsonl``).

        Raises
        ------
        FileWriteError
            The lines could not be written (a full disk): the file is cut back to its earlier
            lines, so no half-written line is left behind (the message says so, or that its
            last line may be cut off where the file cannot be cut).
        """
        if not self.is_main or not records:
            return
        path = self.path / name
        size = path.stat().st_size if path.exists() else 0
        with self._writes() as then:
            try:
                with path.open("a", encoding="utf-8") as handle:
                    handle.write("".join(_json(r) + "\n" for r in records))
            except OSError as err:
                kept = (f"{name} holds its earlier lines (nothing was half-written)"
                        if _cut_back(path, size) else
                        "its last line may be cut off (a reader skips it, with a warning)")
                raise not_written(path, err, kept=kept, then=then) from err

    def write_json(self, name: str, obj: Any) -> None:
        """Write ``name`` as indented JSON, atomically."""
        if not self.is_main:
            return
        self._replace(name, _json(obj, indent=2) + "\n")

    def _replace(self, name: str, text: str) -> None:
        """Write ``text`` as ``name``, atomically."""
        with self._writes() as then:
            atomic_write(self.path / name, lambda handle: handle.write(text.encode()), then=then)

    def _writes(self) -> AbstractContextManager[str]:
        """Around a write of a file of the run: what to do once it can be written again."""
        return run_writes(self.checkpoint, resume=self.resume)


def _cut_back(path: Path, size: int) -> bool:
    """Cut ``path`` back to its first ``size`` bytes if a failed write added to it; whether it
    holds only those now (a file that was never opened, or is gone, is left alone)."""
    try:
        if os.path.getsize(path) > size:
            os.truncate(path, size)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _json(obj: Any, **options: Any) -> str:
    """``obj`` as strict JSON: NumPy numbers as numbers, NaN and infinities as ``null`` (a
    diverged student's held-out loss; JSON has no NaN, and jq and JavaScript refuse the token).

    Examples
    --------
    >>> import numpy as np
    >>> _json({"test_loss": float("inf"), "lam": np.float32(0.5), "n": np.int64(3)})
    '{"test_loss": null, "lam": 0.5, "n": 3}'
    """
    return json.dumps(jsonable(obj, finite=True), allow_nan=False, **options)
