"""A configuration value of the wrong type names where it came from (task 251): the option as
the user typed it (``--epochs``, ``--run.epochs``, ``--set run.epochs=...``) with a right value
of it, or the ``--config`` file. Each said "config key 'run.epochs' expects an int, got 'two'
(str); fix the TOML file or the override", whichever it came from."""

from __future__ import annotations

import argparse

import pytest

from pidkit_distill import ConfigValueError, load_config
from pidkit_distill.cli import main
from pidkit_distill.cli_values import apply_option_values, load_config_file

ERROR = "pidkit-distill train: error: "


@pytest.mark.parametrize(("args", "expected"), [
    (["--epochs", "two"], "--epochs two: config key 'run.epochs' expects an int, got 'two' "
                          "(str); e.g. --epochs 30"),
    (["--epochs=two"], "--epochs two: config key 'run.epochs' expects an int, got 'two' "
                       "(str); e.g. --epochs 30"),
    (["--run.epochs", "two"], "--run.epochs two: config key 'run.epochs' expects an int, got "
                              "'two' (str); e.g. --run.epochs 30"),
    (["--set", "run.epochs=two"], "--set run.epochs=two: config key 'run.epochs' expects an "
                                  "int, got 'two' (str); e.g. --set run.epochs=30"),
    # every typed option, not only the epochs
    (["--optim.lr", "fast"], "--optim.lr fast: config key 'optim.lr' expects a float, got "
                             "'fast' (str); e.g. --optim.lr 0.05"),
    (["--audit.clusters", "3.5"], "--audit.clusters 3.5: config key 'audit.clusters' expects "
                                  "an int, got 3.5 (float); e.g. --audit.clusters 10"),
    (["--set", "data.batch_size=many"], "--set data.batch_size=many: config key "
                                        "'data.batch_size' expects an int, got 'many' (str); "
                                        "e.g. --set data.batch_size=64"),
    (["--set", "run.seed=one two"], "--set 'run.seed=one two': config key 'run.seed' expects "
                                    "an int, got 'one two' (str); e.g. --set run.seed=0"),
    (["--amp", "maybe"], "--amp maybe: config key 'run.amp' expects true or false, got 'maybe'"),
    (["--optim.milestones", "a,b"], "--optim.milestones a,b: config key 'optim.milestones' "
                                    "holds numbers, got 'a'"),
    (["--set", "method.params=3"], "--set method.params=3: config key 'method.params' expects "
                                   "a dict, got 3 (int); e.g. --set method.params.NAME=VALUE"),
])
def test_an_option_of_the_wrong_type_is_named_as_typed(capsys, args, expected):
    assert main(["train", *args]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{expected}\n")


def test_a_value_of_the_wrong_type_in_the_config_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text("[run]\nepochs = 'two'\n")
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: config key 'run.epochs' expects an int, got 'two' "
        "(str); fix the value in that file\n")


def test_a_file_and_an_option_both_wrong_name_the_file_first(tmp_path, capsys):
    # the file is read first, as before; its value, not the option's, is the one told
    path = tmp_path / "rid.toml"
    path.write_text("[optim]\nlr = 'fast'\n")
    assert main(["train", "--config", str(path), "--epochs", "two"]) == 2
    assert capsys.readouterr().err.startswith(f"{ERROR}config file {str(path)!r}: config key "
                                              "'optim.lr' expects a float")


def test_an_option_overriding_a_good_file_value_is_named(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text("[run]\nepochs = 3\n")
    assert main(["train", "--config", str(path), "--set", "run.epochs=3x"]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--set run.epochs=3x: config key 'run.epochs' expects an int, got '3x' (str); "
        "e.g. --set run.epochs=30\n")


def test_keys_checked_together_are_not_refused_one_by_one(capsys):
    # milestones in epochs would be refused against the default unit (fractions) alone: each
    # option's type is checked on its own, its range with the whole configuration
    assert main(["train", "--optim.milestones", "10,20", "--optim.milestone_unit", "epoch",
                 "--epochs", "two"]) == 2
    assert capsys.readouterr().err.startswith(f"{ERROR}--epochs two: config key 'run.epochs' ")


# A value out of its key's range or choices names where it came from too (task 255): each said
# "config key 'run.epochs' must be >= 1, got 0", naming neither the option nor the file.
@pytest.mark.parametrize(("args", "expected"), [
    (["--epochs", "0"], "--epochs 0: config key 'run.epochs' must be >= 1; e.g. --epochs 30"),
    (["--run.epochs", "-3"], "--run.epochs -3: config key 'run.epochs' must be >= 1; e.g. "
                             "--run.epochs 30"),
    (["--set", "run.epochs=0"], "--set run.epochs=0: config key 'run.epochs' must be >= 1; "
                                "e.g. --set run.epochs=30"),
    (["--optim.lr", "nan"], "--optim.lr nan: config key 'optim.lr' must be a finite number > "
                            "0.0; e.g. --optim.lr 0.05"),
    (["--seed", "-1"], "--seed -1: config key 'run.seed' must be >= 0 and < 4294967296; e.g. "
                       "--seed 0"),
    (["--optim.schedule", "step"], "--optim.schedule step: config key 'optim.schedule' must "
                                   "be one of ['paper', 'constant', 'cosine', 'kd-rid-effective']; "
                                   "e.g. --optim.schedule paper"),
    # the audit's own checks (AuditConfig.check) too
    (["--audit.clusters", "1"], "--audit.clusters 1: config key 'audit.clusters' must be >= 2; "
                                "e.g. --audit.clusters 10"),
    (["--teacher.source="], "--teacher.source '': config key 'teacher.source' must be "
                            "'trained', 'untrained' or a path; e.g. --teacher.source trained"),
    # advice of its own: no example after it
    (["--run.device", "xpu"], "--run.device xpu: config key 'run.device' must be one of "
                              "['auto', 'cpu', 'cuda', 'cuda:N']; the trainer runs on the CPU or on CUDA "
                              "GPUs, each process on its own (cuda:LOCAL_RANK; choose them with "
                              "CUDA_VISIBLE_DEVICES): on another accelerator (xpu, mps, hpu) "
                              "pass cpu"),
    # checked with another key: no example (the default may not fit it) ...
    (["--optim.milestone_unit", "epoch", "--optim.milestones", "0.5"],
     "--optim.milestones 0.5: config key 'optim.milestones' must hold epoch numbers >= 1 when "
     "optim.milestone_unit='epoch'"),
    # ... and where only that other key was typed, it is the option named, the value told
    (["--optim.milestone_unit", "epoch"],
     "--optim.milestone_unit epoch: config key 'optim.milestones' must hold epoch numbers >= 1 "
     "when optim.milestone_unit='epoch', got [0.5, 0.6666666666666666]"),
    (["--audit.estimator", "gaussian", "--set", "audit.bias_correction=extrapolation"],
     "--set audit.bias_correction=extrapolation: config key 'audit.bias_correction' must be "
     "one of ['auto', 'wishart', 'none'] with audit.estimator='gaussian'. 'extrapolation' is a "
     "correction of audit.estimator 'discrete': set audit.estimator discrete, or "
     "audit.bias_correction auto"),
])
def test_an_option_out_of_range_is_named_as_typed(tmp_path, capsys, args, expected):
    assert main(["train", *args, "--out-dir", str(tmp_path)]) == 2
    assert capsys.readouterr() == ("", f"{ERROR}{expected}\n")
    assert sorted(tmp_path.rglob("*")) == []


def test_a_value_out_of_range_in_the_config_file_names_the_file(tmp_path, capsys):
    path = tmp_path / "rid.toml"
    path.write_text("[run]\nepochs = 0\n")
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: config key 'run.epochs' must be >= 1, got 0; fix the "
        "value in that file\n")


def test_a_good_file_value_refused_with_a_typed_one_names_the_typed_one(tmp_path, capsys):
    # the file's milestones fit its own unit, not the one typed
    path = tmp_path / "rid.toml"
    path.write_text("[optim]\nmilestones = [0.25]\n")
    assert main(["train", "--config", str(path), "--optim.milestone_unit", "epoch"]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}--optim.milestone_unit epoch: config key 'optim.milestones' must hold epoch "
        "numbers >= 1 when optim.milestone_unit='epoch', got [0.25]\n")


WRONG_LIST_ITEMS = [
    # the items of a list are checked with the whole configuration, after the file is read:
    # these two were told with no file's name (t-392 section 6)
    ("[optim]\nmilestones = [0.5, 'x']\n", "config key 'optim.milestones' holds numbers, got 'x'"),
    ("[audit]\nlayers = [1.5]\n", "config key 'audit.layers' must be a list of distinct layer "
                                  "indices >= 0 ([] = every layer), got [1.5] (1.5 is not an int)"),
    ("[audit]\nlayers = ['a']\n", "config key 'audit.layers' must be a list of distinct layer "
                                  "indices >= 0 ([] = every layer), got ['a'] ('a' is not an int)"),
]


@pytest.mark.parametrize(("text", "told"), WRONG_LIST_ITEMS)
def test_an_item_of_the_wrong_type_in_a_list_of_the_config_file_names_the_file(tmp_path, capsys,
                                                                              text, told):
    path = tmp_path / "c11.toml"
    path.write_text(text)
    assert main(["train", "--config", str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{ERROR}config file {str(path)!r}: {told}; fix the value in that file\n")


def test_an_option_replacing_a_file_s_list_of_the_wrong_type_is_no_error(tmp_path):
    path = tmp_path / "c11.toml"
    path.write_text("[optim]\nmilestones = [0.5, 'x']\n")
    config = load_config_file(str(path))
    args = argparse.Namespace(config=str(path), overrides=[], given_as={})
    assert apply_option_values(args, config, ["optim.milestones=0.25"]).optim.milestones == [0.25]


@pytest.mark.parametrize(("text", "told"), [
    *WRONG_LIST_ITEMS,
    ("[run]\nepochs = 'x'\n", "config key 'run.epochs' expects an int, got 'x' (str)"),
])
def test_load_config_names_the_file_of_a_wrong_type_as_the_command_does(tmp_path, text, told):
    # from Python these were told with no file's name (t-400 finding 1), and a value of the wrong
    # type advised fixing "the TOML file or the override", though no override was given
    path = tmp_path / "c11.toml"
    path.write_text(text)
    with pytest.raises(TypeError) as refused:
        load_config(path)
    assert str(refused.value) == f"config file {str(path)!r}: {told}; fix the value in that file"


def test_load_config_names_the_file_of_a_value_out_of_range_keeping_its_key(tmp_path):
    path = tmp_path / "c11.toml"
    path.write_text("[optim]\nmilestone_unit = 'epoch'\nmilestones = [0.5]\n")
    with pytest.raises(ConfigValueError) as refused:
        load_config(path)
    assert str(refused.value) == (
        f"config file {str(path)!r}: config key 'optim.milestones' must hold epoch numbers >= 1 "
        "when optim.milestone_unit='epoch', got [0.5]; fix the value in that file")
    assert (refused.value.key, refused.value.value, refused.value.related) == (
        "optim.milestones", [0.5], ("optim.milestone_unit",))


def test_a_run_folder_given_to_run_resume_is_told_resume_takes_it(capsys):
    # --set run.resume=PATH said "--resume takes no path" after --resume RUN_DIR came to take one
    assert main(["train", "--set", "run.resume=runs/digits-rid-tt-s0/checkpoint.pt"]) == 2
    err = capsys.readouterr().err
    assert ("expects true or false, got 'runs/digits-rid-tt-s0/checkpoint.pt'; "
            "run.resume is true or false") in err
    assert "run pidkit-distill train --resume runs/digits-rid-tt-s0 (which reads its configuration" in err
    assert "takes no path" not in err and err.count("\n") == 1
