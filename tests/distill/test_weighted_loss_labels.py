"""Every method's epoch line names a loss term that carries a weight other than 1 with that weight.

KD's line said "0.1*ce=0.2339 0.9*kd=0.2258" (ac5a8e7), while RID, MIMKD, VID, ITRD and TED
printed their weighted terms under bare keys: VID's "vid=" was lam = 100 times the NLL. The base
class now names each term by its weight (Distiller.loss_weights), so a method of one's own
inherits the rule; metrics.jsonl keeps the keys.
"""

from __future__ import annotations

import pytest
import torch
from test_kd_epoch_line import checked_epoch_line

from pidkit_distill import Distiller, StepOutput, get_method
from pidkit_distill.models import build_model

# method, its weight parameters set off their defaults (1 where a term keeps its bare key), an
# epoch at which every weighted term is computed, and each weighted key with its parameter
CASES = [
    ("kd", {"alpha": 0.25}, 0, {"ce": None, "kd": "alpha"}),
    ("rid", {"lambda1": 0.5, "lambda2": 3.0}, 40, {"ce": "lambda1", "distill": "lambda2"}),
    ("vid", {"lam": 7.5}, 0, {"vid": "lam"}),
    ("ted", {"weight": 0.25, "stage1_epochs": 0}, 0, {"ted": "weight"}),
    ("mimkd", {"alpha": 0.5, "lambda_g": 2.0, "lambda_l": 0.75, "lambda_f": 1.0}, 0,
     {"ce": "alpha", "global": "lambda_g", "local": "lambda_l", "feature": "lambda_f"}),
    ("itrd", {"beta_corr": 2.0, "beta_mi": 0.5}, 0, {"corr": "beta_corr", "mi": "beta_mi"}),
]


def _losses(method: str, epoch: int, **params: float) -> tuple[Distiller, dict[str, float]]:
    """A distiller built and run from the same seed, so that only ``params`` differ."""
    torch.manual_seed(0)
    student = build_model("synthetic-student", num_classes=3, in_channels=4)
    teacher = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    x, y = torch.randn(16, 4), torch.arange(16) % 3
    distiller = get_method(method)(student, teacher, sample_input=x[:2], num_classes=3, **params)
    torch.manual_seed(1)  # MIMKD's negatives are a random permutation
    losses = distiller(x, y, epoch=epoch).losses
    return distiller, {key: float(value.detach()) for key, value in losses.items()}


@pytest.mark.parametrize(("method", "params", "epoch", "weighted"), CASES,
                         ids=[case[0] for case in CASES])
def test_each_label_gives_the_weight_by_which_the_term_scales(method, params, epoch, weighted):
    distiller, losses = _losses(method, epoch, **params)
    # the same terms with every weight parameter at 1 (KD's alpha 0.5 halves both terms)
    unit = {name: 1.0 for name in weighted.values() if name is not None}
    if method == "kd":
        unit = {"alpha": 0.5}
    _, unweighted = _losses(method, epoch, **{**params, **unit})
    labels = distiller.loss_labels()
    assert set(losses) >= set(weighted)
    for key in weighted:
        label = labels.get(key, key)
        weight = float(label.split("*")[0]) if "*" in label else 1.0
        assert label in (key, f"{weight:g}*{key}")
        reference = 0.5 if method == "kd" else 1.0
        assert losses[key] == pytest.approx(weight / reference * unweighted[key], rel=1e-5), label
    # a weight of 1 keeps the bare key; every other weight is printed
    expected = {"kd": {"ce": "0.75*ce", "kd": "0.25*kd"},
                "rid": {"ce": "0.5*ce", "distill": "3*distill"},
                "vid": {"vid": "7.5*vid"}, "ted": {"ted": "0.25*ted"},
                "mimkd": {"ce": "0.5*ce", "global": "2*global", "local": "0.75*local"},
                "itrd": {"corr": "2*corr", "mi": "0.5*mi"}}[method]
    assert labels == expected


def test_a_method_of_ones_own_inherits_the_labels():
    class Plain(Distiller):
        def forward(self, x, y, *, epoch):
            return StepOutput(self.student(x), {})

    class Weighted(Plain):
        def loss_weights(self):
            return {"match": 0.3, "ce": 1.0}

    student = build_model("synthetic-student", num_classes=3, in_channels=4)
    teacher = build_model("synthetic-teacher", num_classes=3, in_channels=4)
    x = torch.randn(2, 4)
    assert Plain(student, teacher, sample_input=x, num_classes=3).loss_labels() == {}
    assert Weighted(student, teacher, sample_input=x, num_classes=3).loss_labels() == {
        "match": "0.3*match"}


def test_vid_epoch_line_prints_the_weight_and_its_terms_sum_to_the_loss(tmp_path, capsys):
    checked_epoch_line(tmp_path, capsys, "vid", {"ce": "ce", "vid": "100*vid"})
