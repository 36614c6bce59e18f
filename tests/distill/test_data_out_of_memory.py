"""Memory running out while the run loads its data set is one line saying which data set did not
fit, its size where known and what to lower, exit 1 as memory running out in training (it was
Python's MemoryError traceback, exit 1)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from test_cifar_files import _cifar10

from pidkit_distill import TrainingError, load_config, train
from pidkit_distill.cli import main
from pidkit_distill.data import registry as data_registry
from pidkit_distill.training.loaders import DataOutOfMemory

SMALL = ["model.teacher=synthetic-teacher", "model.student=synthetic-student",
         "teacher.source=untrained", "run.epochs=1", "run.audit_every=0", "run.progress=false",
         "run.device=cpu", "run.threads=1"]
HINT = ("lower data.options.train_fraction (a class-stratified share of the training set, e.g. "
        "0.5), or free memory or use a machine with more")


def _no_memory(*args, **kwargs):
    raise MemoryError


def _argv(settings: list[str]) -> list[str]:
    return ["train", *[arg for item in settings for arg in ("--set", item)]]


def test_synthetic_data_that_does_not_fit_is_one_line_with_its_size(tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setattr(data_registry, "make_synthetic", _no_memory)
    settings = ["data.name=synthetic", "data.options.n_train=20000000", "data.options.n_test=64",
                *SMALL, f"run.out_dir={tmp_path}"]
    said = ("out of memory (MemoryError) while loading data set 'synthetic' (20,000,000 "
            "training and 64 test samples of shape (32,)): it did not fit in this machine's "
            f"memory; {HINT}")
    with pytest.raises(TrainingError) as err:
        train(load_config(overrides=settings))
    assert str(err.value) == said
    assert isinstance(err.value.__cause__, MemoryError)
    assert main(_argv(settings)) == 1
    assert capsys.readouterr().err == f"pidkit-distill train: training failed: {said}\n"


def test_cifar_that_does_not_fit_is_named_without_the_archives_sizes(tmp_path, capsys,
                                                                     monkeypatch):
    # CIFAR is described with the standard archive's sizes, which a folder of one's own may not
    # have: none is said
    _cifar10(tmp_path)
    monkeypatch.setattr(data_registry, "load_cifar", _no_memory)
    settings = ["data.name=cifar10", f"data.root={tmp_path}", "data.batch_size=5",
                "model.teacher=digits-teacher", "model.student=digits-student",
                *SMALL[2:], f"run.out_dir={tmp_path / 'runs'}"]
    assert main(_argv(settings)) == 1
    assert capsys.readouterr().err == (
        "pidkit-distill train: training failed: out of memory (MemoryError) while loading data "
        f"set 'cifar10': it did not fit in this machine's memory; {HINT}\n")


def test_a_registered_data_set_that_does_not_fit_is_one_line_at_the_check(tmp_path, capsys,
                                                                           monkeypatch):
    # check_config loads a registered data set: its DataOutOfMemory was a traceback there
    from pidkit_distill import register_dataset
    from pidkit_distill.data.registry import _LOADERS

    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))

    @register_dataset("hungry-blobs")
    def hungry(*, seed=0):
        raise MemoryError

    argv = _argv(["data.name=hungry-blobs", *SMALL, f"run.out_dir={tmp_path}"])
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("pidkit-distill train: training failed: out of memory (MemoryError) "
                          "while loading data set 'hungry-blobs'")
    assert err.count("\n") == 1


def test_memory_running_out_while_loading_is_a_training_error_that_crosses_processes():
    # DataOutOfMemory set TrainingError's attributes by hand, bypassing its __init__, which could
    # not say a failure while loading the data: a keyword added to TrainingError was missed
    reason = "out of memory (MemoryError) while loading data set 'x'"
    said = f"{reason}; load less"
    err = DataOutOfMemory(reason, hint="load less")
    assert str(TrainingError(reason, epoch=None, loading_data=True, hint="load less")) == said
    assert (str(err), err.epoch, err.loading_data, err.checkpoint, err.resume) == (
        said, None, True, None, False)
    copy = pickle.loads(pickle.dumps(err))  # as it comes back from another torchrun process
    assert type(copy) is DataOutOfMemory
    assert (str(copy), vars(copy)) == (said, vars(err))
    assert str(err.replaced(hint="lower n_train")) == f"{reason}; lower n_train"
    saved = err.replaced(checkpoint=Path("runs/x/checkpoint.pt"), epochs_saved=2)
    assert str(saved) == (f"{reason}; saved: runs/x/checkpoint.pt holds the run after epoch 2 "
                          "(resume with run.resume=true); load less")
    with pytest.raises(ValueError, match=r"^epoch must be None for a failure while loading the "
                                         r"data, which comes before any epoch; got epoch=2$"):
        TrainingError(reason, epoch=2, loading_data=True)
