"""A registry's name given as something other than a string is a TypeError saying so.

``load_dataset(cfg)`` in a notebook (the whole configuration instead of ``cfg.data.name``) was a
ValueError printing the configuration's repr as the name: ``name=TrainConfig(data=DataConfig(
name='digits', ...)) is not a known dataset; choose one of [...], or register your own ...``.
"""

from __future__ import annotations

import pytest

from pidkit_distill import get_method, load_config, load_dataset


def test_a_configuration_given_as_a_data_set_name_is_told_the_field_that_holds_it():
    cfg = load_config()
    with pytest.raises(TypeError) as err:
        load_dataset(cfg)
    assert str(err.value) == ("name must be the name of a dataset, a str such as 'cifar10'; got "
                              "a TrainConfig: pass config.data.name.")
    with pytest.raises(TypeError, match=r"got a TrainConfig: pass config\.method\.name\.$"):
        get_method(cfg)


@pytest.mark.parametrize("name", [None, 3, b"digits"])
def test_a_name_that_is_no_string_is_a_type_error_naming_its_type(name):
    with pytest.raises(TypeError) as err:
        load_dataset(name)
    assert str(err.value) == (f"name must be the name of a dataset, a str such as 'cifar10'; "
                              f"got {name!r} ({type(name).__name__}).")
