"""``data.val_fraction``: a stratified validation split of the training set, the best epoch chosen
on it (``best_acc`` the test accuracy there, the weights kept as ``best.pt``), and
``run.early_stop`` (t-480)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch
from tiny_runs import comparable, tiny
from torch import nn

from pidkit_distill import (
    ConfigValueError,
    load_config,
    load_dataset,
    register_model,
    tap_features,
    train,
    unregister_model,
)
from pidkit_distill.cli import main
from pidkit_distill.data.validation_split import split_validation, training_labels
from pidkit_distill.models import build_model
from pidkit_distill.training import run as run_module

pytestmark = pytest.mark.usefixtures("one_torch_thread")

SYNTHETIC = {"n_train": 96, "n_test": 64, "dim": 12, "nuisance_bits": 2}  # as tiny_runs.TINY
ERROR = "pidkit-distill train: error: "


def plain_student(*, num_classes: int, in_channels: int) -> nn.Module:
    """An MLP without BatchNorm: with a learning rate of ~0 its evaluation does not move."""
    net = nn.Sequential(nn.Linear(in_channels, 16), nn.ReLU(), nn.Linear(16, num_classes))
    return tap_features(net, layers=["1"])


@pytest.fixture
def plain():
    register_model("plain-student")(plain_student)
    yield
    unregister_model("plain-student")


def records(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_the_split_is_stratified_disjoint_and_of_its_size():
    bundle = load_dataset("synthetic", seed=0, **SYNTHETIC)
    labels = training_labels(bundle.train)
    reduced, validation = split_validation(bundle, 0.25, seed=0)
    assert (len(reduced.train), len(validation)) == (72, 24)  # ceil(0.25 * 96) held out
    kept, held = set(reduced.train.indices), set(validation.indices)
    assert kept.isdisjoint(held) and kept | held == set(range(96))
    counts = labels.bincount(minlength=bundle.num_classes).tolist()
    val_counts = labels[list(validation.indices)].bincount(minlength=bundle.num_classes).tolist()
    for total, in_val in zip(counts, val_counts, strict=True):  # each class in proportion
        assert math.floor(0.25 * total) - 1 <= in_val <= math.ceil(0.25 * total) + 1
    assert sum(val_counts) == 24
    assert reduced.info["n_val"] == 24 and reduced.test is bundle.test
    assert split_validation(bundle, 0.0, seed=0) == (bundle, None)


def test_the_split_is_the_same_for_two_run_seeds_and_the_teacher_trains_without_it(
        tmp_path, monkeypatch):
    seen = []
    fit = run_module.fit

    def fit_seen(config, module, bundle, run_dir, runtime, **kwargs):
        seen.append((list(bundle.train.indices), list(kwargs["validation"].indices)))
        return fit(config, module, bundle, run_dir, runtime, **kwargs)

    monkeypatch.setattr(run_module, "fit", fit_seen)
    for seed in (0, 1):  # each in a folder of its own: see the next test
        train(tiny(tmp_path / f"s{seed}", "method.name=kd", "run.epochs=1", "data.val_fraction=0.25",
                   "teacher.source=trained", "teacher.epochs=1", f"run.seed={seed}",
                   f"run.name=s{seed}", "run.print_every=0"))
    assert seen[0] == seen[1]
    assert len(seen[0][0]) == 72 and set(seen[0][0]).isdisjoint(seen[0][1])
    teacher_file = next(tmp_path.rglob("teacher.pt"))
    saved = torch.load(teacher_file, weights_only=True)
    assert (saved["n_train"], saved["n_test"]) == (72, 64)  # the reduced training set


def test_a_second_run_reuses_the_teacher_trained_on_the_reduced_set(tmp_path):
    for seed in (0, 1):
        train(tiny(tmp_path, "method.name=kd", "run.epochs=1", "data.val_fraction=0.25",
                   "teacher.source=trained", "teacher.epochs=1", f"run.seed={seed}",
                   f"run.name=s{seed}", "run.print_every=0"))
    assert len(list(tmp_path.rglob("teacher.pt"))) == 1


def test_the_best_epoch_is_chosen_on_the_validation_split_and_its_weights_kept(tmp_path, capsys):
    summary = train(tiny(tmp_path, "method.name=kd", "run.epochs=5", "data.val_fraction=0.25",
                         "data.options.n_train=200", "optim.lr=0.2", "run.name=v"))
    history = records(tmp_path / "v")
    val_accs = [record["val_acc"] for record in history]
    best = history[val_accs.index(max(val_accs))]  # the first epoch of the best val_acc
    assert (summary.best_epoch, summary.best_acc) == (best["epoch"], best["test_acc"])
    assert summary.best_val_acc == max(val_accs) and summary.selected_on == "validation"
    assert all(set(record) >= {"val_loss", "val_acc", "best_val_acc"} for record in history)
    written = json.loads((tmp_path / "v" / "summary.json").read_text())
    assert (written["best_epoch"], written["best_acc"], written["best_val_acc"],
            written["selected_on"], written["stopped_early_at"]) == (
        best["epoch"], best["test_acc"], max(val_accs), "validation", None)
    assert f" val_acc={history[0]['val_acc']:.4f} best=" in capsys.readouterr().out
    # best.pt: the student's weights at that epoch, which give its test accuracy
    state = torch.load(tmp_path / "v" / "best.pt", weights_only=True)
    student = build_model("synthetic-student", num_classes=4, in_channels=12)
    student.load_state_dict(state)
    test = load_dataset("synthetic", seed=0, **{**SYNTHETIC, "n_train": 200}).test
    x, y = test.tensors
    with torch.no_grad():
        acc = (student.eval()(x).argmax(1) == y).float().mean().item()
    assert acc == best["test_acc"]


def test_without_a_split_nothing_changes(tmp_path):
    summary = train(tiny(tmp_path, "method.name=kd", "run.epochs=3", "run.name=t",
                         "run.print_every=0"))
    history = records(tmp_path / "t")
    tests = [record["test_acc"] for record in history]
    assert (summary.best_acc, summary.best_epoch) == (max(tests), tests.index(max(tests)) + 1)
    assert not any("val_acc" in record for record in history)
    assert (summary.selected_on, summary.best_val_acc) == ("test", None)
    assert not (tmp_path / "t" / "best.pt").exists()


FROZEN_AFTER_EPOCH_1 = ["method.name=kd", "model.student=plain-student", "run.epochs=8",
                        "data.val_fraction=0.25", "run.early_stop=2", "optim.lr=0.2",
                        "optim.schedule=paper", "optim.milestones=[1]",
                        "optim.milestone_unit=epoch", "optim.gamma=1e-12", "run.name=e"]


@pytest.mark.usefixtures("plain")
def test_early_stopping_stops_at_the_predicted_epoch_and_a_resume_says_it_is_done(
        tmp_path, capsys):
    # the lr falls to 2e-13 after epoch 1: the validation accuracy never beats epoch 1's, so
    # with a patience of 2 the run stops after epoch 3 of 8
    summary = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1))
    out = capsys.readouterr().out
    assert [record["epoch"] for record in summary.history] == [1, 2, 3]
    assert (summary.stopped_early_at, summary.epochs_done, summary.best_epoch) == (3, 3, 1)
    assert ("stopped early after epoch 3 of 8: the validation accuracy has not improved for 2 "
            "epochs (run.early_stop=2); best epoch 1") in out
    run_dir = tmp_path / "e"
    assert json.loads((run_dir / "summary.json").read_text())["stopped_early_at"] == 3
    before = records(run_dir)
    again = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1, "run.resume=true"))
    assert ("after epoch 3 (the run stopped early, run.early_stop: nothing to train)"
            in capsys.readouterr().out)
    assert records(run_dir) == before
    assert (again.stopped_early_at, again.epochs_done, again.best_acc) == (
        3, 3, summary.best_acc)


@pytest.mark.usefixtures("plain")
def test_a_run_resumed_before_its_early_stop_stops_where_the_whole_run_did(tmp_path):
    whole = train(tiny(tmp_path / "a", *FROZEN_AFTER_EPOCH_1, "run.print_every=0"))
    train(tiny(tmp_path / "b", *FROZEN_AFTER_EPOCH_1, "run.stop_after=2", "run.print_every=0"))
    resumed = train(tiny(tmp_path / "b", *FROZEN_AFTER_EPOCH_1, "run.resume=true",
                         "run.print_every=0"))
    assert comparable(resumed.history) == comparable(whole.history)
    assert resumed.stopped_early_at == whole.stopped_early_at == 3
    assert (torch.load(tmp_path / "b" / "e" / "best.pt", weights_only=True).keys()
            == torch.load(tmp_path / "a" / "e" / "best.pt", weights_only=True).keys())


def test_a_val_fraction_of_1_is_refused_naming_the_key():
    with pytest.raises(ConfigValueError) as err:
        load_config(overrides=["data.val_fraction=1.0"])
    assert str(err.value) == ("config key 'data.val_fraction' must be a finite number >= 0.0 "
                              "and < 1.0, got 1.0")


def test_early_stop_without_a_split_is_refused_naming_both_keys(tmp_path, capsys):
    status = main(["train", "--data", "synthetic", "--set", "run.early_stop=3",
                   "--run.out_dir", str(tmp_path)])
    assert (status, capsys.readouterr()) == (2, ("", (
        f"{ERROR}--set run.early_stop=3: config key 'run.early_stop' is 3, but "
        "data.val_fraction is 0: early stopping watches the validation accuracy, and there is no "
        "validation split; set data.val_fraction (0.1 holds out a tenth of the training set), or "
        "run.early_stop to 0\n")))
    assert list(tmp_path.iterdir()) == []


def test_a_split_too_small_for_the_classes_is_one_line_naming_the_counts(tmp_path, capsys):
    status = main(["train", "--data", "synthetic", *[arg for key, value in SYNTHETIC.items()
                                                     for arg in ("--set", f"data.options.{key}="
                                                                          f"{value}")],
                   "--model.teacher", "synthetic-teacher", "--model.student", "synthetic-student",
                   "--teacher.source", "untrained", "--set", "data.val_fraction=0.02",
                   "--device", "cpu", "--run.out_dir", str(tmp_path)])
    assert (status, capsys.readouterr()) == (2, ("", (
        f"{ERROR}config key 'data.val_fraction' is 0.02, which holds out 2 of the 96 training "
        "samples, fewer than the 4 classes (the split needs one of each); use data.val_fraction "
        ">= 0.042 (at most 0.958), or 0 for no validation split\n")))


@pytest.mark.usefixtures("plain")
def test_the_report_says_the_best_epoch_was_chosen_on_the_validation_split(tmp_path):
    from pidkit_distill.report import summary_table
    from pidkit_distill.run_folders.records import load_runs

    summary = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1, "run.print_every=0"))
    table = summary_table(load_runs([tmp_path / "e"]))
    row = next(line for line in table.splitlines() if line.startswith("| e |"))
    assert "| 3/8 (early stop) |" in row
    assert f"| {summary.best_acc:.4f} (1) (val) |" in row
    assert "chosen on the validation split (data.val_fraction)" in table
    assert "chosen on the same held-out set" not in table
    assert "stopped by run.stop_after" not in table
    # the run's state is "finished" for every part of the report, the figures and paragraphs too
    from pidkit_distill.report.states import run_state
    (run,) = load_runs([tmp_path / "e"])
    assert run_state(run, None) == ""


def test_the_teachers_run_never_stops_early():
    # the teacher's key (its cached folder) does not hold run.early_stop, so its run must not read
    # it: a teacher trained under a student's patience would be reused by a run without one
    from pidkit_distill.config.teacher_keys import unused_by_teacher
    from pidkit_distill.training.teacher_sources import teacher_run_settings

    config = load_config(overrides=["data.val_fraction=0.25", "run.early_stop=2"])
    assert teacher_run_settings(config)["run"]["early_stop"] == 0
    assert teacher_run_settings(config)["data"]["val_fraction"] == 0.25  # the same samples held out
    assert unused_by_teacher("run.early_stop") == "the teacher's run trains teacher.epochs epochs"


@pytest.mark.usefixtures("plain")
def test_the_epoch_an_early_stop_ends_on_is_audited_as_a_last_epoch(tmp_path):
    # run.audit_every=5 audits epoch 5 and the last, 8; the run ends after epoch 3 instead, whose
    # networks the report's audit columns should show (not only those of the untrained pair)
    summary = train(tiny(tmp_path, *FROZEN_AFTER_EPOCH_1, "run.audit_every=5", "audit.bootstrap=0",
                         "audit.layers=[0]",
                         "run.print_every=0"))
    assert summary.stopped_early_at == 3
    audited = {record["epoch"] for record in summary.audit}
    assert audited == {0, 3}
