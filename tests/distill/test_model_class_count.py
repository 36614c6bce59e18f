"""A registered builder that ignores the num_classes it is given (a researcher's CNN with its 10
outputs written in) trained on a data set of 4 classes without a word: cross-entropy takes labels
below the logits' width. The configuration check now refuses it, naming both counts."""

from __future__ import annotations

import pytest
from tiny_runs import TINY, tiny
from torch import nn

from pidkit_distill import check_config, register_model, tap_features
from pidkit_distill.cli import main
from pidkit_distill.models.registry import _MODELS


@pytest.fixture
def ten_outputs(monkeypatch):
    """'own-ten' registered for the test: an MLP for the tiny synthetic data (12 features) whose
    classifier has 10 outputs whatever num_classes its builder is given."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))

    @register_model("own-ten")
    def own_ten(*, num_classes: int, in_channels: int) -> nn.Module:
        net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                            nn.Linear(16, 10))
        return tap_features(net, layers=["1", "3"])


@pytest.mark.parametrize("role", ["student", "teacher"])
def test_logits_of_another_number_of_classes_are_refused(tmp_path, ten_outputs, role):
    with pytest.raises(ValueError) as err:
        check_config(tiny(tmp_path, f"model.{role}=own-ten"))
    assert str(err.value) == (
        f"model.{role}: 'own-ten' gives 10 logits a sample, but data 'synthetic' has 4 classes: "
        "build its classifier with the num_classes its builder is given (num_classes=4 here), "
        "not a number of its own")


def test_the_command_says_it_in_one_line(tmp_path, ten_outputs, capsys):
    tiny_options = [f"--set={o}" for o in TINY if not o.startswith("model.student=")]
    assert main(["train", *tiny_options, "--model.student", "own-ten",
                 "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "pidkit-distill train: error: model.student: 'own-ten' gives 10 logits a sample, but "
        "data 'synthetic' has 4 classes: build its classifier with the num_classes its builder "
        "is given (num_classes=4 here), not a number of its own\n")
