"""Atomic, durable file writes (no torch): what the trainer's run folder and the report share.

A temporary file in the same folder, flushed and ``fsync``'ed, then ``os.replace``'d over the
target, then the folder itself ``fsync``'ed. A process killed at any moment leaves either the
old or the new file, never a partial one.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = ["atomic_write"]


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], None]) -> None:
    """Write ``path`` through ``write(handle)`` atomically and durably (see the module doc).

    Parameters
    ----------
    path : str or Path
        The file; its folder is created if missing.
    write : callable
        Called with the temporary file, opened for writing bytes.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> atomic_write(path, lambda handle: handle.write(b"done"))
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('done', ['x.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    if os.name == "posix":  # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
