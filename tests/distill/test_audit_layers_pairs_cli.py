"""``pidkit-distill train`` with a teacher of 3 tapped layers and a student of 2, every layer
audited (``--audit.layers []``), is one line naming which teacher layer each index pairs with
which student layer (walk t-467 L5): the line said only how many layers each had, so a user could
not tell that the audit would pair the teacher's flattened input with the student's first block.
"""

from __future__ import annotations

import pytest
from torch import nn

from pidkit_distill import register_model, tap_features, unregister_model
from pidkit_distill.cli import main

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def pairs_teacher(*, num_classes: int, in_channels: int) -> nn.Module:
    """An MLP on the flattened input, tapped at its input and both hidden ReLUs."""
    net = nn.Sequential(nn.Flatten(), nn.Linear(in_channels, 32), nn.ReLU(), nn.Linear(32, 16),
                        nn.ReLU(), nn.Linear(16, num_classes))
    return tap_features(net, layers=["0", "2", "4"])


def pairs_student(*, num_classes: int, in_channels: int) -> nn.Module:
    """An MLP tapped at its two hidden ReLUs."""
    net = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(),
                        nn.Linear(8, num_classes))
    return tap_features(net, layers=["1", "3"])


@pytest.fixture
def own_pair():
    register_model("pairs-teacher")(pairs_teacher)
    register_model("pairs-student")(pairs_student)
    yield
    unregister_model("pairs-teacher")
    unregister_model("pairs-student")


@pytest.mark.usefixtures("own_pair")
def test_every_layer_audited_of_a_3_and_a_2_layer_pair_names_the_pairs(tmp_path, capsys):
    status = main(["train", "--data", "synthetic", "--set", "data.options.n_train=96",
                   "--set", "data.options.n_test=64", "--set", "data.options.dim=12",
                   "--model.teacher", "pairs-teacher", "--model.student", "pairs-student",
                   "--teacher.source", "untrained", "--method", "bas", "--epochs", "1",
                   "--device", "cpu", "--run.out_dir", str(tmp_path), "--audit.layers", "[]"])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert err == (
        "pidkit-distill train: error: audit.layers: [] audits every distilled layer, but the "
        "teacher has 3 and the student 2 distilled layers; list the layers both have, e.g. "
        "audit.layers=[0, 1] (0 to 1), which pair by index: 0 the teacher's '0' with the "
        "student's '1', 1 the teacher's '2' with the student's '3' (to pair other layers, tap "
        "those of the teacher that match the student's, in order: tap_features(model, "
        "layers=[...])), or set run.audit_every=0\n")
    assert list(tmp_path.iterdir()) == []  # refused before the run folder is written
