"""A folder's lock file that is a symbolic link (planted, or copied with its folder) is refused,
never opened or created where it points."""

from __future__ import annotations

import os
import stat

import pytest

from pidkit_distill.folder_locks import folder_lock, take_lock
from pidkit_distill.training.rundir import LOCK_FILE, run_folder_lock

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name != "posix",
                                reason="symbolic links as POSIX makes them")


def _linked_lock(folder, target):
    folder.mkdir()
    link = folder / LOCK_FILE
    link.symlink_to(target)
    return link


def test_a_lock_file_linked_to_a_missing_file_creates_nothing(tmp_path):
    # the lock file was made through the link first: an empty file appeared where it pointed
    # (any folder the user can write), then filelock refused the link with ELOOP, which a run
    # folder reported as 'make the folder writable'
    link = _linked_lock(tmp_path / "run", tmp_path / "elsewhere")
    with pytest.raises(ValueError) as err, run_folder_lock(tmp_path / "run"):
        pass
    assert str(err.value) == (
        f"lock file {str(link)!r} is a symbolic link (to {str(tmp_path / 'elsewhere')!r}), which "
        "is never opened: remove the link (the lock file is made anew), then run again")
    assert not os.path.lexists(tmp_path / "elsewhere")
    link.unlink()  # the fix the message names
    with run_folder_lock(tmp_path / "run"):
        assert (tmp_path / "run" / LOCK_FILE).is_file()


def test_a_lock_file_linked_to_a_file_of_the_user_leaves_it_as_it_is(tmp_path):
    mine = tmp_path / "notes.txt"
    mine.write_text("keep me")
    mine.chmod(0o600)
    link = _linked_lock(tmp_path / "out", mine)
    with pytest.raises(ValueError, match=r"is a symbolic link \(to '.*notes\.txt'\), which is "
                                         r"never opened: remove the link"):
        take_lock(folder_lock(link), 0.0)
    assert mine.read_text() == "keep me"
    assert stat.S_IMODE(mine.stat().st_mode) == 0o600


def test_a_link_is_refused_where_the_system_has_no_o_nofollow(tmp_path, monkeypatch):
    # Windows has no os.O_NOFOLLOW: the lock file was made through the link (its target created),
    # then filelock's open refused the link with a raw OSError
    import pidkit_distill.folder_locks as folder_locks

    monkeypatch.setattr(folder_locks, "_MAKE_FLAGS", os.O_RDWR | os.O_CREAT)
    link = _linked_lock(tmp_path / "run", tmp_path / "elsewhere")
    with pytest.raises(ValueError, match=r"is a symbolic link \(to '.*elsewhere'\), which is "
                                         r"never opened: remove the link"):
        take_lock(folder_lock(link), 0.0)
    assert not os.path.lexists(tmp_path / "elsewhere")


def test_a_lock_file_replaced_by_a_link_after_it_was_made_is_refused(tmp_path):
    # between take_lock's open and filelock's: filelock's ELOOP came out as a raw OSError
    (tmp_path / "run").mkdir()
    lock_file = tmp_path / "run" / LOCK_FILE
    lock = folder_lock(lock_file)
    acquire = lock.acquire

    def replaced_then_acquire(**kwargs):
        lock_file.unlink()
        lock_file.symlink_to(tmp_path / "elsewhere")
        return acquire(**kwargs)

    lock.acquire = replaced_then_acquire
    with pytest.raises(ValueError) as err:
        take_lock(lock, 0.0)
    assert str(err.value) == (
        f"lock file {str(lock_file)!r} is a symbolic link (to {str(tmp_path / 'elsewhere')!r}), "
        "which is never opened: remove the link (the lock file is made anew), then run again")
    assert not os.path.lexists(tmp_path / "elsewhere") and not lock.is_locked


def test_a_folder_reached_through_a_link_locks_and_its_old_lock_file_is_reused(tmp_path):
    # a run folder on a symlinked scratch disk: only the lock file itself must not be a link
    (tmp_path / "scratch").mkdir()
    (tmp_path / "runs").symlink_to(tmp_path / "scratch")
    (tmp_path / "scratch" / LOCK_FILE).write_text("")  # left by an earlier run
    first, second = (folder_lock(tmp_path / "runs" / LOCK_FILE) for _ in range(2))
    assert (take_lock(first, 0.0), take_lock(second, 0.0)) == (True, False)
    first.release()
