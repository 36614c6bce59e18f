"""Atomic, durable file writes (no torch): what the trainer's run folder and the report share.

A temporary file in the same folder, flushed and ``fsync``'ed, then ``os.replace``'d over the
target, then the folder itself ``fsync``'ed. A process killed at any moment leaves either the
old or the new file, never a partial one. A write that fails (a full disk, a folder that takes
no new file) removes its temporary file and raises :class:`FileWriteError`, one line naming
the file, the reason and what to do.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["FileWriteError", "atomic_write", "not_written", "os_error_of"]

# a full disk or quota: freeing space is the fix; any other error is about the folder
_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


class FileWriteError(OSError):
    """A file could not be written; the message names it, says why and what to do.

    An :class:`OSError` whose ``errno``, ``strerror`` and ``filename`` are those of the
    operating system's error, so code that reads them (or catches ``OSError``) keeps working.

    Parameters
    ----------
    code : int
        The ``errno`` (``errno.ENOSPC`` for a full disk).
    reason : str
        The operating system's words for it (``strerror``).
    filename : str
        The file that was being written.
    message : str
        The whole one-line message.

    Examples
    --------
    >>> err = FileWriteError(errno.ENOSPC, "No space left on device", "runs/x/summary.json",
    ...                      "cannot write 'runs/x/summary.json': No space left on device")
    >>> print(err); err.errno == errno.ENOSPC, err.strerror
    cannot write 'runs/x/summary.json': No space left on device
    (True, 'No space left on device')
    """

    def __init__(self, code: int, reason: str, filename: str, message: str) -> None:
        super().__init__(code, reason, filename)
        self.message = message

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        """Rebuilt from all four arguments (an error sent back from a worker process)."""
        return type(self), (self.errno, self.strerror, self.filename, self.message)


def os_error_of(error: BaseException) -> OSError | None:
    """``error`` itself if it is an :class:`OSError`, else the first one among its causes and
    contexts (torch reports a full disk as a ``RuntimeError`` raised while handling one), or
    ``None``.

    Examples
    --------
    >>> try:
    ...     try:
    ...         raise OSError(errno.ENOSPC, "No space left on device")
    ...     except OSError:
    ...         raise RuntimeError("unexpected pos 117632 vs 117528")
    ... except RuntimeError as err:
    ...     os_error_of(err).errno == errno.ENOSPC
    True
    >>> os_error_of(ValueError("no")) is None
    True
    """
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, OSError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def not_written(path: str | Path, error: OSError, *, kept: str, then: str) -> FileWriteError:
    """The :class:`FileWriteError` for ``path``, which ``error`` stopped: ``kept`` says what
    the file holds now, ``then`` what to do once the disk has room or the folder is writable.

    Examples
    --------
    >>> full = OSError(errno.ENOSPC, "No space left on device")
    >>> print(not_written("runs/x/metrics.jsonl", full, kept="it holds its earlier lines",
    ...                   then="run again"))
    cannot write 'runs/x/metrics.jsonl': No space left on device; it holds its earlier lines: \
free space on its disk (or choose a folder on another one), then run again
    """
    path = Path(path)
    reason = error.strerror or type(error).__name__
    if error.errno in _NO_SPACE:
        fix = "free space on its disk (or choose a folder on another one)"
    else:
        fix = f"make {str(path.parent)!r} writable (or choose another folder)"
    return FileWriteError(error.errno or 0, reason, str(path),
                          f"cannot write {str(path)!r}: {reason}; {kept}: {fix}, then {then}")


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None], *,
                 then: str = "write it again") -> None:
    """Write ``path`` through ``write(handle)`` atomically and durably (see the module doc).

    Parameters
    ----------
    path : str or Path
        The file; its folder is created if missing.
    write : callable
        Called with the temporary file, opened for writing bytes.
    then : str, default="write it again"
        What to do once the disk has room or the folder is writable, for the message of a
        failed write ("rerun the same command").

    Raises
    ------
    FileWriteError
        The file or its folder could not be written (a full disk, no permission, a read-only
        file system), also when ``write`` reported it as another exception raised while
        handling the :class:`OSError`. ``path`` is left as it was and the temporary file is
        removed. Any other exception of ``write`` is raised as it is, after the same cleanup.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> atomic_write(path, lambda handle: handle.write(b"done"))
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('done', ['x.txt'])
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        try:  # a partial file would hold the space a rerun needs
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        cause = os_error_of(err)
        if cause is None or not isinstance(err, Exception) or isinstance(err, FileWriteError):
            raise  # an interrupt, or an error of ``write`` that is not about the file
        kept = (f"{path.name} is as it was before (nothing was half-written)" if path.exists()
                else f"{path.name} was not written")
        raise not_written(path, cause, kept=kept, then=then) from err
    if os.name == "posix":  # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
