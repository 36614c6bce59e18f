"""The configuration's history (no imports): keys added after runs were written, keys
whose default changed since, each with the values that runs written before did, and presets
renamed since (:func:`preset_named_now`).

A resume compares a checkpoint's configuration with the one of now
(:func:`~pidkit_distill.training.checkpoint.resume_changes`), a teacher's folder hashes the
settings it depends on (:func:`~pidkit_distill.config.teacher_keys.teacher_key`) and the report
groups runs by their settings (:mod:`~pidkit_distill.run_folders.groups`): each reads a key that an
older configuration lacks as the value it held then, so that an upgrade neither refuses a
resume, nor retrains a cached teacher, nor splits one experiment in two.

Examples
--------
>>> VALUES_BEFORE_KEYS_EXISTED["optim.optimizer"], EARLIER_DEFAULTS["audit.bootstrap"]
('sgd', (20,))
>>> with_values_before_keys_existed({"optim": {"lr": 0.1}})["optim"]
{'lr': 0.1, 'optimizer': 'sgd', 'min_lr': 0.0, 'warmup_epochs': 0}
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

__all__ = ["EARLIER_DEFAULTS", "EARLIER_PRESET_NAMES", "VALUES_BEFORE_KEYS_EXISTED",
           "preset_named_now", "with_values_before_keys_existed",
           "without_values_before_keys_existed"]

# Keys added after runs were written, each with the value that does what those runs did without
# it: a checkpoint that lacks the key resumes with that value (and only with it), so that a
# run started before an upgrade can be continued after it. A new key whose default keeps the old
# behaviour belongs here; one whose every value changes a run does not.
# teacher.optimizer: before it, a teacher trained with its student's optim.optimizer, which was
# "sgd" for every teacher of a run older than optim.optimizer; the teacher of a run of "adamw",
# trained with AdamW under that rule, is not this key's "sgd": such a run trains its teacher
# with SGD in a folder of its own. data.val_fraction and run.early_stop: before them, a run
# trained on its whole training set, chose its best epoch on the test set and never stopped early.
VALUES_BEFORE_KEYS_EXISTED: dict[str, object] = {
    "audit.cluster_seeds": 1, "optim.optimizer": "sgd", "optim.min_lr": 0.0,
    "optim.warmup_epochs": 0, "teacher.optimizer": "sgd", "data.val_fraction": 0.0,
    "run.early_stop": 0}

# Keys whose default changed after runs were written, each with its earlier defaults: a run whose
# checkpoint holds an earlier default, resumed where the key holds the default of now, continues
# with the value it started with (its records stay comparable) instead of being refused for a
# changed key (pidkit_distill.training.checkpoint.resume_changes). A configuration does not record
# which keys were given and which defaulted, so the default of now given explicitly on such a
# resume keeps the earlier value too; any other value is refused as a change. A key belongs here
# when its default changes and a run continued with its earlier value is still the run it was
# (audit.bootstrap: 40 since 20 fell below the floor of 95 % intervals, 39 replicates); one whose
# new default fixes what the old one got wrong in training does not.
EARLIER_DEFAULTS: dict[str, tuple[object, ...]] = {"audit.bootstrap": (20,)}

# Presets renamed after runs were written, each with the names it had: a method of the user's
# that declares no presets had one named "paper" before 6 Dec 2026, "default" since (the same
# preset, setting no value).
EARLIER_PRESET_NAMES: dict[str, tuple[str, ...]] = {"default": ("paper",)}


def _added(settings: Mapping[str, Any]) -> dict[str, dict[str, object]]:
    """The keys of :data:`VALUES_BEFORE_KEYS_EXISTED` by the sections of ``settings`` that
    hold them as tables, each with its value before it existed."""
    added: dict[str, dict[str, object]] = {}
    for dotted, value in VALUES_BEFORE_KEYS_EXISTED.items():
        section, key = dotted.split(".", 1)
        if isinstance(settings.get(section), Mapping):
            added.setdefault(section, {})[key] = value
    return added


def with_values_before_keys_existed(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` (a configuration as a dict of sections) with each key of
    :data:`VALUES_BEFORE_KEYS_EXISTED` that a section lacks at its value before it existed:
    a configuration written before the key, read as the configuration of now that does the
    same.

    Examples
    --------
    >>> with_values_before_keys_existed({"optim": {"optimizer": "adamw"}})["optim"]
    {'optimizer': 'adamw', 'min_lr': 0.0, 'warmup_epochs': 0}
    """
    added = _added(settings)
    return {name: {**table, **{key: value for key, value in added.get(name, {}).items()
                               if key not in table}}
            if name in added else table
            for name, table in settings.items()}


def without_values_before_keys_existed(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` less each key of :data:`VALUES_BEFORE_KEYS_EXISTED` that holds its value
    before it existed: a configuration of now as one written before the key would hold it, so
    that what hashes the settings (a cached teacher's folder) keeps its hash across the upgrade.

    Examples
    --------
    >>> without_values_before_keys_existed({"optim": {"lr": 0.05, "optimizer": "sgd",
    ...                                               "warmup_epochs": 5}})["optim"]
    {'lr': 0.05, 'warmup_epochs': 5}
    """
    added = _added(settings)
    return {name: {key: value for key, value in table.items()
                   if key not in added.get(name, {}) or value != added[name][key]}
            if name in added else table
            for name, table in settings.items()}


_Preset = TypeVar("_Preset")


def preset_named_now(preset: _Preset, default_preset: str | None,
                     presets: Collection[str]) -> _Preset | str:
    """The preset that ``preset``, a ``method.preset`` a run was saved with, names now, for a
    method whose default preset is ``default_preset`` (``None``: not registered) and whose
    presets are ``presets``: its default where ``preset`` is an earlier name of it
    (:data:`EARLIER_PRESET_NAMES`) that the method does not declare; else ``preset`` as it is.

    A resume compares a saved ``method.preset`` so
    (:func:`~pidkit_distill.training.checkpoint.resume_changes`), and the check of a resumed
    run reads it so (:func:`~pidkit_distill.training.check_config`): a run of a user's
    method saved with ``"paper"`` continues with its ``"default"``, however it is resumed.

    Examples
    --------
    >>> preset_named_now("paper", "default", ["default"])  # a method that declares no presets
    'default'
    >>> preset_named_now("paper", "default", ["default", "paper"])  # a "paper" of its own
    'paper'
    >>> preset_named_now("paper", "paper-mean", ["paper-mean", "kd-rid", "paper"])
    'paper'
    >>> preset_named_now("paper", None, [])  # no method of that name
    'paper'
    """
    if (default_preset is not None and preset in EARLIER_PRESET_NAMES.get(default_preset, ())
            and preset not in presets):  # in that order: a saved preset may be unhashable
        return default_preset
    return preset
