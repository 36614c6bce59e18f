"""``fit`` called without ``check_config`` (a loop of the user's own building the module itself)
refuses a phase of no optimizer group with the fix that ``check_config``'s check names (t-475):
it said only ``TwoPhase.phase(1) returned 'critic', not one of its optimizer groups
['student']``, without what to change."""

from __future__ import annotations

import pytest
import torch
from torch.nn import functional as F
from torch.utils.data import TensorDataset

from pidkit_distill import DatasetBundle, load_config, tap_features
from pidkit_distill.methods import Distiller, StepOutput
from pidkit_distill.training import Runtime, fit

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class TwoPhase(Distiller):
    """The student in even epochs, a 'critic' that ``optimizer_groups()`` lacks in odd ones."""

    def phase(self, epoch):
        return "critic" if epoch % 2 else "student"

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})


def test_a_phase_of_no_group_reached_by_fit_names_the_fix(tmp_path):
    torch.manual_seed(0)
    x = torch.randn(64, 4)
    y = (x[:, 0] > 0).long()
    bundle = DatasetBundle(TensorDataset(x[:48], y[:48]), TensorDataset(x[48:], y[48:]),
                           num_classes=2, input_shape=(4,))

    def mlp(width):
        net = torch.nn.Sequential(torch.nn.Linear(4, width), torch.nn.ReLU(),
                                  torch.nn.Linear(width, 2))
        return tap_features(net, layers=["1"])

    module = TwoPhase(mlp(4), mlp(8), sample_input=x[:2], num_classes=2)
    config = load_config(overrides=["method.name=bas", "run.epochs=3", "data.batch_size=16",
                                    "run.audit_every=0", "run.print_every=0",
                                    "run.progress=false"])
    with pytest.raises(ValueError) as refused:
        fit(config, module, bundle, tmp_path / "run", Runtime.single())
    assert str(refused.value) == (
        "method 'TwoPhase': phase(1) returned 'critic', not one of its optimizer groups "
        "['student']: add 'critic' to optimizer_groups(), or return one of ['student'] from "
        "phase()")
