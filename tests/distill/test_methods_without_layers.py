"""A method that pairs the distilled layers of its networks (VID, TED, RID) refuses a teacher
and a student that have none: its loss, summed over the pairs, was ``sum``'s ``0`` of no terms
(an int, or a float once weighted), no tensor to back-propagate; VID trained on the
cross-entropy alone, TED's and RID's filter stage had a loss of ``0`` that the trainer could not
back-propagate. MIMKD, whose local critic reads the student's last layer, refused them with a bare
IndexError. The methods that pair no layers (KD, BAS, ITRD) still take such networks."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.nn import functional as F

import pidkit_distill.methods  # noqa: F401  (registers the package's methods)
from pidkit_distill import get_method
from pidkit_distill.models import Features


class NoLayers(nn.Module):
    """A feature model whose ``forward_features`` gives logits but no distilled layer."""

    def __init__(self) -> None:
        super().__init__()
        self.head = nn.Linear(4, 3)

    def forward_features(self, x: torch.Tensor) -> Features:
        return Features(logits=self.head(x), layers=[], pooled=x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_features(x).logits


@pytest.mark.parametrize("method", ["vid", "ted", "rid"])
def test_a_method_that_pairs_layers_refuses_networks_without_any(method):
    x = torch.randn(6, 4)
    with pytest.raises(ValueError, match=(
            rf"^method '{method}' pairs the distilled layers of the teacher and the student, and "
            r"neither has any \(their forward_features\(x\)\.layers are empty\); tap layers of "
            r"each: pidkit_distill\.tap_features\(model, layers=\[\.\.\.\]\) with as many names "
            r"for both\.$")):
        get_method(method)(NoLayers(), NoLayers(), sample_input=x, num_classes=3)


def test_mimkd_refuses_a_student_without_layers_by_name():
    x = torch.randn(6, 4)
    with pytest.raises(ValueError, match=(
            r"^method 'mimkd' contrasts the teacher's pooled features with the student's last "
            r"distilled layer, and the student has none \(its forward_features\(x\)\.layers are "
            r"empty\); tap its layers: pidkit_distill\.tap_features\(model, layers=\[\.\.\.\]\)\.$")):
        get_method("mimkd")(NoLayers(), NoLayers(), sample_input=x, num_classes=3)


def test_a_method_that_pairs_no_layers_still_takes_them():
    torch.manual_seed(0)
    x, y = torch.randn(6, 4), torch.tensor([0, 1, 2, 0, 1, 2])
    out = get_method("bas")(NoLayers(), NoLayers(), sample_input=x, num_classes=3)(x, y, epoch=0)
    # BAS trains the student on the cross-entropy alone
    torch.testing.assert_close(out.loss, F.cross_entropy(out.logits, y))
