"""Files that the trainer writes with ``torch.save`` and reads back: atomic writes, safe loads.

Every file the trainer reads back (``checkpoint.pt``, a teacher file) is loaded with
``torch.load(weights_only=True)`` (:func:`safe_load`): tensors and plain Python values (dict,
list, tuple, str, int, float, bool, None) only, so a file cannot run code when it is read. A file
that holds anything else is refused with a one-line :class:`ValueError` saying what the file
should hold.

Writes are atomic and durable (:func:`atomic_save`, through
:func:`pidkit_distill.atomic_files.atomic_write`): a run killed at any moment leaves either the
old or the new file, never a partial one.
"""

from __future__ import annotations

import errno
import os
import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

import torch

from pidkit.command_line import one_line
from pidkit_distill.atomic_files import atomic_write

__all__ = ["atomic_save", "safe_load"]


def atomic_save(obj: Any, path: Path, *, then: str = "write it again") -> None:
    """``torch.save(obj)`` to ``path`` atomically and durably.

    A full disk (which torch reports as a ``RuntimeError``) or an unwritable folder raises
    :class:`~pidkit_distill.atomic_files.FileWriteError`, whose message ends with ``then``;
    ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.pt"
    >>> atomic_save({"w": torch.ones(2)}, path)
    >>> safe_load(path, what="file", holds="a dict")["w"]
    tensor([1., 1.])
    """
    atomic_write(path, lambda handle: torch.save(obj, handle), then=then)


def safe_load(path: str | Path, *, what: str, holds: str, mmap: bool = False) -> Any:
    """``torch.load(path, weights_only=True)`` on CPU, with one-line errors.

    Parameters
    ----------
    path : str or Path
        The file.
    what : str
        What the file is, for messages (``"teacher file"``).
    holds : str
        What the file should hold, for messages.
    mmap : bool, default=False
        Map the tensors instead of reading them (zip-format files only; others, and files on a
        file system that cannot map them, are read whole).

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        Not a file written by ``torch.save`` (or one cut off or damaged since), or one holding
        Python objects other than tensors and plain values (it is refused before anything in
        it runs).
    OSError
        The file could not be read (no permission, a failing disk): the message names it and
        the system's reason; the file itself may be sound.
    MemoryError
        Memory ran out while it was read: Python's, raised as it is, or torch's allocator
        refusing (a ``RuntimeError`` from torch), raised as a :class:`MemoryError` naming it.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{what} {str(path)!r} does not exist; expected {holds}")
    try:
        return _load(path, what=what, holds=holds, mmap=mmap)
    except OSError as err:
        message = (f"{what} {str(path)!r} could not be read: {err.strerror or one_line(err)}; "
                   "the file itself may be sound: check its permissions and its disk, then run "
                   "again")
        # of err's own type (PermissionError, ...), which OSError makes from its errno
        raise (OSError(message) if err.errno is None else OSError(err.errno, message)) from err


def _load(path: Path, *, what: str, holds: str, mmap: bool) -> Any:
    """:func:`safe_load`'s reading of ``path``, an existing file; its :class:`OSError` is
    raised as it is."""
    not_torch = f"{what} {str(path)!r} is not a file written by torch.save"
    try:
        zipped = zipfile.is_zipfile(path)
    except zipfile.BadZipFile as err:  # raised by is_zipfile itself (an end record of 2+ disks)
        raise ValueError(f"{not_torch} ({one_line(err)}); expected {holds}") from None
    with path.open("rb") as handle:
        pickled = handle.read(1) == b"\x80"  # a pickle's protocol marker (torch's old format)
    if not (zipped or pickled):
        raise ValueError(f"{not_torch}; expected {holds}")
    mapped = mmap and zipped and _named_in_utf8(path)
    try:
        with warnings.catch_warnings():  # torch warns about pickle protocols before refusing
            warnings.simplefilter("ignore")
            return torch.load(path, map_location="cpu", weights_only=True, mmap=mapped)
    except pickle.UnpicklingError as err:
        found = re.search(r"(Unsupported [^\n]*?)(?: was not an allowed|\.?\s*$|\.? [A-Z][a-z]|\n)",
                          str(err), re.M)
        detail = f" ({found.group(1).strip()})" if found else ""
        raise ValueError(
            f"{what} {str(path)!r} holds Python objects other than tensors and plain values"
            f"{detail}, so it was not loaded (files are read with torch.load(weights_only=True)"
            f" and never run); expected {holds}"
        ) from None
    except (OSError, MemoryError):  # a failed read, memory running out: not the file's fault
        raise
    except Exception as err:  # whatever else torch.load raises: not torch's file, or damaged
        if (failure := _failed_not_damaged(err, f"{what} {str(path)!r}")) is not None:
            if mapped and isinstance(failure, OSError):  # a file system that cannot map files
                return _load(path, what=what, holds=holds, mmap=False)
            raise failure from err
        first = str(err).strip().splitlines()[0] if str(err).strip() else ""
        raise ValueError(
            f"{not_torch} ({type(err).__name__}: {first[:120]}); expected {holds}"
        ) from None


def _named_in_utf8(path: Path) -> bool:
    """Whether torch can map ``path``: it opens a mapped file by its name encoded as UTF-8, which a
    name holding bytes that are not UTF-8 (kept by Python as surrogates) cannot be; such a file is
    read whole instead.

    Examples
    --------
    >>> _named_in_utf8(Path("runs/rün/checkpoint.pt")), _named_in_utf8(Path("runs/r\\udcff/c.pt"))
    (True, False)
    """
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_MMAP_REFUSED = re.compile(r"unable to mmap \d+ bytes from file .*\((\d+)\)\s*$", re.M)
"""torch's error where the system refuses to map a file (``torch.load(mmap=True)``), with the
system's error number last."""


def _failed_not_damaged(err: Exception, file: str) -> MemoryError | OSError | None:
    """The error that torch reports as a :class:`RuntimeError` where a sound file cannot be
    loaded here: memory running out (its CPU allocator refused, or the system refused to map
    the file for want of memory) as a :class:`MemoryError` naming ``file``, another refusal
    to map it (a file system that cannot) as an :class:`OSError` of that errno; ``None`` for
    any other error.

    Examples
    --------
    >>> _failed_not_damaged(RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. "
    ...     "DefaultCPUAllocator: can't allocate memory: you tried to allocate 64 bytes."),
    ...     "checkpoint 'c.pt'")
    MemoryError("memory ran out while checkpoint 'c.pt' was read (DefaultCPUAllocator: can't \
allocate memory: you tried to allocate 64 bytes.)")
    >>> _failed_not_damaged(RuntimeError("unable to mmap 64 bytes from file <c.pt>: No such "
    ...     "device (19)"), "checkpoint 'c.pt'")
    OSError(19, 'No such device')
    >>> _failed_not_damaged(RuntimeError("Invalid magic number; corrupt file?"), "c.pt")
    """
    if not isinstance(err, RuntimeError):
        return None
    text = str(err)
    mapped = _MMAP_REFUSED.search(text)
    if mapped is not None and int(mapped.group(1)) != errno.ENOMEM:
        code = int(mapped.group(1))
        return OSError(code, os.strerror(code))
    if mapped is None and "DefaultCPUAllocator: can't allocate memory" not in text:
        return None
    reason = text[text.find("DefaultCPUAllocator"):] if mapped is None else mapped.group(0)
    return MemoryError(f"memory ran out while {file} was read ({reason.strip()})")
