"""Atomic, durable file writes (no torch): what the trainer's run folder and the report share.

A temporary file in the same folder, flushed and ``fsync``'ed, then ``os.replace``'d over the
target, then the folder itself ``fsync``'ed. A process killed at any moment leaves either the
old or the new file, never a partial one. A write that fails (a full disk, a folder that takes
no new file) removes its temporary file and raises :class:`FileWriteError`, one line naming
the file, the reason and what to do.

Each write has a temporary file of its own, ``NAME.XXXXXXXX.tmp`` (``NAME`` the file's name,
eight random hexadecimal digits, created exclusively), so processes writing one file at the same
time each replace it whole: a reader sees one of their versions. Where ``NAME`` fits the file
system's limit (``NAME_MAX``, 255 bytes on most) but not with those 13 bytes more, it is
shortened there to ``PREFIX~DIGEST``: the start of ``NAME`` and 16 hexadecimal digits of its
SHA-256. The new file keeps the permissions of the one it replaces where the file system keeps
them (a new one gets the user's ``umask``, as any file they create). A file that is a symbolic
link is written through it: the link stays, and the file it points to is replaced (beside which
the temporary file lies). An interrupt (Ctrl-C, or SIGTERM where it raises one) removes the
temporary file whenever it comes, even as the file is being made. A process killed while writing
(``kill -9``, or SIGTERM left to end it) leaves its temporary file; readers ignore it (no file
is read by a name ending in ``.tmp``), :func:`temporary_target` recognises it and
:func:`remove_leftovers` deletes those of files that no other process is writing.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
import tempfile
import warnings
from collections.abc import Callable, Collection
from pathlib import Path
from typing import IO, Any, cast

from pidkit_distill.signals import interrupts_deferred

__all__ = ["NO_SPACE", "FileWriteError", "atomic_write", "check_folder_can_be_made",
           "is_temporary_file", "not_a_folder", "not_written", "remove_leftovers",
           "temporary_target"]

# a full disk or quota: freeing space is the fix; any other error is about the folder
NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})
# a folder that cannot be opened or synced (no read permission on it, a file system that does not
# sync folders): the renamed file is in place, as durable as that file system makes it
_CANNOT_SYNC = frozenset({errno.EACCES, errno.EPERM, errno.EINVAL, errno.EBADF, errno.EISDIR,
                          errno.EOPNOTSUPP, errno.ENOTSUP})
_TEMPORARY = re.compile(r"(?P<target>.+)\.[0-9a-f]{8}\.tmp")
# the bytes that a temporary file's name adds to that of its file
_SUFFIX_BYTES = len(".XXXXXXXX.tmp")
# folders whose fsync failed with an I/O error, said once each (not at every epoch's checkpoint)
_UNSYNCED: set[Path] = set()


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
        """Rebuilt from all four arguments and its attributes, its notes (``__notes__``)
        included (an error sent back from a worker process)."""
        return type(self), (self.errno, self.strerror, self.filename, self.message), self.__dict__


def not_written(path: str | Path, error: OSError, *, kept: str, then: str) -> FileWriteError:
    """The :class:`FileWriteError` for ``path``, which ``error`` stopped: ``kept`` says what
    the file holds now, ``then`` what to do once the disk has room or the folder is writable.
    The folder named is the one that refused: that of the path ``error`` names (a folder that
    could not be made in it), else ``path``'s.

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
    folder = Path(error.filename).parent if isinstance(error.filename, str) else path.parent
    in_the_way = (not_a_folder(path.parent) if error.errno in (errno.ENOTDIR, errno.EEXIST)
                  else None)
    if error.errno in NO_SPACE:
        fix = "free space on its disk (or choose a folder on another one)"
    elif error.errno == errno.EISDIR:
        fix = f"{str(path)!r} is a folder: move it away"
    elif error.errno == errno.ENAMETOOLONG:
        fix = "choose a shorter name (or a folder with a shorter path)"
    elif in_the_way is not None:
        fix = f"{str(in_the_way)!r} is a file, not a folder: move it away (or choose another folder)"
    elif error.errno == errno.ENOENT and not folder.is_dir():  # made, then deleted
        fix = f"{str(folder)!r} was deleted meanwhile: leave it in place until the command ends"
    elif error.errno == errno.ENOENT:  # /proc, /sys: made by the system, not to make writable
        fix = f"no file or folder can be made in {str(folder)!r}: choose another folder"
    else:
        fix = f"make {str(folder)!r} writable (or choose another folder)"
    return FileWriteError(error.errno or 0, reason, str(path),
                          f"cannot write {str(path)!r}: {reason}; {kept}: {fix}, then {then}")


def atomic_write(path: str | Path, write: Callable[[IO[bytes]], object], *,
                 then: str = "write it again") -> None:
    """Write ``path`` through ``write(handle)`` atomically and durably (see the module doc).

    Parameters
    ----------
    path : str or Path
        The file; its folder is created if missing. A symbolic link is written through: the
        file it points to is replaced, and the link kept.
    write : callable
        Called with the temporary file, opened for writing bytes; what it returns (the count
        that ``handle.write`` returns) is ignored.
    then : str, default="write it again"
        What to do once the disk has room or the folder is writable, for the message of a
        failed write ("rerun the same command").

    Raises
    ------
    FileWriteError
        The file or its folder could not be written (a full disk, no permission, a read-only
        file system), also when ``write`` reported the error of a write to its handle as
        another exception (torch's ``RuntimeError``). ``path`` is left as it was and the
        temporary file is removed. Any other exception of ``write`` (an :class:`OSError` of
        its own included) is raised as it is, after the same cleanup.
    KeyboardInterrupt
        An interrupt, whenever it came (while the temporary file was being made included), is
        raised as it is once the temporary file is removed.

    Warns
    -----
    RuntimeWarning
        The file is in place but its folder could not be synced to disk (an I/O error): after
        a crash or a power loss it may be the earlier version (whole, either way). Once per
        folder: the later files written there are said to be at the same risk.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "sub" / "x.txt"
    >>> atomic_write(path, lambda handle: handle.write(b"done"))
    >>> path.read_text(), [p.name for p in path.parent.iterdir()]
    ('done', ['x.txt'])
    """
    path = Path(path)
    # os.replace over a link would make it a file of its own, and leave the one it points to
    target = Path(os.path.realpath(path)) if os.path.islink(path) else path
    tmp: Path | None = None  # the temporary file once this call has created it
    raw: IO[bytes] | None = None
    handle: _Watched | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        stem = _temporary_stem(target.name, _name_max(target.parent))
        name = target.with_name(f"{stem}.{secrets.token_hex(4)}.tmp")
        # an interrupt that lands once the file is made, before it is recorded as this call's,
        # would leave it behind: it waits until then
        with interrupts_deferred():
            raw = name.open("xb")  # exclusively: never another process's file
            tmp = name
        with raw:
            handle = _Watched(raw)
            write(cast(IO[bytes], handle))  # the file, as _Watched passes it all through
            handle.writing = False
            raw.flush()
            _keep_mode(target, tmp)
            os.fsync(raw.fileno())
        os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):  # closed already, unless the interrupt came before
            if raw is not None:
                raw.close()
        with contextlib.suppress(OSError):  # a partial file would hold the space a rerun needs
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        failed = _file_error(err, handle)
        if failed is None:
            raise  # an interrupt, or an error of ``write`` that is not about the file
        kept = (f"{path.name} is as it was before (nothing was half-written)"
                if os.path.isfile(path) else f"{path.name} was not written")
        raise not_written(path, failed, kept=kept, then=then) from err
    if os.name == "posix":
        _sync_folder(target)


def temporary_target(name: str) -> str | None:
    """The name of the file that the temporary file ``name`` of :func:`atomic_write` was to
    replace (its shortened ``PREFIX~DIGEST`` for a name too long to take the temporary file's
    suffix), or ``None`` when ``name`` is not one.

    Examples
    --------
    >>> temporary_target("checkpoint.pt.3f9a1c2b.tmp"), temporary_target("notes.tmp")
    ('checkpoint.pt', None)
    """
    match = _TEMPORARY.fullmatch(name)
    return match["target"] if match else None


def is_temporary_file(entry: os.DirEntry[str]) -> bool:
    """Whether the folder entry ``entry`` (of :func:`os.scandir`) is a temporary file of
    :func:`atomic_write`: a name that :func:`temporary_target` recognises, on a plain file (not a
    folder, nor a symbolic link, which no write makes).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("checkpoint.pt.3f9a1c2b.tmp", "notes.tmp"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> (folder / "config.json.0123abcd.tmp").mkdir()
    >>> with os.scandir(folder) as entries:
    ...     sorted(entry.name for entry in entries if is_temporary_file(entry))
    ['checkpoint.pt.3f9a1c2b.tmp']
    """
    return temporary_target(entry.name) is not None and entry.is_file(follow_symlinks=False)


def _temporary_stem(name: str, name_max: int) -> str:
    """What :func:`atomic_write` names the temporary files of the file ``name`` after, in a
    folder whose names take at most ``name_max`` bytes: ``name`` itself, or, when the suffix
    ``.XXXXXXXX.tmp`` would not fit after it (although ``name`` fits), the longest start of
    ``name`` that leaves room for ``~``, 16 hexadecimal digits of the SHA-256 of ``name`` (which
    keep it apart from the names that start alike) and the suffix.

    Examples
    --------
    >>> _temporary_stem("checkpoint.pt", 255)
    'checkpoint.pt'
    >>> _temporary_stem("distillation-summary-of-run-7.json", 40)  # 34 + 13 bytes > 40
    'distillati~1892c3259c358001'
    """
    try:
        encoded = os.fsencode(name)
    except UnicodeEncodeError:  # a surrogate no byte decodes to: no file has it, open says so
        return name
    if len(encoded) + _SUFFIX_BYTES <= name_max or len(encoded) > name_max:
        return name  # it fits, or the file itself cannot be made: its own error says so
    digest = hashlib.sha256(encoded).hexdigest()[:16]
    room = name_max - _SUFFIX_BYTES - len(f"~{digest}")
    start = name
    while start and len(os.fsencode(start)) > room:  # whole characters, not bytes
        start = start[:-1]
    return f"{start}~{digest}"


def _name_max(folder: Path) -> int:
    """The most bytes a name in ``folder`` may take (``NAME_MAX``); 255, that of most file
    systems, where it is not known (no ``os.pathconf``: Windows)."""
    try:
        limit = os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return 255
    return limit if limit > 0 else 255


def remove_leftovers(folder: str | Path, names: Collection[str] | None) -> None:
    """Delete the temporary files of :func:`atomic_write` for the files ``names`` of ``folder``
    (not in its subfolders): those of processes killed while writing, which nothing else
    removes. Only for files that no other process is writing now (those of a run folder, which
    only the process holding its lock writes), or a write in progress would fail; those of any
    other file in the folder (``report --out RUN_DIR``, a file of the user's) are left alone.
    ``names=None`` deletes them all (:func:`is_temporary_file`), for a folder that no process
    writes in now. Best effort: a file that cannot be deleted, or a folder that cannot be read,
    is left.

    Raises
    ------
    TypeError
        ``names`` is one ``str``, not a collection of names.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("checkpoint.pt.3f9a1c2b.tmp", "report.md.0123abcd.tmp"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> remove_leftovers(folder, ["checkpoint.pt"])
    >>> [p.name for p in folder.iterdir()]
    ['report.md.0123abcd.tmp']
    >>> remove_leftovers(folder, None)
    >>> list(folder.iterdir())
    []
    """
    if isinstance(names, str):  # ``in`` would test for a part of it
        raise TypeError(f"names={names!r}: pass a list of file names, [{names!r}], not one str")
    try:
        stems: set[str] | None = None  # every temporary file's
        if names is not None:
            name_max = _name_max(Path(folder))
            stems = {_temporary_stem(name, name_max) for name in names}
        with os.scandir(folder) as entries:
            leftovers = [entry.path for entry in entries if is_temporary_file(entry)
                         and (stems is None or temporary_target(entry.name) in stems)]
    except OSError:
        return
    for leftover in leftovers:
        try:
            os.unlink(leftover)
        except OSError:
            pass


def not_a_folder(folder: Path) -> Path | None:
    """The outermost of ``folder`` and its parents that exists but is no folder (a file where
    the folder should be made), or ``None``.

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "data.tar"
    >>> _ = file.write_text("x")
    >>> not_a_folder(file / "cifar") == file, not_a_folder(file.parent) is None
    (True, True)
    """
    return next((part for part in (*reversed(folder.parents), folder)
                 if os.path.lexists(part) and not part.is_dir()), None)


def check_folder_can_be_made(out_dir: str | Path, given: str, option: str) -> None:
    """Refuse a folder (``run.out_dir``) that does not exist and cannot be created, before any
    work (the run made it only once it had loaded its data): a folder is made, and removed at
    once, in its nearest existing folder, and a refusal says why with ``mkdir``'s own reason,
    and what to do. An existing folder is left to the run's own checks (its run folder may be
    writable in it). ``pidkit-distill`` runs it as soon as it has read the configuration,
    :func:`~pidkit_distill.training.check_config` before it loads the data.

    Parameters
    ----------
    out_dir : str or Path
        The folder (a ``~`` that starts it is the home folder).
    given : str
        Where it came from, starting the message (``--out-dir /proc/x``, or the key alone,
        ``run.out_dir``).
    option : str
        How to give another value, ``VALUE`` standing for it (``--out-dir VALUE``, or
        ``run.out_dir=VALUE``).

    Raises
    ------
    ValueError
        A file, or a symbolic link to nothing, is in the way, or no folder can be made in the
        nearest existing one.
    """
    path = Path(os.path.expanduser(str(out_dir)))
    existing = next((folder for folder in (path, *path.parents) if os.path.exists(folder)), None)
    if existing is None or (existing == path and path.is_dir()):  # none: a deleted working folder
        return
    start = f"{given}: cannot create the folder {str(path)!r}: "
    another = f"choose another folder ({option.replace('VALUE', 'DIR')})"
    link = next((folder for folder in (path, *path.parents) if os.path.islink(folder)
                 and not os.path.exists(folder)), None)
    if link is not None:  # mkdir says 'File exists' of it, as of a file
        raise ValueError(f"{start}{str(link)!r} is a symbolic link to {os.readlink(link)!r}, "
                         f"which does not exist; make that folder, or {another}")
    if not existing.is_dir():
        where = "it is" if existing == path else f"{str(existing)!r} is"
        raise ValueError(f"{start}{where} a file, not a folder; {another}, or move the "
                         "file away")
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".pidkit-distill-probe-", dir=existing))
    except OSError as err:
        code = err.errno
        if code == errno.EACCES and getattr(os, "geteuid", lambda: -1)() != 0:
            fix = f"ask for write access to {str(existing)!r}, or {another}"
        elif code == errno.EROFS:
            fix = f"it is on a read-only file system: {another}"
        elif code in (errno.ENOSPC, errno.EDQUOT):
            fix = f"free space on its disk, or {another}"
        else:  # /proc, /sys: made by the system, not something to make writable
            fix = f"no folder can be made there: {another}"
        raise ValueError(f"{start}making a folder in {str(existing)!r} fails "
                         f"({err.strerror or type(err).__name__}); {fix}") from err


def _keep_mode(path: Path, tmp: Path) -> None:
    """Give ``tmp`` the permissions of ``path``, the file it will replace, if there is one (a
    file the user made group-writable, or private, stays so). Best effort: on a file system
    that refuses ``chmod`` (``EPERM`` of a CIFS or FUSE mount) ``tmp`` keeps the umask's."""
    try:
        os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode) & 0o777)
    except OSError:
        pass  # a new file (created with the user's umask), or permissions not kept there


def _sync_folder(path: Path) -> None:
    """``fsync`` the folder of ``path``, which was just renamed into it, so that the rename
    survives a crash; a folder that cannot be synced leaves ``path`` in place, written whole."""
    try:
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
    except OSError as err:
        if err.errno in _CANNOT_SYNC or path.parent in _UNSYNCED:
            return
        _UNSYNCED.add(path.parent)
        warnings.warn(f"{str(path)!r} was written, but its folder could not be synced to disk "
                      f"({err.strerror}): after a crash or a power loss it, and the files "
                      "written there after it (not said again), may be their earlier versions; "
                      "check the disk", RuntimeWarning, stacklevel=3)


class _Watched:
    """The temporary file as ``write`` sees it: it keeps the :class:`OSError` that a write to it
    raised (``error``), which ``write`` may report as another exception (torch reports a full
    disk as a ``RuntimeError`` raised while handling it), and is otherwise the file itself."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.error: OSError | None = None
        self.writing = True  # ``write`` runs: an OSError not raised by the handle is its own

    def write(self, data: Any) -> int:
        return self._watched(self.handle.write, data)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._watched(self.handle.flush)

    def _watched(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except OSError as err:
            self.error = err
            raise

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)


def _file_error(err: BaseException, handle: _Watched | None) -> OSError | None:
    """The error of the file behind ``err``, raised while writing it, or ``None`` when ``err``
    is not about the file (an interrupt, an error of the data being written)."""
    if not isinstance(err, Exception) or isinstance(err, FileWriteError):
        return None
    if handle is not None and handle.error is not None:
        return handle.error
    if handle is not None and handle.writing:
        return None
    return err if isinstance(err, OSError) else None
