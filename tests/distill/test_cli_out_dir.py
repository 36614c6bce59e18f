"""A ``run.out_dir`` that cannot be created is refused before any work (task 251): one line
naming the option it came from, ``mkdir``'s reason and a true advice, exit 2. ``train --out-dir
/proc/x`` loaded its data and the teacher, then exited 1 with "training failed: cannot write
'/proc/x/.../.lock': No such file or directory; ...: make '/proc' writable (or choose another
folder)", and /proc is nothing to make writable."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest

import pidkit_distill.training
from pidkit_distill.cli import main

ERROR = "pidkit-distill train: error: "
IN_PROC = ("cannot create the folder '/proc/pidkit-x': making a folder in '/proc' fails (No such "
           "file or directory); no folder can be made there: choose another folder ")


@pytest.fixture(autouse=True)
def no_work(monkeypatch):
    """Fail the test where the command gets as far as checking the data, models and teacher."""
    def work(*args, **kwargs):
        raise AssertionError("the run's checks started: the data and the teacher are loaded")
    monkeypatch.setattr(pidkit_distill.training, "check_config", work)


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux's /proc")
@pytest.mark.parametrize(("command", "args", "expected"), [
    ("train", ["--run.out_dir", "/proc/pidkit-x", "--run.epochs", "1"],
     f"--run.out_dir /proc/pidkit-x: {IN_PROC}(--run.out_dir DIR)"),
    ("train", ["--out-dir", "/proc/pidkit-x"], f"--out-dir /proc/pidkit-x: {IN_PROC}(--out-dir DIR)"),
    ("train", ["--set", "run.out_dir=/proc/pidkit-x"],
     f"--set run.out_dir=/proc/pidkit-x: {IN_PROC}(--set run.out_dir=DIR)"),
    ("train-teacher", ["--out-dir", "/proc/pidkit-x"],
     f"--out-dir /proc/pidkit-x: {IN_PROC}(--out-dir DIR)"),
])
def test_a_folder_the_system_will_not_make_is_refused_up_front(capsys, command, args, expected):
    assert main([command, *args]) == 2
    assert capsys.readouterr() == ("", f"pidkit-distill {command}: error: {expected}\n")


def test_a_folder_of_the_config_file_names_the_key(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text(f"[run]\nout_dir = '{tmp_path / 'f' / 'runs'}'\n")
    (tmp_path / "f").write_text("")
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}run.out_dir: cannot create the folder {str(tmp_path / 'f' / 'runs')!r}: "
        f"{str(tmp_path / 'f')!r} is a file, not a folder; choose another folder (--run.out_dir "
        "DIR), or move the file away\n")


def test_an_out_dir_that_is_a_file_is_refused_up_front(tmp_path, capsys):
    (tmp_path / "runs").write_text("")
    assert main(["train", "--out-dir", str(tmp_path / "runs")]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--out-dir {tmp_path / 'runs'}: cannot create the folder "
        f"{str(tmp_path / 'runs')!r}: it is a file, not a folder; choose another folder "
        "(--out-dir DIR), or move the file away\n")


def _refused(code: int, reason: str):
    def mkdtemp(*args, **kwargs):
        raise OSError(code, reason)
    return mkdtemp


@pytest.mark.parametrize(("code", "reason", "uid", "fix"), [
    (errno.EACCES, "Permission denied", 1000,
     "ask for write access to '{ro}', or choose another folder (--out-dir DIR)"),
    (errno.EACCES, "Permission denied", 0,  # root refused (NFS root_squash): not a permission
     "no folder can be made there: choose another folder (--out-dir DIR)"),
    (errno.EROFS, "Read-only file system", 1000,
     "it is on a read-only file system: choose another folder (--out-dir DIR)"),
    (errno.ENOSPC, "No space left on device", 1000,
     "free space on its disk, or choose another folder (--out-dir DIR)"),
])
def test_a_refused_mkdir_says_its_reason_and_a_true_fix(tmp_path, monkeypatch, capsys, code,
                                                         reason, uid, fix):
    # simulated: the tests run as root, which no permission stops
    ro = tmp_path / "ro"
    ro.mkdir()
    monkeypatch.setattr(tempfile, "mkdtemp", _refused(code, reason))
    monkeypatch.setattr(os, "geteuid", lambda: uid)
    assert main(["train", "--out-dir", str(ro / "runs")]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--out-dir {ro / 'runs'}: cannot create the folder {str(ro / 'runs')!r}: making "
        f"a folder in {str(ro)!r} fails ({reason}); {fix.format(ro=ro)}\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores folder permissions: a folder of mode "
                                             "555 takes root's new folders (simulated above)")
def test_a_read_only_folder_is_refused_up_front(tmp_path, capsys):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        assert main(["train", "--out-dir", str(ro / "runs")]) == 2
    finally:
        ro.chmod(0o755)
    assert capsys.readouterr().err == (
        f"{ERROR}--out-dir {ro / 'runs'}: cannot create the folder {str(ro / 'runs')!r}: making "
        f"a folder in {str(ro)!r} fails (Permission denied); ask for write access to "
        f"{str(ro)!r}, or choose another folder (--out-dir DIR)\n")


@pytest.mark.parametrize("below", ["", "/a/b"])
def test_a_symbolic_link_to_nothing_is_named_as_one(tmp_path, capsys, below):
    # it trained the teacher, then exited 1 with "cannot write '.../.lock': File exists; ...
    # 'LINK' is a file, not a folder: move it away", of a link to a folder that is gone
    link = tmp_path / "runs"
    link.symlink_to(tmp_path / "gone")
    out = f"{link}{below}"
    assert main(["train", "--out-dir", out]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--out-dir {out}: cannot create the folder {out!r}: {str(link)!r} is a symbolic "
        f"link to {str(tmp_path / 'gone')!r}, which does not exist; make that folder, or choose "
        "another folder (--out-dir DIR)\n")
