"""A training configuration as nested dicts, and the keys that a resume may change.

:func:`config_to_dict` writes a :class:`~pidkit_distill.config.TrainConfig` as nested plain dicts
(what ``config.json`` and a checkpoint hold); :func:`config_from_dict` reads one back (as read
from TOML or ``config.json``), each key checked for its type (:func:`coerce_value`) and every
value for its range (:func:`~pidkit_distill.config.check_values`);
:func:`unchecked_config_from_dict` reads it without the ranges, for a caller that applies
overrides first. :data:`RESUME_FREE_KEYS` and :data:`AUDIT_RESUME_FREE_KEYS` are the keys whose
value may differ between a run and its resumption.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from pidkit.utils import closest
from pidkit_distill.config.sections import (
    TrainConfig,
    check_is_config,
    check_key_type,
    config_fields,
)
from pidkit_distill.config.settings import closest_name_hint, misplaced_table, table_hint
from pidkit_distill.config.teacher_keys import RECORDED, record_hint
from pidkit_distill.config.values import check_values

__all__ = ["AUDIT_RESUME_FREE_KEYS", "RESUME_FREE_KEYS", "coerce_value", "config_from_dict",
           "config_to_dict", "unchecked_config_from_dict"]

# Keys whose value may differ between a run and its resumption (a moved or renamed run folder
# resumes; so does one read with another device, thread count, loader setting, checkpoint
# frequency, console output or time to wait for a torchrun's other processes).
RESUME_FREE_KEYS = frozenset(
    {"run.resume", "run.stop_after", "run.device", "run.threads", "run.progress",
     "run.print_every", "run.out_dir", "run.name", "run.checkpoint_every", "run.join_timeout",
     "data.num_workers", "data.eval_batch_size"}
)

# Keys of the audit that a resume may change too (pidkit_distill.training.checkpoint.resume_changes),
# each with why: they set when the atoms are measured and the intervals drawn around them, not
# the atoms' values nor the student's training (the audit draws on none of the training's random
# streams: tests/distill/test_resume_audit_changes.py trains the same weights with either value).
# A resume that changes one prints a note naming it and the epoch from which it holds
# (pidkit_distill.training.resume.audit_change_note), and config.json records the new value.
# The other audit keys stay refused: estimator, bias_correction, pca_components, normalize,
# clusters, cluster_rule, cluster_seeds, seed and max_samples each change the atoms' values
# (another estimate, discretisation, clustering draw or sample size), so the run's atoms would
# move between epochs for a reason other than training; layers changes which layers each audit
# holds, while the report and the audit line take a run's innermost layer and its last record
# over all of the run's records (pidkit_distill.audit.records.final_audit), which would then be
# an earlier epoch's.
AUDIT_RESUME_FREE_KEYS: dict[str, str] = {
    "run.audit_every": "when the atoms are measured, not how: each record holds its epoch",
    "audit.bootstrap": "the intervals' replicates only: the atoms are the same with any count, and "
                       "each record holds its own (settings.bootstrap), which its flags read",
    "audit.confidence": "the intervals' coverage only: the atoms are the same at any level, and "
                        "each record holds its own (settings.confidence), which its flags read",
}


def config_to_dict(config: TrainConfig) -> dict[str, dict[str, Any]]:
    """The configuration as nested plain dicts (JSON- and TOML-serialisable).

    Examples
    --------
    >>> config_to_dict(TrainConfig())["run"]["epochs"]
    30
    """
    check_is_config(config)
    return dataclasses.asdict(config)


def coerce_value(key: str, value: Any, kind: type) -> Any:
    """Check ``value`` (from TOML or a parsed override) against the field type ``kind``.

    One value where a list is expected is the list of that value, in a TOML file as on the
    command line (``layers = 1`` as ``--audit.layers 1``: ``[1]``); a table stays refused.

    Examples
    --------
    >>> coerce_value("audit.layers", 1, list), coerce_value("optim.milestones", (0.5,), list)
    ([1], [0.5])
    """
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is list and isinstance(value, tuple):
        value = list(value)
    if kind is list and isinstance(value, (str, int, float)):
        value = [value]
    check_key_type(key, value, kind, fix="; fix the TOML file or the override")
    return value


def config_from_dict(data: Mapping[str, Any]) -> TrainConfig:
    """Build a :class:`TrainConfig` from nested mappings (as read from TOML or config.json).

    Missing keys keep their defaults; unknown sections or keys raise :class:`ValueError` listing the
    accepted ones; values of the wrong type raise :class:`TypeError`. The table ``recorded``
    of a run's ``config.json`` (what the run recorded of itself, no setting:
    :mod:`~pidkit_distill.config.teacher_keys`) is skipped, so that the file reads back.

    Examples
    --------
    >>> config_from_dict({"run": {"epochs": 3}}).run.epochs
    3
    """
    config = unchecked_config_from_dict(data)
    check_values(config)
    return config


def unchecked_config_from_dict(data: Mapping[str, Any]) -> TrainConfig:
    """:func:`config_from_dict` but for the ranges and choices of the values
    (:func:`check_values`), for a caller that applies overrides first: a value that an override
    replaces is no mistake (``pidkit-distill train --config f.toml --epochs 3`` where ``f.toml``
    says ``epochs = 0``).

    Raises
    ------
    ValueError, TypeError
        An unknown section or key, a value of the wrong type.

    Examples
    --------
    >>> unchecked_config_from_dict({"run": {"epochs": 0}}).run.epochs
    0
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"config data must be a mapping, got {type(data).__name__}")
    config = TrainConfig()
    sections = {f.name for f in dataclasses.fields(TrainConfig)}
    unknown = sorted(set(data) - sections - {RECORDED})
    loose = [name for name in unknown if name != "import" and not isinstance(data[name], Mapping)]
    if loose:
        raise ValueError(_outside_every_table(loose[0], data[loose[0]]))
    if unknown:
        raise ValueError(
            f"unknown config section(s) {unknown}; known sections: {sorted(sections)}"
            f"{_import_hint(unknown) or table_hint(unknown[0], sections, _tables())}"
        )
    kinds = {key: kind for key, _, kind, _ in config_fields()}
    for section, values in data.items():
        if not isinstance(values, Mapping):
            raise TypeError(f"config section {section!r} must be a table, got {values!r}")
        if section == RECORDED:
            continue
        sub = getattr(config, section)
        for name, value in values.items():
            key = f"{section}.{name}"
            if key not in kinds:
                known = sorted(k for k in kinds if k.startswith(section + "."))
                hint = _import_hint([name]) or _unknown_key_hint(key, known)
                # the hint first, as an override's error gives it: the keys' list hid it at the end
                raise ValueError(f"unknown config key {key!r}{hint} (known keys: {known})" if hint
                                 else f"unknown config key {key!r}; known keys: {known}")
            value = coerce_value(key, value, kinds[key])
            if kinds[key] in (list, dict):
                value = type(value)(value)
            setattr(sub, name, value)
    return config


def _unknown_key_hint(key: str, known: list[str]) -> str:
    """The hint of the error for the unknown ``key`` of a section whose keys are ``known``,
    ending the sentence before it: a nested table of another section that it names
    (:func:`table_hint`), or a nested table of its own that it nearly names
    (``teacher.options``: ``teacher.data_options``); else the sections that have a key of its
    name (``teacher.name``: ``name`` is a key of [data] and [method], where a TOML file's
    ``[method]`` header was left out), which the closest key of its own section would hide
    (``teacher.seed``); else that closest key, or nothing."""
    section, name = key.split(".", 1)
    if misplaced_table(key, known, _tables()) is not None or closest(key, known) in _tables():
        return table_hint(key, known, _tables())
    holders = [other for other, *_ in config_fields()
               if other.split(".")[1] == name and other.split(".")[0] != section]
    if not holders:
        return table_hint(key, known, _tables())
    headers = [f"[{other.split('.')[0]}]" for other in holders]
    owners = ", ".join(headers[:-1]) + " and " + headers[-1] if len(headers) > 1 else headers[0]
    return (f". {name!r} is a key of {owners}, not of [{section}]: put it in the table of its "
            f"section (in a TOML file, a key below the [{section}] table belongs to it until "
            "the next [section] header; is a header missing above it?)")


def _tables() -> list[str]:
    """The keys that are tables nested in their section's table (``method.params``)."""
    return [key for key, _, kind, _ in config_fields() if kind is dict]


def _outside_every_table(name: str, value: Any) -> str:
    """The error for ``name = value`` outside every section (``epochs = 3`` above a TOML file's
    first ``[run]``): the sections whose tables hold a key of that name, or the closest key;
    where neither is, that no section has a key of that name (or that it names a run's record,
    ``teacher_file``)."""
    keys = [key for key, *_ in config_fields()]
    holders = sorted(key for key in keys if key.split(".")[1] == name)
    outside = (f"config key {name!r} (= {value!r}) stands outside every section's table (in a "
               "TOML file, above its first [section] header)")
    if holders:
        return (f"{outside}; put it in the table of its section: "
                + " or ".join(f"[{key.split('.')[0]}] ({key})" for key in holders))
    if record := record_hint(name):
        return f"{outside}{record}"
    if hint := closest_name_hint(name, keys):
        return f"{outside}; put it in the table of its section{hint}"
    sections = sorted({key.split(".")[0] for key in keys})
    return f"{outside}, and no section has a key of that name; known sections: {sections}"


def _import_hint(names: Iterable[str]) -> str:
    """Where imports go, ending the sentence before it, when one of the unknown ``names`` is
    ``import``; or nothing."""
    if "import" not in names:
        return ""
    return (". A configuration file never imports code: pass the module to the command with "
            "--import MODULE (from Python, import it before calling train)")
