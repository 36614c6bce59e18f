"""A notebook user's first mistakes with register_model, register_dataset and register_method
(task 256): the decorator written without its name, a name in capitals, an nn.Module class
registered as a builder. Each is told what to write instead, when it is registered."""

from __future__ import annotations

import re

import pytest
from torch import nn
from torch.nn import functional as F

from pidkit_distill import (
    Distiller,
    StepOutput,
    register_dataset,
    register_method,
    register_model,
)
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.models.registry import _MODELS

pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    for registry in (_MODELS, _LOADERS, _METHODS):
        monkeypatch.setattr(registry, "_entries", dict(registry._entries))


def my_blobs(*, seed: int = 0):
    raise AssertionError("never loaded")


class LogitMatch(Distiller):
    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})


@pytest.mark.parametrize(("register", "given", "suggested", "shown"), [
    (register_model, my_blobs, "my-blobs", "my_blobs"),
    (register_dataset, my_blobs, "my-blobs", "my_blobs"),
    (register_method, LogitMatch, "logitmatch", "LogitMatch"),
])
def test_a_decorator_without_its_name_is_told_to_give_one(register, given, suggested, shown):
    where = register.__name__
    expected = (f"{where} takes the name to register first, then decorates: write "
                f"@{where}('{suggested}'), with the parentheses and a name; got "
                f"{__name__}.{shown} itself as the name (@{where} without a name?).")
    with pytest.raises(TypeError, match=f"^{re.escape(expected)}$"):
        register(given)


def test_a_name_in_capitals_is_told_its_lower_case_spelling():
    with pytest.raises(ValueError, match=re.escape(
            "got 'My-Net'. Register it as 'my-net': names are read in lower case, so 'My-Net' in "
            "a configuration finds it.") + "$"):
        register_model("My-Net")
    with pytest.raises(ValueError, match=r"got 'my net'\.$"):  # no lower-case spelling fits
        register_model("my net")


def test_a_model_class_registered_as_a_builder_is_told_to_register_a_builder_that_taps_it():
    class MyNet(nn.Module):
        def __init__(self, num_classes: int = 10, in_channels: int = 3) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU())
            self.head = nn.Linear(8, num_classes)

        def forward(self, x):
            return self.head(self.body(x))

    with pytest.raises(TypeError, match=re.escape(
            "register_model decorates a builder def build(*, num_classes, in_channels) -> "
            "nn.Module; got the nn.Module class MyNet, whose models have no forward_features: "
            "register a builder that taps one, def build(*, num_classes, in_channels): return "
            "tap_features(MyNet(...), layers=[...]) (the "
            "paths of the submodules to distil, as model.named_modules() names them).") + "$"):
        register_model("my-net")(MyNet)
    assert "my-net" not in _MODELS.names()
