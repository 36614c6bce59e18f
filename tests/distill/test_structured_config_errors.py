"""The errors of names and table entries carry their configuration key (task 261): the command
named the option a user typed by matching regular expressions over the message text, so that an
error worded otherwise (a method of the user's own) was told naming the key. Also: a preset that
another method has says which (``--preset paper-mean`` with the default method, BAS, meant
RID's), and a value of the ``--config`` file that an option replaces is no mistake."""

from __future__ import annotations

import dataclasses

import pytest
from own_distillers import LogitMatch

from pidkit_distill import cli_values
from pidkit_distill.cli import config_from_args, get_args_parser, main
from pidkit_distill.config import TrainConfig
from pidkit_distill.config_values import ConfigEntryError
from pidkit_distill.methods import Params, register_method, unregister_method
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
    ("name", "digts", "data.name", (), "data: name='digts' is "),
    ("options", {"train_fraction": 2.0}, "data.options", ("train_fraction",), "data: "),
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
