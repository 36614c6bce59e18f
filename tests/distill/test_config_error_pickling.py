"""The configuration's errors survive pickling (task 266.2): ConfigValueError,
ConfigEntryError and ConfigEntryTypeError take other arguments in ``__init__`` than their
``args``, so unpickling one, as joblib or a torchrun spawn does with a worker's error, raised
"TypeError: ConfigValueError.__init__() missing 2 required positional arguments" instead."""

from __future__ import annotations

import pickle

import pytest

from pidkit_distill import ConfigEntryError, ConfigEntryTypeError, ConfigValueError
from pidkit_distill.config import TrainConfig
from pidkit_distill.config.values import check_values
from pidkit_distill.training import check_config


def _round_trip(err):
    return pickle.loads(pickle.dumps(err))


def test_a_value_error_keeps_its_message_key_value_and_related_keys():
    err = ConfigValueError("config key 'optim.milestones' must hold fractions in (0, 1) when "
                           "optim.milestone_unit='fraction', got [2]", "optim.milestones", [2],
                           related=("optim.milestone_unit",), advised=True)
    back = _round_trip(err)
    assert type(back) is ConfigValueError
    assert (str(back), back.key, back.value, back.related, back.advised) == (
        str(err), "optim.milestones", [2], ("optim.milestone_unit",), True)


@pytest.mark.parametrize("kind", [ConfigEntryError, ConfigEntryTypeError])
def test_an_entry_error_keeps_its_message_key_entries_and_value(kind):
    err = kind("filter_ratio (r) must be in (0, 1); got 2.", {"filter_ratio": 2},
               entries=("filter_ratio",)).keyed("method.params", "method.params")
    back = _round_trip(err)
    assert type(back) is kind and isinstance(back, ValueError)
    assert isinstance(back, TypeError) == (kind is ConfigEntryTypeError)
    assert str(back) == "method.params: filter_ratio (r) must be in (0, 1); got 2."
    assert (back.key, back.entries, back.value, back.said, back.lead) == (
        "method.params", ("filter_ratio",), {"filter_ratio": 2},
        "filter_ratio (r) must be in (0, 1); got 2.", "")


def test_an_error_told_as_typed_keeps_that_message_and_its_notes():
    err = ConfigEntryError("not a known method; choose one of ['bas'].", "rdi",
                           lead="name='rdi' is ", key="method.name", about="method.name")
    err.add_note("in Python: method.name='rid'")
    told = err.retold("--method rdi: not a known method; choose one of ['bas'].")
    back = _round_trip(told)
    assert str(back) == "--method rdi: not a known method; choose one of ['bas']."
    assert (back.key, back.entries, back.value, back.lead) == ("method.name", (), "rdi",
                                                               "name='rdi' is ")
    assert back.__notes__ == ["in Python: method.name='rid'"]


def test_the_checks_errors_round_trip(tmp_path):
    config = TrainConfig()
    config.run.out_dir = str(tmp_path)
    config.method.name, config.method.params = "rid", {"filter_ratio": 2}
    with pytest.raises(ConfigEntryError) as caught:
        check_config(config)
    back = _round_trip(caught.value)
    assert (str(back), back.key, back.entries) == (
        "method.params: filter_ratio (r) must be in (0, 1); got 2.", "method.params",
        ("filter_ratio",))
    config = TrainConfig()
    config.run.epochs = 0
    with pytest.raises(ConfigValueError) as caught:
        check_values(config)
    back = _round_trip(caught.value)
    assert (str(back), back.key, back.value) == ("config key 'run.epochs' must be >= 1, got 0",
                                                 "run.epochs", 0)
