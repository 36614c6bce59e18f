"""Counts and shapes given to the extension API in another type than int and tuple: read where
they mean one int or one shape (a numpy integer, a 0-d integer tensor, a list shape), refused
with what to write where they do not (a float, a tensor of shape (1,), input_shape given to
build_model)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill.data import DatasetBundle, load_dataset, register_dataset, unregister_dataset
from pidkit_distill.methods import get_method
from pidkit_distill.models import build_model, register_model, tap_features, unregister_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")

X = torch.randn(12, 20, generator=torch.Generator().manual_seed(0))
Y = torch.arange(12) % 4


@pytest.mark.parametrize("classes", [np.int64(4), torch.tensor(4), Y.max() + 1, np.array(4)])
def test_build_model_reads_a_numpy_or_0d_tensor_count_as_its_int(classes):
    model = build_model("synthetic-student", num_classes=classes, in_channels=np.int32(20))
    assert model.fc.out_features == 4 and model.blocks[0][0].in_features == 20
    assert tuple(model(X[:2]).shape) == (2, 4)


@pytest.mark.parametrize(("classes", "shown"), [(4.0, "4.0"), (torch.tensor(4.0), "tensor(4.)"),
                                                (torch.tensor([4]), "tensor([4])")])
def test_build_model_shows_the_int_to_write_for_a_float_or_a_1d_count(classes, shown):
    with pytest.raises(ValueError) as info:
        build_model("synthetic-student", num_classes=classes, in_channels=20)
    assert str(info.value) == (f"num_classes must be a positive int; got {shown}: write "
                               "num_classes=4.")


@pytest.mark.parametrize("shape", [[20], (20,), torch.Size([20])])
def test_build_model_given_input_shape_shows_the_call_with_in_channels(shape):
    with pytest.raises(TypeError) as info:
        build_model("synthetic-student", num_classes=4, input_shape=shape)
    assert str(info.value) == (
        "build_model: 'synthetic-student' takes no input_shape; it takes in_channels, the first "
        "entry of the data's input shape (DatasetBundle.input_shape[0]): write "
        "build_model('synthetic-student', num_classes=4, in_channels=20)")


def test_build_model_given_input_shape_for_a_wideresnet_and_registered_builders():
    with pytest.raises(TypeError, match=re.escape(
            "write build_model('wrn-16-1', num_classes=10, in_channels=3)")):
        build_model("wrn-16-1", num_classes=10, input_shape=(3, 32, 32))

    @register_model("count-net")
    def count_net(*, num_classes, in_channels):
        net = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, num_classes))
        return tap_features(net, layers=["1"])

    try:
        with pytest.raises(TypeError, match=re.escape(
                "build_model: 'count-net' takes no input_shape; it takes in_channels, the first "
                "entry of the data's input shape (DatasetBundle.input_shape[0]): write "
                "build_model('count-net', num_classes=4, in_channels=20)")):
            build_model("count-net", num_classes=4, input_shape=[20])
    finally:
        unregister_model("count-net")

    # a builder that takes input_shape itself gets it
    @register_model("shape-net")
    def shape_net(*, num_classes, in_channels, input_shape=(1,)):
        net = nn.Sequential(nn.Linear(input_shape[-1], 8), nn.ReLU(), nn.Linear(8, num_classes))
        return tap_features(net, layers=["1"])

    try:
        model = build_model("shape-net", num_classes=4, in_channels=1, input_shape=[20])
        assert tuple(model(X[:2]).shape) == (2, 4)
    finally:
        unregister_model("shape-net")


def _loaded(num_classes, input_shape):
    @register_dataset("count-data")
    def count_data(*, seed=0):
        data = TensorDataset(X, Y)
        return DatasetBundle(data, data, num_classes=num_classes, input_shape=input_shape)

    try:
        return load_dataset("count-data")
    finally:
        unregister_dataset("count-data")


@pytest.mark.parametrize(("classes", "shape"), [(4, [20]), (np.int64(4), (20,)),
                                                (Y.max() + 1, X.shape[1:]),
                                                (4, [np.int64(20)])])
def test_a_bundle_keeps_a_list_shape_and_a_numpy_or_tensor_count_as_tuple_and_int(classes, shape):
    bundle = _loaded(classes, shape)
    assert bundle.input_shape == (20,) and type(bundle.input_shape) is tuple
    assert bundle.num_classes == 4 and type(bundle.num_classes) is int


@pytest.mark.parametrize(("classes", "shape", "said"), [
    (4.0, (20,), "returned num_classes=4.0; it must be an int >= 2: write num_classes=4."),
    (4, 20, "returned input_shape=20; it must be a tuple of positive ints, the shape of one x, "
            "e.g. (3, 32, 32) or (20,): write input_shape=(20,)."),
])
def test_a_bundle_of_a_float_count_or_an_int_shape_is_told_what_to_write(classes, shape, said):
    with pytest.raises(ValueError) as info:
        _loaded(classes, shape)
    assert str(info.value) == f"the loader registered as 'count-data' {said}"


def _pair():
    return (build_model("synthetic-student", num_classes=4, in_channels=20),
            build_model("synthetic-teacher", num_classes=4, in_channels=20))


@pytest.mark.parametrize("classes", [np.int64(4), Y.max() + 1])
def test_a_distiller_reads_a_numpy_or_0d_tensor_count_as_its_int(classes):
    distiller = get_method("kd")(*_pair(), sample_input=X[:2], num_classes=classes)
    assert distiller.num_classes == 4 and type(distiller.num_classes) is int
    assert sorted(distiller(X[:4], Y[:4], epoch=0).losses) == ["ce", "kd"]


def test_a_distiller_given_a_float_count_is_told_the_int():
    with pytest.raises(ValueError) as info:
        get_method("kd")(*_pair(), sample_input=X[:2], num_classes=4.0)
    assert str(info.value) == "num_classes must be an int >= 2; got 4.0: write num_classes=4."
