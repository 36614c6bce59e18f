"""Training configuration: one dataclass per concern, its keys and their checks.

A configuration is a tree of small dataclasses (:class:`TrainConfig`), read from and written to
nested dicts (:func:`config_from_dict`, :func:`config_to_dict`); its values are checked by
:func:`check_values`. Its values come from, in increasing priority: the sections' defaults, an
optional TOML file, and ``section.key=value`` overrides (the CLI's ``--set`` and
``--section.key`` options), both read by :mod:`pidkit_distill.config_text`. Every key is checked:
an unknown key or a value of the wrong type is a :class:`ValueError` / :class:`TypeError` that
lists what is accepted, and every value is checked against its range (:func:`check_values`;
numbers must be finite). Set from Python, a name that is no key (``config.run.epoch = 3``) raises
:class:`AttributeError` at once, and a section takes only its own class
(``config.run = RunConfig(epochs=3)``). A name that a registry looks up (``data.name``,
``model.teacher``, ``model.student``, ``method.name``) is held as the registry spells it,
stripped and in lower case, however it was given, and a choice (``optim.schedule``,
``audit.estimator``, ...) as the choice it spells in any case
(:class:`~pidkit_distill.config.settings.Settings`). What needs the registries, the file system
or the run length (method, preset and parameters, models, data set, teacher file, run folder,
schedule) is checked by :func:`pidkit_distill.training.check_config` before any work.

=======================  ===========================================================================
module                   job
=======================  ===========================================================================
``sections``             the sections (:class:`DataConfig`, ..., :class:`AuditConfig`) and
                         :class:`TrainConfig`, the tree of them: keys, defaults and help texts
``settings``             the sections' base: what setting a field does (registry spelling of
                         names, choices in any case) and the hints of a misplaced key
``values``               :func:`check_values`: the range and choice of every value
``dicts``                the configuration to and from nested dicts, and the keys that a resume
                         may change
``model_defaults``       what ``model.teacher`` and ``model.student`` mean left at ``"auto"``
``key_history``          keys added and defaults changed since runs were written, with the values
                         those runs held
``teacher_keys``         the keys that a teacher's run does not read, the settings that key a
                         teacher, and the record of the teacher file a run read
``registered_record``    the record of where the registered names that a run used come from
=======================  ===========================================================================

Example TOML file::

    [data]
    name = "digits"

    [method]
    name = "rid"
    preset = "paper"

    [method.params]
    warmup_epochs = 3
    cycle_epochs = 4

    [run]
    epochs = 30
"""

from __future__ import annotations

from pidkit_distill.config.dicts import AUDIT_RESUME_FREE_KEYS as AUDIT_RESUME_FREE_KEYS
from pidkit_distill.config.dicts import RESUME_FREE_KEYS as RESUME_FREE_KEYS
from pidkit_distill.config.dicts import coerce_value as coerce_value
from pidkit_distill.config.dicts import config_from_dict, config_to_dict
from pidkit_distill.config.dicts import unchecked_config_from_dict as unchecked_config_from_dict
from pidkit_distill.config.sections import (
    AuditConfig,
    DataConfig,
    MethodConfig,
    ModelConfig,
    OptimConfig,
    RunConfig,
    TeacherConfig,
    TrainConfig,
    config_fields,
)
from pidkit_distill.config.values import DEVICES, MILESTONE_UNITS, SCHEDULES, check_values

# The names imported `as` themselves are the package's own (the trainer's and the command's):
# outside __all__, importable from here as they were from config.py
__all__ = [
    "DEVICES",
    "MILESTONE_UNITS",
    "SCHEDULES",
    "AuditConfig",
    "DataConfig",
    "MethodConfig",
    "ModelConfig",
    "OptimConfig",
    "RunConfig",
    "TeacherConfig",
    "TrainConfig",
    "check_values",
    "config_fields",
    "config_from_dict",
    "config_to_dict",
]
