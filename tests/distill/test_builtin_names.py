"""The package's own names, known without PyTorch (pidkit_distill.registry.BUILTIN_NAMES): the
command refuses a misspelt one at once, with the error check_config gives for it."""

from __future__ import annotations

import shlex

import pytest

from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.data.registry import _LOADERS
from pidkit_distill.methods import available_methods, get_method
from pidkit_distill.models import build_model
from pidkit_distill.models.registry import _MODELS
from pidkit_distill.name_check import check_builtin_names
from pidkit_distill.registry import BUILTIN_NAMES, Registry
from pidkit_distill.training import check_config


def _packages_own(registry: Registry) -> tuple[str, ...]:
    """The names registered in ``registry`` to the package's own code, sorted."""
    return tuple(name for name in registry.names()
                 if getattr(registry.get(name), "__module__", "").startswith("pidkit_distill."))


def test_the_builtin_names_are_the_registries():
    # the registries' own-name sets include BUILTIN_NAMES itself (11563e1): the names are
    # compared with what the package registered; the models' registry is made from
    # BUILTIN_NAMES["model"]: each name builds its network
    assert BUILTIN_NAMES["dataset"] == _packages_own(_LOADERS)
    assert BUILTIN_NAMES["model"] == _packages_own(_MODELS)
    assert {name: type(build_model(name, num_classes=3, in_channels=1)).__name__
            for name in BUILTIN_NAMES["model"]} == {
        "digits-student": "SmallCNN", "digits-teacher": "SmallCNN", "synthetic-student": "MLP",
        "synthetic-teacher": "MLP"}
    ours = [name for name in available_methods()
            if get_method(name).__module__.startswith("pidkit_distill.methods.")]
    assert BUILTIN_NAMES["method"] == tuple(ours)


@pytest.mark.parametrize("argv", [
    ["train", "--data", "digts"],
    ["train", "--data", " Synthetc "],
    ["train", "--method", "rdi"],
    ["train", "--model.teacher", "wrn-40"],
    ["train", "--model.student", "digits_student"],
    ["train-teacher", "--data", "cifar"],
    ["train-teacher", "--model.teacher", "synthetic-teachr"],
])
def test_a_misspelt_name_gets_check_configs_error_before_torch(tmp_path, capsys, argv):
    argv = [*argv, "--out-dir", str(tmp_path)]
    config = config_from_args(get_args_parser().parse_args(argv))
    teacher_only = argv[0] == "train-teacher"
    with pytest.raises(ValueError) as checked:
        check_config(config, teacher_only=teacher_only)
    with pytest.raises(ValueError) as early:
        check_builtin_names(config, teacher_only=teacher_only)
    assert str(early.value) == str(checked.value)
    # the command names the option as typed (it named the key, "data: name='digts' is ..."),
    # before torch and where check_config finds it (an --import module could register names)
    said = str(checked.value).split(" is ", 1)[1]  # "not a known dataset; ..."
    line = f"pidkit-distill {argv[0]}: error: {argv[1]} {shlex.quote(argv[2])}: {said}\n"
    assert main(argv) == 2
    assert capsys.readouterr().err == line
    assert main([argv[0], "--import", "json", *argv[1:]]) == 2
    assert capsys.readouterr().err == line


@pytest.mark.parametrize("argv", [
    ["train", "--model.teacher", "wrn-40-2", "--model.student", "WRN-16-1 "],  # any depth, width
    ["train", "--data", "Digits", "--method", "RID"],
    # train-teacher does not check the names it does not read
    ["train-teacher", "--method", "rdi", "--model.student", "mine"],
])
def test_the_packages_own_names_and_those_not_read_pass(argv):
    args = get_args_parser().parse_args(argv)
    check_builtin_names(config_from_args(args), teacher_only=argv[0] == "train-teacher")


def test_a_name_registered_in_this_process_passes(monkeypatch):
    # a script that registers its own model, then calls pidkit_distill.cli.main without
    # --import, was refused: "model.student: name='my-net' is not a known model"
    monkeypatch.setitem(_MODELS._entries, "my-net", None)  # as register_model leaves it
    args = get_args_parser().parse_args(["train", "--model.student", "my-net"])
    check_builtin_names(config_from_args(args), teacher_only=False)
