"""CheckedConfig: what check_config resolved, and the options it gives the method."""

from __future__ import annotations

import pytest

from pidkit_distill import load_config
from pidkit_distill.training import check_config


def test_a_teacher_only_check_says_how_to_get_the_methods_options(tmp_path):
    config = load_config(overrides=["method.name=kd", f"run.out_dir={tmp_path}"])
    assert check_config(config).method_options() == {"preset": None, "temperature": 4.0,
                                                     "alpha": 0.9}
    teacher_only = check_config(config, teacher_only=True)
    with pytest.raises(ValueError) as error:
        teacher_only.method_options()
    assert str(error.value) == (
        "method_options: this CheckedConfig is from check_config(config, teacher_only=True), "
        "which checks only what training the teacher needs and resolves no method; call "
        "check_config(config) without teacher_only for the method's options"
    )
