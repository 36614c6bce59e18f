"""A Distiller built by hand with one sample as its sample_input (``x[0]`` for ``x[:2]``) is
told so, with its shape, the batch's and the fix, rather than torch's "expected 4D input (got 3D
input)"; a network's error on a batch, and a meta-device limit (which the trainer's check
retries on the CPU), go through as they were."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from pidkit_distill.methods import get_method
from pidkit_distill.models import build_model, needs_real_tensors, tap_features

pytestmark = pytest.mark.usefixtures("one_torch_thread")

DIGITS = torch.randn(6, 1, 8, 8, generator=torch.Generator().manual_seed(0))
VECTORS = torch.randn(6, 20, generator=torch.Generator().manual_seed(0))


def _pair(kind: str, in_channels: int) -> tuple[nn.Module, nn.Module]:
    return (build_model(f"{kind}-student", num_classes=4, in_channels=in_channels),
            build_model(f"{kind}-teacher", num_classes=4, in_channels=in_channels))


def test_one_image_as_sample_input_names_its_shape_the_batch_and_the_fix():
    with pytest.raises(ValueError) as info:
        get_method("kd")(*_pair("digits", 1), sample_input=DIGITS[0], num_classes=4)
    assert str(info.value) == (
        "sample_input has shape (1, 8, 8), one sample of the inputs, but it must be a batch of "
        "shape (N, *input_shape), here (N, 1, 8, 8): pass the first samples, x[:2] rather than "
        "x[0], or this one as a batch of one, sample_input[None] (torch said: expected 4D input "
        "(got 3D input))")
    assert isinstance(info.value.__cause__, ValueError)  # torch's, chained


def test_one_vector_as_sample_input_names_its_shape_the_batch_and_the_fix():
    with pytest.raises(ValueError) as info:
        get_method("rid")(*_pair("synthetic", 20), sample_input=VECTORS[0], num_classes=4)
    assert str(info.value) == (
        "sample_input has shape (20,), one sample of the inputs, but it must be a batch of "
        "shape (N, *input_shape), here (N, 20): pass the first samples, x[:2] rather than "
        "x[0], or this one as a batch of one, sample_input[None]")
    # a batch of one, as the fix says, builds; a vector the networks cannot take as one sample
    # is refused as before
    distiller = get_method("rid")(*_pair("synthetic", 20), sample_input=VECTORS[0][None],
                                  num_classes=4)
    assert distiller.sample_input_shape == (20,)
    with pytest.raises(ValueError, match=r"^sample_input must be a batch tensor of shape \(N, "):
        get_method("kd")(*_pair("synthetic", 20), sample_input=VECTORS[0, :7], num_classes=4)


def test_on_the_meta_device_one_sample_is_named_and_a_meta_limit_goes_through():
    with torch.device("meta"):
        pair = _pair("digits", 1)
        with pytest.raises(ValueError, match=r"^sample_input has shape \(1, 8, 8\), one sample"):
            get_method("kd")(*pair, sample_input=torch.empty(1, 8, 8), num_classes=4)

    class ReadsValues(nn.Module):  # forward reads a value: no run on the meta device
        def __init__(self) -> None:
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, 8), nn.ReLU(), nn.Linear(8, 4))

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            if x.sum() > 1e9:
                x = x * 0
            return self.net(x)

    with torch.device("meta"):
        student = tap_features(ReadsValues(), layers=["net.2"])
        with pytest.raises(Exception) as info:  # torch's own type, kept as it is
            get_method("kd")(student, pair[1], sample_input=torch.empty(1, 8, 8), num_classes=4)
    assert needs_real_tensors(info.value)  # the trainer's check retries it on the CPU
