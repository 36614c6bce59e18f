"""A CheckedConfig given to train/train_teacher: a notebook's configuration changed after the
check is refused, and the data the check loaded (a registered data set's) is handed to one run,
then let go; it is neither kept for a second run nor pickled."""

from __future__ import annotations

import gc
import pickle
import weakref

import pytest
import torch
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, load_config
from pidkit_distill.data.registry import _LOADERS, register_dataset
from pidkit_distill.training import check_config, train, train_teacher

SMALL = ["model.teacher=synthetic-teacher", "model.student=synthetic-student",
         "teacher.source=untrained", "run.epochs=1", "run.audit_every=0", "run.threads=1",
         "run.progress=false", "run.print_every=0"]


@pytest.fixture
def loaded(monkeypatch):
    """Register 'kept-blobs', whose loader records a weak reference to each training split it
    returns (a split that holds a lambda, as a transform may, which pickle cannot take)."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    splits = []

    @register_dataset("kept-blobs")
    def blobs(*, seed=0, n=48):
        g = torch.Generator().manual_seed(seed)
        y = torch.arange(n) % 2
        x = torch.randn(n, 8, generator=g) + y[:, None]
        train_split = TensorDataset(x[:32], y[:32])
        train_split.transform = lambda v: v
        splits.append(weakref.ref(train_split))
        return DatasetBundle(train_split, TensorDataset(x[32:], y[32:]), num_classes=2,
                             input_shape=(8,))

    return splits


def test_a_configuration_changed_after_the_check_is_refused(tmp_path):
    # train trained the configuration as it was when checked elsewhere than asked, here in
    # run.out_dir 'first' while the configuration said 'second', without a word
    config = load_config(overrides=[*SMALL, "data.name=synthetic",
                                    f"run.out_dir={tmp_path / 'first'}"])
    checked = check_config(config)
    config.run.out_dir = str(tmp_path / "second")
    with pytest.raises(ValueError) as err:
        train(checked)
    assert str(err.value) == (
        f"config: the configuration changed after check_config checked it (run.out_dir: "
        f"{str(tmp_path / 'first')!r} -> {str(tmp_path / 'second')!r}); pass the TrainConfig "
        "itself, which is then checked, or check it again")
    assert sorted(tmp_path.iterdir()) == []
    config.run.out_dir = str(tmp_path / "first")  # as checked again: it trains
    assert train(checked).epochs_done == 1


def test_a_teacher_configuration_changed_after_the_check_is_refused(tmp_path):
    config = load_config(overrides=[*SMALL, "data.name=synthetic", "teacher.epochs=1",
                                    f"run.out_dir={tmp_path}"])
    checked = check_config(config, teacher_only=True)
    # never checked: the teacher run failed in torch ("Expected 3D (unbatched) or 4D (batched)
    # input to conv2d")
    config.model.teacher = "digits-teacher"
    with pytest.raises(ValueError, match=r"^config: the configuration changed after "
                                         r"check_config checked it \(model.teacher: "
                                         r"'synthetic-teacher' -> 'digits-teacher'\)"):
        train_teacher(checked)
    assert sorted(tmp_path.iterdir()) == []


def test_the_checks_data_goes_to_one_run_and_is_let_go(tmp_path, loaded):
    config = load_config(overrides=[*SMALL, "data.name=kept-blobs", "run.resume=true",
                                    f"run.out_dir={tmp_path}"])
    checked = check_config(config)
    assert len(loaded) == 1 and loaded[0]() is not None
    # pickled and copied without it (it failed: "Can't pickle local object ... <lambda>")
    assert pickle.loads(pickle.dumps(checked)).take_data() is None
    assert train(checked).epochs_done == 1
    gc.collect()
    assert len(loaded) == 1 and loaded[0]() is None  # trained on, then let go, checked alive
    # a second run (resuming the complete one) loads the data anew, as it is now
    assert train(checked).epochs_done == 1
    assert len(loaded) == 2


def test_check_config_of_no_configuration_says_what_to_pass(tmp_path):
    # the copy of the configuration taken before the check raised copy's "cannot pickle
    # '_io.TextIOWrapper' object" for an open file
    path = tmp_path / "rid.toml"
    path.write_text("[run]\nepochs = 3\n")
    with path.open() as handle, pytest.raises(TypeError) as err:
        check_config(handle)
    assert str(err.value) == ("config must be a TrainConfig, got TextIOWrapper; build one with "
                              "TrainConfig() or pidkit_distill.load_config(PATH)")


def test_the_check_loads_the_data_with_the_runs_defaults(tmp_path, monkeypatch):
    # the run loads its data with the CPU as torch's default device, whatever the caller set
    # (a notebook's torch.set_default_device('cuda')); the check's load, whose data the run
    # now trains on, took the caller's: CUDA tensors, which the DataLoader cannot pin. 'meta'
    # stands for 'cuda' here
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    devices = []

    @register_dataset("where-blobs")
    def blobs(*, seed=0, n=48):
        devices.append((torch.empty(0).device.type, torch.empty(0).dtype))
        y = torch.arange(n, device="cpu") % 2
        x = torch.randn(n, 8, device="cpu", generator=torch.Generator().manual_seed(seed))
        return DatasetBundle(TensorDataset(x[:32] + y[:32, None], y[:32]),
                             TensorDataset(x[32:] + y[32:, None], y[32:]), num_classes=2,
                             input_shape=(8,))

    config = load_config(overrides=[*SMALL, "data.name=where-blobs", f"run.out_dir={tmp_path}"])
    torch.set_default_device("meta")
    try:
        summary = train(config)
    finally:
        torch.set_default_device(None)
    assert devices == [("cpu", torch.float32)]
    assert summary.epochs_done == 1
