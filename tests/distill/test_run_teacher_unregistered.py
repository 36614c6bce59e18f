"""load_run_teacher of a run whose teacher model is not registered in this process names the
run folder and the module that registered it, in load_student's words (t-413 L5, t-472); it was
the registry's bare ConfigEntryError."""

from __future__ import annotations

import os

import pytest
from tiny_runs import tiny
from torch import nn

from pidkit_distill import load_run_teacher, train
from pidkit_distill.models import register_model, tap_features, unregister_model

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _own_teacher(*, num_classes, in_channels):
    net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, num_classes))
    return tap_features(net, layers=["1"])


def test_load_run_teacher_of_an_unregistered_model_names_the_run_and_the_notebook_fix(tmp_path):
    register_model("walk-teacher")(_own_teacher)
    try:
        run_dir = train(tiny(tmp_path, "model.teacher=walk-teacher", "run.epochs=1")).run_dir
    finally:
        unregister_model("walk-teacher")  # a fresh notebook that did not run the builder's cell
    with pytest.raises(ValueError) as info:  # it was the registry's bare ConfigEntryError
        load_run_teacher(run_dir)
    said = str(info.value)
    assert said.startswith(f"run_dir {str(run_dir)!r}: its teacher model.teacher='walk-teacher' "
                           "is not known in this process: name='walk-teacher' is not a known "
                           "model; ")
    # the run's config.json records the file that registered it: this one
    assert said.endswith(f"(this run registered it from {os.path.realpath(__file__)}: import "
                         "that module first, then call load_run_teacher again)")
    register_model("walk-teacher")(_own_teacher)
    try:
        assert isinstance(load_run_teacher(run_dir), nn.Module)
    finally:
        unregister_model("walk-teacher")
