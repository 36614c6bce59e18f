"""CIFAR's archive downloaded into ``data.root`` through torchvision: :func:`download_cifar`.

One process at a time downloads (a lock file in ``root``; the processes of a torchrun whose file
system cannot lock files refuse, all alike, before any of them writes); a ``root`` that cannot
be written is a :class:`~pidkit_distill.atomic_files.FileWriteError` saying so; a download that
the network refused or cut is a :class:`CifarDownloadError` that says where the archive is and
how to extract it by hand (:func:`download_failure`), an :class:`OSError`.
"""

from __future__ import annotations

import errno
import http.client
import socket
import ssl
import urllib.error
import warnings
from collections.abc import Callable
from pathlib import Path

from pidkit_distill.atomic_files import NO_SPACE, FileWriteError, not_a_folder
from pidkit_distill.folder_locks import folder_lock, others_waiting, take_lock
from pidkit_distill.launcher_env import world_size_from_env
from pidkit_distill.registry import registry_key

__all__ = ["CIFAR_ARCHIVES", "CIFAR_FOLDERS", "CifarDownloadError", "cifar_root",
           "download_cifar", "download_failure"]

CIFAR_ARCHIVES = {"cifar10": "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
                  "cifar100": "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"}
"""The address of each set's python-pickle archive."""
CIFAR_FOLDERS = {"cifar10": "cifar-10-batches-py", "cifar100": "cifar-100-python"}
"""The folder that each set's archive extracts to, under ``root`` (``data.root``)."""
_NETWORK_ERRORS = (urllib.error.URLError, http.client.HTTPException, ssl.SSLError, TimeoutError,
                   ConnectionError)  # a download's that are not its folder's
_POLL_S = 1.0  # how often a process waiting for another's download tries its lock again
_DOWNLOAD_TIMEOUT_S = 60.0  # a download that connects or reads nothing for this long fails
# errno of a download that its folder refuses (no permission, read-only): not the network's
_NOT_WRITABLE = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


class CifarDownloadError(OSError):
    """A download of CIFAR that the network refused or cut (no network, a proxy, a timeout, an
    HTTP status), saying what to do instead: the archive's address and how to extract it by hand
    into ``root`` (:func:`download_failure`). The network's own error is its ``__cause__``.

    An :class:`OSError`, as urllib's ``URLError``, :class:`ssl.SSLError`, :class:`TimeoutError`
    and :class:`ConnectionError` are: ``except OSError`` catches it.
    """


def cifar_root(root: str | Path | None) -> Path:
    """The folder that holds the CIFAR folders: ``root`` (``data.root``; a leading ``~`` is the
    home folder), or ``data`` where it is ``None``."""
    return Path("data") if root is None else Path(root).expanduser()


def download_cifar(key: str, root: Path, *, is_whole: Callable[[], bool]) -> None:
    """Download and extract the set under ``root`` through torchvision, one process at a time.

    Every process of a run (each DDP rank) loads the data: a lock file in ``root`` lets the
    first download and extract the archive while the others wait, saying so, then find the
    folder whole (``is_whole``: whether it holds every batch file). The lock is
    :func:`~pidkit_distill.folder_locks.folder_lock`'s, never
    filelock's soft lock, which takes the lock file a killed download left for one held (and
    waited for it for good). On a file system that cannot lock files one process downloads the
    set unlocked, with a warning; the processes of a torchrun (``WORLD_SIZE`` > 1) refuse, all
    alike, before any of them writes: nothing would keep them from downloading and extracting
    the archive over one another, nor tell the others when it is whole. The trainer's rank 0,
    which loads the data while the others wait, downloads it (with the warning).

    Parameters
    ----------
    key : {"cifar10", "cifar100"}
        The set.
    root : Path
        The folder to download it into (:func:`cifar_root`).
    is_whole : callable
        Whether the set's folder under ``root`` holds every batch file, asked once the lock is
        held.

    Raises
    ------
    FileNotFoundError
        torchvision is not installed, or the processes of a torchrun would each download.
    FileWriteError
        ``root`` cannot be written (no permission, read-only, full, a file in the way).
    CifarDownloadError
        The network refused or cut the download: :func:`download_failure`'s message, an
        :class:`OSError` whose cause is the network's error.
    """
    try:
        from torchvision import datasets  # an extra, untyped: setup.cfg's [mypy-torchvision.*]
    except ImportError as exc:
        raise FileNotFoundError(f"{key} is not under {root} and torchvision (the 'vision' extra) "
                                "is not installed to download it; pip install 'pidkit[vision]' "
                                "or place the folder there.") from exc

    lock = folder_lock(root / f".{key}-download.lock")
    try:
        root.mkdir(parents=True, exist_ok=True)
        got = take_lock(lock, 0.0)
    except OSError as err:
        if (refused := _not_writable(key, root, err)) is None:
            raise
        raise refused from err
    if got is False:
        print(f"waiting for another process that is downloading {key} into {root} (Ctrl-C "
              "stops waiting)", flush=True)
    while got is False:
        got = take_lock(lock, _POLL_S)
    if isinstance(got, OSError):
        _refuse_unlocked_torchrun(key, root, got)
        warnings.warn(f"{key} is downloaded into {root} unlocked: its file system cannot lock "
                      f"files ({got.strerror}), so processes loading it at the same time (DDP "
                      "ranks) may each download it; download it once before such a run",
                      RuntimeWarning, stacklevel=2)
    timeout = socket.getdefaulttimeout()
    try:
        if not is_whole():
            cls = datasets.CIFAR10 if key == "cifar10" else datasets.CIFAR100
            socket.setdefaulttimeout(_DOWNLOAD_TIMEOUT_S)  # torchvision's urlopen sets none
            cls(str(root), train=True, download=True)
    except (OSError, http.client.HTTPException) as err:
        refused = _not_writable(key, root, err) if isinstance(err, OSError) else None
        if refused is not None:
            raise refused from err
        by_hand = download_failure(key, root, err)
        if by_hand is None:
            raise  # a damaged archive
        raise CifarDownloadError(by_hand) from err
    finally:
        socket.setdefaulttimeout(timeout)
        if lock.is_locked:
            lock.release()


def download_failure(name: str, root: str | Path | None, error: BaseException) -> str | None:
    """The message of a download of CIFAR ``name`` into ``root`` that the network refused or
    cut (``error``: no network, a proxy, a timeout): the archive's address and how to extract
    it by hand; ``None`` for another error or data set. A :class:`CifarDownloadError` says it
    already.

    Examples
    --------
    >>> import socket, urllib.error
    >>> offline = urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution"))
    >>> print(download_failure("cifar10", "data", offline))
    cannot download cifar10 from https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz (gaierror:
    [Errno -3] Temporary failure in name resolution); download it on a machine that can, copy it
    into 'data' and extract it there (tar -xzf data/cifar-10-python.tar.gz -C data), or point root
    (the configuration's data.root) at a folder that holds cifar-10-batches-py
    >>> download_failure("digits", "data", offline) is None
    True
    """
    key = registry_key(name)
    if isinstance(error, CifarDownloadError):
        return str(error)
    if key not in CIFAR_ARCHIVES or not isinstance(error, _NETWORK_ERRORS):
        return None
    reason = getattr(error, "reason", None)  # urllib's URLError: the socket's error it wraps
    if not isinstance(reason, BaseException):  # an HTTPError's is its status text: 'Not Found'
        reason = error
    url, root = CIFAR_ARCHIVES[key], cifar_root(root)
    return (f"cannot download {key} from {url} ({type(reason).__name__}: {reason}); download it "
            f"on a machine that can, copy it into {str(root)!r} and extract it there (tar -xzf "
            f"{root / url.rsplit('/', 1)[1]} -C {root}), or point root (the configuration's "
            f"data.root) at a folder that holds {CIFAR_FOLDERS[key]}")


def _refuse_unlocked_torchrun(key: str, root: Path, error: OSError) -> None:
    """Raise :class:`FileNotFoundError` in a process of a torchrun (``WORLD_SIZE`` > 1, read
    from the environment: the process group may not exist yet) that would download ``key``
    into ``root``, whose file system cannot lock files (``error``): its processes would each
    download and extract the archive over one another. Not where the others wait for it
    (:func:`~pidkit_distill.folder_locks.others_wait`: the trainer's rank 0)."""
    world_size = world_size_from_env()
    if world_size > 1 and not others_waiting():
        raise FileNotFoundError(
            f"{key} is not under {root}, and its file system cannot lock files "
            f"({error.strerror}), so the {world_size} processes of this torchrun "
            f"(WORLD_SIZE={world_size}) would each download it at once: download it once before "
            "the run, in one process (WORLD_SIZE=1 python -c \"from "
            f"pidkit_distill.data import load_dataset; load_dataset('{key}', "
            f"root={str(root)!r}, download=True)\"), then start the run again")


def _not_writable(key: str, root: Path, error: OSError) -> FileWriteError | None:
    """The error of a download of ``key`` that ``root`` refused (``error``): a folder the user
    cannot write (a shared, read-only one), a read-only or full file system, a file where
    ``root`` or a folder above it should be; ``None`` for any other error (the network's, an
    SSL error of a download cut off included)."""
    if isinstance(error, ssl.SSLError):  # its errno is SSL's: 1, SSL_ERROR_SSL, is not EPERM
        return None
    reason = error.strerror or type(error).__name__
    in_the_way = not_a_folder(root) if error.errno in (errno.ENOTDIR, errno.EEXIST) else None
    if error.errno in NO_SPACE:
        fix = ("free space on its disk, or download it into a folder on another disk (point "
               "root, the configuration's data.root, at it)")
    elif in_the_way is not None:
        reason = f"{str(in_the_way)!r} is a file, not a folder"
        fix = "point root (the configuration's data.root) at a folder"
    elif error.errno in _NOT_WRITABLE:
        fix = ("download it into a folder you can write (point root, the configuration's "
               f"data.root, at it), or ask for write access to {str(root)!r}")
    else:
        return None
    return FileWriteError(error.errno or 0, reason, str(root),
                          f"cannot download {key} into {str(root)!r}: {reason}; {fix}")
