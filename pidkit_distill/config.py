"""Training configuration: one dataclass per concern, its keys and their checks.

A configuration is a tree of small dataclasses (:class:`TrainConfig`). Its values come from, in
increasing priority: the defaults below, an optional TOML file, and ``section.key=value`` overrides
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
import typing
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from pidkit._settings import SEED_MAX
from pidkit_distill.config_settings import Settings, closest_name_hint, field_kinds, table_hint
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


def _opt(default: Any, text: str) -> Any:
    """A dataclass field with an immutable default and a help string."""
    return field(default=default, metadata={"help": text})


def _a(name: str) -> str:
    """``name`` with its indefinite article: ``"an int"``, ``"a dict"``."""
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


@dataclass
class DataConfig(Settings):
    """Which data set and how it is batched."""

    _section = "data"

    name: str = _opt("digits", "data set: digits | synthetic | cifar10 | cifar100")
    root: str = _opt("", "folder holding CIFAR data ('' = the loader's default)")
    seed: int = _opt(0, "seed of the data set's split / generation (fixed across run seeds)")
    batch_size: int = _opt(64, "global training batch size (shared out among DDP processes)")
    eval_batch_size: int = _opt(512, "batch size for evaluation and the audit")
    num_workers: int = _opt(0, "DataLoader worker processes")
    drop_last: bool = _opt(False, "drop the last, smaller training batch of every epoch")
    options: dict = field(default_factory=dict, metadata={
        "help": "extra keyword options for load_dataset (e.g. synthetic n_train)"})


@dataclass
class ModelConfig(Settings):
    """Teacher and student architectures (names understood by ``build_model``)."""

    _section = "model"

    teacher: str = _opt("digits-teacher", "teacher architecture")
    student: str = _opt("digits-student", "student architecture")


@dataclass
class TeacherConfig(Settings):
    """Where the teacher's weights come from."""

    source: str = _opt(
        "trained",
        "trained (train or reuse a cached teacher) | untrained (seeded random init) | PATH",
    )
    epochs: int = _opt(30, "epochs when a teacher has to be trained")
    lr: float = _opt(0.05, "initial learning rate when a teacher has to be trained")
    seed: int = _opt(0, "seed of the teacher's initialisation and training")
    data_options: dict = field(default_factory=dict, metadata={
        "help": "load_dataset options that differ for the teacher, e.g. target='joint' for "
                "the synthetic task's nuisance teacher"})


@dataclass
class MethodConfig(Settings):
    """The distillation method and its parameters."""

    _section = "method"

    name: str = _opt("bas", "distillation method (see `pidkit-distill train --list-methods`)")
    preset: str = _opt("", "named parameter preset of the method ('' = the method's "
                           "default_preset; see `pidkit-distill train --list-methods`)")
    params: dict = field(default_factory=dict, metadata={
        "help": "method parameters overriding the preset (method.params.NAME=VALUE)"})


@dataclass
class OptimConfig(Settings):
    """SGD with Nesterov momentum, one optimizer per Distiller group, stepped per epoch."""

    lr: float = _opt(0.05, "initial learning rate")
    momentum: float = _opt(0.9, "SGD momentum")
    weight_decay: float = _opt(5e-4, "weight decay")
    nesterov: bool = _opt(True, "Nesterov momentum")
    schedule: str = _opt(
        "paper",
        "paper (multiply by gamma at each milestone) | constant | kd-rid-effective "
        "(the schedule the authors' code really applied)",
    )
    milestones: list = field(default_factory=lambda: [0.5, 2.0 / 3.0], metadata={
        "help": "where the lr is multiplied by gamma (the paper: epochs 150, 200 of 300)"})
    milestone_unit: str = _opt(
        "fraction", "fraction (milestones are fractions of run.epochs) | epoch"
    )
    gamma: float = _opt(0.2, "lr factor at each milestone")
    grad_clip: float = _opt(100.0, "clip the gradient norm to this value, as the authors' code does "
                                   "(0 = off)")


@dataclass
class RunConfig(Settings):
    """Length, seeds, hardware, logging and checkpoints of one run."""

    epochs: int = _opt(30, "training epochs")
    seed: int = _opt(0, "seed for python, numpy, torch and the data order")
    device: str = _opt("auto", "auto | cpu | cuda")
    threads: int = _opt(0, "CPU threads for torch and the audit (0 = library defaults)")
    amp: bool = _opt(False, "bf16 autocast on CUDA (no-op with a warning on CPU)")
    sync_bn: bool = _opt(False, "synchronise BatchNorm statistics over DDP processes")
    audit_every: int = _opt(5, "run the PID audit every N epochs (0 = never)")
    checkpoint_every: int = _opt(1, "write RUN_DIR/checkpoint.pt every N epochs and after the last "
                                    "(a killed run resumes from the last one written)")
    out_dir: str = _opt("runs", "folder that holds run folders")
    name: str = _opt("", "run folder name ('' = derived from data, method, teacher and seed)")
    resume: bool = _opt(False, "continue from RUN_DIR/checkpoint.pt if there is one (the config "
                               "must match); without, a run folder is never overwritten")
    stop_after: int = _opt(0, "stop after this many epochs in this invocation (0 = run to the end)")
    progress: bool = _opt(True, "show tqdm progress bars (where someone watches: a terminal or a notebook)")
    print_every: int = _opt(1, "print the epoch's line (and its audit's) every N epochs and after "
                               "the last (0 = none); metrics.jsonl keeps every epoch")


@dataclass
class AuditConfig(Settings):
    """Settings of the PID audit of (Y, T^(k), S^(k)) on the held-out set."""

    pca_components: int = _opt(10, "PCA components per representation before clustering")
    clusters: int = _opt(10, "KMeans clusters per representation: the most when cluster_rule=auto, "
                             "exactly this many when fixed")
    cluster_rule: str = _opt("auto", "auto (clusters per side from the sample size, "
                                     "pidkit.estimate.clusters_for_samples) | fixed")
    normalize: str = _opt("l2", "row normalisation before PCA: l2 (as the paper's code) | none")
    estimator: str = _opt("discrete", "discrete (cluster, count and decompose, as the paper) | "
                                      "gaussian (Gaussian PID of the PCA components: linearly "
                                      "decodable information, see docs/estimate.md)")
    bias_correction: str = _opt("auto", "auto (eb-extrapolation for the discrete estimator, wishart "
                                        "for the gaussian one) | eb-extrapolation | extrapolation "
                                        "(discrete) | wishart (gaussian) | none (plug-in)")
    bootstrap: int = _opt(20, "bootstrap replicates for the interval bands (0 = none)")
    confidence: float = _opt(0.95, "nominal coverage of the intervals, in (0, 1)")
    layers: list = field(default_factory=list, metadata={
        "help": "indices of the distilled layers to audit ([] = all)"})
    max_samples: int = _opt(0, "audit at most this many held-out samples (0 = all)")
    seed: int = _opt(0, "seed of PCA, KMeans, the subsamples and the bootstrap")

    def check(self) -> None:
        """Raise ValueError (TypeError for a value of the wrong type) naming the key for a
        setting the audit cannot use.

        Examples
        --------
        >>> AuditConfig(cluster_rule="sqrt").check()
        Traceback (most recent call last):
        ...
        ValueError: config key 'audit.cluster_rule' must be one of ['auto', 'fixed'], got 'sqrt'
        >>> AuditConfig(clusters="3").check()
        Traceback (most recent call last):
        ...
        TypeError: config key 'audit.clusters' expects an int, got '3' (str)
        >>> AuditConfig(layers=[2, 2]).check()
        Traceback (most recent call last):
        ...
        ValueError: config key 'audit.layers' must be a list of distinct ... (2 is there twice)
        """
        kinds = field_kinds(AuditConfig)
        for f in dataclasses.fields(self):
            if f.name == "layers":
                continue  # its own message (_check_layers)
            _check_type(f"audit.{f.name}", getattr(self, f.name), kinds[f.name])
        corrections = {"discrete": ("auto", "eb-extrapolation", "extrapolation", "none"),
                       "gaussian": ("auto", "wishart", "none")}
        choices = {"cluster_rule": ("auto", "fixed"), "normalize": ("l2", "none"),
                   "estimator": tuple(corrections),
                   "bias_correction": corrections.get(self.estimator, ())}
        for key, allowed in choices.items():
            value = getattr(self, key)
            if value not in allowed:
                given = f" with audit.estimator={self.estimator!r}" if key == "bias_correction" else ""
                raise ValueError(f"config key 'audit.{key}' must be one of {list(allowed)}{given}, "
                                 f"got {value!r}")
        for key, minimum in (("pca_components", 1), ("clusters", 2), ("bootstrap", 0),
                             ("max_samples", 0)):
            if getattr(self, key) < minimum:
                raise ValueError(f"config key 'audit.{key}' must be >= {minimum}, "
                                 f"got {getattr(self, key)!r}")
        if self.bootstrap == 1:
            raise ValueError("config key 'audit.bootstrap' must be 0 (no intervals) or at least 2 "
                             "(one replicate has no spread), got 1")
        if not 0 < self.confidence < 1:
            raise ValueError(f"config key 'audit.confidence' must be in (0, 1), got {self.confidence!r}")
        self._check_layers()

    def _check_layers(self) -> None:
        """Raise naming ``audit.layers`` unless it is a list of distinct ints >= 0 (whether the
        models have that many layers is checked where they are known)."""
        def refuse(error: type[Exception], why: str) -> typing.NoReturn:
            raise error("config key 'audit.layers' must be a list of distinct layer indices >= 0 "
                        f"([] = every layer), got {self.layers!r} ({why})")

        if not isinstance(self.layers, list):
            refuse(TypeError, f"a {type(self.layers).__name__}")
        for layer in self.layers:
            if isinstance(layer, bool) or not isinstance(layer, int):
                refuse(TypeError, f"{layer!r} is not an int")
            if layer < 0:
                refuse(ValueError, f"{layer} is below 0")
        twice = [layer for i, layer in enumerate(self.layers) if layer in self.layers[:i]]
        if twice:
            refuse(ValueError, f"{twice[0]} is there twice")


@dataclass
class TrainConfig(Settings):
    """A whole training run: data, models, teacher, method, optimizer, run, audit.

    Only its sections can be set, and only to their own classes: ``config.run = {"epochs": 3}``
    raises :class:`TypeError` naming the section and how to set it.

    Examples
    --------
    >>> TrainConfig().run = {"epochs": 3}
    Traceback (most recent call last):
    ...
    TypeError: config section 'run' must be a RunConfig, got a dict; assign RunConfig(epochs=3) ...
    """

    _noun = "section"

    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    teacher: TeacherConfig = field(default_factory=TeacherConfig)
    method: MethodConfig = field(default_factory=MethodConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    run: RunConfig = field(default_factory=RunConfig)
    audit: AuditConfig = field(default_factory=AuditConfig)

    def __setattr__(self, name: str, value: Any) -> None:
        kind = field_kinds(type(self)).get(name)
        if kind is not None and not isinstance(value, kind):
            pairs = ["KEY=VALUE", "..."]
            if isinstance(value, Mapping) and value and all(isinstance(k, str) for k in value):
                pairs = [f"{key}={item!r}" for key, item in value.items()]
            first = pairs[0].replace("=", " = ", 1)
            raise TypeError(f"config section {name!r} must be {_a(kind.__name__)}, got "
                            f"{_a(type(value).__name__)}; assign {kind.__name__}({', '.join(pairs)})"
                            f" or set its keys one by one: config.{name}.{first}")
        super().__setattr__(name, value)


# Keys whose value may differ between a run and its resumption (a moved or renamed run folder
# resumes; so does one read with another device, thread count, loader setting, checkpoint
# frequency or console output).
RESUME_FREE_KEYS = frozenset(
    {"run.resume", "run.stop_after", "run.device", "run.threads", "run.progress",
     "run.print_every", "run.out_dir", "run.name", "run.checkpoint_every", "data.num_workers",
     "data.eval_batch_size"}
)


def config_fields() -> Iterator[tuple[str, Any, type, str]]:
    """Every configurable key with its default, type and help text.

    Yields
    ------
    key, default, type, help : tuple
        ``key`` is dotted (``"run.epochs"``); ``type`` is one of ``str, int, float, bool, list,
        dict``.

    Examples
    --------
    >>> keys = [key for key, *_ in config_fields()]
    >>> "run.epochs" in keys and "method.params" in keys
    True
    """
    default = TrainConfig()
    for section in dataclasses.fields(TrainConfig):
        sub = getattr(default, section.name)
        hints = field_kinds(type(sub))
        for f in dataclasses.fields(sub):
            key = f"{section.name}.{f.name}"
            yield key, getattr(sub, f.name), hints[f.name], f.metadata["help"]


def _check_is_config(config: Any) -> None:
    """Raise :class:`TypeError` unless ``config`` is a :class:`TrainConfig`, saying how to build
    one from what was given (a file's path, nested dicts).

    Examples
    --------
    >>> _check_is_config("rid.toml")
    Traceback (most recent call last):
    ...
    TypeError: config must be a TrainConfig, got str 'rid.toml'; read the file with pidkit_distill...
    """
    if isinstance(config, TrainConfig):
        return
    given = type(config).__name__
    if isinstance(config, (str, PurePath)):
        raise TypeError(f"config must be a TrainConfig, got {given} {str(config)!r}; read the file "
                        f"with pidkit_distill.load_config({str(config)!r})")
    fix = ("build one from nested dicts with pidkit_distill.config.config_from_dict(...)"
           if isinstance(config, Mapping) else
           "build one with TrainConfig() or pidkit_distill.load_config(PATH)")
    raise TypeError(f"config must be a TrainConfig, got {given}; {fix}")


def config_to_dict(config: TrainConfig) -> dict[str, dict[str, Any]]:
    """The configuration as nested plain dicts (JSON- and TOML-serialisable).

    Examples
    --------
    >>> config_to_dict(TrainConfig())["run"]["epochs"]
    30
    """
    _check_is_config(config)
    return dataclasses.asdict(config)


def _check_type(key: str, value: Any, kind: type, *, fix: str = "") -> None:
    """Raise :class:`TypeError` naming ``key`` unless ``value`` is of the field type ``kind`` (an
    int is a float, a bool is no int); ``fix`` ends the message.

    Examples
    --------
    >>> _check_type("audit.clusters", "3", int)
    Traceback (most recent call last):
    ...
    TypeError: config key 'audit.clusters' expects an int, got '3' (str)
    """
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise TypeError(f"config key {key!r} expects {_a(kind.__name__)}, got {value!r} "
                        f"({type(value).__name__}){fix}")


def coerce_value(key: str, value: Any, kind: type) -> Any:
    """Check ``value`` (from TOML or a parsed override) against the field type ``kind``."""
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if kind is list and isinstance(value, tuple):
        value = list(value)
    _check_type(key, value, kind, fix="; fix the TOML file or the override")
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
    _check_is_config(config)
    for key, _, kind, _ in config_fields():  # a value set from Python, not through coerce_value
        section, name = key.split(".")
        if section == "audit":
            continue  # AuditConfig.check, next (audit_distiller runs it too)
        _check_type(key, getattr(getattr(config, section), name), kind)
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
