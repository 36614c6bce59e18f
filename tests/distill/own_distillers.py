"""Networks and a method of a user's own, shared by the tests of the extension API: an MLP on
20 inputs and 4 classes tapped at its hidden ReLU, and a Distiller that trains the student on
the labels alone."""

from __future__ import annotations

from torch import nn
from torch.nn import functional as F

from pidkit_distill import Distiller, StepOutput, tap_features


def tapped_mlp(width: int) -> nn.Module:
    """An MLP 20 -> ``width`` -> 4, tapped at its ReLU."""
    return tap_features(nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, 4)),
                        layers=["1"])


class LogitMatch(Distiller):
    """Cross-entropy of the student's logits; the teacher is never run."""

    def forward(self, x, y, *, epoch):
        logits = self.student(x)
        return StepOutput(logits, {"ce": F.cross_entropy(logits, y)})
