"""The lock of a folder: its lock file, locked with the operating system's file lock.

Run folders (:func:`~pidkit_distill.training.rundir.run_folder_lock`, which the demo takes on its
folder too), report folders and CIFAR's download folder are locked here. The lock is
``flock``'s, through ``filelock``, so a process that ends in any way, ``kill -9`` included,
releases it; the lock file stays, and means nothing by itself. Never ``filelock``'s soft lock,
which takes an existing lock file for one held: where ``flock`` is not implemented (``ENOSYS``:
Lustre mounted without ``-o flock``, some FUSE file systems) it would refuse for good every
folder that a killed process, or a lock left behind, had locked. Such a file system, like one
that cannot lock files (``ENOLCK``: NFS mounted without its lock service; ``EOPNOTSUPP``), is
written unlocked: a run folder and a CIFAR download warn, a report folder goes on silently and
deletes no temporary file. A lock file that is a symbolic link (planted, or copied with its folder)
is refused, never opened or created where it points. Inside :func:`others_wait` (the trainer's
rank 0 loading the data while the other processes of its torchrun wait) such a file system is
written by one process alone: CIFAR's download goes ahead there instead of refusing.
:func:`lock_held` tells a reader (the report) whether a process holds a folder's lock now,
without making, holding or removing its lock file; :func:`take_lock`, refused by such a reader
alone, tries again.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["folder_lock", "lock_held", "others_wait", "others_waiting", "take_lock"]

# errno of a lock refused by a file system that cannot lock files
_CANNOT_LOCK = frozenset({errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP})
# whether the other processes of this run wait for this one (others_wait)
_OTHERS_WAIT: ContextVar[bool] = ContextVar("pidkit_distill_others_wait", default=False)
# how the lock file is made: never through a symbolic link (filelock >= 3.30 opens it so too)
_MAKE_FLAGS = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0)
# how lock_held opens a lock file: read-only, never made, never through a symbolic link, and
# without waiting (a named pipe in its place would wait for a writer for ever)
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
# how long, in seconds, take_lock tries again where only readers refused it (lock_held's shared
# lock, which a report holds for one system call): never a wait for a process that holds it
_READERS_S = 1.0


def folder_lock(lock_file: Path) -> FileLock:
    """The lock whose lock file is ``lock_file``, never ``filelock``'s soft lock (setup.cfg asks
    for filelock >= 3.30, which has ``fallback_to_soft``)."""
    return FileLock(str(lock_file), fallback_to_soft=False)


@contextmanager
def others_wait() -> Iterator[None]:
    """Run the block as the one process of the run that writes a folder while the others wait
    for it to end (the trainer's rank 0 loading the data first under torchrun); see
    :func:`others_waiting`.

    Examples
    --------
    >>> with others_wait():
    ...     others_waiting()
    True
    >>> others_waiting()
    False
    """
    token = _OTHERS_WAIT.set(True)
    try:
        yield
    finally:
        _OTHERS_WAIT.reset(token)


def others_waiting() -> bool:
    """Whether this process runs inside :func:`others_wait`: no other process of its run writes
    the folder meanwhile, so a file system that cannot lock files is safe for it to write."""
    return _OTHERS_WAIT.get()


def take_lock(lock: FileLock, timeout: float) -> bool | OSError:
    """Try to acquire ``lock`` for up to ``timeout`` seconds.

    Parameters
    ----------
    lock : FileLock
        A lock made by :func:`folder_lock`.
    timeout : float
        Seconds to wait for another process holding it (0: try once).

    Returns
    -------
    bool or OSError
        ``True``: got it. ``False``: another process holds it. An ``OSError``: why the file
        system cannot lock files (the lock file is made, not locked; the caller goes on
        unlocked, and says so where it should).

    Raises
    ------
    ValueError
        The lock file is a symbolic link: the message names it and says to remove it.
    OSError
        The lock file cannot be made (no permission, a read-only or full file system).

    Examples
    --------
    >>> import tempfile
    >>> lock_file = Path(tempfile.mkdtemp()) / ".lock"
    >>> first, second = folder_lock(lock_file), folder_lock(lock_file)
    >>> take_lock(first, 0.0), take_lock(second, 0.0)
    (True, False)
    >>> first.release()
    """
    _refuse_link(lock.lock_file)  # where there is no O_NOFOLLOW (Windows) the open follows it
    # made first, so that a lock file that cannot be made is its own error, never a lock held
    try:
        os.close(os.open(lock.lock_file, _MAKE_FLAGS, 0o644))
    except OSError:
        _refuse_link(lock.lock_file)  # made a link meanwhile
        raise
    try:
        _acquire(lock, timeout)
    except Timeout:  # before OSError, of which it is one
        return False
    except OSError as err:
        _refuse_link(lock.lock_file)  # replaced by a link since it was made: filelock's ELOOP
        if err.errno not in _CANNOT_LOCK:
            raise
        return err
    return True


def _acquire(lock: FileLock, timeout: float) -> None:
    """``lock.acquire(timeout=timeout)``, tried again for up to :data:`_READERS_S` seconds where
    no process holds the lock but a reader's shared lock refused it (:func:`lock_held`, a report
    telling whether a run is training at that instant), so that a reader never makes a
    ``train`` fail as busy; raises filelock's ``Timeout`` where a process holds it."""
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        if lock_held(Path(lock.lock_file)) is not False:  # held, or not known: as refused
            raise
        lock.acquire(timeout=_READERS_S)


def lock_held(lock_file: Path) -> bool | None:
    """Whether a process holds the lock whose lock file is ``lock_file`` now (a running
    ``train`` holds its run folder's), as a reader that must not disturb it can tell.

    The lock file is opened read-only (never made, written or removed, never through a symbolic
    link) and a shared ``flock`` is tried once, without waiting, and let go at once: it is
    refused only while a process holds the exclusive lock that :func:`take_lock` takes, and
    :func:`take_lock`, refused by it alone, tries again, so a reader never keeps a run from
    starting.

    Parameters
    ----------
    lock_file : Path
        The lock file of a folder (``RUN_DIR/.lock``).

    Returns
    -------
    bool or None
        ``True``: a process holds it. ``False``: none does (or there is no lock file: no
        process ever locked the folder). ``None``: it cannot be told here: the file system
        cannot lock files (as :func:`take_lock` finds), the lock file cannot be read (no
        permission) or is a symbolic link, or the system has no ``flock`` (Windows).

    Examples
    --------
    >>> import tempfile
    >>> lock_file = Path(tempfile.mkdtemp()) / ".lock"
    >>> lock_held(lock_file)
    False
    >>> lock = folder_lock(lock_file)
    >>> take_lock(lock, 0.0), lock_held(lock_file)
    (True, True)
    >>> lock.release()
    >>> lock_held(lock_file)
    False
    """
    try:
        import fcntl
    except ImportError:  # Windows: filelock locks there with msvcrt
        return None
    try:
        handle = os.open(lock_file, _READ_FLAGS)
    except FileNotFoundError:
        return False
    except OSError:  # no permission, a symbolic link (ELOOP)
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as err:
        if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return True
        return None  # _CANNOT_LOCK, or another failure: not known
    finally:
        os.close(handle)  # lets go of the shared lock, if taken
    return False


def _refuse_link(lock_file: str) -> None:
    """Raise :class:`ValueError` if ``lock_file`` is a symbolic link, naming it, where it
    points and the fix."""
    if os.path.islink(lock_file):
        raise ValueError(
            f"lock file {lock_file!r} is a symbolic link (to {os.readlink(lock_file)!r}), which "
            "is never opened: remove the link (the lock file is made anew), then run again")
