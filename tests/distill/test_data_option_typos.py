"""A misspelt data option (data.options, teacher.data_options) is told the closest one, as a
method's parameter is (t-413 L3)."""

from __future__ import annotations

import re

import pytest
from tiny_runs import tiny

from pidkit_distill import train
from pidkit_distill.config_errors import ConfigEntryTypeError
from pidkit_distill.data import load_dataset

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def test_a_misspelt_data_option_is_told_the_closest_one():
    with pytest.raises(ConfigEntryTypeError) as info:
        load_dataset("digits", trian_fraction=0.5)
    assert str(info.value).endswith("its options are ['test_fraction', 'train_fraction']. "
                                    "Did you mean 'train_fraction'?")
    with pytest.raises(ConfigEntryTypeError) as info:  # several: each near one named
        load_dataset("synthetic", n_trian=64, nusance_bits=1, colour=3)
    assert str(info.value).endswith(". Did you mean 'n_train' for 'n_trian'? Did you mean "
                                    "'nuisance_bits' for 'nusance_bits'?")
    with pytest.raises(ConfigEntryTypeError) as info:  # nothing near: no guess
        load_dataset("digits", colour=3)
    assert "Did you mean" not in str(info.value)


def test_a_misspelt_teacher_data_option_is_told_the_closest_one(tmp_path):
    with pytest.raises(ConfigEntryTypeError, match=re.escape("Did you mean 'nuisance_bits'?")):
        train(tiny(tmp_path, "teacher.source=trained", "teacher.data_options.nusance_bits=1"))
