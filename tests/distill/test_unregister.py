"""unregister_model, unregister_dataset and unregister_method remove what a user registered:
a notebook's experiment or a test's clean-up, which used the registries' private
``_entries`` (the docstring examples popped ``_MODELS._entries``)."""

from __future__ import annotations

import importlib

import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

import pidkit_distill
from pidkit_distill import (
    DatasetBundle,
    Distiller,
    available_datasets,
    available_methods,
    available_models,
    build_model,
    get_method,
    register_dataset,
    register_method,
    register_model,
    tap_features,
    unregister_dataset,
    unregister_method,
    unregister_model,
)
from pidkit_distill.registry import Registry


def _mlp(width: int, num_classes: int, in_channels: int) -> nn.Module:
    net = nn.Sequential(nn.Linear(in_channels, width), nn.ReLU(), nn.Linear(width, num_classes))
    return tap_features(net, layers=["1"])


def narrow(*, num_classes, in_channels):
    return _mlp(4, num_classes, in_channels)


def wide(*, num_classes, in_channels):
    return _mlp(8, num_classes, in_channels)


def test_a_model_registered_again_after_unregister_is_the_new_one():
    register_model("unreg-mlp")(narrow)
    try:  # another builder under a taken name is refused until the first is removed
        with pytest.raises(ValueError, match="'unreg-mlp' is already registered"):
            register_model("unreg-mlp")(wide)
    finally:
        unregister_model(" Unreg-MLP ")  # read as build_model reads it
    assert "unreg-mlp" not in available_models()
    register_model("unreg-mlp")(wide)
    try:
        net = build_model("unreg-mlp", num_classes=2, in_channels=3)
        assert net.forward_features(torch.zeros(1, 3)).pooled.shape == (1, 8)
    finally:
        unregister_model("unreg-mlp")
    assert "unreg-mlp" not in available_models()


def test_a_dataset_and_a_method_are_removed():
    @register_dataset("unreg-data")
    def load(*, seed=0):
        x, y = torch.zeros(4, 2), torch.arange(4) % 2
        return DatasetBundle(TensorDataset(x, y), TensorDataset(x, y), num_classes=2,
                             input_shape=(2,))

    @register_method("unreg-method")
    class Method(Distiller):
        pass

    assert get_method("unreg-method") is Method
    unregister_dataset("unreg-data")
    unregister_method("unreg-method")
    assert "unreg-data" not in available_datasets()
    assert "unreg-method" not in available_methods()
    with pytest.raises(ValueError, match="name='unreg-method' is not a known method"):
        get_method("unreg-method")


@pytest.mark.parametrize("unregister, name, message", [
    # a WideResNet's name was "not a registered model", though build_model builds it
    (unregister_model, "WRN-40-2",
     "unregister_model: name='WRN-40-2' is one of the package's own models, which stay "
     "registered; only the names you registered can be removed."),
    (unregister_model, "wrn-4o-2",
     "unregister_model: name='wrn-4o-2' is not a registered model; the names you registered "
     "are []."),
    (unregister_model, "digits-teacher",
     "unregister_model: name='digits-teacher' is one of the package's own models, which stay "
     "registered; only the names you registered can be removed."),
    (unregister_dataset, "DIGITS",
     "unregister_dataset: name='DIGITS' is one of the package's own datasets, which stay "
     "registered; only the names you registered can be removed."),
    (unregister_method, "rid",
     "unregister_method: name='rid' is one of the package's own methods, which stay "
     "registered; only the names you registered can be removed."),
    (unregister_method, None,
     "unregister_method: name=None is not a registered method; the names you registered "
     "are []."),
])
def test_what_cannot_be_removed_is_named(unregister, name, message):
    with pytest.raises(ValueError) as err:
        unregister(name)
    assert str(err.value) == message
    assert "rid" in available_methods() and "digits" in available_datasets()


def test_a_misspelt_name_is_guessed():
    register_model("unreg-net")(narrow)
    try:
        with pytest.raises(ValueError) as err:
            unregister_model("unreg-nte")
        assert str(err.value) == (
            "unregister_model: name='unreg-nte' is not a registered model; the names you "
            "registered are ['unreg-net']. Did you mean 'unreg-net'?")
    finally:
        unregister_model("unreg-net")


@pytest.mark.parametrize("package, kind", [
    ("pidkit_distill.models", "model"),
    ("pidkit_distill.data", "dataset"),
    ("pidkit_distill.methods", "method"),
])
def test_each_registry_package_exports_its_unregister_beside_its_register(package, kind):
    # models exported unregister_model; data and methods lacked unregister_dataset and
    # unregister_method, so `from pidkit_distill.methods import register_method,
    # unregister_method` was an ImportError
    module = importlib.import_module(package)
    assert {f"register_{kind}", f"unregister_{kind}"} <= set(module.__all__)
    assert getattr(module, f"unregister_{kind}") is getattr(pidkit_distill, f"unregister_{kind}")


def test_a_name_another_thread_removes_meanwhile_is_not_registered_not_a_keyerror(monkeypatch):
    # two threads removing one name: the second found it, then `del` raised a raw KeyError
    registry = Registry("model", "register_model", builtin={})
    registry.decorator("my-net")(narrow)
    find = registry.find

    def found_then_removed_by_another(name):
        key = find(name)
        registry._entries.pop(key)  # the other thread's unregister, between find and removal
        return key

    monkeypatch.setattr(registry, "find", found_then_removed_by_another)
    with pytest.raises(ValueError) as err:
        registry.unregister("my-net")
    assert str(err.value) == ("unregister_model: name='my-net' is not a registered model; the "
                              "names you registered are [].")
