"""Data set errors read the same on every path (t-342 finding 6): a keyed name says the value
once (``data.name: 'digts' is ...``, not ``data.name: name='digts' is ...``), an unknown
``data.options`` name is a ``ValueError`` (and a ``TypeError``, as an unknown keyword is) on
every path, and a section's refusal names the top-level import."""

from __future__ import annotations

import pytest

from pidkit_distill import (
    ConfigEntryTypeError,
    DataConfig,
    TrainConfig,
    check_config,
    describe_dataset,
    load_config,
)
from pidkit_distill.cli import main

_UNKNOWN = "'digts' is not a known dataset; choose one of "


def test_a_keyed_name_is_told_once_from_python_and_from_a_file(tmp_path, capsys):
    with pytest.raises(ValueError) as python:
        check_config(TrainConfig(data=DataConfig(name="digts")))
    assert str(python.value).startswith(f"data.name: {_UNKNOWN}")
    file = tmp_path / "c.toml"
    file.write_text('[data]\nname = "digts"\n')
    assert main(["train", "--config", str(file), "--out-dir", str(tmp_path / "runs")]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"pidkit-distill train: error: config file '{file}': data.name: "
                           f"{_UNKNOWN}")


def test_the_model_key_is_told_the_same_way():
    with pytest.raises(ValueError, match=r"^model\.student: 'resnet-18' is not a known model; "):
        check_config(load_config(overrides=["model.student=resnet-18"]))


@pytest.mark.parametrize("refuse", [
    lambda: check_config(load_config(overrides=["data.options.bogus=3"])),
    lambda: check_config(load_config(overrides=["teacher.data_options.bogus=3"])),
    lambda: describe_dataset("digits", bogus=3),
])
def test_an_unknown_option_name_is_a_value_error_on_every_path(refuse):
    with pytest.raises(ValueError, match=r"unknown option\(s\) \['bogus'\] for data set 'digits'; "
                                         r"its options are \['test_fraction', 'train_fraction'\]"
                       ) as refused:
        refuse()
    assert isinstance(refused.value, ConfigEntryTypeError | TypeError)


def test_an_unknown_config_key_is_a_value_error_too():
    with pytest.raises(ValueError, match=r"unknown config key 'run\.nme'"):
        load_config(overrides=["run.nme=3"])


def test_a_section_given_as_a_dict_names_the_top_level_import():
    config = TrainConfig()
    with pytest.raises(TypeError, match=r"assign DataConfig\(name='digits'\) \(from "
                                        r"pidkit_distill import DataConfig\) or set its keys"):
        config.data = {"name": "digits"}
