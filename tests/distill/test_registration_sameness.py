"""When a callable registered under a taken name is the same definition (a notebook cell run
again, which makes new objects: it replaces the first) and when it is another one (refused):
the values that partials, closures, lambdas and instances hold compare by content, and a
comparison that raises or cannot tell refuses, never replacing silently."""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import pytest
import torch

from pidkit_distill.registry import Registry


@pytest.fixture
def registry() -> Registry:
    """A registry of models as register_model's, without the package's own."""
    return Registry("model", "register_model", builtin={})


@pytest.fixture
def register(registry):
    """``register(builder)`` registers under 'same-net', as ``register_model("same-net")``."""
    return registry.decorator("same-net")


def build(**kw: object) -> None:
    return None


class Builder:
    def __init__(self, value: object) -> None:
        self.value = value

    def __call__(self, **kw: object) -> None:
        return None


class Slotted:
    __slots__ = ("__width", "value")

    def __init__(self, value: object) -> None:
        self.__width = 8
        self.value = value

    def __call__(self, **kw: object) -> None:
        return None


@dataclasses.dataclass
class Config:
    weights: np.ndarray


class Settings:
    def __init__(self, width: int) -> None:
        self.width = width


class Unprintable:
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def closure(width: int):
    def build(**kw: object) -> int:
        return width
    return build


def lambda_of(width: int):
    return lambda **kw: width


def _long(changed: float | None = None) -> np.ndarray:
    """3000 zeros (their repr is cut: '0., 0., ..., 0.'), the middle one ``changed``."""
    values = np.zeros(3000)
    values[1500] = values[1500] if changed is None else changed
    return values


def _self_referring() -> Builder:
    builder = Builder(8)
    builder.me = builder
    return builder


@pytest.mark.parametrize("first, second", [
    # the values' reprs were compared: a long array's is cut, the same for both
    (lambda: Builder(_long()), lambda: Builder(_long(1.0))),
    (lambda: functools.partial(build, weights=_long()),
     lambda: functools.partial(build, weights=_long(1.0))),
    (lambda: Builder(torch.from_numpy(_long())),
     lambda: Builder(torch.from_numpy(_long(1.0)))),
    # any function argument by its qualified name: any lambda is __main__.<lambda>
    (lambda: functools.partial(build, act=lambda x: x),
     lambda: functools.partial(build, act=lambda x: 2 * x)),
    # a function closing over another value: by its qualified name alone
    (lambda: closure(8), lambda: closure(16)),
    (lambda: lambda_of(8), lambda: lambda_of(16)),
], ids=["instance-array", "partial-array", "instance-tensor", "partial-lambda", "closure",
        "closure-lambda"])
def test_another_definition_is_refused_not_silently_replacing(first, second, register, registry):
    kept = register(first())
    with pytest.raises(ValueError, match=r"^register_model: model name 'same-net' is already "
                                         r"registered \(to .+\); choose another name, or, "
                                         r"to register this definition under it \(a notebook "
                                         r"cell edited and run again\), first remove the old "
                                         r"one with pidkit_distill\.unregister_model\("
                                         r"'same-net'\)\.$"):
        register(second())
    assert registry.get("same-net") is kept


@pytest.mark.parametrize("make", [
    # "already registered (to a ...Slotted instance)": an instance without __dict__ by its repr
    lambda: Slotted(Settings(8)),
    # the attribute's repr has its memory address, new at each run
    lambda: Builder(Settings(8)),
    # refused the same way, or comparing forever
    _self_referring,
    lambda: closure(Settings(8)),
    lambda: Builder(Config(_long(float("nan")))),
    lambda: functools.partial(build, weights=torch.ones(3000, requires_grad=True)),
], ids=["slots", "attribute-instance", "self-referring", "closure-instance", "dataclass-nan",
        "partial-tensor"])
def test_the_same_definition_made_again_replaces_the_first(make, register, registry):
    register(make())
    again = register(make())
    assert registry.get("same-net") is again


def test_a_comparison_that_raises_is_not_the_same_and_does_not_raise(register, registry):
    # RuntimeError: no repr, out of register_model
    register(Builder(Unprintable()))
    again = register(Builder(Unprintable()))
    assert registry.get("same-net") is again
    registry.unregister("same-net")
    kept = register(Builder(Config(_long())))
    # a dataclass of arrays compared with its own ==: ValueError, truth value ambiguous
    with pytest.raises(ValueError, match=r"already registered \(to a "
                                         r"test_registration_sameness\.Builder instance\)"):
        register(Builder(Config(_long(1.0))))
    assert registry.get("same-net") is kept


def test_the_refusal_shows_a_partials_arguments_short_on_one_line(register):
    register(functools.partial(build, weights=np.arange(3000.0), label=Unprintable()))
    with pytest.raises(ValueError) as err:
        register(functools.partial(build, weights=np.arange(3000.0)))
    # the whole of the array's repr, over lines; the label's repr raised RuntimeError
    message = str(err.value)
    assert "\n" not in message
    assert len(message.partition("; choose another name")[0]) < 300
    assert message.startswith("register_model: model name 'same-net' is already registered (to "
                              "functools.partial(test_registration_sameness.build, weights=array(")
    assert ", label=<Unprintable instance at 0x" in message
