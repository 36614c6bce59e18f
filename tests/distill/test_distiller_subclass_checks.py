"""A Distiller subclass of the user's own (task 256): one that forgets super().__init__, or
sets a module before it, is told to call it first, when it is built (it was torch's missing
'_parameters' later); one whose forward takes no epoch is refused when registered (it failed
at the trainer's first step, after the teacher had trained)."""

from __future__ import annotations

import re

import pytest
import torch
from own_distillers import LogitMatch, tapped_mlp
from tiny_runs import tiny
from torch import nn

from pidkit_distill import Distiller, StepOutput, register_method
from pidkit_distill.methods.base import _METHODS
from pidkit_distill.training import check_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")


SUPER_INIT = ("super().__init__(student, teacher, sample_input=sample_input, "
              "num_classes=num_classes, **params)")


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    monkeypatch.setattr(_METHODS, "_entries", dict(_METHODS._entries))


def test_a_distiller_that_forgets_super_init_is_told_to_call_it():
    class NoSuper(Distiller):
        def __init__(self, student, teacher, *, sample_input, num_classes, **params):
            self.weight = 2.0

    with pytest.raises(TypeError, match=f"^NoSuper.__init__ must call {re.escape(SUPER_INIT)} "
                                        r"before anything else; it returned without calling it"):
        NoSuper(tapped_mlp(8), tapped_mlp(16), sample_input=torch.randn(4, 20), num_classes=4)


def test_a_distiller_that_sets_a_module_before_super_init_is_told_to_call_it_first():
    class LateSuper(Distiller):
        def __init__(self, student, teacher, **kwargs):
            self.embed = nn.Linear(8, 16)
            super().__init__(student, teacher, **kwargs)

    with pytest.raises(TypeError, match=(
            f"^LateSuper.__init__ used self \\(set or read an attribute\\) before calling "
            f"{re.escape(SUPER_INIT)}; call it first, then add your modules \\(torch said: "
            r"cannot assign module before Module.__init__\(\) call\)$")):
        LateSuper(tapped_mlp(8), tapped_mlp(16), sample_input=torch.randn(4, 20), num_classes=4)


def test_distillers_that_call_super_init_build_as_before():
    class WithEmbedding(LogitMatch):
        def __init__(self, student, teacher, **kwargs):
            super().__init__(student, teacher, **kwargs)
            self.embed = nn.Linear(8, 16)

    class Inherited(WithEmbedding):  # no __init__ of its own
        pass

    x = torch.randn(4, 20)
    for cls in (LogitMatch, WithEmbedding, Inherited):
        distiller = cls(tapped_mlp(8), tapped_mlp(16), sample_input=x, num_classes=4)
        assert distiller.sample_input_shape == (20,)
        assert distiller.student_shapes == [torch.Size([8])]
    assert tuple(distiller.embed.weight.shape) == (16, 8)


def test_a_forward_without_epoch_is_refused_when_registered():
    class NoEpoch(Distiller):
        def forward(self, x, y):
            return StepOutput(self.student(x), {})

    with pytest.raises(TypeError, match=re.escape(
            "register_method: NoEpoch.forward(self, x, y) cannot be called as the trainer calls "
            "it, forward(x, y, epoch=epoch) (got an unexpected keyword argument 'epoch'); define "
            "it as def forward(self, x, y, *, epoch): ... (take epoch even if the method does not "
            "use it).")):
        register_method("no-epoch")(NoEpoch)
    assert "no-epoch" not in _METHODS.names()

    class AnyKeywords(Distiller):
        def forward(self, x, y, **kwargs):
            return StepOutput(self.student(x), {})

    class EpochDefault(Distiller):
        def forward(self, x, y, epoch=0):
            return StepOutput(self.student(x), {})

    for name, cls in (("any-keywords", AnyKeywords), ("epoch-default", EpochDefault),
                      ("logit-match", LogitMatch)):
        assert register_method(name)(cls) is cls


def test_the_trainer_names_a_missing_super_init_as_the_methods_mistake(tmp_path):
    # it was named model.student's, the network the distiller was being built with
    class NoSuperInTrain(LogitMatch):
        def __init__(self, student, teacher, **kwargs):
            self.weight = 2.0

    register_method("no-super")(NoSuperInTrain)
    with pytest.raises(TypeError, match=r"^method\.name: NoSuperInTrain\.__init__ must call super"):
        check_config(tiny(tmp_path, "method.name=no-super"))
