"""audit_distiller on a held-out set that does not fit the networks (task 256): inputs of another
shape or dtype than the distiller was built for are named, with both shapes or dtypes and the
fix, instead of torch's "mat1 and mat2 shapes cannot be multiplied"; the networks' own errors
are raised as they are."""

from __future__ import annotations

import re

import pytest
import torch
from own_distillers import LogitMatch, tapped_mlp
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import Distiller, audit_distiller, tap_features
from pidkit_distill.config import AuditConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _distiller() -> Distiller:
    torch.manual_seed(0)
    return LogitMatch(tapped_mlp(8), tapped_mlp(16), sample_input=torch.randn(4, 20),
                      num_classes=4)


def test_audit_of_inputs_of_another_shape_names_both_shapes():
    y = torch.arange(64) % 4
    with pytest.raises(ValueError, match=re.escape(
            "dataset: its inputs have shape (10,) per sample (a batch of (64, 10)), but the "
            "distiller was built for samples of shape (20,) (its sample_input); pass the held-out "
            "split of the data the distiller was built for (torch said: mat1 and mat2 shapes "
            "cannot be multiplied (64x10 and 20x16))")):
        audit_distiller(_distiller(), TensorDataset(torch.randn(64, 10), y), epoch=0)
    with pytest.raises(ValueError, match=re.escape(
            "dataset: its inputs have shape (4, 5) per sample (a batch of (64, 4, 5)), but the "
            "distiller was built for samples of shape (20,) (its sample_input); pass "
            "x.reshape(-1, *(20,)) if they are those samples laid out otherwise")):
        audit_distiller(_distiller(), TensorDataset(torch.randn(64, 4, 5), y), epoch=0)
    records = audit_distiller(_distiller(), (torch.randn(64, 20), y), epoch=0,  # as before
                              settings=AuditConfig(clusters=3, bootstrap=0))
    assert [(r["layer"], r["n_samples"], r["settings"]["teacher_features"],
             r["settings"]["student_features"]) for r in records] == [(0, 64, 16, 8)]


def test_audit_of_float64_inputs_says_to_convert_them():
    x, y = torch.randn(64, 20, dtype=torch.float64), torch.arange(64) % 4
    with pytest.raises(ValueError, match=re.escape(
            "dataset: its inputs are torch.float64, but the networks' weights are torch.float32: "
            "pass the inputs as x.to(torch.float32) (torch.from_numpy keeps numpy's float64) "
            "(torch said: mat1 and mat2 must have the same dtype")):
        audit_distiller(_distiller(), (x, y), epoch=0)


def test_audit_of_a_teacher_in_another_dtype_names_both_networks_dtypes():
    # only the student's weights were compared with the inputs: torch's "mat1 and mat2 must have
    # the same dtype" came through as it was
    distiller = _distiller()
    distiller.teacher.to(torch.float64)
    with pytest.raises(ValueError, match=re.escape(
            "the teacher's weights are torch.float64 and the student's torch.float32: the audit "
            "runs both on the same inputs; cast one to the other's dtype "
            "(teacher.to(torch.float32)) (torch said: mat1 and mat2 must have the same dtype")):
        audit_distiller(distiller, (torch.randn(64, 20), torch.arange(64) % 4))


def test_audit_keeps_a_network_error_that_is_not_the_inputs_fault():
    """Inputs of the right shape and dtype: the network's own error is raised as it is (the
    distiller of this test records its sample_input_shape, which it did not before)."""

    class Broken(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(nn.Linear(20, 8), nn.ReLU())
            self.head = nn.Linear(8, 4)
            self.broken = False

        def forward(self, x):
            if self.broken:
                raise RuntimeError("my model's own bug")
            return self.head(self.body(x))

    student = Broken()
    distiller = LogitMatch(tap_features(student, layers=["body"]), tapped_mlp(16),
                           sample_input=torch.randn(4, 20), num_classes=4)
    assert distiller.sample_input_shape == (20,)
    student.broken = True
    with pytest.raises(RuntimeError, match=r"^my model's own bug$"):
        audit_distiller(distiller, (torch.randn(64, 20), torch.arange(64) % 4), epoch=0)
