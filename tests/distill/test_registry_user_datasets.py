"""One function, is_user_dataset, tells a data set registered by the user (whose loader
check_config calls, once, and whose bundle the run trains on) from the package's own (described
without reading them) and from a name registered nowhere; check_config and describe_dataset
both ask it."""

from __future__ import annotations

import pytest
import torch
from tiny_runs import tiny
from torch.utils.data import TensorDataset

from pidkit_distill.data import DatasetBundle, register_dataset, unregister_dataset
from pidkit_distill.data.registry import _LOADERS, is_user_dataset
from pidkit_distill.training import check_config


@pytest.fixture
def calls(monkeypatch):
    """The data set 'own-blobs' registered for the test; the list of its loader's seeds."""
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))
    seeds: list[int] = []

    @register_dataset("own-blobs")
    def blobs(*, seed=0):
        seeds.append(seed)
        x, y = torch.randn(40, 4, generator=torch.Generator().manual_seed(seed)), torch.arange(40) % 2
        return DatasetBundle(TensorDataset(x[:32], y[:32]), TensorDataset(x[32:], y[32:]),
                             num_classes=2, input_shape=(4,))

    return seeds


@pytest.mark.parametrize(("name", "registered"), [
    ("own-blobs", True), (" Own-Blobs ", True), ("OWN-BLOBS\t", True),
    ("digits", False), (" Digits", False), ("cifar10", False), ("synthetic", False),
    ("own-blob", False), ("", False),
])
def test_a_name_is_the_users_data_set_as_load_dataset_reads_it(calls, name, registered):
    assert is_user_dataset(name) is registered


def test_a_data_set_unregistered_is_no_longer_the_users(calls):
    unregister_dataset("own-blobs")
    assert is_user_dataset("own-blobs") is False


@pytest.mark.parametrize("name", ["own-blobs", " Own-Blobs "])
def test_check_config_loads_the_users_data_set_once_and_keeps_it_for_the_run(tmp_path, calls,
                                                                              name):
    checked = check_config(tiny(tmp_path, f"data.name={name!r}", "data.options={}",
                                "data.seed=3", "teacher.source=untrained",
                                "run.audit_every=0"))
    assert calls == [3]
    assert (checked.data.name, checked.data.n_train, checked.data.n_test) == ("own-blobs", 32, 8)
    bundle = checked.take_data()
    assert len(bundle.train) == 32 and bundle.num_classes == 2


def test_check_config_describes_the_packages_data_set_without_loading_it(tmp_path, calls):
    checked = check_config(tiny(tmp_path, "teacher.source=untrained", "run.audit_every=0"))
    assert checked.data.name == "synthetic" and checked.take_data() is None
    assert calls == []
