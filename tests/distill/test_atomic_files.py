"""atomic_write under concurrency and odd folders: each write has a temporary file of its own, a
reader sees one whole version, the new file keeps the old one's permissions, leftovers of killed
processes are recognised and deleted under the folder's lock, and a folder that cannot be synced
is no traceback."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from pidkit_distill import atomic_files
from pidkit_distill.atomic_files import (
    FileWriteError,
    atomic_write,
    is_temporary_file,
    remove_leftovers,
    temporary_target,
)
from pidkit_distill.training.rundir import run_folder_lock

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from pidkit_distill.atomic_files import atomic_write

    target, letter = Path(sys.argv[1]), sys.argv[2].encode()

    def write(handle):
        for _ in range(16):
            handle.write(letter * 4096)

    for _ in range(150):
        atomic_write(target, write)
""")


def test_two_processes_writing_one_file_each_replace_it_whole(tmp_path):
    # two `report runs/* --out rep` at once: both wrote through rep/report.md.tmp, so a reader
    # saw a mix of the two versions and a writer whose temporary file the other had renamed
    # away failed ("No such file or directory")
    target = tmp_path / "target.bin"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), letter],
                                stderr=subprocess.PIPE, text=True) for letter in "AB"]
    versions = set()
    while any(writer.poll() is None for writer in writers):
        try:
            data = target.read_bytes()
        except FileNotFoundError:
            continue
        versions.add((len(data), bytes(set(data))))
    assert [(writer.communicate()[1], writer.returncode) for writer in writers] == [("", 0)] * 2
    assert versions <= {(16 * 4096, b"A"), (16 * 4096, b"B")}
    assert [p.name for p in tmp_path.iterdir()] == ["target.bin"]


def test_a_write_while_another_writes_the_same_file_leaves_each_whole(tmp_path):
    # deterministic: a second write of the file starts and ends while the first one writes
    path, inner = tmp_path / "x.txt", []

    def outer(handle):
        handle.write(b"first half, ")
        atomic_write(path, lambda other: other.write(b"the other version"))
        inner.append(path.read_bytes())
        handle.write(b"second half")

    atomic_write(path, outer)
    assert inner == [b"the other version"]
    assert path.read_bytes() == b"first half, second half"
    assert [p.name for p in tmp_path.iterdir()] == ["x.txt"]


def test_a_temporary_file_of_another_process_is_neither_used_nor_removed(tmp_path, monkeypatch):
    # the same random name drawn twice: the second write refuses it, and leaves it alone
    monkeypatch.setattr(atomic_files.secrets, "token_hex", lambda n: "00000000")
    theirs = tmp_path / "x.txt.00000000.tmp"
    theirs.write_bytes(b"being written by another process")
    with pytest.raises(FileWriteError, match=r"cannot write '.*x.txt': File exists; "):
        atomic_write(tmp_path / "x.txt", lambda handle: handle.write(b"mine"))
    assert theirs.read_bytes() == b"being written by another process"
    assert not (tmp_path / "x.txt").exists()


def test_temporary_files_are_recognised_by_their_name():
    assert temporary_target("checkpoint.pt.3f9a1c2b.tmp") == "checkpoint.pt"
    assert temporary_target(".lock.0123abcd.tmp") == ".lock"
    for name in ("checkpoint.pt", "notes.tmp", "x.3F9A1C2B.tmp", "x.3f9a1c2.tmp", ".0123abcd.tmp"):
        assert temporary_target(name) is None, name


def test_the_lock_of_a_run_folder_deletes_the_leftovers_of_killed_writes(tmp_path):
    # a run killed while saving its checkpoint left its temporary file; with a name of their
    # own per write, such files would pile up in the folder, hundreds of MB each
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    names = ["checkpoint.pt.3f9a1c2b.tmp", "summary.json.0123abcd.tmp", "notes.tmp",
             "notes.12345678.tmp", "checkpoint.pt"]
    for name in names:
        (run_dir / name).write_text("x")
    (run_dir / "summary.json.0123abce.tmp").mkdir()  # a folder, not a file of atomic_write
    with run_folder_lock(run_dir):
        assert sorted(p.name for p in run_dir.iterdir()) == [
            ".lock", "checkpoint.pt", "notes.12345678.tmp", "notes.tmp",
            "summary.json.0123abce.tmp"]


def test_all_leftovers_of_a_folder_no_process_writes_are_deleted_and_nothing_else(tmp_path):
    # the demo's clean-up after its workers ended: every temporary file of a write, whatever
    # its file, one scan of the folder; what a write never makes (a user's notes.tmp, a folder
    # or a symbolic link under such a name, a file in a subfolder) stays
    written = ["checkpoint.pt.3f9a1c2b.tmp", "config.json.0123abcd.tmp", ".lock.89abcdef.tmp",
               "r" * 40 + "~1892c3259c358001.0123abcd.tmp"]  # a shortened name's
    kept = ["notes.tmp", "notes.3F9A1C2B.tmp", "checkpoint.pt", "metrics.jsonl"]
    for name in written + kept:
        (tmp_path / name).write_text("x")
    (tmp_path / "summary.json.0123abce.tmp").mkdir()
    (tmp_path / "summary.json.0123abce.tmp" / "x.json.0123abcd.tmp").write_text("x")
    (tmp_path / "report.md.0123abcd.tmp").symlink_to(tmp_path / "notes.tmp")
    with os.scandir(tmp_path) as entries:
        assert sorted(entry.name for entry in entries if is_temporary_file(entry)) == sorted(
            written)
    remove_leftovers(tmp_path, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*kept, "summary.json.0123abce.tmp", "report.md.0123abcd.tmp"])
    assert [p.name for p in (tmp_path / "summary.json.0123abce.tmp").iterdir()] == [
        "x.json.0123abcd.tmp"]


def test_leftovers_are_named_by_a_list_not_one_str(tmp_path):
    # "checkpoint.pt" alone was searched as a str: the leftovers of "pt", a part of it, were
    # deleted (and any other file raised a TypeError from inside the search)
    (tmp_path / "pt.0123abcd.tmp").write_text("x")
    with pytest.raises(TypeError, match=r"^names='checkpoint.pt': pass a list of file names, "
                                        r"\['checkpoint.pt'\], not one str$"):
        remove_leftovers(tmp_path, "checkpoint.pt")
    assert [p.name for p in tmp_path.iterdir()] == ["pt.0123abcd.tmp"]


def test_a_run_taking_its_folder_does_not_delete_a_report_being_written_there(tmp_path):
    # `report RUN_DIR --out RUN_DIR` writing while a run (a resume) took the folder's lock: the
    # lock deleted every NAME.XXXXXXXX.tmp, the report's included, and the report failed
    # ("No such file or directory ... 'RUN_DIR' was deleted meanwhile")
    run_dir = tmp_path / "run"

    def report(handle):
        handle.write(b"# Distillation report")
        with run_folder_lock(run_dir):  # the run starts
            pass

    atomic_write(run_dir / "report.md", report)
    assert (run_dir / "report.md").read_bytes() == b"# Distillation report"
    assert sorted(p.name for p in run_dir.iterdir()) == [".lock", "report.md"]


def test_the_new_file_keeps_the_permissions_of_the_one_it_replaces(tmp_path):
    # a file the user had made group-writable (a shared teacher cache) came back 0o644
    shared, private = tmp_path / "shared.pt", tmp_path / "private.pt"
    for path, mode in ((shared, 0o664), (private, 0o600)):
        path.write_bytes(b"old")
        path.chmod(mode)
        atomic_write(path, lambda handle: handle.write(b"new"))
        assert (path.read_bytes(), path.stat().st_mode & 0o7777) == (b"new", mode)
    old = os.umask(0o077)  # a new file follows the user's umask, as any file they create
    try:
        atomic_write(tmp_path / "new.pt", lambda handle: handle.write(b"new"))
    finally:
        os.umask(old)
    assert (tmp_path / "new.pt").stat().st_mode & 0o777 == 0o600


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
        "error): after a crash or a power loss it, and the files written there after it (not "
        "said again), may be their earlier versions; check the disk"]
    assert caught[0].filename == __file__
    assert path.read_bytes() == b"{}"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_cannot_be_synced_is_said_once(tmp_path, monkeypatch):
    # a run on a failing disk warned at every write: 300 epochs, 300 warnings or more
    failing_folder_sync(monkeypatch, errno.EIO)
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in ("a/checkpoint.pt", "a/summary.json", "a/checkpoint.pt", "b/checkpoint.pt"):
            atomic_write(tmp_path / name, lambda handle: handle.write(b"x"))
    assert [str(w.message).split("'")[1] for w in caught] == [
        str(tmp_path / "a/checkpoint.pt"), str(tmp_path / "b/checkpoint.pt")]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux's /proc")
def test_a_file_system_that_does_not_sync_folders_is_silent(tmp_path, monkeypatch):
    failing_folder_sync(monkeypatch, errno.EINVAL)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        atomic_write(tmp_path / "x.txt", lambda handle: handle.write(b"x"))
    assert (tmp_path / "x.txt").read_bytes() == b"x"


def test_a_file_system_that_refuses_chmod_still_takes_the_file(tmp_path, monkeypatch):
    # keeping the old file's permissions made every write of an existing file fail on a mount
    # that refuses chmod (CIFS, some FUSE file systems): "Operation not permitted; make ...
    # writable", although the folder was
    path = tmp_path / "checkpoint.pt"
    path.write_bytes(b"old")

    def refused(*args, **kwargs):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(atomic_files.os, "chmod", refused)
    atomic_write(path, lambda handle: handle.write(b"new"))
    assert path.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_a_file_that_is_a_link_is_written_through_it(tmp_path):
    # a checkpoint.pt linked to a larger disk became a file of its own in the run folder, and
    # the file linked to kept the old checkpoint
    scratch, run_dir = tmp_path / "scratch", tmp_path / "run"
    scratch.mkdir()
    run_dir.mkdir()
    (scratch / "big.pt").write_bytes(b"old")
    (scratch / "big.pt").chmod(0o600)
    (run_dir / "checkpoint.pt").symlink_to(scratch / "big.pt")
    atomic_write(run_dir / "checkpoint.pt", lambda handle: handle.write(b"new"))
    assert os.readlink(run_dir / "checkpoint.pt") == str(scratch / "big.pt")
    assert (scratch / "big.pt").read_bytes() == b"new"
    assert (scratch / "big.pt").stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "big.pt", "checkpoint.pt", "run", "scratch"]


def test_a_folder_or_a_file_in_the_way_is_named_with_its_fix(tmp_path):
    # each said "make FOLDER writable (or choose another folder)" of a writable folder, and a
    # folder in place of the file was said to be "as it was before"
    (tmp_path / "checkpoint.pt").mkdir()
    (tmp_path / "runs").write_text("a file")
    file_in_the_way = (f"x.txt was not written: '{tmp_path}/runs' is a file, not a folder: move "
                       "it away (or choose another folder), then write it again")
    for name, code, message in [
        ("checkpoint.pt", errno.EISDIR, "Is a directory; checkpoint.pt was not written: "
         f"'{tmp_path}/checkpoint.pt' is a folder: move it away, then write it again"),
        ("runs/x.txt", errno.EEXIST, f"File exists; {file_in_the_way}"),
        ("runs/sub/x.txt", errno.ENOTDIR, f"Not a directory; {file_in_the_way}"),
    ]:
        with pytest.raises(FileWriteError) as failure:
            atomic_write(tmp_path / name, lambda handle: handle.write(b"x"))
        assert str(failure.value) == f"cannot write '{tmp_path / name}': {message}"
        assert failure.value.errno == code


def _near_the_limit(folder: Path) -> list[str]:
    """Names that the file system of ``folder`` takes, but not with ``.XXXXXXXX.tmp`` after
    them: two that differ only in their last characters, one of two-byte characters."""
    name_max = atomic_files._name_max(folder)  # NAME_MAX, or 255 where it is not known
    return ["r" * (name_max - 8) + "-a.pt", "r" * (name_max - 8) + "-b.pt",
            "é" * ((name_max - 5) // 2) + ".pt"]


def test_a_name_near_the_file_systems_limit_is_written(tmp_path):
    # a name of 243 to 255 bytes (NAME_MAX) fits, but its temporary file's did not: every write
    # failed with "File name too long; ... make '...' writable (or choose another folder)"
    for name in _near_the_limit(tmp_path):
        atomic_write(tmp_path / name, lambda handle, name=name: handle.write(name.encode()))
        assert (tmp_path / name).read_text() == name
        atomic_write(tmp_path / name, lambda handle: handle.write(b"again"))
        assert (tmp_path / name).read_bytes() == b"again"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(_near_the_limit(tmp_path))


def test_the_leftovers_of_a_name_near_the_limit_are_its_own(tmp_path):
    # a killed write of such a name leaves a temporary file with a shortened name: deleted
    # with those of its file, not with those of a name that starts alike
    long_a, long_b, wide = _near_the_limit(tmp_path)
    leftovers = {}
    for name in (long_a, long_b, wide, "x.json"):
        def killed(handle, name=name):
            leftovers[name] = Path(handle.name).name
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            atomic_write(tmp_path / name, killed)
        (tmp_path / leftovers[name]).write_bytes(b"")  # as the killed process left it
    assert [temporary_target(leftovers[name]) is None for name in leftovers] == [False] * 4
    assert len({temporary_target(leftover) for leftover in leftovers.values()}) == 4
    remove_leftovers(tmp_path, [long_a, wide])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [leftovers[long_b], leftovers["x.json"]])


def test_a_name_too_long_for_the_file_system_says_so(tmp_path):
    # it said "make '...' writable (or choose another folder)" of a writable folder
    name = "r" * (atomic_files._name_max(tmp_path) + 1)
    with pytest.raises(FileWriteError) as failure:
        atomic_write(tmp_path / name, lambda handle: handle.write(b"x"))
    assert str(failure.value) == (
        f"cannot write '{tmp_path / name}': File name too long; {name} was not written: choose "
        "a shorter name (or a folder with a shorter path), then write it again")
    assert failure.value.errno == errno.ENAMETOOLONG
    assert list(tmp_path.iterdir()) == []


def test_a_name_no_file_can_have_leaves_the_others_leftovers_deleted(tmp_path):
    # a name with a lone surrogate (which no file name encodes to) raised UnicodeEncodeError
    # from remove_leftovers, which deletes what it can and raises nothing, once it compared
    # shortened names (89bc962); the other names' leftovers stayed
    (tmp_path / "x.json.0123abcd.tmp").write_bytes(b"")
    remove_leftovers(tmp_path, ["\ud800.json", "x.json"])
    assert list(tmp_path.iterdir()) == []
