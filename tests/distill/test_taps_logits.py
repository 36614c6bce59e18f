"""tap_features on a model whose forward returns more than the logits (a tuple or a dict, as
many research models and Hugging Face heads do): logits= takes them out, and the refusal
without it names the entry to pass (task 256)."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn
from torch.nn import functional as F

from pidkit_distill import get_method, tap_features

pytestmark = pytest.mark.usefixtures("one_torch_thread")


class LogitsAndFeatures(nn.Module):
    """``forward`` returns ``(logits, features)``, or ``{"logits": ..., "features": ...}``."""

    def __init__(self, width: int, *, as_dict: bool = False) -> None:
        super().__init__()
        self.body = nn.Sequential(nn.Linear(20, width), nn.ReLU())
        self.head = nn.Linear(width, 4)
        self.as_dict = as_dict

    def forward(self, x):
        h = self.body(x)
        if self.as_dict:
            return {"features": h, "logits": self.head(h)}
        return self.head(h), h


@pytest.mark.parametrize(("as_dict", "key"), [(False, 0), (True, "logits")])
def test_logits_takes_the_logits_out_of_a_tuple_or_dict(as_dict, key):
    torch.manual_seed(0)
    model = LogitsAndFeatures(8, as_dict=as_dict)
    tapped = tap_features(model, layers=["body"], logits=key)
    x, y = torch.randn(5, 20), torch.arange(5) % 4
    feats = tapped.forward_features(x)
    expected = model.head(model.body(x))
    torch.testing.assert_close(feats.logits, expected)
    torch.testing.assert_close(tapped(x), expected)
    assert [tuple(t.shape) for t in feats.layers] == [(5, 8)]
    assert tuple(feats.pooled.shape) == (5, 8)
    teacher = tap_features(LogitsAndFeatures(16, as_dict=as_dict), layers=["body"], logits=key)
    out = get_method("bas")(tapped, teacher, sample_input=x, num_classes=4)(x, y, epoch=0)
    torch.testing.assert_close(out.losses["ce"], F.cross_entropy(expected, y))


@pytest.mark.parametrize(("as_dict", "output", "advice"), [
    (False, "a tuple of [tensor (5, 4), tensor (5, 8)]",
     "If its element 0 is the logits, pass logits=0 to tap_features"),
    (True, "a dict of {'features': tensor (5, 8), 'logits': tensor (5, 4)}",
     "If its entry 'logits' is the logits, pass logits='logits' to tap_features"),
])
def test_a_tuple_or_dict_output_is_told_which_logits_to_pass(as_dict, output, advice):
    tapped = tap_features(LogitsAndFeatures(8, as_dict=as_dict), layers=["body"])
    with pytest.raises(TypeError, match=re.escape(
            "model: a tapped LogitsAndFeatures must return the logits, one tensor of shape "
            f"(N, num_classes) = (5, K); it returned {output}. {advice} (the tapped paths stay "
            "the model's own).")):
        tapped.forward_features(torch.randn(5, 20))


def test_logits_that_the_output_lacks_or_of_a_wrong_type_are_refused():
    x = torch.randn(5, 20)
    with pytest.raises(TypeError, match=re.escape(
            "logits='logit': the LogitsAndFeatures returned a dict of {'features': tensor (5, 8), "
            "'logits': tensor (5, 4)} (its keys: ['features', 'logits']), which has no key "
            "'logit'; pass the logits' index or key.")):
        tap_features(LogitsAndFeatures(8, as_dict=True), layers=["body"],
                     logits="logit").forward_features(x)
    with pytest.raises(TypeError, match=re.escape(
            "logits=2: the LogitsAndFeatures returned a tuple of [tensor (5, 4), tensor (5, 8)], "
            "which has no element 2; pass the logits' index or key.")):
        tap_features(LogitsAndFeatures(8), layers=["body"], logits=2)(x)
    with pytest.raises(TypeError, match=r"^logits must be the index \(int\) or key \(str\) of "
                                        r"the logits in the model's output, or None when the "
                                        r"output is the logits; got True\.$"):
        tap_features(LogitsAndFeatures(8), layers=["body"], logits=True)
