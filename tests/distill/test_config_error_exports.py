"""The configuration's errors are public (task 283): ``check_config``, ``train``, ``get_method``
and ``load_dataset`` raise ConfigValueError, ConfigEntryError and ConfigEntryTypeError, and the
guide tells a loader's author to raise ConfigEntryError, but only the private module
``pidkit_distill.config_errors`` exported them, so ``except pidkit_distill.ConfigEntryError:``
raised AttributeError. The package exports them now, under the path tracebacks and pickles name.
"""

from __future__ import annotations

import doctest
import pickle
import subprocess
import sys
import traceback

import pytest

import pidkit_distill

EXPORTED_ERRORS = sorted(name for name in pidkit_distill.__all__
                         if isinstance(obj := getattr(pidkit_distill, name), type)
                         and issubclass(obj, BaseException))
ALL_ERRORS = ["ConfigEntryError", "ConfigEntryTypeError", "ConfigValueError", "PeerStopped",
              "TrainingError", "TrainingInterrupted"]


def _refusal(tmp_path, *overrides):
    """The error that ``check_config`` raises for the default configuration with ``overrides``
    (applied without load_config, which refuses an unknown name itself)."""
    config = pidkit_distill.apply_overrides(pidkit_distill.TrainConfig(),
                                            [*overrides, f"run.out_dir={tmp_path}"])
    try:
        pidkit_distill.check_config(config)
    except pidkit_distill.ConfigEntryError as err:  # what a user writes, with no private import
        return err
    pytest.fail(f"check_config accepted {overrides}")


def test_the_package_exports_the_configuration_errors():
    assert {"ConfigValueError", "ConfigEntryError", "ConfigEntryTypeError"} <= set(EXPORTED_ERRORS)
    assert issubclass(pidkit_distill.ConfigEntryTypeError, pidkit_distill.ConfigEntryError)
    assert issubclass(pidkit_distill.ConfigEntryError, pidkit_distill.ConfigValueError)


def test_except_config_entry_error_catches_an_unknown_method(tmp_path):
    err = _refusal(tmp_path, "method.name=rdi")
    assert type(err) is pidkit_distill.ConfigEntryError
    assert (err.key, err.value, err.entries) == ("method.name", "rdi", ())
    assert str(err).startswith("method.name: 'rdi' is not a known method; choose one of "
                               "['bas', ")


def test_except_config_entry_error_catches_an_unknown_data_option(tmp_path):
    err = _refusal(tmp_path, "data.options={n_train=5}")
    assert type(err) is pidkit_distill.ConfigEntryTypeError and isinstance(err, TypeError)
    assert (err.key, err.entries) == ("data.options", ("n_train",))
    assert str(err) == ("data.options: unknown option(s) ['n_train'] for data set 'digits'; its options "
                        "are ['test_fraction', 'train_fraction'].")


def test_a_refused_value_is_a_public_config_value_error(tmp_path):
    config = pidkit_distill.load_config(overrides=[f"run.out_dir={tmp_path}"])
    config.run.epochs = 0
    with pytest.raises(pidkit_distill.ConfigValueError) as caught:
        pidkit_distill.check_config(config)
    assert (str(caught.value), caught.value.key, caught.value.value) == (
        "config key 'run.epochs' must be >= 1, got 0", "run.epochs", 0)


def test_every_exported_error_is_named_by_its_public_path():
    # ConfigEntryError was 'pidkit_distill.config_errors.ConfigEntryError' in tracebacks
    assert {name: getattr(pidkit_distill, name).__module__ for name in EXPORTED_ERRORS} == \
        dict.fromkeys(ALL_ERRORS, "pidkit_distill")


def test_a_traceback_names_the_public_path(tmp_path):
    err = _refusal(tmp_path, "method.name=rdi")
    line = traceback.format_exception_only(type(err), err)[-1]
    assert line.startswith("pidkit_distill.ConfigEntryError: method.name: 'rdi' is not ")


def test_a_pickled_error_loads_where_only_the_package_is_importable(tmp_path):
    # the pickle names pidkit_distill.ConfigEntryTypeError, which the package's lazy __getattr__
    # resolves in a process that has imported nothing of it yet
    err = _refusal(tmp_path, "data.options={n_train=5}")
    script = ("import pickle, sys; err = pickle.loads(sys.stdin.buffer.read()); "
              "print(type(err).__module__, type(err).__name__, err.key, err.entries)")
    proc = subprocess.run([sys.executable, "-c", script], input=pickle.dumps(err),
                          capture_output=True, timeout=120)
    assert proc.stdout.decode().splitlines() == [
        "pidkit_distill ConfigEntryTypeError data.options ('n_train',)"], proc.stderr[-2000:]


def _example_failures(name: str) -> tuple[bool, int]:
    """Whether ``pidkit_distill.NAME``'s docstrings have examples, and how many of them fail
    when run as a user pastes them (in an empty namespace)."""
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in doctest.DocTestFinder().find(getattr(pidkit_distill, name),
                                             f"pidkit_distill.{name}", module=False, globs={}):
        runner.run(test, out=lambda text: None)
    results = runner.summarize(verbose=False)
    return results.attempted > 0, results.failed


def test_every_exported_errors_examples_pass():
    # pytest's doctest collection skips a class whose __module__ is not its file's module, so
    # these examples are run here
    assert {name: _example_failures(name) for name in EXPORTED_ERRORS} == \
        dict.fromkeys(ALL_ERRORS, (True, 0))
