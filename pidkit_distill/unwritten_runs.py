"""A run folder that ``pidkit-distill train`` has made but not written yet, told apart for the
report: a train makes its run folder and locks it (its ``.lock``) before it checks the data,
trains or reads its teacher and writes ``config.json``, so for that while (a teacher's whole
training) the folder holds the lock file alone, and so does one whose train stopped in it.
"""

from __future__ import annotations

import os
from pathlib import Path

from pidkit_distill.folder_locks import lock_held

__all__ = ["RUN_LOCK_FILE", "unwritten_run"]

# The lock file that the process training a run holds (training.rundir.LOCK_FILE, whose
# module imports PyTorch, which reading runs does not).
RUN_LOCK_FILE = ".lock"


def unwritten_run(folder: Path, *,
                  once_written: str = "report it once its first epoch has ended") -> str | None:
    """Why ``folder``, a run folder that holds no run yet (its lock file, and neither
    ``config.json`` nor ``checkpoint.pt``), is none: the command that locks it now has not
    written the run yet, or the train that made it stopped before (or either, where its lock
    cannot be tested: then no rerun is advised until the user has looked for that process);
    ``None`` for any other folder.

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
    lock_file = folder / RUN_LOCK_FILE
    if not os.path.isfile(lock_file) or any(
            os.path.exists(folder / name) for name in ("config.json", "checkpoint.pt")):
        return None
    held = lock_held(lock_file)
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
