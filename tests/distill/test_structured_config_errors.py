"""The errors of names and table entries carry their configuration key (task 261): the command
named the option a user typed by matching regular expressions over the message text, so that an
error worded otherwise (a method of the user's own) was told naming the key. Also: a preset that
another method has says which (``--preset paper-mean`` with the default method, BAS, meant
RID's), and a value of the ``--config`` file that an option replaces is no mistake.

Task 266: every range check of a built-in method's parameters and of a built-in data set's
options raises the error with its entries itself, whatever its wording (rid's ``filter_ratio
(r) must be ...`` was told naming the key, as the text matched no ``NAME must be``)."""

from __future__ import annotations

import dataclasses
import functools

import pytest
from own_distillers import LogitMatch

from pidkit_distill import cli_values
from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_errors import ConfigEntryError
from pidkit_distill.data.cifar import load_cifar
from pidkit_distill.data.digits import load_digits
from pidkit_distill.data.synthetic import make_synthetic
from pidkit_distill.methods import Params, get_method, register_method, unregister_method
from pidkit_distill.training import check_config

_TOO_WIDE = "a margin of 5.0 leaves no sample inside it; keep it at 2 or less."


@dataclasses.dataclass(frozen=True)
class _MarginParams(Params):
    """A user's parameters, whose check words its refusal as no check of the package does."""

    margin: float = 1.0

    def __post_init__(self) -> None:
        if self.margin > 2:
            raise ConfigEntryError(f"a margin of {self.margin} leaves no sample inside it; keep "
                                   "it at 2 or less.", self.margin, entries=("margin",))


@pytest.fixture
def margin_method():
    """The method 'margin-match' of a user's own, registered for the test."""

    class MarginMatch(LogitMatch):
        Params = _MarginParams

    register_method("margin-match")(MarginMatch)
    yield
    unregister_method("margin-match")


def _config(tmp_path):
    """The default configuration, its runs in ``tmp_path``."""
    config = TrainConfig()
    config.run.out_dir = str(tmp_path / "runs")
    return config


def _line(argv, tmp_path, capsys):
    """The error line of ``pidkit-distill train ARGV``, which must fail with status 2."""
    status = main(["train", *argv, "--out-dir", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    assert (status, out) == (2, "")
    return err.removeprefix("pidkit-distill train: error: ")


def test_the_command_reads_no_message_text():
    assert not hasattr(cli_values, "_NAME_ERRORS")
    assert not hasattr(cli_values, "re")


def test_an_error_of_a_users_own_wording_names_the_option_typed(margin_method, tmp_path, capsys):
    line = _line(["--method", "margin-match", "--method.params", "margin=5.0", "--epochs",
                  "2"],
                 tmp_path, capsys)
    assert line == f"--method.params margin=5.0: {_TOO_WIDE}\n"


def test_from_python_the_error_names_the_key_and_carries_its_fields(margin_method, tmp_path):
    config = _config(tmp_path)
    config.method.name, config.method.params = "margin-match", {"margin": 5.0}
    with pytest.raises(ConfigEntryError) as caught:
        check_config(config)
    err = caught.value
    assert str(err) == f"method.params: {_TOO_WIDE}"
    assert (err.key, err.entries, err.said) == ("method.params", ("margin",), _TOO_WIDE)


def test_an_unknown_parameter_carries_its_key_and_names(tmp_path):
    config = _config(tmp_path)
    config.method.name, config.method.params = "kd", {"temprature": 2.0, "beta": 1.0}
    with pytest.raises(TypeError) as caught:
        check_config(config)
    err = caught.value
    assert isinstance(err, ConfigEntryError) and isinstance(err, ValueError)
    assert (err.key, err.entries) == ("method.params", ("beta", "temprature"))
    assert str(err) == ("method.params: unknown parameter(s) ['beta', 'temprature'] for method "
                        "'kd'; its parameters are ['alpha', 'temperature']. Did you mean "
                        "'temperature' for 'temprature'?")
    assert err.said == str(err).removeprefix("method.params: ")


@pytest.mark.parametrize(("attribute", "value", "key", "entries", "start"), [
    ("name", "digts", "data.name", (), "data.name: 'digts' is "),
    ("options", {"train_fraction": 2.0}, "data.options", ("train_fraction",), "data.options: "),
])
def test_a_data_error_carries_the_key_it_is_of(attribute, value, key, entries, start, tmp_path):
    config = _config(tmp_path)
    setattr(config.data, attribute, value)
    with pytest.raises(ConfigEntryError) as caught:
        check_config(config)
    err = caught.value
    assert (err.key, err.entries) == (key, entries)
    assert str(err) == f"{start}{err.said}"


def test_a_preset_of_another_method_names_it_and_the_line_to_type(tmp_path, capsys):
    assert _line(["--preset", "paper-mean", "--epochs", "2"], tmp_path, capsys) == (
        "--preset paper-mean: not a preset of method 'bas'; choose one of ['paper'], or a method "
        "that has it: 'rid' (--method rid --preset paper-mean on the command line; "
        "method.name='rid' in Python or a --config file)\n")


def test_a_preset_of_several_other_methods_names_them_all(tmp_path):
    config = _config(tmp_path)
    config.method.name, config.method.preset = "rid", "light-critic"
    with pytest.raises(ConfigEntryError, match=r"^method.preset: 'light-critic' is not a preset of "
                       r"method 'rid'; choose one of \['kd-rid', 'paper', 'paper-mean'\], or a "
                       r"method that has it: 'mimkd' \(--method mimkd --preset light-critic on "):
        check_config(config)


@pytest.fixture
def zero_epochs_file(tmp_path):
    """A ``--config`` file whose ``run.epochs`` is out of range."""
    path = tmp_path / "zero.toml"
    path.write_text("[run]\nepochs = 0\n[optim]\nlr = 0.2\n")
    return path


def test_a_file_value_that_an_option_replaces_is_no_mistake(zero_epochs_file):
    args = get_args_parser().parse_args(["train", "--config", str(zero_epochs_file),
                                         "--epochs", "3"])
    config = config_from_args(args)
    assert (config.run.epochs, config.optim.lr) == (3, 0.2)


def test_the_run_goes_on_past_the_file_value_an_option_replaced(zero_epochs_file, tmp_path,
                                                                capsys):
    # stopped at the next mistake, a method name, after the file's values are resolved
    line = _line(["--config", str(zero_epochs_file), "--epochs", "3", "--method", "rdi"],
                 tmp_path, capsys)
    assert line.startswith("--method rdi: not a known method; ")


def test_a_file_value_that_no_option_replaces_is_still_refused(tmp_path, capsys):
    # run.epochs, replaced, was told before optim.lr, which stays the file's
    path = tmp_path / "two.toml"
    path.write_text("[run]\nepochs = 0\n[optim]\nlr = -0.5\n")
    line = _line(["--config", str(path), "--epochs", "3"], tmp_path, capsys)
    assert line == (f"config file {str(path)!r}: config key 'optim.lr' must be a finite number "
                    "> 0.0, got -0.5; fix the value in that file\n")
    assert _line(["--config", str(path), "--optim.lr", "0.1"], tmp_path, capsys) == (
        f"config file {str(path)!r}: config key 'run.epochs' must be >= 1, got 0; fix the value "
        "in that file\n")


# (method, the --method.params item, what the refusal says after the option typed)
_METHOD_RANGES = [
    ("kd", "temperature=0", "temperature must be a real number > 0 and finite; got 0."),
    ("kd", "alpha=-1", "alpha must be a real number >= 0 and finite; got -1."),
    ("kd", "alpha=2", "alpha must be in [0, 1]; got 2."),
    ("vid", "lam=-1", "lam must be a real number >= 0 and finite; got -1."),
    ("vid", "hidden_factor=0", "hidden_factor must be a real number > 0 and finite; got 0."),
    ("vid", "eps=0", "eps must be a real number > 0 and finite; got 0."),
    ("vid", "init_variance=0.0001", "init_variance must exceed eps=0.001; got 0.0001."),
    ("vid", "eps=10", "init_variance must exceed eps=10; got 5.0."),
    ("itrd", "beta_corr=-1", "beta_corr must be a real number >= 0 and finite; got -1."),
    ("itrd", "beta_mi=-1", "beta_mi must be a real number >= 0 and finite; got -1."),
    ("itrd", "alpha=0", "alpha must be a real number > 0 and finite; got 0."),
    ("mimkd", "alpha=-1", "alpha must be a real number >= 0 and finite; got -1."),
    ("mimkd", "lambda_g=-1", "lambda_g must be a real number >= 0 and finite; got -1."),
    ("mimkd", "lambda_l=-1", "lambda_l must be a real number >= 0 and finite; got -1."),
    ("mimkd", "lambda_f=-1", "lambda_f must be a real number >= 0 and finite; got -1."),
    ("mimkd", "global_bound=foo", "global_bound must be one of ['infonce', 'jsd']; got 'foo'."),
    ("mimkd", "temperature=0", "temperature must be a real number > 0 and finite; got 0."),
    ("mimkd", "critic_hidden=0", "critic_hidden must be a positive int; got 0."),
    ("mimkd", "projection_dim=0", "projection_dim must be a positive int; got 0."),
    ("ted", "stage1_epochs=-1", "stage1_epochs must be an int >= 0; got -1."),
    ("ted", "weight=-1", "weight must be a real number >= 0 and finite; got -1."),
    ("ted", "freeze_bn_stats=maybe",
     "freeze_bn_stats must be one of [True, False]; got 'maybe'."),
    ("rid", "lambda1=-1", "lambda1 must be a real number >= 0 and finite; got -1."),
    ("rid", "lambda2=-1", "lambda2 must be a real number >= 0 and finite; got -1."),
    ("rid", "warmup_epochs=-1", "warmup_epochs must be an int >= 0; got -1."),
    ("rid", "cycle_epochs=-1", "cycle_epochs must be an int >= 0; got -1."),
    ("rid", "cycle_epochs=0", "cycle_epochs must be a real number > 0 and finite; got 0."),
    ("rid", "student_filter_hidden_factor=0",
     "student_filter_hidden_factor must be a real number > 0 and finite; got 0."),
    ("rid", "phase1_rounding=round",
     "phase1_rounding must be one of ['floor', 'ceil']; got 'round'."),
    ("rid", "warmup=foo", "warmup must be one of ['epochs', 'first-cycle']; got 'foo'."),
    ("rid", "reduction=max", "reduction must be one of ['sum', 'mean']; got 'max'."),
    ("rid", "head_relu=maybe", "head_relu must be one of [True, False]; got 'maybe'."),
    ("rid", "freeze_bn_stats=maybe",
     "freeze_bn_stats must be one of [True, False]; got 'maybe'."),
    ("rid", "sigma_eps=0", "sigma_eps must be a real number > 0 and finite; got 0."),
    ("rid", "filter_ratio=2", "filter_ratio (r) must be in (0, 1); got 2."),
    ("rid", "sigma_init=0.0001", "sigma_init must exceed sigma_eps=0.001; got 0.0001."),
    ("rid", "sigma_eps=2", "sigma_init must exceed sigma_eps=2; got 1.0."),
    ("rid", "warmup=first-cycle", "warmup='first-cycle' uses the first cycle as warm-up, so "
     "warmup_epochs must be 0; got warmup_epochs=30."),
    ("rid", "filter_ratio=0.01", "floor(filter_ratio * cycle_epochs) = 0 leaves no phase-1 "
     "epoch in a cycle of 30; change filter_ratio, cycle_epochs or phase1_rounding."),
    ("rid", "cycle_epochs=1", "floor(filter_ratio * cycle_epochs) = 0 leaves no phase-1 epoch "
     "in a cycle of 1; change filter_ratio, cycle_epochs or phase1_rounding."),
]

# (data set, the --data.options item, what the refusal says after the option typed): checked
# by the data set's loader
_DATA_RANGES = [
    ("digits", "test_fraction=2", "test_fraction must be in (0, 1); got 2."),
    ("digits", "test_fraction=0.001", "test_fraction=0.001 holds out 2 of the 1797 digits, "
     "fewer than the 10 classes; use test_fraction >= 0.0051."),
    ("digits", "test_fraction=0.9999", "test_fraction=0.9999 leaves 0 of the 1797 digits to "
     "train on, fewer than the 10 classes; use test_fraction <= 0.9944."),
    ("digits", "train_fraction=2", "train_fraction must be in (0, 1]; got 2."),
    ("digits", "train_fraction=0.005", "train_fraction=0.005 keeps 7 of 1347 training "
     "samples, fewer than the 10 classes; use train_fraction >= 0.0071."),
    ("synthetic", "n_train=0", "n_train must be an int >= 1; got 0."),
    ("synthetic", "n_test=0", "n_test must be an int >= 1; got 0."),
    ("synthetic", "num_classes=1", "num_classes must be an int >= 2; got 1."),
    ("synthetic", "nuisance_bits=-1", "nuisance_bits must be an int >= 0; got -1."),
    ("synthetic", "dim=0", "dim must be an int >= 1; got 0."),
    ("synthetic", "nuisance_bits=17", "nuisance_bits must be <= 16; got 17."),
    ("synthetic", "dim=3", "dim must be at least num_classes + nuisance_bits = 10; got dim=3."),
    ("synthetic", "num_classes=40",
     "dim must be at least num_classes + nuisance_bits = 46; got dim=32."),
    ("synthetic", "flip=0.9", "flip must be in [0, (K-1)/K] = [0, 0.750]; got 0.9."),
    ("synthetic", "signal_scale=-1",
     "signal_scale must be a real number >= 0 and finite; got -1."),
    ("synthetic", "nuisance_scale=-1",
     "nuisance_scale must be a real number >= 0 and finite; got -1."),
    ("synthetic", "noise=-1", "noise must be a real number >= 0 and finite; got -1."),
    ("synthetic", "target=z", "target must be 'y' or 'joint'; got 'z'."),
    ("synthetic", "train_fraction=2", "train_fraction must be in (0, 1]; got 2."),
    ("synthetic", "train_fraction=0.0001", "train_fraction=0.0001 keeps 0 of 4000 training "
     "samples, fewer than the 4 classes; use train_fraction >= 0.0009."),
    ("synthetic", "n_train=3", "the training split holds 3 samples, fewer than the 4 classes, "
     "so no train_fraction can keep one of each."),
    ("cifar10", "normalization=foo", "normalization must be 'standard' or 'kd-rid'; got 'foo'."),
    # told before the folder is looked for (it was 'data.root: data/cifar-10-batches-py not found')
    ("cifar10", "train_fraction=2", "train_fraction must be in (0, 1]; got 2."),
]

# the flags, checked by the data registry before the loader
_DATA_FLAGS = [
    ("cifar10", "download=maybe", "download must be True or False; got 'maybe' (str)."),
    ("cifar10", "augment=maybe", "augment must be True or False; got 'maybe' (str)."),
]

_LOADERS = {"digits": load_digits, "synthetic": make_synthetic,
            "cifar10": functools.partial(load_cifar, "cifar10")}


def _python_value(text):
    """The value of an option's ``NAME=VALUE`` item as Python gives it: an int, a float or text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


@pytest.mark.parametrize(("method", "item", "said"), _METHOD_RANGES)
def test_every_builtin_method_range_check_names_the_option_typed(method, item, said, tmp_path,
                                                                  capsys):
    line = _line(["--method", method, "--method.params", item, "--epochs", "2"], tmp_path,
                 capsys)
    assert line == f"--method.params {item}: {said}\n"


@pytest.mark.parametrize(("name", "item", "said"), _DATA_RANGES + _DATA_FLAGS)
def test_every_builtin_data_option_check_names_the_option_typed(name, item, said, tmp_path,
                                                                 capsys):
    line = _line(["--data", name, "--data.options", item, "--epochs", "2"], tmp_path, capsys)
    assert line == f"--data.options {item}: {said}\n"


@pytest.mark.parametrize(("method", "item", "said"), _METHOD_RANGES)
def test_every_builtin_params_class_raises_the_entry_error_itself(method, item, said):
    # the Params class, not make_params' reading of the text, gives the parameter
    name, text = item.split("=")
    with pytest.raises(ConfigEntryError) as caught:
        get_method(method).Params(**{name: _python_value(text)})
    assert (str(caught.value), caught.value.key) == (said, None)
    assert name in caught.value.entries


@pytest.mark.parametrize(("name", "item", "said"), _DATA_RANGES)
def test_every_builtin_loader_raises_the_entry_error_itself(name, item, said, tmp_path):
    option, text = item.split("=")
    with pytest.raises(ConfigEntryError) as caught:
        _LOADERS[name](seed=0, **{option: _python_value(text)}, **(
            {"root": tmp_path} if name == "cifar10" else {}))
    assert (str(caught.value), caught.value.key) == (said, None)
    assert option in caught.value.entries


@pytest.mark.parametrize(("items", "typed"), [
    (["sigma_init=0.5", "sigma_eps=0.6"], "--method.params sigma_init=0.5, --method.params "
     "sigma_eps=0.6"),
    (["warmup=first-cycle", "warmup_epochs=3"], "--method.params warmup=first-cycle, "
     "--method.params warmup_epochs=3"),
])
def test_a_check_of_two_parameters_names_both_when_both_are_typed(items, typed, tmp_path,
                                                                  capsys):
    argv = ["--method", "rid", *(word for item in items for word in ("--method.params", item))]
    line = _line([*argv, "--epochs", "2"], tmp_path, capsys)
    assert line.startswith(f"{typed}: ")


@dataclasses.dataclass(frozen=True)
class _PlainParams(Params):
    """A user's parameters whose check raises a plain ValueError, worded as the package's."""

    margin: float = 1.0

    def __post_init__(self) -> None:
        if self.margin > 2:
            raise ValueError(f"margin must be <= 2; got {self.margin}.")


def test_a_users_plain_value_error_starting_with_the_name_is_still_named(tmp_path, capsys):
    # the one reading of the text that stays, as the fallback for such plain errors
    class PlainMatch(LogitMatch):
        Params = _PlainParams

    register_method("plain-match")(PlainMatch)
    try:
        line = _line(["--method", "plain-match", "--method.params", "margin=5.0", "--epochs",
                      "2"], tmp_path, capsys)
    finally:
        unregister_method("plain-match")
    assert line == "--method.params margin=5.0: margin must be <= 2; got 5.0.\n"
