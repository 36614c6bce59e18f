"""An unknown data set, model, method, preset or method parameter names the option the user
typed, or the ``--config`` file it came from (task 257), as a value of the wrong type or out of
its range does since tasks 251 and 255: ``--method ridd`` said "method.name: name='ridd' is not
a known method; ...", the key, with the value again. The did-you-mean stays."""

from __future__ import annotations

import pytest

from pidkit_distill.cli import main

_REGISTER = ("or register your own with pidkit_distill.{module}.{decorator} in the Python script "
             "that calls pidkit_distill.train, or in a module that you pass to the pidkit-distill "
             "command with --import MODULE (on every run that names it, resumed runs included).")
_METHODS = "['bas', 'itrd', 'kd', 'mimkd', 'rid', 'ted', 'vid']"
_RID_PARAMETERS = ("['cycle_epochs', 'filter_ratio', 'freeze_bn_stats', 'head_relu', 'lambda1', "
                   "'lambda2', 'phase1_rounding', 'reduction', 'sigma_eps', 'sigma_init', "
                   "'student_filter_hidden_factor', 'warmup', 'warmup_epochs']")


def _line(argv, tmp_path, capsys, *, imports=False):
    """The error line of ``pidkit-distill train ARGV`` (through check_config with ``imports``:
    an --import module could register names)."""
    status = main(["train", *(["--import", "json"] if imports else []), *argv,
                   "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    assert not (tmp_path / "runs").exists()
    return err.removeprefix("pidkit-distill train: error: ")


@pytest.mark.parametrize("imports", [False, True])
@pytest.mark.parametrize(("argv", "line"), [
    (["--method", "ridd"], f"--method ridd: not a known method; choose one of {_METHODS}, "
                           + _REGISTER.format(module="methods", decorator="register_method")
                           + " Did you mean 'rid'?\n"),
    (["--set", "method.name=ridd"], "--set method.name=ridd: not a known method; choose one of "),
    (["--data", "digitz"], "--data digitz: not a known dataset; choose one of ['cifar10', "
                           "'cifar100', 'digits', 'synthetic'], "
                           + _REGISTER.format(module="data", decorator="register_dataset")
                           + " Did you mean 'digits'?\n"),
    (["--model.student", "resnet8x5"], "--model.student resnet8x5: not a known model; choose one "
                                       "of ['digits-student', 'digits-teacher', "),
    (["--model.teacher", "synthetic-teachr"], "--model.teacher synthetic-teachr: not a known "
                                              "model; "),
])
def test_an_unknown_name_names_the_option(tmp_path, capsys, argv, line, imports):
    assert _line(argv, tmp_path, capsys, imports=imports).startswith(line)


@pytest.mark.parametrize(("argv", "line"), [
    (["--preset", "paperr"], "--preset paperr: not a preset of method 'bas'; choose one of "
                             "['paper']. Did you mean 'paper'?\n"),
    (["--method", "rid", "--set", "method.preset=fast"],
     "--set method.preset=fast: not a preset of method 'rid'; choose one of ['kd-rid', 'paper', "
     "'paper-mean']\n"),
    (["--method.params", "lambdaa=1"], "--method.params lambdaa=1: unknown parameter(s) "
                                       "['lambdaa'] for method 'bas'; its parameters are [].\n"),
    (["--method", "rid", "--set", "method.params.lambdaa=1", "--method.params", "n_warmup=3"],
     "--set method.params.lambdaa=1, --method.params n_warmup=3: unknown parameter(s) "
     f"['lambdaa', 'n_warmup'] for method 'rid'; its parameters are {_RID_PARAMETERS}. Did you "
     "mean 'lambda2' for 'lambdaa'? Did you mean 'warmup' for 'n_warmup'?\n"),
])
def test_an_unknown_preset_or_parameter_names_the_option(tmp_path, capsys, argv, line):
    assert _line(argv, tmp_path, capsys) == line


@pytest.mark.parametrize(("toml", "argv", "line"), [
    ('[method]\nname = "ridd"\n', [],
     "config file '{file}': method.name: 'ridd' is not a known method; choose one of "),
    ('[method]\nname = "rid"\npreset = "paperr"\n', [],
     "config file '{file}': method.preset: 'paperr' is not a preset of method 'rid'; choose one "
     "of ['kd-rid', 'paper', 'paper-mean']. Did you mean 'paper'?\n"),
    ('[method]\nname = "rid"\n[method.params]\nlambdaa = 1\n', [],
     "config file '{file}': method.params: unknown parameter(s) ['lambdaa'] for method 'rid'; "),
    # the option typed names the file too, where the file gave an unknown parameter beside it
    ('[method]\nname = "rid"\n[method.params]\nlambdaa = 1\n', ["--set", "method.params.x=2"],
     "--set method.params.x=2 (and config file '{file}'): unknown parameter(s) ['lambdaa', 'x'] "
     "for method 'rid'; "),
    # an option typed over the file's name is the option's mistake
    ('[method]\nname = "ridd"\n', ["--method", "rdi"], "--method rdi: not a known method; "),
    # the key in full, as the option is typed (it was "data: name='digitz' ...", the section)
    ('[data]\nname = "digitz"\n', [], "config file '{file}': data.name: 'digitz' is not a "
                                      "known dataset; "),
    ('[data.options]\nn = 3\n', [], "config file '{file}': data.options: unknown option(s) "
                                    "['n'] for data set 'digits'; "),
])
def test_a_name_from_the_config_file_names_the_file(tmp_path, capsys, toml, argv, line):
    file = tmp_path / "rid.toml"
    file.write_text(toml)
    assert _line(["--config", str(file), *argv], tmp_path, capsys).startswith(
        line.format(file=file))


def test_debug_raises_the_named_error_from_the_checks(tmp_path):
    with pytest.raises(TypeError) as info:
        main(["train", "--method.params", "lambdaa=1", "--out-dir", str(tmp_path), "--debug"])
    assert str(info.value).startswith("--method.params lambdaa=1: unknown parameter(s)")
    assert str(info.value.__cause__).startswith("method.params: unknown parameter(s)")


@pytest.mark.parametrize(("argv", "line"), [
    # they named the key: "model.student: depth must be 6n+4 ...", "method.params: parameter
    # temperature ...", "data: unknown option(s) ...", "teacher.data_options: unknown ..."
    (["--model.student", "wrn-41-2"], "--model.student wrn-41-2: depth must be 6n+4 with n >= 1 "
                                      "(10, 16, 22, 28, 40, ...); got 41.\n"),
    (["--set", "model.teacher=wrn-41-2"], "--set model.teacher=wrn-41-2: depth must be 6n+4 with "
                                          "n >= 1 (10, 16, 22, 28, 40, ...); got 41.\n"),
    (["--method", "kd", "--method.params", "temperature=inf"],
     "--method.params temperature=inf: parameter temperature of method 'kd' must be finite; "
     "got inf.\n"),
    (["--data.options", "foo=1"], "--data.options foo=1: unknown option(s) ['foo'] for data set "
                                  "'digits'; its options are ['test_fraction', "
                                  "'train_fraction'].\n"),
    (["--data.options", "foo=1", "--set", "data.options.bar=2"],
     "--set data.options.bar=2, --data.options foo=1: unknown option(s) ['bar', 'foo'] for data "
     "set 'digits'; its options are ['test_fraction', 'train_fraction'].\n"),
    (["--set", "teacher.data_options.foo=1"],
     "--set teacher.data_options.foo=1: unknown option(s) ['foo'] for data set 'digits'; its "
     "options are ['test_fraction', 'train_fraction'].\n"),
    # out of range: "method.params: lambda2 must be ...", "data: train_fraction must be ..."
    (["--method", "rid", "--method.params", "lambda2=-1"],
     "--method.params lambda2=-1: lambda2 must be a real number >= 0 and finite; got -1.\n"),
    (["--data.options", "train_fraction=2"],
     "--data.options train_fraction=2: train_fraction must be in (0, 1]; got 2.\n"),
    (["--data", "synthetic", "--teacher.data_options", "n_train=0"],
     "--teacher.data_options n_train=0: n_train must be an int >= 1; got 0.\n"),
])
def test_a_wrn_depth_a_parameter_or_a_data_option_names_the_option(tmp_path, capsys, argv, line):
    assert _line(argv, tmp_path, capsys) == line


def test_a_wrn_depth_from_the_config_file_names_the_file(tmp_path, capsys):
    file = tmp_path / "rid.toml"
    file.write_text('[model]\nstudent = "wrn-41-2"\n')
    assert _line(["--config", str(file)], tmp_path, capsys) == (
        f"config file '{file}': model.student: depth must be 6n+4 with n >= 1 (10, 16, 22, 28, "
        "40, ...); got 41.\n")
