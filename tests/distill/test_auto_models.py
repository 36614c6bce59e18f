"""model.teacher and model.student default to "auto": the data set's own pair, resolved by
check_config before anything is named after them (they were digits-teacher and digits-student
whatever the data, so `pidkit-distill train --data synthetic` was refused: 'digits-teacher'
cannot take the inputs of data 'synthetic')."""

from __future__ import annotations

import json
import pickle

import pytest
import torch
from tiny_runs import TINY
from torch import nn
from torch.utils.data import TensorDataset

from pidkit_distill.cli import get_args_parser, main
from pidkit_distill.config import ModelConfig, TrainConfig
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.config_text import apply_overrides
from pidkit_distill.data import DatasetBundle, load_dataset, register_dataset
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.models import available_models, register_model, tap_features
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.training import check_config, load_teacher, train
from pidkit_distill.training.teacher import teacher_run_config

pytestmark = pytest.mark.usefixtures("one_torch_thread")

# the tiny synthetic run without its model names
TINY_DATA = [item for item in TINY if not item.startswith("model.")]
FAST = ["--teacher", "untrained", "--audit-every", "0", "--run.progress", "false",
        "--run.threads", "1", "--device", "cpu", "--data.options", "n_train=96",
        "--data.options", "n_test=64", "--data.options", "dim=12", "--data.batch_size", "32"]
PAIR = {"teacher": "synthetic-teacher", "student": "synthetic-student"}


def _config(tmp_path, *overrides: str) -> TrainConfig:
    return apply_overrides(TrainConfig(), [*overrides, f"run.out_dir={tmp_path / 'runs'}",
                                           "teacher.source=untrained", "run.audit_every=0"])


def _fake_cifar(root, name: str) -> None:
    """The files of CIFAR's folder, empty: check_config looks them up and reads none."""
    folder, files = {"cifar10": ("cifar-10-batches-py", [*(f"data_batch_{i}" for i in range(1, 6)),
                                                         "test_batch", "batches.meta"]),
                     "cifar100": ("cifar-100-python", ["train", "test", "meta"])}[name]
    (root / folder).mkdir()
    for file in files:
        (root / folder / file).write_bytes(b"")


def test_the_models_default_to_auto_and_the_help_says_what_it_means(monkeypatch):
    assert TrainConfig().model == ModelConfig(teacher="auto", student="auto")
    monkeypatch.setenv("COLUMNS", "250")
    parser = get_args_parser()
    train_parser = next(a for a in parser._actions if a.dest == "command").choices["train"]
    text = " ".join(train_parser.format_help().split())
    assert ("--model.teacher STR teacher architecture; auto = the data set's own: DATA-teacher "
            "where DATA-teacher and DATA-student are models (digits, synthetic, registered), "
            "wrn-40-2 for cifar10 and cifar100 (default: 'auto')") in text
    assert ("--model.student STR student architecture; auto = the data set's own: DATA-student "
            "where DATA-teacher and DATA-student are models (digits, synthetic, registered), "
            "wrn-16-1 for cifar10 and cifar100 (default: 'auto')") in text


@pytest.mark.parametrize(("data", "teacher", "student"), [
    ("digits", "digits-teacher", "digits-student"),
    ("synthetic", "synthetic-teacher", "synthetic-student"),
    ("cifar10", "wrn-40-2", "wrn-16-1"),
    ("cifar100", "wrn-40-2", "wrn-16-1"),
])
def test_check_config_resolves_auto_to_the_data_sets_own_models(tmp_path, data, teacher,
                                                                   student):
    extra = [*TINY_DATA[1:5]] if data == "synthetic" else []  # its tiny options
    if data.startswith("cifar"):
        _fake_cifar(tmp_path, data)
        extra = [f"data.root={tmp_path}"]
    config = _config(tmp_path, f"data.name={data}", *extra)
    checked = check_config(config)
    assert (checked.config.model.teacher, checked.config.model.student) == (teacher, student)
    assert config.model == ModelConfig(teacher="auto", student="auto")  # the caller's, as given
    assert checked.config.data == config.data and checked.config.run == config.run


def test_auto_fills_only_the_key_left_auto(tmp_path):
    _fake_cifar(tmp_path, "cifar10")
    checked = check_config(_config(tmp_path, "data.name=cifar10", f"data.root={tmp_path}",
                                   "model.teacher=wrn-16-2"))
    assert checked.config.model == ModelConfig(teacher="wrn-16-2", student="wrn-16-1")


@pytest.fixture
def blobs(monkeypatch):
    """The data set 'my-blobs' (6 features, 3 classes), registered for the test; a function
    that registers a model under a name."""
    monkeypatch.setattr(_MODELS, "_entries", dict(_MODELS._entries))
    monkeypatch.setattr(_LOADERS, "_entries", dict(_LOADERS._entries))

    @register_dataset("my-blobs")
    def my_blobs(*, seed: int = 0) -> DatasetBundle:
        x = torch.randn(40, 6, generator=torch.Generator().manual_seed(seed))
        y = torch.arange(40) % 3
        return DatasetBundle(TensorDataset(x[:32], y[:32]), TensorDataset(x[32:], y[32:]),
                             num_classes=3, input_shape=(6,))

    def mlp(*, num_classes: int, in_channels: int) -> nn.Module:
        net = nn.Sequential(nn.Linear(in_channels, 8), nn.ReLU(), nn.Linear(8, num_classes))
        return tap_features(net, layers=["1"])

    return lambda name: register_model(name)(mlp)


def test_a_users_data_set_gets_its_own_registered_pair(tmp_path, blobs):
    blobs("my-blobs-teacher")
    blobs("my-blobs-student")
    checked = check_config(_config(tmp_path, "data.name=my-blobs"))
    assert checked.config.model == ModelConfig(teacher="my-blobs-teacher",
                                               student="my-blobs-student")


def _refusal(keys: list[str], only: str = "") -> str:
    return (f"{keys[0]}: 'auto' has no model for data set 'my-blobs'; pass "
            f"{' and '.join(f'--{key}' for key in keys)} (e.g. "
            f"{' '.join(f'--{key} NAME' for key in keys)}, names of {sorted(available_models())}"
            "), or register models named 'my-blobs-teacher' and 'my-blobs-student' "
            f"(register_model), the pair that auto picks{only}")


def test_a_users_data_set_without_its_pair_is_refused_naming_the_key(tmp_path, blobs):
    with pytest.raises(ConfigEntryError) as refused:
        check_config(_config(tmp_path, "data.name=my-blobs"))
    assert str(refused.value) == _refusal(["model.teacher", "model.student"])
    assert refused.value.key == "model.teacher"
    assert refused.value.__notes__ == [
        "In Python: set config.model.teacher and config.model.student to models made for data "
        "set 'my-blobs' (pidkit_distill.available_models())."]
    blobs("my-blobs-teacher")  # half of the pair
    with pytest.raises(ConfigEntryError) as refused:
        check_config(_config(tmp_path, "data.name=my-blobs", "model.teacher=synthetic-teacher"))
    assert str(refused.value) == _refusal(["model.student"],
                                          " (only 'my-blobs-teacher' is registered)")
    # train-teacher reads no student: an "auto" that has no model stays
    checked = check_config(_config(tmp_path, "data.name=my-blobs",
                                   "model.teacher=synthetic-teacher"), teacher_only=True)
    assert checked.config.model == ModelConfig(teacher="synthetic-teacher", student="auto")


def test_the_command_names_the_option_typed_or_the_key(tmp_path, blobs, capsys):
    out = ["--out-dir", str(tmp_path), "--data", "my-blobs", "--teacher", "untrained"]
    assert main(["train", *out]) == 2
    assert capsys.readouterr().err == (
        f"pidkit-distill train: error: {_refusal(['model.teacher', 'model.student'])}\n")
    assert main(["train", *out, "--model.teacher", "synthetic-teacher", "--model.student",
                 "auto"]) == 2
    said = _refusal(["model.student"]).split(": 'auto' ", 1)[1]
    assert capsys.readouterr().err == f"pidkit-distill train: error: --model.student auto: {said}\n"
    assert not list(tmp_path.iterdir())  # no work


def test_a_run_on_synthetic_names_only_the_data_and_records_its_models(tmp_path, capsys):
    runs = tmp_path / "runs"
    assert main(["train", "--data", "synthetic", "--epochs", "1", *FAST, "--out-dir",
                 str(runs)]) == 0
    saved = json.loads((runs / "synthetic-bas-ut-s0" / "config.json").read_text())
    assert saved["model"] == PAIR
    # a trained teacher's folder and file are named after the resolved model, not "auto"
    assert main(["train-teacher", "--data", "synthetic", "--teacher.epochs", "1",
                 *FAST[4:], "--out-dir", str(runs)]) == 0
    folder, = runs.glob("teacher-*")
    assert folder.name.startswith("teacher-synthetic-synthetic-teacher-s0-e1-")
    assert json.loads((folder / "config.json").read_text())["model"]["teacher"] == PAIR["teacher"]
    assert "training the teacher synthetic-teacher for 1 epochs" in capsys.readouterr().out


def test_a_run_made_with_explicit_names_resumes_unchanged(tmp_path, capsys):
    runs = tmp_path / "runs"
    base = ["train", "--data", "synthetic", "--epochs", "3", *FAST, "--out-dir", str(runs),
            "--run.name", "old", "--run.stop_after", "1"]
    named = ["--model.teacher", "synthetic-teacher", "--model.student", "synthetic-student"]
    assert main([*base, *named]) == 0
    assert main([*base, *named, "--resume"]) == 0  # the names given, as when it was made
    before = (runs / "old" / "config.json").read_text()
    assert json.loads(before)["model"] == PAIR
    assert main([*base, "--resume"]) == 0  # "auto": the same models, the same configuration
    assert (runs / "old" / "config.json").read_text() == before
    epochs = [json.loads(line)["epoch"]
              for line in (runs / "old" / "metrics.jsonl").read_text().splitlines()]
    assert epochs == [1, 2, 3]
    # no refusal ("error: ..."); the tiny run ends at chance, which train says (d1b175fa), and
    # that paragraph's "standard errors" is no error
    assert "error:" not in capsys.readouterr().err


def test_a_change_after_the_check_is_refused_where_auto_was_resolved(tmp_path):
    config = _config(tmp_path, *TINY_DATA)
    checked = check_config(config)
    assert checked.config.model == ModelConfig(**PAIR)
    pickle.loads(pickle.dumps(checked)).check_unchanged()  # as a worker process gets it
    config.run.epochs = 5  # the caller's configuration
    with pytest.raises(ValueError, match=r"changed after check_config checked it \(run.epochs: "
                                         r"30 -> 5\)"):
        train(checked)
    config.run.epochs = 30
    checked.config.model.student = "digits-student"  # the resolved copy
    with pytest.raises(ValueError, match=r"\(model.student: 'synthetic-student' -> "
                                         r"'digits-student'\)"):
        train(checked)


def test_the_teachers_functions_given_an_unchecked_configuration_resolve_auto(tmp_path):
    # load_teacher and teacher_run_config (the cached teacher's folder and key) are public and
    # take a TrainConfig that check_config has not resolved
    config = _config(tmp_path, *TINY_DATA)
    teacher = load_teacher(config, bundle=load_dataset("synthetic", n_train=96, n_test=64,
                                                       dim=12, nuisance_bits=2))
    assert type(teacher).__name__ == "MLP" and teacher.blocks[0][0].in_features == 12
    run = teacher_run_config(config)
    assert run.model == ModelConfig(teacher="synthetic-teacher", student="synthetic-teacher")
    assert run.run.name == teacher_run_config(_config(tmp_path, *TINY)).run.name
    assert run.run.name.startswith("teacher-synthetic-synthetic-teacher-s0-e30-")


def test_no_model_can_be_registered_as_auto(blobs):
    with pytest.raises(ValueError, match=r"^register_model: name 'auto' is what model.teacher "
                                         r"and model.student are set to for the data set's own "
                                         r"models \(their default, pidkit_distill.config.model_defaults"
                                         r"\); choose another name.$"):
        blobs("auto")


@pytest.mark.parametrize(("data", "role", "named"), [
    ("cifar10", "teacher", "wrn-40-2"), ("cifar100", "student", "wrn-16-1"),
    ("digits", "teacher", "digits-teacher"), ("synthetic", "student", "synthetic-student"),
])
def test_a_model_that_cannot_take_the_data_is_pointed_at_the_one_auto_would_choose(data, role, named):
    # CIFAR's hint was "(wrn-D-K for CIFAR)", naming no network; it now names auto's choice
    from pidkit_distill.data import DatasetSpec
    from pidkit_distill.training.model_checks import _cannot_take

    spec = DatasetSpec(data, 10, (3, 32, 32), 100, 100)
    message = str(_cannot_take(RuntimeError("boom"), "my-net", role, spec))
    assert message.endswith(f": boom; choose a model made for this data such as {named}")


def test_the_cached_teachers_check_given_an_unchecked_configuration_resolves_auto(tmp_path,
                                                                                    blobs):
    # check_cached_teacher and trained_teacher_file are public too: given "auto", the first
    # compared the file's fingerprint of my-blobs-teacher's code with that of no model and
    # refused the teacher cached for these very settings ("holds a teacher of
    # model.teacher='auto' built by other code"); the second built a model named "auto"
    from pidkit_distill.data import describe_dataset
    from pidkit_distill.training.runtime import Runtime
    from pidkit_distill.training.teacher import (
        check_cached_teacher,
        read_teacher_file,
        trained_teacher_file,
    )

    blobs("my-blobs-teacher")
    blobs("my-blobs-student")
    config = _config(tmp_path, "data.name=my-blobs", "teacher.epochs=1", "teacher.source=trained")
    path = trained_teacher_file(config, load_dataset("my-blobs"), Runtime.single())
    assert path == tmp_path / "runs" / teacher_run_config(config).run.name / "teacher.pt"
    assert path.parent.name.startswith("teacher-my-blobs-my-blobs-teacher-s0-e1-")
    saved = read_teacher_file(path)
    assert saved["name"] == "my-blobs-teacher"
    check_cached_teacher(saved, path, config=config, spec=describe_dataset("my-blobs"))


def test_a_data_sets_own_model_that_cannot_take_it_is_not_pointed_at_itself(tmp_path, blobs):
    # "auto" picks my-blobs-teacher, whose builder ignores in_channels; the hint named the
    # model refused: "... choose a model made for this data such as my-blobs-teacher"
    @register_model("my-blobs-teacher")
    def five_inputs(*, num_classes: int, in_channels: int) -> nn.Module:
        return tap_features(nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, num_classes)),
                            layers=["1"])

    blobs("my-blobs-student")
    with pytest.raises(ValueError) as refused:
        check_config(_config(tmp_path, "data.name=my-blobs"))
    assert str(refused.value).startswith("model.teacher: 'my-blobs-teacher' cannot take the "
                                         "inputs of data 'my-blobs' (shape (6,)): ")
    assert str(refused.value).endswith("; choose a model made for this data (one built for "
                                       "input_shape (6,))")


def test_build_model_told_auto_is_told_to_name_a_model():
    # it said "name='auto' is not a known model; choose one of [...] or register your own ...",
    # as if 'auto' were a model to register, while the configuration's default names none
    from pidkit_distill.models import build_model

    with pytest.raises(ValueError) as info:
        build_model("Auto", num_classes=10, in_channels=1)
    assert str(info.value) == (
        "name='Auto' is the configuration's default of model.teacher and model.student, which "
        "pidkit_distill.train resolves to the data set's own pair (DATA-teacher and DATA-student, "
        "wrn-40-2 and wrn-16-1 for CIFAR); build_model needs a model's own name, e.g. "
        "build_model('digits-teacher', num_classes=10, in_channels=1)")
