"""audit_networks: the audit of a teacher and a student trained elsewhere without pairing them in
a Distiller (task 299). Building the pair froze the user's teacher in place
(``requires_grad_(False)``, eval) and needed ``sample_input`` and ``num_classes``, which an audit
does not use; the new call gives the same records, leaves every ``training`` flag and
``requires_grad`` as it was (also when it raises), and refuses a network without
``forward_features`` telling to wrap it with ``tap_features``."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from pidkit_distill import audit_distiller, audit_networks, get_method, tap_features
from pidkit_distill.config import AuditConfig

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _mlp(width: int) -> nn.Sequential:
    return nn.Sequential(nn.Linear(20, width), nn.ReLU(), nn.Linear(width, width), nn.ReLU(),
                         nn.Linear(width, 4))


def _trained_elsewhere() -> tuple[nn.Module, nn.Module, torch.Tensor, torch.Tensor]:
    """The networks and data of docs/tutorials/audit.md's last section."""
    torch.manual_seed(0)
    x = torch.randn(2500, 20)
    y = (x[:, 0] > 0).long() + 2 * (x[:, 1] > 0).long()
    teacher, student = _mlp(64), _mlp(8)
    for net, n_train in ((teacher, 2000), (student, 100)):
        optimizer = torch.optim.Adam(net.parameters(), lr=0.01)
        for _ in range(60):
            loss = nn.functional.cross_entropy(net(x[:n_train]), y[:n_train])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return teacher, student, x, y


def _flags(*nets: nn.Module) -> list[tuple[str, bool]]:
    """Every submodule's training flag and every parameter's requires_grad, by name."""
    return [(f"{i}:{name}", m.training) for i, net in enumerate(nets)
            for name, m in net.named_modules()] + \
           [(f"{i}:{name}", p.requires_grad) for i, net in enumerate(nets)
            for name, p in net.named_parameters()]


def _numbers(record: dict) -> dict:
    """A record without what says how it was called (method) or how long it took."""
    return {key: value for key, value in record.items() if key not in ("method", "time_s")}


def test_the_tutorials_pair_gets_the_distiller_routes_records_and_stays_as_it_was():
    teacher, student, x, y = _trained_elsewhere()
    teacher.train()  # a teacher the user goes on training, and one frozen layer of the student
    student[0].requires_grad_(False)
    before = _flags(teacher, student)
    settings = AuditConfig(bootstrap=5)
    (record,) = audit_networks(tap_features(teacher, layers=["3"]),
                               tap_features(student, layers=["3"]), (x[2000:], y[2000:]),
                               settings=settings, progress=False)
    assert _flags(teacher, student) == before
    assert next(teacher.parameters()).requires_grad and teacher.training
    assert (record["epoch"], record["layer"], record["method"], record["n_samples"],
            record["settings"]["teacher_features"], record["settings"]["student_features"],
            record["settings"]["clusters_used"]) == (None, 0, None, 500, 64, 8, 10)
    pair = get_method("bas")(tap_features(student, layers=["3"]),
                             tap_features(teacher, layers=["3"]), sample_input=x[:8],
                             num_classes=4)
    (paired,) = audit_distiller(pair, (x[2000:], y[2000:]), settings=settings, progress=False)
    assert _numbers(record) == _numbers(paired)
    assert paired["method"] == "bas"
    assert not next(teacher.parameters()).requires_grad  # what the Distiller route does


def test_networks_are_left_as_they_were_when_the_audit_raises():
    torch.manual_seed(0)
    teacher, student = _mlp(16), _mlp(8)
    teacher[2].eval()
    student.requires_grad_(False)
    before = _flags(teacher, student)
    x64, y = torch.randn(40, 20, dtype=torch.float64), torch.arange(40) % 4
    with pytest.raises(ValueError, match="^" + re.escape(
            "dataset: its inputs are torch.float64, but the networks' weights are torch.float32: "
            "pass the inputs as x.to(torch.float32) (torch.from_numpy keeps numpy's float64) "
            "(torch said: ")):
        audit_networks(tap_features(teacher, layers=["1"]), tap_features(student, layers=["1"]),
                       (x64, y))
    assert _flags(teacher, student) == before
    with pytest.raises(ValueError, match=re.escape("audit layer index 1 is out of range: the "
                                                   "teacher has 2 and the student 1 distilled")):
        audit_networks(tap_features(teacher, layers=["1", "3"]),
                       tap_features(student, layers=["1"]), (x64.float(), y))
    assert _flags(teacher, student) == before


@pytest.mark.parametrize("role", ["teacher", "student"])
def test_a_network_without_forward_features_is_told_to_wrap_it_with_tap_features(role):
    torch.manual_seed(0)
    nets = {"teacher": tap_features(_mlp(16), layers=["1"]),
            "student": tap_features(_mlp(8), layers=["1"])}
    nets[role] = _mlp(8)
    with pytest.raises(TypeError, match="^" + re.escape(
            f"{role} must be an nn.Module with forward_features(x) -> Features; got a Sequential "
            "without it. Wrap your own model: pidkit_distill.models.tap_features(model, "
            "layers=[...]) takes the outputs of the submodules named in layers (paths of "
            "model.named_modules()), or use pidkit_distill.models.build_model.") + "$"):
        audit_networks(nets["teacher"], nets["student"],
                       (torch.randn(40, 20), torch.arange(40) % 4))


def test_every_tapped_layer_is_audited_and_settings_are_checked():
    torch.manual_seed(0)
    teacher = tap_features(_mlp(16), layers=["1", "3"])
    student = tap_features(_mlp(8), layers=["1", "3"])
    x, y = torch.randn(120, 20), torch.arange(120) % 4
    records = audit_networks(teacher, student, (x, y),
                             settings=AuditConfig(clusters=3, bootstrap=0))
    assert [(r["layer"], r["n_samples"], r["settings"]["teacher_features"],
             r["settings"]["student_features"]) for r in records] == [(0, 120, 16, 8),
                                                                     (1, 120, 16, 8)]
    with pytest.raises(TypeError, match="^" + re.escape(
            "settings must be an AuditConfig, got dict; pass "
            "pidkit_distill.config.AuditConfig(**settings)") + "$"):
        audit_networks(teacher, student, (x, y), settings={"bootstrap": 0})


def test_inputs_the_networks_cannot_take_are_named_by_their_shape():
    # it was torch's own "RuntimeError: mat1 and mat2 shapes cannot be multiplied (500x5 and 20x64)"
    teacher, student = _mlp(64), _mlp(8)
    x = torch.randn(500, 5)
    with pytest.raises(ValueError, match=re.escape(
            "dataset: the networks could not run on its inputs of shape (5,) per sample (a batch "
            "of (500, 5)); pass inputs of the shape the teacher and the student take (torch said: "
            "mat1 and mat2 shapes cannot be multiplied")):
        audit_networks(tap_features(teacher, layers=["3"]), tap_features(student, layers=["3"]),
                       (x, (x[:, 0] > 0).long()), settings=AuditConfig(bootstrap=0))
