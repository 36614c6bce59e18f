"""load_config of a teacher's run (method.name "teacher", as train-teacher writes it) checks its
names as train-teacher does: 4f4717f made load_config run the command's name check as a student's,
which refused the reserved method name (the doctest of resume_changes failed on it)."""

from __future__ import annotations

import pytest

from pidkit_distill import ConfigEntryError, load_config


def test_a_teacher_runs_configuration_loads(tmp_path):
    path = tmp_path / "teacher.toml"
    path.write_text('[method]\nname = "teacher"\n[data]\nname = "digits"\n')
    assert load_config(path).method.name == "teacher"
    assert load_config(overrides=["method.name=teacher"]).method.name == "teacher"


def test_a_teacher_runs_misspelt_data_set_is_still_refused(tmp_path):
    path = tmp_path / "teacher.toml"
    path.write_text('[method]\nname = "teacher"\n[data]\nname = "digts"\n')
    with pytest.raises(ConfigEntryError, match=r"data\.name: 'digts' is not a known dataset.*'digits'"):
        load_config(path)


def test_a_students_unknown_method_is_still_refused():
    with pytest.raises(ConfigEntryError, match=r"method\.name: 'teachr' is not a known method"):
        load_config(overrides=["method.name=teachr"])
