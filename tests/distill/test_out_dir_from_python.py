"""A ``run.out_dir`` that cannot be created is refused by the library before any work, as by
the command (task 255): ``pidkit_distill.train(config)`` with ``run.out_dir='/proc/x'`` loaded
the data and trained the teacher, then failed with "cannot write '/proc/x/.../.lock': No such
file or directory; ...: make '/proc' writable", advice that cannot be followed."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import pidkit_distill
import pidkit_distill.training.checks as checks
from pidkit_distill import load_config
from pidkit_distill.atomic_files import not_written

needs_proc = pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc here")


@pytest.fixture
def no_data_loaded(monkeypatch):
    def loaded(*args, **kwargs):
        raise AssertionError("the data was loaded")
    monkeypatch.setattr(checks, "_data_of", loaded)


@needs_proc
def test_train_refuses_an_out_dir_that_cannot_be_made_before_the_data(no_data_loaded):
    config = load_config(overrides=["run.out_dir=/proc/x"])
    with pytest.raises(ValueError) as info:
        pidkit_distill.train(config)
    assert str(info.value) == (
        "run.out_dir: cannot create the folder '/proc/x': making a folder in '/proc' fails (No "
        "such file or directory); no folder can be made there: choose another folder "
        "(run.out_dir=DIR)")


def test_check_config_refuses_a_file_in_the_way_before_the_data(tmp_path, no_data_loaded):
    (tmp_path / "notes").write_text("x")
    config = load_config(overrides=[f"run.out_dir={tmp_path}/notes/runs"])
    with pytest.raises(ValueError) as info:
        pidkit_distill.check_config(config, teacher_only=True)
    assert str(info.value) == (
        f"run.out_dir: cannot create the folder '{tmp_path}/notes/runs': '{tmp_path}/notes' is "
        "a file, not a folder; choose another folder (run.out_dir=DIR), or move the file away")
    assert sorted(tmp_path.rglob("*")) == [tmp_path / "notes"]


@needs_proc
def test_a_write_where_no_folder_can_be_made_says_to_choose_another_folder():
    # it said "make '/proc' writable (or choose another folder)": /proc is the system's
    with pytest.raises(OSError) as info:
        os.makedirs("/proc/x/run")
    assert info.value.errno == errno.ENOENT
    error = not_written(Path("/proc/x/run/.lock"), info.value, kept="nothing was written in the "
                        "folder", then="rerun the same command")
    assert str(error) == (
        "cannot write '/proc/x/run/.lock': No such file or directory; nothing was written in the "
        "folder: no file or folder can be made in '/proc': choose another folder, then rerun the "
        "same command")
