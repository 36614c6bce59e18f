"""Finding the run folders that ``pidkit-distill train`` writes, and what to pass instead of a
path that is none.

:func:`holds_run` tells a run folder by its files (looked up, not read), :func:`run_folders`
lists those in a folder and :func:`runs_in` gives those a path stands for (``runs``, a sweep's
``run.out_dir``), with, asked for, the run folders in it that a train made and wrote no run in
yet (:func:`~pidkit_distill.run_folders.unwritten.holds_unwritten_run`), which a report names as it
skips them. An error about a path that is no run folder ends with what to pass instead:
the run folder a file is in (:func:`instead_of_file`), the run folders in or below a folder
(:func:`instead_of_folder`), or the closest name to a misspelt one that holds runs
(:func:`near_folder_of_runs`), found among the first entries of a folder only: every loader's
error about a run folder that does not exist ends with it (:func:`did_you_mean_run_folder`).
"""

from __future__ import annotations

import itertools
import os
import shlex
from pathlib import Path

from pidkit.utils import closest
from pidkit_distill.run_folders.unwritten import holds_unwritten_run

__all__ = ["did_you_mean_run_folder", "holds_run", "instead_of_file", "instead_of_folder",
           "near_folder_of_runs", "run_folders", "runs_in"]

# The entries of one folder that an error's hint reads at most (the work of a misspelt path in
# a home folder or in one of 100,000 entries stays small: difflib's grows with the names), and
# the closest names it tries, one after another, for one that holds runs.
_HINT_ENTRIES = 1000
_HINT_TRIES = 3
# The files of a run of its own in a folder: where one is there, the folder is a damaged or
# unfinished run, not a sweep's folder holding no run folders.
_RUN_FILES = ("config.json", "metrics.jsonl", "audit.jsonl", "checkpoint.pt", "summary.json")


def holds_run(folder: Path) -> bool:
    """Whether ``folder`` holds a run: a ``checkpoint.pt`` or a ``config.json`` (only looked up,
    not read), or a ``config.json`` that is a folder beside a run's ``metrics.jsonl``, a run
    whose reading refuses it (:func:`~pidkit_distill.run_folders.files.check_run_files_are_files`), as
    given alone, where a sweep's search did not find it; not a folder that cannot be looked into
    (another user's).

    Examples
    --------
    >>> holds_run(Path("/nonexistent"))
    False
    """
    return (os.path.isfile(folder / "checkpoint.pt") or os.path.isfile(folder / "config.json")
            or (os.path.isdir(folder / "config.json")
                and os.path.isfile(folder / "metrics.jsonl")))


def run_folders(folder: Path, *, unwritten: bool = False) -> list[Path]:
    """The run folders directly in ``folder`` (:func:`holds_run`; not those deeper down), sorted;
    none where ``folder`` cannot be listed (no such folder, no permission).

    Parameters
    ----------
    folder : Path
        The folder.
    unwritten : bool, default=False
        Whether the run folders that a train made and wrote no run in yet count too (its lock
        file, beside temporary files at most:
        :func:`~pidkit_distill.run_folders.unwritten.holds_unwritten_run`).

    Examples
    --------
    >>> import tempfile
    >>> runs = Path(tempfile.mkdtemp())
    >>> for name in ("b", "a"):
    ...     (runs / name).mkdir()
    >>> (runs / "b" / "config.json").touch()
    >>> (runs / "a" / ".lock").touch()  # made by a train that has not written its run yet
    >>> [sub.name for sub in run_folders(runs)]
    ['b']
    >>> [sub.name for sub in run_folders(runs, unwritten=True)]
    ['a', 'b']
    >>> run_folders(Path("/nonexistent"))
    []
    """
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return sorted(sub for sub in entries
                  if holds_run(sub) or (unwritten and holds_unwritten_run(sub)))


def runs_in(path: Path, *, unwritten: bool = False) -> list[Path]:
    """The run folders that ``path`` stands for: itself, or, for a folder that is no run (no
    ``config.json``) but holds run folders (a sweep's ``runs``, a report written into it
    included), those (:func:`run_folders`, of ``unwritten``: with those that a train made and
    wrote no run in yet), sorted.

    Examples
    --------
    >>> runs_in(Path("/nonexistent"))
    [PosixPath('/nonexistent')]
    """
    if (path / "config.json").exists():
        return [path]
    return run_folders(path, unwritten=unwritten) or [path]


def instead_of_file(path: Path) -> str:
    """For a file ``path`` of a run folder (``runs/x/metrics.jsonl``, the path a shell completes
    to), or of the report folder in it (``runs/x/report/report.md``, where a report of the run
    alone goes), what to pass instead: ``the run folder it is in, 'runs/x'``; else nothing.

    Examples
    --------
    >>> instead_of_file(Path("/nonexistent/metrics.jsonl"))
    ''
    """
    folder = path.parent
    if not holds_run(folder) and (folder / "report.md").is_file():
        folder = folder.parent
    return f"the run folder it is in, {str(folder)!r}" if holds_run(folder) else ""


def instead_of_folder(folder: Path) -> str:
    """What to pass instead of ``folder``, which is no run folder, as the end of the error: the
    run folders it holds, else the folders in it that hold runs (``runs/demo/RUN``), else, for
    a folder without a run's file of its own (an empty one, meant as a sweep's), that it holds
    no run folders either and what one holds, else folders written by ``pidkit-distill train``.

    Examples
    --------
    >>> instead_of_folder(Path("/nonexistent"))
    '; pass folders written by `pidkit-distill train`'
    >>> import tempfile
    >>> print(instead_of_folder(Path(tempfile.mkdtemp())))
    ; nor does it hold run folders (a run folder holds the config.json and metrics.jsonl that \
`pidkit-distill train` writes, as runs/digits-kd-tt-s0 does): pass run folders, or the folder \
of a sweep that holds them
    """
    held = [sub.name for sub in run_folders(folder)]
    if held:
        # the glob unquoted, or a shell would not expand it
        return (f"; it holds {len(held)} run folder(s) ({', '.join(held[:3])}"
                f"{', ...' if len(held) > 3 else ''}): pass them (in a shell, "
                f"{shlex.quote(str(folder))}/*)")
    deeper = sorted(str(sub) for sub in _first_folders(folder) if _holds_runs(sub))
    if deeper:
        return (f"; its run folders are one level deeper, in {', '.join(map(repr, deeper[:3]))}"
                f"{', ...' if len(deeper) > 3 else ''}: pass {'it' if len(deeper) == 1 else 'one'}")
    if folder.is_dir() and not any(os.path.lexists(folder / name) for name in _RUN_FILES):
        return ("; nor does it hold run folders (a run folder holds the config.json and "
                "metrics.jsonl that `pidkit-distill train` writes, as runs/digits-kd-tt-s0 "
                "does): pass run folders, or the folder of a sweep that holds them")
    return "; pass folders written by `pidkit-distill train`"


def _first_folders(folder: Path) -> list[Path]:
    """The folders among the first :data:`_HINT_ENTRIES` entries of ``folder``, as listed (none
    where it cannot be listed): an error's hint looks no further, in a home folder or one of
    100,000 entries."""
    try:
        with os.scandir(folder) as entries:
            return [Path(entry.path) for entry in itertools.islice(entries, _HINT_ENTRIES)
                    if entry.is_dir()]
    except OSError:
        return []


def _holds_runs(folder: Path) -> bool:
    """Whether ``folder`` is a run folder or holds one among its first entries
    (:func:`_first_folders`)."""
    return holds_run(folder) or any(holds_run(sub) for sub in _first_folders(folder))


def near_folder_of_runs(name: str, folder: Path) -> str | None:
    """The name of the folder in ``folder`` closest to the misspelt ``name`` that holds runs
    (:func:`_holds_runs`), or ``None``: of the first entries of ``folder``
    (:func:`_first_folders`), the :data:`_HINT_TRIES` closest names are tried, closest first.

    Examples
    --------
    >>> near_folder_of_runs("runz", Path("/nonexistent")) is None
    True
    """
    names = [sub.name for sub in _first_folders(folder)]
    for _ in range(_HINT_TRIES):
        near = closest(name, names)
        if near is None or _holds_runs(folder / near):
            return near
        names.remove(near)
    return None


def did_you_mean_run_folder(path: Path) -> str:
    """The end of an error about a run folder ``path`` that does not exist (a typo:
    ``runs/rid-sed0``): ``. Did you mean 'runs/rid-seed0'?`` for the folder beside it whose
    name is closest and that holds runs (:func:`near_folder_of_runs`), or ``""`` for none; one
    wording for :func:`~pidkit_distill.report.load_run` (the report),
    :func:`~pidkit_distill.load_student` and :func:`~pidkit_distill.load_run_teacher`.

    Examples
    --------
    >>> import tempfile
    >>> runs = Path(tempfile.mkdtemp())
    >>> for name in ("rid-seed0", "kd-seed0"):
    ...     (runs / name).mkdir()
    ...     (runs / name / "config.json").touch()
    >>> did_you_mean_run_folder(runs / "rid-sed0") == f". Did you mean {str(runs / 'rid-seed0')!r}?"
    True
    >>> did_you_mean_run_folder(runs / "colour")
    ''
    """
    near = near_folder_of_runs(path.name, path.parent)
    return f". Did you mean {str(path.parent / near)!r}?" if near else ""
