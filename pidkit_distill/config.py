"""Training configuration: one dataclass per concern, its keys and their checks.

A configuration is a tree of small dataclasses (:class:`TrainConfig`; the sections, their keys,
defaults and help texts are defined in :mod:`pidkit_distill.config_sections`, and this module
hands them on). Here it is read from and written to nested dicts (:func:`config_from_dict`,
:func:`config_to_dict`) and its values checked (:func:`check_values`). Its values come from, in
increasing priority: the sections' defaults, an optional TOML file, and ``section.key=value`` overrides
(the CLI's ``--set`` and ``--section.key`` options), both read by
:mod:`pidkit_distill.config_text`. Every key is checked: an unknown key or a value
of the wrong type is a :class:`ValueError` / :class:`TypeError` that lists what is accepted, and
every value is checked against its range (:func:`check_values`; numbers must be finite). Set from
Python, a name that is no key (``config.run.epoch = 3``) raises :class:`AttributeError` at once,
and a section takes only its own class (``config.run = RunConfig(epochs=3)``). A name that a
registry looks up (``data.name``, ``model.teacher``, ``model.student``, ``method.name``) is held
as the registry spells it, stripped and in lower case, however it was given
(:class:`~pidkit_distill.config_settings.Settings`). What
needs the registries, the file system or the run length (method, preset and parameters, models,
data set, teacher file, run folder, schedule) is checked by
:func:`pidkit_distill.training.check_config` before any work.

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

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pidkit._settings import SEED_MAX
from pidkit_distill.config_sections import (
    AuditConfig,
    DataConfig,
    MethodConfig,
    ModelConfig,
    OptimConfig,
    RunConfig,
    TeacherConfig,
    TrainConfig,
    check_is_config,
    check_key_type,
    config_fields,
)
from pidkit_distill.config_settings import closest_name_hint, table_hint
from pidkit_distill.teacher_keys import RECORDED, record_hint

__all__ = [
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

SCHEDULES = ("paper", "constant", "kd-rid-effective")
MILESTONE_UNITS = ("fraction", "epoch")
DEVICES = ("auto", "cpu", "cuda")
_NOT_A_RUN_DEVICE = ("; the trainer runs on the CPU or on CUDA GPUs, each process on its own "
                     "(cuda:LOCAL_RANK; choose them with CUDA_VISIBLE_DEVICES): on another "
                     "accelerator (xpu, mps, hpu) pass cpu")


# Keys whose value may differ between a run and its resumption (a moved or renamed run folder
# resumes; so does one read with another device, thread count, loader setting, checkpoint
# frequency or console output).
RESUME_FREE_KEYS = frozenset(
    {"run.resume", "run.stop_after", "run.device", "run.threads", "run.progress",
     "run.print_every", "run.out_dir", "run.name", "run.checkpoint_every", "data.num_workers",
     "data.eval_batch_size"}
)


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
    """Check ``value`` (from TOML or a parsed override) against the field type ``kind``."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is list and isinstance(value, tuple):
        value = list(value)
    check_key_type(key, value, kind, fix="; fix the TOML file or the override")
    return value


def config_from_dict(data: Mapping[str, Any]) -> TrainConfig:
    """Build a :class:`TrainConfig` from nested mappings (as read from TOML or config.json).

    Missing keys keep their defaults; unknown sections or keys raise :class:`ValueError` listing the
    accepted ones; values of the wrong type raise :class:`TypeError`. The table ``recorded``
    of a run's ``config.json`` (what the run recorded of itself, no setting:
    :mod:`~pidkit_distill.teacher_keys`) is skipped, so that the file reads back.

    Examples
    --------
    >>> config_from_dict({"run": {"epochs": 3}}).run.epochs
    3
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
                raise ValueError(f"unknown config key {key!r}; known keys: {known}"
                                 f"{_import_hint([name]) or table_hint(key, known, _tables())}")
            value = coerce_value(key, value, kinds[key])
            if kinds[key] in (list, dict):
                value = type(value)(value)
            setattr(sub, name, value)
    check_values(config)
    return config


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


def _check_choice(key: str, value: str, choices: Sequence[str], why: str = "") -> None:
    if value not in choices:
        raise ValueError(f"config key {key!r} must be one of {list(choices)}, got {value!r}{why}")


def _check_number(key: str, value: float, minimum: float, *, strict: bool = False,
                  below: float = math.inf) -> None:
    """``value`` must be finite, ``>= minimum`` (``> minimum`` when ``strict``) and ``< below``."""
    low_ok = value > minimum if strict else value >= minimum
    if not (math.isfinite(value) and low_ok and value < below):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        if below < math.inf:
            bound += f" and < {below}"
        kind = "" if isinstance(value, int) else "a finite number "
        raise ValueError(f"config key {key!r} must be {kind}{bound}, got {value!r}")


def check_values(config: TrainConfig) -> None:
    """Check every value's range or choice; raise :class:`ValueError` naming the key.

    Values must be of their key's type (:class:`TypeError`; one set from Python is checked
    here); numbers must be finite; learning rates and the lr factor positive; seeds in
    [0, 2**32 - 1] (numpy's and scikit-learn's range). This needs no registry
    and no file: :func:`config_from_dict` (so every loaded configuration) runs it.
    :func:`pidkit_distill.training.check_config` runs it too, then checks the rest.

    Examples
    --------
    >>> check_values(TrainConfig())
    >>> cfg = TrainConfig()
    >>> cfg.optim.grad_clip = float("inf")
    >>> check_values(cfg)
    Traceback (most recent call last):
    ...
    ValueError: config key 'optim.grad_clip' must be a finite number >= 0.0, got inf
    """
    check_is_config(config)
    for key, _, kind, _ in config_fields():  # a value set from Python, not through coerce_value
        section, name = key.split(".")
        if section == "audit":
            continue  # AuditConfig.check, next (audit_distiller runs it too)
        check_key_type(key, getattr(getattr(config, section), name), kind)
    config.audit.check()
    _check_choice("optim.schedule", config.optim.schedule, SCHEDULES)
    _check_choice("optim.milestone_unit", config.optim.milestone_unit, MILESTONE_UNITS)
    _check_choice("run.device", config.run.device, DEVICES, _NOT_A_RUN_DEVICE)
    for key, value, minimum in [
        ("data.batch_size", config.data.batch_size, 1),
        ("data.eval_batch_size", config.data.eval_batch_size, 1),
        ("data.num_workers", config.data.num_workers, 0),
        ("teacher.epochs", config.teacher.epochs, 1),
        ("optim.weight_decay", config.optim.weight_decay, 0.0),
        ("optim.grad_clip", config.optim.grad_clip, 0.0),
        ("run.epochs", config.run.epochs, 1),
        ("run.audit_every", config.run.audit_every, 0),
        ("run.checkpoint_every", config.run.checkpoint_every, 1),
        ("run.threads", config.run.threads, 0),
        ("run.stop_after", config.run.stop_after, 0),
        ("run.print_every", config.run.print_every, 0),
    ]:
        _check_number(key, value, minimum)
    for key, value in [("data.seed", config.data.seed), ("teacher.seed", config.teacher.seed),
                       ("run.seed", config.run.seed), ("audit.seed", config.audit.seed)]:
        _check_number(key, value, 0, below=SEED_MAX + 1)  # numpy's and scikit-learn's seeds
    for key, value in [("teacher.lr", config.teacher.lr), ("optim.lr", config.optim.lr),
                       ("optim.gamma", config.optim.gamma)]:
        _check_number(key, value, 0.0, strict=True)
    _check_number("optim.momentum", config.optim.momentum, 0.0, below=1.0)
    for milestone in config.optim.milestones:
        if isinstance(milestone, bool) or not isinstance(milestone, (int, float)):
            raise TypeError(f"config key 'optim.milestones' holds numbers, got {milestone!r}")
    milestones, unit = config.optim.milestones, config.optim.milestone_unit
    if unit == "fraction" and not all(0 < m < 1 for m in milestones):
        raise ValueError("config key 'optim.milestones' must hold fractions in (0, 1) when "
                         f"optim.milestone_unit='fraction', got {milestones!r}")
    if unit == "epoch" and not all(isinstance(m, int) and m >= 1 for m in milestones):
        raise ValueError("config key 'optim.milestones' must hold epoch numbers >= 1 when "
                         f"optim.milestone_unit='epoch', got {milestones!r}")
    if not config.teacher.source:
        raise ValueError("config key 'teacher.source' must be 'trained', 'untrained' or a path")
    _check_run_name(config.run.name)


def _check_run_name(name: str) -> None:
    """``run.name`` is one folder's name, made in ``run.out_dir``: a path (``a/b``, ``/abs``,
    ``../x``, ``..``) put the run folder elsewhere, outside ``run.out_dir``.

    Examples
    --------
    >>> _check_run_name("seed-1")
    >>> _check_run_name("../runs")
    Traceback (most recent call last):
    ...
    ValueError: config key 'run.name' must be a folder's name, made in run.out_dir, not a path; \
got '../runs'; to put the run elsewhere, set run.out_dir to the folder that holds it
    """
    if name in (".", "..") or any(s in name for s in ("/", "\\", "\0")):  # POSIX's, Windows'
        raise ValueError(f"config key 'run.name' must be a folder's name, made in run.out_dir, "
                         f"not a path; got {name!r}; to put the run elsewhere, set run.out_dir "
                         "to the folder that holds it")
