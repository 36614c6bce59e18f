"""A run folder that ``pidkit-distill train`` has made but not written yet, told apart for the
report: a train makes its run folder and locks it (its ``.lock``) before it checks the data,
trains or reads its teacher and writes ``config.json``, so for that while (a teacher's whole
training) the folder holds the lock file alone, and so does one whose train stopped in it,
beside the temporary file of a ``config.json`` whose writing was killed
(``config.json.XXXXXXXX.tmp``). :func:`holds_unwritten_run` tells such a folder by those
files, :func:`unwritten_run` says why it holds no run.
"""

from __future__ import annotations

import os
from pathlib import Path

from pidkit_distill.atomic_files import is_temporary_file
from pidkit_distill.folder_locks import lock_held

__all__ = ["RUN_LOCK_FILE", "holds_unwritten_run", "unwritten_run"]

# The lock file that the process training a run holds (training.rundir.LOCK_FILE, whose
# module imports PyTorch, which reading runs does not).
RUN_LOCK_FILE = ".lock"


def holds_unwritten_run(folder: Path) -> bool:
    """Whether ``folder`` is a run folder that a train made and wrote no run in yet: it holds the
    run's lock file and nothing else but temporary files of
    :func:`~pidkit_distill.atomic_files.atomic_write` (a ``config.json`` being written, or whose
    writing was killed), all that a train leaves in it before its ``config.json``. Not a folder
    that holds anything more (the demo's folder, locked too, holds its marker and run folders;
    a run whose ``config.json`` is gone, its ``metrics.jsonl``), nor one that cannot be listed.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / RUN_LOCK_FILE).touch()
    >>> holds_unwritten_run(folder)
    True
    >>> (folder / "config.json.c11c735b.tmp").touch()  # its config.json as it was killed
    >>> holds_unwritten_run(folder)
    True
    >>> (folder / "metrics.jsonl").touch()
    >>> holds_unwritten_run(folder)
    False
    """
    if not os.path.isfile(folder / RUN_LOCK_FILE):  # most folders: nothing is listed
        return False
    try:
        with os.scandir(folder) as entries:
            return all(entry.name == RUN_LOCK_FILE or is_temporary_file(entry)
                       for entry in entries)
    except OSError:
        return False


def unwritten_run(folder: Path, *,
                  once_written: str = "report it once its first epoch has ended") -> str | None:
    """Why ``folder``, a run folder that holds no run yet (:func:`holds_unwritten_run`), is
    none: the command that locks it now has not written the run yet, or the train that made it
    stopped before (or either, where its lock cannot be tested: then no rerun is advised until
    the user has looked for that process); ``None`` for any other folder.

    Parameters
    ----------
    folder : Path
        The folder.
    once_written : str, optional
        What the caller's user does about a run that is being written now, ending its message:
        the report's by default; :func:`~pidkit_distill.load_student` gives its own.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> unwritten_run(folder) is None
    True
    >>> (folder / RUN_LOCK_FILE).touch()
    >>> unwritten_run(folder).startswith("a `pidkit-distill train` made this run folder and stopped")
    True
    """
    if not holds_unwritten_run(folder):
        return None
    held = lock_held(folder / RUN_LOCK_FILE)
    if held:
        return (f"a `pidkit-distill` command holds its {RUN_LOCK_FILE} now but has written no "
                "run in it yet (a train checks the configuration, loads the data and trains or "
                f"reads the teacher first): {once_written}")
    if held is None:  # a rerun beside a train still running would write the folder twice
        return (f"its {RUN_LOCK_FILE} cannot be tested here (its file system cannot lock files, "
                "or it cannot be read), so a `pidkit-distill train` may be writing no run in it "
                "yet (it checks the configuration, loads the data and trains or reads the "
                "teacher first) or have stopped before it wrote the run; look for its process "
                "(ps, squeue) and rerun that command only if none runs")
    return ("a `pidkit-distill train` made this run folder and stopped before it wrote the run in "
            "it (while it checked the configuration, loaded the data or trained the teacher; "
            "nothing of the run was saved): rerun that command")
