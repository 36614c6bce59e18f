"""atomic_write in odd folders: one deleted while it is written, one that cannot be synced."""

from __future__ import annotations

import errno
import os
import warnings
from pathlib import Path

import pytest

from pidkit_distill import atomic_files
from pidkit_distill.atomic_files import FileWriteError, atomic_write


def test_a_folder_deleted_while_writing_is_said_to_be_deleted(tmp_path, monkeypatch):
    # it said "make '.../gone' writable (or choose another folder)" of a folder that was writable
    folder = tmp_path / "gone"
    monkeypatch.setattr(Path, "mkdir", lambda self, *args, **kwargs: None)  # made, then deleted
    with pytest.raises(FileWriteError) as failure:
        atomic_write(folder / "x.txt", lambda handle: handle.write(b"x"))
    assert str(failure.value) == (
        f"cannot write '{folder}/x.txt': No such file or directory; x.txt was not written: "
        f"'{folder}' was deleted meanwhile: leave it in place until the command ends, then "
        "write it again")
    assert failure.value.errno == errno.ENOENT


def failing_folder_sync(monkeypatch, code: int) -> None:
    """``fsync`` of a folder fails with ``code``; that of a file works."""
    real = os.fsync

    def fsync(fd):
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(code, os.strerror(code))
        real(fd)

    monkeypatch.setattr(atomic_files.os, "fsync", fsync)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_cannot_be_synced_is_a_warning_not_a_traceback(tmp_path, monkeypatch):
    # an I/O error syncing the folder after the rename escaped as a raw OSError, although the
    # file was in place, whole
    path = tmp_path / "summary.json"
    failing_folder_sync(monkeypatch, errno.EIO)
    with pytest.warns(RuntimeWarning) as caught:
        atomic_write(path, lambda handle: handle.write(b"{}"))
    assert [str(w.message) for w in caught] == [
        f"'{path}' was written, but its folder could not be synced to disk (Input/output "
        "error): after a crash or a power loss it may be the earlier version; check the disk"]
    assert caught[0].filename == __file__
    assert path.read_bytes() == b"{}"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_file_system_that_does_not_sync_folders_is_silent(tmp_path, monkeypatch):
    failing_folder_sync(monkeypatch, errno.EINVAL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        atomic_write(tmp_path / "x.txt", lambda handle: handle.write(b"x"))
    assert (tmp_path / "x.txt").read_bytes() == b"x"

