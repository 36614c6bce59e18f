"""Rank 0's file in every process of a run: :func:`read_by_main`.

Rank 0 alone writes the run folder, so a process whose disk holds no copy of rank 0's file (or
an older one) gets its bytes from rank 0, in pieces, through collective calls that every
process makes alike whatever fails.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from contextlib import ExitStack, suppress
from io import BufferedReader
from pathlib import Path
from typing import BinaryIO, TypeVar

import torch
import torch.distributed as dist

from pidkit.command_line import one_line
from pidkit_distill.training.runtime import Runtime, first_stop

_T = TypeVar("_T")

__all__ = ["contents_given", "read_by_main"]


def read_by_main(runtime: Runtime, path: Path, read: Callable[[Path], _T | None]) -> _T | None:
    """What ``read(path)`` gives in rank 0, in every process (``read(path)`` in one process);
    ``None`` where rank 0's gives ``None``.

    Rank 0 alone writes the run folder (its checkpoint, a cached teacher, a ``student_init`` run),
    so with ``run.out_dir`` on each node's own disk the other nodes hold no copy of its file, or
    one of an earlier run. Rank 0 reads its file and tells the others its size and modification
    time (collective calls: where rank 0 could not open ``path`` but its ``read`` then found it,
    written meanwhile, those of the file ``path`` names after ``read``); where every process finds
    a file of that size and time at ``path`` (a folder all of them share, the common case), each
    reads it itself; else rank 0 sends the bytes it read (from the file it held open, checked
    unchanged) in pieces of at most :data:`_CHUNK_BYTES`, which a process that lacks the file
    writes to a copy in its temporary folder (``$TMPDIR``) for ``read``, gone after
    (:func:`_temporary_copy`: on Linux it has no name there, so that no copy outlives its process,
    even one killed outright). Each such process holds its own copy while it reads: up to one a
    process, the size of the file, in the temporary folder of each node. Only ``read`` unpickles
    them (its ``weights_only=True``), and no process holds more than a piece besides what ``read``
    makes: for a 420 MB checkpoint, the receiving process's peak memory grew by 0.4 GB and it took
    2 to 3 s, against 1.6 GB and 8 s when rank 0 sent the object it read
    (``broadcast_object_list``; medians of 5 runs of 2 gloo processes on 2 busy cores).

    A collective call: every process of the run must make it, and makes the same calls. Where
    rank 0's ``read`` fails, it raises before them (the others fail when it exits,
    :func:`first_stop`); where its file fails while it sends (changed, a read error) it raises
    that error after the last piece, and the others a :class:`RuntimeError` that points to it.
    An error of a process's own ``read`` or of its temporary file is raised after the calls;
    one of ``read`` of a received copy names ``path``, not the copy (:func:`_read_copy`).

    Examples
    --------
    >>> read_by_main(Runtime.single(), Path("no/such/file"), lambda path: "read")
    'read'
    """
    if not (runtime.distributed and dist.is_initialized()):
        return read(path)
    held = None
    with suppress(OSError):  # where rank 0 cannot open it, read says why (or gives None)
        held = path.open("rb") if runtime.is_main else None
    try:
        opened = os.fstat(held.fileno()) if held is not None else None
        got = read(path) if runtime.is_main else None
        if held is None and got is not None:  # the file appeared once rank 0 could not open it
            held = _opened_after_read(path)
            opened = os.fstat(held.fileno())
        if opened is not None and got is not None and not _unchanged(opened, path):
            raise _changed_while_read(path)
        mark = torch.tensor(_mark_of(opened) if opened is not None and got is not None
                            else [-1, -1], dtype=torch.int64, device=runtime.device)
        dist.broadcast(mark, src=0)
        if mark[0].item() < 0:
            return None
        lacks = not runtime.is_main and _file_mark(path) != mark.tolist()
        lacking = torch.tensor([int(lacks)], device=runtime.device)
        dist.all_reduce(lacking)  # the processes whose disk holds no copy of rank 0's file
        if not lacking.item():
            return got if runtime.is_main else read(path)
        with ExitStack() as temporary:
            copy = _send_file(runtime, held, mark.tolist(), path, temporary if lacks else None)
            if runtime.is_main:
                return got
            return read(path) if copy is None else _read_copy(read, copy, path, runtime.rank)
    finally:
        if held is not None:
            held.close()


def contents_given(got: _T | None, path: Path) -> _T:
    """``got``, what :func:`read_by_main` gave of the file ``path`` through a ``read`` that gives
    its contents or raises, never ``None``: a :class:`RuntimeError` that says what happened where
    it is ``None`` all the same (a bug).

    Examples
    --------
    >>> contents_given({"model": {}}, Path("teacher.pt"))
    {'model': {}}
    """
    if got is None:
        raise RuntimeError(f"pidkit_distill read {str(path)!r} but got nothing of it (read_by_main "
                           "gave None, which the reading of that file never gives): a bug of "
                           "pidkit_distill; please report it with this message")
    return got


_CHUNK_BYTES = 64 * 2**20
"""The largest piece of a file that :func:`read_by_main` sends in one collective call."""


def _send_file(runtime: Runtime, held: BufferedReader | None, mark: list[int], path: Path,
               temporary: ExitStack | None) -> Path | None:
    """Broadcast rank 0's file ``path`` (``held``, of size and time ``mark``) in pieces of at
    most :data:`_CHUNK_BYTES`, then whether rank 0 sent it all, unchanged; return the path of
    the copy written where ``temporary`` is given (:func:`_temporary_copy`), gone when
    ``temporary`` closes.

    Every process makes the same collective calls, whatever fails (see :func:`read_by_main`).
    """
    staging = torch.empty(min(mark[0], _CHUNK_BYTES), dtype=torch.uint8)  # on the CPU: files
    piece = staging if runtime.device.type == "cpu" else staging.to(runtime.device)
    failed: Exception | None = None  # rank 0's reading of held, another's writing of its copy
    changed = (f"{str(path)!r} changed while rank 0 sent it (does another process write it?); "
               "run again once it is written")
    copy, out = None, None
    try:
        if temporary is not None:
            copy, out = _temporary_copy(path.name, temporary)
    except OSError as err:
        failed = err
    for start in range(0, mark[0], _CHUNK_BYTES):
        n = min(_CHUNK_BYTES, mark[0] - start)
        if held is not None and failed is None:
            try:
                if held.readinto(staging[:n].numpy()) != n:  # type: ignore[arg-type]  # ndarray is a Buffer, typed so on Python 3.12+ only
                    failed = ValueError(changed)
            except OSError as err:
                failed = OSError(err.errno, f"rank 0 could not read {str(path)!r} to send it to "
                                 "the processes whose disks lack it: "
                                 f"{err.strerror or one_line(err)}; check that disk, and run again")
                failed.__cause__ = err
            if piece is not staging:
                piece[:n].copy_(staging[:n])
        dist.broadcast(piece[:n], src=0)
        if out is not None and failed is None:
            if piece is not staging:
                staging[:n].copy_(piece[:n])
            try:
                out.write(staging[:n].numpy())  # type: ignore[call-overload]  # ndarray is a Buffer, typed so on Python 3.12+ only
            except OSError as err:
                failed = err
    if out is not None:
        try:
            out.flush()  # its last write; read reads the copy while it is open
        except OSError as err:
            failed = failed or err
        if failed is not None:
            with suppress(OSError):  # the bytes it could not write: dropped here, not raised again
                out.close()
    if held is not None and failed is None and _mark_of(os.fstat(held.fileno())) != mark:
        failed = ValueError(changed)
    if held is not None and failed is not None:
        first_stop(runtime, failed)  # recorded before the others are told: they point to it
    news = torch.tensor([int(held is not None and failed is not None)], device=runtime.device)
    dist.broadcast(news, src=0)
    if held is not None and failed is not None:
        raise failed
    if news.item():
        raise RuntimeError(f"rank 0 could not send {str(path)!r} to the processes whose disks "
                           "lack it; rank 0's error says why")
    if isinstance(failed, OSError):
        raise OSError(failed.errno, f"rank {runtime.rank} lacks {str(path)!r} and could not "
                      f"write rank 0's copy ({mark[0]} bytes) to its temporary folder "
                      f"{tempfile.gettempdir()!r}: {failed.strerror or one_line(failed)}; free "
                      "space there, or set TMPDIR to a folder with room for it") from failed
    return copy


def _read_copy(read: Callable[[Path], _T | None], copy: Path, path: Path, rank: int) -> _T | None:
    """``read(copy)``, where ``copy`` holds the bytes of rank 0's ``path`` that process ``rank``
    received; its error names ``path``, not ``copy`` (``/proc/self/fd/N`` on Linux).

    The error is raised again, of its own type, with ``str(copy)`` replaced by ``str(path)`` in
    its text (a quoted one followed by what it is) and in an :class:`OSError`'s file names.
    """
    try:
        return read(copy)
    except Exception as err:
        old, new = str(copy), str(path)
        received = f" (rank 0's file, as rank {rank} received it)"

        def renamed(text: str) -> str:
            return text.replace(repr(old), repr(new) + received).replace(old, new)

        err.args = tuple(renamed(arg) if isinstance(arg, str) else arg for arg in err.args)
        if isinstance(err, OSError):
            if err.strerror is not None and old in (err.filename, err.filename2):
                err.strerror = f"{err.strerror}{received}"
            if err.strerror is not None:
                err.strerror = renamed(err.strerror)
            if err.filename == old:
                err.filename = new
            if err.filename2 == old:  # assigning None would add ' -> None' to its str()
                err.filename2 = new
        raise


_OPEN_FILES = Path("/proc/self/fd")
"""Where Linux names the files this process holds open: the file itself, even once unlinked."""


def _temporary_copy(name: str, temporary: ExitStack) -> tuple[Path, BinaryIO]:
    """A new file of the temporary folder (``$TMPDIR``), open to write, and the path that reads
    it, both gone when ``temporary`` closes.

    On Linux the file never has a name in that folder (:func:`tempfile.TemporaryFile`:
    ``O_TMPFILE``, or unlinked as soon as it is made) and is read as
    ``/proc/self/fd/N``, which ``torch.load`` opens and maps (``mmap=True``) like any file, so
    no copy is left behind whatever ends the process (SIGKILL, the kernel's out-of-memory
    killer), and there is nothing to sweep. Elsewhere it is ``name`` in a temporary folder that
    ``temporary`` removes, which a process killed outright leaves behind.
    """
    if _OPEN_FILES.is_dir():
        out = temporary.enter_context(tempfile.TemporaryFile(prefix="pidkit_distill-"))
        return _OPEN_FILES / str(out.fileno()), out
    copy = Path(temporary.enter_context(tempfile.TemporaryDirectory(
        prefix="pidkit_distill-", ignore_cleanup_errors=True))) / name  # named as rank 0's
    return copy, temporary.enter_context(copy.open("wb"))


def _opened_after_read(path: Path) -> BufferedReader:
    """Rank 0's file ``path``, open, where its ``read`` gave its contents though ``path`` could
    not be opened before (it appeared between the two: written meanwhile, a race).

    It is the file that ``path`` names after ``read``, whose size and time the other processes
    are told; a :class:`ValueError` that says so where ``path`` cannot be opened (gone again).
    """
    try:
        return path.open("rb")
    except OSError as err:
        raise _changed_while_read(path) from err


def _changed_while_read(path: Path) -> ValueError:
    """The error of rank 0's file ``path`` replaced, changed or gone while its ``read`` read it."""
    return ValueError(f"{str(path)!r} changed while rank 0 read it (does another process write "
                      "it?); run again once it is written")


def _unchanged(opened: os.stat_result, path: Path) -> bool:
    """Whether ``path`` still names the file that was ``opened``, of the same size and time."""
    try:
        now = os.stat(path)
    except OSError:  # gone
        return False
    return (now.st_dev, now.st_ino, _mark_of(now)) == (opened.st_dev, opened.st_ino,
                                                       _mark_of(opened))


def _file_mark(path: Path) -> list[int]:
    """The size and modification time (ns) of the file at ``path``: another process's file is
    rank 0's where they agree (a shared folder, a copy that kept its times), as rsync's quick
    check has it; ``[-1, -1]`` where there is none.

    Examples
    --------
    >>> _file_mark(Path("no/such/checkpoint.pt"))
    [-1, -1]
    """
    try:
        return _mark_of(path.stat())
    except OSError:
        return [-1, -1]


def _mark_of(found: os.stat_result) -> list[int]:
    """:func:`_file_mark` of a file's status."""
    return [found.st_size, found.st_mtime_ns]
