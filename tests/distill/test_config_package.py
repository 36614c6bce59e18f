"""pidkit_distill.config is a package: its face exports the names config.py exported, its
docstring's table lists each of its modules once, no module is left at the old flat paths
(config_sections.py, key_history.py, ... beside cli.py), and reading a configuration imports
neither PyTorch nor scikit-learn."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pidkit_distill.config as config
from pidkit_distill.config import dicts, sections, values

OLD_MODULES = ["config_sections", "config_settings", "config_values", "key_history",
               "model_defaults", "registered_record", "teacher_keys"]


def test_the_config_package_docstring_lists_every_module_it_holds():
    on_disk = sorted(path.stem for path in Path(config.__file__).parent.glob("*.py")
                     if path.stem != "__init__")
    listed = re.findall(r"^``(\w+)``\s", config.__doc__, flags=re.MULTILINE)
    assert sorted(listed) == on_disk
    # config.py's own code is dicts.py's, beside the seven modules that stood next to it
    assert on_disk == ["dicts", "key_history", "model_defaults", "registered_record", "sections",
                       "settings", "teacher_keys", "values"]


def test_the_package_exports_what_config_py_exported():
    assert config.__all__ == ["DEVICES", "MILESTONE_UNITS", "SCHEDULES", "AuditConfig",
                              "DataConfig", "MethodConfig", "ModelConfig", "OptimConfig",
                              "RunConfig", "TeacherConfig", "TrainConfig", "check_values",
                              "config_fields", "config_from_dict", "config_to_dict"]
    defined_in = {"DEVICES": values, "MILESTONE_UNITS": values, "SCHEDULES": values,
                  "check_values": values, "config_from_dict": dicts, "config_to_dict": dicts,
                  "config_fields": sections}
    for name in config.__all__:
        assert getattr(config, name) is getattr(defined_in.get(name, sections), name), name
    assert config.MILESTONE_UNITS == ("fraction", "epoch")


@pytest.mark.parametrize("name", ["AUDIT_RESUME_FREE_KEYS", "RESUME_FREE_KEYS", "coerce_value",
                                  "unchecked_config_from_dict"])
def test_the_names_the_package_itself_imported_from_config_py_are_still_there(name):
    # the trainer and the command import them from pidkit_distill.config, outside __all__
    assert name not in config.__all__
    assert getattr(config, name) is getattr(dicts, name)


@pytest.mark.parametrize("name", OLD_MODULES)
def test_no_module_is_left_at_the_old_paths(name):
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"pidkit_distill.{name}")


def test_reading_a_configuration_imports_no_torch():
    code = ("import sys; from pidkit_distill.config import config_from_dict; "
            "print(config_from_dict({'run': {'epochs': 3}}).run.epochs, "
            "sorted(m for m in ('torch', 'sklearn') if m in sys.modules))")
    said = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True).stdout
    assert said == "3 []\n"
