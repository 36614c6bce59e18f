"""``build_model`` without ``in_channels``: the package's own models are built for the data they
are made for (the digits CNNs for 1x8x8 digits, a WideResNet for CIFAR's RGB images), where
``in_channels=3`` for every model built a 3-channel CNN that torch refused on a digits sample;
the synthetic MLPs, whose input length is the synthetic data's option ``dim``, are refused with
the call to write; a registered builder is called with 3."""

from __future__ import annotations

import inspect

import pytest
import torch
from torch import nn

from pidkit_distill import build_model, load_dataset, register_model, tap_features, unregister_model
from pidkit_distill.data import make_synthetic


@pytest.mark.parametrize("name", ["digits-teacher", "digits-student", "DIGITS-Student"])
def test_a_digits_model_takes_a_digits_sample_by_default(name):
    torch.manual_seed(0)
    model = build_model(name, num_classes=10).eval()
    x = load_dataset("digits", seed=0).test[0][0][None]
    assert tuple(x.shape) == (1, 1, 8, 8)
    assert model.blocks[0][0].in_channels == 1
    assert tuple(model(x).shape) == (1, 10)


def test_a_wideresnet_is_built_for_rgb_images_by_default():
    model = build_model("wrn-16-1", num_classes=10)
    assert tuple(model(torch.zeros(1, 3, 32, 32)).shape) == (1, 10)
    assert next(model.parameters()).shape == (16, 3, 3, 3)


@pytest.mark.parametrize("name", ["synthetic-teacher", "synthetic-student"])
def test_a_synthetic_mlp_without_in_channels_is_told_the_call_to_write(name):
    dim = inspect.signature(make_synthetic).parameters["dim"].default
    assert dim == 32  # the synthetic data set's default, which the message gives
    with pytest.raises(TypeError) as refused:
        build_model(name, num_classes=4)
    assert str(refused.value) == (
        f"build_model: {name!r} needs in_channels, the length of the input vectors "
        "(DatasetBundle.input_shape[0]), which the synthetic data set's option dim sets (32 by "
        f"default): write build_model({name!r}, num_classes=4, in_channels=32)")
    written = build_model(name, num_classes=4, in_channels=dim).eval()
    assert tuple(written(load_dataset("synthetic", seed=0).test[0][0][None]).shape) == (1, 4)


def test_given_in_channels_win_and_a_registered_builder_gets_3():
    assert build_model("digits-student", num_classes=10, in_channels=3).blocks[0][0].in_channels == 3
    seen = []

    @register_model("channels-net")
    def build(*, num_classes, in_channels):
        seen.append(in_channels)
        return tap_features(nn.Sequential(nn.Linear(in_channels, num_classes)), layers=["0"])

    try:
        build_model("channels-net", num_classes=2)
        assert seen == [3]
    finally:
        unregister_model("channels-net")
