"""The folder a report is written into: where it goes by default (:func:`default_out_dir`),
checked to be no other run's folder (:func:`check_not_other_run`), made before anything is
drawn (:func:`made_out_dir`), and its files written into it, each atomically, while the report
holds the folder's lock (:func:`write_files`), so that the folder never mixes two reports.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO

from pidkit_distill.atomic_files import atomic_write, not_a_folder, remove_leftovers
from pidkit_distill.folder_locks import folder_lock, take_lock
from pidkit_distill.report.figures import SOMETIMES_DRAWN
from pidkit_distill.run_folders.files import read_run_config
from pidkit_distill.run_folders.records import RunRecords, given_runs
from pidkit_distill.run_folders.summary import RunSummary
from pidkit_distill.run_folders.unwritten import holds_unwritten_run

__all__ = ["check_not_other_run", "default_out_dir", "made_out_dir", "write_files"]

# How long a report waits, in seconds, for another writing into the same folder (which
# holds it for the moment its files take to write, once drawn).
_WAIT_S = 60.0
# The lock of a report folder, held while a report writes its files.
_LOCK_FILE = ".report.lock"


def default_out_dir(run_dirs: str | bytes | os.PathLike[str] | RunRecords | RunSummary
                    | Iterable[str | bytes | os.PathLike[str] | RunRecords | RunSummary],
                    runs: list[RunRecords]) -> Path:
    """Where :func:`~pidkit_distill.report.write_report` writes without an ``out_dir``:
    ``report`` in the one folder given (a run's, ``RUN_DIR/report``; a sweep's,
    ``SWEEP/report``, however many runs it holds), else ``report`` beside the first run.

    Parameters
    ----------
    run_dirs : path, RunRecords, RunSummary, or an iterable of them
        The runs as the user gave them (:func:`~pidkit_distill.report.write_report`'s
        ``run_dirs``, the command's ``RUN_DIR`` arguments).
    runs : list of RunRecords
        The runs read from them (:func:`~pidkit_distill.load_runs`); only the
        first is used, and only where several were given.

    Returns
    -------
    Path

    Examples
    --------
    >>> default_out_dir("runs/digits-bas-ut-s0", []).as_posix()
    'runs/digits-bas-ut-s0/report'
    >>> default_out_dir(["runs"], []).as_posix()
    'runs/report'
    """
    given = given_runs(run_dirs, "run_dirs")
    if len(given) == 1:
        only = given[0]
        return (only.path if isinstance(only, RunRecords) else Path(only).expanduser()) / "report"
    # beside the first run (the parent of "." or ".." is itself or inside it)
    first = runs[0].path
    return (first.resolve() if first.name in ("", "..") else first).parent / "report"


def check_not_other_run(out_dir: str | Path, runs: list[RunRecords], *, default: Path) -> None:
    """Refuse a report folder ``out_dir`` that is the folder of a run the report is not of, or
    is in one (``runs/b/report``, that run's own report folder): the report's ``report.md`` and
    figures would be taken for that run's, and would replace its own report there. The report
    of a run may go into that run's folder, or into a folder of runs (``runs``). A run folder is
    told by its ``config.json``, a run's (another tool's, in a project's folder, is none), or
    by the lock file alone of a train that has not written its run yet; the nearest such folder
    that ``out_dir`` is or is in counts.

    Parameters
    ----------
    out_dir : str or Path
        The report folder asked for (``~`` is the home folder).
    runs : list of RunRecords
        The runs reported.
    default : Path
        Where the report goes without ``out_dir`` (:func:`default_out_dir`), named in the
        error as the folder to choose where it is not refused itself.

    Raises
    ------
    ValueError
        ``out_dir`` is, or is in, the folder of a run that is not among ``runs``; the message
        names both and says to choose another folder.

    Examples
    --------
    >>> import json, tempfile
    >>> from pidkit_distill import load_config
    >>> from pidkit_distill.config import config_to_dict
    >>> runs = Path(tempfile.mkdtemp())
    >>> for name in ("a", "b"):
    ...     (runs / name).mkdir()
    ...     _ = (runs / name / "config.json").write_text(json.dumps(config_to_dict(load_config())))
    >>> reported = [RunRecords("a", runs / "a", {}, [], [])]
    >>> check_not_other_run(runs / "a", reported, default=runs / "a" / "report")  # its own
    >>> check_not_other_run(runs, reported, default=runs / "a" / "report")  # a folder of runs
    >>> try:
    ...     check_not_other_run(runs / "b" / "report", reported, default=runs / "a" / "report")
    ... except ValueError as err:
    ...     print(str(err).replace(str(runs), "RUNS"))
    out_dir='RUNS/b/report' is in the folder of the run 'RUNS/b', which is not among the runs \
reported ('RUNS/a'): the report written there would be taken for that run's; choose another \
folder (--out), such as 'RUNS/a/report' (the default)
    """
    out = Path(out_dir).expanduser()
    other = _other_run_folder(out, runs)
    if other is None:
        return
    where = "the folder" if other == out.resolve() else "in the folder"
    named = ", ".join(repr(str(run.path)) for run in runs[:3]) + (", ..." if len(runs) > 3 else "")
    replaced = ", and would replace the report.md there" if (out / "report.md").is_file() else ""
    instead = (f", such as {str(default)!r} (the default)"
               if _other_run_folder(default, runs) is None else "")
    raise ValueError(f"out_dir={str(out)!r} is {where} of the run {str(other)!r}, which is not "
                     f"among the runs reported ({named}): the report written there would be "
                     f"taken for that run's{replaced}; choose another folder (--out){instead}")


def _other_run_folder(folder: Path, runs: list[RunRecords]) -> Path | None:
    """The nearest run folder that ``folder`` is or is in (both resolved), where it is none of
    ``runs``; ``None`` where there is no such folder or it is one of them."""
    reported = {run.path.resolve() for run in runs}
    for place in (folder.resolve(), *folder.resolve().parents):
        if place in reported:
            return None
        if holds_unwritten_run(place):
            return place
        if os.path.isfile(place / "config.json"):
            try:
                read_run_config(place)
            except (OSError, ValueError):  # another tool's config.json, or one not readable
                continue
            return place
    return None


def made_out_dir(out_dir: str | Path) -> Path:
    """The report folder ``out_dir`` (``~`` is the home folder), made where it is not, with its
    parents; a :class:`ValueError` says why it cannot be (a file in the way, no permission).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> made_out_dir(folder / "report").is_dir()
    True
    >>> (folder / "notes").write_text("")
    0
    >>> made_out_dir(folder / "notes" / "report")
    Traceback (most recent call last):
    ...
    ValueError: out_dir='.../notes/report' cannot be created ('.../notes' is a file, not a folder); \
choose another folder (--out)
    """
    out = Path(out_dir).expanduser()  # '--out=~/r', which no shell expands, included
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:  # a file in the way is named, where mkdir says 'File exists'
        in_the_way = not_a_folder(out)
        why = err.strerror if in_the_way is None else f"{str(in_the_way)!r} is a file, not a folder"
        raise ValueError(f"out_dir={str(out)!r} cannot be created ({why}); choose another folder "
                         "(--out)") from None
    return out


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write each of the report's ``files`` (its bytes, by file name) into the folder ``out``,
    each atomically, while holding the folder's lock (waiting for another report writing
    there); the temporary files a killed report left of the report's own files are deleted
    first, and a figure an earlier report left there and not in ``files`` after (a PID figure,
    ``losses.png``: :data:`~pidkit_distill.report.figures.SOMETIMES_DRAWN`).

    Raises
    ------
    ValueError
        Another report writing into ``out`` for over a minute, or a figure of an earlier
        report that cannot be removed.
    pidkit_distill.atomic_files.FileWriteError
        A file that could not be written.
    """
    with _report_folder_lock(out) as locked:
        if locked:  # no other report is writing here: a temporary file left was a killed one's
            remove_leftovers(out, [*files, *SOMETIMES_DRAWN])
        for name, data in files.items():  # everything is drawn: write it, each file atomically
            atomic_write(out / name, partial(_write_bytes, data), then="make the report again")
        for name in sorted(set(SOMETIMES_DRAWN) - files.keys()):
            try:
                (out / name).unlink(missing_ok=True)
            except OSError as err:
                raise ValueError(f"out_dir={str(out)!r}: {name}, left by an earlier report, "
                                 f"cannot be removed ({err.strerror}); remove it or choose "
                                 "another folder (--out)") from None


@contextmanager
def _report_folder_lock(out: Path) -> Iterator[bool]:
    """Hold the lock of the report folder ``out`` while the block runs, waiting up to
    :data:`_WAIT_S` seconds for another report writing there; give whether it is held. A
    folder whose lock file cannot be made, or whose file system cannot lock files, is written
    unlocked (``False``): the writes then say what is wrong (a lock file that cannot be made)
    or go ahead (a file system that cannot lock).

    The lock is :func:`~pidkit_distill.folder_locks.folder_lock`'s, never filelock's soft lock,
    which would take the lock file, which every report leaves, for one held."""
    lock = folder_lock(out / _LOCK_FILE)
    try:
        if take_lock(lock, _WAIT_S) is False:
            raise ValueError(f"out_dir={str(out)!r} is being written by another report (which "
                             f"holds {out / _LOCK_FILE}) for over {_WAIT_S:g} s; wait for it to "
                             "end, or choose another folder (--out)")
    except OSError:  # the lock file cannot be made: the writes say what is wrong
        pass
    try:
        yield lock.is_locked
    finally:
        if lock.is_locked:
            lock.release()


def _write_bytes(data: bytes, handle: IO[bytes]) -> None:
    """Write ``data`` into ``handle`` (a file's whole text, for :func:`write_files`)."""
    handle.write(data)
