"""audit_distiller of a teacher and a student trained elsewhere, tapped with tap_features and
paired in a ``bas`` Distiller (task 287): networks that tap different numbers of layers are
refused with the layers both have and how to pass them from Python, where the message said only
"fix audit.layers", a configuration key that a notebook's audit does not have; a held-out set too
small for the bias correction is refused naming the audit's settings."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from pidkit_distill import audit_distiller, get_method, tap_features
from pidkit_distill.config import AuditConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _mlp(width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, 4))


def _pair(teacher_layers: list[str], student_layers: list[str]) -> nn.Module:
    torch.manual_seed(0)
    teacher = tap_features(_mlp(64), layers=teacher_layers)
    student = tap_features(_mlp(8), layers=student_layers)
    return get_method("bas")(student, teacher, sample_input=torch.randn(4, 20), num_classes=4)


def test_networks_tapping_different_layer_counts_are_told_the_layers_both_have():
    x, y = torch.randn(120, 20), torch.arange(120) % 4
    with pytest.raises(ValueError, match=re.escape(
            "audit layer index 1 is out of range: the teacher has 2 and the student 1 distilled "
            "layers (their forward_features(x).layers; the audit pairs the teacher's layer k with "
            "the student's); audit the layers both have, [0]: layers=[0] "
            "(settings=AuditConfig(layers=[0]) for audit_distiller and "
            "audit_networks, audit.layers=[0] in a "
            "configuration), or tap as many layers of each network")):
        audit_distiller(_pair(["1", "3"], ["3"]), (x, y), epoch=0)
    records = audit_distiller(_pair(["1", "3"], ["3"]), (x, y), epoch=0,  # the fix it names
                              settings=AuditConfig(layers=[0], clusters=3, bootstrap=0))
    assert [(r["layer"], r["n_samples"], r["settings"]["teacher_features"],
             r["settings"]["student_features"]) for r in records] == [(0, 120, 64, 8)]


def test_an_audited_layer_beyond_both_networks_lists_theirs():
    x, y = torch.randn(120, 20), torch.arange(120) % 4
    with pytest.raises(ValueError, match=re.escape(
            "audit layer index 5 is out of range: the teacher has 2 and the student 2 distilled "
            "layers (their forward_features(x).layers; the audit pairs the teacher's layer k with "
            "the student's); audit the layers both have, [0, 1]: layers=[0, 1] "
            "(settings=AuditConfig(layers=[0, 1]) for audit_distiller and "
            "audit_networks, audit.layers=[0, 1] in a "
            "configuration)") + "$"):
        audit_distiller(_pair(["1", "3"], ["1", "3"]), (x, y), epoch=0,
                        settings=AuditConfig(layers=[5]))


def test_too_few_held_out_samples_for_the_correction_name_the_audits_settings():
    # 300 samples of 100 classes: pid_from_representations' refusal named only its own
    # arguments (subsamples=(2, 4), bias_correction='none'), not the audit's AuditConfig
    torch.manual_seed(0)
    wide = [nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, 100))
            for width in (8, 64)]
    student, teacher = (tap_features(net, layers=["1"]) for net in wide)
    pair = get_method("bas")(student, teacher, sample_input=torch.randn(4, 20), num_classes=100)
    x, y = torch.randn(300, 20), torch.arange(300) % 100
    with pytest.raises(ValueError, match="^" + re.escape(
            "audit of layer 0 on 300 held-out samples of 100 classes: subsamples=(2, 4) cuts the "
            "300 samples into pieces of 75, fewer than the 200 cells of p(y,t), so the subsample "
            "estimates are meaningless. Use at least 800 samples, or bias_correction='none' (the "
            "plug-in). The audit's settings name its options: bias_correction, clusters and "
            "cluster_rule (n_clusters), pca_components (n_components), normalize; set them with "
            "settings=AuditConfig(...) for audit_distiller and audit_networks, as audit.* keys in a "
            "configuration.")
            + "$"):
        audit_distiller(pair, (x, y), epoch=0)
    (record,) = audit_distiller(pair, (x, y), epoch=0,  # the fix it names
                                settings=AuditConfig(bias_correction="none", bootstrap=0))
    assert (record["n_samples"], record["settings"]["clusters_used"]) == (300, 2)
