"""A configuration built and changed in Python: misspelt settings, replaced sections and other
arguments are refused by name at once, and the refusal leaves copying and pickling alone."""

from __future__ import annotations

import copy
import dataclasses
import multiprocessing
import pickle
import re
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pidkit_distill.config import (
    AuditConfig,
    DataConfig,
    MethodConfig,
    ModelConfig,
    OptimConfig,
    RunConfig,
    TeacherConfig,
    TrainConfig,
    check_values,
    config_from_dict,
    config_to_dict,
)
from pidkit_distill.config_text import apply_overrides, load_config
from pidkit_distill.training import check_config

SECTIONS = [AuditConfig, DataConfig, MethodConfig, ModelConfig, OptimConfig, RunConfig,
            TeacherConfig]


@pytest.mark.parametrize(("section", "name", "match"), [
    # each was set beside the setting, which kept its default: train ran 30 epochs
    ("run", "epoch", r"^RunConfig has no setting 'epoch'; its settings are \['amp', 'audit_every', "
                     r".*'threads'\]\. Did you mean 'epochs'\?$"),
    ("optim", "learning_rate", r"^OptimConfig has no setting 'learning_rate'; its settings are "
                               r"\['gamma', .*'weight_decay'\]$"),
    ("audit", "cluster", r"^AuditConfig has no setting 'cluster'; .*\. Did you mean 'clusters'\?$"),
    ("method", "param", r"^MethodConfig has no setting 'param'; its settings are "
                        r"\['name', 'params', 'preset'\]\. Did you mean 'params'\?$"),
])
def test_a_misspelt_setting_is_refused_when_it_is_set(section, name, match):
    config = TrainConfig()
    with pytest.raises(AttributeError, match=match):
        setattr(getattr(config, section), name, 3)
    assert name not in vars(getattr(config, section))
    assert config == TrainConfig()


def test_a_misspelt_section_is_refused_when_it_is_set():
    config = TrainConfig()
    with pytest.raises(AttributeError, match=r"^TrainConfig has no section 'runn'; its sections are "
                                             r"\['audit', 'data', 'method', 'model', 'optim', "
                                             r"'run', 'teacher'\]\. Did you mean 'run'\?$"):
        config.runn = 1
    assert "runn" not in vars(config)


@pytest.mark.parametrize(("value", "match"), [
    # "'dict' object has no attribute 'epochs'", raised from inside check_values
    ({"epochs": 3}, r"^config section 'run' must be a RunConfig, got a dict; assign "
                    r"RunConfig\(epochs=3\) \(from pidkit_distill import RunConfig\) or "
                    r"set its keys one by one: config\.run\.epochs = 3$"),
    ({"epochs": 3, "seed": 1}, r"assign RunConfig\(epochs=3, seed=1\) \(from .*: config\.run\.epochs = 3$"),
    (OptimConfig(), r"^config section 'run' must be a RunConfig, got an OptimConfig; assign "
                    r"RunConfig\(KEY=VALUE, \.\.\.\) \(from pidkit_distill import "
                    r"RunConfig\) or set its keys one by one: config\.run\.KEY = VALUE$"),
    (None, r"^config section 'run' must be a RunConfig, got a NoneType; "),
])
def test_a_section_replaced_by_another_type_is_refused_naming_it(value, match):
    config = TrainConfig()
    with pytest.raises(TypeError, match=match):
        config.run = value
    with pytest.raises(TypeError, match=match):
        TrainConfig(run=value)
    with pytest.raises(TypeError, match=match):
        dataclasses.replace(config, run=value)
    assert config == TrainConfig()


@pytest.mark.parametrize("section", [field.name for field in dataclasses.fields(TrainConfig)])
def test_the_refusal_names_where_each_sections_class_is_imported_from(section):
    # "assign RunConfig(epochs=3)" did not say where RunConfig is; it names the top-level
    # export (afcd358), which runs as it is written
    with pytest.raises(TypeError) as refused:
        setattr(TrainConfig(), section, {})
    found = re.search(r" \((from pidkit_distill import (\w+))\) or set its keys ",
                      str(refused.value))
    assert found, str(refused.value)
    namespace: dict = {}
    exec(found[1], namespace)
    kind = namespace[found[2]]
    assert kind is type(getattr(TrainConfig(), section))
    assert f"``{section}`` (``{kind.__name__}``)" in " ".join(TrainConfig.__doc__.split())


def test_settings_and_sections_of_the_right_names_are_still_set():
    config = TrainConfig()
    config.run.epochs = 3
    config.run = dataclasses.replace(config.run, seed=4)
    config.audit = AuditConfig(clusters=3)
    assert (config.run.epochs, config.run.seed, config.audit.clusters) == (3, 4, 3)
    check_values(config)
    assert config_from_dict(config_to_dict(config)) == config


def _changed() -> TrainConfig:
    config = apply_overrides(TrainConfig(), ["run.epochs=3", "method.params.lam=2.0",
                                             "data.options.n_train=64"])
    config.audit.layers = [0, 2]
    return config


def _settings_of(config: TrainConfig) -> tuple[int, dict, list]:
    return config.run.epochs, config.method.params, config.audit.layers


def test_copies_pickles_and_dataclass_functions_still_work():
    config = _changed()
    for other in (copy.copy(config), copy.deepcopy(config),
                  pickle.loads(pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)),
                  pickle.loads(pickle.dumps(config, protocol=0)),
                  dataclasses.replace(config), config_from_dict(dataclasses.asdict(config))):
        assert other == config and type(other) is TrainConfig
        assert _settings_of(other) == (3, {"lam": 2.0}, [0, 2])
        with pytest.raises(AttributeError, match=r"^RunConfig has no setting 'epoch'"):
            other.run.epoch = 4  # a copy refuses as the original does
    for section in SECTIONS:
        assert pickle.loads(pickle.dumps(section())) == section()
        assert copy.deepcopy(section()) == section()


def test_a_configuration_crosses_to_a_spawned_process():
    # the demo runs its configurations in a process pool; torchrun's processes read theirs
    config = _changed()
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        assert pool.submit(_settings_of, config).result() == (3, {"lam": 2.0}, [0, 2])


@pytest.mark.parametrize(("given", "match"), [
    # "config must be a TrainConfig, got str"
    ("rid.toml", r"^config must be a TrainConfig, got str 'rid\.toml'; read the file with "
                 r"pidkit_distill\.load_config\('rid\.toml'\)$"),
    (Path("runs/rid.toml"), r"^config must be a TrainConfig, got PosixPath 'runs/rid\.toml'; read "
                            r"the file with pidkit_distill\.load_config\('runs/rid\.toml'\)$"),
    ({"run": {"epochs": 3}}, r"^config must be a TrainConfig, got dict; build one from nested "
                             r"dicts with pidkit_distill\.config\.config_from_dict\(\.\.\.\)$"),
    (RunConfig(), r"^config must be a TrainConfig, got RunConfig; build one with TrainConfig\(\) "
                  r"or pidkit_distill\.load_config\(PATH\)$"),
])
def test_something_else_than_a_configuration_says_how_to_build_one(given, match):
    for function in (check_config, check_values, config_to_dict):
        with pytest.raises(TypeError, match=match):
            function(given)


def test_load_config_still_reads_a_file_and_overrides(tmp_path):
    path = tmp_path / "rid.toml"
    path.write_text('[method]\nname = "rid"\n[run]\nepochs = 4\n')
    config = load_config(path, overrides=["run.seed=2"])
    assert (config.method.name, config.run.epochs, config.run.seed) == ("rid", 4, 2)


IMPORT_HINT = (r"\. A configuration file never imports code: pass the module to the command "
               r"with --import MODULE \(from Python, import it before calling train\)$")


@pytest.mark.parametrize(("text", "match"), [
    # "unknown config section(s) ['import']", and no more
    ('import = ["my_models"]\n', r"^unknown config section\(s\) \['import'\]; known sections: "
                                 r"\[.*\]" + IMPORT_HINT),
    ('[import]\nmodules = ["my_models"]\n', r"^unknown config section\(s\) \['import'\]; "
                                            r".*" + IMPORT_HINT),
    ('[run]\nimport = "my_models"\n', r"^unknown config key 'run.import'" + IMPORT_HINT.removesuffix("$")
                                      + r" \(known keys: \[.*\]\)$"),
])
def test_an_import_in_a_configuration_file_says_where_imports_go(tmp_path, text, match):
    path = tmp_path / "rid.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=rf"^config file {re.escape(repr(str(path)))}: "
                                         + match.removeprefix("^")):
        load_config(path)


def test_other_unknown_names_get_no_import_hint():
    with pytest.raises(ValueError, match=r"\['runn'\].*Did you mean 'run'\?$"):
        config_from_dict({"runn": {"epochs": 3}})
    with pytest.raises(ValueError, match=r"Did you mean 'run.epochs'\? \(known keys: \[.*\]\)$"):
        config_from_dict({"run": {"epoch": 3}})
