"""A folder that cannot be looked into (another user's, no permission) beside or above the run
folders a command reads: named for what it is, never a PermissionError from a look inside it."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pidkit_distill.run_folders.records import load_run
from pidkit_distill.training import rundir as rundir_module


def refuse_looks_into(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``folder`` as one without permission to look into: a stat of a path in it fails
    with EACCES (the tests run as root, whom a chmod does not stop)."""
    stat = os.stat

    def refused(path, *args, **kwargs):
        if Path(path).parent == folder:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", refused)


def test_a_sweep_folder_with_another_users_folder_names_its_runs(tmp_path, monkeypatch):
    # `pidkit-distill report runs` (the folder, not runs/*) said "[Errno 13] Permission denied:
    # 'runs/locked/config.json'" instead of naming the run folders in runs
    for name in ("r1", "r2", "locked"):
        (tmp_path / name).mkdir()
        for file in ("config.json", "metrics.jsonl"):
            (tmp_path / name / file).write_text("")
    refuse_looks_into(tmp_path / "locked", monkeypatch)
    with pytest.raises(ValueError) as info:
        load_run(tmp_path)
    assert str(info.value) == (f"{str(tmp_path)!r} is not a run folder (no config.json); it "
                               f"holds 2 run folder(s) (r1, r2): pass them (in a shell, "
                               f"{tmp_path}/*)")


def test_an_out_dir_that_cannot_be_looked_into_is_told_its_permissions(tmp_path, monkeypatch):
    # it was a PermissionError from looking for a run's metrics.jsonl in it, "[Errno 13]
    # Permission denied: '.../shared/metrics.jsonl'", not which folder to choose
    shared = tmp_path / "shared"
    shared.mkdir()
    refuse_looks_into(shared, monkeypatch)
    monkeypatch.setattr(rundir_module.os, "access", lambda path, mode: Path(path) != shared)
    with pytest.raises(PermissionError) as info:
        rundir_module.check_out_dir(shared / "r")
    assert str(info.value) == (f"run folder '{shared}/r' cannot be written: no write permission "
                               f"on '{shared}'; choose another run.out_dir")
