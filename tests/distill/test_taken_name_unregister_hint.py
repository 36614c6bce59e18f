"""A notebook cell that registers a builder, a loader or a method is edited (its function
renamed, ``build_a`` -> ``build_b``) and run again: the refusal of the taken name says how to
free it for the new definition, with the ``unregister_...`` of its kind, and doing what it says
registers the new one. The package's own names, which cannot be removed, are told only to
choose another name."""

from __future__ import annotations

import re

import pytest
from torch import nn, utils

import pidkit_distill
from pidkit_distill import (
    DatasetBundle,
    Distiller,
    build_model,
    register_dataset,
    register_method,
    register_model,
    tap_features,
)


def _builder(width: int):
    def build_net(*, num_classes, in_channels):
        net = nn.Sequential(nn.Linear(in_channels, width), nn.ReLU(), nn.Linear(width, num_classes))
        return tap_features(net, layers=["1"])
    return build_net


def _loader():
    def load(*, seed=0):
        data = utils.data.TensorDataset()
        return DatasetBundle(train=data, test=data, num_classes=2, input_shape=(4,))
    return load


def _method():
    return type("Hinted", (Distiller,), {"__module__": __name__})


def _fix(message: str) -> str:
    """The call that the refusal tells to run, e.g. pidkit_distill.unregister_model('x')."""
    found = re.search(r"first remove the old one with (pidkit_distill\.\w+\('[^']+'\))\.$",
                      message)
    assert found, message
    return found.group(1)


@pytest.mark.parametrize(("register", "make", "kind"), [
    (register_model, _builder, "model"),
    (register_dataset, lambda _: _loader(), "dataset"),
    (register_method, lambda _: _method(), "method"),
], ids=["model", "dataset", "method"])
def test_a_renamed_definition_is_told_how_to_free_the_name(register, make, kind):
    first, edited = make(8), make(16)
    edited.__qualname__ = first.__qualname__ + "_edited"  # the function renamed in the cell
    register("hinted-name")(first)
    try:
        with pytest.raises(ValueError) as refused:
            register("hinted-name")(edited)
        assert str(refused.value) == (
            f"register_{kind}: {kind} name 'hinted-name' is already registered (to "
            f"{__name__}.{first.__qualname__}); choose another name, or, to register this "
            "definition under it (a notebook cell edited and run again), first remove the old "
            f"one with pidkit_distill.unregister_{kind}('hinted-name').")
        eval(_fix(str(refused.value)), {"pidkit_distill": pidkit_distill})  # as the message says
        assert register("hinted-name")(edited) is edited
    finally:
        getattr(pidkit_distill, f"unregister_{kind}")("hinted-name")


def test_the_edited_builder_builds_after_the_named_unregister():
    register_model("hinted-net")(_builder(8))
    try:
        with pytest.raises(ValueError) as refused:
            register_model("hinted-net")(_builder(16))
        assert _fix(str(refused.value)) == "pidkit_distill.unregister_model('hinted-net')"
        pidkit_distill.unregister_model("hinted-net")
        register_model("hinted-net")(_builder(16))
        model = build_model("hinted-net", num_classes=2, in_channels=4)
        assert model.model[0].out_features == 16
    finally:
        pidkit_distill.unregister_model("hinted-net")


@pytest.mark.parametrize(("register", "name", "owner"), [
    (register_model, "digits-student", "the package"),
    (register_dataset, "digits", "the package"),
    (register_method, "kd", "pidkit_distill.methods.kd.KD"),
], ids=["model", "dataset", "method"])
def test_the_packages_own_names_are_not_told_to_unregister(register, name, owner):
    definition = {register_model: _builder(8), register_dataset: _loader(),
                  register_method: _method()}[register]
    with pytest.raises(ValueError) as refused:
        register(name)(definition)
    kind = register.__name__.removeprefix("register_")
    assert str(refused.value) == (f"register_{kind}: {kind} name {name!r} is already registered "
                                  f"(to {owner}); choose another name.")
