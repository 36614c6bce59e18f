"""A CIFAR folder that exists but cannot be read (another user's, no permission on the folder or
on a batch file) is data.root's mistake: one line naming data.root and the permission problem,
exit status 2, before the run where the check sees it, when the run loads the data otherwise."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest
from test_cifar_files import _cifar10
from test_unreadable_folders import refuse_looks_into

from pidkit_distill.cli import main
from pidkit_distill.data import load_dataset

SETTINGS = ["data.name=cifar10", "data.batch_size=5", "model.teacher=digits-teacher",
            "model.student=digits-student", "teacher.source=untrained", "run.epochs=1",
            "run.audit_every=0", "run.progress=false", "run.device=cpu", "run.threads=1"]


def refuse_reading(file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``file`` as one without read permission: opening it fails with EACCES (the tests
    run as root, whom a chmod does not stop)."""
    open_ = Path.open

    def refused(path, *args, **kwargs):
        if Path(path) == file:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return open_(path, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refused)


def _train(root: Path) -> list[str]:
    return ["train", *[arg for item in [*SETTINGS, f"data.root={root}",
                                        f"run.out_dir={root / 'runs'}"]
                       for arg in ("--set", item)]]


def _refuse_batch_file(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # the check only looks the files up; the run's open() raised PermissionError: "training
    # failed: [Errno 13] Permission denied: '.../data_batch_2'", exit 1, as a failed training
    refuse_reading(folder / "data_batch_2", monkeypatch)
    return (f"cannot read {str(folder / 'data_batch_2')!r}: Permission denied; ask for read "
            "access to it, or copy the cifar10 folder to one you can read and point root (the "
            "configuration's data.root) at the folder that holds it")


def _refuse_folder(folder: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    # no permission to look into the folder: a stat of its files failed with PermissionError,
    # "data: [Errno 13] Permission denied: '.../data_batch_1'" (where pathlib's is_file
    # returns False for it, Python 3.13 on: "CIFAR file ... is missing; the folder is
    # incomplete", which it is not)
    refuse_looks_into(folder, monkeypatch)
    return (f"cannot look into {str(folder)!r}: Permission denied; ask for access to it, or "
            "copy the cifar10 folder to one you can read and point root (the configuration's "
            "data.root) at the folder that holds it")


@pytest.mark.parametrize("refuse", [_refuse_batch_file, _refuse_folder],
                         ids=["batch-file", "folder"])
def test_a_cifar_folder_that_cannot_be_read_is_data_roots(tmp_path, capsys, monkeypatch, refuse):
    said = refuse(_cifar10(tmp_path), monkeypatch)
    with pytest.raises(PermissionError) as err:
        load_dataset("cifar10", root=tmp_path)
    assert str(err.value) == said
    assert main(_train(tmp_path)) == 2
    assert capsys.readouterr().err == f"pidkit-distill train: error: data.root: {said}\n"
    assert not (tmp_path / "runs" / "cifar10-bas-ut-s0" / "metrics.jsonl").exists()
