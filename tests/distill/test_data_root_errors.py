"""Which errors of describing or loading a data set are data.root's (the user's folder: one
line, exit status 2, 'data.root: ...'): one rule, is_root_error, that check_config (before the
run) and the run (when it loads the data) both follow. They decided it apart: the check only
for a CIFAR FileNotFoundError, the run for a FileWriteError (a download refused) too."""

from __future__ import annotations

import errno

import pytest
from test_cifar_files import _cifar10
from tiny_runs import tiny

from pidkit_distill.atomic_files import FileWriteError
from pidkit_distill.data import registry as data_registry
from pidkit_distill.data.cifar import is_root_error
from pidkit_distill.training import check_config, train
from pidkit_distill.training import run as run_module
from pidkit_distill.training.loaders import DataError


def _refused(root) -> FileWriteError:
    return FileWriteError(errno.EROFS, "Read-only file system", str(root),
                          f"cannot download cifar10 into {str(root)!r}: Read-only file system")


ERRORS = {  # error -> whether it is data.root's for CIFAR
    "not found": (lambda root: FileNotFoundError(f"{root}/cifar-10-batches-py not found"), True),
    "download refused": (_refused, True),
    # CIFAR's folder or a file of it unreadable (it was the run's "training failed", exit 1)
    "permission": (lambda root: PermissionError(errno.EACCES, "Permission denied"), True),
}


@pytest.mark.parametrize(("name", "expected"), [
    ("cifar10", True), (" CIFAR100 ", True), ("digits", False), ("synthetic", False),
    ("my-cifar10", False),
])
@pytest.mark.parametrize("error", sorted(ERRORS))
def test_only_cifars_missing_or_unwritable_folder_is_data_roots(tmp_path, name, expected, error):
    make, roots = ERRORS[error]
    assert is_root_error(name, make(tmp_path)) is (expected and roots)


def test_other_errors_are_not_data_roots():
    assert is_root_error("cifar10", ValueError("normalization must be 'standard'")) is False
    assert is_root_error("cifar10", OSError(errno.EIO, "Input/output error")) is False


def _cifar_config(tmp_path):
    _cifar10(tmp_path)
    return tiny(tmp_path / "runs", "data.name=cifar10", f"data.root={tmp_path}",
                "data.options={}", "model.teacher=digits-teacher",
                "model.student=digits-student", "teacher.source=untrained", "run.audit_every=0")


@pytest.mark.parametrize("error", sorted(ERRORS))
def test_check_config_and_the_run_name_data_root_alike(tmp_path, monkeypatch, error):
    make, roots = ERRORS[error]
    raised = make(tmp_path)
    config = _cifar_config(tmp_path)

    def fails(*args, **kwargs):
        raise raised

    with monkeypatch.context() as patch:  # describing the data set fails: the check's error
        patch.setattr(data_registry, "describe_cifar", fails)
        with pytest.raises(OSError) as checked:
            check_config(config)
    checks_key = str(checked.value).split(":")[0]
    monkeypatch.setattr(run_module, "load_data", fails)  # loading it fails: the run's error
    with pytest.raises((DataError, OSError)) as ran:
        train(config)
    runs_key = str(ran.value).split(":")[0] if isinstance(ran.value, DataError) else None
    assert (checks_key, runs_key) == (("data.root", "data.root") if roots else ("data.name", None))
    assert ran.value is raised or ran.value.__cause__ is raised
