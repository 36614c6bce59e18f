"""A researcher's own models and data: the Distiller on models wrapped by tap_features, a
training loop of one's own, and register_model / register_dataset for train(config)."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

import pytest
import torch
from test_tap_features import mlp
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill import (
    DatasetBundle,
    audit_distiller,
    available_datasets,
    available_models,
    build_model,
    describe_dataset,
    get_method,
    load_dataset,
    register_dataset,
    register_model,
    tap_features,
    train,
)
from pidkit_distill.config import AuditConfig, TrainConfig
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.methods import available_methods
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training.checkpoint import read_checkpoint

ROOT = Path(__file__).parents[2]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(autouse=True)
def _registries(monkeypatch):
    """Registrations made by a test end with it."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))


@pytest.mark.parametrize("method", available_methods())
def test_every_method_trains_a_tapped_pair(method):
    torch.manual_seed(0)
    teacher = tap_features(mlp(16), layers=["2", "4"])
    student = tap_features(mlp(4), layers=["2", "4"])
    x, y = torch.randn(16, 6), torch.arange(16) % 3
    distiller = get_method(method)(student, teacher, sample_input=x, num_classes=3)
    group = distiller.phase(0)
    out = distiller(x, y, epoch=0)
    sum(out.losses.values()).backward()
    grads = [p.grad for p in distiller.optimizer_groups()[group]]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)
    assert all(p.grad is None for p in teacher.parameters())


def test_own_training_loop_with_rid_phases_and_the_audit():
    torch.manual_seed(0)
    x = torch.randn(96, 6)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    teacher = tap_features(mlp(16), layers=["2", "4"])
    student = tap_features(mlp(4), layers=["2", "4"])
    distiller = get_method("rid")(student, teacher, sample_input=x[:8], num_classes=3,
                                  warmup_epochs=1, cycle_epochs=2, filter_ratio=0.5)
    optimizers = {name: torch.optim.SGD(params, lr=0.05)
                  for name, params in distiller.optimizer_groups().items()}
    phases = []
    for epoch in range(3):
        distiller.train()
        phase = distiller.phase(epoch)
        phases.append(phase)
        before = [p.detach().clone() for p in student.parameters()]
        for i in range(0, 64, 32):
            out = distiller(x[i:i + 32], y[i:i + 32], epoch=epoch)
            optimizers[phase].zero_grad()
            sum(out.losses.values()).backward()
            optimizers[phase].step()
        moved = any(not torch.equal(a, b) for a, b in zip(before, student.parameters(),
                                                          strict=True))
        assert moved == (phase == "student")
    assert phases == ["filter", "filter", "student"]
    records = audit_distiller(distiller, TensorDataset(x[64:], y[64:]), epoch=3,
                              settings=AuditConfig(clusters=2, bootstrap=0))
    assert [(r["epoch"], r["layer"], r["n_samples"]) for r in records] == [(3, 0, 32), (3, 1, 32)]
    assert all(r["settings"]["student_features"] == 4 for r in records)


def blobs(*, seed: int = 0, n_train: int = 96, n_test: int = 64) -> DatasetBundle:
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n_train + n_test) % 3
    x = torch.randn(n_train + n_test, 6, generator=g) + 2.0 * nn.functional.one_hot(y, 6).float()
    return DatasetBundle(TensorDataset(x[:n_train], y[:n_train]),
                         TensorDataset(x[n_train:], y[n_train:]), num_classes=3, input_shape=(6,))


def own_teacher(*, num_classes: int, in_channels: int) -> nn.Module:
    return tap_features(mlp(16, d_in=in_channels, classes=num_classes), layers=["2", "4"])


def own_student(*, num_classes: int, in_channels: int) -> nn.Module:
    return tap_features(mlp(4, d_in=in_channels, classes=num_classes), layers=["2", "4"])


def test_registered_names_are_listed_and_built():
    assert "own-blobs" not in available_datasets()
    register_dataset("own-blobs")(blobs)
    register_model("own-student")(own_student)
    assert "own-blobs" in available_datasets() and "own-student" in available_models()
    assert describe_dataset("own-blobs", n_test=30).n_test == 30
    assert len(load_dataset("OWN-BLOBS", seed=1).train) == 96
    assert build_model("own-student", num_classes=3, in_channels=6).layer_paths == ("2", "4")
    with pytest.raises(ValueError, match=r"name='own-blob' is not a known dataset; choose one "
                                         r"of \[.*'own-blobs'.*\], or register your own with "
                                         r"pidkit_distill.data.register_dataset in the Python "
                                         r"script that calls pidkit_distill.train, or in a "
                                         r"module that you pass to the pidkit-distill command "
                                         r"with --import MODULE \(on every run that names it, "
                                         r"resumed runs included\)\. Did you mean 'own-blobs'\?$"):
        load_dataset("own-blob")
    with pytest.raises(ValueError, match=r"name='own-studnt' is not a known model; choose one "
                                         r"of \[.*'own-student'.*\]"):
        build_model("own-studnt", num_classes=3)
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['dim'\] for data set 'own-blobs'; "
                                        r"its options are \['n_test', 'n_train'\]"):
        load_dataset("own-blobs", dim=3)
    register_model("own-student")(own_student)  # the same function again: a re-run cell


def _plain(*, num_classes, in_channels):
    return mlp(4)


def _positional(seed, n):
    return blobs(seed=seed)


def _register_two_under_one_name() -> None:
    register_model("own-x")(own_teacher)
    register_model("own-x")(own_student)


def _build_plain() -> nn.Module:
    register_model("own-p")(_plain)
    return build_model("own-p", num_classes=3)


def _load_a_list() -> DatasetBundle:
    register_dataset("own-q")(lambda *, seed=0: [1])
    return load_dataset("own-q")


def _load_float_labels() -> DatasetBundle:
    register_dataset("own-r")(lambda *, seed=0: DatasetBundle(
        TensorDataset(torch.zeros(4, 2), torch.zeros(4)),
        TensorDataset(torch.zeros(4, 2), torch.zeros(4)), 2, (2,)))
    return load_dataset("own-r")


def _build_wide(*, num_classes: int, in_channels: int, width: int) -> nn.Module:
    return mlp(width, d_in=in_channels, classes=num_classes)


BAD_REGISTRATIONS = {
    "upper case": (lambda: register_model("MyNet"), ValueError,
                   r"^register_model: name must be a lower-case str of letters, digits"),
    "a path": (lambda: register_dataset("my/data"), ValueError,
               r"^register_dataset: name must be .* \(it becomes part of a run folder's name\), "
               r"e\.g\. 'my-dataset'; got 'my/data'\.$"),
    "wrn name": (lambda: register_model("wrn-10-2"), ValueError,
                 r"^register_model: name 'wrn-10-2' has the form wrn-D-K"),
    "built-in name": (lambda: register_dataset("digits")(blobs), ValueError,
                      r"^register_dataset: dataset name 'digits' is already registered \(to the "
                      r"package\); choose another name"),
    "taken name": (_register_two_under_one_name, ValueError,
                   r"^register_model: model name 'own-x' is already registered \(to "
                   r"(tests\.distill\.)?test_own_models\.own_teacher\)"),
    "builder without in_channels": (lambda: register_model("own-y")(lambda *, num_classes: None),
                                    TypeError, r"takes no \['in_channels'\]"),
    # ValueError: partial object functools.partial(<function ... at 0x...>, 8) has incorrect
    # arguments, from inspect
    "partial of arguments its function refuses": (
        lambda: register_model("own-y")(functools.partial(_build_wide, 8)), TypeError,
        r"^register_model decorates a builder def build\(\*, num_classes, in_channels\) -> "
        r"nn\.Module; a functools\.partial gives '_build_wide' arguments that it does not take "
        r"\(positional \[8\], keywords \[\]\): give only keywords that '_build_wide' takes\.$"),
    "builder without a signature": (
        lambda: register_model("own-y")(max), TypeError,
        r"; what <built-in function max> takes cannot be read \(no signature found for builtin "
        r"<built-in function max>\): wrap it in a def build\(\*, num_classes, in_channels\)\.$"),
    "loader with positional arguments": (lambda: register_dataset("own-z")(_positional),
                                         TypeError, r"has the argument\(s\) \['n'\] without a "
                                                    r"default"),
    "builder returning a plain module": (
        _build_plain,
        TypeError, r"^the model built by register_model\('own-p'\) must be an nn\.Module with "
                   r"forward_features.*tap_features"),
    "loader returning no bundle": (
        _load_a_list,
        TypeError, r"^the loader registered as 'own-q' returned a list; return a "
                   r"pidkit_distill\.data\.DatasetBundle"),
    "loader with float labels": (
        _load_float_labels,
        ValueError, r"^the loader registered as 'own-r': train\[0\] must be a pair \(x, y\) with "
                    r"y an int label in \[0, 2\)"),
}


@pytest.mark.parametrize("case", list(BAD_REGISTRATIONS))
def test_bad_registrations_are_refused(case):
    call, error, match = BAD_REGISTRATIONS[case]
    with pytest.raises(error, match=match):
        call()


def _own_config(out_dir: Path, *extra: str) -> TrainConfig:
    register_dataset("own-blobs")(blobs)
    register_model("own-teacher")(own_teacher)
    register_model("own-student")(own_student)
    return apply_overrides(TrainConfig(), [
        "data.name=own-blobs", "data.batch_size=32", "model.teacher=own-teacher",
        "model.student=own-student", "run.progress=false", "run.threads=1", "run.device=cpu",
        "audit.bootstrap=0", "audit.clusters=3", f"run.out_dir={out_dir}", *extra])


def test_train_runs_registered_models_and_data_with_resume_and_audit(tmp_path):
    cfg = _own_config(tmp_path, "method.name=rid", "method.params.warmup_epochs=0",
                      "method.params.cycle_epochs=2", "method.params.filter_ratio=0.5",
                      "teacher.source=untrained", "run.epochs=2", "run.audit_every=1",
                      "run.stop_after=1")
    train(cfg)
    summary = train(apply_overrides(cfg, ["run.stop_after=0", "run.resume=true"]))
    run = Path(summary.run_dir)
    assert run.name == "own-blobs-rid-ut-s0"
    metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert [m["epoch"] for m in metrics] == [1, 2]
    audit = [json.loads(line) for line in (run / "audit.jsonl").read_text().splitlines()]
    assert [(a["epoch"], a["layer"]) for a in audit] == [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0),
                                                         (2, 1)]
    assert all(a["n_samples"] == 64 and a["settings"]["student_features"] == 4 for a in audit)
    assert json.loads((run / "config.json").read_text())["model"]["student"] == "own-student"
    plain = mlp(4)
    plain.load_state_dict(read_checkpoint(run / "checkpoint.pt")["student"])  # no 'model.' keys


def test_train_caches_and_reloads_a_registered_teacher(tmp_path, capsys):
    cfg = _own_config(tmp_path, "method.name=kd", "teacher.source=trained", "teacher.epochs=1",
                      "run.epochs=1", "run.audit_every=0")
    first = train(cfg)
    second = train(apply_overrides(cfg, ["run.name=again"]))
    assert "reusing the teacher own-teacher trained before" in capsys.readouterr().out
    assert second.teacher_acc == first.teacher_acc
    saved = torch.load(next(tmp_path.glob("teacher-own-blobs-own-teacher-*/teacher.pt")),
                       weights_only=True)
    assert saved["name"] == "own-teacher"
    mlp(16).load_state_dict(saved["model"])


def _doc_blocks() -> list[str]:
    text = (ROOT / "docs" / "distill.md").read_text(encoding="utf-8")
    section = text.split("## Your own models and data", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_guides_loop_runs(capsys):
    namespace: dict = {}
    for block in _doc_blocks()[:2]:
        exec(compile(block, "docs/distill.md", "exec"), namespace)
    assert capsys.readouterr().out.splitlines() == [
        "(8, 8) ['filter', 'filter', 'student', 'filter']", "[(0, 128), (1, 128)]"]


def test_the_guides_train_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    first, _, third = _doc_blocks()
    namespace: dict = {}
    exec(compile(first, "docs/distill.md", "exec"), namespace)
    exec(compile(third, "docs/distill.md", "exec"), namespace)
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "runs/my-blobs-kd-tt-s0"
    assert namespace["summary"].last_acc > 0.8
